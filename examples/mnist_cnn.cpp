// Trains the CNN of PyTorch's MNIST example on MNIST: conv 1->32 3x3, ReLU, conv 32->64 3x3, ReLU,
// max-pool 2, Dropout 0.25, Flatten, Linear 9216->128, ReLU, Dropout 0.5, Linear 128->10, with
// Adam and cross entropy (the loop is examples/mnist_training.h); Unflatten makes the [N, 28, 28]
// images one-channel [N, 1, 28, 28] ones. As in PyTorch's example, the inputs are standardized and
// the learning rate decays by 0.7 per epoch. It passes 99% test accuracy within 3 epochs, its
// default. With --dataset fashion-mnist the same network and recipe train on Fashion-MNIST.
#include "mnist_training.h"

int main(int argc, char** argv) {
  using namespace nabla;
  const mnist_example::Program program{
      "mnist_cnn",
      "trains a convolutional network on MNIST or Fashion-MNIST",
      3,
      [] {
        return nn::Sequential(nn::Unflatten(1, Shape{1, 28}), nn::Conv2d(1, 32, 3), nn::ReLU(),
                              nn::Conv2d(32, 64, 3), nn::ReLU(), nn::MaxPool2d(2),
                              nn::Dropout(0.25), nn::Flatten(), nn::Linear(9216, 128), nn::ReLU(),
                              nn::Dropout(0.5), nn::Linear(128, 10));
      },
      /*standardize=*/true,
      /*lr_gamma=*/0.7};
  return mnist_example::main(program, argc, argv);
}

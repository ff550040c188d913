// Trains the MLP of the seed tutorial on MNIST (or Fashion-MNIST, with --dataset fashion-mnist):
// Flatten, Linear 784->128, ReLU, Dropout 0.2, Linear 128->10, with Adam and cross entropy (the
// loop is examples/mnist_training.h).
#include "mnist_training.h"

int main(int argc, char** argv) {
  using namespace nabla;
  const mnist_example::Program program{
      "mnist_mlp", "trains an MLP on MNIST or Fashion-MNIST", 5, [] {
        return nn::Sequential(nn::Flatten(), nn::Linear(784, 128), nn::ReLU(), nn::Dropout(0.2),
                              nn::Linear(128, 10));
      }};
  return mnist_example::main(program, argc, argv);
}

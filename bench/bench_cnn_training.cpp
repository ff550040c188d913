// CNN training throughput on the CPU, in samples/s at batch 64: the model of PyTorch's C++ MNIST
// example (conv 1->10 5x5, max-pool 2, ReLU, conv 10->20 5x5, max-pool 2, ReLU, Linear 320->50,
// ReLU, Dropout 0.5, Linear 50->10) and examples/mnist_cnn's larger one, with Adam and cross
// entropy on MNIST-sized random images, as examples/mnist_training.h trains them. The same models
// beside libtorch, on MNIST itself: scripts/compare_libtorch.sh.
#include "training_loop.h"

namespace {

using namespace nabla;

nn::Sequential pytorch_example_model() {
  return nn::Sequential(nn::Unflatten(1, Shape{1, 28}), nn::Conv2d(1, 10, 5), nn::MaxPool2d(2),
                        nn::ReLU(), nn::Conv2d(10, 20, 5), nn::MaxPool2d(2), nn::ReLU(),
                        nn::Flatten(), nn::Linear(320, 50), nn::ReLU(), nn::Dropout(0.5),
                        nn::Linear(50, 10));
}

nn::Sequential mnist_cnn_model() {
  return nn::Sequential(nn::Unflatten(1, Shape{1, 28}), nn::Conv2d(1, 32, 3), nn::ReLU(),
                        nn::Conv2d(32, 64, 3), nn::ReLU(), nn::MaxPool2d(2), nn::Dropout(0.25),
                        nn::Flatten(), nn::Linear(9216, 128), nn::ReLU(), nn::Dropout(0.5),
                        nn::Linear(128, 10));
}

void train(benchmark::State& state, nn::Sequential model) {
  manual_seed(0);
  const Tensor images = (rand({6400, 28, 28}) * 255).to(kUInt8);
  const Tensor labels = (rand({6400}) * 10).to(kInt64);
  nabla_bench::time_training(state, model, images, labels);
}

void BM_PytorchExampleCnnTrainingStep(benchmark::State& state) {
  train(state, pytorch_example_model());
}
void BM_MnistCnnTrainingStep(benchmark::State& state) {
  train(state, mnist_cnn_model());
}

BENCHMARK(BM_PytorchExampleCnnTrainingStep)->Arg(64)->MinTime(2.0)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MnistCnnTrainingStep)->Arg(64)->MinTime(3.0)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

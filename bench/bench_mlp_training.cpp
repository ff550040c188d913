// Training throughput of examples/mnist_mlp's model on the CPU, in samples/s at batch 64 and 256,
// with the process's peak resident memory. The data are MNIST-sized random uint8 images, so the
// benchmark needs no download; the loop is the example's (batches gathered by the DataLoader,
// normalized per batch, Adam, cross entropy). For reference, libtorch's C++ frontend trains this
// model at about 150k to 175k samples/s at batch 64 with 570 MB peak RSS on the development
// machine.
#include "training_loop.h"

namespace {

using namespace nabla;

void BM_MnistMlpTrainingStep(benchmark::State& state) {
  manual_seed(0);
  // Drawn in chunks, so that no float32 copy of the whole set inflates the peak memory.
  Tensor images = empty({60000, 28, 28}, kUInt8);
  for (int64_t start = 0; start < 60000; start += 1000) {
    images.narrow(0, start, 1000).copy_((rand({1000, 28, 28}) * 255).to(kUInt8));
  }
  const Tensor labels = (rand({60000}) * 10).to(kInt64);
  nn::Sequential model(nn::Flatten(), nn::Linear(784, 128), nn::ReLU(), nn::Dropout(0.2),
                       nn::Linear(128, 10));
  nabla_bench::time_training(state, model, images, labels);
}

BENCHMARK(BM_MnistMlpTrainingStep)->Arg(64)->Arg(256)->MinTime(2.0)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();

// Training throughput of examples/mnist_mlp's model on the CPU, in samples/s at batch 64 and 256,
// with the process's peak resident memory. The data are MNIST-sized random uint8 images, so the
// benchmark needs no download; the loop is the example's (batches gathered by the DataLoader,
// normalized per batch, Adam, cross entropy). For reference, libtorch's C++ frontend trains this
// model at about 150k to 175k samples/s at batch 64 with 570 MB peak RSS on the development
// machine.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <nabla/nabla.h>

namespace {

using namespace nabla;

double peak_rss_megabytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void BM_MnistMlpTrainingStep(benchmark::State& state) {
  const int64_t batch_size = state.range(0);
  manual_seed(0);
  // Drawn in chunks, so that no float32 copy of the whole set inflates the peak memory.
  Tensor images = empty({60000, 28, 28}, kUInt8);
  for (int64_t start = 0; start < 60000; start += 1000) {
    images.narrow(0, start, 1000).copy_((rand({1000, 28, 28}) * 255).to(kUInt8));
  }
  const Tensor labels = (rand({60000}) * 10).to(kInt64);
  nn::Sequential model(nn::Flatten(), nn::Linear(784, 128), nn::ReLU(), nn::Dropout(0.2),
                       nn::Linear(128, 10));
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(1e-3));
  nn::CrossEntropyLoss criterion;
  data::DataLoader loader(
      data::TensorDataset({images, labels}),
      data::DataLoaderOptions().batch_size(batch_size).shuffle(true).seed(1).drop_last(true));
  auto batch = loader.begin();
  for (auto _ : state) {
    if (batch == loader.end()) batch = loader.begin();
    const Tensor loss = criterion(model(data::normalize_images((*batch)[0])), (*batch)[1]);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    ++batch;
  }
  state.SetItemsProcessed(state.iterations() * batch_size);
  state.counters["peak_rss_MB"] = peak_rss_megabytes();
}

BENCHMARK(BM_MnistMlpTrainingStep)->Arg(64)->Arg(256)->MinTime(2.0)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();

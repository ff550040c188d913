// The training step the model benchmarks time, as examples/mnist_training.h runs it: a batch
// gathered by a shuffling DataLoader, normalized, forward, cross entropy, backward, an Adam step.
// Reports samples/s and the process's peak resident memory.
#pragma once

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <nabla/nabla.h>

namespace nabla_bench {

inline double peak_rss_megabytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// Times training steps of `model` on uint8 `images` [N, 28, 28] and int64 `labels` [N], at the
// batch size state.range(0).
inline void time_training(benchmark::State& state, nabla::nn::Sequential& model,
                          const nabla::Tensor& images, const nabla::Tensor& labels) {
  using namespace nabla;
  const int64_t batch_size = state.range(0);
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

}  // namespace nabla_bench

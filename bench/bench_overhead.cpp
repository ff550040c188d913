// Host overhead of one op on tiny tensors: the cost of dispatch, shape logic and allocation, which
// dominates small models. The reference beside it is the same 8 additions as a plain loop into a
// freshly allocated std::vector.
#include <benchmark/benchmark.h>

#include <vector>

#include <nabla/nabla.h>

namespace {

void BM_AddEightElements(benchmark::State& state) {
  nabla::Tensor a = nabla::ones({8}), b = nabla::ones({8});
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
}

void BM_AddEightElementsBroadcastScalar(benchmark::State& state) {
  nabla::Tensor a = nabla::ones({8}), b = nabla::ones({});
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
}

void BM_ReluEightElements(benchmark::State& state) {
  nabla::Tensor a = nabla::ones({8});
  for (auto _ : state) benchmark::DoNotOptimize(a.relu());
}

void BM_SumEightElements(benchmark::State& state) {
  nabla::Tensor a = nabla::ones({8});
  for (auto _ : state) benchmark::DoNotOptimize(a.sum());
}

void BM_ReferenceVectorAdd(benchmark::State& state) {
  std::vector<float> a(8, 1.0f), b(8, 1.0f);
  for (auto _ : state) {
    std::vector<float> c(8);
    for (int i = 0; i < 8; ++i) c[i] = a[i] + b[i];
    benchmark::DoNotOptimize(c.data());
  }
}

BENCHMARK(BM_AddEightElements);
BENCHMARK(BM_AddEightElementsBroadcastScalar);
BENCHMARK(BM_ReluEightElements);
BENCHMARK(BM_SumEightElements);
BENCHMARK(BM_ReferenceVectorAdd);

}  // namespace

BENCHMARK_MAIN();

// GEMM throughput at the MNIST MLP's shapes and a large square one, in GFLOP/s: nabla::matmul
// beside a direct dnnl_sgemm call on one thread and on all threads, as the reference.
#include <benchmark/benchmark.h>
#include <dnnl.h>
#include <omp.h>

#include <nabla/nabla.h>

namespace {

// {M, K, N, transpose_a, transpose_b}: the forward product x @ W^T, and the two backward products.
struct GemmShape {
  int64_t m, k, n;
  bool transpose_a, transpose_b;
};

GemmShape shape_of(const benchmark::State& state) {
  return {state.range(0), state.range(1), state.range(2), state.range(3) != 0, state.range(4) != 0};
}

void set_flops(benchmark::State& state, const GemmShape& s) {
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * static_cast<double>(s.m * s.n * s.k) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

void BM_NablaMatmul(benchmark::State& state) {
  const GemmShape s = shape_of(state);
  nabla::manual_seed(0);
  nabla::Tensor a = s.transpose_a ? nabla::randn({s.k, s.m}).t() : nabla::randn({s.m, s.k});
  nabla::Tensor b = s.transpose_b ? nabla::randn({s.n, s.k}).t() : nabla::randn({s.k, s.n});
  for (auto _ : state) benchmark::DoNotOptimize(nabla::matmul(a, b));
  set_flops(state, s);
}

void raw_sgemm(benchmark::State& state, int threads) {
  const GemmShape s = shape_of(state);
  std::vector<float> a(s.m * s.k, 0.5f), b(s.k * s.n, 0.25f), c(s.m * s.n);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  for (auto _ : state) {
    dnnl_sgemm(s.transpose_a ? 'T' : 'N', s.transpose_b ? 'T' : 'N', s.m, s.n, s.k, 1.0f, a.data(),
               s.transpose_a ? s.m : s.k, b.data(), s.transpose_b ? s.k : s.n, 0.0f, c.data(), s.n);
    benchmark::DoNotOptimize(c.data());
  }
  omp_set_num_threads(saved);
  set_flops(state, s);
}

void BM_DnnlSgemmOneThread(benchmark::State& state) {
  raw_sgemm(state, 1);
}
void BM_DnnlSgemmAllThreads(benchmark::State& state) {
  raw_sgemm(state, omp_get_max_threads());
}

void shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "K", "N", "tA", "tB"});
  b->Args({64, 784, 128, 0, 1});   // forward: x [64, 784] @ W^T, W [128, 784]
  b->Args({128, 64, 784, 1, 0});   // weight grad: grad^T [128, 64] @ x [64, 784]
  b->Args({64, 128, 784, 0, 0});   // input grad: grad [64, 128] @ W [128, 784]
  b->Args({64, 128, 10, 0, 1});    // second layer forward: h [64, 128] @ W2^T, W2 [10, 128]
  b->Args({10, 64, 128, 1, 0});    // second layer weight grad
  b->Args({64, 10, 128, 0, 0});    // second layer input grad
  b->Args({256, 784, 128, 0, 1});  // forward at batch 256
  b->Args({128, 256, 256, 0, 0});  // in between: 8M multiply-adds
  b->Args({256, 256, 256, 0, 0});  // 16M
  b->Args({512, 512, 512, 0, 0});
  b->Args({2048, 2048, 2048, 0, 0});
}

BENCHMARK(BM_NablaMatmul)->Apply(shapes);
BENCHMARK(BM_DnnlSgemmOneThread)->Apply(shapes);
BENCHMARK(BM_DnnlSgemmAllThreads)->Apply(shapes);

}  // namespace

BENCHMARK_MAIN();

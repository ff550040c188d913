// The machine's float32 GEMM peak, the roof over the training benchmarks: a 2048^3 product
// through nabla's matmul (oneDNN's sgemm) on every CPU this process may use, best of 10, as one
// JSON line {"sgemm_gflops": ..., "threads": ...}. The comparison script divides each run's
// FLOP/s by it. Built only with NABLA_COMPARE_LIBTORCH, never by the tests.
#include <sched.h>

#include <nabla/nabla.h>

#include <algorithm>
#include <chrono>
#include <iostream>

int main() {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  const int threads = sched_getaffinity(0, sizeof(cpus), &cpus) == 0 ? CPU_COUNT(&cpus) : 1;
  nabla::set_num_threads(threads);  // the roof of the machine, not of its current load
  constexpr int64_t n = 2048;
  const nabla::Tensor a = nabla::randn({n, n}), b = nabla::randn({n, n});
  double best = 1e300;
  for (int i = 0; i < 11; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const nabla::Tensor c = nabla::matmul(a, b);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (i > 0) best = std::min(best, seconds);  // the first call creates oneDNN's kernels
  }
  std::cout << "{\"sgemm_gflops\":" << 2.0 * n * n * n / best * 1e-9 << ",\"threads\":" << threads
            << "}" << std::endl;
  return 0;
}

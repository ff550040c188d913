// GPU benchmarks: memory bandwidth of elementwise ops and reductions, GEMM throughput (TF32 off and
// on), softmax, and training steps of mnist_mlp's MLP, each the median of several timed runs
// between synchronizations. A plain program (no Google Benchmark) so that it builds on a GPU
// machine with nothing but the CUDA toolkit; scripts/gpu_check.sh runs it. Prints one line per
// figure: name, value, unit. Without a usable GPU it says so and exits 0.
#include <nabla/nabla.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace {

using namespace nabla;

// Median seconds per call of `body` over `runs` timed runs of `calls` calls each, after a warm-up.
double median_seconds(int runs, int calls, const std::function<void()>& body) {
  body();
  cuda::synchronize();
  std::vector<double> samples;
  for (int r = 0; r < runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (int c = 0; c < calls; ++c) body();
    cuda::synchronize();
    samples.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / calls);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

void report(const std::string& name, double value, const char* unit) {
  std::printf("%-44s %12.2f %s\n", name.c_str(), value, unit);
  std::fflush(stdout);
}

void bench_bandwidth(Device gpu) {
  const int64_t n = int64_t{1} << 24;  // 64 MiB per float32 tensor
  const Tensor a = randn({n}, TensorOptions().device(gpu));
  const Tensor b = randn({n}, TensorOptions().device(gpu));
  const double bytes = static_cast<double>(n) * 4;
  double s = median_seconds(5, 20, [&] { (void)(a + b); });
  report("add f32 16M (read 2, write 1)", 3 * bytes / s / 1e9, "GB/s");
  s = median_seconds(5, 20, [&] { (void)(a * 0.5); });
  report("mul by scalar f32 16M", 2 * bytes / s / 1e9, "GB/s");
  const Tensor at = a.reshape({4096, 4096}).t();
  s = median_seconds(5, 20, [&] { (void)at.contiguous(); });
  report("transpose copy f32 4096x4096", 2 * bytes / s / 1e9, "GB/s");
  s = median_seconds(5, 20, [&] { (void)a.sum(); });
  report("sum f32 16M (cub::DeviceReduce)", bytes / s / 1e9, "GB/s");
  const Tensor rows = a.reshape({4096, 4096});
  s = median_seconds(5, 20, [&] { (void)rows.sum({1}); });
  report("sum over rows f32 4096x4096 (segmented)", bytes / s / 1e9, "GB/s");
  s = median_seconds(5, 20, [&] { (void)rows.sum({0}); });
  report("sum over columns f32 4096x4096", bytes / s / 1e9, "GB/s");
  s = median_seconds(5, 20, [&] { (void)rows.softmax(1); });
  report("softmax f32 4096x4096 rows", 2 * bytes / s / 1e9, "GB/s");
}

void bench_gemm(Device gpu) {
  for (int64_t size : {1024, 4096}) {
    const Tensor a = randn({size, size}, TensorOptions().device(gpu));
    const Tensor b = randn({size, size}, TensorOptions().device(gpu));
    const double flops = 2.0 * static_cast<double>(size) * size * size;
    for (bool tf32 : {false, true}) {
      cuda::set_allow_tf32(tf32);
      const double s = median_seconds(5, 10, [&] { (void)a.mm(b); });
      report("sgemm " + std::to_string(size) + "^3" + (tf32 ? " TF32" : " FP32"), flops / s / 1e12,
             "TFLOP/s");
    }
    cuda::set_allow_tf32(false);
  }
}

void bench_training(Device gpu) {
  for (int64_t batch : {64, 256}) {
    manual_seed(1);
    nn::Sequential model(nn::Flatten(), nn::Linear(784, 128), nn::ReLU(), nn::Dropout(0.2),
                         nn::Linear(128, 10));
    model->to(gpu);
    optim::Adam optimizer(model->parameters(), optim::AdamOptions(1e-3));
    const Tensor images = rand({batch, 1, 28, 28}, TensorOptions().device(gpu));
    const Tensor labels = (rand({batch}, TensorOptions().device(gpu)) * 9.99).to(kInt64);
    auto step = [&] {
      const Tensor loss = nn::functional::cross_entropy(model(images), labels);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
    };
    for (int i = 0; i < 20; ++i) step();
    cuda::synchronize();
    const size_t reserved_before = cuda::memory_stats().reserved_bytes;
    const double s = median_seconds(5, 100, step);
    const size_t reserved_after = cuda::memory_stats().reserved_bytes;
    const std::string name = "MLP training step, batch " + std::to_string(batch);
    report(name, s * 1e6, "us/step");
    report(name + " (samples)", static_cast<double>(batch) / s, "samples/s");
    report(name + " (60000-image epoch)", 60000.0 / static_cast<double>(batch) * s * 1e3, "ms");
    report(name + " (pool growth once warm)",
           static_cast<double>(reserved_after) - static_cast<double>(reserved_before), "bytes");
  }
  report("peak device memory allocated",
         static_cast<double>(cuda::memory_stats().peak_allocated_bytes) / (1 << 20), "MiB");
}

}  // namespace

int main() {
  if (!cuda::is_available()) {
    std::printf("bench_cuda: no usable CUDA device (built with CUDA: %s); nothing to measure\n",
                cuda::is_built() ? "yes" : "no");
    return 0;
  }
  const Device gpu(kCUDA, 0);
  std::printf("bench_cuda on %s\n", cuda::device_name(0).c_str());
  try {
    bench_bandwidth(gpu);
    bench_gemm(gpu);
    bench_training(gpu);
  } catch (const Error& e) {
    std::fprintf(stderr, "bench_cuda: %s\n", e.what());
    return 1;
  }
  return 0;
}

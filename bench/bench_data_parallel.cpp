// DistributedDataParallel's cost and how much of it backward hides. Run under mpirun, one thread
// per rank: OMP_NUM_THREADS=1 mpirun -np 2 build/bench/bench_data_parallel
// For mnist_mlp's MLP and mnist_cnn's CNN at a local batch of 32, the median of 50 steps of:
//   - backward alone, under no_sync() (no communication);
//   - backward with the gradients averaged (what training runs);
//   - the same buckets averaged with nothing else running (the communication alone).
// The hidden share is 1 - (averaged - alone) / communication: 1 when backward hides all of it.
#include <nabla/distributed/data_parallel.h>
#include <nabla/nabla.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

namespace {

using namespace nabla;
using Clock = std::chrono::steady_clock;

double median_us(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2] * 1e6;
}

double seconds_of(const std::function<void()>& fn) {
  distributed::barrier();
  const auto start = Clock::now();
  fn();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void measure(const char* name, nn::Sequential model, Shape input, double bucket_cap_mb) {
  nn::parallel::DistributedDataParallel ddp(
      model, nn::parallel::DistributedDataParallelOptions().bucket_cap_mb(bucket_cap_mb));
  const Tensor x = randn(input), y = randint(0, 10, {input[0]});
  std::vector<double> alone, averaged, communication;
  for (int step = 0; step < 60; ++step) {
    model->zero_grad();
    Tensor loss = nn::functional::cross_entropy(model(x), y);
    const double t_alone = seconds_of([&] {
      auto guard = ddp.no_sync();
      loss.backward();
    });
    model->zero_grad();
    loss = nn::functional::cross_entropy(model(x), y);
    const double t_averaged = seconds_of([&] { loss.backward(); });
    std::vector<Tensor> grads;
    for (const Tensor& p : model->parameters()) grads.push_back(p.grad().reshape({-1}));
    Tensor flat = cat(grads, 0);
    const double t_comm =
        seconds_of([&] { distributed::all_reduce(flat, distributed::ReduceOp::Average); });
    if (step >= 10) {  // warm-up
      alone.push_back(t_alone);
      averaged.push_back(t_averaged);
      communication.push_back(t_comm);
    }
  }
  int64_t parameters = 0;
  for (const Tensor& p : model->parameters()) parameters += p.numel();
  const double a = median_us(alone), b = median_us(averaged), c = median_us(communication);
  if (distributed::rank() == 0) {
    std::printf(
        "%-12s %5.2f MB of gradients, %2.0f MB buckets (%zu): backward %6.0f us, with averaging "
        "%6.0f us, averaging alone %6.0f us: %3.0f%% hidden\n",
        name, static_cast<double>(parameters) * 4 / 1e6, bucket_cap_mb, ddp.bucket_count(), a, b, c,
        100 * std::clamp(1 - (b - a) / c, 0.0, 1.0));
  }
}

}  // namespace

int main() {
  distributed::init();
  manual_seed(1);
  for (double cap : {25.0, 1.0}) {
    measure("mnist_mlp",
            nn::Sequential(nn::Flatten(), nn::Linear(784, 128), nn::ReLU(), nn::Linear(128, 10)),
            {32, 784}, cap);
    measure("mnist_cnn",
            nn::Sequential(nn::Conv2d(1, 32, 3), nn::ReLU(), nn::Conv2d(32, 64, 3), nn::ReLU(),
                           nn::MaxPool2d(2), nn::Flatten(), nn::Linear(9216, 128), nn::ReLU(),
                           nn::Linear(128, 10)),
            {32, 1, 28, 28}, cap);
  }
  return 0;
}

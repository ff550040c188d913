// Inference on one module shared by several threads, as a server answering requests in parallel
// does: each thread must get exactly the result of a serial run. Under ThreadSanitizer
// (scripts/sanitize.sh) this also checks that a forward pass under NoGradGuard writes nothing the
// threads share.
#include <gtest/gtest.h>

#include <functional>
#include <thread>
#include <vector>

#include <nabla/nabla.h>

namespace nabla {
namespace {

constexpr int kThreads = 4;
constexpr int kCallsPerThread = 8;

// Runs `forward` kCallsPerThread times on each of kThreads threads, each under its own NoGradGuard
// (grad mode is per thread), and expects every result to equal `expected` bit for bit.
void expect_every_thread_gets(const std::function<Tensor()>& forward, const Tensor& expected) {
  std::vector<std::vector<Tensor>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&forward, &results, t] {
      NoGradGuard no_grad;
      for (int call = 0; call < kCallsPerThread; ++call) results[t].push_back(forward());
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::vector<float> serial = expected.to_vector<float>();
  for (int t = 0; t < kThreads; ++t) {
    for (int call = 0; call < kCallsPerThread; ++call) {
      const Tensor& result = results[t][call];
      EXPECT_FALSE(result.requires_grad()) << "thread " << t << ", call " << call;
      EXPECT_EQ(result.sizes(), expected.sizes()) << "thread " << t << ", call " << call;
      EXPECT_EQ(result.to_vector<float>(), serial) << "thread " << t << ", call " << call;
    }
  }
}

TEST(SharedInference, OneLinearGivesEveryThreadTheSerialResult) {
  manual_seed(0);
  nn::Linear linear(16, 8);
  const Tensor input = randn({32, 16});
  Tensor serial;
  {
    NoGradGuard no_grad;
    serial = linear(input);
  }
  expect_every_thread_gets([&] { return linear(input); }, serial);
}

// Elementwise ops, a reduction (softmax) and GEMMs of several shapes, all on shared weights.
TEST(SharedInference, AnMlpGivesEveryThreadTheSerialResult) {
  manual_seed(1);
  nn::Sequential model(nn::Linear(20, 64), nn::ReLU(), nn::Linear(64, 10), nn::Softmax(1));
  model->eval();
  const Tensor input = randn({50, 20});
  Tensor serial;
  {
    NoGradGuard no_grad;
    serial = model(input);
  }
  expect_every_thread_gets([&] { return model(input); }, serial);
}

}  // namespace
}  // namespace nabla

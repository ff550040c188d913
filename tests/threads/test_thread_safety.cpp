// nabla used from several threads at once, as a hyper-parameter sweep does: separate models trained
// in separate threads give exactly what a serial run gives; grad mode is per thread and the
// generator and the allocator are shared safely (shared inference: test_shared_inference.cpp).
// These run under ThreadSanitizer in CI.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include <nabla/nabla.h>

namespace nabla {
namespace {

constexpr int kThreads = 4;

// Runs fn(i) for i in [0, kThreads) on kThreads threads at once and waits for all of them.
template <typename Fn>
void run_in_threads(Fn fn) {
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back(fn, i);
  for (std::thread& t : threads) t.join();
}

nn::Sequential make_model() {
  return nn::Sequential(nn::Linear(8, 16), nn::ReLU(), nn::Linear(16, 3));
}

// Trains `model` for a few steps of Adam on data that depends only on `task`, so that every run
// of a task does the same arithmetic. No generator is used while training.
void train(nn::Sequential& model, int task) {
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(1e-2));
  const Tensor inputs = (arange(8 * 32, kFloat32).reshape({32, 8}) * (0.01 * (task + 1))).sin();
  const Tensor targets = arange(32, kInt64).remainder(3);
  nn::CrossEntropyLoss criterion;
  for (int step = 0; step < 30; ++step) {
    optimizer.zero_grad();
    criterion(model(inputs), targets).backward();
    optimizer.step();
  }
}

std::vector<Tensor> weights(const nn::Sequential& model) {
  std::vector<Tensor> copies;
  for (const Tensor& p : model->parameters()) copies.push_back(p.detach().clone());
  return copies;
}

TEST(ThreadSafety, SeparateModelsTrainedInThreadsMatchASerialRun) {
  // Models are made (and initialized from the shared generator) here, one after another, so that
  // both runs start from the same weights whatever order the threads run in.
  manual_seed(3);
  std::vector<nn::Sequential> serial, threaded;
  for (int i = 0; i < kThreads; ++i) serial.push_back(make_model());
  for (int i = 0; i < kThreads; ++i) {
    threaded.push_back(make_model());
    for (size_t p = 0; p < serial[i]->parameters().size(); ++p) {
      NoGradGuard no_grad;
      threaded[i]->parameters()[p].copy_(serial[i]->parameters()[p]);
    }
  }
  for (int i = 0; i < kThreads; ++i) train(serial[i], i);
  run_in_threads([&](int i) { train(threaded[i], i); });
  for (int i = 0; i < kThreads; ++i) {
    const std::vector<Tensor> expected = weights(serial[i]), got = weights(threaded[i]);
    for (size_t p = 0; p < expected.size(); ++p) {
      EXPECT_TRUE(got[p].equal(expected[p])) << "model " << i << ", parameter " << p;
    }
  }
}

TEST(ThreadSafety, GradModeIsPerThread) {
  const Tensor w = ones({2}).requires_grad_();
  std::atomic<int> stage{0};
  bool other_thread_records = false;
  std::thread other([&] {
    while (stage.load() != 1) std::this_thread::yield();  // until the main thread disabled grad
    other_thread_records = (w * 2).requires_grad();
    stage = 2;
  });
  {
    NoGradGuard no_grad;
    stage = 1;
    while (stage.load() != 2) std::this_thread::yield();
    EXPECT_FALSE((w * 2).requires_grad());
  }
  other.join();
  EXPECT_TRUE(other_thread_records);
  EXPECT_TRUE((w * 2).requires_grad());
}

TEST(ThreadSafety, TheSharedGeneratorGivesEachDrawItsOwnStream) {
  // Every random op takes the next call number under the generator's lock, so draws from many
  // threads are exactly the serial draws, in some order: none repeated, none lost.
  constexpr int kDraws = 16;
  manual_seed(11);
  std::vector<std::vector<float>> serial;
  for (int i = 0; i < kThreads * kDraws; ++i) serial.push_back(randn({4}).to_vector<float>());
  manual_seed(11);
  std::vector<std::vector<float>> threaded(kThreads * kDraws);
  run_in_threads([&](int t) {
    for (int i = 0; i < kDraws; ++i) threaded[t * kDraws + i] = randn({4}).to_vector<float>();
  });
  std::sort(serial.begin(), serial.end());
  std::sort(threaded.begin(), threaded.end());
  EXPECT_EQ(threaded, serial);
}

TEST(ThreadSafety, TheCachingAllocatorHandsEachBlockToOneTensor) {
  // Threads allocate and free tensors of overlapping size classes, each filled with its own value;
  // a block handed to two tensors at once would show another thread's value.
  std::atomic<int> corrupted{0};
  run_in_threads([&](int t) {
    for (int round = 0; round < 200; ++round) {
      std::vector<Tensor> live;
      for (int64_t size : {16, 100, 1000, 5000}) live.push_back(full({size}, t, kInt64));
      for (const Tensor& x : live) {
        if (!(x == t).all().item<bool>()) ++corrupted;
      }
    }
  });
  EXPECT_EQ(corrupted.load(), 0);
}

}  // namespace
}  // namespace nabla

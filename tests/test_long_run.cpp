// Long training runs keep their memory flat: after a warm-up, 20,000 more steps of a small model
// (forward, backward, Adam, dropout) must not grow the process's resident memory by a megabyte,
// and the CPU caching allocator must neither reserve nor call the system allocator again.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include <nabla/nabla.h>

namespace nabla {
namespace {

constexpr int kWarmUpSteps = 500;
constexpr int kSteps = 20000;

// Resident set size in bytes, from /proc/self/statm (its second field, in pages).
size_t resident_bytes() {
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return 0;
  unsigned long pages = 0, resident = 0;
  const int read = std::fscanf(statm, "%lu %lu", &pages, &resident);
  std::fclose(statm);
  return read == 2 ? resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

class SmallTraining {
 public:
  SmallTraining()
      : model_(nn::Linear(16, 32), nn::ReLU(), nn::Dropout(0.1), nn::Linear(32, 4)),
        optimizer_(model_->parameters(), optim::AdamOptions(1e-3)),
        inputs_(randn({8, 16})),
        targets_(arange(8, kInt64).remainder(4)) {}

  void steps(int count) {
    for (int i = 0; i < count; ++i) {
      optimizer_.zero_grad();
      const Tensor loss = criterion_(model_(inputs_), targets_);
      loss.backward();
      optimizer_.step();
      last_loss_ = loss.item<float>();
    }
  }
  float last_loss() const { return last_loss_; }

 private:
  nn::Sequential model_;
  optim::Adam optimizer_;
  nn::CrossEntropyLoss criterion_;
  Tensor inputs_, targets_;
  float last_loss_ = 0;
};

TEST(LongRun, TheAllocatorsStatisticsStayFlatOver20000Steps) {
  manual_seed(5);
  SmallTraining training;
  training.steps(kWarmUpSteps);
  const AllocatorStats before = cpu_allocator().stats();
  training.steps(kSteps);
  const AllocatorStats after = cpu_allocator().stats();
  EXPECT_EQ(after.allocated_bytes, before.allocated_bytes);
  EXPECT_EQ(after.reserved_bytes, before.reserved_bytes);
  EXPECT_EQ(after.peak_allocated_bytes, before.peak_allocated_bytes);
  EXPECT_EQ(after.system_allocations, before.system_allocations);
  EXPECT_TRUE(std::isfinite(training.last_loss()));
}

TEST(LongRun, ResidentMemoryGrowsLessThanAMegabyteOver20000Steps) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "sanitizers keep freed memory in quarantine, so resident memory grows anyway";
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  GTEST_SKIP() << "sanitizers keep freed memory in quarantine, so resident memory grows anyway";
#endif
#endif
  ASSERT_GT(resident_bytes(), 0u) << "cannot read /proc/self/statm";
  manual_seed(6);
  SmallTraining training;
  training.steps(kWarmUpSteps);
  const size_t before = resident_bytes();
  training.steps(kSteps);
  const size_t after = resident_bytes();
  EXPECT_LT(after, before + (size_t{1} << 20))
      << "resident memory grew from " << before << " to " << after << " bytes";
}

}  // namespace
}  // namespace nabla

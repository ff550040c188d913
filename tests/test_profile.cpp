// nabla::profile: kernels and allocations counted by category while enabled, nothing while not.
#include <gtest/gtest.h>

#include <nabla/nabla.h>

namespace nabla {
namespace {

int64_t calls(const profile::Totals& t, profile::Category c) {
  return t.calls[static_cast<int>(c)];
}

TEST(Profile, CountsEachKernelByCategoryOnlyWhileEnabled) {
  const Tensor a = randn({32, 16}), b = randn({16, 8});
  profile::reset();
  (void)matmul(a, b);  // not enabled: not counted
  EXPECT_EQ(calls(profile::totals(), profile::Category::Gemm), 0);

  profile::enable(true);
  const Tensor c = matmul(a, b).relu().sum();
  profile::enable(false);
  const profile::Totals t = profile::totals();
  EXPECT_EQ(calls(t, profile::Category::Gemm), 1);
  EXPECT_EQ(calls(t, profile::Category::Elementwise), 1);  // relu
  EXPECT_EQ(calls(t, profile::Category::Reduction), 1);    // sum
  EXPECT_EQ(calls(t, profile::Category::Optimizer), 0);
  EXPECT_GE(calls(t, profile::Category::Allocation), 3);  // three outputs
  EXPECT_GT(t.seconds[static_cast<int>(profile::Category::Gemm)], 0.0);
  EXPECT_STREQ(profile::name(profile::Category::Gemm), "GEMM");
  EXPECT_STREQ(profile::name(profile::Category::Allocation), "allocation");

  // A tensor allocated while profiling is freed correctly after it stops, and reset clears.
  profile::reset();
  EXPECT_EQ(calls(profile::totals(), profile::Category::Gemm), 0);
  EXPECT_FLOAT_EQ(c.item<float>(), matmul(a, b).relu().sum().item<float>());
}

TEST(Profile, InnerScopesAreNotCountedTwice) {
  profile::reset();
  {
    const profile::Scope outer(profile::Category::Convolution);
    const profile::Scope inner(profile::Category::Allocation);
    volatile double sink = 0;
    for (int i = 0; i < 100000; ++i) sink = sink + i;  // time spent in the inner scope only
  }
  const profile::Totals t = profile::totals();
  const double outer = t.seconds[static_cast<int>(profile::Category::Convolution)];
  const double inner = t.seconds[static_cast<int>(profile::Category::Allocation)];
  EXPECT_GT(inner, 0.0);
  EXPECT_LT(outer, inner);  // the outer scope's own time is the few instructions around it
}

}  // namespace
}  // namespace nabla

// Unit tests of the shared host/device math in core/math/, called directly on host values.
#include "test_helpers.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include <nabla/core/math/binary.h>
#include <nabla/core/math/convert.h>
#include <nabla/core/math/optim.h>
#include <nabla/core/math/philox.h>
#include <nabla/core/math/reduce.h>
#include <nabla/core/math/unary.h>

namespace nabla {
namespace {

using testing::kInf;
using testing::kInfF;
using testing::kNan;
using testing::kNanF;

// Central finite difference of a scalar function in double precision.
template <typename F>
double central_difference(F f, double x, double h = 1e-6) {
  return (f(x + h) - f(x - h)) / (2 * h);
}

// --- unary
// -----------------------------------------------------------------------------------------

TEST(MathUnary, NegFlipsSignForEveryType) {
  EXPECT_EQ(math::Neg{}(2.5f), -2.5f);
  EXPECT_EQ(math::Neg{}(-0.25), 0.25);
  EXPECT_EQ(math::Neg{}(int64_t{7}), int64_t{-7});
  EXPECT_EQ(math::Neg{}(uint8_t{1}), uint8_t{255});  // wraps like a C++ unsigned integer
  EXPECT_TRUE(std::isnan(math::Neg{}(kNan)));
}

TEST(MathUnary, ExpMatchesKnownValues) {
  EXPECT_EQ(math::Exp{}(0.0f), 1.0f);
  EXPECT_NEAR(math::Exp{}(1.0), 2.718281828459045, 1e-15);
  EXPECT_NEAR(math::Exp{}(-1.0f), 0.36787944f, 1e-7);
  EXPECT_EQ(math::Exp{}(-kInf), 0.0);
  EXPECT_EQ(math::Exp{}(1000.0f), kInfF);
}

TEST(MathUnary, LogMatchesKnownValuesAndEdges) {
  EXPECT_EQ(math::Log{}(1.0f), 0.0f);
  EXPECT_NEAR(math::Log{}(7.38905609893065), 2.0, 1e-14);  // e^2
  EXPECT_NEAR(math::Log{}(10.0f), 2.3025851f, 1e-6);
  EXPECT_EQ(math::Log{}(0.0), -kInf);
  EXPECT_TRUE(std::isnan(math::Log{}(-1.0f)));
}

TEST(MathUnary, SqrtMatchesKnownValues) {
  EXPECT_EQ(math::Sqrt{}(4.0f), 2.0f);
  EXPECT_EQ(math::Sqrt{}(2.25), 1.5);
  EXPECT_NEAR(math::Sqrt{}(2.0), 1.4142135623730951, 1e-15);
  EXPECT_EQ(math::Sqrt{}(0.0f), 0.0f);
  EXPECT_TRUE(std::isnan(math::Sqrt{}(-1.0)));
}

TEST(MathUnary, AbsForFloatsAndIntegers) {
  EXPECT_EQ(math::Abs{}(-3.5f), 3.5f);
  EXPECT_EQ(math::Abs{}(2.0), 2.0);
  EXPECT_EQ(math::Abs{}(int64_t{-4}), int64_t{4});
  EXPECT_EQ(math::Abs{}(int64_t{9}), int64_t{9});
  EXPECT_EQ(math::Abs{}(uint8_t{200}), uint8_t{200});
  EXPECT_EQ(math::Abs{}(-kInf), kInf);
  EXPECT_TRUE(std::isnan(math::Abs{}(kNanF)));
}

TEST(MathUnary, AbsOfNegativeZeroIsPositiveZero) {
  EXPECT_EQ(math::Abs{}(-0.0), 0.0);
  EXPECT_FALSE(std::signbit(math::Abs{}(-0.0)));
  EXPECT_FALSE(std::signbit(math::Abs{}(-0.0f)));
}

TEST(MathUnary, ReluZeroesNegativesAndKeepsNan) {
  EXPECT_EQ(math::Relu{}(-0.5f), 0.0f);
  EXPECT_EQ(math::Relu{}(-0.5), 0.0);
  EXPECT_EQ(math::Relu{}(2.0f), 2.0f);
  EXPECT_EQ(math::Relu{}(0.0), 0.0);
  EXPECT_EQ(math::Relu{}(-kInf), 0.0);
  EXPECT_TRUE(std::isnan(math::Relu{}(kNanF)));
  EXPECT_TRUE(std::isnan(math::Relu{}(kNan)));
  EXPECT_EQ(math::Relu{}(int64_t{-3}), int64_t{0});
  EXPECT_EQ(math::Relu{}(int64_t{3}), int64_t{3});
  EXPECT_EQ(math::Relu{}(uint8_t{5}), uint8_t{5});
}

TEST(MathUnary, SigmoidIsHalfAtZeroAndSymmetric) {
  EXPECT_EQ(math::Sigmoid{}(0.0f), 0.5f);
  EXPECT_EQ(math::Sigmoid{}(0.0), 0.5);
  // 1 / (1 + e^-2) = 0.8807970779778823; sigmoid(-2) = 1 - that.
  EXPECT_NEAR(math::Sigmoid{}(2.0), 0.8807970779778823, 1e-15);
  EXPECT_NEAR(math::Sigmoid{}(-2.0), 0.11920292202211755, 1e-15);
  EXPECT_NEAR(math::Sigmoid{}(2.0f), 0.88079708f, 1e-7);
  EXPECT_NEAR(math::Sigmoid{}(-2.0f), 0.11920292f, 1e-7);
}

TEST(MathUnary, SigmoidSaturatesWithoutOverflowOrNan) {
  for (float x : {-1000.0f, -100.0f, 100.0f, 1000.0f, -kInfF, kInfF}) {
    EXPECT_FALSE(std::isnan(math::Sigmoid{}(x))) << x;
  }
  EXPECT_EQ(math::Sigmoid{}(-1000.0f), 0.0f);
  EXPECT_EQ(math::Sigmoid{}(1000.0f), 1.0f);
  EXPECT_EQ(math::Sigmoid{}(-1000.0), 0.0);
  EXPECT_EQ(math::Sigmoid{}(1000.0), 1.0);
  EXPECT_EQ(math::Sigmoid{}(-kInf), 0.0);
  EXPECT_EQ(math::Sigmoid{}(kInf), 1.0);
  // Far in the negative tail the value is tiny but not flushed to zero: e^-50 / (1 + e^-50).
  EXPECT_NEAR(math::Sigmoid{}(-50.0), 1.9287498479639178e-22, 1e-35);
  EXPECT_TRUE(std::isnan(math::Sigmoid{}(kNan)));
}

TEST(MathUnary, TanhMatchesKnownValues) {
  EXPECT_EQ(math::Tanh{}(0.0f), 0.0f);
  EXPECT_NEAR(math::Tanh{}(0.5), 0.46211715726000974, 1e-15);
  EXPECT_NEAR(math::Tanh{}(-1.0f), -0.76159416f, 1e-7);
  EXPECT_EQ(math::Tanh{}(100.0), 1.0);
  EXPECT_EQ(math::Tanh{}(-100.0f), -1.0f);
}

TEST(MathUnary, PowScalarCommonAndGeneralExponents) {
  EXPECT_EQ(math::PowScalar<float>{2.0f}(3.0f), 9.0f);
  EXPECT_EQ(math::PowScalar<double>{2.0}(-1.5), 2.25);
  EXPECT_EQ(math::PowScalar<double>{0.5}(9.0), 3.0);
  EXPECT_EQ(math::PowScalar<float>{0.5f}(2.25f), 1.5f);
  EXPECT_EQ(math::PowScalar<double>{-1.0}(4.0), 0.25);
  EXPECT_EQ(math::PowScalar<float>{-1.0f}(0.0f), kInfF);
  EXPECT_EQ(math::PowScalar<float>{3.0f}(2.0f), 8.0f);
  EXPECT_EQ(math::PowScalar<double>{3.0}(-2.0), -8.0);
  EXPECT_EQ(math::PowScalar<double>{1.0}(-7.25), -7.25);
  EXPECT_EQ(math::PowScalar<double>{0.0}(5.0), 1.0);
  EXPECT_EQ(math::PowScalar<double>{2.5}(4.0), 32.0);
  EXPECT_TRUE(std::isnan(math::PowScalar<double>{0.5}(-4.0)));
}

TEST(MathUnary, PowIntegerBySquaring) {
  EXPECT_EQ(math::PowInteger{0}(int64_t{5}), int64_t{1});
  EXPECT_EQ(math::PowInteger{0}(int64_t{0}), int64_t{1});  // 0 ** 0 = 1, as in PyTorch
  EXPECT_EQ(math::PowInteger{1}(int64_t{5}), int64_t{5});
  EXPECT_EQ(math::PowInteger{2}(int64_t{-3}), int64_t{9});
  EXPECT_EQ(math::PowInteger{3}(int64_t{-2}), int64_t{-8});
  EXPECT_EQ(math::PowInteger{10}(int64_t{2}), int64_t{1024});
  EXPECT_EQ(math::PowInteger{13}(int64_t{3}), int64_t{1594323});
  EXPECT_EQ(math::PowInteger{2}(uint8_t{20}), uint8_t{144});  // 400 mod 256
  // Overflow wraps modulo 2^64 as in PyTorch: 3^41 = 36472996377170786403, which is
  // 18026252303461234787 mod 2^64, which as int64 is 18026252303461234787 - 2^64.
  EXPECT_EQ(math::PowInteger{41}(int64_t{3}), int64_t{-420491770248316829});
}

TEST(MathUnary, ClampBoundsValues) {
  math::Clamp<float> unit{-1.0f, 1.0f};
  EXPECT_EQ(unit(2.0f), 1.0f);
  EXPECT_EQ(unit(-3.0f), -1.0f);
  EXPECT_EQ(unit(0.5f), 0.5f);
  EXPECT_EQ(unit(kInfF), 1.0f);
  EXPECT_EQ(unit(-kInfF), -1.0f);
  math::Clamp<int64_t> ints{0, 10};
  EXPECT_EQ(ints(int64_t{-5}), int64_t{0});
  EXPECT_EQ(ints(int64_t{15}), int64_t{10});
  EXPECT_EQ(ints(int64_t{7}), int64_t{7});
  math::Clamp<double> only_min{0.0, kInf};
  EXPECT_EQ(only_min(-2.0), 0.0);
  EXPECT_EQ(only_min(1e300), 1e300);
}

TEST(MathUnary, ClampWithLoAboveHiGivesHi) {
  math::Clamp<double> inverted{2.0, 1.0};
  EXPECT_EQ(inverted(0.0), 1.0);
  EXPECT_EQ(inverted(1.5), 1.0);
  EXPECT_EQ(inverted(5.0), 1.0);
  math::Clamp<int64_t> inverted_int{5, 3};
  EXPECT_EQ(inverted_int(int64_t{4}), int64_t{3});
}

TEST(MathUnary, ClampKeepsNan) {
  EXPECT_TRUE(std::isnan(math::Clamp<float>{-1.0f, 1.0f}(kNanF)));
  EXPECT_TRUE(std::isnan(math::Clamp<double>{0.0, 0.0}(kNan)));
}

// --- binary
// ----------------------------------------------------------------------------------------

TEST(MathBinary, ArithmeticOnFloatsAndIntegers) {
  EXPECT_EQ(math::Add{}(1.5f, 2.25f), 3.75f);
  EXPECT_EQ(math::Add{}(int64_t{-3}, int64_t{5}), int64_t{2});
  EXPECT_EQ(math::Add{}(uint8_t{200}, uint8_t{100}), uint8_t{44});  // 300 mod 256
  EXPECT_EQ(math::Sub{}(1.0, 2.5), -1.5);
  EXPECT_EQ(math::Sub{}(int64_t{3}, int64_t{10}), int64_t{-7});
  EXPECT_EQ(math::Sub{}(uint8_t{3}, uint8_t{4}), uint8_t{255});
  EXPECT_EQ(math::Mul{}(-2.0f, 3.5f), -7.0f);
  EXPECT_EQ(math::Mul{}(int64_t{6}, int64_t{-7}), int64_t{-42});
  EXPECT_EQ(math::Mul{}(uint8_t{16}, uint8_t{17}), uint8_t{16});  // 272 mod 256
  EXPECT_EQ(math::Div{}(7.0, 2.0), 3.5);
  EXPECT_EQ(math::Div{}(1.0f, 4.0f), 0.25f);
  EXPECT_EQ(math::Div{}(1.0, 0.0), kInf);
  EXPECT_EQ(math::Div{}(-1.0f, 0.0f), -kInfF);
  EXPECT_TRUE(std::isnan(math::Div{}(0.0, 0.0)));
}

TEST(MathBinary, BoolAddIsOrAndMulIsAnd) {
  EXPECT_TRUE(math::Add{}(true, true));
  EXPECT_TRUE(math::Add{}(true, false));
  EXPECT_FALSE(math::Add{}(false, false));
  EXPECT_TRUE(math::Mul{}(true, true));
  EXPECT_FALSE(math::Mul{}(true, false));
  EXPECT_FALSE(math::Mul{}(false, false));
}

TEST(MathBinary, MaximumAndMinimumPickTheRightOperand) {
  EXPECT_EQ(math::Maximum{}(2.0f, 3.0f), 3.0f);
  EXPECT_EQ(math::Maximum{}(-1.0, -4.0), -1.0);
  EXPECT_EQ(math::Maximum{}(int64_t{-2}, int64_t{5}), int64_t{5});
  EXPECT_EQ(math::Minimum{}(2.0f, 3.0f), 2.0f);
  EXPECT_EQ(math::Minimum{}(-1.0, -4.0), -4.0);
  EXPECT_EQ(math::Minimum{}(int64_t{-2}, int64_t{5}), int64_t{-2});
  EXPECT_EQ(math::Maximum{}(-kInf, 1.0), 1.0);
  EXPECT_EQ(math::Minimum{}(kInfF, 1.0f), 1.0f);
}

TEST(MathBinary, MaximumAndMinimumPropagateNanFromEitherSide) {
  EXPECT_TRUE(std::isnan(math::Maximum{}(kNan, 1.0)));
  EXPECT_TRUE(std::isnan(math::Maximum{}(1.0, kNan)));
  EXPECT_TRUE(std::isnan(math::Maximum{}(kNanF, kInfF)));
  EXPECT_TRUE(std::isnan(math::Minimum{}(kNan, 1.0)));
  EXPECT_TRUE(std::isnan(math::Minimum{}(1.0f, kNanF)));
  EXPECT_TRUE(std::isnan(math::Minimum{}(-kInf, kNan)));
}

TEST(MathBinary, ComparisonsIncludingNan) {
  EXPECT_TRUE(math::Eq{}(2.0, 2.0));
  EXPECT_FALSE(math::Eq{}(2.0f, 2.5f));
  EXPECT_TRUE(math::Ne{}(int64_t{1}, int64_t{2}));
  EXPECT_FALSE(math::Ne{}(int64_t{3}, int64_t{3}));
  EXPECT_TRUE(math::Lt{}(1.0, 2.0));
  EXPECT_FALSE(math::Lt{}(2.0, 2.0));
  EXPECT_TRUE(math::Le{}(2.0f, 2.0f));
  EXPECT_FALSE(math::Le{}(3.0f, 2.0f));
  EXPECT_TRUE(math::Gt{}(int64_t{3}, int64_t{-3}));
  EXPECT_FALSE(math::Gt{}(int64_t{3}, int64_t{3}));
  EXPECT_TRUE(math::Ge{}(uint8_t{3}, uint8_t{3}));
  EXPECT_FALSE(math::Ge{}(uint8_t{2}, uint8_t{3}));
  // NaN compares unequal to everything, itself included, and is ordered with nothing.
  EXPECT_FALSE(math::Eq{}(kNan, kNan));
  EXPECT_TRUE(math::Ne{}(kNan, kNan));
  EXPECT_FALSE(math::Lt{}(kNanF, 1.0f));
  EXPECT_FALSE(math::Le{}(kNan, 1.0));
  EXPECT_FALSE(math::Gt{}(1.0, kNan));
  EXPECT_FALSE(math::Ge{}(kNanF, kNanF));
}

TEST(MathBinary, ReluBackwardPassesGradientOnlyWherePositive) {
  EXPECT_EQ(math::ReluBackward{}(3.0f, 2.0f), 3.0f);
  EXPECT_EQ(math::ReluBackward{}(3.0, -1.0), 0.0);
  EXPECT_EQ(math::ReluBackward{}(3.0, 0.0), 0.0);  // PyTorch's subgradient at 0 is 0
  EXPECT_EQ(math::ReluBackward{}(-0.5, 1e-30), -0.5);
  // Away from 0 it is grad times the finite-difference slope of relu.
  for (double x : {-2.0, -0.3, 0.4, 5.0}) {
    const double slope = central_difference([](double v) { return math::Relu{}(v); }, x);
    EXPECT_NEAR(math::ReluBackward{}(1.5, x), 1.5 * slope, 1e-8) << x;
  }
}

TEST(MathBinary, SigmoidBackwardIsGradTimesYTimesOneMinusY) {
  // d sigmoid / dx = s (1 - s); at x = 0, s = 0.5 so the slope is 0.25.
  EXPECT_EQ(math::SigmoidBackward{}(2.0, 0.5), 0.5);
  EXPECT_EQ(math::SigmoidBackward{}(1.0f, 0.5f), 0.25f);
  // At x = 2: s = 0.8807970779778823, slope = s (1 - s) = 0.10499358540350652.
  EXPECT_NEAR(math::SigmoidBackward{}(1.0, 0.8807970779778823), 0.10499358540350652, 1e-15);
  for (double x : {-3.0, -0.5, 0.0, 0.7, 4.0}) {
    const double y = math::Sigmoid{}(x);
    const double slope = central_difference([](double v) { return math::Sigmoid{}(v); }, x);
    EXPECT_NEAR(math::SigmoidBackward{}(1.0, y), slope, 1e-9) << x;
    EXPECT_NEAR(math::SigmoidBackward{}(-2.0, y), -2.0 * slope, 2e-9) << x;
  }
}

TEST(MathBinary, TanhBackwardIsGradTimesOneMinusYSquared) {
  EXPECT_EQ(math::TanhBackward{}(3.0, 0.0), 3.0);
  EXPECT_EQ(math::TanhBackward{}(2.0f, 0.5f), 1.5f);  // 2 * (1 - 0.25)
  EXPECT_EQ(math::TanhBackward{}(1.0, 1.0), 0.0);
  for (double x : {-2.0, -0.25, 0.0, 0.6, 1.5}) {
    const double y = math::Tanh{}(x);
    const double slope = central_difference([](double v) { return math::Tanh{}(v); }, x);
    EXPECT_NEAR(math::TanhBackward{}(1.0, y), slope, 1e-9) << x;
    EXPECT_NEAR(math::TanhBackward{}(0.5, y), 0.5 * slope, 1e-9) << x;
  }
}

// --- reductions
// ------------------------------------------------------------------------------------

TEST(MathReduce, IdentitiesAreNeutral) {
  EXPECT_EQ(math::SumReduce::identity<float>(), 0.0f);
  EXPECT_EQ(math::SumReduce::identity<int64_t>(), int64_t{0});
  EXPECT_EQ(math::MaxReduce::identity<float>(), -kInfF);
  EXPECT_EQ(math::MaxReduce::identity<double>(), -kInf);
  EXPECT_EQ(math::MaxReduce::identity<int64_t>(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(math::MaxReduce::identity<uint8_t>(), uint8_t{0});
  EXPECT_FALSE(math::MaxReduce::identity<bool>());
  EXPECT_EQ(math::MinReduce::identity<float>(), kInfF);
  EXPECT_EQ(math::MinReduce::identity<double>(), kInf);
  EXPECT_EQ(math::MinReduce::identity<int64_t>(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(math::MinReduce::identity<uint8_t>(), uint8_t{255});
  EXPECT_TRUE(math::MinReduce::identity<bool>());
  // Combining with the identity returns the other value.
  EXPECT_EQ(math::SumReduce{}(math::SumReduce::identity<double>(), -2.5), -2.5);
  EXPECT_EQ(math::MaxReduce{}(math::MaxReduce::identity<float>(), -1e30f), -1e30f);
  EXPECT_EQ(math::MinReduce{}(math::MinReduce::identity<int64_t>(), int64_t{42}), int64_t{42});
}

TEST(MathReduce, CombinersFoldASequence) {
  const double values[] = {3.0, -1.0, 7.5, 2.0};
  double sum = math::SumReduce::identity<double>();
  double max = math::MaxReduce::identity<double>();
  double min = math::MinReduce::identity<double>();
  for (double v : values) {
    sum = math::SumReduce{}(sum, v);
    max = math::MaxReduce{}(max, v);
    min = math::MinReduce{}(min, v);
  }
  EXPECT_EQ(sum, 11.5);
  EXPECT_EQ(max, 7.5);
  EXPECT_EQ(min, -1.0);
}

TEST(MathReduce, MaxAndMinPropagateNanInEitherPosition) {
  EXPECT_TRUE(std::isnan(math::MaxReduce{}(1.0, kNan)));
  EXPECT_TRUE(std::isnan(math::MaxReduce{}(kNan, 5.0)));
  EXPECT_TRUE(std::isnan(math::MinReduce{}(1.0f, kNanF)));
  EXPECT_TRUE(std::isnan(math::MinReduce{}(kNanF, -5.0f)));
  EXPECT_TRUE(std::isnan(math::SumReduce{}(1.0, kNan)));
  // A NaN in the middle of a sequence survives everything after it.
  float max = math::MaxReduce::identity<float>();
  float min = math::MinReduce::identity<float>();
  for (float v : {1.0f, kNanF, 100.0f, -100.0f}) {
    max = math::MaxReduce{}(max, v);
    min = math::MinReduce{}(min, v);
  }
  EXPECT_TRUE(std::isnan(max));
  EXPECT_TRUE(std::isnan(min));
}

TEST(MathReduce, ArgBetterKeepsTheFirstOfEqualValues) {
  EXPECT_FALSE(math::ArgBetter<true>{}(3.0, 3.0));
  EXPECT_FALSE(math::ArgBetter<false>{}(3.0f, 3.0f));
  EXPECT_FALSE(math::ArgBetter<true>{}(int64_t{2}, int64_t{2}));
  EXPECT_TRUE(math::ArgBetter<true>{}(4.0, 3.0));
  EXPECT_FALSE(math::ArgBetter<true>{}(2.0, 3.0));
  EXPECT_TRUE(math::ArgBetter<false>{}(2.0, 3.0));
  EXPECT_FALSE(math::ArgBetter<false>{}(4.0, 3.0));
}

TEST(MathReduce, ArgBetterLetsTheFirstNanWin) {
  EXPECT_TRUE(math::ArgBetter<true>{}(kNan, 3.0));
  EXPECT_TRUE(math::ArgBetter<false>{}(kNanF, -kInfF));
  EXPECT_FALSE(math::ArgBetter<true>{}(5.0, kNan));
  EXPECT_FALSE(math::ArgBetter<false>{}(-5.0f, kNanF));
  EXPECT_FALSE(math::ArgBetter<true>{}(kNan, kNan));  // the earlier NaN stays
}

// --- conversion
// ------------------------------------------------------------------------------------

TEST(MathConvert, FloatToIntegerTruncatesTowardZero) {
  EXPECT_EQ(math::convert<int64_t>(3.9f), int64_t{3});
  EXPECT_EQ(math::convert<int64_t>(-1.5), int64_t{-1});
  EXPECT_EQ(math::convert<int64_t>(-0.99f), int64_t{0});
  EXPECT_EQ(math::convert<uint8_t>(200.7), uint8_t{200});
}

TEST(MathConvert, NanBecomesZeroForIntegers) {
  EXPECT_EQ(math::convert<int64_t>(kNan), int64_t{0});
  EXPECT_EQ(math::convert<int64_t>(kNanF), int64_t{0});
  EXPECT_EQ(math::convert<uint8_t>(kNan), uint8_t{0});
}

TEST(MathConvert, HugeFloatsSaturateToInt64Range) {
  EXPECT_EQ(math::convert<int64_t>(1e30f), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(math::convert<int64_t>(-1e30), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(math::convert<int64_t>(kInf), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(math::convert<int64_t>(-kInfF), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(math::convert<int64_t>(9.2233720368547758e18), std::numeric_limits<int64_t>::max());
  // The largest double below 2^63 is exact in int64.
  EXPECT_EQ(math::convert<int64_t>(9223372036854774784.0), int64_t{9223372036854774784});
}

TEST(MathConvert, IntegersWrapWhenNarrowed) {
  EXPECT_EQ(math::convert<uint8_t>(int64_t{257}), uint8_t{1});
  EXPECT_EQ(math::convert<uint8_t>(int64_t{-1}), uint8_t{255});
  EXPECT_EQ(math::convert<int64_t>(uint8_t{255}), int64_t{255});
}

TEST(MathConvert, ToBoolIsNonZero) {
  EXPECT_FALSE(math::convert<bool>(0.0));
  EXPECT_FALSE(math::convert<bool>(-0.0f));
  EXPECT_TRUE(math::convert<bool>(0.1));
  EXPECT_TRUE(math::convert<bool>(-3.0f));
  EXPECT_TRUE(math::convert<bool>(kNan));  // NaN != 0, as bool(float('nan')) in Python
  EXPECT_FALSE(math::convert<bool>(int64_t{0}));
  EXPECT_TRUE(math::convert<bool>(int64_t{256}));  // not truncated to a byte first
  EXPECT_TRUE(math::convert<bool>(uint8_t{2}));
}

TEST(MathConvert, ToFloatingRoundsToNearest) {
  EXPECT_EQ(math::convert<double>(true), 1.0);
  EXPECT_EQ(math::convert<float>(int64_t{-7}), -7.0f);
  EXPECT_EQ(math::convert<float>(int64_t{16777217}), 16777216.0f);  // 2^24 + 1 rounds to even
  EXPECT_EQ(math::convert<float>(0.1), 0.1f);
  EXPECT_EQ(math::convert<double>(0.1f), static_cast<double>(0.1f));
  EXPECT_TRUE(std::isnan(math::convert<float>(kNan)));
}

// --- optimizer steps
// ------------------------------------------------------------------------------- torch.optim.SGD,
// per element, with g the gradient and b the momentum buffer:
//   g = g + weight_decay * p
//   if momentum != 0: b = (first step) ? g : momentum * b + (1 - dampening) * g
//                     g = nesterov ? g + momentum * b : b
//   p = p - lr * g

math::SgdOptions sgd(double lr, double momentum, double dampening, double weight_decay,
                     bool nesterov, bool first_step) {
  return math::SgdOptions{lr, momentum, dampening, weight_decay, nesterov, first_step};
}

TEST(MathSgd, PlainStepSubtractsLrTimesGradient) {
  double p = 1.0, buf = 123.0;  // the buffer is untouched without momentum
  math::sgd_step(p, 0.5, buf, sgd(0.1, 0, 0, 0, false, true));
  EXPECT_NEAR(p, 0.95, 1e-15);  // 1 - 0.1 * 0.5
  EXPECT_EQ(buf, 123.0);
  float pf = -2.0f, buff = 0.0f;
  math::sgd_step(pf, -4.0f, buff, sgd(0.25, 0, 0, 0, false, true));
  EXPECT_FLOAT_EQ(pf, -1.0f);  // -2 - 0.25 * -4
}

TEST(MathSgd, MomentumFirstStepStoresUndampedGradientThenAccumulates) {
  double p = 1.0, buf = 0.0;
  // Step 1: b = g = 0.5; p = 1 - 0.1 * 0.5 = 0.95. Dampening does not apply on the first step.
  math::sgd_step(p, 0.5, buf, sgd(0.1, 0.9, 0.5, 0, false, true));
  EXPECT_NEAR(buf, 0.5, 1e-15);
  EXPECT_NEAR(p, 0.95, 1e-15);
  // Step 2 (no dampening): b = 0.9 * 0.5 + 0.25 = 0.7; p = 0.95 - 0.1 * 0.7 = 0.88.
  double p2 = 0.95, buf2 = 0.5;
  math::sgd_step(p2, 0.25, buf2, sgd(0.1, 0.9, 0, 0, false, false));
  EXPECT_NEAR(buf2, 0.7, 1e-15);
  EXPECT_NEAR(p2, 0.88, 1e-15);
}

TEST(MathSgd, DampeningScalesTheNewGradientAfterTheFirstStep) {
  double p = 0.95, buf = 0.5;
  // b = 0.9 * 0.5 + (1 - 0.5) * 0.25 = 0.575; p = 0.95 - 0.1 * 0.575 = 0.8925.
  math::sgd_step(p, 0.25, buf, sgd(0.1, 0.9, 0.5, 0, false, false));
  EXPECT_NEAR(buf, 0.575, 1e-15);
  EXPECT_NEAR(p, 0.8925, 1e-15);
}

TEST(MathSgd, NesterovStepsWithGradientPlusMomentumTimesBuffer) {
  double p = 1.0, buf = 0.0;
  // Step 1: b = 0.5; step = 0.5 + 0.9 * 0.5 = 0.95; p = 1 - 0.1 * 0.95 = 0.905.
  math::sgd_step(p, 0.5, buf, sgd(0.1, 0.9, 0, 0, true, true));
  EXPECT_NEAR(buf, 0.5, 1e-15);
  EXPECT_NEAR(p, 0.905, 1e-15);
  // Step 2: b = 0.9 * 0.5 + 0.25 = 0.7; step = 0.25 + 0.9 * 0.7 = 0.88; p = 0.905 - 0.088 = 0.817.
  math::sgd_step(p, 0.25, buf, sgd(0.1, 0.9, 0, 0, true, false));
  EXPECT_NEAR(buf, 0.7, 1e-15);
  EXPECT_NEAR(p, 0.817, 1e-15);
}

TEST(MathSgd, WeightDecayAddsToTheGradientBeforeMomentum) {
  double p = 1.0, buf = 0.0;
  // g = 0.5 + 0.01 * 1 = 0.51; p = 1 - 0.1 * 0.51 = 0.949.
  math::sgd_step(p, 0.5, buf, sgd(0.1, 0, 0, 0.01, false, true));
  EXPECT_NEAR(p, 0.949, 1e-15);
  double q = 2.0, qbuf = 0.0;
  // With momentum the buffer holds the decayed gradient: g = 0.5 + 0.1 * 2 = 0.7 = b;
  // p = 2 - 0.1 * 0.7 = 1.93.
  math::sgd_step(q, 0.5, qbuf, sgd(0.1, 0.9, 0, 0.1, false, true));
  EXPECT_NEAR(qbuf, 0.7, 1e-15);
  EXPECT_NEAR(q, 1.93, 1e-15);
}

// torch.optim.Adam / AdamW, per element, at step t (1-based):
//   AdamW: p = p * (1 - lr * weight_decay);   Adam: g = g + weight_decay * p
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g^2
//   vmax = max(vmax, v)                               (amsgrad only; the denominator uses vmax)
//   denom = sqrt(v) / sqrt(1 - beta2^t) + eps
//   p = p - lr / (1 - beta1^t) * m / denom

math::AdamOptions adam(double lr, double weight_decay, bool decoupled, bool amsgrad, int64_t step) {
  return math::AdamOptions{lr, 0.9, 0.999, 1e-8, weight_decay, decoupled, amsgrad, step};
}

TEST(MathAdam, FirstStepMovesByAboutLrTimesSignOfGradient) {
  double p = 1.0, m = 0.0, v = 0.0, vmax = 0.0;
  math::adam_step(p, 0.5, m, v, vmax, adam(0.1, 0, false, false, 1));
  // m = 0.1 * 0.5 = 0.05; v = 0.001 * 0.25 = 0.00025; bias corrections 0.1 and 0.001:
  // denom = sqrt(0.00025) / sqrt(0.001) + 1e-8 = 0.5 + 1e-8; p = 1 - 1 * 0.05 / denom.
  EXPECT_NEAR(m, 0.05, 1e-15);
  EXPECT_NEAR(v, 0.00025, 1e-18);
  const double expected = 1.0 - (0.1 / 0.1) * 0.05 / (0.5 + 1e-8);
  EXPECT_NEAR(p, expected, 1e-15);
  EXPECT_NEAR(p, 0.9, 1e-8);
  EXPECT_EQ(vmax, 0.0);  // only amsgrad touches it
}

TEST(MathAdam, SecondStepUsesBothMomentsAndBiasCorrections) {
  double p = 1.0, m = 0.0, v = 0.0, vmax = 0.0;
  math::adam_step(p, 0.5, m, v, vmax, adam(0.1, 0, false, false, 1));
  const double p1 = 1.0 - 1.0 * 0.05 / (0.5 + 1e-8);
  math::adam_step(p, -0.25, m, v, vmax, adam(0.1, 0, false, false, 2));
  // m = 0.9 * 0.05 + 0.1 * -0.25 = 0.02; v = 0.999 * 0.00025 + 0.001 * 0.0625 = 0.00031225.
  // bias corrections: 1 - 0.81 = 0.19 and 1 - 0.998001 = 0.001999.
  const double m2 = 0.02, v2 = 0.00031225;
  EXPECT_NEAR(m, m2, 1e-16);
  EXPECT_NEAR(v, v2, 1e-18);
  const double denom = std::sqrt(v2) / std::sqrt(0.001999) + 1e-8;
  const double expected = p1 - 0.1 / 0.19 * m2 / denom;
  EXPECT_NEAR(p, expected, 1e-12);
  EXPECT_NEAR(p, 0.8733663, 1e-7);  // the hand numbers worked out: a step of about 0.0266
}

TEST(MathAdam, WeightDecayIsAddedToTheGradientInAdam) {
  double p = 2.0, m = 0.0, v = 0.0, vmax = 0.0;
  math::adam_step(p, 0.5, m, v, vmax, adam(0.1, 0.5, false, false, 1));
  // g = 0.5 + 0.5 * 2 = 1.5; m = 0.15; v = 0.001 * 2.25 = 0.00225;
  // denom = sqrt(0.00225) / sqrt(0.001) + 1e-8 = 1.5 + 1e-8; p = 2 - 0.15 / 0.1 * 0.1 / denom.
  EXPECT_NEAR(m, 0.15, 1e-15);
  EXPECT_NEAR(v, 0.00225, 1e-17);
  EXPECT_NEAR(p, 2.0 - 1.0 * 0.15 / (1.5 + 1e-8), 1e-14);
}

TEST(MathAdam, AdamWDecaysTheParameterDirectly) {
  double p = 1.0, m = 0.0, v = 0.0, vmax = 0.0;
  math::adam_step(p, 0.5, m, v, vmax, adam(0.1, 0.01, true, false, 1));
  // p = 1 * (1 - 0.1 * 0.01) = 0.999 first; the gradient is untouched: m = 0.05, v = 0.00025;
  // p = 0.999 - 0.05 / (0.5 + 1e-8).
  EXPECT_NEAR(m, 0.05, 1e-15);
  EXPECT_NEAR(v, 0.00025, 1e-18);
  EXPECT_NEAR(p, 0.999 - 1.0 * 0.05 / (0.5 + 1e-8), 1e-15);
  EXPECT_NEAR(p, 0.899, 1e-7);
}

TEST(MathAdam, AmsgradDividesByTheLargestSecondMomentSoFar) {
  double p = 1.0, m = 0.0, v = 0.0, vmax = 0.0;
  math::adam_step(p, 0.5, m, v, vmax, adam(0.1, 0, false, true, 1));
  // Step 1: v = 0.00025 is the max so far; the step equals plain Adam's.
  EXPECT_NEAR(vmax, 0.00025, 1e-18);
  const double p1 = 1.0 - 1.0 * 0.05 / (0.5 + 1e-8);
  EXPECT_NEAR(p, p1, 1e-15);
  // Step 2 with g = 0: m = 0.045, v = 0.999 * 0.00025 = 0.00024975 < vmax, so vmax stays.
  math::adam_step(p, 0.0, m, v, vmax, adam(0.1, 0, false, true, 2));
  EXPECT_NEAR(m, 0.045, 1e-15);
  EXPECT_NEAR(v, 0.00024975, 1e-18);
  EXPECT_NEAR(vmax, 0.00025, 1e-18);
  const double denom = std::sqrt(0.00025) / std::sqrt(0.001999) + 1e-8;
  EXPECT_NEAR(p, p1 - 0.1 / 0.19 * 0.045 / denom, 1e-12);
  EXPECT_NEAR(p, 0.8330277, 1e-7);
  // Without amsgrad the smaller v gives a (slightly) larger step.
  double q = p1, qm = 0.05, qv = 0.00025, qmax = 0.0;
  math::adam_step(q, 0.0, qm, qv, qmax, adam(0.1, 0, false, false, 2));
  EXPECT_LT(q, p);
}

TEST(MathAdam, Float32StepMatchesDoubleFormula) {
  float p = 1.0f, m = 0.0f, v = 0.0f, vmax = 0.0f;
  math::adam_step(p, 0.5f, m, v, vmax, adam(0.1, 0, false, false, 1));
  EXPECT_NEAR(p, 0.9f, 1e-6);
  EXPECT_NEAR(m, 0.05f, 1e-8);
  EXPECT_NEAR(v, 0.00025f, 1e-10);
}

// --- Philox and random draws
// -----------------------------------------------------------------------

void expect_block(const math::Philox4x32& got, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  EXPECT_EQ(got.v[0], a);
  EXPECT_EQ(got.v[1], b);
  EXPECT_EQ(got.v[2], c);
  EXPECT_EQ(got.v[3], d);
}

TEST(MathPhilox, MatchesRandom123KnownAnswers) {
  // kat_vectors of Random123 for philox4x32_10.
  expect_block(math::philox4x32_10(math::Philox4x32{{0, 0, 0, 0}}, 0, 0), 0x6627e8d5u, 0xe169c58du,
               0xbc57ac4cu, 0x9b00dbd8u);
  expect_block(
      math::philox4x32_10(math::Philox4x32{{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}},
                          0xffffffffu, 0xffffffffu),
      0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu);
  expect_block(
      math::philox4x32_10(math::Philox4x32{{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}},
                          0xa4093822u, 0x299f31d0u),
      0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u);
}

TEST(MathPhilox, MulHiLoSplitsTheFullProduct) {
  uint32_t hi = 0, lo = 0;
  math::philox_mulhilo(0xffffffffu, 0xffffffffu, hi, lo);  // (2^32 - 1)^2 = 2^64 - 2^33 + 1
  EXPECT_EQ(hi, 0xfffffffeu);
  EXPECT_EQ(lo, 0x00000001u);
  math::philox_mulhilo(0x10000u, 0x10000u, hi, lo);  // 2^32
  EXPECT_EQ(hi, 1u);
  EXPECT_EQ(lo, 0u);
}

TEST(MathPhilox, BlockPutsIndexThenCallInTheCounterAndSeedInTheKey) {
  const uint64_t seed = 0x0123456789abcdefull, call = 0x1122334455667788ull;
  const uint64_t block = 0x99aabbccddeeff00ull;
  math::Philox4x32 counter{{0xddeeff00u, 0x99aabbccu, 0x55667788u, 0x11223344u}};
  math::Philox4x32 want = math::philox4x32_10(counter, 0x89abcdefu, 0x01234567u);
  math::Philox4x32 got = math::philox_block(seed, call, block);
  expect_block(got, want.v[0], want.v[1], want.v[2], want.v[3]);
  // The all-zero case is the first known-answer vector.
  expect_block(math::philox_block(0, 0, 0), 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u);
}

TEST(MathPhilox, UniformFloatUsesTheTop24BitsAndStaysBelowOne) {
  EXPECT_EQ(math::uniform_float(0u), 0.0f);
  EXPECT_EQ(math::uniform_float(0x000000ffu), 0.0f);  // the low 8 bits are dropped
  EXPECT_EQ(math::uniform_float(0x80000000u), 0.5f);
  EXPECT_EQ(math::uniform_float(0x00000100u), 1.0f / 16777216.0f);
  EXPECT_EQ(math::uniform_float(0xffffffffu), 1.0f - 1.0f / 16777216.0f);
  EXPECT_LT(math::uniform_float(0xffffffffu), 1.0f);
}

TEST(MathPhilox, UniformDoubleUsesTheTop53BitsAndStaysBelowOne) {
  EXPECT_EQ(math::uniform_double(0u, 0u), 0.0);
  EXPECT_EQ(math::uniform_double(0x80000000u, 0u), 0.5);
  EXPECT_EQ(math::uniform_double(0u, 0x800u), 1.0 / 9007199254740992.0);  // bit 11 is the lowest
  EXPECT_EQ(math::uniform_double(0u, 0x7ffu), 0.0);
  EXPECT_EQ(math::uniform_double(0xffffffffu, 0xffffffffu), 1.0 - 1.0 / 9007199254740992.0);
  EXPECT_LT(math::uniform_double(0xffffffffu, 0xffffffffu), 1.0);
}

TEST(MathPhilox, RandomUniformTakesFourFloatsOrTwoDoublesPerBlock) {
  const uint64_t seed = 42, call = 3;
  const math::Philox4x32 b0 = math::philox_block(seed, call, 0);
  const math::Philox4x32 b1 = math::philox_block(seed, call, 1);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(math::random_uniform<float>(seed, call, i, 0.0f, 1.0f), math::uniform_float(b0.v[i]));
    EXPECT_EQ(math::random_uniform<float>(seed, call, 4 + i, 0.0f, 1.0f),
              math::uniform_float(b1.v[i]));
  }
  EXPECT_EQ(math::random_uniform<double>(seed, call, 0, 0.0, 1.0),
            math::uniform_double(b0.v[0], b0.v[1]));
  EXPECT_EQ(math::random_uniform<double>(seed, call, 1, 0.0, 1.0),
            math::uniform_double(b0.v[2], b0.v[3]));
  EXPECT_EQ(math::random_uniform<double>(seed, call, 2, 0.0, 1.0),
            math::uniform_double(b1.v[0], b1.v[1]));
}

TEST(MathPhilox, RandomUniformIsDeterministicAndInRange) {
  for (uint64_t i = 0; i < 10000; ++i) {
    const float f = math::random_uniform<float>(7, 1, i, 2.0f, 5.0f);
    const double d = math::random_uniform<double>(7, 1, i, -1.0, 1.0);
    EXPECT_EQ(f, math::random_uniform<float>(7, 1, i, 2.0f, 5.0f));
    EXPECT_EQ(d, math::random_uniform<double>(7, 1, i, -1.0, 1.0));
    ASSERT_GE(f, 2.0f);
    ASSERT_LT(f, 5.0f);
    ASSERT_GE(d, -1.0);
    ASSERT_LT(d, 1.0);
  }
  // Another call, index or seed gives another value.
  const double base = math::random_uniform<double>(7, 1, 5, 0.0, 1.0);
  EXPECT_NE(base, math::random_uniform<double>(7, 2, 5, 0.0, 1.0));
  EXPECT_NE(base, math::random_uniform<double>(7, 1, 6, 0.0, 1.0));
  EXPECT_NE(base, math::random_uniform<double>(8, 1, 5, 0.0, 1.0));
}

TEST(MathPhilox, RandomUniformHasTheMomentsOfUniform) {
  const int n = 200000;
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < n; ++i) {
    const double u = math::random_uniform<float>(2024, 0, i, 0.0f, 1.0f);
    sum += u;
    sum_sq += u * u;
  }
  const double mean = sum / n, var = sum_sq / n - mean * mean;
  EXPECT_NEAR(mean, 0.5, 0.005);
  EXPECT_NEAR(var, 1.0 / 12.0, 0.002);
}

TEST(MathPhilox, RandomNormalIsDeterministicAndStandard) {
  for (uint64_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(math::random_normal<float>(11, 4, i, 0.0f, 1.0f),
              math::random_normal<float>(11, 4, i, 0.0f, 1.0f));
    EXPECT_EQ(math::random_normal<double>(11, 4, i, 0.0, 1.0),
              math::random_normal<double>(11, 4, i, 0.0, 1.0));
  }
  EXPECT_NE(math::random_normal<double>(11, 4, 0, 0.0, 1.0),
            math::random_normal<double>(11, 5, 0, 0.0, 1.0));
  // Mean and standard deviation scale and shift the standard draw.
  const double z = math::random_normal<double>(11, 4, 9, 0.0, 1.0);
  EXPECT_NEAR(math::random_normal<double>(11, 4, 9, 3.0, 2.0), 3.0 + 2.0 * z, 1e-12);
  for (bool is_float : {true, false}) {
    const int n = 200000;
    double sum = 0, sum_sq = 0;
    for (int i = 0; i < n; ++i) {
      const double x = is_float ? math::random_normal<float>(99, 0, i, 0.0f, 1.0f)
                                : math::random_normal<double>(99, 0, i, 0.0, 1.0);
      ASSERT_TRUE(std::isfinite(x));
      sum += x;
      sum_sq += x * x;
    }
    const double mean = sum / n, var = sum_sq / n - mean * mean;
    EXPECT_NEAR(mean, 0.0, 0.01) << (is_float ? "float" : "double");
    EXPECT_NEAR(var, 1.0, 0.02) << (is_float ? "float" : "double");
  }
}

TEST(MathPhilox, CpuRandDrawsElementIOfTheStreamForItsCall) {
  manual_seed(1234);
  Tensor first = rand({1000});
  Tensor second = rand({10, 10}, kFloat64);
  std::vector<float> a = first.to_vector<float>();
  std::vector<double> b = second.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i], math::random_uniform<float>(1234, 0, i, 0.0f, 1.0f)) << i;
  }
  for (size_t i = 0; i < b.size(); ++i) {
    ASSERT_EQ(b[i], math::random_uniform<double>(1234, 1, i, 0.0, 1.0)) << i;
  }
  // Reseeding restarts the call counter.
  manual_seed(1234);
  testing::expect_tensor<float>(rand({1000}), {1000}, a);
}

TEST(MathPhilox, CpuRandnDrawsTheNormalStreamForItsCall) {
  manual_seed(77);
  Tensor skip = rand({3});
  Tensor normal = randn({40000});  // large enough to fill on several threads
  std::vector<float> got = normal.to_vector<float>();
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i], math::random_normal<float>(77, 1, i, 0.0f, 1.0f)) << i;
  }
  EXPECT_EQ(skip.numel(), 3);
}

}  // namespace
}  // namespace nabla

// Elementwise ops: unary, binary, comparisons, broadcasting, promotion, views, in place, large.
#include "device_test.h"
#include "test_helpers.h"

#include <cmath>
#include <limits>
#include <vector>

namespace nabla {
namespace {

NABLA_DEVICE_SUITE(Unary);
NABLA_DEVICE_SUITE(Binary);
NABLA_DEVICE_SUITE(Broadcast);
NABLA_DEVICE_SUITE(NonContiguous);
NABLA_DEVICE_SUITE(InPlace);
NABLA_DEVICE_SUITE(IntegerTensors);
NABLA_DEVICE_SUITE(LargeInputs);

using testing::kInf;
using testing::kInfF;
using testing::kNan;
using testing::kNanF;

// --- unary ---------------------------------------------------------------------------------------

TEST_P(Unary, NegNegatesFloatsAndIntegers) {
  testing::expect_tensor<float>(tensor({1.5, -2.0, 0.0, 3.25}).neg(), {4},
                                {-1.5f, 2.0f, 0.0f, -3.25f});
  testing::expect_tensor<double>(-tensor({1.5, -2.0}, kFloat64), {2}, {-1.5, 2.0});
  testing::expect_tensor<int64_t>(neg(tensor({3, -4, 0})), {3}, {-3, 4, 0});
}

TEST_P(Unary, ExpOfKnownValues) {
  testing::expect_tensor<float>(tensor({0.0, 1.0, -1.0, 2.0}).exp(), {4},
                                {1.0f, 2.7182818f, 0.36787944f, 7.3890561f}, 1e-6);
  testing::expect_tensor<double>(exp(tensor({1.0, -2.0}, kFloat64)), {2},
                                 {2.718281828459045, 0.1353352832366127}, 1e-15);
}

TEST_P(Unary, ExpOfAnIntegerTensorIsFloat32) {
  testing::expect_tensor<float>(tensor({0, 1}).exp(), {2}, {1.0f, 2.7182818f}, 1e-6);
}

TEST_P(Unary, LogOfKnownValuesZeroAndNegative) {
  testing::expect_tensor<float>(tensor({1.0, 7.3890561, 0.5}).log(), {3},
                                {0.0f, 2.0f, -0.69314718f}, 1e-6);
  testing::expect_tensor<float>(log(tensor({0.0, -1.0})), {2}, {-kInfF, kNanF});
}

TEST_P(Unary, SqrtOfKnownValuesAndNegative) {
  testing::expect_tensor<float>(tensor({4.0, 2.25, 0.0, 2.0, -1.0}).sqrt(), {5},
                                {2.0f, 1.5f, 0.0f, 1.4142135f, kNanF}, 1e-7);
  testing::expect_tensor<float>(sqrt(tensor({4, 9})), {2}, {2.0f, 3.0f});
}

TEST_P(Unary, AbsOfFloatsIntegersAndBools) {
  testing::expect_tensor<float>(tensor({-1.5, 2.0, -kInf}).abs(), {3}, {1.5f, 2.0f, kInfF});
  testing::expect_tensor<int64_t>(abs(tensor({-3, 3, 0})), {3}, {3, 3, 0});
  testing::expect_tensor<bool>(tensor({true, false}).abs(), {2}, {true, false});
  // abs clears the sign of -0.0 (it would print as "-0." otherwise).
  EXPECT_FALSE(std::signbit(tensor({-0.0}).abs().item<float>()));
  EXPECT_FALSE(std::signbit(tensor({-0.0}, kFloat64).abs().item<double>()));
}

TEST_P(Unary, ReluZeroesNegativesKeepsNanAndWorksOnIntegers) {
  testing::expect_tensor<float>(tensor({-0.5, 0.0, 2.0, kNan}).relu(), {4},
                                {0.0f, 0.0f, 2.0f, kNanF});
  testing::expect_tensor<int64_t>(relu(tensor({-2, 5})), {2}, {0, 5});
}

TEST_P(Unary, SigmoidOfKnownValuesAndLargeMagnitudes) {
  testing::expect_tensor<float>(tensor({0.0, 2.0, -2.0, 1000.0, -1000.0}).sigmoid(), {5},
                                {0.5f, 0.88079708f, 0.11920292f, 1.0f, 0.0f}, 2e-7);
  testing::expect_tensor<double>(sigmoid(tensor({1.0}, kFloat64)), {1}, {0.7310585786300049},
                                 1e-15);
}

TEST_P(Unary, TanhOfKnownValues) {
  testing::expect_tensor<float>(tensor({0.0, 0.5, -1.0, 20.0}).tanh(), {4},
                                {0.0f, 0.46211716f, -0.76159416f, 1.0f}, 2e-7);
}

TEST_P(Unary, PowWithCommonAndGeneralExponents) {
  Tensor x = tensor({1.0, 2.0, 3.0, 4.0});
  testing::expect_tensor<float>(x.pow(2), {4}, {1.0f, 4.0f, 9.0f, 16.0f});
  testing::expect_tensor<float>(x.pow(0.5), {4}, {1.0f, 1.4142135f, 1.7320508f, 2.0f}, 1e-7);
  testing::expect_tensor<float>(x.pow(-1), {4}, {1.0f, 0.5f, 0.33333334f, 0.25f}, 1e-8);
  testing::expect_tensor<float>(x.pow(3), {4}, {1.0f, 8.0f, 27.0f, 64.0f}, 1e-5);
  testing::expect_tensor<float>(pow(x, 1.5), {4}, {1.0f, 2.8284271f, 5.1961524f, 8.0f}, 1e-5);
}

TEST_P(Unary, PowOfIntegersStaysIntegerForIntegerExponents) {
  testing::expect_tensor<int64_t>(tensor({-2, 3, 0, 1}).pow(3), {4}, {-8, 27, 0, 1});
  testing::expect_tensor<int64_t>(tensor({5, -5}).pow(0), {2}, {1, 1});
  testing::expect_tensor<float>(tensor({4, 2}).pow(0.5), {2}, {2.0f, 1.4142135f}, 1e-7);
  testing::expect_error([] { tensor({2, 3}).pow(-1); }, {"pow", "negative"});
}

TEST_P(Unary, ClampBoundsBothSidesAndKeepsNan) {
  Tensor x = tensor({-2.0, -0.5, 0.5, 2.0, kNan});
  testing::expect_tensor<float>(x.clamp(-1, 1), {5}, {-1.0f, -0.5f, 0.5f, 1.0f, kNanF});
  testing::expect_tensor<float>(x.clamp_min(0), {5}, {0.0f, 0.0f, 0.5f, 2.0f, kNanF});
  testing::expect_tensor<float>(x.clamp_max(0), {5}, {-2.0f, -0.5f, 0.0f, 0.0f, kNanF});
  testing::expect_tensor<float>(clamp(x, -0.25, std::nullopt), {5},
                                {-0.25f, -0.25f, 0.5f, 2.0f, kNanF});
}

TEST_P(Unary, ClampWithMinAboveMaxGivesMax) {
  testing::expect_tensor<float>(tensor({-3.0, 0.0, 3.0}).clamp(1, -1), {3}, {-1.0f, -1.0f, -1.0f});
}

TEST_P(Unary, ClampOfIntegers) {
  Tensor x = tensor({-5, 0, 7});
  testing::expect_tensor<int64_t>(x.clamp(-1, 3), {3}, {-1, 0, 3});
  testing::expect_tensor<int64_t>(x.clamp_min(0), {3}, {0, 0, 7});
  testing::expect_tensor<int64_t>(x.clamp_max(2), {3}, {-5, 0, 2});
  testing::expect_tensor<uint8_t>(tensor({0, 100, 255}, kUInt8).clamp_min(50), {3}, {50, 100, 255});
  testing::expect_tensor<uint8_t>(tensor({0, 100, 255}, kUInt8).clamp_max(200), {3}, {0, 100, 200});
  // A floating bound promotes the integer input, as in PyTorch.
  testing::expect_tensor<float>(tensor({1, 5}).clamp(0.5, 2.5), {2}, {1.0f, 2.5f});
}

TEST_P(Unary, OpsOnAnEmptyTensorGiveAnEmptyTensor) {
  testing::expect_tensor<float>(zeros({0}).exp(), {0}, {});
  testing::expect_tensor<float>(zeros({2, 0}).clamp(0, 1), {2, 0}, {});
}

// --- binary --------------------------------------------------------------------------------------

TEST_P(Binary, AddAndSubWithAlpha) {
  Tensor a = tensor({1.0, 2.0, 3.0}), b = tensor({10.0, 20.0, 30.0});
  testing::expect_tensor<float>(a + b, {3}, {11.0f, 22.0f, 33.0f});
  testing::expect_tensor<float>(a.add(b, 2), {3}, {21.0f, 42.0f, 63.0f});
  testing::expect_tensor<float>(add(a, b, -1), {3}, {-9.0f, -18.0f, -27.0f});
  testing::expect_tensor<float>(a - b, {3}, {-9.0f, -18.0f, -27.0f});
  testing::expect_tensor<float>(a.sub(b, 0.5), {3}, {-4.0f, -8.0f, -12.0f});
  testing::expect_tensor<int64_t>(tensor({1, 2}).add(tensor({3, 4}), 3), {2}, {10, 14});
  testing::expect_tensor<int64_t>(sub(tensor({1, 2}), tensor({3, 4}), 2), {2}, {-5, -6});
}

TEST_P(Binary, MethodsTakeANumberAsLibtorchsDo) {
  const Tensor a = tensor({1.0, 2.0, 4.0});
  testing::expect_tensor<float>(a.add(1), {3}, {2.0f, 3.0f, 5.0f});
  testing::expect_tensor<float>(a.add(1, 0.5), {3}, {1.5f, 2.5f, 4.5f});
  testing::expect_tensor<float>(a.sub(1, 2), {3}, {-1.0f, 0.0f, 2.0f});
  testing::expect_tensor<float>(a.mul(3), {3}, {3.0f, 6.0f, 12.0f});
  testing::expect_tensor<float>(a.div(4), {3}, {0.25f, 0.5f, 1.0f});
  testing::expect_tensor<bool>(a.eq(2), {3}, {false, true, false});
  testing::expect_tensor<bool>(a.ne(2), {3}, {true, false, true});
  testing::expect_tensor<bool>(a.lt(2), {3}, {true, false, false});
  testing::expect_tensor<bool>(a.le(2), {3}, {true, true, false});
  testing::expect_tensor<bool>(a.gt(2), {3}, {false, false, true});
  testing::expect_tensor<bool>(a.ge(2), {3}, {false, true, true});
  // Integers stay integers, and alpha scales in int64.
  testing::expect_tensor<int64_t>(tensor({1, 2}).add(3, 2), {2}, {7, 8});
  testing::expect_tensor<int64_t>(tensor({1, 2}).mul(-2), {2}, {-2, -4});
  testing::expect_tensor<float>(tensor({1, 2}).add(0.5), {2}, {1.5f, 2.5f});
  // Differentiable as the operators are.
  const Tensor w = tensor({1.0, 2.0}).requires_grad_();
  w.mul(3).add(1).sum().backward();
  testing::expect_tensor<float>(w.grad(), {2}, {3.0f, 3.0f});
}

TEST_P(Binary, MulAndDiv) {
  Tensor a = tensor({1.0, 2.0, 3.0}), b = tensor({4.0, 5.0, 6.0});
  testing::expect_tensor<float>(a * b, {3}, {4.0f, 10.0f, 18.0f});
  testing::expect_tensor<float>(a.mul(b), {3}, {4.0f, 10.0f, 18.0f});
  testing::expect_tensor<float>(a / b, {3}, {0.25f, 0.4f, 0.5f});
  testing::expect_tensor<float>(tensor({1.0, -1.0, 0.0}).div(zeros({3})), {3},
                                {kInfF, -kInfF, kNanF});
}

TEST_P(Binary, IntegerDivisionIsTrueDivisionInFloat32) {
  testing::expect_tensor<float>(tensor({7, -7, 1}) / tensor({2, 2, 3}), {3},
                                {3.5f, -3.5f, 0.33333334f});
  testing::expect_tensor<int64_t>(tensor({7, -7}) * tensor({-2, 3}), {2}, {-14, -21});
}

TEST_P(Binary, MaximumAndMinimumPropagateNan) {
  Tensor a = tensor({1.0, 5.0, kNan, 2.0}), b = tensor({3.0, 4.0, 0.0, kNan});
  testing::expect_tensor<float>(a.maximum(b), {4}, {3.0f, 5.0f, kNanF, kNanF});
  testing::expect_tensor<float>(minimum(a, b), {4}, {1.0f, 4.0f, kNanF, kNanF});
  testing::expect_tensor<int64_t>(maximum(tensor({1, 9}), tensor({4, 2})), {2}, {4, 9});
}

TEST_P(Binary, ComparisonsGiveBool) {
  Tensor a = tensor({1.0, 2.0, 3.0, kNan}), b = tensor({2.0, 2.0, 2.0, 2.0});
  testing::expect_tensor<bool>(a.eq(b), {4}, {false, true, false, false});
  testing::expect_tensor<bool>(a != b, {4}, {true, false, true, true});
  testing::expect_tensor<bool>(a < b, {4}, {true, false, false, false});
  testing::expect_tensor<bool>(le(a, b), {4}, {true, true, false, false});
  testing::expect_tensor<bool>(a.gt(b), {4}, {false, false, true, false});
  testing::expect_tensor<bool>(a >= b, {4}, {false, true, true, false});
  testing::expect_tensor<bool>(a == b, {4}, {false, true, false, false});
}

TEST_P(Binary, ComparisonsWithScalarsAndMixedDtypes) {
  Tensor a = tensor({1.0, 2.0, 3.0});
  testing::expect_tensor<bool>(a > 1.5, {3}, {false, true, true});
  testing::expect_tensor<bool>(a <= 2, {3}, {true, true, false});
  testing::expect_tensor<bool>(eq(a, 3), {3}, {false, false, true});
  testing::expect_tensor<bool>(tensor({1, 2}) == tensor({1.0, 2.5}), {2}, {true, false});
  // 2.5 does not truncate to 2 before an integer tensor is compared with it.
  testing::expect_tensor<bool>(tensor({2, 3}) < 2.5, {2}, {true, false});
}

TEST_P(Binary, ScalarOperandsOnEitherSide) {
  Tensor x = tensor({1.0, 2.0, 4.0});
  testing::expect_tensor<float>(2 - x, {3}, {1.0f, 0.0f, -2.0f});
  testing::expect_tensor<float>(x - 2, {3}, {-1.0f, 0.0f, 2.0f});
  testing::expect_tensor<float>(1 / x, {3}, {1.0f, 0.5f, 0.25f});
  testing::expect_tensor<float>(x / 2, {3}, {0.5f, 1.0f, 2.0f});
  testing::expect_tensor<float>(3 * x, {3}, {3.0f, 6.0f, 12.0f});
  testing::expect_tensor<float>(x * 3, {3}, {3.0f, 6.0f, 12.0f});
  testing::expect_tensor<float>(0.5 + x, {3}, {1.5f, 2.5f, 4.5f});
  testing::expect_tensor<float>(x + 0.5, {3}, {1.5f, 2.5f, 4.5f});
}

TEST_P(Binary, ScalarOperandsPromoteLikePyTorch) {
  testing::expect_tensor<float>(tensor({1, 2}) / 2, {2}, {0.5f, 1.0f});
  testing::expect_tensor<float>(2 / tensor({1, 4}), {2}, {2.0f, 0.5f});
  testing::expect_tensor<float>(tensor({1, 2}) + 1.5, {2}, {2.5f, 3.5f});
  testing::expect_tensor<int64_t>(tensor({1, 2}) * 3, {2}, {3, 6});
  testing::expect_tensor<int64_t>(10 - tensor({1, 2}), {2}, {9, 8});
  testing::expect_tensor<double>(tensor({1.0}, kFloat64) + 0.25, {1}, {1.25});
  // A double scalar does not widen a float32 tensor.
  testing::expect_tensor<float>(tensor({1.0}) * 0.1, {1}, {0.1f});
  testing::expect_tensor<uint8_t>(tensor({200}, kUInt8) + 100, {1}, {44});
}

TEST_P(Binary, TensorOperandsPromoteByDimensionedThenZeroDim) {
  EXPECT_EQ((tensor({1.0}) + tensor({1.0}, kFloat64)).dtype(), kFloat64);
  EXPECT_EQ((tensor({1}) + tensor({1.0})).dtype(), kFloat32);
  EXPECT_EQ((tensor({1}, kUInt8) + tensor({1})).dtype(), kInt64);
  // A zero-dim tensor only matters when it brings a higher category.
  EXPECT_EQ((tensor({1.0}) + scalar_tensor(1.0, kFloat64)).dtype(), kFloat32);
  testing::expect_tensor<double>(tensor({1, 2}) + scalar_tensor(0.5, kFloat64), {2}, {1.5, 2.5});
  EXPECT_EQ((tensor({1}, kUInt8) + scalar_tensor(1, kInt64)).dtype(), kUInt8);
}

TEST_P(Binary, BoolAddIsLogicalOrAndBoolSubThrows) {
  testing::expect_tensor<bool>(tensor({true, false, false}) + tensor({true, true, false}), {3},
                               {true, true, false});
  testing::expect_tensor<bool>(tensor({true, false}) * tensor({true, true}), {2}, {true, false});
  testing::expect_error([] { tensor({true}) - tensor({false}); }, {"bool"});
}

TEST_P(Binary, WhereBroadcastsConditionAndBothBranches) {
  Tensor cond = tensor({{true, false, true}});  // [1, 3]
  Tensor a = tensor({{1.0}, {2.0}});            // [2, 1]
  Tensor b = scalar_tensor(-1.0);               // []
  testing::expect_tensor<float>(where(cond, a, b), {2, 3}, {1.0f, -1.0f, 1.0f, 2.0f, -1.0f, 2.0f});
  testing::expect_tensor<float>(where(tensor({true, false}), tensor({1, 2}), tensor({0.5, 0.5})),
                                {2}, {1.0f, 0.5f});
  testing::expect_error(
      [] {
        where(tensor({1, 0}), tensor({1.0, 2.0}), tensor({3.0, 4.0}));
      },
      {"where", "bool"});
}

// --- broadcasting --------------------------------------------------------------------------------

TEST_P(Broadcast, MatrixPlusRow) {
  testing::expect_tensor<float>(
      tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}) + tensor({10.0, 20.0, 30.0}), {2, 3},
      {11.0f, 22.0f, 33.0f, 14.0f, 25.0f, 36.0f});
}

TEST_P(Broadcast, ColumnPlusRowGivesMatrix) {
  testing::expect_tensor<float>(tensor({{1.0}, {2.0}}) + tensor({{10.0, 20.0, 30.0}}), {2, 3},
                                {11.0f, 21.0f, 31.0f, 12.0f, 22.0f, 32.0f});
  testing::expect_tensor<int64_t>(tensor({{1}, {2}, {3}}) * tensor({{1, 10, 100, 1000}}), {3, 4},
                                  {1, 10, 100, 1000, 2, 20, 200, 2000, 3, 30, 300, 3000});
}

TEST_P(Broadcast, ThreeDimsWithMissingLeadingDims) {
  Tensor x = arange(6, kFloat32).reshape({3, 1, 2});
  testing::expect_tensor<float>(x + tensor({100.0, 200.0}), {3, 1, 2},
                                {100.0f, 201.0f, 102.0f, 203.0f, 104.0f, 205.0f});
  testing::expect_tensor<float>(tensor({100.0, 200.0}) - x, {3, 1, 2},
                                {100.0f, 199.0f, 98.0f, 197.0f, 96.0f, 195.0f});
  // [3, 1, 2] with [4, 1] gives [3, 4, 2].
  Tensor y = x * tensor({{1.0}, {2.0}, {3.0}, {4.0}});
  EXPECT_EQ(y.sizes(), Shape({3, 4, 2}));
  EXPECT_EQ(y[2][3].to_vector<float>(), std::vector<float>({16.0f, 20.0f}));
}

TEST_P(Broadcast, ZeroDimWithAnything) {
  Tensor s = scalar_tensor(2.0);
  testing::expect_tensor<float>(s * tensor({{1.0, 2.0}, {3.0, 4.0}}), {2, 2},
                                {2.0f, 4.0f, 6.0f, 8.0f});
  testing::expect_tensor<float>(tensor({{1.0, 2.0}, {3.0, 4.0}}) - s, {2, 2},
                                {-1.0f, 0.0f, 1.0f, 2.0f});
  testing::expect_tensor<float>(s + scalar_tensor(3.0), {}, {5.0f});
  testing::expect_tensor<float>(s + zeros({0}), {0}, {});
}

TEST_P(Broadcast, IncompatibleShapesThrow) {
  testing::expect_error([] { zeros({2, 3}) + zeros({2}); }, {"[2, 3]", "[2]", "broadcast"});
  testing::expect_error([] { zeros({2, 3}) * zeros({3, 2}); }, {"broadcast"});
}

// --- non-contiguous inputs -----------------------------------------------------------------------

TEST_P(NonContiguous, TransposedOperands) {
  Tensor a = tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  Tensor at = a.t();  // [[1, 4], [2, 5], [3, 6]]
  ASSERT_FALSE(at.is_contiguous());
  testing::expect_tensor<float>(at + tensor({{10.0, 20.0}, {30.0, 40.0}, {50.0, 60.0}}), {3, 2},
                                {11.0f, 24.0f, 32.0f, 45.0f, 53.0f, 66.0f});
  testing::expect_tensor<float>(at.neg(), {3, 2}, {-1.0f, -4.0f, -2.0f, -5.0f, -3.0f, -6.0f});
  testing::expect_tensor<float>(at * a.t(), {3, 2}, {1.0f, 16.0f, 4.0f, 25.0f, 9.0f, 36.0f});
  testing::expect_tensor<bool>(at > 2.5, {3, 2}, {false, true, false, true, true, true});
}

TEST_P(NonContiguous, SlicedWithStep) {
  Tensor x = arange(10, kFloat32);
  Tensor every_third = x.slice(0, 1, 10, 3);  // [1, 4, 7]
  testing::expect_tensor<float>(every_third * 2, {3}, {2.0f, 8.0f, 14.0f});
  testing::expect_tensor<float>(every_third.sqrt(), {3}, {1.0f, 2.0f, 2.6457513f}, 1e-6);
  Tensor m = arange(12, kFloat32).reshape({3, 4});
  Tensor even = m.slice(1, 0, 4, 2), odd = m.slice(1, 1, 4, 2);
  testing::expect_tensor<float>(even + odd, {3, 2}, {1.0f, 5.0f, 9.0f, 13.0f, 17.0f, 21.0f});
  testing::expect_tensor<float>(m.slice(0, 0, 3, 2).slice(1, 1, 4, 2) - 1, {2, 2},
                                {0.0f, 2.0f, 8.0f, 10.0f});
}

TEST_P(NonContiguous, ExpandedOperands) {
  Tensor row = tensor({1.0, 2.0, 3.0}).expand({2, 3});
  testing::expect_tensor<float>(row * tensor({{1.0, 1.0, 1.0}, {2.0, 2.0, 2.0}}), {2, 3},
                                {1.0f, 2.0f, 3.0f, 2.0f, 4.0f, 6.0f});
  testing::expect_tensor<float>(row.neg(), {2, 3}, {-1.0f, -2.0f, -3.0f, -1.0f, -2.0f, -3.0f});
  Tensor column = tensor({{1.0}, {2.0}}).expand({2, 3});
  testing::expect_tensor<float>(row + column, {2, 3}, {2.0f, 3.0f, 4.0f, 3.0f, 4.0f, 5.0f});
}

// --- in place ------------------------------------------------------------------------------------

TEST_P(InPlace, AddSubMulDivWithTensorsAndBroadcasting) {
  Tensor x = tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  Tensor& same = x.add_(tensor({10.0, 20.0, 30.0}));
  EXPECT_EQ(&same, &x);
  testing::expect_tensor<float>(x, {2, 3}, {11.0f, 22.0f, 33.0f, 14.0f, 25.0f, 36.0f});
  x.sub_(tensor({{1.0}, {4.0}}), 2);  // rows minus 2 and 8
  testing::expect_tensor<float>(x, {2, 3}, {9.0f, 20.0f, 31.0f, 6.0f, 17.0f, 28.0f});
  x.mul_(tensor({2.0, 1.0, 0.5}));
  testing::expect_tensor<float>(x, {2, 3}, {18.0f, 20.0f, 15.5f, 12.0f, 17.0f, 14.0f});
  x.div_(tensor({{2.0}, {4.0}}));
  testing::expect_tensor<float>(x, {2, 3}, {9.0f, 10.0f, 7.75f, 3.0f, 4.25f, 3.5f});
  x.add_(tensor({1.0, 1.0, 1.0}), 0.5);
  testing::expect_tensor<float>(x, {2, 3}, {9.5f, 10.5f, 8.25f, 3.5f, 4.75f, 4.0f});
}

TEST_P(InPlace, ScalarFormsAndCompoundAssignment) {
  Tensor x = tensor({1.0, 2.0, 4.0});
  x.add_(1.5);
  testing::expect_tensor<float>(x, {3}, {2.5f, 3.5f, 5.5f});
  x.mul_(2);
  testing::expect_tensor<float>(x, {3}, {5.0f, 7.0f, 11.0f});
  x.div_(4);
  testing::expect_tensor<float>(x, {3}, {1.25f, 1.75f, 2.75f});
  x -= 0.25;
  testing::expect_tensor<float>(x, {3}, {1.0f, 1.5f, 2.5f});
  x += tensor({1.0, 1.0, 1.0});
  x *= tensor({2.0, 2.0, 2.0});
  x /= tensor({4.0, 5.0, 7.0});
  testing::expect_tensor<float>(x, {3}, {1.0f, 1.0f, 1.0f});
  Tensor n = tensor({1, 2});
  n *= 3;
  n += 1;
  testing::expect_tensor<int64_t>(n, {2}, {4, 7});
}

TEST_P(InPlace, ThroughViewsWritesTheBase) {
  Tensor x = zeros({2, 3});
  x.t().add_(tensor({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}}));
  testing::expect_tensor<float>(x, {2, 3}, {1.0f, 3.0f, 5.0f, 2.0f, 4.0f, 6.0f});
  x.select(1, 1).mul_(10);
  testing::expect_tensor<float>(x, {2, 3}, {1.0f, 30.0f, 5.0f, 2.0f, 40.0f, 6.0f});
  x.slice(1, 0, 3, 2).sub_(tensor({1.0, 1.0}));  // columns 0 and 2 of each row minus 1
  testing::expect_tensor<float>(x, {2, 3}, {0.0f, 30.0f, 4.0f, 1.0f, 40.0f, 5.0f});
}

TEST_P(InPlace, AddingItselfDoubles) {
  Tensor x = tensor({1.0, -2.0, 3.5});
  x.add_(x);
  testing::expect_tensor<float>(x, {3}, {2.0f, -4.0f, 7.0f});
}

TEST_P(InPlace, OverlappingShiftedOperandIsReadBeforeWriting) {
  Tensor x = tensor({1.0, 2.0, 3.0, 4.0});
  x.slice(0, 1, 4).add_(x.slice(0, 0, 3));  // x[1:] += x[:-1] with the old values
  testing::expect_tensor<float>(x, {4}, {1.0f, 3.0f, 5.0f, 7.0f});
  Tensor m = arange(4, kFloat32).reshape({2, 2});  // [[0, 1], [2, 3]]
  m.add_(m.t());
  testing::expect_tensor<float>(m, {2, 2}, {0.0f, 3.0f, 3.0f, 6.0f});
}

TEST_P(InPlace, KeepsTheDtypeOfSelf) {
  Tensor x = tensor({1.0, 2.0});
  x.add_(tensor({0.5, 0.25}, kFloat64));
  testing::expect_tensor<float>(x, {2}, {1.5f, 2.25f});
  Tensor n = tensor({1, 2});
  n.add_(tensor({1, 1}, kUInt8));
  testing::expect_tensor<int64_t>(n, {2}, {2, 3});
  testing::expect_error([] { tensor({1, 2}).add_(tensor({0.5, 0.5})); }, {"float32", "int64"});
  testing::expect_error([] { tensor({4, 2}).div_(tensor({2, 2})); }, {"int64"});
}

TEST_P(InPlace, UnaryAndClampFormsWriteTheirResultBack) {
  Tensor x = tensor({1.0f, 4.0f, 9.0f});
  x.sqrt_();
  testing::expect_tensor<float>(x, {3}, {1, 2, 3});
  x.neg_().abs_().pow_(2).clamp_(2, 8);
  testing::expect_tensor<float>(x, {3}, {2, 4, 8});
  x.clamp_min_(5).clamp_max_(7);
  testing::expect_tensor<float>(x, {3}, {5, 5, 7});
  Tensor view = x.slice(0, 1, 3);
  view.log_().exp_();
  testing::expect_tensor<float>(x, {3}, {5, 5, 7}, 1e-5);
  Tensor t = tensor({-1.0, 0.0, 2.0}, kFloat64);
  t.relu_();
  testing::expect_tensor<double>(t, {3}, {0, 0, 2});
  t.sigmoid_().tanh_();
  testing::expect_tensor<double>(
      t, {3}, {std::tanh(0.5), std::tanh(0.5), std::tanh(1 / (1 + std::exp(-2.0)))}, 1e-12);
  Tensor i = tensor({-7, 7});
  i.remainder_(3);
  testing::expect_tensor<int64_t>(i, {2}, {2, 1});
  // A floating result cannot be stored in an integer tensor, as in PyTorch.
  testing::expect_error([&] { i.exp_(); }, {"exp_", "float32", "int64"});
  testing::expect_error([&] { i.sqrt_(); }, {"sqrt_", "cannot be cast"});
}

TEST_P(InPlace, OtherMustBroadcastToSelf) {
  testing::expect_error([] { zeros({3}).add_(zeros({2, 3})); }, {"[2, 3]", "[3]"});
}

TEST_P(InPlace, FillAndZeroOnWholeTensorsAndViews) {
  Tensor x = zeros({2, 3});
  x.fill_(2.5);
  testing::expect_tensor<float>(x, {2, 3}, {2.5f, 2.5f, 2.5f, 2.5f, 2.5f, 2.5f});
  x.select(1, 1).fill_(9);
  testing::expect_tensor<float>(x, {2, 3}, {2.5f, 9.0f, 2.5f, 2.5f, 9.0f, 2.5f});
  x.slice(1, 0, 3, 2).zero_();
  testing::expect_tensor<float>(x, {2, 3}, {0.0f, 9.0f, 0.0f, 0.0f, 9.0f, 0.0f});
  Tensor n = zeros({3}, kInt64);
  n.fill_(3.9);  // converts as a cast does
  testing::expect_tensor<int64_t>(n, {3}, {3, 3, 3});
  Tensor b = zeros({2}, kBool);
  b.fill_(1);
  testing::expect_tensor<bool>(b, {2}, {true, true});
}

TEST_P(InPlace, CopyBroadcastsTheSource) {
  Tensor x = zeros({2, 3});
  x.copy_(tensor({1.0, 2.0, 3.0}));
  testing::expect_tensor<float>(x, {2, 3}, {1.0f, 2.0f, 3.0f, 1.0f, 2.0f, 3.0f});
  x.copy_(scalar_tensor(7.0));
  testing::expect_tensor<float>(x, {2, 3}, {7.0f, 7.0f, 7.0f, 7.0f, 7.0f, 7.0f});
  x.copy_(tensor({{1.0}, {2.0}}));
  testing::expect_tensor<float>(x, {2, 3}, {1.0f, 1.0f, 1.0f, 2.0f, 2.0f, 2.0f});
  testing::expect_error([] { zeros({2, 3}).copy_(zeros({2})); }, {"copy_"});
}

TEST_P(InPlace, CopyConvertsTheDtype) {
  Tensor f = zeros({3});
  f.copy_(tensor({1, -2, 3}));
  testing::expect_tensor<float>(f, {3}, {1.0f, -2.0f, 3.0f});
  Tensor n = zeros({3}, kInt64);
  n.copy_(tensor({1.7, -2.5, 3.9}));
  testing::expect_tensor<int64_t>(n, {3}, {1, -2, 3});
  Tensor b = zeros({3}, kBool);
  b.copy_(tensor({0.0, 0.1, -2.0}));
  testing::expect_tensor<bool>(b, {3}, {false, true, true});
  Tensor u = zeros({2}, kUInt8);
  u.copy_(tensor({257, -1}));
  testing::expect_tensor<uint8_t>(u, {2}, {1, 255});
  Tensor d = zeros({1}, kFloat64);
  d.copy_(tensor({0.1}));  // float32 0.1 widened, not re-rounded
  testing::expect_tensor<double>(d, {1}, {static_cast<double>(0.1f)});
}

TEST_P(InPlace, CopyFromOwnTransposeReadsEverythingFirst) {
  Tensor x = arange(9, kFloat32).reshape({3, 3});
  x.copy_(x.t());
  testing::expect_tensor<float>(x, {3, 3}, {0.0f, 3.0f, 6.0f, 1.0f, 4.0f, 7.0f, 2.0f, 5.0f, 8.0f});
}

TEST_P(InPlace, CopyIntoANonContiguousView) {
  Tensor x = zeros({2, 3});
  x.t().copy_(tensor({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}}));
  testing::expect_tensor<float>(x, {2, 3}, {1.0f, 3.0f, 5.0f, 2.0f, 4.0f, 6.0f});
}

// --- integer tensors -----------------------------------------------------------------------------

TEST_P(IntegerTensors, ArithmeticStaysExact) {
  Tensor a = tensor<int64_t>({int64_t{1} << 53, 3, -7});
  testing::expect_tensor<int64_t>(a + 1, {3}, {(int64_t{1} << 53) + 1, 4, -6});
  testing::expect_tensor<int64_t>(a - tensor({1, 1, 1}), {3}, {(int64_t{1} << 53) - 1, 2, -8});
  testing::expect_tensor<int64_t>(-a, {3}, {-(int64_t{1} << 53), -3, 7});
  testing::expect_tensor<int64_t>(a.abs(), {3}, {int64_t{1} << 53, 3, 7});
  testing::expect_tensor<int64_t>(tensor({3, -3}).pow(2), {2}, {9, 9});
  testing::expect_tensor<int64_t>(tensor({-1, 0, 1}).relu(), {3}, {0, 0, 1});
}

TEST_P(IntegerTensors, UInt8WrapsAround) {
  Tensor a = tensor({200, 3}, kUInt8), b = tensor({100, 4}, kUInt8);
  testing::expect_tensor<uint8_t>(a + b, {2}, {44, 7});
  testing::expect_tensor<uint8_t>(b - a, {2}, {156, 1});
  testing::expect_tensor<uint8_t>(a * b, {2}, {32, 12});    // 20000 mod 256 = 32
  testing::expect_tensor<uint8_t>(a.pow(2), {2}, {64, 9});  // 40000 mod 256 = 64
}

TEST_P(IntegerTensors, BoolNegThrowsButFloatMathPromotesBool) {
  testing::expect_error([] { tensor({true}).neg(); }, {"bool"});
  testing::expect_error([] { tensor({true}).relu(); }, {"bool"});
  // As in PyTorch, exp/sqrt/... of a bool tensor compute in float32.
  testing::expect_tensor<float>(tensor({true, false}).exp(), {2}, {2.7182818f, 1.0f}, 1e-6);
}

// --- large inputs (the OpenMP path) --------------------------------------------------------------

std::vector<float> ramp(int64_t n) {
  std::vector<float> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(i % 1000) * 0.01f - 5.0f;
  return v;
}

TEST_P(LargeInputs, UnaryOpsMatchAScalarLoop) {
  const int64_t n = 100000;
  std::vector<float> v = ramp(n);
  Tensor x = tensor(v);
  std::vector<float> sig = x.sigmoid().to_vector<float>();
  std::vector<float> tanh_v = x.tanh().to_vector<float>();
  std::vector<float> relu_v = x.relu().to_vector<float>();
  std::vector<float> clamp_v = x.clamp(-1, 2).to_vector<float>();
  std::vector<float> square = x.pow(2).to_vector<float>();
  ASSERT_EQ(static_cast<int64_t>(sig.size()), n);
  for (int64_t i = 0; i < n; ++i) {
    const double xi = v[i];
    ASSERT_NEAR(sig[i], 1.0 / (1.0 + std::exp(-xi)), 1e-6) << i;
    ASSERT_NEAR(tanh_v[i], std::tanh(xi), 1e-6) << i;
    ASSERT_EQ(relu_v[i], v[i] > 0 ? v[i] : 0.0f) << i;
    ASSERT_EQ(clamp_v[i], std::min(std::max(v[i], -1.0f), 2.0f)) << i;
    ASSERT_EQ(square[i], v[i] * v[i]) << i;
  }
}

TEST_P(LargeInputs, BinaryOpsWithBroadcastingMatchAScalarLoop) {
  const int64_t rows = 400, cols = 250;
  std::vector<float> v = ramp(rows * cols), w(cols);
  for (int64_t j = 0; j < cols; ++j) w[j] = 0.5f * static_cast<float>(j) - 3.0f;
  Tensor a = tensor(v).reshape({rows, cols}), b = tensor(w);
  std::vector<float> sum = (a + b).to_vector<float>();
  std::vector<float> product = (a * b).to_vector<float>();
  std::vector<bool> greater = (a > b).to_vector<bool>();
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) {
      const int64_t k = i * cols + j;
      ASSERT_EQ(sum[k], v[k] + w[j]) << i << "," << j;
      ASSERT_EQ(product[k], v[k] * w[j]) << i << "," << j;
      ASSERT_EQ(static_cast<bool>(greater[k]), v[k] > w[j]) << i << "," << j;
    }
  }
}

TEST_P(LargeInputs, TransposedInputMatchesAScalarLoop) {
  const int64_t rows = 400, cols = 250;
  std::vector<float> v = ramp(rows * cols);
  Tensor at = tensor(v).reshape({rows, cols}).t();  // [cols, rows], not contiguous
  std::vector<float> got = (at * 3 - 1).to_vector<float>();
  for (int64_t j = 0; j < cols; ++j) {
    for (int64_t i = 0; i < rows; ++i) {
      ASSERT_EQ(got[j * rows + i], v[i * cols + j] * 3.0f - 1.0f) << j << "," << i;
    }
  }
}

TEST_P(LargeInputs, InPlaceAndIntegerOpsMatchAScalarLoop) {
  const int64_t n = 100000;
  Tensor x = arange(n);
  x.mul_(3);
  x.sub_(tensor({7}));
  std::vector<int64_t> got = x.to_vector<int64_t>();
  std::vector<int64_t> squared = x.pow(2).to_vector<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_EQ(got[i], 3 * i - 7) << i;
    ASSERT_EQ(squared[i], (3 * i - 7) * (3 * i - 7)) << i;
  }
  Tensor big = zeros({n});
  big.slice(0, 0, n, 2).fill_(1);
  std::vector<float> filled = big.to_vector<float>();
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(filled[i], i % 2 == 0 ? 1.0f : 0.0f) << i;
}

}  // namespace
}  // namespace nabla

namespace nabla {
namespace {

TEST_P(IntegerTensors, ClampBoundsOutsideTheTypeClampNothing) {
  testing::expect_tensor<uint8_t>(tensor({0, 7, 255}, kUInt8).clamp(-1, 300), {3}, {0, 7, 255});
  testing::expect_tensor<uint8_t>(tensor({0, 7, 255}, kUInt8).clamp_min(-5), {3}, {0, 7, 255});
  testing::expect_tensor<uint8_t>(tensor({0, 7, 255}, kUInt8).clamp_max(6), {3}, {0, 6, 6});
}

TEST_P(IntegerTensors, FractionalAlphaIsRefusedForIntegerResults) {
  testing::expect_error([] { tensor({1, 2}).add(tensor({3, 4}), 0.5); }, {"add", "alpha", "int64"});
  testing::expect_error([] { tensor({1, 2}).sub(tensor({3, 4}), 1.5); }, {"sub", "alpha"});
  testing::expect_tensor<float>(tensor({1.0, 2.0}).add(tensor({2.0, 4.0}), 0.5), {2}, {2.0f, 4.0f});
}

}  // namespace
}  // namespace nabla

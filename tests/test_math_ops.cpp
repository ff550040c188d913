// The elementwise math beyond the basics: known values, integer and bool inputs, and gradients by
// finite differences in float64, on every device.
#include "device_test.h"
#include "test_helpers.h"

#include <cmath>
#include <vector>

namespace nabla {
namespace {

using testing::expect_error;
using testing::expect_tensor;
using testing::kNan;
using testing::kNanF;
using Inputs = std::vector<Tensor>;
using testing::gradients_match;

NABLA_DEVICE_SUITE(MathOps);

TEST_P(MathOps, TrigonometricValues) {
  const double pi = M_PI;
  expect_tensor<double>(sin(tensor({0.0, pi / 2, -pi / 6}, kFloat64)), {3}, {0.0, 1.0, -0.5},
                        1e-15);
  expect_tensor<double>(cos(tensor({0.0, pi, pi / 3}, kFloat64)), {3}, {1.0, -1.0, 0.5}, 1e-15);
  expect_tensor<double>(tensor({pi / 4, -pi / 4}, kFloat64).tan(), {2}, {1.0, -1.0}, 1e-15);
  expect_tensor<float>(tensor({0, 1}).sin(), {2}, {0.0f, 0.84147098f}, 1e-6);  // int -> float32
}

TEST_P(MathOps, LogarithmsAndExponentialsKeepSmallValues) {
  // log1p and expm1 exist for these: log(1 + 1e-10) in float64 keeps only 7 digits, where
  // log1p(x) = x - x^2 / 2 + ... and expm1(x) = x + x^2 / 2 + ... keep them all.
  expect_tensor<double>(log1p(tensor({1e-10, 1.0}, kFloat64)), {2},
                        {9.9999999995e-11, std::log(2.0)}, 1e-25);
  expect_tensor<double>(expm1(tensor({1e-10, 1.0}, kFloat64)), {2},
                        {1.00000000005e-10, std::exp(1.0) - 1}, 1e-25);
  expect_tensor<float>(tensor({8.0, 0.5, 0.0}).log2(), {3}, {3.0f, -1.0f, -testing::kInfF});
  expect_tensor<float>(tensor({1000.0, 0.1}).log10(), {2}, {3.0f, -1.0f}, 1e-6);
  expect_tensor<float>(log2(tensor({-1.0})), {1}, {kNanF});
}

TEST_P(MathOps, ReciprocalsAndSquares) {
  expect_tensor<float>(tensor({4.0, 0.25, 0.0}).rsqrt(), {3}, {0.5f, 2.0f, testing::kInfF});
  expect_tensor<float>(reciprocal(tensor({4.0, -0.5})), {2}, {0.25f, -2.0f});
  expect_tensor<float>(reciprocal(tensor({2})), {1}, {0.5f});  // integers become float32
  expect_tensor<int64_t>(square(tensor({-3, 4})), {2}, {9, 16});
  expect_tensor<double>(tensor({-1.5}, kFloat64).square(), {1}, {2.25});
}

TEST_P(MathOps, SignIsZeroForZeroAndNan) {
  expect_tensor<float>(sign(tensor({-2.5, 0.0, 3.0, kNan})), {4}, {-1.0f, 0.0f, 1.0f, 0.0f});
  expect_tensor<int64_t>(sign(tensor({-7, 0, 9})), {3}, {-1, 0, 1});
  expect_tensor<uint8_t>(sign(tensor({0, 5}, kUInt8)), {2}, {0, 1});
}

TEST_P(MathOps, RoundingGoesTheRightWayAndRoundIsHalfToEven) {
  const Tensor x = tensor({-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.7});
  expect_tensor<float>(floor(x), {7}, {-3, -2, -1, 0, 1, 2, 2});
  expect_tensor<float>(ceil(x), {7}, {-2, -1, -0.0f, 1, 2, 3, 3});
  expect_tensor<float>(round(x), {7}, {-2, -2, -0.0f, 0, 2, 2, 3});
  expect_tensor<float>(trunc(x), {7}, {-2, -1, -0.0f, 0, 1, 2, 2});
  // Integers are already whole and keep their dtype.
  expect_tensor<int64_t>(floor(tensor({-3, 4})), {2}, {-3, 4});
  expect_tensor<int64_t>(tensor({5}).round(), {1}, {5});
}

TEST_P(MathOps, ErfValues) {
  expect_tensor<double>(erf(tensor({0.0, 1.0, -1.0, 10.0}, kFloat64)), {4},
                        {0.0, 0.8427007929497149, -0.8427007929497149, 1.0}, 1e-15);
}

TEST_P(MathOps, LerpAddcmulAddcdiv) {
  const Tensor a = tensor({1.0, 2.0}), b = tensor({3.0, 6.0});
  expect_tensor<float>(lerp(a, b, 0.25), {2}, {1.5f, 3.0f});
  expect_tensor<float>(a.lerp(b, tensor({0.0, 1.0})), {2}, {1.0f, 6.0f});
  expect_tensor<float>(addcmul(a, a, b, 2), {2}, {7.0f, 26.0f});
  expect_tensor<float>(a.addcdiv(b, a, 0.5), {2}, {2.5f, 3.5f});
}

TEST_P(MathOps, BoolInputsAreRefusedWhereTheMathHasNoBoolForm) {
  expect_error([] { floor(tensor({true})); }, {"floor", "bool"});
  expect_error([] { square(tensor({true})); }, {"square", "bool"});
}

TEST_P(MathOps, GradientsMatchFiniteDifferences) {
  manual_seed(11);
  const Tensor x = randn({2, 3}, kFloat64).requires_grad_();
  const Tensor positive = (rand({2, 3}, kFloat64) + 0.5).requires_grad_();
  using Op = Tensor (*)(const Tensor&);
  for (Op op : {static_cast<Op>(sin), static_cast<Op>(cos), static_cast<Op>(tan),
                static_cast<Op>(expm1), static_cast<Op>(square), static_cast<Op>(erf)}) {
    EXPECT_TRUE(gradients_match([op](const Inputs& in) { return op(in[0]); }, {x}));
  }
  for (Op op : {static_cast<Op>(log1p), static_cast<Op>(log2), static_cast<Op>(log10),
                static_cast<Op>(rsqrt), static_cast<Op>(reciprocal)}) {
    EXPECT_TRUE(gradients_match([op](const Inputs& in) { return op(in[0]); }, {positive}));
  }
  // Rounding and sign are flat away from their jumps (0.3 is far from every one).
  const Tensor away = (rand({2, 3}, kFloat64) * 0.2 + 0.4).requires_grad_();
  for (Op op : {static_cast<Op>(sign), static_cast<Op>(floor), static_cast<Op>(ceil),
                static_cast<Op>(round), static_cast<Op>(trunc)}) {
    EXPECT_TRUE(gradients_match([op](const Inputs& in) { return op(in[0]); }, {away}));
  }
  const Tensor y = randn({2, 3}, kFloat64).requires_grad_();
  const Tensor w = rand({3}, kFloat64).requires_grad_();
  EXPECT_TRUE(
      gradients_match([](const Inputs& in) { return lerp(in[0], in[1], in[2]); }, {x, y, w}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return addcdiv(in[0], in[1], in[2], 0.5); },
                              {x, y, positive}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return addcmul(in[0], in[1], in[2], -2); },
                              {x, y, positive}));
}

TEST_P(MathOps, InPlaceFormsEqualTheirFunctionalOnes) {
  const Tensor x = tensor({0.3, -1.7, 2.4}, kFloat64);
  using Unary = Tensor& (Tensor::*)();
  const std::vector<std::pair<Unary, Tensor (*)(const Tensor&)>> unary = {
      {&Tensor::sin_, &sin},
      {&Tensor::cos_, &cos},
      {&Tensor::tan_, &tan},
      {&Tensor::expm1_, &expm1},
      {&Tensor::reciprocal_, &reciprocal},
      {&Tensor::square_, &square},
      {&Tensor::erf_, &erf},
      {&Tensor::sign_, &sign},
      {&Tensor::floor_, &floor},
      {&Tensor::ceil_, &ceil},
      {&Tensor::round_, &round},
      {&Tensor::trunc_, &trunc}};
  for (const auto& [in_place, functional] : unary) {
    Tensor y = x.clone();
    (y.*in_place)();
    EXPECT_TRUE(equal(y, functional(x)));
  }
  const Tensor p = x.abs();
  for (const auto& [in_place, functional] :
       std::vector<std::pair<Unary, Tensor (*)(const Tensor&)>>{{&Tensor::log1p_, &log1p},
                                                                {&Tensor::log2_, &log2},
                                                                {&Tensor::log10_, &log10},
                                                                {&Tensor::rsqrt_, &rsqrt}}) {
    Tensor y = p.clone();
    (y.*in_place)();
    EXPECT_TRUE(equal(y, functional(p)));
  }
  const Tensor end = tensor({1.0, 2.0, 3.0}, kFloat64), t2 = tensor({2.0, 4.0, -1.0}, kFloat64);
  Tensor y = x.clone();
  y.lerp_(end, 0.25).addcmul_(end, t2, 2).addcdiv_(end, t2);
  EXPECT_TRUE(allclose(y, addcdiv(addcmul(lerp(x, end, 0.25), end, t2, 2), end, t2)));
  Tensor i = tensor({7, -7, 9});
  i.fmod_(4).floor_divide_(tensor({2, 2, -2}));
  expect_tensor<int64_t>(i, {3}, {1, -2, -1});
  i.remainder_(tensor({3, 3, 3}));
  expect_tensor<int64_t>(i, {3}, {1, 1, 2});
  // In the graph, the gradient is the functional op's.
  const Tensor leaf = tensor({0.5, 1.0}, kFloat64).requires_grad_();
  Tensor z = leaf * 1;
  z.sin_().square_();
  z.sum().backward();
  expect_tensor<double>(leaf.grad(), {2},
                        {2 * std::sin(0.5) * std::cos(0.5), 2 * std::sin(1.0) * std::cos(1.0)},
                        1e-12);
}

}  // namespace
}  // namespace nabla

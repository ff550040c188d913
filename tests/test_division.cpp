// remainder, fmod, floor_divide and div's rounding modes: signs as in Python and C, integer and
// floating dtypes, division by zero, and gradients, on every device.
#include "device_test.h"
#include "test_helpers.h"

#include <limits>
#include <vector>

namespace nabla {
namespace {

using testing::expect_error;
using testing::expect_tensor;
using testing::kInf;
using testing::kNan;
using Inputs = std::vector<Tensor>;

NABLA_DEVICE_SUITE(Division);

TEST_P(Division, IntegerSignsFollowPythonAndC) {
  const Tensor a = tensor({5, -5, 5, -5, 0}), b = tensor({3, 3, -3, -3, 7});
  expect_tensor<int64_t>(a.remainder(b), {5}, {2, 1, -1, -2, 0});
  expect_tensor<int64_t>(a.fmod(b), {5}, {2, -2, 2, -2, 0});
  expect_tensor<int64_t>(a.floor_divide(b), {5}, {1, -2, -2, 1, 0});
  expect_tensor<int64_t>(a.div(b, "trunc"), {5}, {1, -1, -1, 1, 0});
  expect_tensor<int64_t>(a.div(b, "floor"), {5}, {1, -2, -2, 1, 0});
  expect_tensor<int64_t>(a.remainder(4), {5}, {1, 3, 1, 3, 0});
  expect_tensor<int64_t>(a.fmod(-4), {5}, {1, -1, 1, -1, 0});
  // The one quotient that overflows wraps as two's complement does, instead of trapping.
  const int64_t lowest = std::numeric_limits<int64_t>::min();
  expect_tensor<int64_t>(tensor({lowest}).div(tensor({int64_t{-1}}), "trunc"), {1}, {lowest});
  expect_tensor<int64_t>(tensor({lowest}).remainder(tensor({int64_t{-1}})), {1}, {0});
  expect_tensor<uint8_t>(tensor({7, 200}).to(kUInt8).floor_divide(tensor({2, 7}).to(kUInt8)), {2},
                         {3, 28});
}

TEST_P(Division, FloatingValuesAndZeroDivisors) {
  const Tensor a = tensor({5.5, -5.5, 5.5, -5.5}, kFloat64),
               b = tensor({2.0, 2.0, -2.0, -2.0}, kFloat64);
  expect_tensor<double>(a.remainder(b), {4}, {1.5, 0.5, -0.5, -1.5});
  expect_tensor<double>(a.fmod(b), {4}, {1.5, -1.5, 1.5, -1.5});
  expect_tensor<double>(a.floor_divide(b), {4}, {2, -3, -3, 2});
  expect_tensor<double>(a.div(b, "trunc"), {4}, {2, -2, -2, 2});
  // Floating division by zero is IEEE's: NaN remainders, infinite quotients.
  const Tensor one = tensor({1.0, -1.0}, kFloat64), zero = tensor({0.0, 0.0}, kFloat64);
  expect_tensor<double>(one.remainder(zero), {2}, {kNan, kNan});
  expect_tensor<double>(one.fmod(zero), {2}, {kNan, kNan});
  expect_tensor<double>(one.floor_divide(zero), {2}, {kInf, -kInf});
  // Integer tensors with a floating divisor promote, as in PyTorch.
  expect_tensor<float>(tensor({7, -7}).remainder(tensor({2.5f})), {2}, {2.0f, 0.5f});
}

TEST_P(Division, IntegerDivisionByZeroIsAnError) {
  const Tensor a = tensor({1, 2}), b = tensor({1, 0});
  expect_error([&] { a.remainder(b); }, {"remainder", "division by zero", "[2]"});
  expect_error([&] { a.fmod(0); }, {"fmod", "division by zero"});
  expect_error([&] { a.floor_divide(b); }, {"floor_divide", "division by zero"});
  expect_error([&] { a.div(b, "trunc"); }, {"div", "division by zero"});
  expect_error([&] { a.div(b, "nearest"); }, {"div", "rounding_mode", "nearest"});
}

TEST_P(Division, Gradients) {
  // d remainder(a, b) = grad for a and -grad * floor(a / b) for b; fmod's uses trunc(a / b).
  const Tensor a = tensor({5.2, -3.7, 2.9}, kFloat64).requires_grad_();
  const Tensor b = tensor({1.5, 2.1, -1.3}, kFloat64).requires_grad_();
  a.remainder(b).sum().backward();
  expect_tensor<double>(a.grad(), {3}, {1, 1, 1});
  expect_tensor<double>(b.grad(), {3}, {-3, 2, 3});
  const Tensor b2 = b.detach().requires_grad_();
  a.detach().fmod(b2).sum().backward();
  expect_tensor<double>(b2.grad(), {3}, {-3, 1, 2});
  const autograd::GradcheckResult r = autograd::gradcheck(
      [](const Inputs& in) { return in[0].remainder(in[1]) + in[0].fmod(in[1]) * 2; }, {a, b});
  EXPECT_TRUE(r.ok) << r.report;
  // Quotients are piecewise constant: zero gradient, as in PyTorch.
  const Tensor x = tensor({2.5, -1.5}, kFloat64).requires_grad_();
  (x.floor_divide(2.0) + x.div(full({2}, 3.0, kFloat64), "trunc")).sum().backward();
  expect_tensor<double>(x.grad(), {2}, {0, 0});
}

}  // namespace
}  // namespace nabla

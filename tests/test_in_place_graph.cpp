// In-place ops on tensors of the autograd graph, as PyTorch allows them: a non-leaf takes the
// result's history, operands requiring grad get theirs, a view's base takes a history with the
// view's elements replaced, saved tensors that were overwritten are still caught at backward, and
// leaves requiring grad and tensors whose other views would go stale are refused.
#include "device_test.h"
#include "test_helpers.h"

#include <cmath>
#include <vector>

namespace nabla {
namespace {

using testing::expect_error;
using testing::expect_tensor;
using Inputs = std::vector<Tensor>;

NABLA_DEVICE_SUITE(InPlaceGraph);

TEST_P(InPlaceGraph, NonLeafTakesTheResultsHistory) {
  const Tensor x = tensor({1.0f, 2.0f}).requires_grad_();
  Tensor y = x * 2;
  y.add_(1);
  expect_tensor<float>(y, {2}, {3, 5});
  EXPECT_FALSE(y.is_leaf());
  y.sum().backward();
  expect_tensor<float>(x.grad(), {2}, {2, 2});  // PyTorch gives [2, 2]
}

TEST_P(InPlaceGraph, ChangingTheInputOfAnOpThatSavedItsOutputIsFine) {
  const Tensor x = tensor({0.5, 1.0}, kFloat64).requires_grad_();
  Tensor y = x * 2;
  const Tensor z = y.exp();  // saves its result, not y
  y.mul_(2);
  z.sum().backward();
  expect_tensor<double>(x.grad(), {2}, {2 * std::exp(1.0), 2 * std::exp(2.0)}, 1e-12);
}

TEST_P(InPlaceGraph, OperandsRequiringGradGetTheirGradient) {
  const Tensor x = tensor({1.0f, 2.0f}).requires_grad_();
  const Tensor w = tensor({3.0f, 4.0f}).requires_grad_();
  Tensor y = x * 1;
  y.mul_(w);  // w's gradient is the old y, which the op kept
  y.sum().backward();
  expect_tensor<float>(x.grad(), {2}, {3, 4});
  expect_tensor<float>(w.grad(), {2}, {1, 2});
  // A tensor outside the graph joins it by taking an operand that requires grad.
  Tensor buffer = zeros({2});
  buffer.add_(w, 2);
  EXPECT_TRUE(buffer.requires_grad());
  buffer.sum().backward();
  expect_tensor<float>(w.grad(), {2}, {3, 4});
}

TEST_P(InPlaceGraph, ChainsOfInPlaceOps) {
  const Tensor x = tensor({-1.0f, 0.5f, 2.0f}).requires_grad_();
  Tensor y = x * 1;
  y.mul_(3).add_(1).relu_();  // [0, 2.5, 7]
  expect_tensor<float>(y, {3}, {0, 2.5f, 7});
  y.sum().backward();
  expect_tensor<float>(x.grad(), {3}, {0, 3, 3});
  const autograd::GradcheckResult r = autograd::gradcheck(
      [](const Inputs& in) {
        Tensor t = in[0] * 1;
        t.mul_(in[1]).add_(in[0]).sub_(in[1], 0.5).div_(3);
        t.masked_fill_(t > 2, 0.5);
        return t.exp_().clamp_(0, 4);
      },
      {tensor({0.3, -0.7, 1.2}, kFloat64).requires_grad_(),
       tensor({1.5, 0.4, -2.0}, kFloat64).requires_grad_()});
  EXPECT_TRUE(r.ok) << r.report;
}

TEST_P(InPlaceGraph, FillCopyAndIndexPut) {
  const Tensor x = tensor({1.0f, 2.0f}).requires_grad_();
  Tensor y = x * 2;
  y.fill_(1);  // y's old history gets a zero gradient
  (y * x).sum().backward();
  expect_tensor<float>(x.grad(), {2}, {1, 1});
  const Tensor a = tensor({1.0f, 2.0f}).requires_grad_();
  Tensor target = zeros({2});
  target.copy_(a * 3);
  target.sum().backward();
  expect_tensor<float>(a.grad(), {2}, {3, 3});
  const Tensor b = tensor({1.0f, 2.0f, 3.0f}).requires_grad_();
  const Tensor v = tensor({5.0f}).requires_grad_();
  Tensor c = b * 1;
  c.index_put_({1}, v.sum() * 2);
  expect_tensor<float>(c, {3}, {1, 10, 3});
  c.sum().backward();
  expect_tensor<float>(b.grad(), {3}, {1, 0, 1});
  expect_tensor<float>(v.grad(), {1}, {2});
}

TEST_P(InPlaceGraph, OverwrittenSavedTensorsAreStillCaught) {
  const Tensor x = tensor({1.0f, 2.0f}).requires_grad_();
  Tensor y = x * 2;
  const Tensor z = y.pow(2);  // saves y
  y.add_(1);
  expect_error([&] { z.sum().backward(); }, {"PowBackward", "in-place"});
}

TEST_P(InPlaceGraph, LeavesAreRefused) {
  Tensor x = tensor({1.0f, 2.0f}).requires_grad_();
  expect_error([&] { x.mul_(2); }, {"mul_", "leaf that requires grad"});
  expect_error([&] { x.exp_(); }, {"exp_", "leaf that requires grad"});
  Tensor w = ones({2, 2}).requires_grad_();
  Tensor t = w.t();
  expect_error([&] { t.add_(1); }, {"add_", "view of a leaf that requires grad"});
}

TEST_P(InPlaceGraph, WritingThroughAViewRebasesItsBase) {
  const Tensor x = tensor({1.0f, 2.0f, 3.0f}).requires_grad_();
  Tensor y = x * 2;  // [2, 4, 6]
  Tensor first = y.select(0, 0);
  first.mul_(3);  // y = [6, 4, 6]
  expect_tensor<float>(y, {3}, {6, 4, 6});
  (y * y).sum().backward();  // d/dx of (6x0)^2 + (2x1)^2 + (2x2)^2
  expect_tensor<float>(x.grad(), {3}, {72, 16, 24});
  // The view itself now reads from the rebased base.
  const Tensor a = tensor({1.0f, 2.0f}).requires_grad_();
  Tensor b = a * 1;
  Tensor tail = b.narrow(0, 1, 1);
  tail.add_(a.sum());  // b = [1, 5]
  expect_tensor<float>(b, {2}, {1, 5});
  tail.sum().backward();  // tail = a1 + a0 + a1
  expect_tensor<float>(a.grad(), {2}, {1, 2});
}

TEST_P(InPlaceGraph, ViewWritesMatchFiniteDifferences) {
  const autograd::GradcheckResult r = autograd::gradcheck(
      [](const Inputs& in) {
        Tensor y = in[0] * 1;
        y.narrow(0, 1, 2).mul_(in[1]);
        y.select(1, 0).copy_(in[1].select(0, 1) * 3);
        y.t().select(0, 2).exp_();
        return y;
      },
      {tensor({{0.3, -0.7, 1.2}, {0.5, 0.1, -0.4}, {1.1, -0.2, 0.6}}, kFloat64).requires_grad_(),
       tensor({{1.5, 0.4, -2.0}, {0.7, -0.3, 0.9}}, kFloat64).requires_grad_()});
  EXPECT_TRUE(r.ok) << r.report;
}

TEST_P(InPlaceGraph, OtherViewsFollowTheirBaseAfterAnInPlaceChange) {
  const Tensor x = tensor({1.0f, 2.0f}).requires_grad_();
  Tensor y = x * 2;
  const Tensor first = y.select(0, 0);
  y.mul_(2);  // first now reads 4x0: its history is regenerated from y's when next used
  expect_tensor<float>(first, {}, {4});
  first.backward();
  expect_tensor<float>(x.grad(), {2}, {4, 0});
  const Tensor a = tensor({1.0f, 2.0f}).requires_grad_();
  Tensor b = a * 2;
  const Tensor left = b.select(0, 0);
  Tensor right = b.select(0, 1);
  right.mul_(a.select(0, 1));  // b = [2a0, 2a1^2]; left is unchanged but shares the storage
  (left * 10 + right).backward();
  expect_tensor<float>(a.grad(), {2}, {20, 8});
  // A clone is independent of the views.
  Tensor copy = b.select(0, 1).clone();
  copy.mul_(3);
  EXPECT_EQ(b.select(0, 1).item<float>(), 8.0f);
}

}  // namespace
}  // namespace nabla

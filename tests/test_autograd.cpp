// The autograd engine's behaviour: leaves and grads, accumulation, graph freeing, long chains,
// grad mode, detach, in-place detection, hooks, anomaly mode, and hand-computed gradients.
#include "device_test.h"
#include "test_helpers.h"

#include <cmath>
#include <vector>

#include <nabla/autograd/engine.h>

namespace nabla {
namespace {

NABLA_DEVICE_SUITE(Autograd);

using testing::expect_error;
using testing::expect_tensor;

TEST_P(Autograd, SeedArticleNetworkForwardAndGradients) {
  // Inputs (2, 3); hidden weights (1, 1) and (-1, 1); output weights (2, -1).
  Tensor x = tensor({2.0, 3.0}, requires_grad());
  Tensor hidden_weights = tensor({{1.0, 1.0}, {-1.0, 1.0}}, requires_grad());
  Tensor output_weights = tensor({2.0, -1.0}, requires_grad());
  Tensor hidden = matmul(hidden_weights, x);
  Tensor output = matmul(output_weights, hidden);
  expect_tensor<float>(hidden, {2}, {5.0f, 1.0f});
  expect_tensor<float>(output, {}, {9.0f});
  output.backward();
  // d out / d output_weights = hidden; d out / d hidden_weights[j][i] = output_weights[j] * x[i];
  // d out / d x = hidden_weights^T output_weights = (1*2 + -1*-1, 1*2 + 1*-1).
  expect_tensor<float>(output_weights.grad(), {2}, {5.0f, 1.0f});
  expect_tensor<float>(hidden_weights.grad(), {2, 2}, {4.0f, 6.0f, -2.0f, -3.0f});
  expect_tensor<float>(x.grad(), {2}, {3.0f, 1.0f});
}

TEST_P(Autograd, LeavesAndNonLeaves) {
  Tensor x = ones({2}, requires_grad());
  Tensor y = x * 2;
  EXPECT_TRUE(x.is_leaf());
  EXPECT_TRUE(x.requires_grad());
  EXPECT_FALSE(y.is_leaf());
  EXPECT_TRUE(y.requires_grad());
  EXPECT_NE(y.grad_fn(), nullptr);
  EXPECT_STREQ(y.grad_fn()->name(), "MulBackward");
  EXPECT_EQ(x.grad_fn(), nullptr);
  Tensor plain = ones({2});
  EXPECT_FALSE(plain.requires_grad());
  EXPECT_FALSE((plain * 2).requires_grad());
}

TEST_P(Autograd, SetRequiresGradOnlyForFloatingLeaves) {
  expect_error([] { tensor({1, 2}).set_requires_grad(true); }, {"set_requires_grad", "int64"});
  Tensor x = ones({2}).set_requires_grad(true);
  expect_error([&] { (x * 2).set_requires_grad(false); }, {"set_requires_grad", "not a leaf"});
  x.set_requires_grad(false);
  EXPECT_FALSE(x.requires_grad());
}

TEST_P(Autograd, LeafGradAccumulatesAcrossBackwardCalls) {
  Tensor x = tensor({1.0, 2.0}, requires_grad());
  (x * x).sum().backward();
  expect_tensor<float>(x.grad(), {2}, {2.0f, 4.0f});
  (x * 3).sum().backward();
  expect_tensor<float>(x.grad(), {2}, {5.0f, 7.0f});
}

TEST_P(Autograd, GradientsAddUpWhereATensorFeedsSeveralOps) {
  Tensor x = tensor({1.0, -2.0, 3.0}, requires_grad());
  Tensor y = x * x + x.exp() + x;  // dy/dx = 2x + e^x + 1
  y.sum().backward();
  std::vector<float> expected;
  for (double v : {1.0, -2.0, 3.0}) expected.push_back(static_cast<float>(2 * v + std::exp(v) + 1));
  expect_tensor<float>(x.grad(), {3}, expected, 1e-5);
}

TEST_P(Autograd, NonLeafKeepsNoGradUnlessRetained) {
  Tensor x = tensor({1.0, 2.0}, requires_grad());
  Tensor hidden = x * 3;
  Tensor kept = x * 5;
  kept.retain_grad();
  EXPECT_TRUE(kept.retains_grad());
  (hidden * kept).sum().backward();
  EXPECT_FALSE(hidden.grad().defined());
  expect_tensor<float>(kept.grad(), {2}, {3.0f, 6.0f});  // d(h * k)/dk = h = 3x
  expect_tensor<float>(x.grad(), {2}, {30.0f, 60.0f});   // d(15 x^2)/dx = 30 x
}

TEST_P(Autograd, BroadcastGradientsAreSummedToTheInputShape) {
  Tensor a = ones({2, 3}, requires_grad());
  Tensor b = tensor({1.0, 2.0, 3.0}, requires_grad());
  Tensor c = scalar_tensor(2.5, requires_grad());
  (a * b + c).sum().backward();
  expect_tensor<float>(b.grad(), {3}, {2.0f, 2.0f, 2.0f});
  expect_tensor<float>(c.grad(), {}, {6.0f});
  expect_tensor<float>(a.grad(), {2, 3}, {1, 2, 3, 1, 2, 3});
}

TEST_P(Autograd, ChainOfOneHundredThousandOpsNeitherRecursesNorOverflows) {
  Tensor x = tensor({1.0}, requires_grad());
  Tensor y = x;
  for (int i = 0; i < 100000; ++i) y = y * 1.0 + 1.0;  // dy/dx stays 1
  y.sum().backward();
  expect_tensor<float>(x.grad(), {1}, {1.0f});
  expect_tensor<float>(y, {1}, {100001.0f});
  y = Tensor();  // freeing the whole chain must not recurse either
  SUCCEED();
}

TEST_P(Autograd, SecondBackwardThroughAFreedGraphIsAnError) {
  Tensor x = tensor({1.0, 2.0}, requires_grad());
  Tensor loss = (x.exp() * x).sum();
  loss.backward();
  expect_error([&] { loss.backward(); }, {"second time", "retain_graph"});
}

TEST_P(Autograd, RetainGraphAllowsASecondBackward) {
  Tensor x = tensor({1.0, 2.0}, requires_grad());
  Tensor loss = (x * x).sum();
  loss.backward(Tensor(), /*retain_graph=*/true);
  loss.backward();
  expect_tensor<float>(x.grad(), {2}, {4.0f, 8.0f});
}

TEST_P(Autograd, NonScalarBackwardNeedsAnExplicitGradient) {
  Tensor x = tensor({1.0, 2.0}, requires_grad());
  Tensor y = x * 2;
  expect_error([&] { y.backward(); }, {"backward", "scalar", "[2]"});
  expect_error([&] { y.backward(ones({3})); }, {"backward", "[3]", "[2]"});
  y.backward(tensor({1.0, 10.0}));
  expect_tensor<float>(x.grad(), {2}, {2.0f, 20.0f});
}

TEST_P(Autograd, BackwardOfATensorWithoutGradIsAnError) {
  expect_error([] { ones({1}).sum().backward(); }, {"backward", "does not require grad"});
}

TEST_P(Autograd, NoGradGuardStopsRecording) {
  Tensor x = ones({2}, requires_grad());
  EXPECT_TRUE(is_grad_enabled());
  {
    NoGradGuard guard;
    EXPECT_FALSE(is_grad_enabled());
    Tensor y = x * 2;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
    { NoGradGuard nested; }
    EXPECT_FALSE(is_grad_enabled());
  }
  EXPECT_TRUE(is_grad_enabled());
  EXPECT_TRUE((x * 2).requires_grad());
}

TEST_P(Autograd, DetachSharesDataButLeavesTheGraph) {
  Tensor x = tensor({1.0, 2.0}, requires_grad());
  Tensor y = x * 3;
  Tensor d = y.detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_TRUE(d.is_alias_of(y));
  expect_tensor<float>(d, {2}, {3.0f, 6.0f});
  Tensor z = (y + d).sum();  // d is a constant: only y's path carries gradient
  z.backward();
  expect_tensor<float>(x.grad(), {2}, {3.0f, 3.0f});
}

TEST_P(Autograd, InPlaceChangeOfASavedTensorIsCaughtAtBackward) {
  Tensor w = tensor({1.0, 2.0}, requires_grad());
  Tensor x = tensor({3.0, 4.0});
  Tensor loss = (w * x).sum();  // MulBackward saves x to compute w's gradient
  x.add_(1.0);                  // x does not require grad, so this is allowed...
  expect_error([&] { loss.backward(); }, {"MulBackward", "in-place", "version 1", "expected 0"});
}

TEST_P(Autograd, InPlaceChangeThroughAViewIsCaughtToo) {
  Tensor w = tensor({1.0, 2.0}, requires_grad());
  Tensor y = w.exp();  // ExpBackward saves its output
  Tensor loss = y.sum();
  {
    NoGradGuard guard;
    y.detach().select(0, 0).fill_(0);  // a view of y's storage bumps the shared version
  }
  expect_error([&] { loss.backward(); }, {"ExpBackward", "in-place"});
}

TEST_P(Autograd, InPlaceOpsRefuseLeavesRequiringGrad) {
  Tensor w = ones({2}, requires_grad());
  expect_error([&] { w.add_(1.0); }, {"add_", "leaf that requires grad", "NoGradGuard"});
  NoGradGuard guard;  // optimizer-style updates are fine without grad mode
  w.sub_(ones({2}), 0.5);
  expect_tensor<float>(w, {2}, {0.5f, 0.5f});
}

TEST_P(Autograd, HookSeesAndMayReplaceTheGradient) {
  Tensor x = tensor({1.0, 2.0}, requires_grad());
  Tensor y = x * x;
  std::vector<float> seen;
  y.register_hook([&](const Tensor& grad) { seen = grad.to_vector<float>(); });
  y.register_hook([](const Tensor& grad) { return grad * 10; });
  y.sum().backward();
  EXPECT_EQ(seen, (std::vector<float>{1.0f, 1.0f}));
  expect_tensor<float>(x.grad(), {2}, {20.0f, 40.0f});  // 10 * 2x
}

TEST_P(Autograd, HookOnALeafRunsBeforeAccumulation) {
  Tensor x = tensor({1.0, 2.0}, requires_grad());
  x.register_hook([](const Tensor& grad) { return grad.clamp_max(1.5); });
  (x * 3).sum().backward();
  expect_tensor<float>(x.grad(), {2}, {1.5f, 1.5f});
  expect_error([] { ones({1}).register_hook([](const Tensor&) {}); }, {"register_hook"});
}

TEST_P(Autograd, PostAccumulateHookSeesTheAccumulatedGradient) {
  Tensor x = tensor({1.0, 2.0}, requires_grad());
  std::vector<std::vector<float>> seen;
  x.register_post_accumulate_grad_hook(
      [&](const Tensor& leaf) { seen.push_back(leaf.grad().to_vector<float>()); });
  (x * 3).sum().backward();
  (x * x).sum().backward();  // accumulates 2x = (2, 4) onto (3, 3)
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], (std::vector<float>{3.0f, 3.0f}));
  EXPECT_EQ(seen[1], (std::vector<float>{5.0f, 7.0f}));
  expect_error([&] { (x * 2).register_post_accumulate_grad_hook([](const Tensor&) {}); },
               {"register_post_accumulate_grad_hook", "leaf"});
}

TEST_P(Autograd, QueuedCallbacksRunWhenTheWholePassHasFinished) {
  // a feeds b and c; the callback queued from a's gradient hook (the first leaf to finish here or
  // not) sees every leaf's final gradient, and one it queues itself runs too.
  Tensor a = tensor({1.0}, requires_grad()), b = tensor({2.0}, requires_grad());
  std::vector<float> at_end;
  bool nested = false;
  a.register_post_accumulate_grad_hook([&](const Tensor&) {
    autograd::queue_callback([&] {
      at_end = {a.grad().item<float>(), b.grad().item<float>()};
      autograd::queue_callback([&] { nested = true; });
    });
  });
  (a * b + b * b).sum().backward();
  EXPECT_EQ(at_end, (std::vector<float>{2.0f, 5.0f}));  // d/da = b, d/db = a + 2b
  EXPECT_TRUE(nested);
  expect_error([] { autograd::queue_callback([] {}); }, {"queue_callback", "no backward pass"});
}

TEST_P(Autograd, AnomalyModeNamesTheOpThatProducedNaN) {
  Tensor x = tensor({0.0, 4.0}, requires_grad());
  {
    // Without anomaly mode the infinite gradient of sqrt at 0 passes silently.
    Tensor loss = x.sqrt().sum();
    loss.backward();
    EXPECT_TRUE(std::isinf(x.grad().to_vector<float>()[0]));
  }
  autograd::DetectAnomalyGuard anomaly;
  Tensor loss = (x.sqrt() * 0).sum();  // 0 * inf = nan in SqrtBackward's result
  expect_error([&] { loss.backward(); }, {"anomaly", "SqrtBackward", "nan"});
}

TEST_P(Autograd, MaxOfTiesSharesTheGradientEvenly) {
  Tensor x = tensor({1.0, 3.0, 3.0}, requires_grad());
  x.max().backward();
  expect_tensor<float>(x.grad(), {3}, {0.0f, 0.5f, 0.5f});
  Tensor y = tensor({{1.0, 5.0}, {5.0, 2.0}}, requires_grad());
  y.amax({0}).sum().backward();
  expect_tensor<float>(y.grad(), {2, 2}, {0.0f, 1.0f, 1.0f, 0.0f});
}

TEST_P(Autograd, MaxAlongADimSendsTheGradientToTheChosenIndex) {
  Tensor x = tensor({{1.0, 3.0, 3.0}, {7.0, 2.0, 0.0}}, requires_grad());
  auto [values, indices] = x.max(1);
  expect_tensor<int64_t>(indices, {2}, {1, 0});  // the first of equal maxima
  (values * tensor({1.0, 10.0})).sum().backward();
  expect_tensor<float>(x.grad(), {2, 3}, {0.0f, 1.0f, 0.0f, 10.0f, 0.0f, 0.0f});
}

TEST_P(Autograd, IntegerOutputsRecordNothing) {
  Tensor x = tensor({1.0, 3.0}, requires_grad());
  EXPECT_FALSE(x.argmax().requires_grad());
  EXPECT_FALSE((x > 2).requires_grad());
}

TEST_P(Autograd, GradientFlowsThroughDtypeConversion) {
  Tensor x = tensor({1.0, 2.0}, kFloat64).set_requires_grad(true);
  (x.to(kFloat32) * 2).sum().backward();
  EXPECT_EQ(x.grad().dtype(), kFloat64);
  expect_tensor<double>(x.grad(), {2}, {2.0, 2.0});
}

}  // namespace
}  // namespace nabla

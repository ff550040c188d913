// The losses beyond the basics, and the options PyTorch code passes: cross entropy with class
// weights, probability targets and [N, C, d...] inputs; NLL with weights; every target ignored;
// BCE with logits with pos_weight and weight; BCE on probabilities; smooth L1, Huber, KL
// divergence, margin ranking and cosine embedding. Hand-computed values, gradients by hand and by
// finite differences in float64, and errors.
#include "device_test.h"
#include "test_helpers.h"

#include <cmath>
#include <vector>

namespace nabla {
namespace {

NABLA_DEVICE_SUITE(Losses);

using testing::expect_error;
using testing::expect_tensor;
using Inputs = std::vector<Tensor>;
using testing::gradients_match;
namespace F = nn::functional;

// Rows whose probabilities are (1/8, 1/4, 5/8), (3/5, 1/5, 1/5) and uniform; targets 2, 0, 1, so
// -log p_target is ln 1.6, ln(5/3) and ln 3.
Tensor logits(ScalarType dtype = kFloat32) {
  const double ln2 = std::log(2.0), ln3 = std::log(3.0), ln5 = std::log(5.0);
  return tensor({{0.0, ln2, ln5}, {ln3, 0.0, 0.0}, {0.0, 0.0, 0.0}}, dtype);
}
Tensor targets() {
  return tensor({2, 0, 1});
}
Tensor grad_of(const Tensor& x, const std::function<Tensor(const Tensor&)>& loss) {
  Tensor leaf = x.clone().requires_grad_();
  loss(leaf).backward();
  return leaf.grad();
}
float f(double v) {
  return static_cast<float>(v);
}

TEST_P(Losses, CrossEntropyWithClassWeights) {
  // Weights (1, 2, 3): rows weigh w_target = 3, 1, 2; the mean divides by their sum, 6.
  const Tensor w = tensor({1.0f, 2.0f, 3.0f});
  const auto options = nn::CrossEntropyOptions().weight(w);
  const double r0 = 3 * std::log(1.6), r1 = std::log(5.0 / 3), r2 = 2 * std::log(3.0);
  expect_tensor<float>(nn::CrossEntropyLoss(options)(logits(), targets()), {},
                       {f((r0 + r1 + r2) / 6)}, 1e-6);
  expect_tensor<float>(
      F::cross_entropy(logits(), targets(), nn::CrossEntropyOptions(options).reduction(nn::kNone)),
      {3}, {f(r0), f(r1), f(r2)}, 1e-6);
  // Gradient w_target (p - onehot) / 6 per row.
  expect_tensor<float>(
      grad_of(logits(), [&](const Tensor& x) { return F::cross_entropy(x, targets(), options); }),
      {3, 3},
      {1.0f / 16, 1.0f / 8, -3.0f / 16, -1.0f / 15, 1.0f / 30, 1.0f / 30, 1.0f / 9, -2.0f / 9,
       1.0f / 9},
      1e-6);
  // With smoothing s = 0.3: (1 - s) w_y nll + (s / C) sum_c w_c (-log p_c), over the same 6.
  const double s0 = 0.7 * r0 + 0.1 * (std::log(8.0) + 2 * std::log(4.0) + 3 * std::log(1.6));
  const double s1 = 0.7 * r1 + 0.1 * (std::log(5.0 / 3) + 5 * std::log(5.0));
  const double s2 = 0.7 * r2 + 0.1 * 6 * std::log(3.0);
  expect_tensor<float>(
      F::cross_entropy(logits(), targets(), nn::CrossEntropyOptions(options).label_smoothing(0.3)),
      {}, {f((s0 + s1 + s2) / 6)}, 1e-6);
  // Ignored rows drop out of the weight sum too.
  expect_tensor<float>(F::cross_entropy(logits(), tensor({2, -100, 1}), options), {},
                       {f((r0 + r2) / 5)}, 1e-6);
}

TEST_P(Losses, WeightedCrossEntropyGradientMatchesFiniteDifferences) {
  manual_seed(8);
  const Tensor x = randn({4, 5}, kFloat64).requires_grad_();
  const Tensor t = tensor({4, 0, -100, 2});
  const auto options = nn::CrossEntropyOptions()
                           .weight(tensor({0.5, 1.0, 2.0, 1.5, 0.25}, kFloat64))
                           .label_smoothing(0.2);
  EXPECT_TRUE(
      gradients_match([&](const Inputs& in) { return F::cross_entropy(in[0], t, options); }, {x}));
  // Unweighted with smoothing (the fused path) too.
  EXPECT_TRUE(gradients_match(
      [&](const Inputs& in) {
        return F::cross_entropy(in[0], t, nn::CrossEntropyOptions().label_smoothing(0.2));
      },
      {x}));
}

TEST_P(Losses, CrossEntropyWithProbabilityTargets) {
  // q rows (1/2, 1/2, 0), (0, 0, 1), uniform: -sum q log p = (ln 8 + ln 4) / 2, ln 5, ln 3.
  const Tensor q = tensor({{0.5f, 0.5f, 0.0f}, {0.0f, 0.0f, 1.0f}, {1 / 3.0f, 1 / 3.0f, 1 / 3.0f}});
  const double r0 = 2.5 * std::log(2.0), r1 = std::log(5.0), r2 = std::log(3.0);
  expect_tensor<float>(nn::CrossEntropyLoss()(logits(), q), {}, {f((r0 + r1 + r2) / 3)}, 1e-6);
  expect_tensor<float>(
      F::cross_entropy(logits(), q, nn::CrossEntropyOptions().reduction(nn::kNone)), {3},
      {f(r0), f(r1), f(r2)}, 1e-6);
  // Gradient (p - q) / 3.
  expect_tensor<float>(
      grad_of(logits(), [&](const Tensor& x) { return F::cross_entropy(x, q); }), {3, 3},
      {(0.125f - 0.5f) / 3, (0.25f - 0.5f) / 3, 0.625f / 3, 0.6f / 3, 0.2f / 3, -0.8f / 3, 0, 0, 0},
      1e-6);
  // One-hot probabilities give the class-index loss.
  expect_tensor<float>(F::cross_entropy(logits(), one_hot(targets(), 3).to(kFloat32)), {},
                       {f(std::log(2.0))}, 1e-6);
  // With class weights and smoothing, by finite differences (the target is differentiable too).
  manual_seed(9);
  const Tensor x = randn({3, 4}, kFloat64).requires_grad_();
  const Tensor p = softmax(randn({3, 4}, kFloat64), 1).requires_grad_();
  const auto options =
      nn::CrossEntropyOptions().weight(tensor({1.0, 2.0, 0.5, 1.0}, kFloat64)).label_smoothing(0.1);
  EXPECT_TRUE(gradients_match(
      [&](const Inputs& in) { return F::cross_entropy(in[0], in[1], options); }, {x, p}));
  expect_error([&] { F::cross_entropy(logits(), q, nn::CrossEntropyOptions().ignore_index(0)); },
               {"cross_entropy", "ignore_index", "probability"});
}

TEST_P(Losses, CrossEntropyOverSpatialDims) {
  // [N, C, d]: the classes along dim 1, one loss per position; the logits' rows as positions.
  const Tensor x = logits().t().unsqueeze(0);  // [1, 3, 3]
  const Tensor t = targets().unsqueeze(0);     // [1, 3]
  expect_tensor<float>(F::cross_entropy(x, t, nn::CrossEntropyOptions().reduction(nn::kNone)),
                       {1, 3}, {f(std::log(1.6)), f(std::log(5.0 / 3)), f(std::log(3.0))}, 1e-6);
  expect_tensor<float>(F::cross_entropy(x, t), {}, {f(std::log(2.0))}, 1e-6);
  // The gradient lands back in [N, C, d] order: the transposed row gradient.
  const Tensor g = grad_of(x, [&](const Tensor& in) { return F::cross_entropy(in, t); });
  const Tensor row_grad =
      grad_of(logits(), [&](const Tensor& in) { return F::cross_entropy(in, targets()); });
  EXPECT_TRUE(allclose(g, row_grad.t().unsqueeze(0), 1e-6, 1e-7));
  // [N, C, H, W] with probability targets and with NLL, by finite differences.
  manual_seed(10);
  const Tensor image = randn({2, 3, 2, 2}, kFloat64).requires_grad_();
  const Tensor labels = tensor({{{0, 2}, {1, 1}}, {{2, -100}, {0, 1}}});
  EXPECT_TRUE(
      gradients_match([&](const Inputs& in) { return F::cross_entropy(in[0], labels); }, {image}));
  EXPECT_TRUE(gradients_match(
      [&](const Inputs& in) {
        return F::nll_loss(in[0], labels,
                           nn::NLLLossOptions().weight(tensor({1.0, 3.0, 0.5}, kFloat64)));
      },
      {image}));
  const Tensor q = softmax(randn({2, 3, 2, 2}, kFloat64), 1);
  EXPECT_TRUE(
      gradients_match([&](const Inputs& in) { return F::cross_entropy(in[0], q); }, {image}));
  expect_error(
      [&] {
        F::cross_entropy(image.detach(), tensor({{0, 1}, {1, 0}}));
      },
      {"cross_entropy", "[2, 2, 2]", "[2, 3, 2, 2]", "[2, 2]"});
}

TEST_P(Losses, EveryTargetIgnoredGivesNanLossAndZeroGradient) {
  const Tensor none = tensor({-100, -100, -100});
  for (const auto& options :
       {nn::CrossEntropyOptions(), nn::CrossEntropyOptions().weight(tensor({1.0f, 2.0f, 3.0f}))}) {
    Tensor x = logits().requires_grad_();
    const Tensor loss = F::cross_entropy(x, none, options);
    EXPECT_TRUE(std::isnan(loss.item<float>()));
    loss.backward();
    expect_tensor<float>(x.grad(), {3, 3}, std::vector<float>(9, 0.0f));
  }
  Tensor logp = log_softmax(logits(), 1).detach().requires_grad_();
  const Tensor loss = F::nll_loss(logp, none);
  EXPECT_TRUE(std::isnan(loss.item<float>()));
  loss.backward();
  expect_tensor<float>(logp.grad(), {3, 3}, std::vector<float>(9, 0.0f));
}

TEST_P(Losses, NLLLossWithClassWeights) {
  // Picks -3 (class 2, weight 4) and -0.5 (class 0, weight 1): losses 12 and 0.5, mean over 5.
  const Tensor logp = tensor({{-1.0f, -2.0f, -3.0f}, {-0.5f, -1.5f, -2.5f}});
  const auto options = nn::NLLLossOptions().weight(tensor({1.0f, 2.0f, 4.0f}));
  expect_tensor<float>(nn::NLLLoss(options)(logp, tensor({2, 0})), {}, {2.5f});
  expect_tensor<float>(
      F::nll_loss(logp, tensor({2, 0}), nn::NLLLossOptions(options).reduction(nn::kNone)), {2},
      {12.0f, 0.5f});
  expect_tensor<float>(grad_of(logp,
                               [&](const Tensor& x) {
                                 return F::nll_loss(x, tensor({2, 0}), options);
                               }),
                       {2, 3}, {0, 0, -0.8f, -0.2f, 0, 0});
  // One sample: [C] with a 0-dim target.
  expect_tensor<float>(F::nll_loss(tensor({-1.0f, -2.0f}), scalar_tensor(1, kInt64)), {}, {2.0f});
}

TEST_P(Losses, ClassWeightsAreChecked) {
  expect_error(
      [] { F::cross_entropy(logits(), targets(), nn::CrossEntropyOptions().weight(ones({2}))); },
      {"cross_entropy", "weight", "[3]", "[2]"});
  expect_error(
      [] {
        F::nll_loss(logits(), targets(), nn::NLLLossOptions().weight(tensor({1, 2, 3})));
      },
      {"nll_loss", "floating weight", "int64"});
  expect_error(
      [] {
        F::nll_loss(logits(), tensor({0.0f, 1.0f, 2.0f}));
      },
      {"nll_loss", "int64", "float32"});
}

TEST_P(Losses, BCEWithLogitsPosWeightAndWeight) {
  // x = 0: sigmoid 1/2. y = 1 with pos_weight 3: 3 ln 2; y = 0: ln 2 (pos_weight leaves it).
  // Gradient (1 - y) - (1 + 2 y) sigmoid(-x): -1.5 and 0.5.
  const Tensor x = zeros({2, 2});
  const Tensor y = tensor({{1.0f, 0.0f}, {1.0f, 0.0f}});
  const auto options = nn::BCEWithLogitsLossOptions().pos_weight(tensor({3.0f, 3.0f}));
  const float ln2 = std::log(2.0f);
  expect_tensor<float>(F::binary_cross_entropy_with_logits(
                           x, y, nn::BCEWithLogitsLossOptions(options).reduction(nn::kNone)),
                       {2, 2}, {3 * ln2, ln2, 3 * ln2, ln2}, 1e-6);
  expect_tensor<float>(
      grad_of(
          x, [&](const Tensor& in) { return F::binary_cross_entropy_with_logits(in, y, options); }),
      {2, 2}, {-1.5f / 4, 0.5f / 4, -1.5f / 4, 0.5f / 4}, 1e-7);
  // A weight per row doubles row 1's loss and gradient.
  const auto weighted = nn::BCEWithLogitsLossOptions(options).weight(tensor({{1.0f}, {2.0f}}));
  expect_tensor<float>(nn::BCEWithLogitsLoss(weighted)(x, y), {}, {f(12 * std::log(2.0) / 4)},
                       1e-6);
  // A soft target y = 1/2 at x = ln 3 with pos_weight 3: l = 2, loss 1/2 ln 3 + 2 ln(4/3).
  expect_tensor<float>(F::binary_cross_entropy_with_logits(
                           tensor({std::log(3.0f)}), tensor({0.5f}),
                           nn::BCEWithLogitsLossOptions().pos_weight(tensor({3.0f}))),
                       {}, {f(0.5 * std::log(3.0) + 2 * std::log(4.0 / 3))}, 1e-6);
  // Finite differences in the logits and the targets.
  manual_seed(12);
  const Tensor logits64 = randn({3, 4}, kFloat64).requires_grad_();
  const Tensor probs = rand({3, 4}, kFloat64).requires_grad_();
  const auto both = nn::BCEWithLogitsLossOptions()
                        .pos_weight(tensor({0.5, 2.0, 1.0, 4.0}, kFloat64))
                        .weight(tensor({{1.0}, {0.5}, {2.0}}, kFloat64));
  EXPECT_TRUE(gradients_match(
      [&](const Inputs& in) { return F::binary_cross_entropy_with_logits(in[0], in[1], both); },
      {logits64, probs}));
  expect_error(
      [] {
        F::binary_cross_entropy_with_logits(ones({2, 3}), ones({2, 3}),
                                            nn::BCEWithLogitsLossOptions().pos_weight(ones({2})));
      },
      {"binary_cross_entropy_with_logits", "pos_weight"});
}

TEST_P(Losses, BCEOnProbabilities) {
  // -(y ln x + (1 - y) ln(1 - x)): ln 2, -ln 0.75, 0, and 100 where the log of 0 is clamped.
  const Tensor x = tensor({0.5f, 0.25f, 0.0f, 0.0f});
  const Tensor y = tensor({1.0f, 0.0f, 0.0f, 1.0f});
  expect_tensor<float>(nn::BCELoss(nn::BCELossOptions().reduction(nn::kNone))(x, y), {4},
                       {f(std::log(2.0)), f(-std::log(0.75)), 0.0f, 100.0f}, 1e-5);
  // Gradient (x - y) / max(x (1 - x), 1e-12), summed: -2, 4/3, 0 and -1e12.
  const Tensor g = grad_of(x, [&](const Tensor& in) {
    return F::binary_cross_entropy(in, y, nn::BCELossOptions().reduction(nn::kSum));
  });
  expect_tensor<float>(g.slice(0, 0, 3), {3}, {-2.0f, 4.0f / 3, 0.0f}, 1e-6);
  EXPECT_FLOAT_EQ(g[3].item<float>(), -1e12f);
  // Weight, and finite differences in input and target.
  manual_seed(13);
  const Tensor p = (rand({2, 3}, kFloat64) * 0.8 + 0.1).requires_grad_();
  const Tensor t = rand({2, 3}, kFloat64).requires_grad_();
  const auto weighted = nn::BCELossOptions().weight(tensor({1.0, 2.0, 0.5}, kFloat64));
  EXPECT_TRUE(gradients_match(
      [&](const Inputs& in) { return F::binary_cross_entropy(in[0], in[1], weighted); }, {p, t}));
  expect_error([] { F::binary_cross_entropy(tensor({1.5f}), tensor({1.0f})); },
               {"binary_cross_entropy", "[0, 1]"});
  expect_error([] { F::binary_cross_entropy(tensor({NAN}), tensor({1.0f})); },
               {"binary_cross_entropy", "[0, 1]"});
}

TEST_P(Losses, SmoothL1AndHuber) {
  // d = (0.5, -2, 1, 0). Smooth L1, beta 1: 0.125, 1.5, 0.5, 0 (mean 0.53125); gradient
  // clamp(d / beta, -1, 1) / 4.
  const Tensor target = zeros({4});
  const Tensor x = tensor({0.5f, -2.0f, 1.0f, 0.0f});
  expect_tensor<float>(nn::SmoothL1Loss()(x, target), {}, {0.53125f});
  expect_tensor<float>(grad_of(x, [&](const Tensor& in) { return F::smooth_l1_loss(in, target); }),
                       {4}, {0.125f, -0.25f, 0.25f, 0.0f});
  // beta 0.5: 0.25, 1.75, 0.75, 0; beta 0 is L1.
  expect_tensor<float>(
      F::smooth_l1_loss(x, target, nn::SmoothL1LossOptions().beta(0.5).reduction(nn::kNone)), {4},
      {0.25f, 1.75f, 0.75f, 0.0f});
  expect_tensor<float>(F::smooth_l1_loss(x, target, nn::SmoothL1LossOptions().beta(0)), {},
                       {0.875f});
  // Huber, delta 2: 0.125, 2 (2 - 1) = 2, 0.5, 0; it is smooth L1 times delta.
  expect_tensor<float>(
      nn::HuberLoss(nn::HuberLossOptions().delta(2).reduction(nn::kNone))(x, target), {4},
      {0.125f, 2.0f, 0.5f, 0.0f});
  manual_seed(14);
  const Tensor a = (randn({6}, kFloat64) * 2).requires_grad_();
  const Tensor b = randn({6}, kFloat64);
  EXPECT_TRUE(gradients_match(
      [&](const Inputs& in) {
        return F::smooth_l1_loss(in[0], b, nn::SmoothL1LossOptions().beta(0.7)) +
               F::huber_loss(in[0], b, nn::HuberLossOptions().delta(1.3));
      },
      {a}));
  expect_error([] { F::smooth_l1_loss(ones({2}), ones({2}), nn::SmoothL1LossOptions().beta(-1)); },
               {"smooth_l1_loss", "beta"});
  expect_error([] { F::huber_loss(ones({2}), ones({2}), nn::HuberLossOptions().delta(0)); },
               {"huber_loss", "delta"});
}

TEST_P(Losses, KLDivergence) {
  // input = log q with q rows (1/4, 3/4) and (1/2, 1/2); target p rows (1/2, 1/2) and (0, 1).
  const Tensor log_q = tensor({{0.25, 0.75}, {0.5, 0.5}}, kFloat64).log();
  const Tensor p = tensor({{0.5, 0.5}, {0.0, 1.0}}, kFloat64);
  const double row0 = 0.5 * std::log(2.0) + 0.5 * std::log(2.0 / 3);
  const double row1 = std::log(2.0);  // the 0 entry adds nothing
  const auto batchmean = nn::KLDivLossOptions().reduction(nn::kBatchMean);
  expect_tensor<double>(nn::KLDivLoss(batchmean)(log_q, p), {}, {(row0 + row1) / 2}, 1e-15);
  expect_tensor<double>(F::kl_div(log_q, p), {}, {(row0 + row1) / 4}, 1e-15);  // over elements
  expect_tensor<double>(F::kl_div(log_q, p, nn::KLDivLossOptions().reduction(nn::kSum)), {},
                        {row0 + row1}, 1e-15);
  // The target as log-probabilities: target (0.25, 0.75) in row 1. (A log target of -inf is NaN
  // here, as in PyTorch: exp(-inf) * -inf.)
  const Tensor p2 = tensor({{0.5, 0.5}, {0.25, 0.75}}, kFloat64);
  const double row1b = 0.25 * std::log(0.5) + 0.75 * std::log(1.5);
  expect_tensor<double>(
      F::kl_div(log_q, p2.log(), nn::KLDivLossOptions(batchmean).log_target(true)), {},
      {(row0 + row1b) / 2}, 1e-15);
  expect_tensor<double>(F::kl_div(log_q, p2, batchmean), {}, {(row0 + row1b) / 2}, 1e-15);
  // d/d input = -p / batch; the target's gradient stays finite where it is 0.
  expect_tensor<double>(
      grad_of(log_q, [&](const Tensor& in) { return F::kl_div(in, p, batchmean); }), {2, 2},
      {-0.25, -0.25, 0.0, -0.5});
  const Tensor pg = grad_of(p, [&](const Tensor& in) { return F::kl_div(log_q, in, batchmean); });
  EXPECT_TRUE(isfinite(pg).all().item<bool>());
  manual_seed(15);
  const Tensor x = log_softmax(randn({3, 4}, kFloat64), 1).requires_grad_();
  const Tensor t = softmax(randn({3, 4}, kFloat64), 1).requires_grad_();
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return F::kl_div(in[0], in[1], batchmean); },
                              {x, t}));
  EXPECT_TRUE(gradients_match(
      [&](const Inputs& in) {
        return F::kl_div(in[0], in[1], nn::KLDivLossOptions().log_target(true));
      },
      {x, t.log().detach().requires_grad_()}));
  expect_error([] { F::mse_loss(ones({2}), ones({2}), nn::kBatchMean); },
               {"mse_loss", "batchmean", "kl_div"});
}

TEST_P(Losses, MarginRanking) {
  // -y (x1 - x2) + margin with margin 0.5: 1.5, 0.5, -1.5 -> 0; mean 2/3.
  const Tensor x1 = tensor({1.0f, 2.0f, 3.0f}), x2 = tensor({2.0f, 2.0f, 1.0f});
  const Tensor y = tensor({1.0f, -1.0f, 1.0f});
  const auto options = nn::MarginRankingLossOptions().margin(0.5);
  expect_tensor<float>(nn::MarginRankingLoss(options)(x1, x2, y), {}, {2.0f / 3}, 1e-7);
  // d/dx1 = -y / 3 where the hinge is active.
  expect_tensor<float>(
      grad_of(x1, [&](const Tensor& in) { return F::margin_ranking_loss(in, x2, y, options); }),
      {3}, {-1.0f / 3, 1.0f / 3, 0.0f}, 1e-7);
  expect_error([&] { F::margin_ranking_loss(x1, x2, ones({2})); },
               {"margin_ranking_loss", "[3]", "[2]"});
}

TEST_P(Losses, CosineEmbedding) {
  // Row 0: orthogonal, target 1: 1 - 0 = 1. Row 1: parallel, target -1, margin 0.5: 1 - 0.5.
  const Tensor x1 = tensor({{1.0f, 0.0f}, {1.0f, 1.0f}}), x2 = tensor({{0.0f, 1.0f}, {2.0f, 2.0f}});
  const Tensor y = tensor({1, -1});
  const auto options = nn::CosineEmbeddingLossOptions().margin(0.5);
  expect_tensor<float>(F::cosine_embedding_loss(
                           x1, x2, y, nn::CosineEmbeddingLossOptions(options).reduction(nn::kNone)),
                       {2}, {1.0f, 0.5f}, 1e-6);
  expect_tensor<float>(nn::CosineEmbeddingLoss(options)(x1, x2, y), {}, {0.75f}, 1e-6);
  // One pair of vectors and a 0-dim target.
  expect_tensor<float>(F::cosine_embedding_loss(tensor({3.0f, 4.0f}), tensor({4.0f, 3.0f}),
                                                scalar_tensor(1, kInt64)),
                       {}, {1.0f - 24.0f / 25}, 1e-6);
  manual_seed(16);
  const Tensor a = randn({4, 3}, kFloat64).requires_grad_();
  const Tensor b = randn({4, 3}, kFloat64).requires_grad_();
  const Tensor t = tensor({1, -1, -1, 1});
  EXPECT_TRUE(gradients_match(
      [&](const Inputs& in) {
        return F::cosine_embedding_loss(in[0], in[1], t,
                                        nn::CosineEmbeddingLossOptions().margin(-0.9));
      },
      {a, b}));
  expect_error([&] { F::cosine_embedding_loss(x1, x2, tensor({1})); },
               {"cosine_embedding_loss", "[2]", "[1]"});
}

}  // namespace
}  // namespace nabla

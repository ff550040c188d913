// The optimizers through their classes (SGD, Adam, AdamW): updates worked out by hand, parameter
// groups, per-parameter state, named_state()/load_named_state(); the learning-rate schedulers;
// nn::utils::clip_grad_norm_; and a small MLP trained to fit a nonlinear 2-D problem.
#include "device_test.h"
#include "test_helpers.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace nabla {
namespace {

NABLA_DEVICE_SUITE(OptimSGD);
NABLA_DEVICE_SUITE(OptimAdam);
NABLA_DEVICE_SUITE(OptimGroups);
NABLA_DEVICE_SUITE(OptimState);
NABLA_DEVICE_SUITE(Scheduler);
NABLA_DEVICE_SUITE(ClipGradNorm);
NABLA_DEVICE_SUITE(Training);

using nabla::testing::expect_error;
using nabla::testing::expect_tensor;
using Named = std::vector<std::pair<std::string, Tensor>>;

// A float64 (or float32) leaf parameter holding `values`.
Tensor param(const std::vector<double>& values, ScalarType dtype = kFloat64) {
  Tensor p = tensor(values, dtype);
  p.set_requires_grad(true);
  return p;
}

// Sets p's gradient to c by backpropagating loss = sum(p * c): d loss / d p = c.
void backprop_grad(const Tensor& p, const std::vector<double>& c) {
  (p * tensor(c, p.dtype())).sum().backward();
}

// Sets p's gradient directly.
void set_grad(Tensor& p, const std::vector<double>& g) {
  p.mutable_grad() = tensor(g, p.dtype());
}

std::vector<std::string> names_of(const Named& named) {
  std::vector<std::string> names;
  for (const auto& entry : named) names.push_back(entry.first);
  return names;
}

// --- SGD -----------------------------------------------------------------------------------------
// torch.optim.SGD: g = grad + wd * p; buf = g on the first step, else momentum * buf +
// (1 - dampening) * g; step = nesterov ? g + momentum * buf : buf (g without momentum);
// p -= lr * step.

TEST_P(OptimSGD, PlainStepSubtractsLrTimesTheGradient) {
  Tensor w = param({1.0, 2.0});
  optim::SGD sgd({w}, optim::SGDOptions(0.1));
  backprop_grad(w, {0.5, -1.0});  // loss = 0.5 w0 - w1, so grad = [0.5, -1]
  expect_tensor<double>(w.grad(), {2}, {0.5, -1.0});
  sgd.step();
  // w = [1 - 0.1 * 0.5, 2 - 0.1 * -1] = [0.95, 2.1].
  expect_tensor<double>(w, {2}, {0.95, 2.1}, 1e-15);
  EXPECT_TRUE(w.grad().defined()) << "step() leaves the gradient alone";
  EXPECT_EQ(sgd.state_of(w).step, 1);
  EXPECT_TRUE(sgd.state_of(w).tensors.empty()) << "no momentum buffer without momentum";

  // A second step with the same (unchanged) gradient moves as far again: [0.9, 2.2].
  sgd.step();
  expect_tensor<double>(w, {2}, {0.9, 2.2}, 1e-15);
  EXPECT_EQ(sgd.state_of(w).step, 2);
}

TEST_P(OptimSGD, Float32ParameterStepsInFloat32) {
  Tensor w = param({1.0, 2.0}, kFloat32);
  optim::SGD sgd({w}, optim::SGDOptions(0.25));
  backprop_grad(w, {-4.0, 2.0});
  sgd.step();
  // w = [1 - 0.25 * -4, 2 - 0.25 * 2] = [2, 1.5], exact in binary.
  expect_tensor<float>(w, {2}, {2.0f, 1.5f});
}

TEST_P(OptimSGD, MomentumBufferStartsAsTheFirstGradient) {
  Tensor w = param({1.0, -1.0});
  optim::SGD sgd({w}, optim::SGDOptions(0.1).momentum(0.9));
  backprop_grad(w, {0.5, 2.0});
  sgd.step();
  // Step 1: buf = g = [0.5, 2]; w = [1 - 0.05, -1 - 0.2] = [0.95, -1.2].
  expect_tensor<double>(sgd.state_of(w).tensors.at("momentum_buffer"), {2}, {0.5, 2.0}, 1e-15);
  expect_tensor<double>(w, {2}, {0.95, -1.2}, 1e-15);

  sgd.zero_grad();
  backprop_grad(w, {0.25, -1.0});
  sgd.step();
  // Step 2: buf = 0.9 * [0.5, 2] + [0.25, -1] = [0.45 + 0.25, 1.8 - 1] = [0.7, 0.8];
  // w = [0.95 - 0.07, -1.2 - 0.08] = [0.88, -1.28].
  expect_tensor<double>(sgd.state_of(w).tensors.at("momentum_buffer"), {2}, {0.7, 0.8}, 1e-15);
  expect_tensor<double>(w, {2}, {0.88, -1.28}, 1e-15);
  EXPECT_EQ(sgd.state_of(w).step, 2);
}

TEST_P(OptimSGD, DampeningScalesNewGradientsButNotTheFirst) {
  Tensor w = param({1.0, -1.0});
  optim::SGD sgd({w}, optim::SGDOptions(0.1).momentum(0.9).dampening(0.5));
  set_grad(w, {0.5, 2.0});
  sgd.step();
  // Step 1, undamped: buf = [0.5, 2]; w = [0.95, -1.2].
  expect_tensor<double>(sgd.state_of(w).tensors.at("momentum_buffer"), {2}, {0.5, 2.0}, 1e-15);
  expect_tensor<double>(w, {2}, {0.95, -1.2}, 1e-15);
  set_grad(w, {0.25, -1.0});
  sgd.step();
  // Step 2: buf = 0.9 * [0.5, 2] + (1 - 0.5) * [0.25, -1] = [0.45 + 0.125, 1.8 - 0.5]
  //             = [0.575, 1.3]; w = [0.95 - 0.0575, -1.2 - 0.13] = [0.8925, -1.33].
  expect_tensor<double>(sgd.state_of(w).tensors.at("momentum_buffer"), {2}, {0.575, 1.3}, 1e-15);
  expect_tensor<double>(w, {2}, {0.8925, -1.33}, 1e-15);
}

TEST_P(OptimSGD, NesterovStepsAlongGradientPlusMomentumTimesBuffer) {
  Tensor w = param({1.0, -1.0});
  optim::SGD sgd({w}, optim::SGDOptions(0.1).momentum(0.9).nesterov(true));
  set_grad(w, {0.5, 2.0});
  sgd.step();
  // Step 1: buf = [0.5, 2]; step = g + 0.9 buf = [0.5 + 0.45, 2 + 1.8] = [0.95, 3.8];
  // w = [1 - 0.095, -1 - 0.38] = [0.905, -1.38].
  expect_tensor<double>(w, {2}, {0.905, -1.38}, 1e-15);
  set_grad(w, {0.25, -1.0});
  sgd.step();
  // Step 2: buf = [0.7, 0.8] (as above); step = [0.25 + 0.63, -1 + 0.72] = [0.88, -0.28];
  // w = [0.905 - 0.088, -1.38 + 0.028] = [0.817, -1.352].
  expect_tensor<double>(sgd.state_of(w).tensors.at("momentum_buffer"), {2}, {0.7, 0.8}, 1e-15);
  expect_tensor<double>(w, {2}, {0.817, -1.352}, 1e-15);
}

TEST_P(OptimSGD, WeightDecayAddsToTheGradientBeforeMomentum) {
  Tensor a = param({2.0, -1.0});
  optim::SGD plain({a}, optim::SGDOptions(0.1).weight_decay(0.1));
  set_grad(a, {0.5, 0.5});
  plain.step();
  // g = [0.5 + 0.1 * 2, 0.5 + 0.1 * -1] = [0.7, 0.4]; w = [2 - 0.07, -1 - 0.04] = [1.93, -1.04].
  expect_tensor<double>(a, {2}, {1.93, -1.04}, 1e-15);

  Tensor b = param({2.0, -1.0});
  optim::SGD with_momentum({b}, optim::SGDOptions(0.1).momentum(0.9).weight_decay(0.1));
  set_grad(b, {0.5, 0.5});
  with_momentum.step();
  // Step 1: buf = g = [0.7, 0.4]; w = [1.93, -1.04].
  expect_tensor<double>(with_momentum.state_of(b).tensors.at("momentum_buffer"), {2}, {0.7, 0.4},
                        1e-15);
  expect_tensor<double>(b, {2}, {1.93, -1.04}, 1e-15);
  // Step 2 with a zero gradient: only the decay pulls, g = 0.1 * [1.93, -1.04] = [0.193, -0.104];
  // buf = 0.9 * [0.7, 0.4] + g = [0.823, 0.256]; w = [1.93 - 0.0823, -1.04 - 0.0256]
  //     = [1.8477, -1.0656].
  set_grad(b, {0.0, 0.0});
  with_momentum.step();
  expect_tensor<double>(with_momentum.state_of(b).tensors.at("momentum_buffer"), {2},
                        {0.823, 0.256}, 1e-15);
  expect_tensor<double>(b, {2}, {1.8477, -1.0656}, 1e-15);
}

TEST_P(OptimSGD, ParametersWithoutAGradientAreSkipped) {
  Tensor a = param({1.0});
  Tensor b = param({5.0, 6.0});
  optim::SGD sgd({a, b}, optim::SGDOptions(0.5).momentum(0.9).weight_decay(0.1));
  backprop_grad(a, {2.0});  // only a takes part in the loss
  EXPECT_FALSE(b.grad().defined());
  sgd.step();
  // a: g = 2 + 0.1 * 1 = 2.1; w = 1 - 0.5 * 2.1 = -0.05. b keeps its values, though weight decay
  // alone would have moved it, and gets no momentum buffer.
  expect_tensor<double>(a, {1}, {-0.05}, 1e-15);
  expect_tensor<double>(b, {2}, {5.0, 6.0});
  EXPECT_EQ(sgd.state_of(b).step, 0);
  EXPECT_EQ(sgd.state_of(b).tensors.count("momentum_buffer"), 0u);
  // state_of(b) made an empty entry for b; named_state() must not save it as a real state.
  EXPECT_EQ(
      names_of(sgd.named_state()),
      (std::vector<std::string>{"param_groups.0.lr", "state.0.step", "state.0.momentum_buffer"}));
}

TEST_P(OptimSGD, ZeroGradSetsToNoneOrFillsWithZeros) {
  Tensor a = param({1.0, 2.0});
  Tensor b = param({3.0});
  optim::SGD sgd({a, b}, optim::SGDOptions(0.1));
  backprop_grad(a, {4.0, 5.0});
  const Tensor held = a.grad();  // a handle to the gradient, as a user might keep

  sgd.zero_grad(/*set_to_none=*/false);
  // Zero-filled in place: the held handle sees the zeros too. b had no gradient and still has none.
  expect_tensor<double>(a.grad(), {2}, {0.0, 0.0});
  expect_tensor<double>(held, {2}, {0.0, 0.0});
  EXPECT_TRUE(held.is_alias_of(a.grad()));
  EXPECT_FALSE(b.grad().defined());

  // A zero gradient still counts as a gradient: the parameter is stepped (by zero).
  sgd.step();
  expect_tensor<double>(a, {2}, {1.0, 2.0});
  EXPECT_EQ(sgd.state_of(a).step, 1);

  sgd.zero_grad();  // set_to_none by default
  EXPECT_FALSE(a.grad().defined());
  EXPECT_FALSE(b.grad().defined());
  // Backward after set_to_none starts from nothing: grad = c, not c plus an old gradient.
  backprop_grad(a, {1.0, 1.0});
  backprop_grad(a, {1.0, 2.0});  // accumulates: [2, 3]
  expect_tensor<double>(a.grad(), {2}, {2.0, 3.0});
}

// --- Adam and AdamW ------------------------------------------------------------------------------
// torch.optim.Adam / AdamW at step t (1-based), per element:
//   AdamW: p = p * (1 - lr * wd);   Adam: g = g + wd * p
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  vmax = max(vmax, v) (amsgrad)
//   p = p - lr / (1 - b1^t) * m / (sqrt(v or vmax) / sqrt(1 - b2^t) + eps)
// With the defaults b1 = 0.9, b2 = 0.999, eps = 1e-8.

TEST_P(OptimAdam, FirstStepMovesEachWeightByAboutLr) {
  Tensor w = param({1.0, -2.0});
  optim::Adam adam({w}, optim::AdamOptions(0.1));
  backprop_grad(w, {0.5, -0.25});
  adam.step();
  // m = 0.1 g = [0.05, -0.025]; v = 0.001 g^2 = [0.00025, 0.0000625]. The bias corrections
  // (1 - 0.9 = 0.1 and 1 - 0.999 = 0.001) undo those factors: m / 0.1 = g, sqrt(v / 0.001) = |g|,
  // so p -= 0.1 g / (|g| + 1e-8):
  //   w0 = 1 - 0.1 * 0.5 / (0.5 + 1e-8) = 1 - 0.1 / (1 + 2e-8) = 0.9 + 2e-9 (to 1e-16)
  //   w1 = -2 + 0.1 * 0.25 / (0.25 + 1e-8) = -2 + 0.1 / (1 + 4e-8) = -1.9 - 4e-9.
  const std::vector<double> got = w.to_vector<double>();
  EXPECT_NEAR(got[0], 0.9 + 2e-9, 1e-14);
  EXPECT_NEAR(got[1], -1.9 - 4e-9, 1e-14);
  const optim::Optimizer::ParamState& state = adam.state_of(w);
  EXPECT_EQ(state.step, 1);
  EXPECT_EQ(state.tensors.size(), 2u);
  expect_tensor<double>(state.tensors.at("exp_avg"), {2}, {0.05, -0.025}, 1e-16);
  expect_tensor<double>(state.tensors.at("exp_avg_sq"), {2}, {0.00025, 0.0000625}, 1e-18);
  EXPECT_EQ(state.tensors.count("max_exp_avg_sq"), 0u) << "only amsgrad keeps it";
}

TEST_P(OptimAdam, SecondStepUsesBothMomentsAndTheirBiasCorrections) {
  Tensor w = param({1.0, -2.0});
  optim::Adam adam({w}, optim::AdamOptions(0.1));
  set_grad(w, {0.5, -0.25});
  adam.step();  // w = [0.9 + 2e-9, -1.9 - 4e-9], as above
  set_grad(w, {-0.25, 0.5});
  adam.step();
  // m = 0.9 * [0.05, -0.025] + 0.1 * [-0.25, 0.5] = [0.045 - 0.025, -0.0225 + 0.05]
  //   = [0.02, 0.0275]
  // v = 0.999 * [0.00025, 0.0000625] + 0.001 * [0.0625, 0.25]
  //   = [0.00024975 + 0.0000625, 0.0000624375 + 0.00025] = [0.00031225, 0.0003124375]
  // bias corrections at t = 2: 1 - 0.9^2 = 0.19 and 1 - 0.999^2 = 0.001999.
  // w0: m / 0.19 = 0.1052631579; sqrt(v / 0.001999) = sqrt(0.1562031016) = 0.3952253807;
  //     step = 0.1 * 0.1052631579 / (0.3952253807 + 1e-8) = 0.0266337040 - 6.7e-10
  //          = 0.0266337033; w0 = 0.900000002 - 0.0266337033 = 0.8733662987.
  // w1: m / 0.19 = 0.1447368421; sqrt(0.0003124375 / 0.001999) = sqrt(0.1562968984)
  //     = 0.3953440254; step = 0.1 * 0.1447368421 / (0.3953440254 + 1e-8) = 0.0366103518;
  //     m1 > 0 now, so w1 moves down: w1 = -1.900000004 - 0.0366103518 = -1.9366103558.
  const std::vector<double> got = w.to_vector<double>();
  EXPECT_NEAR(got[0], 0.8733662987, 1e-10);
  EXPECT_NEAR(got[1], -1.9366103558, 1e-10);
  const optim::Optimizer::ParamState& state = adam.state_of(w);
  EXPECT_EQ(state.step, 2);
  expect_tensor<double>(state.tensors.at("exp_avg"), {2}, {0.02, 0.0275}, 1e-16);
  expect_tensor<double>(state.tensors.at("exp_avg_sq"), {2}, {0.00031225, 0.0003124375}, 1e-18);
}

TEST_P(OptimAdam, WeightDecayIsAddedToTheGradient) {
  Tensor w = param({2.0});
  optim::Adam adam({w}, optim::AdamOptions(0.1).weight_decay(0.5));
  set_grad(w, {0.5});
  adam.step();
  // g = 0.5 + 0.5 * 2 = 1.5 goes into both moments: m = 0.15, v = 0.001 * 2.25 = 0.00225;
  // w = 2 - 0.1 * 1.5 / (1.5 + 1e-8) = 2 - 0.1 / (1 + 1e-8 / 1.5) = 1.9 + 1e-9 / 1.5.
  expect_tensor<double>(adam.state_of(w).tensors.at("exp_avg"), {1}, {0.15}, 1e-16);
  expect_tensor<double>(adam.state_of(w).tensors.at("exp_avg_sq"), {1}, {0.00225},
                        1e-17);  // 1 - 0.999 is 0.001 + 9e-19 in binary
  expect_tensor<double>(w, {1}, {1.9 + 1e-9 / 1.5}, 1e-14);

  // With a zero gradient the decay alone is the gradient: g = 0.01 * 1 = 0.01, and Adam's
  // normalisation turns that into a full step of lr: w = 1 - 0.1 * 0.01 / (0.01 + 1e-8)
  // = 1 - 0.1 / (1 + 1e-6) = 0.9 + 1e-7.
  Tensor z = param({1.0});
  optim::Adam decay_only({z}, optim::AdamOptions(0.1).weight_decay(0.01));
  set_grad(z, {0.0});
  decay_only.step();
  expect_tensor<double>(z, {1}, {0.9000001}, 1e-12);
  expect_tensor<double>(decay_only.state_of(z).tensors.at("exp_avg"), {1}, {0.001}, 1e-18);
}

TEST_P(OptimAdam, AdamWDecaysTheWeightsApartFromTheGradient) {
  EXPECT_EQ(optim::AdamWOptions().weight_decay(), 0.01);
  EXPECT_EQ(optim::AdamOptions().weight_decay(), 0.0);

  Tensor w = param({1.0, -2.0});
  optim::AdamW adamw({w}, optim::AdamWOptions(0.1).weight_decay(0.01));
  set_grad(w, {0.5, -0.25});
  adamw.step();
  // p *= 1 - 0.1 * 0.01 = 0.999 first: [0.999, -1.998]; the moments see the bare gradient
  // (m = [0.05, -0.025]), and the Adam step is 0.1 * sign(g) less eps as in Adam's first step:
  // w = [0.999 - 0.1 + 2e-9, -1.998 + 0.1 - 4e-9] = [0.899 + 2e-9, -1.898 - 4e-9].
  expect_tensor<double>(adamw.state_of(w).tensors.at("exp_avg"), {2}, {0.05, -0.025}, 1e-16);
  expect_tensor<double>(w, {2}, {0.899 + 2e-9, -1.898 - 4e-9}, 1e-14);

  // A zero gradient leaves the moments at zero and the Adam step at 0 / (0 + eps) = 0: only the
  // decay acts, w = 1 * 0.999 (Adam's L2 decay above moved the same weight to 0.9000001).
  Tensor z = param({1.0});
  optim::AdamW decay_only({z}, optim::AdamWOptions(0.1).weight_decay(0.01));
  set_grad(z, {0.0});
  decay_only.step();
  expect_tensor<double>(z, {1}, {0.999}, 1e-15);
  expect_tensor<double>(decay_only.state_of(z).tensors.at("exp_avg"), {1}, {0.0});
}

TEST_P(OptimAdam, AmsgradDividesByTheLargestSecondMomentSoFar) {
  Tensor w = param({1.0});
  Tensor plain_w = param({1.0});
  optim::Adam amsgrad({w}, optim::AdamOptions(0.1).amsgrad(true));
  optim::Adam plain({plain_w}, optim::AdamOptions(0.1));
  set_grad(w, {0.5});
  set_grad(plain_w, {0.5});
  amsgrad.step();
  plain.step();
  // Step 1: v = 0.00025 is also the largest so far, so the step equals plain Adam's: 0.9 + 2e-9.
  expect_tensor<double>(amsgrad.state_of(w).tensors.at("max_exp_avg_sq"), {1}, {0.00025}, 1e-18);
  expect_tensor<double>(w, {1}, {0.9 + 2e-9}, 1e-14);
  EXPECT_EQ(w.to_vector<double>(), plain_w.to_vector<double>());

  set_grad(w, {0.0});
  set_grad(plain_w, {0.0});
  amsgrad.step();
  plain.step();
  // Step 2 with g = 0: m = 0.045, v = 0.999 * 0.00025 = 0.00024975 < vmax = 0.00025, which stays.
  // amsgrad: sqrt(0.00025 / 0.001999) = sqrt(0.1250625313) = 0.3536418121;
  //          step = 0.1 * (0.045 / 0.19) / (0.3536418121 + 1e-8)
  //               = 0.1 * 0.2368421053 / 0.3536418221 = 0.0669723122;
  //          w = 0.900000002 - 0.0669723122 = 0.8330276898.
  // plain:   sqrt(0.00024975 / 0.001999) = sqrt(0.1249374687) = 0.3534649470;
  //          step = 0.1 * 0.2368421053 / 0.3534649570 = 0.0670058235;
  //          w = 0.900000002 - 0.0670058235 = 0.8329941785, a larger step than amsgrad's.
  expect_tensor<double>(amsgrad.state_of(w).tensors.at("exp_avg_sq"), {1}, {0.00024975}, 1e-18);
  expect_tensor<double>(amsgrad.state_of(w).tensors.at("max_exp_avg_sq"), {1}, {0.00025}, 1e-18);
  expect_tensor<double>(w, {1}, {0.8330276898}, 1e-10);
  expect_tensor<double>(plain_w, {1}, {0.8329941785}, 1e-10);
}

TEST_P(OptimAdam, Float32ParametersKeepFloat32State) {
  Tensor w = param({1.0, -2.0}, kFloat32);
  optim::Adam adam({w}, optim::AdamOptions(0.1));
  backprop_grad(w, {0.5, -0.25});
  adam.step();
  // As in float64: w = [0.9, -1.9] (the 2e-9 of eps is below float32's resolution near 1).
  expect_tensor<float>(w, {2}, {0.9f, -1.9f}, 1e-6);
  expect_tensor<float>(adam.state_of(w).tensors.at("exp_avg"), {2}, {0.05f, -0.025f}, 1e-9);
  expect_tensor<float>(adam.state_of(w).tensors.at("exp_avg_sq"), {2}, {0.00025f, 0.0000625f},
                       1e-11);

  Tensor v = param({1.0}, kFloat32);
  optim::AdamW adamw({v}, optim::AdamWOptions(0.1).weight_decay(0.5));
  backprop_grad(v, {-3.0});
  adamw.step();
  // v = 1 * (1 - 0.1 * 0.5) + 0.1 = 0.95 + 0.1 = 1.05.
  expect_tensor<float>(v, {1}, {1.05f}, 1e-6);
}

TEST_P(OptimAdam, ParametersStepTogetherExactlyAsTheyWouldAlone) {
  // One Adam over five parameters (the float32 ones updated by one backend call: sizes around a
  // cache line and across threads' shares, a float64 one and one whose update count falls behind
  // because it had no gradient in the first step), against five Adams of one parameter each: the
  // same bits.
  manual_seed(3);
  const std::vector<Shape> shapes = {{70001}, {10}, {16, 33}, {4096}, {5}};
  std::vector<Tensor> together, alone;
  for (size_t k = 0; k < shapes.size(); ++k) {
    const ScalarType dtype = k == 2 ? kFloat64 : kFloat32;
    const Tensor init = randn(shapes[k], TensorOptions(dtype).device(device()));
    together.push_back(init.clone().requires_grad_());
    alone.push_back(init.clone().requires_grad_());
  }
  optim::Adam adam(together, optim::AdamOptions(0.01).amsgrad(true));
  std::vector<std::unique_ptr<optim::Adam>> singles;
  for (const Tensor& p : alone) {
    singles.push_back(std::make_unique<optim::Adam>(std::vector<Tensor>{p},
                                                    optim::AdamOptions(0.01).amsgrad(true)));
  }
  for (int step = 0; step < 3; ++step) {
    for (size_t k = 0; k < shapes.size(); ++k) {
      if (step == 0 && k == 4) continue;  // no gradient: this one falls a step behind
      const Tensor g = randn(shapes[k], TensorOptions(together[k].dtype()).device(device()));
      together[k].mutable_grad() = g;
      alone[k].mutable_grad() = g.clone();
    }
    adam.step();
    for (auto& single : singles) single->step();
    for (size_t k = 0; k < shapes.size(); ++k) {
      EXPECT_TRUE(equal(together[k], alone[k])) << "parameter " << k << " after step " << step;
    }
  }
  EXPECT_EQ(adam.state_of(together[0]).step, 3);
  EXPECT_EQ(adam.state_of(together[4]).step, 2);
}

// --- parameter groups and per-parameter state ----------------------------------------------------

TEST_P(OptimGroups, EachGroupStepsWithItsOwnOptions) {
  Tensor a = param({1.0});
  Tensor b = param({1.0});
  std::vector<optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<Tensor>{a}, std::make_unique<optim::SGDOptions>(0.5));
  groups.emplace_back(std::vector<Tensor>{b});  // no options: a copy of the defaults
  optim::SGD sgd(std::move(groups), optim::SGDOptions(0.1));
  ASSERT_EQ(sgd.param_groups().size(), 2u);
  EXPECT_EQ(sgd.param_groups()[0].options().get_lr(), 0.5);
  EXPECT_EQ(sgd.param_groups()[1].options().get_lr(), 0.1);
  set_grad(a, {1.0});
  set_grad(b, {1.0});
  sgd.step();
  // a = 1 - 0.5 * 1 = 0.5; b = 1 - 0.1 * 1 = 0.9.
  expect_tensor<double>(a, {1}, {0.5});
  expect_tensor<double>(b, {1}, {0.9}, 1e-15);

  // A third group with momentum, added later. Its first step: buf = 1, c = 1 - 1 * 1 = 0.
  Tensor c = param({1.0});
  sgd.add_param_group(optim::OptimizerParamGroup(
      {c}, std::make_unique<optim::SGDOptions>(optim::SGDOptions(1.0).momentum(0.9))));
  set_grad(c, {1.0});
  sgd.step();
  // a = 0.5 - 0.5 = 0; b = 0.9 - 0.1 = 0.8; c = 0.
  expect_tensor<double>(a, {1}, {0.0});
  expect_tensor<double>(b, {1}, {0.8}, 1e-15);
  expect_tensor<double>(c, {1}, {0.0});
  sgd.step();
  // c: buf = 0.9 * 1 + 1 = 1.9, c = 0 - 1.9 = -1.9. a, b: no momentum, -0.5 and 0.7.
  expect_tensor<double>(c, {1}, {-1.9}, 1e-15);
  expect_tensor<double>(a, {1}, {-0.5});
  expect_tensor<double>(b, {1}, {0.7}, 1e-15);
  EXPECT_EQ(sgd.state_of(a).tensors.count("momentum_buffer"), 0u);
  EXPECT_EQ(sgd.state_of(c).tensors.count("momentum_buffer"), 1u);
  EXPECT_EQ(sgd.state_of(a).step, 3);
  EXPECT_EQ(sgd.state_of(c).step, 2);

  // The defaults are copied into a group, not shared: changing a group leaves them alone, and a
  // group added later still gets the original defaults.
  sgd.param_groups()[1].options().set_lr(0.2);
  EXPECT_EQ(sgd.defaults().get_lr(), 0.1);
  Tensor d = param({1.0});
  sgd.add_param_group(optim::OptimizerParamGroup({d}));
  EXPECT_EQ(sgd.param_groups()[3].options().get_lr(), 0.1);
  EXPECT_EQ(sgd.param_groups()[1].options().get_lr(), 0.2);
}

TEST_P(OptimGroups, AddParamGroupRejectsBadParameters) {
  Tensor a = param({1.0});
  optim::SGD sgd({a}, optim::SGDOptions(0.1));
  expect_error([&] { sgd.add_param_group(optim::OptimizerParamGroup({a})); },
               {"optimizer", "two groups"});
  Tensor b = param({2.0});
  expect_error(
      [&] {
        sgd.add_param_group(optim::OptimizerParamGroup({b, b}));
      },
      {"optimizer", "twice"});
  const Tensor not_leaf = a * 2.0;
  expect_error([&] { sgd.add_param_group(optim::OptimizerParamGroup({not_leaf})); },
               {"optimizer", "leaf"});
  expect_error(
      [&] {
        sgd.add_param_group(optim::OptimizerParamGroup({tensor({1, 2})}));
      },
      {"optimizer", "floating point"});
  expect_error([&] { sgd.add_param_group(optim::OptimizerParamGroup({Tensor()})); },
               {"optimizer", "defined"});
  EXPECT_EQ(sgd.param_groups().size(), 1u) << "a rejected group is not added";
  // b, listed once, is fine.
  sgd.add_param_group(optim::OptimizerParamGroup({b}));
  EXPECT_EQ(sgd.param_groups().size(), 2u);
}

TEST_P(OptimGroups, StateIsKeptPerParameter) {
  Tensor a = param({1.0});
  Tensor b = param({1.0, 1.0});
  optim::Adam adam({a, b}, optim::AdamOptions(0.1));
  set_grad(a, {0.5});
  set_grad(b, {0.5, -0.25});
  adam.step();
  b.mutable_grad() = Tensor();  // b sits out the second step
  adam.step();
  // a: two steps with g = 0.5: m = 0.05, then 0.9 * 0.05 + 0.05 = 0.095;
  //    v = 0.00025, then 0.999 * 0.00025 + 0.00025 = 0.00049975.
  // b: one step: m = [0.05, -0.025], v = [0.00025, 0.0000625].
  EXPECT_EQ(adam.state_of(a).step, 2);
  EXPECT_EQ(adam.state_of(b).step, 1);
  expect_tensor<double>(adam.state_of(a).tensors.at("exp_avg"), {1}, {0.095}, 1e-16);
  expect_tensor<double>(adam.state_of(a).tensors.at("exp_avg_sq"), {1}, {0.00049975}, 1e-18);
  expect_tensor<double>(adam.state_of(b).tensors.at("exp_avg"), {2}, {0.05, -0.025}, 1e-16);
  expect_tensor<double>(adam.state_of(b).tensors.at("exp_avg_sq"), {2}, {0.00025, 0.0000625},
                        1e-18);
  // The state tensors belong to the optimizer, not to the parameter: they are not aliases of it.
  EXPECT_FALSE(adam.state_of(b).tensors.at("exp_avg").is_alias_of(b));
  // With a constant gradient every bias-corrected step is lr * g / (|g| + eps): at t = 2,
  // m / (1 - 0.81) = 0.095 / 0.19 = 0.5 and v / (1 - 0.998001) = 0.00049975 / 0.001999 = 0.25.
  // a = 1 - 2 * 0.1 * 0.5 / (0.5 + 1e-8) = 0.8 + 4e-9; b took one step: [0.9 + 2e-9, 1.1 - 4e-9].
  expect_tensor<double>(a, {1}, {0.8 + 4e-9}, 1e-14);
  expect_tensor<double>(b, {2}, {0.9 + 2e-9, 1.1 - 4e-9}, 1e-14);

  // Each parameter counts its own steps: b's next update uses t = 2 (with the same gradient again
  // a step of 0.1), a's uses t = 3 (m = 0.1355, 1 - 0.9^3 = 0.271: m-hat = 0.5 again). Had b
  // shared a's count, its bias corrections would be wrong and its step not 0.1.
  set_grad(b, {0.5, -0.25});
  adam.step();
  EXPECT_EQ(adam.state_of(b).step, 2);
  expect_tensor<double>(a, {1}, {0.7 + 6e-9}, 1e-14);
  expect_tensor<double>(b, {2}, {0.8 + 4e-9, 1.2 - 8e-9}, 1e-14);
  EXPECT_EQ(adam.state_of(a).step, 3);
}

// --- invalid options, named_state() and load_named_state() ---------------------------------------

TEST_P(OptimState, InvalidOptionsThrowNamingTheOptimizer) {
  Tensor w = param({1.0});
  expect_error([&] { optim::SGD({w}, optim::SGDOptions(-0.1)); },
               {"SGD: invalid learning rate -0.1"});
  expect_error([&] { optim::SGD({w}, optim::SGDOptions(0.1).momentum(-0.5)); },
               {"SGD: invalid momentum -0.5"});
  expect_error([&] { optim::SGD({w}, optim::SGDOptions(0.1).weight_decay(-1)); },
               {"SGD: invalid weight_decay -1"});
  expect_error([&] { optim::SGD({w}, optim::SGDOptions(0.1).nesterov(true)); },
               {"SGD: Nesterov", "momentum"});
  expect_error(
      [&] { optim::SGD({w}, optim::SGDOptions(0.1).momentum(0.9).dampening(0.1).nesterov(true)); },
      {"SGD: Nesterov", "dampening"});

  expect_error([&] { optim::Adam({w}, optim::AdamOptions(-1e-3)); },
               {"Adam: invalid options", "lr -0.001"});
  expect_error(
      [&] {
        optim::Adam({w}, optim::AdamOptions().betas({1.0, 0.999}));
      },
      {"Adam: invalid options", "betas (1, 0.999)"});
  expect_error(
      [&] {
        optim::Adam({w}, optim::AdamOptions().betas({0.9, -0.1}));
      },
      {"Adam: invalid options", "betas (0.9, -0.1)"});
  expect_error([&] { optim::Adam({w}, optim::AdamOptions().eps(-1)); },
               {"Adam: invalid options", "eps -1"});
  expect_error([&] { optim::Adam({w}, optim::AdamOptions().weight_decay(-0.5)); },
               {"Adam: invalid options", "weight_decay -0.5"});
  expect_error(
      [&] {
        optim::AdamW({w}, optim::AdamWOptions().betas({0.9, 1.5}));
      },
      {"AdamW: invalid options", "betas (0.9, 1.5)"});
  expect_error([&] { optim::AdamW({w}, optim::AdamWOptions(-2)); },
               {"AdamW: invalid options", "lr -2"});
  // The edges of the valid ranges are accepted: lr 0, beta 0, eps 0.
  optim::Adam edge({w}, optim::AdamOptions(0).betas({0.0, 0.0}).eps(0));
  optim::SGD zero_lr({w}, optim::SGDOptions(0));
}

// A copy of `p`'s values as a new leaf parameter.
Tensor copy_param(const Tensor& p) {
  Tensor copy = p.detach().clone();
  copy.set_requires_grad(true);
  return copy;
}

TEST_P(OptimState, NamedStateRoundTripContinuesIdentically) {
  Tensor a = param({1.0, -2.0});
  Tensor b = param({0.5, 0.25, -1.0, 3.0});
  std::vector<optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<Tensor>{a});
  groups.emplace_back(std::vector<Tensor>{b},
                      std::make_unique<optim::AdamOptions>(optim::AdamOptions(0.05).amsgrad(true)));
  optim::Adam adam(std::move(groups), optim::AdamOptions(0.1));
  const auto step = [](optim::Optimizer& optimizer, Tensor& x, Tensor& y, double scale) {
    set_grad(x, {0.5 * scale, -0.25});
    set_grad(y, {1.0, -2.0 * scale, 0.5, 0.0});
    optimizer.step();
  };
  step(adam, a, b, 1.0);
  step(adam, a, b, -3.0);

  const Named saved = adam.named_state();
  EXPECT_EQ(names_of(saved),
            (std::vector<std::string>{"param_groups.0.lr", "state.0.step", "state.0.exp_avg",
                                      "state.0.exp_avg_sq", "param_groups.1.lr", "state.1.step",
                                      "state.1.exp_avg", "state.1.exp_avg_sq",
                                      "state.1.max_exp_avg_sq"}));
  std::map<std::string, Tensor> by_name(saved.begin(), saved.end());
  expect_tensor<double>(by_name["param_groups.0.lr"], {}, {0.1});
  expect_tensor<double>(by_name["param_groups.1.lr"], {}, {0.05});
  expect_tensor<int64_t>(by_name["state.0.step"], {}, {2});
  expect_tensor<int64_t>(by_name["state.1.step"], {}, {2});

  // A fresh optimizer over copies of the parameters, with other learning rates, takes the state.
  Tensor a2 = copy_param(a);
  Tensor b2 = copy_param(b);
  std::vector<optim::OptimizerParamGroup> groups2;
  groups2.emplace_back(std::vector<Tensor>{a2});
  groups2.emplace_back(std::vector<Tensor>{b2},
                       std::make_unique<optim::AdamOptions>(optim::AdamOptions(1.0).amsgrad(true)));
  optim::Adam resumed(std::move(groups2), optim::AdamOptions(1.0));
  resumed.load_named_state(saved);
  EXPECT_EQ(resumed.param_groups()[0].options().get_lr(), 0.1);
  EXPECT_EQ(resumed.param_groups()[1].options().get_lr(), 0.05);
  EXPECT_EQ(resumed.state_of(a2).step, 2);
  EXPECT_EQ(resumed.state_of(b2).tensors.size(), 3u);

  // Both continue identically, bit for bit. The original steps first: had the loaded state
  // shared tensors with it, the resumed optimizer would start from moments already advanced.
  for (double scale : {2.0, 0.5}) {
    step(adam, a, b, scale);
    step(resumed, a2, b2, scale);
    EXPECT_EQ(a2.to_vector<double>(), a.to_vector<double>());
    EXPECT_EQ(b2.to_vector<double>(), b.to_vector<double>());
  }
  EXPECT_EQ(resumed.state_of(b2).step, 4);
}

TEST_P(OptimState, LoadedMomentumBufferIsNotRestartedFromTheGradient) {
  Tensor w = param({1.0});
  optim::SGD sgd({w}, optim::SGDOptions(0.1).momentum(0.9));
  set_grad(w, {1.0});
  sgd.step();  // buf = 1, w = 0.9
  Tensor loaded_w = copy_param(w);
  optim::SGD loaded({loaded_w}, optim::SGDOptions(0.1).momentum(0.9));
  loaded.load_named_state(sgd.named_state());
  Tensor fresh_w = copy_param(w);
  optim::SGD fresh({fresh_w}, optim::SGDOptions(0.1).momentum(0.9));
  set_grad(loaded_w, {1.0});
  set_grad(fresh_w, {1.0});
  loaded.step();
  fresh.step();
  // Loaded: buf = 0.9 * 1 + 1 = 1.9, w = 0.9 - 0.19 = 0.71. Fresh: buf = g = 1, w = 0.8.
  expect_tensor<double>(loaded_w, {1}, {0.71}, 1e-15);
  expect_tensor<double>(fresh_w, {1}, {0.8}, 1e-15);
}

// The message of the nabla::Error that loading `state` throws ("" and a failure if none).
std::string load_error(optim::Optimizer& optimizer, const Named& state) {
  try {
    optimizer.load_named_state(state);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "load_named_state accepted a bad state";
  return "";
}

size_t count_of(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

TEST_P(OptimState, LoadReportsEveryMismatchOnceInOneError) {
  Tensor a = param({1.0, 2.0});
  Tensor b = param({3.0, 4.0, 5.0});
  optim::Adam adam({a, b}, optim::AdamOptions(0.1));
  set_grad(a, {0.5, 0.5});
  set_grad(b, {0.5, 0.5, 0.5});
  adam.step();
  const std::vector<double> exp_avg_before =
      adam.state_of(a).tensors.at("exp_avg").to_vector<double>();

  const Named bad = {
      {"param_groups.0.lr", scalar_tensor(-0.5, kFloat64)},             // 1: negative
      {"state.0.step", tensor({int64_t{2}})},                           // 2: shape [1], not 0-dim
      {"state.0.exp_avg", zeros({3}, kFloat64)},                        // 3: wrong shape
      {"state.0.exp_avg_sq", zeros({2}, kFloat64)},                     // fine
      {"state.1.step", scalar_tensor(int64_t{1}, kInt64)},              // fine
      {"state.1.exp_avg", zeros({3}, kFloat32)},                        // 4: wrong dtype
      {"state.99999999999999999999999.exp_avg", zeros({2}, kFloat64)},  // 5: no such parameter
      {"state.0.bogus", zeros({2}, kFloat64)},                          // 6: not an Adam key
      {"state.2.step", scalar_tensor(int64_t{1}, kInt64)},              // 7: only two parameters
      {"state.0.exp_avg_sq", zeros({2}, kFloat64)},                     // 8: a second time
      // 9: state.1.exp_avg_sq is missing
  };
  const std::string message = load_error(adam, bad);
  EXPECT_NE(message.find("optimizer: cannot load the state (9 problems):"), std::string::npos)
      << message;
  EXPECT_EQ(count_of(message, "\n  "), 9u) << message;
  for (const char* part :
       {"param_groups.0.lr: invalid learning rate -0.5",
        "state.0.step: expected a 0-dim int64 step count, got shape [1] int64",
        "state.0.exp_avg: shape [3] float64 does not match the parameter's [2] float64",
        "state.1.exp_avg: shape [3] float32 does not match the parameter's [3] float64",
        "state.99999999999999999999999.exp_avg: not a state entry of this optimizer",
        "state.0.bogus: unexpected state key \"bogus\"",
        "state.2.step: not a state entry of this optimizer",
        "state.0.exp_avg_sq: appears more than once", "state.1.exp_avg_sq: missing"}) {
    EXPECT_EQ(count_of(message, part), 1u) << "\"" << part << "\" in " << message;
  }
  // Entries that are there but wrong are not also reported as missing.
  EXPECT_EQ(count_of(message, ": missing"), 1u) << message;

  // Nothing was loaded: the learning rate and the state are as they were.
  EXPECT_EQ(adam.param_groups()[0].options().get_lr(), 0.1);
  EXPECT_EQ(adam.state_of(a).step, 1);
  EXPECT_EQ(adam.state_of(a).tensors.at("exp_avg").to_vector<double>(), exp_avg_before);
}

TEST_P(OptimState, MalformedIndicesAndCountsAreErrorsNotCrashes) {
  Tensor a = param({1.0});
  optim::SGD sgd({a}, optim::SGDOptions(0.1));
  const Tensor lr = scalar_tensor(0.1, kFloat64);
  const Tensor step = scalar_tensor(int64_t{1}, kInt64);
  // An index too large for size_t once threw std::out_of_range from std::stoul.
  EXPECT_THROW(sgd.load_named_state(
                   {{"param_groups.0.lr", lr}, {"state.99999999999999999999999.step", step}}),
               Error);
  EXPECT_THROW(sgd.load_named_state({{"param_groups.18446744073709551616.lr", lr}}), Error);
  for (const char* name : {"state.-1.step", "state.00.step", "state.+0.step", "state.0x0.step",
                           "state..step", "state", "states.0.step", "param_groups.1.lr"}) {
    expect_error(
        [&] {
          sgd.load_named_state({{"param_groups.0.lr", lr}, {name, step}});
        },
        {name, "not a state entry", "(1 problem)"});
  }
  expect_error(
      [&] {
        sgd.load_named_state(
            {{"param_groups.0.lr", lr}, {"state.0.step", scalar_tensor(-3, kInt64)}});
      },
      {"state.0.step: step count -3 is out of range"});
  // A checkpoint with the largest count once loaded, and the next step() overflowed it.
  const int64_t largest = std::numeric_limits<int64_t>::max();
  expect_error(
      [&] {
        sgd.load_named_state(
            {{"param_groups.0.lr", lr}, {"state.0.step", scalar_tensor(largest, kInt64)}});
      },
      {"state.0.step: step count 9223372036854775807 is out of range"});
  expect_error(
      [&] {
        sgd.load_named_state(
            {{"param_groups.0.lr", lr}, {"state.0.step", scalar_tensor(2.0, kFloat64)}});
      },
      {"state.0.step: expected a 0-dim int64 step count, got shape [] float64"});
  expect_error(
      [&] {
        sgd.load_named_state({{"param_groups.0.lr", tensor({0.1, 0.2}, kFloat64)}});
      },
      {"param_groups.0.lr: expected a 0-dim floating point learning rate"});
  expect_error(
      [&] {
        sgd.load_named_state({{"param_groups.0.lr", scalar_tensor(1, kInt64)}});
      },
      {"param_groups.0.lr: expected a 0-dim floating point learning rate"});
  expect_error(
      [&] {
        sgd.load_named_state({{"param_groups.0.lr", lr}, {"state.0.step", Tensor()}});
      },
      {"state.0.step: undefined"});
  // A state tensor without its step count is incomplete; nothing at all lacks the lr.
  Tensor m = param({1.0});
  optim::SGD momentum({m}, optim::SGDOptions(0.1).momentum(0.9));
  expect_error(
      [&] {
        momentum.load_named_state(
            {{"param_groups.0.lr", lr}, {"state.0.momentum_buffer", zeros({1}, kFloat64)}});
      },
      {"state.0.step: missing", "(1 problem)"});
  expect_error(
      [&] {
        momentum.load_named_state({{"param_groups.0.lr", lr}, {"state.0.step", step}});
      },
      {"state.0.momentum_buffer: missing", "(1 problem)"});
  expect_error([&] { momentum.load_named_state({}); },
               {"param_groups.0.lr: missing", "(1 problem)"});

  // The lr alone is a complete state: no parameter has been stepped. Loading it clears the state.
  set_grad(m, {1.0});
  momentum.step();
  EXPECT_EQ(momentum.state_of(m).step, 1);
  momentum.load_named_state({{"param_groups.0.lr", scalar_tensor(0.25, kFloat64)}});
  EXPECT_EQ(momentum.param_groups()[0].options().get_lr(), 0.25);
  EXPECT_EQ(momentum.state_of(m).step, 0);
  EXPECT_TRUE(momentum.state_of(m).tensors.empty());
}

// --- learning-rate schedulers --------------------------------------------------------------------

// An SGD over one fresh parameter per learning rate, each in its own group.
struct GroupsFixture {
  explicit GroupsFixture(const std::vector<double>& lrs) {
    std::vector<optim::OptimizerParamGroup> groups;
    for (double lr : lrs) {
      params.push_back(param({0.0}));
      groups.emplace_back(std::vector<Tensor>{params.back()},
                          std::make_unique<optim::SGDOptions>(lr));
    }
    sgd = std::make_unique<optim::SGD>(std::move(groups), optim::SGDOptions(lrs.at(0)));
  }
  double lr(size_t group) const { return sgd->param_groups().at(group).options().get_lr(); }
  std::vector<Tensor> params;
  std::unique_ptr<optim::SGD> sgd;
};

TEST_P(Scheduler, StepLRDecaysEveryStepSizeEpochs) {
  GroupsFixture f({0.8, 0.1});
  optim::StepLR scheduler(*f.sgd, /*step_size=*/3, /*gamma=*/0.5);
  // lr = base * 0.5^(epoch / 3) with integer division: epochs 1..7 give powers 0 0 1 1 1 2 2.
  const std::vector<double> first = {0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2};
  const std::vector<double> second = {0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025};
  for (size_t i = 0; i < first.size(); ++i) {
    scheduler.step();
    EXPECT_EQ(scheduler.last_epoch(), static_cast<int64_t>(i + 1));
    EXPECT_EQ(f.lr(0), first[i]) << "epoch " << i + 1;  // powers of two: exact
    EXPECT_NEAR(f.lr(1), second[i], 1e-17) << "epoch " << i + 1;
    EXPECT_EQ(scheduler.get_last_lr(), (std::vector<double>{f.lr(0), f.lr(1)}));
  }
}

TEST_P(Scheduler, TheOptimizerStepsWithTheScheduledLearningRate) {
  Tensor w = param({0.0});
  optim::SGD sgd({w}, optim::SGDOptions(1.0));
  optim::StepLR scheduler(sgd, /*step_size=*/1, /*gamma=*/0.5);
  set_grad(w, {1.0});
  // Per epoch: sgd.step() then scheduler.step(). w = 0 - 1 = -1; lr 0.5: -1.5; lr 0.25: -1.75.
  const std::vector<double> expected = {-1.0, -1.5, -1.75};
  for (double value : expected) {
    sgd.step();
    scheduler.step();
    expect_tensor<double>(w, {1}, {value});
  }
  EXPECT_EQ(sgd.param_groups()[0].options().get_lr(), 0.125);
}

TEST_P(Scheduler, CosineAnnealingFollowsHalfACosineFromBaseToEtaMin) {
  GroupsFixture f({1.0, 0.5});
  optim::CosineAnnealingLR scheduler(*f.sgd, /*t_max=*/4, /*eta_min=*/0.1);
  // lr = 0.1 + (base - 0.1) (1 + cos(pi t / 4)) / 2, cos(pi / 4) = 0.7071067812:
  //   base 1:   t=1: 0.1 + 0.45 * 1.7071067812 = 0.8681980515;  t=2: 0.1 + 0.45 = 0.55;
  //             t=3: 0.1 + 0.45 * 0.2928932188 = 0.2318019485;  t=4: 0.1 + 0 = 0.1;
  //             and past T_max the closed form rises again: t=5 as t=3, t=6 as t=2.
  //   base 0.5: t=1: 0.1 + 0.2 * 1.7071067812 = 0.4414213562;  t=2: 0.3;
  //             t=3: 0.1 + 0.2 * 0.2928932188 = 0.1585786438;  t=4: 0.1.
  const std::vector<double> first = {0.8681980515, 0.55, 0.2318019485, 0.1, 0.2318019485, 0.55};
  const std::vector<double> second = {0.4414213562, 0.3, 0.1585786438, 0.1, 0.1585786438, 0.3};
  for (size_t i = 0; i < first.size(); ++i) {
    scheduler.step();
    EXPECT_NEAR(f.lr(0), first[i], 1e-10) << "t = " << i + 1;
    EXPECT_NEAR(f.lr(1), second[i], 1e-10) << "t = " << i + 1;
  }
}

TEST_P(Scheduler, SchedulersRejectBadArgumentsAndChangedGroups) {
  GroupsFixture f({0.1});
  expect_error([&] { optim::StepLR(*f.sgd, 0); }, {"StepLR", "step_size", "0"});
  expect_error([&] { optim::CosineAnnealingLR(*f.sgd, 0); }, {"CosineAnnealingLR", "T_max"});
  expect_error([&] { optim::ReduceLROnPlateau(*f.sgd, optim::ReduceLROnPlateau::Mode::Min, 1.0); },
               {"ReduceLROnPlateau", "factor"});
  expect_error(
      [&] { optim::ReduceLROnPlateau(*f.sgd, optim::ReduceLROnPlateau::Mode::Min, 0.5, -1); },
      {"ReduceLROnPlateau", "patience"});
  optim::StepLR scheduler(*f.sgd, 2);
  f.sgd->add_param_group(optim::OptimizerParamGroup({param({1.0})}));
  expect_error([&] { scheduler.step(); }, {"LRScheduler", "parameter groups"});
}

using Plateau = optim::ReduceLROnPlateau;

TEST_P(Scheduler, ReduceLROnPlateauWaitsPatienceStepsWithoutARelativeImprovement) {
  GroupsFixture f({1.0});
  Plateau plateau(*f.sgd, Plateau::Mode::Min, /*factor=*/0.5, /*patience=*/2, /*threshold=*/0.1);
  // An improvement must beat best * (1 - 0.1):
  //   10   beats inf: best 10, bad 0          lr 1
  //   9.5  not below 9: bad 1                 lr 1   (lower, but not by 10%)
  //   9.1  not below 9: bad 2                 lr 1   (2 bad steps = patience: not yet)
  //   9.05 not below 9: bad 3 > 2: reduce     lr 0.5, bad 0
  //   8    below 9: best 8, bad 0             lr 0.5
  //   7.5  not below 7.2: bad 1               lr 0.5
  //   7.3  bad 2                              lr 0.5
  //   7.25 bad 3 > 2: reduce                  lr 0.25
  const std::vector<double> metrics = {10, 9.5, 9.1, 9.05, 8, 7.5, 7.3, 7.25};
  const std::vector<double> lrs = {1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25};
  for (size_t i = 0; i < metrics.size(); ++i) {
    plateau.step(metrics[i]);
    EXPECT_EQ(f.lr(0), lrs[i]) << "after metric " << metrics[i];
  }
}

TEST_P(Scheduler, ReduceLROnPlateauCoolsDownAfterAReduction) {
  GroupsFixture f({1.0});
  Plateau plateau(*f.sgd, Plateau::Mode::Min, /*factor=*/0.5, /*patience=*/0, /*threshold=*/0,
                  /*cooldown=*/2);
  // The metric never improves after the first step (5 is not below 5):
  //   step 1: best 5                                         lr 1
  //   step 2: bad 1 > 0: reduce, cooldown 2                  lr 0.5
  //   step 3: bad 1, in cooldown: cooldown 1, bad reset 0    lr 0.5
  //   step 4: bad 1, in cooldown: cooldown 0, bad reset 0    lr 0.5
  //   step 5: bad 1 > 0: reduce, cooldown 2                  lr 0.25
  //   steps 6, 7: cooling down                               lr 0.25
  //   step 8: reduce                                         lr 0.125
  const std::vector<double> lrs = {1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125};
  for (size_t i = 0; i < lrs.size(); ++i) {
    plateau.step(5.0);
    EXPECT_EQ(f.lr(0), lrs[i]) << "step " << i + 1;
  }
}

TEST_P(Scheduler, ReduceLROnPlateauInMaxModeWantsTheMetricToRise) {
  GroupsFixture f({1.0});
  Plateau plateau(*f.sgd, Plateau::Mode::Max, /*factor=*/0.5, /*patience=*/1,
                  /*threshold=*/0.01);
  // An improvement must beat best * (1 + 0.01):
  //   1.0   beats -inf: best 1                 lr 1
  //   1.005 not above 1.01: bad 1              lr 1
  //   1.02  above 1.01: best 1.02, bad 0       lr 1
  //   1.02  not above 1.0302: bad 1            lr 1
  //   1.0   bad 2 > 1: reduce                  lr 0.5
  //   0.5   (falling is bad in max mode) bad 1 lr 0.5
  //   0.4   bad 2 > 1: reduce                  lr 0.25
  const std::vector<double> metrics = {1.0, 1.005, 1.02, 1.02, 1.0, 0.5, 0.4};
  const std::vector<double> lrs = {1, 1, 1, 1, 0.5, 0.5, 0.25};
  for (size_t i = 0; i < metrics.size(); ++i) {
    plateau.step(metrics[i]);
    EXPECT_EQ(f.lr(0), lrs[i]) << "after metric " << metrics[i];
  }
}

TEST_P(Scheduler, ReduceLROnPlateauStopsAtMinLrAndNeverRaisesALearningRate) {
  // Group 0 starts at 1; group 1 starts below min_lr, where PyTorch leaves it alone (a "reduction"
  // to max(0.02 * 0.1, 0.05) = 0.05 would raise it).
  GroupsFixture f({1.0, 0.02});
  Plateau plateau(*f.sgd, Plateau::Mode::Min, /*factor=*/0.1, /*patience=*/0, /*threshold=*/0,
                  /*cooldown=*/0, /*min_lr=*/0.05);
  // Constant metric: every step after the first reduces: 1 -> 0.1 -> max(0.01, 0.05) = 0.05,
  // then 0.05 stays (max(0.005, 0.05) is no reduction).
  const std::vector<double> lrs = {1, 0.1, 0.05, 0.05};
  for (size_t i = 0; i < lrs.size(); ++i) {
    plateau.step(3.0);
    EXPECT_NEAR(f.lr(0), lrs[i], 1e-17) << "step " << i + 1;
    EXPECT_EQ(f.lr(1), 0.02) << "step " << i + 1;
  }
}

TEST_P(Scheduler, ReduceLROnPlateauSkipsReductionsSmallerThanEps) {
  // PyTorch's eps (default 1e-8): a reduction of the lr by less than eps is not applied.
  // lr 1e-8 * 0.1 = 1e-9 would change it by 9e-9 < 1e-8: it stays. From 1e-6 the change is
  // 9e-7 > 1e-8: it happens.
  GroupsFixture f({1e-8, 1e-6});
  Plateau plateau(*f.sgd, Plateau::Mode::Min, /*factor=*/0.1, /*patience=*/0);
  plateau.step(1.0);
  plateau.step(1.0);
  EXPECT_EQ(f.lr(0), 1e-8);
  EXPECT_NEAR(f.lr(1), 1e-7, 1e-22);
  // With eps = 0 every reduction applies.
  GroupsFixture g({1e-8});
  Plateau no_eps(*g.sgd, Plateau::Mode::Min, 0.1, 0, 1e-4, 0, 0.0, /*eps=*/0.0);
  no_eps.step(1.0);
  no_eps.step(1.0);
  EXPECT_NEAR(g.lr(0), 1e-9, 1e-24);
}

// --- gradient clipping ---------------------------------------------------------------------------

TEST_P(ClipGradNorm, ScalesAllGradientsByMaxNormOverTheTotalNorm) {
  Tensor a = param({1.0, 1.0});
  Tensor b = param({1.0});
  Tensor unused = param({1.0, 1.0, 1.0});  // no gradient: ignored
  set_grad(a, {3.0, -4.0});
  set_grad(b, {12.0});
  // Total 2-norm over both: sqrt(9 + 16 + 144) = sqrt(169) = 13.
  const double total = nn::utils::clip_grad_norm_({a, unused, b}, /*max_norm=*/1.0);
  EXPECT_DOUBLE_EQ(total, 13.0);
  // Every gradient times 1 / (13 + 1e-6): [3, -4] / 13 = [0.2307692308, -0.3076923077],
  // 12 / 13 = 0.9230769231 (each smaller by a relative 1e-6 / 13 = 7.7e-8).
  const double scale = 1.0 / (13.0 + 1e-6);
  expect_tensor<double>(a.grad(), {2}, {3.0 * scale, -4.0 * scale}, 1e-15);
  expect_tensor<double>(b.grad(), {1}, {12.0 * scale}, 1e-15);
  EXPECT_NEAR(a.grad().to_vector<double>()[0], 0.2307692308, 1e-7);
  EXPECT_NEAR(b.grad().to_vector<double>()[0], 0.9230769231, 1e-7);
  EXPECT_FALSE(unused.grad().defined());
  // The new total norm is just below max_norm: 13 / (13 + 1e-6).
  EXPECT_NEAR(nn::utils::clip_grad_norm_({a, b}, 100.0), 1.0, 1e-7);
  EXPECT_LT(nn::utils::clip_grad_norm_({a, b}, 100.0), 1.0);
}

TEST_P(ClipGradNorm, LeavesGradientsUntouchedWhenTheNormIsWithinMaxNorm) {
  Tensor a = param({1.0, 1.0});
  Tensor b = param({1.0}, kFloat32);
  set_grad(a, {3.0, -4.0});
  set_grad(b, {12.0});
  const Tensor a_grad = a.grad();
  // Total 13 <= 13.5: nothing changes, and the same gradient tensors stay in place.
  EXPECT_DOUBLE_EQ(nn::utils::clip_grad_norm_({a, b}, 13.5), 13.0);
  expect_tensor<double>(a.grad(), {2}, {3.0, -4.0});
  expect_tensor<float>(b.grad(), {1}, {12.0f});
  EXPECT_TRUE(a.grad().is_alias_of(a_grad));
}

TEST_P(ClipGradNorm, Float32GradientsAreScaledInPlace) {
  Tensor a = param({0.0, 0.0, 0.0, 0.0}, kFloat32);
  set_grad(a, {1.0, -1.0, 1.0, -1.0});
  const Tensor held = a.grad();
  // Norm sqrt(4) = 2; max_norm 0.5 scales by 0.5 / (2 + 1e-6) = 0.25 (to 1.3e-7).
  EXPECT_DOUBLE_EQ(nn::utils::clip_grad_norm_({a}, 0.5), 2.0);
  expect_tensor<float>(held, {4}, {0.25f, -0.25f, 0.25f, -0.25f}, 1e-6);
  EXPECT_TRUE(held.is_alias_of(a.grad()));
}

TEST_P(ClipGradNorm, OtherNormTypes) {
  Tensor a = param({1.0, 1.0});
  Tensor b = param({1.0});
  set_grad(a, {3.0, -4.0});
  set_grad(b, {-12.0});
  // Infinity norm: the largest magnitude, 12. max_norm 6 scales by 6 / (12 + 1e-6), about 0.5.
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_DOUBLE_EQ(nn::utils::clip_grad_norm_({a, b}, 6.0, inf), 12.0);
  const double half = 6.0 / (12.0 + 1e-6);
  expect_tensor<double>(a.grad(), {2}, {3.0 * half, -4.0 * half}, 1e-15);
  expect_tensor<double>(b.grad(), {1}, {-12.0 * half}, 1e-15);

  // 1-norm of [1.5, -2] and [-6] (to 1e-6): 1.5 + 2 + 6 = 9.5; max_norm 10: unchanged.
  EXPECT_NEAR(nn::utils::clip_grad_norm_({a, b}, 10.0, 1.0), 9.5, 1e-5);
  expect_tensor<double>(b.grad(), {1}, {-12.0 * half});
  // 3-norm of [1, 2] and [2]: (1 + 8 + 8)^(1/3) = 17^(1/3) = 2.5712815907 (2.5712815907^3 = 17).
  set_grad(a, {1.0, 2.0});
  set_grad(b, {2.0});
  EXPECT_NEAR(nn::utils::clip_grad_norm_({a, b}, 10.0, 3.0), 2.5712815907, 1e-9);

  expect_error([&] { nn::utils::clip_grad_norm_({a}, 1.0, 0.0); },
               {"clip_grad_norm_", "norm_type"});
}

TEST_P(ClipGradNorm, NoGradientsGiveANormOfZero) {
  Tensor a = param({1.0});
  EXPECT_EQ(nn::utils::clip_grad_norm_({a}, 1.0), 0.0);
  EXPECT_EQ(nn::utils::clip_grad_norm_({}, 1.0), 0.0);
  EXPECT_FALSE(a.grad().defined());
}

// --- training ------------------------------------------------------------------------------------

// Points uniform in [-1, 1]^2 labelled 1 where x * y > 0 (quadrants I and III), else 0: not
// linearly separable. Points within 0.1 of an axis (the class boundary) are left out, a margin.
struct QuadrantData {
  Tensor points;  // float32 [n, 2]
  Tensor labels;  // int64 [n]
};

QuadrantData quadrant_data(int64_t n) {
  std::vector<float> coords;
  std::vector<int64_t> labels;
  while (static_cast<int64_t>(labels.size()) < n) {
    const std::vector<float> draws = (rand({256, 2}) * 2.0 - 1.0).to_vector<float>();
    for (size_t i = 0; i + 1 < draws.size() && static_cast<int64_t>(labels.size()) < n; i += 2) {
      const float x = draws[i], y = draws[i + 1];
      if (std::abs(x) < 0.1f || std::abs(y) < 0.1f) continue;
      coords.push_back(x);
      coords.push_back(y);
      labels.push_back(x * y > 0 ? 1 : 0);
    }
  }
  return {tensor(coords).reshape({n, 2}), tensor(labels)};
}

double accuracy(nn::Sequential& model, const QuadrantData& data) {
  NoGradGuard no_grad;
  const Tensor predicted = model(data.points).argmax(1);
  const int64_t correct = (predicted == data.labels).sum().item<int64_t>();
  return static_cast<double>(correct) / static_cast<double>(data.labels.size(0));
}

TEST_P(Training, MlpLearnsTheQuadrantProblemWithAdamAndShuffledBatches) {
  manual_seed(2024);
  const QuadrantData train = quadrant_data(512);
  const QuadrantData held_out = quadrant_data(512);
  // Both classes are present in about equal numbers (each is half the square).
  const int64_t ones = train.labels.sum().item<int64_t>();
  EXPECT_GT(ones, 200);
  EXPECT_LT(ones, 312);

  nn::Sequential model(nn::Linear(2, 16), nn::ReLU(), nn::Linear(16, 2));
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(0.02));
  nn::CrossEntropyLoss criterion;
  data::DataLoader loader(data::TensorDataset({train.points, train.labels}),
                          data::DataLoaderOptions().batch_size(32).shuffle(true).seed(7));
  // An untrained model is no better than chance at this problem.
  EXPECT_LT(accuracy(model, train), 0.8);

  double first_epoch_loss = 0, last_epoch_loss = 0;
  const int epochs = 60;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    double loss_sum = 0;
    for (const std::vector<Tensor>& batch : loader) {
      const Tensor loss = criterion(model(batch[0]), batch[1]);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
    }
    if (epoch == 0) first_epoch_loss = loss_sum / static_cast<double>(loader.size());
    last_epoch_loss = loss_sum / static_cast<double>(loader.size());
  }
  EXPECT_EQ(loader.epochs_started(), static_cast<uint64_t>(epochs));
  EXPECT_LT(last_epoch_loss, 0.2 * first_epoch_loss);
  EXPECT_GT(accuracy(model, train), 0.99);
  EXPECT_GT(accuracy(model, held_out), 0.99);
  // 512 samples in batches of 32: 16 steps per epoch.
  EXPECT_EQ(optimizer.state_of(model->parameters()[0]).step, 16 * epochs);
}

}  // namespace
}  // namespace nabla

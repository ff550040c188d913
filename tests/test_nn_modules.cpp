// nn: the Module API (registration, dotted names, train/eval, zero_grad, to, printing), every
// layer's forward and every loss against values computed by hand, gradcheck through each module
// and loss, and nn::init's formulas.
#include "device_test.h"
#include "test_helpers.h"

#include <cmath>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nabla/core/math/philox.h>

namespace nabla {
namespace {

NABLA_DEVICE_SUITE(NnModule);
NABLA_DEVICE_SUITE(NnLayer);
NABLA_DEVICE_SUITE(NnLoss);
NABLA_DEVICE_SUITE(NnInit);

using testing::expect_error;
using testing::expect_tensor;
using Inputs = std::vector<Tensor>;
using testing::gradients_match;
using Named = std::vector<std::pair<std::string, Tensor>>;
namespace F = nn::functional;

Tensor leaf(Tensor t) {
  t.set_requires_grad(true);
  return t;
}

std::vector<std::string> names_of(const Named& named) {
  std::vector<std::string> names;
  for (const auto& [name, tensor] : named) names.push_back(name);
  return names;
}

std::string printed(const nn::Module& module) {
  std::ostringstream out;
  out << module;
  return out.str();
}

// Sample mean and (population) standard deviation of a tensor's elements.
std::pair<double, double> mean_and_std(const Tensor& t) {
  const std::vector<double> v = t.to_vector<double>();
  double sum = 0, sum_sq = 0;
  for (double x : v) sum += x;
  const double mean = sum / static_cast<double>(v.size());
  for (double x : v) sum_sq += (x - mean) * (x - mean);
  return {mean, std::sqrt(sum_sq / static_cast<double>(v.size()))};
}

double max_abs(const Tensor& t) {
  double m = 0;
  for (double x : t.to_vector<double>()) m = std::max(m, std::fabs(x));
  return m;
}

// A child module holding only a buffer.
struct Counter : nn::Module {
  Counter() : nn::Module("Counter") { count = register_buffer("count", zeros({}, kInt64)); }
  Tensor count;
};

// A user-defined model written as with libtorch: holders that start empty and are assigned by
// register_module in the constructor.
struct Net : nn::Module {
  Net() : nn::Module("Net") {
    fc1 = register_module("fc1", nn::Linear(3, 4));
    fc2 = register_module("fc2", nn::Linear(4, 2));
    counter = register_module("counter", std::make_shared<Counter>());
    // Registered after the submodules, but a module's own parameters are listed first (PyTorch).
    scale = register_parameter("scale", ones({1}));
    steps = register_buffer("steps", zeros({}, kInt64));
    running_mean = register_buffer("running_mean", zeros({2}));
  }
  Tensor forward(const Tensor& x) const { return fc2(F::relu(fc1(x))) * scale; }
  nn::Linear fc1{nullptr}, fc2{nullptr};
  std::shared_ptr<Counter> counter;
  Tensor scale, steps, running_mean;
};

// Exposes the protected registration calls, to test their checks.
struct Open : nn::Module {
  using nn::Module::register_buffer;
  using nn::Module::register_module;
  using nn::Module::register_parameter;
};

// ------------------------------------------------------------------------------------------------
// Module API
// ------------------------------------------------------------------------------------------------

TEST_P(NnModule, NamedParametersAreDottedAndInRegistrationOrder) {
  auto net = std::make_shared<Net>();
  const Named named = net->named_parameters();
  EXPECT_EQ(names_of(named), (std::vector<std::string>{"scale", "fc1.weight", "fc1.bias",
                                                       "fc2.weight", "fc2.bias"}));
  // Shapes: Linear(3, 4) has weight [4, 3] and bias [4]; Linear(4, 2) has [2, 4] and [2].
  EXPECT_EQ(named[0].second.sizes(), (Shape{1}));
  EXPECT_EQ(named[1].second.sizes(), (Shape{4, 3}));
  EXPECT_EQ(named[2].second.sizes(), (Shape{4}));
  EXPECT_EQ(named[3].second.sizes(), (Shape{2, 4}));
  EXPECT_EQ(named[4].second.sizes(), (Shape{2}));
  // The entries are the module's own tensors, not copies.
  EXPECT_EQ(named[1].second.impl(), net->fc1->weight.impl());
  EXPECT_EQ(named[4].second.impl(), net->fc2->bias.impl());
  EXPECT_EQ(named[0].second.impl(), net->scale.impl());

  const std::vector<Tensor> params = net->parameters();
  ASSERT_EQ(params.size(), 5u);
  for (size_t i = 0; i < params.size(); ++i) {
    EXPECT_EQ(params[i].impl(), named[i].second.impl()) << named[i].first;
    EXPECT_TRUE(params[i].requires_grad()) << named[i].first;
    EXPECT_TRUE(params[i].is_leaf()) << named[i].first;
  }
  // Without recursion only the module's own parameter.
  EXPECT_EQ(names_of(net->named_parameters(false)), (std::vector<std::string>{"scale"}));
  EXPECT_EQ(net->parameters(false).size(), 1u);
  // 4*3 + 4 + 2*4 + 2 + 1 = 27 trainable numbers.
  int64_t count = 0;
  for (const Tensor& p : params) count += p.numel();
  EXPECT_EQ(count, 27);
}

TEST_P(NnModule, ChildrenAndNamedChildren) {
  auto net = std::make_shared<Net>();
  const auto named = net->named_children();
  ASSERT_EQ(named.size(), 3u);
  EXPECT_EQ(named[0].first, "fc1");
  EXPECT_EQ(named[1].first, "fc2");
  EXPECT_EQ(named[2].first, "counter");
  EXPECT_EQ(named[0].second.get(), net->fc1.ptr().get());
  EXPECT_EQ(named[1].second.get(), net->fc2.ptr().get());
  EXPECT_EQ(named[2].second.get(), net->counter.get());
  const auto children = net->children();
  ASSERT_EQ(children.size(), 3u);
  for (size_t i = 0; i < children.size(); ++i) EXPECT_EQ(children[i], named[i].second);
  // Leaves have no children; Linear's name is its type.
  EXPECT_TRUE(net->fc1->children().empty());
  EXPECT_EQ(net->fc1->name(), "Linear");
  EXPECT_EQ(net->name(), "Net");
}

TEST_P(NnModule, BuffersAreNamedWalkedAndNotParameters) {
  auto net = std::make_shared<Net>();
  const Named named = net->named_buffers();
  EXPECT_EQ(names_of(named), (std::vector<std::string>{"steps", "running_mean", "counter.count"}));
  EXPECT_EQ(named[2].second.impl(), net->counter->count.impl());
  const std::vector<Tensor> buffers = net->buffers();
  ASSERT_EQ(buffers.size(), 3u);
  for (const Tensor& b : buffers) EXPECT_FALSE(b.requires_grad());
  EXPECT_EQ(net->buffers(false).size(), 2u);
  EXPECT_TRUE(net->fc1->buffers().empty());
  // A buffer is not a parameter.
  for (const auto& [name, p] : net->named_parameters()) EXPECT_NE(name, "steps");
}

TEST_P(NnModule, RegistrationChecksNames) {
  Open m;
  m.register_parameter("w", zeros({2}));
  expect_error([&] { m.register_parameter("w", zeros({2})); },
               {"parameter", "\"w\"", "already registered"});
  expect_error([&] { m.register_parameter("a.b", zeros({2})); }, {"\"a.b\"", "'.'"});
  expect_error([&] { m.register_parameter("", zeros({2})); }, {"parameter", "non-empty"});
  expect_error([&] { m.register_parameter("u", Tensor()); }, {"\"u\"", "undefined"});
  m.register_buffer("b", zeros({2}));
  expect_error([&] { m.register_buffer("b", zeros({2})); }, {"buffer", "\"b\"", "already"});
  m.register_module("child", nn::ReLU());
  expect_error([&] { m.register_module("child", nn::Tanh()); },
               {"submodule", "\"child\"", "already"});
  expect_error([&] { m.register_module("empty", nn::Linear(nullptr)); },
               {"submodule", "\"empty\"", "empty"});
  // A parameter registered with requires_grad = false stays frozen.
  Tensor frozen = m.register_parameter("frozen", ones({1}), /*requires_grad=*/false);
  EXPECT_FALSE(frozen.requires_grad());
  EXPECT_EQ(names_of(m.named_parameters()), (std::vector<std::string>{"w", "frozen"}));
}

TEST_P(NnModule, TrainAndEvalPropagateToChildren) {
  auto net = std::make_shared<Net>();
  EXPECT_TRUE(net->is_training());  // modules start in training mode
  EXPECT_TRUE(net->fc1->is_training());
  net->eval();
  EXPECT_FALSE(net->is_training());
  EXPECT_FALSE(net->fc1->is_training());
  EXPECT_FALSE(net->fc2->is_training());
  EXPECT_FALSE(net->counter->is_training());
  net->train();
  EXPECT_TRUE(net->fc2->is_training());
  EXPECT_TRUE(net->counter->is_training());
  net->train(false);
  EXPECT_FALSE(net->counter->is_training());

  // Through Sequential: a Dropout nested inside follows the outer mode.
  nn::Sequential seq(nn::Linear(2, 2), nn::Dropout(0.5));
  seq->eval();
  EXPECT_FALSE(seq->children()[1]->is_training());
  const Tensor x = ones({4, 2});
  // In eval mode dropout is the identity, so the output is the Linear's output.
  const auto first = std::dynamic_pointer_cast<nn::LinearImpl>(seq->children()[0]);
  ASSERT_NE(first, nullptr);
  expect_tensor<float>(seq(x), {4, 2}, first->forward(x).to_vector<float>());
  seq->train();
  EXPECT_TRUE(seq->children()[1]->is_training());
}

TEST_P(NnModule, ZeroGradSetsToNoneOrFillsZeros) {
  auto net = std::make_shared<Net>();
  net->forward(ones({2, 3})).sum().backward();
  for (const auto& [name, p] : net->named_parameters()) {
    EXPECT_TRUE(p.grad().defined()) << name;
  }
  net->zero_grad();  // set_to_none by default
  for (const auto& [name, p] : net->named_parameters()) {
    EXPECT_FALSE(p.grad().defined()) << name;
  }
  // Zero-filling keeps grads defined, of the parameter's shape, all 0.
  net->forward(ones({2, 3})).sum().backward();
  net->zero_grad(/*set_to_none=*/false);
  for (const auto& [name, p] : net->named_parameters()) {
    ASSERT_TRUE(p.grad().defined()) << name;
    EXPECT_EQ(p.grad().sizes(), p.sizes()) << name;
    for (float g : p.grad().to_vector<float>()) EXPECT_EQ(g, 0.0f) << name;
  }
  // The next backward accumulates onto the zeros: d(sum(scale * y))/d(scale) = sum(y).
  const Tensor y = net->forward(ones({2, 3}));
  y.sum().backward();
  EXPECT_NEAR(net->scale.grad().item<float>(), y.sum().item<float>(), 1e-5);
  // zero_grad on parameters that never had a grad is harmless.
  auto fresh = std::make_shared<Net>();
  fresh->zero_grad(false);
  EXPECT_FALSE(fresh->fc1->weight.grad().defined());
}

TEST_P(NnModule, ToFloat64ConvertsInPlaceAndHeldHandlesSeeIt) {
  auto net = std::make_shared<Net>();
  const Tensor held_weight = net->fc1->weight;  // handles taken before the conversion
  const Tensor held_bias = net->parameters()[2];
  const std::vector<float> before = held_weight.to_vector<float>();
  net->to(kFloat64);
  EXPECT_EQ(held_weight.dtype(), kFloat64);
  EXPECT_EQ(held_bias.dtype(), kFloat64);
  for (const auto& [name, p] : net->named_parameters()) {
    EXPECT_EQ(p.dtype(), kFloat64) << name;
    EXPECT_TRUE(p.requires_grad()) << name;
    EXPECT_TRUE(p.is_leaf()) << name;
  }
  // float -> double is exact.
  const std::vector<double> after = held_weight.to_vector<double>();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) EXPECT_EQ(after[i], static_cast<double>(before[i]));
  // Floating buffers convert; integer buffers keep their dtype.
  EXPECT_EQ(net->running_mean.dtype(), kFloat64);
  EXPECT_EQ(net->steps.dtype(), kInt64);
  EXPECT_EQ(net->counter->count.dtype(), kInt64);
  // The converted model runs in float64 and its gradients are float64.
  const Tensor y = net->forward(ones({2, 3}, kFloat64));
  EXPECT_EQ(y.dtype(), kFloat64);
  y.sum().backward();
  EXPECT_EQ(held_weight.grad().dtype(), kFloat64);
  // And back to float32.
  net->to(kFloat32);
  EXPECT_EQ(held_weight.dtype(), kFloat32);
}

TEST_P(NnModule, ToConvertsExistingGradients) {
  // As PyTorch's Module.to: a parameter's accumulated .grad follows the parameter's dtype.
  nn::Linear fc(2, 1);
  {
    NoGradGuard no_grad;
    fc->weight.copy_(tensor({{1.0, 2.0}}));
  }
  fc(tensor({{3.0, 4.0}})).sum().backward();  // d/dW = x = (3, 4), d/db = 1
  fc->to(kFloat64);
  ASSERT_TRUE(fc->weight.grad().defined());
  expect_tensor<double>(fc->weight.grad(), {1, 2}, {3.0, 4.0});
  expect_tensor<double>(fc->bias.grad(), {1}, {1.0});
  // zero_grad(false) then keeps float64 zeros, matching the parameter.
  fc->zero_grad(false);
  expect_tensor<double>(fc->weight.grad(), {1, 2}, {0.0, 0.0});
}

TEST_P(NnModule, SequentialNamesChildrenByIndex) {
  nn::Sequential seq(nn::Linear(2, 3), nn::ReLU(), nn::Linear(3, 1));
  EXPECT_EQ(seq->size(), 3u);
  EXPECT_EQ(names_of(seq->named_parameters()),
            (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  const auto children = seq->named_children();
  ASSERT_EQ(children.size(), 3u);
  EXPECT_EQ(children[0].first, "0");
  EXPECT_EQ(children[1].first, "1");
  EXPECT_EQ(children[2].first, "2");
  // push_back appends "3".
  seq->push_back(nn::Linear(1, 1));
  EXPECT_EQ(seq->size(), 4u);
  EXPECT_EQ(seq->named_parameters().back().first, "3.bias");
  // A Sequential nested in a Sequential gives two-level names.
  nn::Sequential outer(nn::Sequential(nn::Linear(2, 2)), nn::Tanh());
  EXPECT_EQ(names_of(outer->named_parameters()),
            (std::vector<std::string>{"0.0.weight", "0.0.bias"}));
}

TEST_P(NnModule, SequentialRunsStepsInOrder) {
  // Linear(1, 1) with w = -2, b = 1, then ReLU, then Linear(1, 1) with w = 3, b = 0.5:
  // x = 0 -> 1 -> 1 -> 3.5; x = 1 -> -1 -> 0 -> 0.5; x = -1 -> 3 -> 3 -> 9.5.
  nn::Linear first(1, 1), last(1, 1);
  nn::init::constant_(first->weight, -2);
  nn::init::constant_(first->bias, 1);
  nn::init::constant_(last->weight, 3);
  nn::init::constant_(last->bias, 0.5);
  nn::Sequential seq(first, nn::ReLU(), last);
  expect_tensor<float>(seq(tensor({{0.0f}, {1.0f}, {-1.0f}})), {3, 1}, {3.5f, 0.5f, 9.5f});
  // The Sequential holds the same modules: changing `first` changes seq's output.
  nn::init::constant_(first->bias, 2);  // x = 0 -> 2 -> 2 -> 6.5
  expect_tensor<float>(seq(tensor({{0.0f}})), {1, 1}, {6.5f});
}

TEST_P(NnModule, PrintsTheModuleTree) {
  nn::Sequential seq(nn::Linear(2, 3), nn::ReLU(), nn::Dropout(0.25),
                     nn::Linear(nn::LinearOptions(3, 1).bias(false)));
  EXPECT_EQ(printed(*seq),
            "Sequential(\n"
            "  (0): Linear(in_features=2, out_features=3, bias=true)\n"
            "  (1): ReLU()\n"
            "  (2): Dropout(p=0.25)\n"
            "  (3): Linear(in_features=3, out_features=1, bias=false)\n"
            ")\n"
            "Parameters: 12");
  auto net = std::make_shared<Net>();
  EXPECT_EQ(printed(*net),
            "Net(\n"
            "  (fc1): Linear(in_features=3, out_features=4, bias=true)\n"
            "  (fc2): Linear(in_features=4, out_features=2, bias=true)\n"
            "  (counter): Counter\n"
            ")\n"
            "Parameters: 27");  // 12 + 10 in fc1 and fc2, 1 in scale
  // Nesting indents by two spaces a level.
  nn::Sequential outer{nn::Sequential(nn::Tanh()), nn::Flatten()};
  EXPECT_EQ(printed(*outer),
            "Sequential(\n"
            "  (0): Sequential(\n"
            "    (0): Tanh()\n"
            "  )\n"
            "  (1): Flatten(start_dim=1, end_dim=-1)\n"
            ")\n"
            "Parameters: 0");
  EXPECT_EQ(printed(*nn::Threshold(0.5, -1)), "Threshold(threshold=0.5, value=-1)");
  EXPECT_EQ(printed(*nn::Softmax(1)), "Softmax(dim=1)");
  EXPECT_EQ(printed(*nn::LogSoftmax(-1)), "LogSoftmax(dim=-1)");
}

TEST_P(NnModule, EmptyHolderGivesAClearError) {
  nn::Linear fc{nullptr};
  EXPECT_TRUE(fc.is_empty());
  expect_error([&] { fc(ones({1, 2})); }, {"empty", "nullptr"});
  expect_error([&] { (void)fc->weight; }, {"empty"});
  // Assigning a module later makes it usable.
  fc = nn::Linear(2, 1);
  EXPECT_FALSE(fc.is_empty());
  EXPECT_EQ(fc(ones({1, 2})).sizes(), (Shape{1, 1}));
  // A holder of a module without a default constructor starts empty too.
  nn::Linear defaulted;
  EXPECT_TRUE(defaulted.is_empty());
  // One with a default constructor builds it.
  nn::ReLU relu;
  EXPECT_FALSE(relu.is_empty());
}

// ------------------------------------------------------------------------------------------------
// Layers
// ------------------------------------------------------------------------------------------------

// Linear(3, 2) with W = [[1, 2, 3], [-1, 0, 0.5]] and b = [0.5, -1].
nn::Linear hand_set_linear() {
  nn::Linear fc(3, 2);
  NoGradGuard no_grad;
  fc->weight.copy_(tensor({{1.0f, 2.0f, 3.0f}, {-1.0f, 0.0f, 0.5f}}));
  fc->bias.copy_(tensor({0.5f, -1.0f}));
  return fc;
}

TEST_P(NnLayer, LinearForwardWithHandSetWeights) {
  nn::Linear fc = hand_set_linear();
  // x = [[1, 1, 1], [2, -1, 0]]:
  // y00 = 1 + 2 + 3 + 0.5 = 6.5;  y01 = -1 + 0 + 0.5 - 1 = -1.5;
  // y10 = 2 - 2 + 0 + 0.5 = 0.5;  y11 = -2 + 0 + 0 - 1 = -3.
  const Tensor x = tensor({{1.0f, 1.0f, 1.0f}, {2.0f, -1.0f, 0.0f}});
  expect_tensor<float>(fc(x), {2, 2}, {6.5f, -1.5f, 0.5f, -3.0f});
  // An unbatched input [3] gives [2].
  expect_tensor<float>(fc(tensor({1.0f, 1.0f, 1.0f})), {2}, {6.5f, -1.5f});
  // Leading dims are kept: [2, 1, 3] -> [2, 1, 2].
  expect_tensor<float>(fc(x.reshape({2, 1, 3})), {2, 1, 2}, {6.5f, -1.5f, 0.5f, -3.0f});
  // F::linear is the same function.
  expect_tensor<float>(F::linear(x, fc->weight, fc->bias), {2, 2}, {6.5f, -1.5f, 0.5f, -3.0f});
}

TEST_P(NnLayer, LinearBackwardByHand) {
  nn::Linear fc = hand_set_linear();
  const Tensor x = leaf(tensor({{1.0f, 1.0f, 1.0f}, {2.0f, -1.0f, 0.0f}}));
  fc(x).sum().backward();
  // d sum / dW[j][i] = sum_n x[n][i] = (3, 0, 1) for each j; d sum / db[j] = N = 2;
  // d sum / dx[n][i] = sum_j W[j][i] = (1 - 1, 2 + 0, 3 + 0.5) = (0, 2, 3.5).
  expect_tensor<float>(fc->weight.grad(), {2, 3}, {3, 0, 1, 3, 0, 1});
  expect_tensor<float>(fc->bias.grad(), {2}, {2, 2});
  expect_tensor<float>(x.grad(), {2, 3}, {0, 2, 3.5f, 0, 2, 3.5f});
}

TEST_P(NnLayer, LinearWithoutBiasAndWithInitConstants) {
  nn::Linear fc(nn::LinearOptions(3, 2).bias(false));
  EXPECT_FALSE(fc->bias.defined());
  EXPECT_EQ(names_of(fc->named_parameters()), (std::vector<std::string>{"weight"}));
  nn::init::constant_(fc->weight, 0.5);
  // y_j = 0.5 * (1 + 2 + 3) = 3 for both outputs.
  expect_tensor<float>(fc(tensor({{1.0f, 2.0f, 3.0f}})), {1, 2}, {3.0f, 3.0f});

  // With a bias of 0.25: 3 + 0.25.
  nn::Linear biased(3, 2);
  nn::init::constant_(biased->weight, 0.5);
  nn::init::constant_(biased->bias, 0.25);
  expect_tensor<float>(biased(tensor({{1.0f, 2.0f, 3.0f}})), {1, 2}, {3.25f, 3.25f});
}

TEST_P(NnLayer, SeedArticleNetworkThroughLinearLayers) {
  // Inputs (2, 3), hidden weights (1, 1) and (-1, 1), output weights (2, -1), no biases:
  // hidden = (2 + 3, -2 + 3) = (5, 1); output = 2 * 5 - 1 = 9.
  // With ReLU on hidden nothing changes (both positive). With inputs (3, 1): hidden = (4, -2),
  // output = 2 * 4 + 2 = 10; with ReLU, hidden = (4, 0), output = 8.
  nn::Linear hidden(nn::LinearOptions(2, 2).bias(false));
  nn::Linear output(nn::LinearOptions(2, 1).bias(false));
  {
    NoGradGuard no_grad;
    hidden->weight.copy_(tensor({{1.0f, 1.0f}, {-1.0f, 1.0f}}));
    output->weight.copy_(tensor({{2.0f, -1.0f}}));
  }
  expect_tensor<float>(hidden(tensor({2.0f, 3.0f})), {2}, {5.0f, 1.0f});
  expect_tensor<float>(output(hidden(tensor({2.0f, 3.0f}))), {1}, {9.0f});
  expect_tensor<float>(output(hidden(tensor({3.0f, 1.0f}))), {1}, {10.0f});
  expect_tensor<float>(output(F::relu(hidden(tensor({3.0f, 1.0f})))), {1}, {8.0f});
}

TEST_P(NnLayer, LinearErrors) {
  nn::Linear fc(3, 2);
  expect_error([&] { fc(ones({2, 4})); }, {"linear", "[2, 4]", "3", "[2, 3]"});
  expect_error([&] { nn::Linear(0, 2); }, {"Linear", "positive", "0"});
  expect_error([&] { F::linear(ones({2, 3}), ones({3})); }, {"linear", "2-D", "[3]"});
}

TEST_P(NnLayer, LinearInitIsThePhiloxDrawsOfKaimingUniform) {
  // Kaiming-uniform with a = sqrt(5): gain = sqrt(2 / (1 + 5)) = 1/sqrt(3), bound =
  // sqrt(3) * gain / sqrt(in) = 1/sqrt(in) = 0.5 for in = 4. The bias bound is 1/sqrt(4) too.
  // After manual_seed the weight is the generator's call 0 and the bias call 1.
  const uint64_t seed = 4242;
  manual_seed(seed);
  nn::Linear fc(4, 3);
  const std::vector<float> w = fc->weight.to_vector<float>();
  ASSERT_EQ(w.size(), 12u);
  for (size_t i = 0; i < w.size(); ++i) {
    EXPECT_NEAR(w[i], math::random_uniform<float>(seed, 0, i, -0.5f, 0.5f), 1e-6) << i;
  }
  const std::vector<float> b = fc->bias.to_vector<float>();
  for (size_t i = 0; i < b.size(); ++i) {
    EXPECT_NEAR(b[i], math::random_uniform<float>(seed, 1, i, -0.5f, 0.5f), 1e-6) << i;
  }
  // reset_parameters draws again (calls 2 and 3).
  fc->reset_parameters();
  EXPECT_NEAR(fc->weight.to_vector<float>()[0],
              math::random_uniform<float>(seed, 2, 0, -0.5f, 0.5f), 1e-6);
  EXPECT_NEAR(fc->bias.to_vector<float>()[0], math::random_uniform<float>(seed, 3, 0, -0.5f, 0.5f),
              1e-6);
}

TEST_P(NnLayer, LinearInitBoundsAndSpread) {
  manual_seed(7);
  nn::Linear fc(256, 256);
  // bound = 1/sqrt(256) = 1/16 = 0.0625 for both the weight and the bias.
  const double bound = 0.0625;
  EXPECT_LE(max_abs(fc->weight), bound);
  EXPECT_LE(max_abs(fc->bias), bound);
  // 65536 uniform draws: the largest |w| is within 0.1% of the bound (P(miss) = 0.999^65536).
  EXPECT_GT(max_abs(fc->weight), 0.999 * bound);
  // Uniform(-b, b) has mean 0 and std b/sqrt(3) = 0.036084; the sample std's relative error is
  // about 1/sqrt(2n) = 0.3%, the mean's std is 0.036 / 256 = 1.4e-4.
  const auto [mean, sd] = mean_and_std(fc->weight);
  EXPECT_NEAR(mean, 0.0, 1e-3);
  EXPECT_NEAR(sd, bound / std::sqrt(3.0), 0.02 * bound / std::sqrt(3.0));
  // 256 biases still spread over the interval: max |b| above half the bound.
  EXPECT_GT(max_abs(fc->bias), 0.5 * bound);
  // Uneven fans: Linear(100, 7) has bound 1/sqrt(100) = 0.1.
  nn::Linear narrow(100, 7);
  EXPECT_LE(max_abs(narrow->weight), 0.1);
  EXPECT_GT(max_abs(narrow->weight), 0.09);  // 700 draws: P(all below 0.9 bound) = 0.9^700
}

TEST_P(NnLayer, ReLUSigmoidTanh) {
  expect_tensor<float>(nn::ReLU()(tensor({-2.0f, -0.5f, 0.0f, 0.5f, 3.0f})), {5},
                       {0.0f, 0.0f, 0.0f, 0.5f, 3.0f});
  // sigmoid(0) = 1/2; sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4; sigmoid(-ln 3) = 1/4.
  const float ln3 = std::log(3.0f);
  expect_tensor<float>(nn::Sigmoid()(tensor({0.0f, ln3, -ln3})), {3}, {0.5f, 0.75f, 0.25f}, 1e-6);
  // tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6.
  const float ln2 = std::log(2.0f);
  expect_tensor<float>(nn::Tanh()(tensor({0.0f, ln2, -ln2})), {3}, {0.0f, 0.6f, -0.6f}, 1e-6);
  // Saturation: sigmoid(+-100) is 1 and 0, tanh(+-100) is +-1, all finite.
  expect_tensor<float>(nn::Sigmoid()(tensor({100.0f, -100.0f})), {2}, {1.0f, 0.0f}, 1e-7);
  expect_tensor<float>(nn::Tanh()(tensor({100.0f, -100.0f})), {2}, {1.0f, -1.0f}, 1e-7);
  // Shapes are kept.
  EXPECT_EQ(nn::ReLU()(ones({2, 3, 4})).sizes(), (Shape{2, 3, 4}));
}

TEST_P(NnLayer, ActivationGradientsByHand) {
  // relu' = 1 where x > 0; sigmoid' = s (1 - s) = 3/16 at ln 3; tanh' = 1 - t^2 = 0.64 at ln 2.
  Tensor x = leaf(tensor({-1.0f, 2.0f}));
  nn::ReLU()(x).sum().backward();
  expect_tensor<float>(x.grad(), {2}, {0.0f, 1.0f});
  Tensor s = leaf(tensor({std::log(3.0f)}));
  nn::Sigmoid()(s).sum().backward();
  expect_tensor<float>(s.grad(), {1}, {0.1875f}, 1e-6);
  Tensor t = leaf(tensor({std::log(2.0f)}));
  nn::Tanh()(t).sum().backward();
  expect_tensor<float>(t.grad(), {1}, {0.64f}, 1e-6);
}

TEST_P(NnLayer, ThresholdIsTheStepActivation) {
  // y = x if x > 0.5 else -1: -3 -> -1; 0.5 is not above 0.5 -> -1; 0.75 and 2 pass.
  nn::Threshold step(0.5, -1);
  Tensor x = leaf(tensor({-3.0f, 0.5f, 0.75f, 2.0f}));
  const Tensor y = step(x);
  expect_tensor<float>(y, {4}, {-1.0f, -1.0f, 0.75f, 2.0f});
  // Passed elements have slope 1, replaced ones slope 0.
  y.sum().backward();
  expect_tensor<float>(x.grad(), {4}, {0.0f, 0.0f, 1.0f, 1.0f});
  // Threshold(0, 0) is ReLU.
  const Tensor z = tensor({-2.0f, 0.0f, 1.5f});
  expect_tensor<float>(nn::Threshold(0, 0)(z), {3}, {0.0f, 0.0f, 1.5f});
  // The threshold and value are the module's: a step to 1 above 1.
  expect_tensor<float>(F::threshold(tensor({0.9f, 1.0f, 1.1f}), 1.0, 1.0), {3}, {1.0f, 1.0f, 1.1f});
  // float64 stays float64.
  expect_tensor<double>(step(tensor({0.0, 1.0}, kFloat64)), {2}, {-1.0, 1.0});
}

TEST_P(NnLayer, SoftmaxAndLogSoftmaxAlongADim) {
  // Row 0: exp(0, ln 2, ln 5) = (1, 2, 5), sum 8 -> (1/8, 1/4, 5/8).
  // Row 1: exp(ln 3, 0, 0) = (3, 1, 1), sum 5 -> (3/5, 1/5, 1/5).
  const float ln2 = std::log(2.0f), ln3 = std::log(3.0f), ln5 = std::log(5.0f);
  const Tensor x = tensor({{0.0f, ln2, ln5}, {ln3, 0.0f, 0.0f}});
  const std::vector<float> p{0.125f, 0.25f, 0.625f, 0.6f, 0.2f, 0.2f};
  expect_tensor<float>(nn::Softmax(1)(x), {2, 3}, p, 1e-6);
  expect_tensor<float>(nn::Softmax(-1)(x), {2, 3}, p, 1e-6);
  std::vector<float> logp;
  for (float v : p) logp.push_back(std::log(v));
  expect_tensor<float>(nn::LogSoftmax(1)(x), {2, 3}, logp, 1e-6);
  // Along dim 0 of [[0, ln 4], [ln 3, 0]]: column 0 is (1, 3)/4, column 1 is (4, 1)/5.
  const Tensor y = tensor({{0.0f, std::log(4.0f)}, {ln3, 0.0f}});
  expect_tensor<float>(nn::Softmax(0)(y), {2, 2}, {0.25f, 0.8f, 0.75f, 0.2f}, 1e-6);
  expect_tensor<float>(nn::LogSoftmax(0)(y), {2, 2},
                       {std::log(0.25f), std::log(0.8f), std::log(0.75f), std::log(0.2f)}, 1e-6);
  // Stable for large logits: softmax(1000, 1000) = (1/2, 1/2); log_softmax(-1000, 0) = (-1000, 0)
  // (exp(-1000) underflows to 0, and log(1 + 0) = 0).
  expect_tensor<float>(nn::Softmax(0)(tensor({1000.0f, 1000.0f})), {2}, {0.5f, 0.5f}, 1e-7);
  expect_tensor<float>(nn::LogSoftmax(0)(tensor({1000.0f, 1000.0f})), {2},
                       {-std::log(2.0f), -std::log(2.0f)}, 1e-6);
  expect_tensor<float>(nn::LogSoftmax(0)(tensor({-1000.0f, 0.0f})), {2}, {-1000.0f, 0.0f}, 1e-4);
  expect_error([&] { nn::Softmax(2)(x); }, {"softmax", "2"});
}

TEST_P(NnLayer, SoftmaxGradientByHand) {
  // d softmax_i / d x_j = p_i (delta_ij - p_j). With weights g = (1, 0, 0) on the outputs of
  // softmax(0, ln 2, ln 5) = (1/8, 1/4, 5/8): grad_j = p_0 (delta_0j - p_j)
  // = (1/8 * 7/8, -1/8 * 1/4, -1/8 * 5/8) = (7/64, -2/64, -5/64).
  Tensor x = leaf(tensor({0.0f, std::log(2.0f), std::log(5.0f)}));
  const Tensor p = nn::Softmax(0)(x);
  p.backward(tensor({1.0f, 0.0f, 0.0f}));
  expect_tensor<float>(x.grad(), {3}, {7.0f / 64, -2.0f / 64, -5.0f / 64}, 1e-6);
}

TEST_P(NnLayer, FlattenAndIdentity) {
  const Tensor x = arange(24, kFloat32).reshape({2, 3, 4});
  std::vector<float> values(24);
  for (int i = 0; i < 24; ++i) values[i] = static_cast<float>(i);
  // Row-major order is kept; only the shape changes.
  expect_tensor<float>(nn::Flatten()(x), {2, 12}, values);        // dims 1..-1
  expect_tensor<float>(nn::Flatten(0, 1)(x), {6, 4}, values);     // dims 0..1
  expect_tensor<float>(nn::Flatten(0, -1)(x), {24}, values);      // everything
  expect_tensor<float>(nn::Flatten(1, 1)(x), {2, 3, 4}, values);  // one dim: unchanged
  expect_tensor<float>(nn::Flatten(-2, -1)(x), {2, 12}, values);
  // Element [1][5] of the default flatten is x[1][1][1] = 12 + 4 + 1 = 17.
  EXPECT_EQ(nn::Flatten()(x)[1][5].item<float>(), 17.0f);
  // Flatten's gradient reshapes back.
  Tensor leafx = leaf(ones({2, 3}));
  (nn::Flatten(0, -1)(leafx) * arange(6, kFloat32)).sum().backward();
  expect_tensor<float>(leafx.grad(), {2, 3}, {0, 1, 2, 3, 4, 5});

  // Identity returns its input.
  nn::Identity identity;
  const Tensor y = identity(x);
  EXPECT_EQ(y.impl(), x.impl());
}

TEST_P(NnLayer, DropoutIsIdentityInEvalMode) {
  nn::Dropout dropout(0.5);
  dropout->eval();
  const Tensor x = arange(1, 101, 1, kFloat32);
  const Tensor y = dropout(x);
  EXPECT_EQ(y.impl(), x.impl());
  // F::dropout with training = false too.
  EXPECT_EQ(F::dropout(x, 0.9, false).impl(), x.impl());
}

TEST_P(NnLayer, DropoutMaskIsThePhiloxDrawOfTheNextCall) {
  // With p = 1/4, element i is kept iff u_i >= 1/4, for u_i = uniform(seed, call, i) in [0, 1),
  // and kept elements are scaled by 1 / (1 - 1/4) = 4/3. After manual_seed the call is 0.
  const uint64_t seed = 20240611;
  const double p = 0.25;
  nn::Dropout dropout(p);
  ASSERT_TRUE(dropout->is_training());
  const int64_t n = 2000;
  const Tensor x = arange(1, n + 1, 1, kFloat32).reshape({40, 50});
  manual_seed(seed);
  const std::vector<float> y = dropout(x).to_vector<float>();
  const std::vector<float> y2 = dropout(x).to_vector<float>();  // the next call, 1
  int kept = 0, kept2 = 0, differ = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float xi = static_cast<float>(i + 1);
    const bool keep = math::random_uniform<float>(seed, 0, i, 0.0f, 1.0f) >= 0.25f;
    const bool keep2 = math::random_uniform<float>(seed, 1, i, 0.0f, 1.0f) >= 0.25f;
    EXPECT_NEAR(y[i], keep ? xi * 4 / 3 : 0.0f, 1e-6 * xi) << i;
    EXPECT_NEAR(y2[i], keep2 ? xi * 4 / 3 : 0.0f, 1e-6 * xi) << i;
    // Each output is either 0 or x / (1 - p).
    EXPECT_TRUE(y[i] == 0.0f || std::fabs(y[i] - xi / 0.75f) <= 1e-6 * xi) << i;
    kept += keep;
    kept2 += keep2;
    differ += keep != keep2;
  }
  // About 3/4 of 2000 kept: 1500 +- 3 sigma, sigma = sqrt(2000 * 3/16) = 19.4.
  EXPECT_NEAR(kept, 1500, 60);
  EXPECT_NEAR(kept2, 1500, 60);
  EXPECT_GT(differ, 0);  // a new mask each call
  // Reseeding repeats the first mask.
  manual_seed(seed);
  EXPECT_EQ(dropout(x).to_vector<float>(), y);
}

TEST_P(NnLayer, DropoutFloat64AndGradient) {
  // float64 input draws float64 uniforms (two Philox lanes per value).
  const uint64_t seed = 99;
  manual_seed(seed);
  Tensor x = leaf(ones({64}, kFloat64));
  const Tensor y = F::dropout(x, 0.5, true);
  y.sum().backward();
  const std::vector<double> values = y.to_vector<double>(), grads = x.grad().to_vector<double>();
  for (int64_t i = 0; i < 64; ++i) {
    const bool keep = math::random_uniform<double>(seed, 0, i, 0.0, 1.0) >= 0.5;
    // y = x * mask / (1 - p) = 2 or 0, and so is dy/dx.
    EXPECT_EQ(values[i], keep ? 2.0 : 0.0) << i;
    EXPECT_EQ(grads[i], keep ? 2.0 : 0.0) << i;
  }
}

TEST_P(NnLayer, DropoutEdgeProbabilities) {
  const Tensor x = tensor({1.0f, -2.0f, 3.0f});
  // p = 0 keeps everything unscaled, p = 1 drops everything.
  expect_tensor<float>(nn::Dropout(0.0)(x), {3}, {1.0f, -2.0f, 3.0f});
  Tensor g = leaf(tensor({1.0f, -2.0f, 3.0f}));
  const Tensor dropped = nn::Dropout(1.0)(g);
  expect_tensor<float>(dropped, {3}, {0.0f, 0.0f, 0.0f});
  dropped.sum().backward();
  expect_tensor<float>(g.grad(), {3}, {0.0f, 0.0f, 0.0f});
  // Probabilities outside [0, 1] are errors, in the module and in the function.
  expect_error([] { nn::Dropout(1.5); }, {"Dropout", "[0, 1]", "1.5"});
  expect_error([] { nn::Dropout(-0.1); }, {"Dropout", "-0.1"});
  expect_error([&] { F::dropout(x, 2.0, true); }, {"dropout", "[0, 1]", "2"});
  expect_error([&] { F::dropout(x, -1.0, false); }, {"dropout", "-1"});
}

// ------------------------------------------------------------------------------------------------
// Losses
// ------------------------------------------------------------------------------------------------

// Logits with round softmaxes:
// row 0 (0, ln 2, ln 5) -> p = (1/8, 1/4, 5/8), target 2: loss -ln(5/8) = ln 1.6;
// row 1 (ln 3, 0, 0)    -> p = (3/5, 1/5, 1/5), target 0: loss ln(5/3);
// row 2 (0, 0, 0)       -> p = (1/3, 1/3, 1/3), target 1: loss ln 3.
// Mean: (ln 1.6 + ln(5/3) + ln 3) / 3 = ln(1.6 * 5/3 * 3) / 3 = ln 8 / 3 = ln 2; sum: ln 8.
Tensor ce_logits() {
  const float ln2 = std::log(2.0f), ln3 = std::log(3.0f), ln5 = std::log(5.0f);
  return tensor({{0.0f, ln2, ln5}, {ln3, 0.0f, 0.0f}, {0.0f, 0.0f, 0.0f}});
}
Tensor ce_targets() {
  return tensor({2, 0, 1});
}

TEST_P(NnLoss, CrossEntropyReductions) {
  const Tensor x = ce_logits(), t = ce_targets();
  expect_tensor<float>(nn::CrossEntropyLoss()(x, t), {}, {static_cast<float>(std::log(2.0))}, 1e-6);
  expect_tensor<float>(F::cross_entropy(x, t, nn::CrossEntropyOptions().reduction(nn::kSum)), {},
                       {static_cast<float>(std::log(8.0))}, 1e-6);
  expect_tensor<float>(nn::CrossEntropyLoss(nn::CrossEntropyOptions().reduction(nn::kNone))(x, t),
                       {3},
                       {static_cast<float>(std::log(1.6)), static_cast<float>(std::log(5.0 / 3)),
                        static_cast<float>(std::log(3.0))},
                       1e-6);
}

TEST_P(NnLoss, CrossEntropyGradientIsSoftmaxMinusOneHotOverN) {
  Tensor x = leaf(ce_logits());
  nn::CrossEntropyLoss()(x, ce_targets()).backward();
  // (p - onehot) / 3:
  // row 0: (1/8, 1/4, 5/8 - 1) / 3 = (1/24, 1/12, -1/8)
  // row 1: (3/5 - 1, 1/5, 1/5) / 3 = (-2/15, 1/15, 1/15)
  // row 2: (1/3, 1/3 - 1, 1/3) / 3 = (1/9, -2/9, 1/9)
  expect_tensor<float>(x.grad(), {3, 3},
                       {1.0f / 24, 1.0f / 12, -1.0f / 8, -2.0f / 15, 1.0f / 15, 1.0f / 15, 1.0f / 9,
                        -2.0f / 9, 1.0f / 9},
                       1e-6);
  // With sum reduction there is no 1/N; with none, backward of a weighted sum scales each row.
  Tensor s = leaf(ce_logits());
  F::cross_entropy(s, ce_targets(), nn::CrossEntropyOptions().reduction(nn::kSum)).backward();
  expect_tensor<float>(
      s.grad(), {3, 3},
      {1.0f / 8, 1.0f / 4, -3.0f / 8, -2.0f / 5, 1.0f / 5, 1.0f / 5, 1.0f / 3, -2.0f / 3, 1.0f / 3},
      1e-6);
  Tensor r = leaf(ce_logits());
  F::cross_entropy(r, ce_targets(), nn::CrossEntropyOptions().reduction(nn::kNone))
      .backward(tensor({2.0f, 0.0f, -1.0f}));
  expect_tensor<float>(r.grad(), {3, 3},
                       {2.0f / 8, 2.0f / 4, -6.0f / 8, 0, 0, 0, -1.0f / 3, 2.0f / 3, -1.0f / 3},
                       1e-6);
}

TEST_P(NnLoss, CrossEntropyIgnoreIndex) {
  const Tensor x = ce_logits();
  // The default ignore_index -100 on row 1: the mean is over rows 0 and 2 only,
  // (ln 1.6 + ln 3) / 2 = ln 4.8 / 2.
  Tensor g = leaf(ce_logits());
  const Tensor loss = nn::CrossEntropyLoss()(g, tensor({2, -100, 1}));
  expect_tensor<float>(loss, {}, {static_cast<float>(std::log(4.8) / 2)}, 1e-6);
  loss.backward();
  // Row 1 gets no gradient; the others are divided by 2 (the count of rows not ignored).
  expect_tensor<float>(g.grad(), {3, 3},
                       {1.0f / 16, 1.0f / 8, -3.0f / 16, 0, 0, 0, 1.0f / 6, -1.0f / 3, 1.0f / 6},
                       1e-6);
  // A custom ignore_index: class 0 ignored, so row 1 (target 0) drops out.
  const auto ignore0 = nn::CrossEntropyOptions().ignore_index(0);
  expect_tensor<float>(F::cross_entropy(x, ce_targets(), ignore0), {},
                       {static_cast<float>(std::log(4.8) / 2)}, 1e-6);
  expect_tensor<float>(
      F::cross_entropy(x, ce_targets(), nn::CrossEntropyOptions(ignore0).reduction(nn::kSum)), {},
      {static_cast<float>(std::log(4.8))}, 1e-6);
  expect_tensor<float>(
      F::cross_entropy(x, ce_targets(), nn::CrossEntropyOptions(ignore0).reduction(nn::kNone)), {3},
      {static_cast<float>(std::log(1.6)), 0.0f, static_cast<float>(std::log(3.0))}, 1e-6);
  // Every row ignored: the mean is 0/0 = nan, as in PyTorch, and the gradient is zero.
  Tensor none = leaf(ce_logits());
  const Tensor nan_loss = nn::CrossEntropyLoss()(none, tensor({-100, -100, -100}));
  expect_tensor<float>(nan_loss, {}, {NAN});
  nan_loss.backward();
  expect_tensor<float>(none.grad(), {3, 3}, std::vector<float>(9, 0.0f));
}

TEST_P(NnLoss, CrossEntropyKeepsLargeAndInfiniteLogitsExact) {
  // Logits (1000, 1000) and (1000, -inf, 999): the rows are shifted by their maximum, so the
  // losses are ln 2 and ln(1 + e^-1) to float precision, and the -inf class gets no gradient.
  Tensor x = leaf(tensor({{1000.0f, 1000.0f, -INFINITY}, {1000.0f, -INFINITY, 999.0f}}));
  const Tensor loss =
      F::cross_entropy(x, tensor({0, 2}), nn::CrossEntropyOptions().reduction(nn::kNone));
  const double e = std::exp(-1.0);
  expect_tensor<float>(
      loss, {2}, {static_cast<float>(std::log(2.0)), static_cast<float>(std::log1p(e) + 1)}, 1e-6);
  loss.sum().backward();
  expect_tensor<float>(x.grad(), {2, 3},
                       {-0.5f, 0.5f, 0.0f, static_cast<float>(1 / (1 + e)), 0.0f,
                        static_cast<float>(e / (1 + e) - 1)},
                       1e-6);
  // With smoothing, the -inf class's share of the target makes the loss infinite, as in PyTorch.
  expect_tensor<float>(
      F::cross_entropy(x, tensor({0, 2}),
                       nn::CrossEntropyOptions().label_smoothing(0.1).reduction(nn::kNone)),
      {2}, {INFINITY, INFINITY});
}

TEST_P(NnLoss, CrossEntropyLabelSmoothing) {
  // With smoothing s over C classes the target is (1 - s) onehot + s / C, so
  // loss = (1 - s)(-log p_y) + s * mean_c(-log p_c). s = 0.3, C = 3:
  // row 0: -log p = (ln 8, ln 4, ln 1.6): 0.7 ln 1.6 + 0.1 (ln 8 + ln 4 + ln 1.6)
  // row 1: -log p = (ln 5/3, ln 5, ln 5): 0.7 ln(5/3) + 0.1 (ln(5/3) + 2 ln 5)
  // row 2: every -log p is ln 3, so the loss stays ln 3.
  const double r0 = 0.7 * std::log(1.6) + 0.1 * (std::log(8.0) + std::log(4.0) + std::log(1.6));
  const double r1 = 0.7 * std::log(5.0 / 3) + 0.1 * (std::log(5.0 / 3) + 2 * std::log(5.0));
  const double r2 = std::log(3.0);
  const auto smooth = nn::CrossEntropyOptions().label_smoothing(0.3);
  expect_tensor<float>(
      F::cross_entropy(ce_logits(), ce_targets(),
                       nn::CrossEntropyOptions(smooth).reduction(nn::kNone)),
      {3}, {static_cast<float>(r0), static_cast<float>(r1), static_cast<float>(r2)}, 1e-6);
  Tensor x = leaf(ce_logits());
  const Tensor loss = nn::CrossEntropyLoss(smooth)(x, ce_targets());
  expect_tensor<float>(loss, {}, {static_cast<float>((r0 + r1 + r2) / 3)}, 1e-6);
  loss.backward();
  // Gradient (p - (0.7 onehot + 0.1)) / 3; row 0: (1/8 - 0.1, 1/4 - 0.1, 5/8 - 0.8) / 3
  // = (0.025, 0.15, -0.175) / 3; row 2: (1/3 - 0.1, 1/3 - 0.8, 1/3 - 0.1) / 3.
  const std::vector<float> grad = x.grad().to_vector<float>();
  const std::vector<double> expected{
      0.025 / 3,          0.15 / 3,        -0.175 / 3,          (0.6 - 0.8) / 3,
      (0.2 - 0.1) / 3,    (0.2 - 0.1) / 3, (1.0 / 3 - 0.1) / 3, (1.0 / 3 - 0.8) / 3,
      (1.0 / 3 - 0.1) / 3};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(grad[i], expected[i], 1e-6) << i;
  // Smoothing 1 makes the target uniform: the loss is mean_c(-log p_c) on every row.
  expect_tensor<float>(
      F::cross_entropy(ce_logits(), ce_targets(), nn::CrossEntropyOptions().label_smoothing(1)), {},
      {static_cast<float>((std::log(8.0) + std::log(4.0) + std::log(1.6) + std::log(5.0 / 3) +
                           2 * std::log(5.0) + 3 * std::log(3.0)) /
                          9)},
      1e-6);
  expect_error(
      [] {
        F::cross_entropy(ce_logits(), ce_targets(), nn::CrossEntropyOptions().label_smoothing(1.5));
      },
      {"cross_entropy", "label_smoothing", "1.5"});
}

TEST_P(NnLoss, CrossEntropyUnbatchedInput) {
  // One sample: logits [3] and a 0-dim target; row 0 above, loss ln 1.6 as a 0-dim tensor.
  Tensor x = leaf(tensor({0.0f, std::log(2.0f), std::log(5.0f)}));
  const Tensor target = scalar_tensor(2, kInt64);
  const Tensor loss = nn::CrossEntropyLoss()(x, target);
  expect_tensor<float>(loss, {}, {static_cast<float>(std::log(1.6))}, 1e-6);
  loss.backward();
  expect_tensor<float>(x.grad(), {3}, {0.125f, 0.25f, -0.375f}, 1e-6);
  expect_tensor<float>(
      F::cross_entropy(x.detach(), target, nn::CrossEntropyOptions().reduction(nn::kNone)), {},
      {static_cast<float>(std::log(1.6))}, 1e-6);
  expect_error([&] { F::cross_entropy(x.detach(), tensor({2})); },
               {"cross_entropy", "[3]", "0-dim", "[1]"});
}

TEST_P(NnLoss, CrossEntropyErrors) {
  const Tensor x = ce_logits();
  // Wrong target dtype.
  expect_error(
      [&] {
        nn::CrossEntropyLoss()(x, tensor({2.0f, 0.0f, 1.0f}));
      },
      {"cross_entropy", "int64", "float32"});
  // Class out of range, above and below.
  expect_error(
      [&] {
        nn::CrossEntropyLoss()(x, tensor({2, 3, 1}));
      },
      {"cross_entropy", "class 3", "3 classes"});
  expect_error(
      [&] {
        nn::CrossEntropyLoss()(x, tensor({-1, 0, 1}));
      },
      {"cross_entropy", "class -1", "3 classes"});
  // Shape mismatch: 2 targets for 3 rows; a 3-D input.
  expect_error(
      [&] {
        nn::CrossEntropyLoss()(x, tensor({2, 0}));
      },
      {"cross_entropy", "[2]", "[3, 3]"});
  expect_error(
      [&] {
        nn::CrossEntropyLoss()(ones({2, 3, 4}), tensor({0, 1}));
      },
      {"cross_entropy", "[2, 3, 4]"});
  // Integer logits.
  expect_error(
      [&] {
        nn::CrossEntropyLoss()(tensor({{1, 2}}), tensor({0}));
      },
      {"cross_entropy", "floating point", "int64"});
}

TEST_P(NnLoss, NLLLoss) {
  // log-probabilities rows (-1, -2, -3) and (-0.5, -1.5, -2.5); targets 2 and 0 pick -3 and -0.5:
  // losses (3, 0.5), mean 1.75, sum 3.5.
  const Tensor logp = tensor({{-1.0f, -2.0f, -3.0f}, {-0.5f, -1.5f, -2.5f}});
  const Tensor t = tensor({2, 0});
  expect_tensor<float>(nn::NLLLoss()(logp, t), {}, {1.75f});
  expect_tensor<float>(nn::NLLLoss(nn::kSum)(logp, t), {}, {3.5f});
  expect_tensor<float>(nn::NLLLoss(nn::kNone)(logp, t), {2}, {3.0f, 0.5f});
  // The gradient is -1/N at each target, 0 elsewhere.
  Tensor g = leaf(tensor({{-1.0f, -2.0f, -3.0f}, {-0.5f, -1.5f, -2.5f}}));
  nn::NLLLoss()(g, t).backward();
  expect_tensor<float>(g.grad(), {2, 3}, {0, 0, -0.5f, -0.5f, 0, 0});
  // ignore_index: row 1 dropped, mean 3 over one row; a custom index 0 drops it too.
  expect_tensor<float>(nn::NLLLoss()(logp, tensor({2, -100})), {}, {3.0f});
  expect_tensor<float>(nn::NLLLoss(nn::kMean, 0)(logp, t), {}, {3.0f});
  expect_tensor<float>(nn::NLLLoss(nn::kNone, 0)(logp, t), {2}, {3.0f, 0.0f});
  // NLL of log_softmax is cross entropy: ln 2 for the logits above.
  expect_tensor<float>(F::nll_loss(F::log_softmax(ce_logits(), 1), ce_targets()), {},
                       {static_cast<float>(std::log(2.0))}, 1e-6);
  // Errors name the op.
  expect_error([&] { nn::NLLLoss()(logp, tensor({0.0f, 1.0f})); }, {"nll_loss", "int64"});
  expect_error([&] { nn::NLLLoss()(logp, tensor({0, 5})); }, {"nll_loss", "class 5", "3 classes"});
  expect_error([&] { nn::NLLLoss()(logp, tensor({0, 1, 2})); }, {"nll_loss", "[3]", "[2, 3]"});
}

TEST_P(NnLoss, MSELoss) {
  // Differences (1, 0, -2, 0.5), squares (1, 0, 4, 0.25): sum 5.25, mean 1.3125.
  const Tensor target = tensor({0.0f, 2.0f, 5.0f, 3.5f});
  Tensor x = leaf(tensor({1.0f, 2.0f, 3.0f, 4.0f}));
  const Tensor loss = nn::MSELoss()(x, target);
  expect_tensor<float>(loss, {}, {1.3125f});
  expect_tensor<float>(nn::MSELoss(nn::kSum)(x, target), {}, {5.25f});
  expect_tensor<float>(nn::MSELoss(nn::kNone)(x, target), {4}, {1.0f, 0.0f, 4.0f, 0.25f});
  // d mean / dx = 2 (x - t) / 4 = (0.5, 0, -1, 0.25).
  loss.backward();
  expect_tensor<float>(x.grad(), {4}, {0.5f, 0.0f, -1.0f, 0.25f});
  expect_error([] { F::mse_loss(ones({2, 3}), ones({3})); }, {"mse_loss", "[2, 3]", "[3]"});
}

TEST_P(NnLoss, SeedArticleSumOfSquaredErrorsIsMSEWithSum) {
  // The seed network (hidden weights (1, 1), (-1, 1); output weights (2, -1); no biases) gives 9
  // for inputs (2, 3) and 4 for inputs (1, 1) (hidden (2, 0), output 2 * 2 - 0). With targets 10
  // and 3 the sum of squared errors is (9 - 10)^2 + (4 - 3)^2 = 2.
  nn::Linear hidden(nn::LinearOptions(2, 2).bias(false));
  nn::Linear output(nn::LinearOptions(2, 1).bias(false));
  {
    NoGradGuard no_grad;
    hidden->weight.copy_(tensor({{1.0f, 1.0f}, {-1.0f, 1.0f}}));
    output->weight.copy_(tensor({{2.0f, -1.0f}}));
  }
  const Tensor prediction = output(hidden(tensor({{2.0f, 3.0f}, {1.0f, 1.0f}})));
  expect_tensor<float>(prediction, {2, 1}, {9.0f, 4.0f});
  const Tensor cost = nn::MSELoss(nn::kSum)(prediction, tensor({{10.0f}, {3.0f}}));
  expect_tensor<float>(cost, {}, {2.0f});
  cost.backward();
  // d cost / d prediction = 2 (prediction - target) = (-2, 2); d cost / d output weights
  // = sum_n g_n hidden_n = -2 (5, 1) + 2 (2, 0) = (-6, -2).
  expect_tensor<float>(output->weight.grad(), {1, 2}, {-6.0f, -2.0f});
  // d cost / d hidden_n = g_n (2, -1); d cost / d W_h[j][i] = sum_n g_n w_o[j] x_n[i]:
  // j = 0: 2 * (-2 (2, 3) + 2 (1, 1)) = 2 (-2, -4) = (-4, -8);
  // j = 1: -1 * (-2, -4) = (2, 4).
  expect_tensor<float>(hidden->weight.grad(), {2, 2}, {-4.0f, -8.0f, 2.0f, 4.0f});
}

TEST_P(NnLoss, L1Loss) {
  // |differences| (1, 0, 2, 0.5): sum 3.5, mean 0.875.
  const Tensor target = tensor({0.0f, 2.0f, 5.0f, 3.5f});
  const Tensor x = tensor({1.0f, 2.0f, 3.0f, 4.0f});
  expect_tensor<float>(nn::L1Loss()(x, target), {}, {0.875f});
  expect_tensor<float>(nn::L1Loss(nn::kSum)(x, target), {}, {3.5f});
  expect_tensor<float>(nn::L1Loss(nn::kNone)(x, target), {4}, {1.0f, 0.0f, 2.0f, 0.5f});
  // Away from the kink: d mean / dx = sign(x - t) / 4 for differences (1, 1, -2, 0.5).
  Tensor g = leaf(tensor({1.0f, 3.0f, 3.0f, 4.0f}));
  nn::L1Loss()(g, target).backward();
  expect_tensor<float>(g.grad(), {4}, {0.25f, 0.25f, -0.25f, 0.25f});
  expect_error([] { F::l1_loss(ones({2}), ones({2, 1})); }, {"l1_loss", "[2]", "[2, 1]"});
}

TEST_P(NnLoss, BCEWithLogitsLoss) {
  // -(y log s + (1 - y) log(1 - s)) with s = sigmoid(x):
  // x = 0, y = 1: -log(1/2) = ln 2; x = ln 3, y = 0: -log(1/4) = ln 4; x = -ln 3, y = 1: ln 4.
  // Mean (ln 2 + 2 ln 4) / 3 = 5 ln 2 / 3; sum 5 ln 2.
  const float ln3 = std::log(3.0f);
  Tensor x = leaf(tensor({0.0f, ln3, -ln3}));
  const Tensor y = tensor({1.0f, 0.0f, 1.0f});
  const Tensor loss = nn::BCEWithLogitsLoss()(x, y);
  expect_tensor<float>(loss, {}, {static_cast<float>(5 * std::log(2.0) / 3)}, 1e-6);
  expect_tensor<float>(nn::BCEWithLogitsLoss(nn::kSum)(x, y), {},
                       {static_cast<float>(5 * std::log(2.0))}, 1e-6);
  expect_tensor<float>(nn::BCEWithLogitsLoss(nn::kNone)(x, y), {3},
                       {static_cast<float>(std::log(2.0)), static_cast<float>(std::log(4.0)),
                        static_cast<float>(std::log(4.0))},
                       1e-6);
  // d mean / dx = (s - y) / 3 = (-1/2, 3/4, -3/4) / 3.
  loss.backward();
  expect_tensor<float>(x.grad(), {3}, {-1.0f / 6, 0.25f, -0.25f}, 1e-6);
  // A soft target y = 1/2 at x = ln 3: -(1/2 ln(3/4) + 1/2 ln(1/4)) = ln(16/3) / 2.
  expect_tensor<float>(F::binary_cross_entropy_with_logits(tensor({ln3}), tensor({0.5f})), {},
                       {static_cast<float>(std::log(16.0 / 3) / 2)}, 1e-6);
}

TEST_P(NnLoss, BCEWithLogitsLargeLogitsStayFinite) {
  // x = (100, -100, 100, -100), y = (1, 0, 0, 1): right answers cost log(1 + e^-100) ~ 0, wrong
  // ones cost 100 + log(1 + e^-100) ~ 100; the naive log(sigmoid) would give inf.
  Tensor x = leaf(tensor({100.0f, -100.0f, 100.0f, -100.0f}));
  const Tensor y = tensor({1.0f, 0.0f, 0.0f, 1.0f});
  expect_tensor<float>(nn::BCEWithLogitsLoss(nn::kNone)(x, y), {4}, {0.0f, 0.0f, 100.0f, 100.0f},
                       1e-5);
  const Tensor loss = nn::BCEWithLogitsLoss()(x, y);
  expect_tensor<float>(loss, {}, {50.0f}, 1e-5);
  loss.backward();
  // (sigmoid(x) - y) / 4 = (0, 0, 1, -1) / 4.
  expect_tensor<float>(x.grad(), {4}, {0.0f, 0.0f, 0.25f, -0.25f}, 1e-7);
  // float64 too, with larger magnitudes.
  expect_tensor<double>(
      F::binary_cross_entropy_with_logits(tensor({1000.0, -1000.0}, kFloat64),
                                          tensor({0.0, 0.0}, kFloat64), nn::kNone),
      {2}, {1000.0, 0.0}, 1e-9);
}

TEST_P(NnLoss, BCEWithLogitsErrors) {
  expect_error(
      [] {
        F::binary_cross_entropy_with_logits(ones({2, 3}), ones({3}));
      },
      {"binary_cross_entropy_with_logits", "[2, 3]", "[3]"});
  expect_error(
      [] {
        F::binary_cross_entropy_with_logits(ones({2}), tensor({1, 0}));
      },
      {"binary_cross_entropy_with_logits", "floating point", "int64"});
}

// ------------------------------------------------------------------------------------------------
// Gradcheck through the modules and losses
// ------------------------------------------------------------------------------------------------

// gradcheck of a module's forward with respect to its input and every parameter. The function
// points each parameter at the matching gradcheck input (set_data, a no-op on the analytic pass
// where they are the same tensor), so the finite differences perturb the module's own weights.
::testing::AssertionResult module_gradients_match(
    nn::Module& module, const std::function<Tensor(const Tensor&)>& forward, const Tensor& input) {
  std::vector<Tensor> params = module.parameters();
  std::vector<Tensor> originals;
  Inputs inputs{input};
  for (const Tensor& p : params) {
    originals.push_back(p.detach());
    inputs.push_back(p);
  }
  auto result = gradients_match(
      [&](const Inputs& in) {
        for (size_t k = 0; k < params.size(); ++k) params[k].set_data(in[k + 1]);
        return forward(in[0]);
      },
      inputs);
  for (size_t k = 0; k < params.size(); ++k) params[k].set_data(originals[k]);
  return result;
}

Tensor normal(const Shape& shape) {
  return leaf(randn(shape, kFloat64));
}

class NnGradcheck : public testing::DeviceTest {
 protected:
  void SetUp() override {
    DeviceTest::SetUp();
    manual_seed(31337);
  }
};
NABLA_INSTANTIATE_DEVICE_SUITE(NnGradcheck);

TEST_P(NnGradcheck, Linear) {
  nn::Linear fc(4, 3);
  fc->to(kFloat64);
  EXPECT_TRUE(module_gradients_match(
      *fc, [&](const Tensor& x) { return fc(x); }, normal({5, 4})));
  // Unbatched and 3-D inputs.
  EXPECT_TRUE(module_gradients_match(
      *fc, [&](const Tensor& x) { return fc(x); }, normal({4})));
  EXPECT_TRUE(module_gradients_match(
      *fc, [&](const Tensor& x) { return fc(x); }, normal({2, 3, 4})));
  nn::Linear no_bias(nn::LinearOptions(4, 2).bias(false));
  no_bias->to(kFloat64);
  EXPECT_TRUE(module_gradients_match(
      *no_bias, [&](const Tensor& x) { return no_bias(x); }, normal({3, 4})));
  // The parameters were restored after the checks: still the module's float64 leaves.
  EXPECT_EQ(fc->weight.dtype(), kFloat64);
  EXPECT_TRUE(fc->weight.is_leaf());
}

TEST_P(NnGradcheck, SequentialLinearTanhLinear) {
  nn::Sequential seq(nn::Linear(3, 5), nn::Tanh(), nn::Linear(5, 2));
  seq->to(kFloat64);
  ASSERT_EQ(seq->parameters().size(), 4u);
  EXPECT_TRUE(module_gradients_match(
      *seq, [&](const Tensor& x) { return seq(x); }, normal({4, 3})));
  // The user-defined Net (Linear, ReLU, Linear, times a scale) too.
  auto net = std::make_shared<Net>();
  net->to(kFloat64);
  // Inputs keep fc1's pre-activations away from ReLU's kink with overwhelming probability.
  EXPECT_TRUE(module_gradients_match(
      *net, [&](const Tensor& x) { return net->forward(x); }, normal({3, 3})));
}

TEST_P(NnGradcheck, Activations) {
  const Tensor x = normal({3, 4});
  // ReLU and Threshold away from their kinks (no element within 0.1 of 0 or of 0.5).
  const Tensor kinked = leaf(tensor({{-1.3, -0.2, 0.3, 0.7}, {1.1, 2.4, -0.6, 0.15}}, kFloat64));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return nn::ReLU()(in[0]); }, {kinked}));
  EXPECT_TRUE(
      gradients_match([](const Inputs& in) { return nn::Threshold(0.5, -1)(in[0]); }, {kinked}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return nn::Sigmoid()(in[0]); }, {x}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return nn::Tanh()(in[0]); }, {x}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return nn::Identity()(in[0]); }, {x}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return nn::Flatten(0, -1)(in[0]); }, {x}));
  // Dropout with a fixed mask: reseeding inside the function draws the same mask every call.
  nn::Dropout dropout(0.4);
  EXPECT_TRUE(gradients_match(
      [&](const Inputs& in) {
        manual_seed(5);
        return dropout(in[0]);
      },
      {x}));
}

TEST_P(NnGradcheck, SoftmaxAndLogSoftmax) {
  const Tensor x = normal({3, 4});
  for (int64_t dim : {0, 1, -1}) {
    EXPECT_TRUE(gradients_match([dim](const Inputs& in) { return nn::Softmax(dim)(in[0]); }, {x}))
        << dim;
    EXPECT_TRUE(
        gradients_match([dim](const Inputs& in) { return nn::LogSoftmax(dim)(in[0]); }, {x}))
        << dim;
  }
}

TEST_P(NnGradcheck, CrossEntropy) {
  const Tensor x = normal({4, 5});
  const Tensor t = tensor({1, 0, 4, 2});
  for (nn::Reduction reduction : {nn::kMean, nn::kSum, nn::kNone}) {
    const auto options = nn::CrossEntropyOptions().reduction(reduction);
    EXPECT_TRUE(gradients_match(
        [&](const Inputs& in) { return nn::CrossEntropyLoss(options)(in[0], t); }, {x}));
    // Label smoothing and an ignored row (class 4 is ignored; rows 1 and 3 count).
    const auto smoothed = nn::CrossEntropyOptions(options).label_smoothing(0.2).ignore_index(4);
    EXPECT_TRUE(gradients_match(
        [&](const Inputs& in) {
          return nn::CrossEntropyLoss(smoothed)(in[0], tensor({4, 0, 4, 2}));
        },
        {x}));
    EXPECT_TRUE(gradients_match(
        [&](const Inputs& in) {
          return F::cross_entropy(in[0], tensor({1, -100, 3, 2}), options);
        },
        {x}));
  }
  // Unbatched.
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return F::cross_entropy(in[0], scalar_tensor(3, kInt64),
                                nn::CrossEntropyOptions().label_smoothing(0.1));
      },
      {normal({5})}));
}

TEST_P(NnGradcheck, NLLLoss) {
  const Tensor x = normal({4, 3});
  for (nn::Reduction reduction : {nn::kMean, nn::kSum, nn::kNone}) {
    EXPECT_TRUE(gradients_match(
        [&](const Inputs& in) {
          return nn::NLLLoss(reduction)(in[0], tensor({2, 0, 1, 1}));
        },
        {x}));
    EXPECT_TRUE(gradients_match(
        [&](const Inputs& in) {
          return nn::NLLLoss(reduction, 1)(in[0], tensor({2, 0, 1, 1}));
        },
        {x}));
  }
  // Through log_softmax, as cross entropy is built.
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return F::nll_loss(F::log_softmax(in[0], 1), tensor({2, 0, 1, 1}));
      },
      {x}));
}

TEST_P(NnGradcheck, RegressionLosses) {
  const Tensor x = normal({3, 4});
  const Tensor y = normal({3, 4});
  // L1 needs |x - t| away from 0: t = x0 + offsets of magnitude in [0.5, 1.5].
  const Tensor offsets =
      tensor({{0.5, -0.7, 1.1, -1.4}, {-0.9, 0.6, -1.2, 1.3}, {0.8, -0.5, 1.0, -1.5}}, kFloat64);
  const Tensor l1_target = x.detach() + offsets;
  for (nn::Reduction reduction : {nn::kMean, nn::kSum, nn::kNone}) {
    EXPECT_TRUE(gradients_match(
        [&](const Inputs& in) { return nn::MSELoss(reduction)(in[0], in[1]); }, {x, y}));
    EXPECT_TRUE(gradients_match(
        [&](const Inputs& in) { return nn::L1Loss(reduction)(in[0], l1_target); }, {x}));
  }
}

TEST_P(NnGradcheck, BCEWithLogitsInputAndTarget) {
  const Tensor x = normal({3, 4});
  const Tensor y = leaf(rand({3, 4}, kFloat64));  // soft targets in [0, 1)
  for (nn::Reduction reduction : {nn::kMean, nn::kSum, nn::kNone}) {
    EXPECT_TRUE(gradients_match(
        [&](const Inputs& in) { return nn::BCEWithLogitsLoss(reduction)(in[0], in[1]); }, {x, y}));
  }
  // Large logits (kinks of |x| are at 0 only; +-30 is far from them).
  const Tensor big = leaf(tensor({30.0, -30.0, 5.0, -5.0}, kFloat64));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) { return F::binary_cross_entropy_with_logits(in[0], in[1]); },
      {big, leaf(tensor({0.2, 0.9, 1.0, 0.0}, kFloat64))}));
}

// ------------------------------------------------------------------------------------------------
// nn::init
// ------------------------------------------------------------------------------------------------

TEST_P(NnInit, ConstantZerosOnes) {
  Tensor t = empty({2, 3});
  const Tensor returned = nn::init::constant_(t, 2.5);
  EXPECT_EQ(returned.impl(), t.impl());
  expect_tensor<float>(t, {2, 3}, std::vector<float>(6, 2.5f));
  nn::init::zeros_(t);
  expect_tensor<float>(t, {2, 3}, std::vector<float>(6, 0.0f));
  nn::init::ones_(t);
  expect_tensor<float>(t, {2, 3}, std::vector<float>(6, 1.0f));
  // On a parameter that requires grad: no graph is recorded, it stays a leaf.
  nn::Linear fc(2, 2);
  nn::init::constant_(fc->weight, -0.5);
  EXPECT_TRUE(fc->weight.is_leaf());
  EXPECT_EQ(fc->weight.grad_fn(), nullptr);
  expect_tensor<float>(fc->weight, {2, 2}, std::vector<float>(4, -0.5f));
  // float64 and views.
  Tensor d = zeros({3, 2}, kFloat64);
  nn::init::ones_(d.t());
  expect_tensor<double>(d, {3, 2}, std::vector<double>(6, 1.0));
}

TEST_P(NnInit, UniformBoundsAndPhiloxValues) {
  const uint64_t seed = 11;
  manual_seed(seed);
  Tensor t = empty({20000});
  nn::init::uniform_(t, -2, 3);
  const std::vector<float> v = t.to_vector<float>();
  float lo = 10, hi = -10;
  for (float x : v) lo = std::min(lo, x), hi = std::max(hi, x);
  // Inside [-2, 3), reaching both ends (20000 draws: P(no draw within 0.01 of an end) = 0.998^2e4).
  EXPECT_GE(lo, -2.0f);
  EXPECT_LT(hi, 3.0f);
  EXPECT_LT(lo, -1.99f);
  EXPECT_GT(hi, 2.99f);
  // Mean 1/2 and std 5/sqrt(12) = 1.443; the mean's std is 1.443/141 = 0.01.
  const auto [mean, sd] = mean_and_std(t);
  EXPECT_NEAR(mean, 0.5, 0.05);
  EXPECT_NEAR(sd, 5 / std::sqrt(12.0), 0.03);
  // The values are the Philox draws of call 0 (to within rounding: the CPU kernels are built with
  // -march=native and may fuse lo + (hi - lo) * u into one fma).
  for (size_t i = 0; i < 16; ++i) {
    EXPECT_NEAR(v[i], math::random_uniform<float>(seed, 0, i, -2.0f, 3.0f), 1e-6) << i;
  }
  // Defaults are [0, 1).
  nn::init::uniform_(t);
  EXPECT_NEAR(mean_and_std(t).first, 0.5, 0.01);
  EXPECT_GE(t.min().item<float>(), 0.0f);
  EXPECT_LT(t.max().item<float>(), 1.0f);
  expect_error([] { nn::init::uniform_(zeros({2}, kInt64)); }, {"uniform_", "int64"});
  expect_error([] { nn::init::normal_(zeros({2}, kInt64)); }, {"normal_", "int64"});
}

TEST_P(NnInit, NormalMeanAndStd) {
  manual_seed(12);
  Tensor t = empty({200000});
  nn::init::normal_(t, 3.0, 2.0);
  // The mean's std is 2/sqrt(2e5) = 0.0045; the sample std's relative error about 0.16%.
  const auto [mean, sd] = mean_and_std(t);
  EXPECT_NEAR(mean, 3.0, 0.03);
  EXPECT_NEAR(sd, 2.0, 0.02);
  // Standard normal by default, float64 as well.
  Tensor d = empty({200000}, kFloat64);
  nn::init::normal_(d);
  const auto [mean_d, std_d] = mean_and_std(d);
  EXPECT_NEAR(mean_d, 0.0, 0.015);
  EXPECT_NEAR(std_d, 1.0, 0.01);
  // About 68.3% of draws within one std.
  int64_t within = 0;
  for (double x : d.to_vector<double>()) within += std::fabs(x) < 1.0;
  EXPECT_NEAR(static_cast<double>(within) / 200000, 0.6827, 0.005);
}

TEST_P(NnInit, CalculateGain) {
  using nn::init::calculate_gain;
  using nn::init::Nonlinearity;
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::Linear), 1.0);
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::Sigmoid), 1.0);
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::Tanh), 5.0 / 3);
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::ReLU), std::sqrt(2.0));
  // leaky_relu: sqrt(2 / (1 + slope^2)); the default slope 0.01 gives sqrt(2 / 1.0001).
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::LeakyReLU), std::sqrt(2.0 / 1.0001));
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::LeakyReLU, 0.2), std::sqrt(2.0 / 1.04));
  // Slope sqrt(5) (Linear's init): sqrt(2 / 6) = 1/sqrt(3).
  EXPECT_DOUBLE_EQ(calculate_gain(Nonlinearity::LeakyReLU, std::sqrt(5.0)), 1 / std::sqrt(3.0));
}

TEST_P(NnInit, FanInAndFanOut) {
  using nn::init::calculate_fan_in_and_fan_out;
  // [out, in] = [64, 32]: fan_in 32, fan_out 64.
  EXPECT_EQ(calculate_fan_in_and_fan_out(empty({64, 32})), (std::pair<int64_t, int64_t>{32, 64}));
  // A conv-shaped [8, 4, 3, 3]: receptive field 9, fan_in 4 * 9 = 36, fan_out 8 * 9 = 72.
  EXPECT_EQ(calculate_fan_in_and_fan_out(empty({8, 4, 3, 3})),
            (std::pair<int64_t, int64_t>{36, 72}));
  // Zero-size dims: [0, 3] has fan_in 3 and fan_out 0; [3, 0, 2] has fan_in 0 and fan_out 6.
  EXPECT_EQ(calculate_fan_in_and_fan_out(empty({0, 3})), (std::pair<int64_t, int64_t>{3, 0}));
  EXPECT_EQ(calculate_fan_in_and_fan_out(empty({3, 0, 2})), (std::pair<int64_t, int64_t>{0, 6}));
  expect_error([] { calculate_fan_in_and_fan_out(empty({5})); }, {"at least 2 dims", "[5]"});
  // A zero fan cannot scale an init; a zero-element tensor with a nonzero fan is a no-op.
  expect_error(
      [] {
        nn::init::kaiming_uniform_(empty({3, 0, 2}));
      },
      {"zero-size fan", "[3, 0, 2]"});
  EXPECT_NO_THROW(nn::init::kaiming_uniform_(empty({0, 3})));
}

TEST_P(NnInit, KaimingAndXavierUniformBounds) {
  using nn::init::FanMode;
  using nn::init::Nonlinearity;
  manual_seed(21);
  Tensor w = empty({64, 32});
  // Kaiming default (a = 0, fan_in, leaky_relu): gain sqrt(2), bound = sqrt(3) sqrt(2) / sqrt(32)
  // = sqrt(6 / 32) = 0.4330.
  const double kaiming_in = std::sqrt(6.0 / 32);
  nn::init::kaiming_uniform_(w);
  EXPECT_LE(max_abs(w), kaiming_in);
  EXPECT_GT(max_abs(w), 0.99 * kaiming_in);  // 2048 draws: P(miss) = 0.99^2048 ~ 1e-9
  // fan_out with ReLU: sqrt(6 / 64) = 0.3062.
  const double kaiming_out = std::sqrt(6.0 / 64);
  nn::init::kaiming_uniform_(w, 0, FanMode::FanOut, Nonlinearity::ReLU);
  EXPECT_LE(max_abs(w), kaiming_out);
  EXPECT_GT(max_abs(w), 0.99 * kaiming_out);
  // a = sqrt(5), as Linear: 1/sqrt(32) = 0.1768.
  nn::init::kaiming_uniform_(w, std::sqrt(5.0));
  EXPECT_LE(max_abs(w), 1 / std::sqrt(32.0));
  EXPECT_GT(max_abs(w), 0.99 / std::sqrt(32.0));
  // Tanh gain 5/3, fan_in 32: 5/3 * sqrt(3 / 32) = 0.5103.
  nn::init::kaiming_uniform_(w, 0, FanMode::FanIn, Nonlinearity::Tanh);
  EXPECT_LE(max_abs(w), 5.0 / 3 * std::sqrt(3.0 / 32));
  EXPECT_GT(max_abs(w), 0.99 * 5.0 / 3 * std::sqrt(3.0 / 32));
  // Xavier: sqrt(6 / (32 + 64)) = sqrt(1/16) = 0.25; gain 2 doubles it.
  nn::init::xavier_uniform_(w);
  EXPECT_LE(max_abs(w), 0.25);
  EXPECT_GT(max_abs(w), 0.99 * 0.25);
  nn::init::xavier_uniform_(w, 2.0);
  EXPECT_LE(max_abs(w), 0.5);
  EXPECT_GT(max_abs(w), 0.99 * 0.5);
  // A conv shape [8, 4, 3, 3]: fan_in 36, fan_out 72; xavier sqrt(6 / 108) = 0.2357, kaiming
  // sqrt(6 / 36) = 0.4082.
  Tensor conv = empty({8, 4, 3, 3});
  nn::init::xavier_uniform_(conv);
  EXPECT_LE(max_abs(conv), std::sqrt(6.0 / 108));
  EXPECT_GT(max_abs(conv), 0.98 * std::sqrt(6.0 / 108));  // 288 draws: P(miss) = 0.98^288
  nn::init::kaiming_uniform_(conv);
  EXPECT_LE(max_abs(conv), std::sqrt(6.0 / 36));
  EXPECT_GT(max_abs(conv), 0.98 * std::sqrt(6.0 / 36));
}

TEST_P(NnInit, KaimingAndXavierNormalStd) {
  using nn::init::FanMode;
  manual_seed(22);
  Tensor w = empty({512, 256});
  // Kaiming normal: std = sqrt(2) / sqrt(fan_in = 256) = 0.08839; 131072 draws estimate the std
  // within about 0.2%.
  nn::init::kaiming_normal_(w);
  const auto [kaiming_mean, kaiming_sd] = mean_and_std(w);
  EXPECT_NEAR(kaiming_mean, 0.0, 0.002);
  EXPECT_NEAR(kaiming_sd, std::sqrt(2.0) / 16, 0.02 * std::sqrt(2.0) / 16);
  // fan_out = 512: sqrt(2 / 512) = 0.0625.
  nn::init::kaiming_normal_(w, 0, FanMode::FanOut);
  EXPECT_NEAR(mean_and_std(w).second, 0.0625, 0.02 * 0.0625);
  // Xavier normal: std = sqrt(2 / (256 + 512)) = 0.05103.
  nn::init::xavier_normal_(w);
  const auto [xavier_mean, xavier_sd] = mean_and_std(w);
  EXPECT_NEAR(xavier_mean, 0.0, 0.002);
  EXPECT_NEAR(xavier_sd, std::sqrt(2.0 / 768), 0.02 * std::sqrt(2.0 / 768));
  nn::init::xavier_normal_(w, 3.0);
  EXPECT_NEAR(mean_and_std(w).second, 3 * std::sqrt(2.0 / 768), 0.06 * std::sqrt(2.0 / 768));
}

}  // namespace
}  // namespace nabla

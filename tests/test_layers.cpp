// The layers users reach for beyond the basics: GELU, SiLU, LeakyReLU, ELU, Softplus, Hardtanh and
// Mish against hand-computed values and finite differences; Embedding, LayerNorm; the containers
// ModuleList, ModuleDict and Functional; and the model summary printed by operator<<.
#include "device_test.h"
#include "test_helpers.h"

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace nabla {
namespace {

NABLA_DEVICE_SUITE(Layers);

using testing::expect_error;
using testing::expect_tensor;
using Inputs = std::vector<Tensor>;
using testing::gradients_match;
namespace F = nn::functional;

std::string printed(const nn::Module& module) {
  std::ostringstream out;
  out << module;
  return out.str();
}

TEST_P(Layers, ActivationValues) {
  const Tensor x = tensor({-1.0, 0.0, 1.0, 2.0}, kFloat64);
  // x Phi(x), and the tanh form 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
  expect_tensor<double>(nn::GELU()(x), {4},
                        {-0.15865525393145707, 0.0, 0.8413447460685429, 1.9544997361036416}, 1e-15);
  expect_tensor<double>(nn::GELU("tanh")(x), {4},
                        {-0.15880800939172324, 0.0, 0.8411919906082768, 1.954597694087775}, 1e-15);
  // x sigmoid(x)
  expect_tensor<double>(nn::SiLU()(x), {4},
                        {-0.2689414213699951, 0.0, 0.7310585786300049, 1.7615941559557646}, 1e-15);
  expect_tensor<double>(nn::LeakyReLU(0.1)(x), {4}, {-0.1, 0.0, 1.0, 2.0}, 1e-15);
  expect_tensor<double>(nn::ELU(2.0)(x), {4}, {2 * (std::exp(-1.0) - 1), 0.0, 1.0, 2.0}, 1e-15);
  // log(1 + e^(beta x)) / beta, and x itself above the threshold.
  expect_tensor<double>(nn::Softplus()(x), {4},
                        {std::log1p(std::exp(-1.0)), std::log(2.0), std::log1p(std::exp(1.0)),
                         std::log1p(std::exp(2.0))},
                        1e-15);
  expect_tensor<double>(
      nn::Softplus(2.0, 3.0)(x), {4},
      {std::log1p(std::exp(-2.0)) / 2, std::log(2.0) / 2, std::log1p(std::exp(2.0)) / 2, 2.0},
      1e-15);
  expect_tensor<double>(nn::Hardtanh(-0.5, 1.5)(x), {4}, {-0.5, 0.0, 1.0, 1.5});
  // x tanh(softplus(x))
  expect_tensor<double>(nn::Mish()(x), {4},
                        {-0.30340146137410895, 0.0, 0.8650983882673103, 1.9439589595339946}, 1e-15);
  // Large inputs neither overflow nor give NaN.
  expect_tensor<float>(nn::Softplus()(tensor({100.0f, -100.0f})), {2}, {100.0f, 0.0f}, 1e-30);
  expect_tensor<float>(nn::Mish()(tensor({100.0f, -100.0f})), {2}, {100.0f, 0.0f}, 1e-30);
  expect_tensor<float>(nn::ELU()(tensor({-100.0f})), {1}, {-1.0f});
}

TEST_P(Layers, ActivationGradientsMatchFiniteDifferences) {
  manual_seed(3);
  // Away from the kinks, where finite differences are defined.
  Tensor x = randn({3, 4}, kFloat64);
  x = where(x.abs() < 0.1, x + 0.3, x).requires_grad_();
  const std::vector<std::function<Tensor(const Tensor&)>> fns = {
      [](const Tensor& t) { return F::gelu(t); },
      [](const Tensor& t) { return F::gelu(t, "tanh"); },
      [](const Tensor& t) { return F::silu(t); },
      [](const Tensor& t) { return F::leaky_relu(t, 0.2); },
      [](const Tensor& t) { return F::elu(t, 1.5); },
      [](const Tensor& t) { return F::softplus(t, 2.0, 1.0); },
      [](const Tensor& t) { return F::hardtanh(t, -0.5, 0.5); },
      [](const Tensor& t) { return F::mish(t); }};
  for (size_t i = 0; i < fns.size(); ++i) {
    EXPECT_TRUE(gradients_match([&](const Inputs& in) { return fns[i](in[0]); }, {x}))
        << "activation " << i;
  }
}

TEST_P(Layers, ActivationGradientsAtTheKinksAreThoseOfPyTorch) {
  auto grad_at = [](const std::function<Tensor(const Tensor&)>& f, const Tensor& x) {
    Tensor leaf = x.clone().requires_grad_();
    f(leaf).sum().backward();
    return leaf.grad();
  };
  // leaky_relu and elu take the negative side's slope at 0; hardtanh passes no gradient at its
  // edges.
  expect_tensor<double>(
      grad_at([](const Tensor& t) { return F::leaky_relu(t, 0.1); }, tensor({0.0}, kFloat64)), {1},
      {0.1});
  expect_tensor<double>(
      grad_at([](const Tensor& t) { return F::elu(t, 2.0); }, tensor({0.0}, kFloat64)), {1}, {2.0});
  expect_tensor<double>(grad_at([](const Tensor& t) { return F::hardtanh(t, -1.0, 1.0); },
                                tensor({-1.0, 0.5, 1.0}, kFloat64)),
                        {3}, {0.0, 1.0, 0.0});
}

TEST_P(Layers, ActivationsRefuseBadOptions) {
  expect_error([] { nn::GELU("fast"); }, {"GELU", "approximate", "fast"});
  expect_error([] { F::gelu(ones({2}), "erf"); }, {"gelu", "erf"});
  expect_error([] { F::hardtanh(ones({2}), 1.0, -1.0); }, {"hardtanh", "min_val"});
  expect_error([] { F::softplus(ones({2}), 0.0); }, {"softplus", "beta"});
}

TEST_P(Layers, ActivationsPrintTheirOptions) {
  EXPECT_EQ(printed(*nn::GELU("tanh")), "GELU(approximate='tanh')");
  EXPECT_EQ(printed(*nn::LeakyReLU(0.2)), "LeakyReLU(negative_slope=0.2)");
  EXPECT_EQ(printed(*nn::ELU()), "ELU(alpha=1)");
  EXPECT_EQ(printed(*nn::Softplus()), "Softplus(beta=1, threshold=20)");
  EXPECT_EQ(printed(*nn::Hardtanh()), "Hardtanh(min_val=-1, max_val=1)");
  EXPECT_EQ(printed(*nn::SiLU()), "SiLU()");
  EXPECT_EQ(printed(*nn::Mish()), "Mish()");
}

TEST_P(Layers, EmbeddingLooksUpRows) {
  const Tensor rows = tensor({{0.0, 0.5}, {1.0, 1.5}, {2.0, 2.5}}, kFloat64);
  nn::Embedding embedding = nn::Embedding::from_pretrained(rows);
  const Tensor out = embedding(tensor({{2, 0}, {1, 1}}));
  expect_tensor<double>(out, {2, 2, 2}, {2.0, 2.5, 0.0, 0.5, 1.0, 1.5, 1.0, 1.5});
  // from_pretrained freezes by default, and copies.
  EXPECT_FALSE(embedding->weight.requires_grad());
  EXPECT_TRUE(nn::Embedding::from_pretrained(rows, false)->weight.requires_grad());
  EXPECT_EQ(printed(*embedding), "Embedding(3, 2)");
}

TEST_P(Layers, EmbeddingGradientSumsRepeatsAndSkipsThePaddingRow) {
  nn::Embedding embedding(nn::EmbeddingOptions(4, 3).padding_idx(-1));  // row 3
  // The padding row starts at zero; the others are N(0, 1) draws.
  expect_tensor<float>(embedding->weight[3], {3}, {0.0f, 0.0f, 0.0f});
  EXPECT_GT(embedding->weight[0].abs().sum().item<float>(), 0.0f);
  const Tensor out = embedding(tensor({1, 3, 1, 0}));
  (out * tensor({1.0f, 2.0f, 3.0f}).to(out.device())).sum().backward();
  // Row 1 appears twice, row 0 once, row 3 is padding, row 2 unused.
  expect_tensor<float>(embedding->weight.grad(), {4, 3}, {1, 2, 3, 2, 4, 6, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(printed(*embedding), "Embedding(4, 3, padding_idx=3)");
}

TEST_P(Layers, EmbeddingGradientMatchesFiniteDifferences) {
  manual_seed(4);
  const Tensor weight = randn({5, 3}, kFloat64).requires_grad_();
  const Tensor indices = tensor({{0, 4, 4}, {2, 1, 0}});
  EXPECT_TRUE(gradients_match(
      [&](const Inputs& in) { return F::embedding(indices, in[0]) * in[0].sum(); }, {weight}));
  // A padding row that no index names leaves the others' gradients alone. (Where it is named,
  // its values reach the output without a gradient, by design, so differences disagree there.)
  EXPECT_TRUE(gradients_match(
      [&](const Inputs& in) { return F::embedding(indices, in[0], 3) * in[0].sum(); }, {weight}));
}

TEST_P(Layers, EmbeddingRefusesBadInput) {
  nn::Embedding embedding(10, 4);
  expect_error([&] { embedding(tensor({3, 10})); }, {"embedding", "10", "out of range"});
  expect_error([&] { embedding(tensor({1.0f})); }, {"embedding", "int64", "float32"});
  expect_error([] { nn::Embedding(nn::EmbeddingOptions(3, 2).padding_idx(3)); },
               {"Embedding", "padding_idx", "3"});
  expect_error([] { nn::Embedding(0, 2); }, {"Embedding", "positive"});
  expect_error([] { nn::Embedding::from_pretrained(ones({3})); },
               {"from_pretrained", "2-D", "[3]"});
}

TEST_P(Layers, LayerNormNormalizesEachSample) {
  nn::LayerNorm norm(nn::LayerNormOptions({4}));
  norm->to(kFloat64);
  const Tensor x = tensor({{1.0, 2.0, 3.0, 4.0}, {-2.0, -2.0, -2.0, -2.0}}, kFloat64);
  // Mean 2.5, biased variance 1.25; a constant row normalizes to 0.
  const double a = 1.5 / std::sqrt(1.25 + 1e-5), b = 0.5 / std::sqrt(1.25 + 1e-5);
  expect_tensor<double>(norm(x), {2, 4}, {-a, -b, b, a, 0, 0, 0, 0}, 1e-15);
  // The affine part scales and shifts per element.
  nn::init::constant_(norm->weight, 2.0);
  nn::init::constant_(norm->bias, 1.0);
  expect_tensor<double>(norm(x), {2, 4}, {1 - 2 * a, 1 - 2 * b, 1 + 2 * b, 1 + 2 * a, 1, 1, 1, 1},
                        1e-14);
  EXPECT_EQ(printed(*norm), "LayerNorm([4], eps=1e-05, elementwise_affine=true)");
  EXPECT_EQ(norm->parameters().size(), 2u);
  EXPECT_TRUE(
      nn::LayerNorm(nn::LayerNormOptions({4}).elementwise_affine(false))->parameters().empty());
}

TEST_P(Layers, LayerNormGradientMatchesFiniteDifferences) {
  manual_seed(6);
  const Tensor x = randn({2, 3, 4}, kFloat64).requires_grad_();
  const Tensor w = randn({3, 4}, kFloat64).requires_grad_();
  const Tensor b = randn({3, 4}, kFloat64).requires_grad_();
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return F::layer_norm(in[0], {3, 4}, in[1], in[2], 1e-5);
      },
      {x, w, b}));
}

TEST_P(Layers, LayerNormRefusesMismatchedShapes) {
  nn::LayerNorm norm(nn::LayerNormOptions({3, 4}));
  expect_error([&] { norm(ones({2, 4, 3})); }, {"layer_norm", "[3, 4]", "[2, 4, 3]"});
  expect_error([&] { norm(ones({4})); }, {"layer_norm", "[3, 4]", "[4]"});
  expect_error(
      [] {
        F::layer_norm(ones({2, 3}), {3}, ones({2}));
      },
      {"layer_norm", "weight", "[3]", "[2]"});
  expect_error([] { F::layer_norm(ones({2, 3}, kInt64), {3}); }, {"layer_norm", "int64"});
}

TEST_P(Layers, ModuleListRegistersByPosition) {
  nn::ModuleList list(nn::Linear(2, 3), nn::ReLU());
  list->push_back(nn::Linear(3, 1));
  EXPECT_EQ(list->size(), 3u);
  std::vector<std::string> names;
  for (const auto& [name, p] : list->named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  // as<T>() and at<T>() recover the layer's own type; the wrong type is an error.
  EXPECT_EQ(list[0]->as<nn::Linear>()->options.out_features_, 3);
  EXPECT_EQ(list->at<nn::LinearImpl>(-1)->options.in_features_, 3);
  EXPECT_EQ(list[1]->as<nn::Linear>(), nullptr);
  expect_error([&] { list->at<nn::Linear>(1); }, {"ModuleList", "ReLU"});
  expect_error([&] { (*list)[3]; }, {"ModuleList", "index 3", "3 modules"});
  // A forward written over the list runs each module.
  Tensor x = ones({1, 2});
  for (const auto& module : *list) {
    if (auto* linear = module->as<nn::Linear>()) {
      nn::init::constant_(linear->weight, 0.5);
      nn::init::zeros_(linear->bias);
      x = linear->forward(x);
    }
  }
  expect_tensor<float>(x, {1, 1}, {1.5f});  // [1, 1] -> [1, 1, 1] -> 1.5
}

TEST_P(Layers, ModuleDictKeepsOrderAndReplacesInPlace) {
  nn::ModuleDict dict(std::vector<std::pair<std::string, nn::Linear>>{
      {"encoder", nn::Linear(4, 2)}, {"decoder", nn::Linear(2, 4)}});
  dict->insert("act", nn::Tanh());
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"encoder", "decoder", "act"}));
  EXPECT_TRUE(dict->contains("decoder"));
  EXPECT_FALSE(dict->contains("head"));
  EXPECT_EQ(dict->at<nn::Linear>("decoder")->options.out_features_, 4);
  // Replacing a key keeps its place, in the dict and in the parameter names.
  dict->insert("encoder", nn::Linear(4, 3));
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"encoder", "decoder", "act"}));
  EXPECT_EQ(dict->named_parameters().front().second.sizes(), (Shape{3, 4}));
  EXPECT_EQ(dict->named_parameters().front().first, "encoder.weight");
  EXPECT_EQ(dict->parameters().size(), 4u);
  // pop removes the module and its parameters.
  auto popped = dict->pop("decoder");
  EXPECT_NE(popped->as<nn::Linear>(), nullptr);
  EXPECT_EQ(dict->size(), 2u);
  EXPECT_EQ(dict->parameters().size(), 2u);
  expect_error([&] { (*dict)["decoder"]; }, {"ModuleDict", "no module named \"decoder\""});
  expect_error([&] { dict->at<nn::Linear>("act"); }, {"ModuleDict", "Tanh"});
  dict->clear();
  EXPECT_TRUE(dict->is_empty());
  EXPECT_TRUE(dict->parameters().empty());
}

TEST_P(Layers, FunctionalWrapsACallable) {
  nn::Sequential model(nn::Functional([](const Tensor& x) { return x * 2; }),
                       nn::Functional(nabla::softmax, 1));
  expect_tensor<float>(model(zeros({1, 2})), {1, 2}, {0.5f, 0.5f});
  EXPECT_EQ(printed(*nn::Functional(nabla::relu)), "Functional()");
  expect_error([] { (void)nn::Functional(nn::FunctionalImpl::Function()); },
               {"Functional", "empty"});
}

TEST_P(Layers, PrintingAModelShowsItsParameterCount) {
  nn::Sequential model(nn::Linear(784, 128), nn::GELU(), nn::LayerNorm(nn::LayerNormOptions({128})),
                       nn::Linear(128, 10));
  EXPECT_EQ(printed(*model),
            "Sequential(\n"
            "  (0): Linear(in_features=784, out_features=128, bias=true)\n"
            "  (1): GELU(approximate='none')\n"
            "  (2): LayerNorm([128], eps=1e-05, elementwise_affine=true)\n"
            "  (3): Linear(in_features=128, out_features=10, bias=true)\n"
            ")\n"
            "Parameters: 102,026");  // 784*128 + 128 + 2*128 + 128*10 + 10
  // Frozen parameters are counted apart.
  nn::Sequential frozen(nn::Embedding::from_pretrained(ones({10, 3})), nn::Linear(3, 2));
  EXPECT_EQ(printed(*frozen),
            "Sequential(\n"
            "  (0): Embedding(10, 3)\n"
            "  (1): Linear(in_features=3, out_features=2, bias=true)\n"
            ")\n"
            "Parameters: 38 (8 trainable)");
}

}  // namespace
}  // namespace nabla

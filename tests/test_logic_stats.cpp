// Logical and bitwise ops, predicates, whole-tensor comparisons, and the statistics (prod, var,
// std, norm, logsumexp, all, any, count_nonzero): known values and gradients, on every device.
#include "device_test.h"
#include "test_helpers.h"

#include <cfloat>
#include <cmath>
#include <vector>

namespace nabla {
namespace {

using testing::expect_error;
using testing::expect_tensor;
using testing::kInf;
using testing::kNan;
using Inputs = std::vector<Tensor>;
using testing::gradients_match;

NABLA_DEVICE_SUITE(Logic);
NABLA_DEVICE_SUITE(Stats);

TEST_P(Logic, LogicalOpsTreatNonzeroAsTrue) {
  expect_tensor<bool>(logical_and(tensor({0, 1, 2}), tensor({1, 0, 3})), {3}, {false, false, true});
  expect_tensor<bool>(logical_or(tensor({0.0, 0.0, 2.5}), tensor({0.0, -1.0, 0.0})), {3},
                      {false, true, true});
  expect_tensor<bool>(logical_xor(tensor({true, true}), tensor({true, false})), {2}, {false, true});
  // NaN is nonzero, so true.
  expect_tensor<bool>(tensor({0.0, -1.5, kNan}).logical_not(), {3}, {true, false, false});
}

TEST_P(Logic, BitwiseOpsAndOperators) {
  expect_tensor<int64_t>(tensor({12, 10}) & tensor({10, 6}), {2}, {8, 2});
  expect_tensor<int64_t>(tensor({12, 10}) | tensor({10, 6}), {2}, {14, 14});
  expect_tensor<int64_t>(tensor({12, 10}) ^ tensor({10, 6}), {2}, {6, 12});
  expect_tensor<int64_t>(~tensor({5, -1}), {2}, {-6, 0});
  expect_tensor<uint8_t>(~tensor({0, 255}, kUInt8), {2}, {255, 0});
  expect_tensor<bool>(~tensor({true, false}), {2}, {false, true});
  expect_tensor<bool>(tensor({true, false}) & tensor({true, true}), {2}, {true, false});
  expect_error([] { tensor({1.5}) & tensor({1.0}); }, {"bitwise_and", "float32"});
  expect_error([] { ~tensor({1.5}); }, {"bitwise_not", "float32"});
}

TEST_P(Logic, Predicates) {
  const Tensor x = tensor({1.0, kNan, kInf, -kInf});
  expect_tensor<bool>(isnan(x), {4}, {false, true, false, false});
  expect_tensor<bool>(x.isinf(), {4}, {false, false, true, true});
  expect_tensor<bool>(isfinite(x), {4}, {true, false, false, false});
  expect_tensor<bool>(isnan(tensor({1, 2})), {2}, {false, false});
  expect_tensor<bool>(isfinite(tensor({7})), {1}, {true});
}

TEST_P(Logic, NanToNumReplacesWithTheDtypesExtremes) {
  const Tensor x = tensor({kNan, kInf, -kInf, 1.5});
  expect_tensor<float>(nan_to_num(x), {4}, {0.0f, FLT_MAX, -FLT_MAX, 1.5f});
  expect_tensor<double>(nan_to_num(x.to(kFloat64), 1.0, 2.0, -2.0), {4}, {1.0, 2.0, -2.0, 1.5});
  expect_tensor<double>(nan_to_num(tensor({kInf}, kFloat64)), {1}, {DBL_MAX});
}

TEST_P(Logic, AllcloseAndEqual) {
  const Tensor a = tensor({1.0, 2.0, kInf});
  EXPECT_TRUE(allclose(a, tensor({1.0 + 1e-6, 2.0, kInf})));
  EXPECT_FALSE(allclose(a, tensor({1.1, 2.0, kInf})));
  EXPECT_TRUE(allclose(a, tensor({1.1, 2.0, kInf}), 0.2));
  EXPECT_FALSE(allclose(tensor({kNan}), tensor({kNan})));
  EXPECT_TRUE(allclose(tensor({kNan}), tensor({kNan}), 1e-5, 1e-8, true));
  EXPECT_TRUE(a.allclose(tensor({1.0, 2.0, kInf}).reshape({1, 3})));  // broadcasting
  EXPECT_TRUE(equal(tensor({1, 2}), tensor({1, 2})));
  EXPECT_FALSE(equal(tensor({1, 2}), tensor({1, 3})));
  EXPECT_FALSE(tensor({1, 2}).equal(tensor({1, 2}).reshape({2, 1})));
}

TEST_P(Stats, ProdOverAllAndOverDims) {
  const Tensor x = tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  expect_tensor<float>(x.prod(), {}, {720.0f});
  expect_tensor<float>(prod(x, {1}), {2}, {6.0f, 120.0f});
  expect_tensor<int64_t>(tensor({2, 3, 4}).prod(), {}, {24});
  expect_tensor<int64_t>(tensor({true, true}).prod(), {}, {1});
}

TEST_P(Stats, ProdGradientWithZeros) {
  Tensor x = tensor({2.0, 0.0, 3.0}).requires_grad_();
  x.prod().backward();
  expect_tensor<float>(x.grad(), {3}, {0.0f, 6.0f, 0.0f});
  Tensor y = tensor({0.0, 0.0, 3.0}).requires_grad_();
  y.prod().backward();
  expect_tensor<float>(y.grad(), {3}, {0.0f, 0.0f, 0.0f});
  Tensor z = tensor({{2.0, 4.0}, {0.0, 5.0}}).requires_grad_();
  prod(z, {1}).sum().backward();
  expect_tensor<float>(z.grad(), {2, 2}, {4.0f, 2.0f, 5.0f, 0.0f});
}

TEST_P(Stats, VarianceAndStandardDeviationWithCorrection) {
  const Tensor x = tensor({1.0, 2.0, 3.0, 4.0});
  expect_tensor<float>(var(x), {}, {5.0f / 3}, 1e-6);
  expect_tensor<float>(x.var({}, 0), {}, {1.25f}, 1e-6);
  expect_tensor<float>(x.std(), {}, {std::sqrt(5.0f / 3)}, 1e-6);
  const Tensor m = tensor({{1.0, 3.0}, {2.0, 6.0}});
  expect_tensor<float>(var(m, {0}), {2}, {0.5f, 4.5f}, 1e-6);
  expect_tensor<float>(var(m, {1}, 1, true), {2, 1}, {2.0f, 8.0f}, 1e-6);
  auto [v, mean] = var_mean(m, {1});
  expect_tensor<float>(mean, {2}, {2.0f, 4.0f});
  expect_tensor<float>(v, {2}, {2.0f, 8.0f}, 1e-6);
  expect_error([] { var(tensor({1, 2})); }, {"var", "floating"});
}

TEST_P(Stats, NormsForEveryP) {
  const Tensor x = tensor({3.0, -4.0});
  expect_tensor<float>(norm(x), {}, {5.0f});
  expect_tensor<float>(x.norm(1), {}, {7.0f});
  expect_tensor<float>(norm(x, INFINITY), {}, {4.0f});
  expect_tensor<float>(norm(x, -INFINITY), {}, {3.0f});
  expect_tensor<float>(norm(tensor({3.0, 0.0, -1.0}), 0), {}, {2.0f});
  expect_tensor<float>(norm(x, 3), {}, {std::cbrt(91.0f)}, 1e-5);
  expect_tensor<float>(norm(tensor({{3.0, 4.0}, {6.0, 8.0}}), "fro", {1}), {2}, {5.0f, 10.0f});
  expect_error([] { norm(tensor({1.0}), -2); }, {"norm", "p"});
  expect_error([] { norm(tensor({1.0}), "nuc"); }, {"norm", "fro"});
}

TEST_P(Stats, LogsumexpDoesNotOverflow) {
  expect_tensor<float>(logsumexp(tensor({1000.0, 1000.0}), {0}), {}, {1000.0f + std::log(2.0f)},
                       1e-3);
  expect_tensor<double>(logsumexp(tensor({-kInf, -kInf}, kFloat64), {0}), {}, {-kInf});
  expect_tensor<double>(logsumexp(tensor({{0.0, std::log(3.0)}, {1.0, 1.0}}, kFloat64), {1}, true),
                        {2, 1}, {std::log(4.0), 1.0 + std::log(2.0)}, 1e-15);
}

TEST_P(Stats, AllAnyAndCountNonzero) {
  const Tensor x = tensor({{1.0, 0.0}, {2.0, 3.0}});
  expect_tensor<bool>(all(x), {}, {false});
  expect_tensor<bool>(all(x, {0}), {2}, {true, false});
  expect_tensor<bool>(any(x, {1}), {2}, {true, true});
  expect_tensor<bool>(tensor({false, false}).any(), {}, {false});
  expect_tensor<int64_t>(count_nonzero(x), {}, {3});
  expect_tensor<int64_t>(count_nonzero(x, {0}), {2}, {2, 1});
}

TEST_P(Stats, GradientsMatchFiniteDifferences) {
  manual_seed(12);
  const Tensor x = randn({3, 4}, kFloat64).requires_grad_();
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return prod(in[0], {1}); }, {x}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].prod(); }, {x}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return var(in[0], {0}); }, {x}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return std(in[0], {1}, 0, true); }, {x}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return norm(in[0]); }, {x}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return norm(in[0], 3, {1}); }, {x}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return norm(in[0], 1, {0}); }, {x}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return logsumexp(in[0], {1}); }, {x}));
}

}  // namespace
}  // namespace nabla

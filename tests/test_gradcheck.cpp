// gradcheck of every differentiable op against finite differences, in float64, with broadcasting.
#include "device_test.h"
#include "test_helpers.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace nabla {
namespace {

using autograd::GradcheckFunction;
using autograd::GradcheckResult;
using Inputs = std::vector<Tensor>;

// Runs gradcheck; a failure carries the report (input, element, analytic vs numerical).
::testing::AssertionResult gradients_match(const GradcheckFunction& fn, const Inputs& inputs) {
  const GradcheckResult r = autograd::gradcheck(fn, inputs);
  if (r.ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << r.report;
}

Tensor leaf(Tensor t) {
  t.set_requires_grad(true);
  return t;
}

// Standard normal float64 values, requiring grad.
Tensor normal(const Shape& shape) {
  return leaf(randn(shape, kFloat64));
}

// Values in [0.5, 1.5), requiring grad: inside the domain of log, sqrt and fractional powers.
Tensor positive(const Shape& shape) {
  return leaf(rand(shape, kFloat64) + 0.5);
}

// |values| in [0.5, 1.5) with either sign, requiring grad: away from the kinks of abs and relu and
// from the poles of 1/x.
Tensor away_from_zero(const Shape& shape) {
  const Tensor sign = (rand(shape, kFloat64) > 0.5).to(kFloat64) * 2 - 1;
  return leaf((rand(shape, kFloat64) + 0.5) * sign);
}

// Distinct values 0.25 apart (a shuffled ladder, plus `offset`), requiring grad: no two elements
// are within a finite-difference step of a tie, so max/min pick one element without ambiguity.
Tensor distinct(const Shape& shape, double offset = 0, unsigned seed = 7) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<double> values(n);
  std::iota(values.begin(), values.end(), 0.0);
  std::shuffle(values.begin(), values.end(), std::mt19937(seed));
  for (double& v : values) v = 0.25 * (v - static_cast<double>(n / 2)) + offset;
  return leaf(tensor(values, kFloat64).reshape(shape));
}

Tensor indices(std::initializer_list<int64_t> values) {
  return tensor(values);
}

// Operand shapes for broadcasting binary ops: equal, trailing dim, both sides stretched, 0-dim.
std::vector<std::pair<Shape, Shape>> broadcast_pairs() {
  return {{Shape{2, 3}, Shape{2, 3}}, {Shape{2, 3}, Shape{3}}, {Shape{3}, Shape{2, 3}},
          {Shape{2, 1}, Shape{1, 3}}, {Shape{2, 3}, Shape{}},  {Shape{}, Shape{2, 3}},
          {Shape{}, Shape{}}};
}

std::string describe(const Shape& a, const Shape& b) {
  std::ostringstream out;
  out << "shapes " << a << " and " << b;
  return out.str();
}

class Gradcheck : public testing::DeviceTest {
 protected:
  void SetUp() override {
    DeviceTest::SetUp();
    manual_seed(20240611);
  }
};
NABLA_INSTANTIATE_DEVICE_SUITE(Gradcheck);

// --- unary -------------------------------------------------------------------------------------

TEST_P(Gradcheck, UnaryMathMatchesFiniteDifferences) {
  for (const Shape& shape : {Shape{2, 3}, Shape{}}) {
    SCOPED_TRACE(::testing::Message() << "shape " << shape);
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return neg(in[0]); }, {normal(shape)}));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return -in[0]; }, {normal(shape)}));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].exp(); }, {normal(shape)}));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return log(in[0]); }, {positive(shape)}));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].sqrt(); }, {positive(shape)}));
    EXPECT_TRUE(
        gradients_match([](const Inputs& in) { return abs(in[0]); }, {away_from_zero(shape)}));
    EXPECT_TRUE(
        gradients_match([](const Inputs& in) { return in[0].relu(); }, {away_from_zero(shape)}));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return sigmoid(in[0]); }, {normal(shape)}));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].tanh(); }, {normal(shape)}));
  }
}

TEST_P(Gradcheck, PowMatchesFiniteDifferencesForEachExponent) {
  for (const Shape& shape : {Shape{2, 3}, Shape{}}) {
    SCOPED_TRACE(::testing::Message() << "shape " << shape);
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].pow(2); }, {normal(shape)}));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return pow(in[0], 3); }, {normal(shape)}));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].pow(2.0); }, {normal(shape)}));
    EXPECT_TRUE(
        gradients_match([](const Inputs& in) { return in[0].pow(0.5); }, {positive(shape)}));
    EXPECT_TRUE(
        gradients_match([](const Inputs& in) { return in[0].pow(1.5); }, {positive(shape)}));
    EXPECT_TRUE(
        gradients_match([](const Inputs& in) { return in[0].pow(-1); }, {away_from_zero(shape)}));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].pow(0); }, {normal(shape)}));
  }
}

TEST_P(Gradcheck, ClampMatchesFiniteDifferencesAwayFromTheBounds) {
  // Inside, below and above [-0.5, 0.5], each at least 0.05 from a bound.
  const Tensor x = leaf(tensor({{-1.2, -0.3, 0.1}, {0.8, 0.35, -0.9}}, kFloat64));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return clamp(in[0], -0.5, 0.5); }, {x}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].clamp(-0.5, 0.5); }, {x}));
  EXPECT_TRUE(
      gradients_match([](const Inputs& in) { return clamp(in[0], -0.5, std::nullopt); }, {x}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].clamp_min(-0.5); }, {x}));
  EXPECT_TRUE(
      gradients_match([](const Inputs& in) { return clamp(in[0], std::nullopt, 0.5); }, {x}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].clamp_max(0.5); }, {x}));
}

// --- binary, broadcasting ----------------------------------------------------------------------

TEST_P(Gradcheck, AddAndSubMatchFiniteDifferencesWhenBroadcasting) {
  for (const auto& [sa, sb] : broadcast_pairs()) {
    SCOPED_TRACE(describe(sa, sb));
    const Inputs inputs{normal(sa), normal(sb)};
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0] + in[1]; }, inputs));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return add(in[0], in[1], 2.5); }, inputs));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].add(in[1], -3); }, inputs));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0] - in[1]; }, inputs));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return sub(in[0], in[1], 2.5); }, inputs));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].sub(in[1], -3); }, inputs));
  }
}

TEST_P(Gradcheck, MulAndDivMatchFiniteDifferencesWhenBroadcasting) {
  for (const auto& [sa, sb] : broadcast_pairs()) {
    SCOPED_TRACE(describe(sa, sb));
    EXPECT_TRUE(
        gradients_match([](const Inputs& in) { return in[0] * in[1]; }, {normal(sa), normal(sb)}));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].mul(in[1]); },
                                {normal(sa), normal(sb)}));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0] / in[1]; },
                                {normal(sa), away_from_zero(sb)}));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return div(in[0], in[1]); },
                                {normal(sa), away_from_zero(sb)}));
  }
}

TEST_P(Gradcheck, MaximumAndMinimumMatchFiniteDifferencesWithoutTies) {
  for (const auto& [sa, sb] : broadcast_pairs()) {
    SCOPED_TRACE(describe(sa, sb));
    // a lies on multiples of 0.25 and b halfway between them: no pair is within 0.125.
    const Inputs inputs{distinct(sa, 0, 1), distinct(sb, 0.125, 2)};
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return maximum(in[0], in[1]); }, inputs));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].minimum(in[1]); }, inputs));
  }
}

TEST_P(Gradcheck, OnlyTheInputsThatRequireGradAreChecked) {
  // A constant operand on either side: its gradient is skipped, the other still checked.
  const Tensor constant = randn({2, 3}, kFloat64);
  const Tensor denominator = away_from_zero({3}).detach();
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return in[0] * constant; }, {normal({3})}));
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return constant * in[0]; }, {normal({3})}));
  EXPECT_TRUE(
      gradients_match([&](const Inputs& in) { return in[0] / denominator; }, {normal({2, 3})}));
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return constant / in[0]; },
                              {away_from_zero({2, 1})}));
}

TEST_P(Gradcheck, ScalarOperandsMatchFiniteDifferences) {
  for (const Shape& shape : {Shape{2, 3}, Shape{}}) {
    SCOPED_TRACE(::testing::Message() << "shape " << shape);
    const Inputs x{normal(shape)};
    const Inputs nonzero{away_from_zero(shape)};
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0] + 2; }, x));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return 2 + in[0]; }, x));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0] - 2; }, x));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return 2 - in[0]; }, x));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0] * 3; }, x));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return 3 * in[0]; }, x));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0] * -0.5; }, x));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return 3 / in[0]; }, nonzero));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return -1.5 / in[0]; }, nonzero));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0] / 4; }, x));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0] / -0.25; }, x));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return add(in[0], 1.5); }, x));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return sub(in[0], 1.5); }, x));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return mul(in[0], 1.5); }, x));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return div(in[0], 1.5); }, x));
  }
}

TEST_P(Gradcheck, WhereMatchesFiniteDifferencesWhenBroadcasting) {
  const Tensor condition = tensor({{true, false, true}, {false, false, true}});
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return where(condition, in[0], in[1]); },
                              {normal({2, 3}), normal({2, 3})}));
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return where(condition, in[0], in[1]); },
                              {normal({3}), normal({2, 1})}));
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return where(condition, in[0], in[1]); },
                              {normal({}), normal({1, 3})}));
  const Tensor row_condition = tensor({true, false, true});
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return where(row_condition, in[0], in[1]); },
                              {normal({2, 3}), normal({})}));
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return where(row_condition, in[0], in[1]); },
                              {normal({4, 1}), randn({4, 3}, kFloat64)}));
}

// --- reductions --------------------------------------------------------------------------------

TEST_P(Gradcheck, SumAndMeanMatchFiniteDifferencesOverAnyDims) {
  const Inputs x{normal({2, 3, 4})};
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].sum(); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return sum(in[0], {}, true); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].mean(); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return mean(in[0], {}, true); }, x));
  for (bool keepdim : {false, true}) {
    SCOPED_TRACE(::testing::Message() << "keepdim " << keepdim);
    for (const Shape& dims :
         {Shape{0}, Shape{1}, Shape{2}, Shape{0, 2}, Shape{-1}, Shape{-1, -3}, Shape{0, 1, 2}}) {
      SCOPED_TRACE(::testing::Message() << "dims " << dims);
      EXPECT_TRUE(gradients_match(
          [dims, keepdim](const Inputs& in) { return in[0].sum(dims, keepdim); }, x));
      EXPECT_TRUE(gradients_match(
          [dims, keepdim](const Inputs& in) { return mean(in[0], dims, keepdim); }, x));
    }
  }
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].sum(); }, {normal({})}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].mean(); }, {normal({})}));
}

TEST_P(Gradcheck, FullMaxAndMinMatchFiniteDifferencesWithoutTies) {
  const Inputs x{distinct({2, 3, 4})};
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].max(); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return min(in[0]); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return max(in[0]); }, {normal({})}));
}

TEST_P(Gradcheck, AmaxAndAminMatchFiniteDifferencesOverDims) {
  const Inputs x{distinct({2, 3, 4})};
  for (bool keepdim : {false, true}) {
    SCOPED_TRACE(::testing::Message() << "keepdim " << keepdim);
    for (const Shape& dims : {Shape{}, Shape{0}, Shape{1}, Shape{0, 2}, Shape{-1}, Shape{-1, -2}}) {
      SCOPED_TRACE(::testing::Message() << "dims " << dims);
      EXPECT_TRUE(gradients_match(
          [dims, keepdim](const Inputs& in) { return in[0].amax(dims, keepdim); }, x));
      EXPECT_TRUE(gradients_match(
          [dims, keepdim](const Inputs& in) { return amin(in[0], dims, keepdim); }, x));
    }
  }
}

TEST_P(Gradcheck, MaxAndMinAlongADimMatchFiniteDifferencesForTheirValues) {
  const Inputs x{distinct({2, 3, 4})};
  for (bool keepdim : {false, true}) {
    SCOPED_TRACE(::testing::Message() << "keepdim " << keepdim);
    for (int64_t dim : {0, 1, 2, -1, -3}) {
      SCOPED_TRACE(::testing::Message() << "dim " << dim);
      EXPECT_TRUE(gradients_match(
          [dim, keepdim](const Inputs& in) { return std::get<0>(in[0].max(dim, keepdim)); }, x));
      EXPECT_TRUE(gradients_match(
          [dim, keepdim](const Inputs& in) { return std::get<0>(min(in[0], dim, keepdim)); }, x));
    }
  }
}

// --- matmul ------------------------------------------------------------------------------------

TEST_P(Gradcheck, MatmulMatchesFiniteDifferencesForEveryRankCombination) {
  const GradcheckFunction product = [](const Inputs& in) { return matmul(in[0], in[1]); };
  const std::vector<std::pair<Shape, Shape>> cases = {
      {Shape{3, 4}, Shape{4, 5}},        // 2-D
      {Shape{4}, Shape{4}},              // dot product
      {Shape{4}, Shape{4, 5}},           // vector @ matrix
      {Shape{3, 4}, Shape{4}},           // matrix @ vector
      {Shape{2, 3, 4}, Shape{2, 4, 5}},  // batched
      {Shape{2, 3, 4}, Shape{4, 5}},     // batch against a matrix
      {Shape{3, 4}, Shape{2, 4, 5}},     // matrix against a batch
      {Shape{1, 3, 4}, Shape{2, 4, 5}},  // broadcast batch dim of size 1
      {Shape{2, 1, 3, 4}, Shape{3, 4, 2}},
      {Shape{4}, Shape{2, 4, 5}},  // vector against a batch
      {Shape{2, 3, 4}, Shape{4}},  // batch against a vector
  };
  for (const auto& [sa, sb] : cases) {
    SCOPED_TRACE(describe(sa, sb));
    EXPECT_TRUE(gradients_match(product, {normal(sa), normal(sb)}));
  }
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].matmul(in[1]); },
                              {normal({3, 4}), normal({4, 2})}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return mm(in[0], in[1]); },
                              {normal({3, 4}), normal({4, 2})}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].mm(in[1]); },
                              {normal({1, 4}), normal({4, 1})}));
}

TEST_P(Gradcheck, LinearMatchesFiniteDifferencesWithAndWithoutBias) {
  const GradcheckFunction with_bias = [](const Inputs& in) { return linear(in[0], in[1], in[2]); };
  const GradcheckFunction without = [](const Inputs& in) { return linear(in[0], in[1]); };
  for (const Shape& input : {Shape{5, 3}, Shape{3}, Shape{2, 4, 3}}) {
    SCOPED_TRACE(describe(input, Shape{4, 3}));
    EXPECT_TRUE(gradients_match(with_bias, {normal(input), normal({4, 3}), normal({4})}));
    EXPECT_TRUE(gradients_match(without, {normal(input), normal({4, 3})}));
  }
  // A transposed (non-contiguous) input, and an input that needs no gradient (a first layer).
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return linear(in[0].t(), in[1], in[2]); },
                              {normal({3, 5}), normal({4, 3}), normal({4})}));
  EXPECT_TRUE(gradients_match(with_bias, {randn({5, 3}, kFloat64), normal({4, 3}), normal({4})}));
}

// --- views -------------------------------------------------------------------------------------

TEST_P(Gradcheck, ReshapingViewsMatchFiniteDifferences) {
  const Inputs x{normal({2, 3, 4})};
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].reshape({6, 4}); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return reshape(in[0], {4, -1}); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].view({3, 8}); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].view({-1}); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].flatten(); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return flatten(in[0], 1); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].flatten(0, 1); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].unsqueeze(0); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return unsqueeze(in[0], -1); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].unsqueeze(2); }, x));
  const Inputs with_ones{normal({2, 1, 3, 1})};
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].squeeze(); }, with_ones));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return squeeze(in[0], 1); }, with_ones));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].squeeze(-1); }, with_ones));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].reshape({}); }, {normal({1})}));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return in[0].reshape({1, 1});
      },
      {normal({})}));
}

TEST_P(Gradcheck, TransposingViewsMatchFiniteDifferences) {
  const Inputs x{normal({2, 3, 4})};
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].transpose(0, 2); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return transpose(in[0], -1, -2); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].permute({2, 0, 1}); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return permute(in[0], {1, -1, 0}); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].t(); }, {normal({3, 4})}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].t(); }, {normal({4})}));
  EXPECT_TRUE(
      gradients_match([](const Inputs& in) { return in[0].t().contiguous(); }, {normal({3, 4})}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].contiguous(); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].clone(); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].transpose(0, 1).clone(); }, x));
}

TEST_P(Gradcheck, SlicingViewsMatchFiniteDifferences) {
  const Inputs x{normal({3, 4, 5})};
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].slice(2, 0, 5, 2); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].slice(2, 1, 5, 3); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].slice(0, 1, 3); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].slice(-2, 1, 4, 2); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].narrow(1, 1, 2); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].narrow(-1, 3, 2); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].select(1, 2); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].select(-1, -1); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0][1]; }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0][1][2]; }, x));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) { return in[0].slice(2, 0, 5, 2).select(0, 1).narrow(0, 1, 3); }, x));
}

TEST_P(Gradcheck, ExpandMatchesFiniteDifferences) {
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return in[0].expand({2, 3, 4});
      },
      {normal({3, 1})}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].expand({2, 3}); }, {normal({})}));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return in[0].expand({4, 2, 3});
      },
      {normal({1, 3})}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].expand_as(in[1]); },
                              {normal({2, 1}), randn({2, 5}, kFloat64)}));
}

// --- indexing and softmax ----------------------------------------------------------------------

TEST_P(Gradcheck, IndexSelectMatchesFiniteDifferencesWithRepeatedIndices) {
  const Inputs x{normal({4, 3})};
  const Tensor rows = indices({0, 2, 2, 3, 0, 2});
  const Tensor columns = indices({2, 2, 0});
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return index_select(in[0], 0, rows); }, x));
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return in[0].index_select(1, columns); }, x));
  EXPECT_TRUE(
      gradients_match([&](const Inputs& in) { return in[0].index_select(-1, columns); }, x));
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return in[0].index_select(1, columns); },
                              {normal({2, 3, 2})}));
}

TEST_P(Gradcheck, GatherMatchesFiniteDifferencesWithRepeatedIndices) {
  const Inputs x{normal({3, 4})};
  // Along dim 0: index [2, 4], values < 3, with repeats down each column.
  const Tensor down = tensor({{0, 2, 2, 1}, {0, 2, 1, 1}});
  // Along dim 1: index [3, 5], longer than the dim, values < 4 with repeats.
  const Tensor across = tensor({{3, 3, 0, 1, 3}, {2, 2, 2, 2, 0}, {0, 1, 2, 3, 1}});
  // Along dim 1 with fewer rows than the input: index [2, 2].
  const Tensor corner = tensor({{1, 1}, {3, 0}});
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return gather(in[0], 0, down); }, x));
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return in[0].gather(1, across); }, x));
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return in[0].gather(-1, across); }, x));
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return in[0].gather(1, corner); }, x));
}

TEST_P(Gradcheck, SoftmaxAndLogSoftmaxMatchFiniteDifferencesAlongEachDim) {
  const Inputs x{normal({3, 4})};
  for (int64_t dim : {0, 1, -1}) {
    SCOPED_TRACE(::testing::Message() << "dim " << dim);
    EXPECT_TRUE(gradients_match([dim](const Inputs& in) { return softmax(in[0], dim); }, x));
    EXPECT_TRUE(gradients_match([dim](const Inputs& in) { return in[0].log_softmax(dim); }, x));
  }
  const Inputs cube{normal({2, 3, 4})};
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].softmax(1); }, cube));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return log_softmax(in[0], 1); }, cube));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].softmax(0); }, {normal({5})}));
  EXPECT_TRUE(
      gradients_match([](const Inputs& in) { return in[0].log_softmax(-1); }, {normal({5})}));
}

TEST_P(Gradcheck, ZeroDimInputsMatchFiniteDifferences) {
  const Inputs x{normal({})};
  const Tensor zero_index = tensor(std::vector<int64_t>{0}).reshape({});
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return in[0].gather(0, zero_index); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].softmax(0); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].log_softmax(-1) + in[0]; }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return std::get<0>(in[0].max(0)); }, x));
  EXPECT_TRUE(
      gradients_match([](const Inputs& in) { return std::get<0>(in[0].min(-1, true)); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].amax({0}); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].sum({0}, true); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].mean({-1}); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].unsqueeze(0); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].squeeze(); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].t(); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].flatten(); }, x));
}

// --- non-contiguous and broadcast inputs -------------------------------------------------------

TEST_P(Gradcheck, NonContiguousLeavesGetGradientsInTheirLogicalLayout) {
  // A transposed leaf [3, 4] and a leaf taking every other column of [3, 8].
  Tensor transposed = randn({4, 3}, kFloat64).detach().t();
  transposed.set_requires_grad(true);
  Tensor strided = randn({3, 8}, kFloat64).detach().slice(1, 0, 8, 2);
  strided.set_requires_grad(true);
  ASSERT_FALSE(transposed.is_contiguous());
  ASSERT_FALSE(strided.is_contiguous());
  ASSERT_TRUE(transposed.is_leaf());
  for (const Tensor& x : {transposed, strided}) {
    SCOPED_TRACE(::testing::Message() << "strides " << x.strides());
    const Inputs one{x};
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].exp(); }, one));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].sigmoid(); }, one));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].sum({1}); }, one));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].mean({0}, true); }, one));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].reshape({2, 6}); }, one));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].flatten(); }, one));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].t(); }, one));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].slice(1, 1, 4, 2); }, one));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].softmax(-1); }, one));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].log_softmax(0); }, one));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return std::get<0>(in[0].max(1)); }, one));
    EXPECT_TRUE(gradients_match(
        [](const Inputs& in) {
          return in[0].index_select(1, indices({3, 0, 3}));
        },
        one));
    EXPECT_TRUE(gradients_match(
        [](const Inputs& in) {
          return in[0].gather(1, tensor({{1, 1}, {0, 3}, {2, 2}}));
        },
        one));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0] * in[1]; }, {x, normal({4})}));
    EXPECT_TRUE(
        gradients_match([](const Inputs& in) { return in[1] / in[0].exp(); }, {x, normal({3, 1})}));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return matmul(in[0], in[1]); },
                                {x, normal({4, 2})}));
    EXPECT_TRUE(gradients_match([](const Inputs& in) { return matmul(in[1], in[0]); },
                                {x, normal({2, 3})}));
  }
}

TEST_P(Gradcheck, InputsExpandedInsideTheFunctionSumTheirGradients) {
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return in[0].expand({2, 3, 4}) * in[1];
      },
      {normal({3, 1}), normal({2, 3, 4})}));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return in[0].expand({4, 3}).exp();
      },
      {normal({3})}));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return in[0].expand({3, 5}).softmax(1);
      },
      {normal({3, 1})}));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return matmul(in[0].expand({2, 3, 4}), in[1]);
      },
      {normal({3, 4}), normal({2, 4, 2})}));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return in[0].expand({4, 3}).sum({0}) + in[0];
      },
      {normal({1, 3})}));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return in[0].expand({3, 4}).gather(1, tensor({{0, 0}, {1, 3}, {2, 2}}));
      },
      {normal({3, 1})}));
}

TEST_P(Gradcheck, OpsAcceptNonContiguousIncomingGradients) {
  // Each op's output is transposed, so the gradient reaching the op is a transposed view.
  const Inputs x{normal({3, 4})};
  const Inputs distinct_x{distinct({3, 4})};
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].tanh().t(); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].softmax(1).t(); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].log_softmax(0).t(); }, x));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return in[0].index_select(0, indices({2, 0, 2})).t();
      },
      x));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return in[0].gather(1, tensor({{0, 0}, {3, 1}, {2, 2}})).t();
      },
      x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].sum({1}, true).t(); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].slice(1, 0, 4, 2).t(); }, x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return std::get<0>(in[0].max(1, true)).t(); },
                              distinct_x));
  EXPECT_TRUE(
      gradients_match([](const Inputs& in) { return in[0].amin({0}, true).t(); }, distinct_x));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return matmul(in[0], in[1]).t(); },
                              {normal({3, 4}), normal({4, 2})}));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return std::get<0>(in[0].unsqueeze(1).expand({3, 2, 4}).min(2));
      },
      distinct_x));
}

// --- compositions ------------------------------------------------------------------------------

TEST_P(Gradcheck, TwoLayerMlpLossMatchesFiniteDifferencesForEveryParameter) {
  const Tensor targets = tensor({{2}, {0}, {1}, {2}});  // [batch, 1] class indices
  const GradcheckFunction loss = [targets](const Inputs& in) {
    const Tensor &x = in[0], &w1 = in[1], &b1 = in[2], &w2 = in[3], &b2 = in[4];
    const Tensor hidden = (matmul(x, w1.t()) + b1).relu();
    const Tensor logits = matmul(hidden, w2.t()) + b2;
    return -logits.log_softmax(-1).gather(1, targets).mean();
  };
  EXPECT_TRUE(gradients_match(
      loss, {normal({4, 3}), normal({5, 3}), normal({5}), normal({3, 5}), normal({3})}));
}

TEST_P(Gradcheck, InputsUsedSeveralTimesAccumulateTheirGradients) {
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0] * in[0] + in[0].exp(); },
                              {normal({2, 3})}));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) { return (in[0] * in[1]).sum({1}) / in[1].sum({1}).pow(2); },
      {normal({2, 3}), positive({2, 3})}));
  EXPECT_TRUE(
      gradients_match([](const Inputs& in) { return matmul(in[0], in[0].t()); }, {normal({3, 2})}));
  EXPECT_TRUE(
      gradients_match([](const Inputs& in) { return where(in[0] > 0, in[0].exp(), -in[0]).tanh(); },
                      {away_from_zero({2, 3})}));
}

// --- gradcheck itself --------------------------------------------------------------------------

// The identity with a backward that doubles the gradient: a deliberately wrong derivative.
struct DoublingIdentity : autograd::Function<DoublingIdentity> {
  static Tensor forward(autograd::AutogradContext*, Tensor x) { return x.clone(); }
  static std::vector<Tensor> backward(autograd::AutogradContext*, std::vector<Tensor> grads) {
    return {grads[0] * 2};
  }
};

TEST_P(Gradcheck, AWrongBackwardFailsAndTheReportNamesTheInput) {
  // Input 0 is correct (exp); input 1 goes through the wrong backward.
  const GradcheckResult r = autograd::gradcheck(
      [](const Inputs& in) { return in[0].exp() + DoublingIdentity::apply(in[1]); },
      {normal({2, 3}), normal({2, 3})});
  EXPECT_FALSE(r.ok) << r.report;
  EXPECT_NE(r.report.find("FAILED"), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("input 1"), std::string::npos) << r.report;
  EXPECT_EQ(r.report.find("input 0"), std::string::npos) << r.report;
}

TEST_P(Gradcheck, ACorrectBackwardPassesAndTheReportSaysSo) {
  const GradcheckResult r =
      autograd::gradcheck([](const Inputs& in) { return in[0].exp(); }, {normal({2})});
  EXPECT_TRUE(r.ok) << r.report;
  EXPECT_NE(r.report.find("passed"), std::string::npos) << r.report;
}

TEST_P(Gradcheck, AFloat32InputRequiringGradIsRejected) {
  const Tensor x = leaf(randn({2, 3}, kFloat32));
  testing::expect_error(
      [&] { autograd::gradcheck([](const Inputs& in) { return in[0].exp(); }, {x}); },
      {"gradcheck", "input 0", "float64"});
}

TEST_P(Gradcheck, LeavesCallersGradientsAsTheyWere) {
  Tensor x = normal({3});
  x.mutable_grad() = full({3}, 7.0, kFloat64);
  ASSERT_TRUE(gradients_match([](const Inputs& in) { return in[0] * 2; }, {x}));
  testing::expect_tensor<double>(x.grad(), {3}, {7.0, 7.0, 7.0});
}

}  // namespace
}  // namespace nabla

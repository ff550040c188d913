// Reductions (sum, mean, amax/amin, max/min, argmax/argmin) over dims, views, large and empty.
#include "device_test.h"
#include "test_helpers.h"

#include <cmath>
#include <limits>
#include <vector>

namespace nabla {
namespace {

NABLA_DEVICE_SUITE(Reduce);

using testing::kNan;
using testing::kNanF;

// [[1, 2, 3], [4, 5, 6]]
Tensor matrix() {
  return tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
}

// [[3, 7, 7], [9, 1, 9]]
Tensor with_ties() {
  return tensor({{3.0, 7.0, 7.0}, {9.0, 1.0, 9.0}});
}

// y[i][j][k] = 12 i + 4 j + k, shape [2, 3, 4].
Tensor cube() {
  return arange(24, kFloat32).reshape({2, 3, 4});
}

// --- sum -----------------------------------------------------------------------------------------

TEST_P(Reduce, SumOverAllDimsGivesAZeroDimTensor) {
  testing::expect_tensor<float>(matrix().sum(), {}, {21.0f});
  testing::expect_tensor<float>(sum(cube()), {}, {276.0f});
}

TEST_P(Reduce, SumOverOneDim) {
  testing::expect_tensor<float>(matrix().sum({0}), {3}, {5.0f, 7.0f, 9.0f});
  testing::expect_tensor<float>(matrix().sum({1}), {2}, {6.0f, 15.0f});
  // sum_j (12 i + 4 j + k) = 36 i + 12 + 3 k
  testing::expect_tensor<float>(cube().sum({1}), {2, 4},
                                {12.0f, 15.0f, 18.0f, 21.0f, 48.0f, 51.0f, 54.0f, 57.0f});
}

TEST_P(Reduce, SumOverDimOneKeepsDimWhenAsked) {
  testing::expect_tensor<float>(matrix().sum({1}, true), {2, 1}, {6.0f, 15.0f});
  testing::expect_tensor<float>(matrix().sum({0}, true), {1, 3}, {5.0f, 7.0f, 9.0f});
  testing::expect_tensor<float>(matrix().sum({0, 1}, true), {1, 1}, {21.0f});
}

TEST_P(Reduce, SumOverSeveralDims) {
  // sum_{i,k} (12 i + 4 j + k) = 60 + 32 j
  testing::expect_tensor<float>(cube().sum({0, 2}), {3}, {60.0f, 92.0f, 124.0f});
  testing::expect_tensor<float>(cube().sum({2, 0}, true), {1, 3, 1}, {60.0f, 92.0f, 124.0f});
  testing::expect_tensor<float>(matrix().sum({0, 1}), {}, {21.0f});
  testing::expect_tensor<float>(cube().sum({0, 1, 2}), {}, {276.0f});
}

TEST_P(Reduce, SumAcceptsNegativeDims) {
  testing::expect_tensor<float>(matrix().sum({-1}), {2}, {6.0f, 15.0f});
  testing::expect_tensor<float>(matrix().sum({-2}), {3}, {5.0f, 7.0f, 9.0f});
  testing::expect_tensor<float>(cube().sum({-1, 0}), {3}, {60.0f, 92.0f, 124.0f});
}

TEST_P(Reduce, SumOfIntegersAndBoolsIsInt64WithoutWrapping) {
  testing::expect_tensor<int64_t>(tensor({{1, 2}, {3, 4}}).sum({0}), {2}, {4, 6});
  testing::expect_tensor<int64_t>(tensor({200, 100, 255}, kUInt8).sum(), {}, {555});
  testing::expect_tensor<int64_t>(tensor({true, false, true, true}).sum(), {}, {3});
  testing::expect_tensor<double>(tensor({0.5, 0.25}, kFloat64).sum(), {}, {0.75});
}

TEST_P(Reduce, SumOfAZeroDimTensorIsItself) {
  testing::expect_tensor<float>(scalar_tensor(5.0).sum(), {}, {5.0f});
  testing::expect_tensor<float>(scalar_tensor(5.0).sum({0}), {}, {5.0f});
  testing::expect_tensor<float>(scalar_tensor(5.0).sum({-1}, true), {}, {5.0f});
}

// --- mean ----------------------------------------------------------------------------------------

TEST_P(Reduce, MeanOverAllAndChosenDims) {
  testing::expect_tensor<float>(matrix().mean(), {}, {3.5f});
  testing::expect_tensor<float>(matrix().mean({0}), {3}, {2.5f, 3.5f, 4.5f});
  testing::expect_tensor<float>(matrix().mean({1}, true), {2, 1}, {2.0f, 5.0f});
  testing::expect_tensor<float>(cube().mean({2}), {2, 3}, {1.5f, 5.5f, 9.5f, 13.5f, 17.5f, 21.5f});
  testing::expect_tensor<float>(cube().mean({0, -1}), {3}, {7.5f, 11.5f, 15.5f});
  testing::expect_tensor<double>(tensor({1.0, 2.0}, kFloat64).mean(), {}, {1.5});
}

TEST_P(Reduce, MeanOfIntegersThrows) {
  testing::expect_error([] { tensor({1, 2}).mean(); }, {"mean", "int64"});
}

// --- amax / amin / max() / min() -----------------------------------------------------------------

TEST_P(Reduce, AmaxAndAminOverChosenDims) {
  testing::expect_tensor<float>(matrix().amax({1}), {2}, {3.0f, 6.0f});
  testing::expect_tensor<float>(matrix().amin({0}), {3}, {1.0f, 2.0f, 3.0f});
  testing::expect_tensor<float>(matrix().amax({1}, true), {2, 1}, {3.0f, 6.0f});
  testing::expect_tensor<float>(matrix().amax({0, 1}), {}, {6.0f});
  testing::expect_tensor<float>(cube().amax({1}), {2, 4},
                                {8.0f, 9.0f, 10.0f, 11.0f, 20.0f, 21.0f, 22.0f, 23.0f});
  testing::expect_tensor<float>(amin(cube(), {0, -2}), {4}, {0.0f, 1.0f, 2.0f, 3.0f});
  testing::expect_tensor<int64_t>(tensor({{3, -8}, {5, 2}}).amin({1}), {2}, {-8, 2});
  testing::expect_tensor<uint8_t>(tensor({{3, 250}, {5, 2}}, kUInt8).amax({0}), {2}, {5, 250});
}

TEST_P(Reduce, MaxAndMinOfTheWholeTensor) {
  testing::expect_tensor<float>(matrix().max(), {}, {6.0f});
  testing::expect_tensor<float>(min(matrix()), {}, {1.0f});
  testing::expect_tensor<int64_t>(tensor({-3, 7, 2}).max(), {}, {7});
  testing::expect_tensor<float>(tensor({-1e30, -1e31}).max(), {}, {-1e30f});
}

TEST_P(Reduce, AmaxAndMaxPropagateNan) {
  Tensor x = tensor({{1.0, kNan, 3.0}, {4.0, 5.0, 6.0}});
  testing::expect_tensor<float>(x.amax({1}), {2}, {kNanF, 6.0f});
  testing::expect_tensor<float>(x.amin({1}), {2}, {kNanF, 4.0f});
  testing::expect_tensor<float>(x.amax({0}), {3}, {4.0f, kNanF, 6.0f});
  testing::expect_tensor<float>(x.max(), {}, {kNanF});
  testing::expect_tensor<float>(x.min(), {}, {kNanF});
  testing::expect_tensor<float>(x.sum({1}), {2}, {kNanF, 15.0f});
}

// --- non-contiguous inputs -----------------------------------------------------------------------

TEST_P(Reduce, TransposedInput) {
  Tensor xt = matrix().t();  // [[1, 4], [2, 5], [3, 6]]
  testing::expect_tensor<float>(xt.sum({1}), {3}, {5.0f, 7.0f, 9.0f});
  testing::expect_tensor<float>(xt.sum({0}), {2}, {6.0f, 15.0f});
  testing::expect_tensor<float>(xt.amax({0}), {2}, {3.0f, 6.0f});
  testing::expect_tensor<float>(xt.mean({1}, true), {3, 1}, {2.5f, 3.5f, 4.5f});
  testing::expect_tensor<float>(xt.sum(), {}, {21.0f});
  // Permuted 3-D: [k, i, j]; summing k gives 48 i + 16 j + 6.
  testing::expect_tensor<float>(cube().permute({2, 0, 1}).sum({0}), {2, 3},
                                {6.0f, 22.0f, 38.0f, 54.0f, 70.0f, 86.0f});
}

TEST_P(Reduce, SlicedInput) {
  Tensor s = matrix().slice(1, 0, 3, 2);  // [[1, 3], [4, 6]]
  testing::expect_tensor<float>(s.sum({1}), {2}, {4.0f, 10.0f});
  testing::expect_tensor<float>(s.sum({0}), {2}, {5.0f, 9.0f});
  testing::expect_tensor<float>(s.amin({1}), {2}, {1.0f, 4.0f});
  testing::expect_tensor<float>(s.sum(), {}, {14.0f});
  // Every other row and column of the cube's second block: 12 + {0, 2, 8, 10}.
  testing::expect_tensor<float>(cube()[1].slice(0, 0, 3, 2).slice(1, 0, 4, 2).sum({0, 1}), {},
                                {68.0f});
}

TEST_P(Reduce, InputWithAStorageOffset) {
  Tensor tail = cube().slice(0, 1, 2).slice(1, 1, 3);  // [[[16..19], [20..23]]], offset 16
  testing::expect_tensor<float>(tail.sum({2}), {1, 2}, {70.0f, 86.0f});
  testing::expect_tensor<float>(tail.amin({1}), {1, 4}, {16.0f, 17.0f, 18.0f, 19.0f});
  testing::expect_tensor<int64_t>(tail.argmax(1), {1, 4}, {1, 1, 1, 1});
  testing::expect_tensor<int64_t>(tail.argmin(), {}, {0});
  auto [values, indices] = with_ties().slice(0, 1, 2).max(1);
  testing::expect_tensor<float>(values, {1}, {9.0f});
  testing::expect_tensor<int64_t>(indices, {1}, {0});
}

TEST_P(Reduce, ExpandedInputCountsEveryRepeat) {
  Tensor e = tensor({1.0, 2.0, 3.0}).expand({4, 3});
  testing::expect_tensor<float>(e.sum({0}), {3}, {4.0f, 8.0f, 12.0f});
  testing::expect_tensor<float>(e.sum(), {}, {24.0f});
  testing::expect_tensor<float>(e.mean({0}), {3}, {1.0f, 2.0f, 3.0f});
}

// --- max(dim) / min(dim) -------------------------------------------------------------------------

TEST_P(Reduce, MaxAlongDimGivesValuesAndFirstIndices) {
  auto [values, indices] = with_ties().max(1);
  testing::expect_tensor<float>(values, {2}, {7.0f, 9.0f});
  testing::expect_tensor<int64_t>(indices, {2}, {1, 0});
  auto [values0, indices0] = max(with_ties(), 0);
  testing::expect_tensor<float>(values0, {3}, {9.0f, 7.0f, 9.0f});
  testing::expect_tensor<int64_t>(indices0, {3}, {1, 0, 1});
  auto [values_neg, indices_neg] = with_ties().max(-1);
  testing::expect_tensor<float>(values_neg, {2}, {7.0f, 9.0f});
  testing::expect_tensor<int64_t>(indices_neg, {2}, {1, 0});
}

TEST_P(Reduce, MinAlongDimGivesValuesAndFirstIndices) {
  auto [values, indices] = with_ties().min(0);
  testing::expect_tensor<float>(values, {3}, {3.0f, 1.0f, 7.0f});
  testing::expect_tensor<int64_t>(indices, {3}, {0, 1, 0});
  auto [values1, indices1] = min(with_ties(), 1);
  testing::expect_tensor<float>(values1, {2}, {3.0f, 1.0f});
  testing::expect_tensor<int64_t>(indices1, {2}, {0, 1});
}

TEST_P(Reduce, MaxAlongDimKeepsDimWhenAsked) {
  auto [values, indices] = with_ties().max(1, true);
  testing::expect_tensor<float>(values, {2, 1}, {7.0f, 9.0f});
  testing::expect_tensor<int64_t>(indices, {2, 1}, {1, 0});
  auto [cube_values, cube_indices] = cube().max(1);
  testing::expect_tensor<float>(cube_values, {2, 4},
                                {8.0f, 9.0f, 10.0f, 11.0f, 20.0f, 21.0f, 22.0f, 23.0f});
  testing::expect_tensor<int64_t>(cube_indices, {2, 4}, {2, 2, 2, 2, 2, 2, 2, 2});
}

TEST_P(Reduce, MaxAlongDimOfTransposedAndIntegerInputs) {
  auto [values, indices] = with_ties().t().max(1);  // rows [3, 9], [7, 1], [7, 9]
  testing::expect_tensor<float>(values, {3}, {9.0f, 7.0f, 9.0f});
  testing::expect_tensor<int64_t>(indices, {3}, {1, 0, 1});
  auto [int_values, int_indices] = tensor({{4, -2, 4}, {0, 8, -9}}).min(1);
  testing::expect_tensor<int64_t>(int_values, {2}, {-2, -9});
  testing::expect_tensor<int64_t>(int_indices, {2}, {1, 2});
}

TEST_P(Reduce, MaxAndMinAlongDimPickTheFirstNan) {
  Tensor x = tensor({{1.0, kNan, 3.0}, {kNan, kNan, 0.0}});
  auto [max_values, max_indices] = x.max(1);
  testing::expect_tensor<float>(max_values, {2}, {kNanF, kNanF});
  testing::expect_tensor<int64_t>(max_indices, {2}, {1, 0});
  auto [min_values, min_indices] = x.min(1);
  testing::expect_tensor<float>(min_values, {2}, {kNanF, kNanF});
  testing::expect_tensor<int64_t>(min_indices, {2}, {1, 0});
}

// --- argmax / argmin -----------------------------------------------------------------------------

TEST_P(Reduce, ArgmaxAndArgminOfTheFlattenedTensor) {
  Tensor a = tensor({{1.0, 5.0}, {5.0, 0.5}});
  testing::expect_tensor<int64_t>(a.argmax(), {}, {1});
  testing::expect_tensor<int64_t>(argmin(a), {}, {3});
  testing::expect_tensor<int64_t>(with_ties().t().argmax(), {}, {1});  // flattened [3, 9, 7, ...]
  testing::expect_tensor<int64_t>(tensor({3, -1, 3, -1}).argmin(), {}, {1});
}

TEST_P(Reduce, ArgmaxAndArgminAlongADim) {
  Tensor a = tensor({{1.0, 5.0}, {5.0, 0.5}});
  testing::expect_tensor<int64_t>(a.argmax(1), {2}, {1, 0});
  testing::expect_tensor<int64_t>(a.argmax(0), {2}, {1, 0});
  testing::expect_tensor<int64_t>(a.argmin(0), {2}, {0, 1});
  testing::expect_tensor<int64_t>(argmin(a, -1), {2}, {0, 1});
  testing::expect_tensor<int64_t>(a.argmax(1, true), {2, 1}, {1, 0});
  testing::expect_tensor<int64_t>(cube().argmin(2), {2, 3}, {0, 0, 0, 0, 0, 0});
  testing::expect_tensor<int64_t>(with_ties().t().argmin(1), {3}, {0, 1, 0});
}

TEST_P(Reduce, ArgmaxTiesReturnTheFirstIndex) {
  Tensor x = tensor({2.0, 7.0, 7.0, 1.0, 1.0});
  testing::expect_tensor<int64_t>(x.argmax(), {}, {1});
  testing::expect_tensor<int64_t>(x.argmin(), {}, {3});
  testing::expect_tensor<int64_t>(full({5}, 4.0).argmax(), {}, {0});
  testing::expect_tensor<int64_t>(with_ties().argmax(1), {2}, {1, 0});
}

TEST_P(Reduce, ArgmaxAndArgminTreatNanAsTheExtreme) {
  Tensor x = tensor({1.0, kNan, 3.0, kNan});
  testing::expect_tensor<int64_t>(x.argmax(), {}, {1});
  testing::expect_tensor<int64_t>(x.argmin(), {}, {1});
  const double inf = std::numeric_limits<double>::infinity();
  testing::expect_tensor<int64_t>(tensor({inf, kNan}).argmax(), {}, {1});
  testing::expect_tensor<int64_t>(tensor({-inf, 0.0}).argmax(), {}, {1});
}

TEST_P(Reduce, ArgmaxOfAZeroDimTensorIsZero) {
  testing::expect_tensor<int64_t>(scalar_tensor(3.0).argmax(), {}, {0});
  testing::expect_tensor<int64_t>(scalar_tensor(3.0).argmax(0), {}, {0});
}

// --- large inputs --------------------------------------------------------------------------------

TEST_P(Reduce, SumOfAMillionFloat32OnesIsExact) {
  Tensor x = ones({1000000});
  testing::expect_tensor<float>(x.sum(), {}, {1e6f});
  testing::expect_tensor<float>(x.mean(), {}, {1.0f});
  testing::expect_tensor<float>(x.reshape({1000, 1000}).sum({0}).amax({0}), {}, {1000.0f});
  testing::expect_tensor<float>(x.reshape({1000, 1000}).sum({1}).amin({0}), {}, {1000.0f});
}

TEST_P(Reduce, SumOverAStridedDimKeepsCountingPast2To24) {
  // A float32 running total stops growing at 2^24 = 16777216 (16777216 + 1 rounds back down), so
  // a sum must not add every element to one accumulator. Expanding a row costs no memory and makes
  // the reduced dim stride 0, the strided path.
  const int64_t n = 20000000;
  testing::expect_tensor<float>(ones({1, 2}).expand({n, 2}).sum({0}), {2}, {2e7f, 2e7f});
  testing::expect_tensor<float>(ones({1}).expand({n}).sum(), {}, {2e7f});
  testing::expect_tensor<float>(ones({1}).expand({n}).mean(), {}, {1.0f});
}

TEST_P(Reduce, SumOverDimZeroOfATallRandomMatrixIsAccurate) {
  manual_seed(8);
  const int64_t rows = 2000000;
  Tensor m = rand({rows, 2});
  std::vector<float> v = m.to_vector<float>();
  double col0 = 0, col1 = 0;
  for (int64_t i = 0; i < rows; ++i) col0 += v[2 * i], col1 += v[2 * i + 1];
  std::vector<float> got = m.sum({0}).to_vector<float>();
  EXPECT_NEAR(got[0], col0, 2e-6 * col0);
  EXPECT_NEAR(got[1], col1, 2e-6 * col1);
}

TEST_P(Reduce, LargeRandomMatrixMatchesADoubleLoop) {
  manual_seed(5);
  const int64_t rows = 2000, cols = 300;
  Tensor m = rand({rows, cols});
  std::vector<float> v = m.to_vector<float>();
  std::vector<double> col_sum(cols, 0.0), row_sum(rows, 0.0);
  std::vector<float> col_max(cols, -1.0f);
  std::vector<int64_t> row_argmax(rows, 0);
  double total = 0;
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) {
      const float x = v[i * cols + j];
      col_sum[j] += x;
      row_sum[i] += x;
      total += x;
      col_max[j] = std::max(col_max[j], x);
      if (x > v[i * cols + row_argmax[i]]) row_argmax[i] = j;
    }
  }
  std::vector<float> got0 = m.sum({0}).to_vector<float>();
  std::vector<float> got1 = m.sum({1}).to_vector<float>();
  std::vector<float> mean1 = m.mean({1}).to_vector<float>();
  ASSERT_EQ(static_cast<int64_t>(got0.size()), cols);
  ASSERT_EQ(static_cast<int64_t>(got1.size()), rows);
  for (int64_t j = 0; j < cols; ++j) ASSERT_NEAR(got0[j], col_sum[j], 1e-4 * col_sum[j]) << j;
  for (int64_t i = 0; i < rows; ++i) {
    ASSERT_NEAR(got1[i], row_sum[i], 1e-5 * row_sum[i]) << i;
    ASSERT_NEAR(mean1[i], row_sum[i] / cols, 1e-5) << i;
  }
  EXPECT_NEAR(m.sum().item<float>(), total, 1e-5 * total);
  EXPECT_NEAR(m.t().sum({1}).to_vector<float>()[7], col_sum[7], 1e-4 * col_sum[7]);
  testing::expect_tensor<float>(m.amax({0}), {cols}, col_max);
  testing::expect_tensor<int64_t>(m.argmax(1), {rows}, row_argmax);
}

// --- errors and empty tensors --------------------------------------------------------------------

TEST_P(Reduce, DuplicatedDimsThrow) {
  testing::expect_error([] { matrix().sum({0, 0}); }, {"sum", "more than once"});
  testing::expect_error([] { matrix().sum({1, -1}); }, {"sum", "more than once"});
  testing::expect_error([] { matrix().mean({0, -2}); }, {"mean", "more than once"});
  testing::expect_error([] { matrix().amax({1, 1}); }, {"amax", "more than once"});
}

TEST_P(Reduce, DimsOutOfRangeThrow) {
  testing::expect_error([] { matrix().sum({2}); }, {"sum", "out of range"});
  testing::expect_error([] { matrix().amin({-3}); }, {"amin", "out of range"});
  testing::expect_error([] { matrix().argmax(2); }, {"argmax", "out of range"});
  testing::expect_error([] { matrix().max(5); }, {"out of range"});
}

TEST_P(Reduce, SumOfAnEmptyTensorIsZero) {
  testing::expect_tensor<float>(zeros({0}).sum(), {}, {0.0f});
  testing::expect_tensor<int64_t>(zeros({0}, kInt64).sum(), {}, {0});
  testing::expect_tensor<float>(zeros({2, 0}).sum({1}), {2}, {0.0f, 0.0f});
  testing::expect_tensor<float>(zeros({0, 3}).sum({0}, true), {1, 3}, {0.0f, 0.0f, 0.0f});
  testing::expect_tensor<float>(zeros({0, 3}).sum({1}), {0}, {});
}

TEST_P(Reduce, MeanOfAnEmptyTensorIsNan) {
  testing::expect_tensor<float>(zeros({0}).mean(), {}, {kNanF});
  testing::expect_tensor<float>(zeros({0, 2}).mean({0}), {2}, {kNanF, kNanF});
}

TEST_P(Reduce, MaxAndArgmaxOfAnEmptyTensorThrow) {
  testing::expect_error([] { zeros({0}).max(); }, {"empty"});
  testing::expect_error([] { zeros({2, 0}).amax({1}); }, {"amax", "empty"});
  testing::expect_error([] { zeros({0}).argmax(); }, {"argmax", "empty"});
  testing::expect_error([] { zeros({2, 0}).max(1); }, {"size 0"});
  // Reducing the non-empty dim of an empty tensor is fine: there is nothing to reduce.
  testing::expect_tensor<float>(zeros({0, 3}).amax({1}), {0}, {});
}

TEST_P(Reduce, SumAndMeanInARequestedDtype) {
  const Tensor flags = tensor({true, true, false});
  testing::expect_tensor<int64_t>(flags.sum(kInt64), {}, {2});
  testing::expect_tensor<double>(flags.sum(kFloat64), {}, {2});
  const Tensor m = tensor({{1, 2}, {3, 4}});
  testing::expect_tensor<double>(m.mean(kFloat64), {}, {2.5});
  testing::expect_tensor<float>(m.mean({1}, true, kFloat32), {2, 1}, {1.5f, 3.5f});
  testing::expect_tensor<double>(sum(m, {0}, false, kFloat64), {2}, {4, 6});
  // A lone dim, as libtorch's IntArrayRef takes one: x.sum(1).
  testing::expect_tensor<int64_t>(m.sum(1), {2}, {3, 7});
  // The gradient flows back to the input's dtype.
  const Tensor x = tensor({1.0f, 2.0f}).requires_grad_();
  x.sum(kFloat64).backward();
  testing::expect_tensor<float>(x.grad(), {2}, {1, 1});
}

TEST_P(Reduce, Float32SumsStayAccurateAsTheyGrow) {
  // 0.1f is 0.100000001490116...; a million of them sum to 100000.0015. Eight running totals gave
  // 100060; PyTorch's cascade gives 100000.008.
  const double exact = 1e6 * static_cast<double>(0.1f);
  EXPECT_NEAR(full({1000000}, 0.1f).sum().item<double>(), exact, 0.1);
  EXPECT_NEAR(full({1000000}, 0.1f).mean().item<double>(), exact / 1e6, 1e-6);
  const Tensor rows = full({2, 1000000}, 0.1f).sum({1});
  EXPECT_NEAR(rows.select(0, 1).item<double>(), exact, 0.1);
  const Tensor columns = full({1000000, 3}, 0.1f).sum({0});
  EXPECT_NEAR(columns.select(0, 2).item<double>(), exact, 0.5);
  EXPECT_NEAR(full({3, 1000000}, 0.1f).t().sum({0}).select(0, 1).item<double>(), exact, 0.5);
  // Beyond 2^24 a single float32 running total stops growing.
  EXPECT_EQ(ones({20000000}).sum().item<double>(), 20000000.0);
}

TEST_P(Reduce, LongFloat32DotProductsStayAccurate) {
  // [1, 10^5] @ [10^5, 1] of 0.1s: 1000.665 with one running total, 1000.003 in PyTorch.
  const double exact = 1e5 * static_cast<double>(0.1f) * static_cast<double>(0.1f);
  const Tensor a = full({1, 100000}, 0.1f), b = full({100000, 1}, 0.1f);
  EXPECT_NEAR(a.matmul(b).item<double>(), exact, 0.01);
  EXPECT_NEAR(a.matmul(full({100000, 4}, 0.1f)).select(1, 3).item<double>(), exact, 0.01);
  EXPECT_NEAR(full({3, 100000}, 0.1f).matmul(full({100000}, 0.1f)).select(0, 2).item<double>(),
              exact, 0.01);
  // Strided operands take the same path.
  EXPECT_NEAR(full({100000, 1}, 0.1f).t().matmul(full({1, 100000}, 0.1f).t()).item<double>(), exact,
              0.01);
}

}  // namespace
}  // namespace nabla

// Matrix products (matmul, mm), indexing (index_select, gather, one_hot) and softmax/log_softmax.
#include "device_test.h"
#include "test_helpers.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace nabla {
namespace {

NABLA_DEVICE_SUITE(Matmul);
NABLA_DEVICE_SUITE(IndexSelect);
NABLA_DEVICE_SUITE(Gather);
NABLA_DEVICE_SUITE(Softmax);
NABLA_DEVICE_SUITE(OneHot);

// Row-major [m, k] @ [k, n], accumulated in double: the reference for larger products.
std::vector<double> reference_matmul(const std::vector<double>& a, const std::vector<double>& b,
                                     int64_t m, int64_t k, int64_t n) {
  std::vector<double> c(m * n, 0.0);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t p = 0; p < k; ++p) {
      for (int64_t j = 0; j < n; ++j) c[i * n + j] += a[i * k + p] * b[p * n + j];
    }
  }
  return c;
}

// Elements [offset, offset + count) of t, row-major, as doubles.
std::vector<double> values(const Tensor& t, int64_t offset = 0, int64_t count = -1) {
  std::vector<double> all = t.to_vector<double>();
  if (count < 0) count = static_cast<int64_t>(all.size()) - offset;
  return std::vector<double>(all.begin() + offset, all.begin() + offset + count);
}

template <typename T>
std::vector<T> cast(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

// --- matmul --------------------------------------------------------------------------------------

// a = [[1, 2, 3], [4, 5, 6]], b = [[7, 8], [9, 10], [11, 12]]; a @ b = [[58, 64], [139, 154]].
template <typename T>
void expect_two_by_three_products(ScalarType dtype) {
  SCOPED_TRACE(dtype_name(dtype));
  Tensor a = tensor({{1, 2, 3}, {4, 5, 6}}, dtype);
  Tensor b = tensor({{7, 8}, {9, 10}, {11, 12}}, dtype);
  testing::expect_tensor<T>(a.matmul(b), {2, 2}, {58, 64, 139, 154});
  testing::expect_tensor<T>(matmul(b, a), {3, 3}, {39, 54, 69, 49, 68, 87, 59, 82, 105});
  // The same operands stored transposed (column-major), as a.t() and b.t() views.
  Tensor a_cm = tensor({{1, 4}, {2, 5}, {3, 6}}, dtype).t();
  Tensor b_cm = tensor({{7, 9, 11}, {8, 10, 12}}, dtype).t();
  ASSERT_FALSE(a_cm.is_contiguous());
  testing::expect_tensor<T>(a_cm.matmul(b), {2, 2}, {58, 64, 139, 154});
  testing::expect_tensor<T>(a.matmul(b_cm), {2, 2}, {58, 64, 139, 154});
  testing::expect_tensor<T>(a_cm.mm(b_cm), {2, 2}, {58, 64, 139, 154});
  // b^T @ a^T = (a b)^T.
  testing::expect_tensor<T>(b_cm.t().matmul(a_cm.t()), {2, 2}, {58, 139, 64, 154});
}

TEST_P(Matmul, TwoDimByHandAndTransposedOperandsFloat32) {
  expect_two_by_three_products<float>(kFloat32);
}

TEST_P(Matmul, TwoDimByHandAndTransposedOperandsFloat64) {
  expect_two_by_three_products<double>(kFloat64);
}

TEST_P(Matmul, TwoDimByHandAndTransposedOperandsInt64) {
  expect_two_by_three_products<int64_t>(kInt64);
}

TEST_P(Matmul, VectorDotVectorIsZeroDim) {
  testing::expect_tensor<float>(tensor({1.0, 2.0, 3.0}).matmul(tensor({4.0, 5.0, 6.0})), {},
                                {32.0f});
  testing::expect_tensor<int64_t>(matmul(tensor({1, -2}), tensor({3, 4})), {}, {-5});
  testing::expect_tensor<double>(matmul(tensor({0.5}, kFloat64), tensor({0.25}, kFloat64)), {},
                                 {0.125});
}

TEST_P(Matmul, VectorTimesMatrixAndMatrixTimesVector) {
  Tensor a = tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  testing::expect_tensor<float>(tensor({1.0, 2.0}).matmul(a), {3}, {9.0f, 12.0f, 15.0f});
  testing::expect_tensor<float>(a.matmul(tensor({1.0, 0.0, -1.0})), {2}, {-2.0f, -2.0f});
  testing::expect_tensor<double>(
      tensor({1.0, 2.0}, kFloat64).matmul(tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}, kFloat64)),
      {3}, {9.0, 12.0, 15.0});
  testing::expect_tensor<int64_t>(tensor({{1, 2, 3}, {4, 5, 6}}).matmul(tensor({1, 0, -1})), {2},
                                  {-2, -2});
}

TEST_P(Matmul, SteppedVectorOperands) {
  Tensor v = arange(6, kFloat32).slice(0, 0, 6, 2);  // [0, 2, 4], stride 2
  Tensor b = tensor({{7.0, 8.0}, {9.0, 10.0}, {11.0, 12.0}});
  testing::expect_tensor<float>(v.matmul(b), {2}, {62.0f, 68.0f});
  Tensor a = tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  testing::expect_tensor<float>(a.matmul(v), {2}, {16.0f, 34.0f});
  testing::expect_tensor<float>(v.matmul(v), {}, {20.0f});
}

TEST_P(Matmul, BatchedThreeDim) {
  Tensor a = tensor({{{1.0, 2.0}, {3.0, 4.0}}, {{1.0, 0.0}, {0.0, 1.0}}});
  Tensor b = tensor({{{5.0, 6.0}, {7.0, 8.0}}, {{2.0, 3.0}, {4.0, 5.0}}});
  testing::expect_tensor<float>(a.matmul(b), {2, 2, 2},
                                {19.0f, 22.0f, 43.0f, 50.0f, 2.0f, 3.0f, 4.0f, 5.0f});
  testing::expect_tensor<int64_t>(matmul(a.to(kInt64), b.to(kInt64)), {2, 2, 2},
                                  {19, 22, 43, 50, 2, 3, 4, 5});
  // Transposing the matrix dims of a batch: a[0].t() = [[1, 3], [2, 4]].
  testing::expect_tensor<float>(a.transpose(1, 2).matmul(b), {2, 2, 2},
                                {26.0f, 30.0f, 38.0f, 44.0f, 2.0f, 3.0f, 4.0f, 5.0f});
}

TEST_P(Matmul, BatchTimesMatrixBroadcastsTheMatrix) {
  Tensor a = arange(24, kFloat32).reshape({2, 3, 4});
  Tensor w = arange(20, kFloat32).reshape({4, 5}) - 10;
  Tensor c = a.matmul(w);
  ASSERT_EQ(c.sizes(), Shape({2, 3, 5}));
  std::vector<double> expected = reference_matmul(values(a, 0, 12), values(w), 3, 4, 5);
  std::vector<double> second = reference_matmul(values(a, 12, 12), values(w), 3, 4, 5);
  expected.insert(expected.end(), second.begin(), second.end());
  testing::expect_tensor<float>(c, {2, 3, 5}, cast<float>(expected));
  // By hand: row [0, 1, 2, 3] of batch 0 with column [-10, -5, 0, 5] of w gives -5 + 15 = 10; row
  // [12, 13, 14, 15] of batch 1 with column [-6, -1, 4, 9] gives -72 - 13 + 56 + 135 = 106.
  EXPECT_EQ(c[0][0][0].item<float>(), 10.0f);
  EXPECT_EQ(c[1][0][4].item<float>(), 106.0f);
}

TEST_P(Matmul, BatchDimsBroadcastAgainstEachOther) {
  Tensor a = arange(12, kFloat32).reshape({1, 3, 4});
  Tensor b = arange(40, kFloat32).reshape({2, 4, 5}) * 0.5;
  Tensor c = a.matmul(b);
  std::vector<double> expected = reference_matmul(values(a), values(b, 0, 20), 3, 4, 5);
  std::vector<double> second = reference_matmul(values(a), values(b, 20, 20), 3, 4, 5);
  expected.insert(expected.end(), second.begin(), second.end());
  testing::expect_tensor<float>(c, {2, 3, 5}, cast<float>(expected));
  // [2, 1, 3, 4] @ [3, 4, 2] -> [2, 3, 3, 2].
  Tensor d = arange(24, kFloat64).reshape({2, 1, 3, 4});
  Tensor e = arange(24, kFloat64).reshape({3, 4, 2});
  Tensor f = d.matmul(e);
  ASSERT_EQ(f.sizes(), Shape({2, 3, 3, 2}));
  std::vector<double> want;
  for (int64_t i = 0; i < 2; ++i) {
    for (int64_t j = 0; j < 3; ++j) {
      std::vector<double> block =
          reference_matmul(values(d, i * 12, 12), values(e, j * 8, 8), 3, 4, 2);
      want.insert(want.end(), block.begin(), block.end());
    }
  }
  testing::expect_tensor<double>(f, {2, 3, 3, 2}, want);
}

TEST_P(Matmul, OperandsThatAreNeitherRowNorColumnMajor) {
  // Every other row and column: strides [16, 2] and [8, 2].
  Tensor a = arange(48, kFloat32).reshape({6, 8}).slice(0, 0, 6, 2).slice(1, 0, 8, 2);
  Tensor b = arange(32, kFloat32).reshape({8, 4}).slice(0, 0, 8, 2).slice(1, 1, 4, 2);
  // a = [[0, 2, 4, 6], [16, ...], [32, ...]], b = [[1, 3], [9, 11], [17, 19], [25, 27]].
  testing::expect_tensor<float>(a, {3, 4}, {0, 2, 4, 6, 16, 18, 20, 22, 32, 34, 36, 38});
  testing::expect_tensor<float>(a.matmul(b), {3, 2},
                                {236.0f, 260.0f, 1068.0f, 1220.0f, 1900.0f, 2180.0f});
  testing::expect_tensor<double>(a.to(kFloat64).matmul(b.to(kFloat64)), {3, 2},
                                 {236, 260, 1068, 1220, 1900, 2180});
  testing::expect_tensor<int64_t>(a.to(kInt64).matmul(b.to(kInt64)), {3, 2},
                                  {236, 260, 1068, 1220, 1900, 2180});
}

TEST_P(Matmul, OperandsWithAStorageOffset) {
  Tensor rows = arange(12, kFloat32).reshape({3, 4}).slice(0, 1, 3);  // [[4..7], [8..11]]
  Tensor b = arange(8, kFloat32).reshape({4, 2});                     // b[j][l] = 2 j + l
  testing::expect_tensor<float>(rows.matmul(b), {2, 2}, {76.0f, 98.0f, 124.0f, 162.0f});
  // Columns 1 and 2: [[1, 2], [5, 6], [9, 10]], offset 1; its transpose is column-major.
  Tensor cols = arange(12, kFloat32).reshape({3, 4}).slice(1, 1, 3);
  Tensor picks = tensor({{1.0, 0.0}, {0.0, 1.0}, {1.0, 1.0}});
  testing::expect_tensor<float>(cols.t().matmul(picks), {2, 2}, {10.0f, 14.0f, 12.0f, 16.0f});
  testing::expect_tensor<float>(cols.t().matmul(tensor({1.0, 1.0, 1.0})), {2}, {15.0f, 18.0f});
  testing::expect_tensor<double>(cols.to(kFloat64).t().matmul(picks.to(kFloat64)), {2, 2},
                                 {10.0, 14.0, 12.0, 16.0});
}

TEST_P(Matmul, LargeFloat32MatchesADoubleLoop) {
  manual_seed(11);
  const int64_t m = 64, k = 784, n = 128;
  Tensor a = rand({m, k}) - 0.5;
  Tensor b = rand({k, n}) - 0.5;
  std::vector<double> expected = reference_matmul(values(a), values(b), m, k, n);
  std::vector<float> got = a.matmul(b).to_vector<float>();
  // The same product from column-major storage of a and of b.
  std::vector<float> got_cm =
      a.t().contiguous().t().matmul(b.t().contiguous().t()).to_vector<float>();
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const double tolerance = 1e-3 * std::max(1.0, std::fabs(expected[i]));
    ASSERT_NEAR(got[i], expected[i], tolerance) << i;
    ASSERT_NEAR(got_cm[i], expected[i], tolerance) << i;
  }
}

TEST_P(Matmul, LargeBatchedFloat32MatchesADoubleLoop) {
  manual_seed(12);
  Tensor a = rand({6, 33, 70}) - 0.5;
  Tensor b = rand({70, 21}) - 0.5;
  std::vector<float> got = a.matmul(b).to_vector<float>();
  for (int64_t i = 0; i < 6; ++i) {
    std::vector<double> expected =
        reference_matmul(values(a, i * 33 * 70, 33 * 70), values(b), 33, 70, 21);
    for (size_t j = 0; j < expected.size(); ++j) {
      ASSERT_NEAR(got[i * 33 * 21 + j], expected[j], 1e-4) << i << "," << j;
    }
  }
}

TEST_P(Matmul, EmptyInnerDimGivesZeros) {
  testing::expect_tensor<float>(zeros({2, 0}).matmul(zeros({0, 3})), {2, 3}, {0, 0, 0, 0, 0, 0});
  testing::expect_tensor<float>(zeros({0, 4}).matmul(zeros({4, 3})), {0, 3}, {});
}

TEST_P(Matmul, MismatchedShapesAndDtypesThrow) {
  testing::expect_error(
      [] {
        zeros({2, 3}).matmul(zeros({2, 3}));
      },
      {"matmul", "[2, 3]", "cannot be multiplied"});
  testing::expect_error([] { zeros({3}).matmul(zeros({4})); }, {"matmul"});
  testing::expect_error(
      [] {
        zeros({2, 2}).matmul(zeros({2, 2}, kFloat64));
      },
      {"matmul", "float32", "float64"});
  testing::expect_error([] { scalar_tensor(1.0).matmul(zeros({1})); }, {"matmul"});
  testing::expect_error([] { zeros({2, 3, 4}).matmul(zeros({3, 4, 5})); }, {"matmul"});
  testing::expect_error([] { zeros({3}).mm(zeros({3, 2})); }, {"mm", "2-D"});
}

// --- index_select --------------------------------------------------------------------------------

// [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
Tensor three_by_three() {
  return tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}, {7.0, 8.0, 9.0}});
}

TEST_P(IndexSelect, AlongDimZeroPicksRows) {
  testing::expect_tensor<float>(three_by_three().index_select(0, tensor({2, 0})), {2, 3},
                                {7.0f, 8.0f, 9.0f, 1.0f, 2.0f, 3.0f});
  testing::expect_tensor<int64_t>(index_select(tensor({10, 20, 30}), 0, tensor({2, 0, 2})), {3},
                                  {30, 10, 30});
}

TEST_P(IndexSelect, AlongDimOnePicksColumns) {
  testing::expect_tensor<float>(three_by_three().index_select(1, tensor({2, 2, 0})), {3, 3},
                                {3.0f, 3.0f, 1.0f, 6.0f, 6.0f, 4.0f, 9.0f, 9.0f, 7.0f});
  testing::expect_tensor<float>(three_by_three().index_select(-1, tensor({0})), {3, 1},
                                {1.0f, 4.0f, 7.0f});
}

TEST_P(IndexSelect, RepeatedIndicesRepeatRows) {
  testing::expect_tensor<float>(three_by_three().index_select(0, tensor({1, 1, 1, 1})), {4, 3},
                                {4, 5, 6, 4, 5, 6, 4, 5, 6, 4, 5, 6});
}

TEST_P(IndexSelect, NonContiguousInputAndIndex) {
  Tensor xt = three_by_three().t();  // [[1, 4, 7], [2, 5, 8], [3, 6, 9]]
  testing::expect_tensor<float>(xt.index_select(0, tensor({1})), {1, 3}, {2.0f, 5.0f, 8.0f});
  testing::expect_tensor<float>(xt.index_select(1, tensor({0, 2})), {3, 2},
                                {1.0f, 7.0f, 2.0f, 8.0f, 3.0f, 9.0f});
  Tensor stepped = three_by_three().slice(1, 0, 3, 2);  // [[1, 3], [4, 6], [7, 9]]
  testing::expect_tensor<float>(stepped.index_select(0, tensor({2, 0})), {2, 2},
                                {7.0f, 9.0f, 1.0f, 3.0f});
  Tensor index = tensor({2, 9, 0, 9, 1}).slice(0, 0, 5, 2);  // [2, 0, 1], stride 2
  testing::expect_tensor<float>(three_by_three().index_select(0, index), {3, 3},
                                {7, 8, 9, 1, 2, 3, 4, 5, 6});
  testing::expect_tensor<float>(three_by_three().index_select(1, index), {3, 3},
                                {3, 1, 2, 6, 4, 5, 9, 7, 8});
}

TEST_P(IndexSelect, InputWithAStorageOffset) {
  Tensor tail = three_by_three().slice(0, 1, 3);  // [[4, 5, 6], [7, 8, 9]]
  testing::expect_tensor<float>(tail.index_select(0, tensor({1, 0})), {2, 3},
                                {7.0f, 8.0f, 9.0f, 4.0f, 5.0f, 6.0f});
  testing::expect_tensor<float>(tail.index_select(1, tensor({2})), {2, 1}, {6.0f, 9.0f});
  testing::expect_tensor<float>(tail.gather(1, tensor({{0}, {2}})), {2, 1}, {4.0f, 9.0f});
}

TEST_P(IndexSelect, LargeInputsMatchAScalarLoop) {
  const int64_t rows = 1000, cols = 64;
  Tensor x = arange(rows * cols, kFloat32).reshape({rows, cols});  // x[i][j] = 64 i + j
  std::vector<int64_t> reversed(rows);
  for (int64_t i = 0; i < rows; ++i) reversed[i] = (rows - 1 - i) * 7 % rows;
  std::vector<float> by_row = x.index_select(0, tensor(reversed)).to_vector<float>();
  std::vector<float> by_column =
      x.index_select(1, tensor(std::vector<int64_t>(3000, 5))).to_vector<float>();
  std::vector<int64_t> picks(rows * 8);
  for (int64_t i = 0; i < rows * 8; ++i) picks[i] = (i * 13) % cols;
  std::vector<float> gathered = x.gather(1, tensor(picks).reshape({rows, 8})).to_vector<float>();
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) {
      ASSERT_EQ(by_row[i * cols + j], static_cast<float>(reversed[i] * cols + j)) << i << "," << j;
    }
    for (int64_t j = 0; j < 3000; ++j) {
      ASSERT_EQ(by_column[i * 3000 + j], static_cast<float>(i * cols + 5)) << i << "," << j;
    }
    for (int64_t j = 0; j < 8; ++j) {
      ASSERT_EQ(gathered[i * 8 + j], static_cast<float>(i * cols + picks[i * 8 + j])) << i;
    }
  }
}

TEST_P(IndexSelect, EmptyIndexGivesAnEmptyDim) {
  testing::expect_tensor<float>(three_by_three().index_select(0, zeros({0}, kInt64)), {0, 3}, {});
}

TEST_P(IndexSelect, BadIndicesThrow) {
  testing::expect_error([] { three_by_three().index_select(0, tensor({3})); },
                        {"index_select", "out of range"});
  testing::expect_error([] { three_by_three().index_select(1, tensor({-1})); },
                        {"index_select", "out of range"});
  testing::expect_error([] { three_by_three().index_select(0, tensor({0.0})); },
                        {"index_select", "int64"});
  testing::expect_error([] { three_by_three().index_select(2, tensor({0})); }, {"index_select"});
}

// --- gather --------------------------------------------------------------------------------------

TEST_P(Gather, AlongDimOne) {
  Tensor t = tensor({{1.0, 2.0}, {3.0, 4.0}});
  testing::expect_tensor<float>(t.gather(1, tensor({{0, 0}, {1, 0}})), {2, 2},
                                {1.0f, 1.0f, 4.0f, 3.0f});
  testing::expect_tensor<float>(gather(t, 1, tensor({{1}, {0}})), {2, 1}, {2.0f, 3.0f});
  testing::expect_tensor<float>(t.gather(-1, tensor({{1, 1, 0}, {0, 1, 1}})), {2, 3},
                                {2.0f, 2.0f, 1.0f, 3.0f, 4.0f, 4.0f});
}

TEST_P(Gather, AlongDimZero) {
  Tensor t = tensor({{1.0, 2.0}, {3.0, 4.0}});
  testing::expect_tensor<float>(t.gather(0, tensor({{0, 1}, {1, 0}})), {2, 2},
                                {1.0f, 4.0f, 3.0f, 2.0f});
  testing::expect_tensor<float>(t.gather(0, tensor({{1, 1}})), {1, 2}, {3.0f, 4.0f});
}

TEST_P(Gather, ThreeDimAndNonContiguousInputs) {
  Tensor c = arange(8).reshape({2, 2, 2});  // c[i][j][k] = 4 i + 2 j + k
  testing::expect_tensor<int64_t>(c.gather(2, tensor({{{1}, {0}}, {{0}, {1}}})), {2, 2, 1},
                                  {1, 2, 4, 7});
  Tensor tt = tensor({{1.0, 2.0}, {3.0, 4.0}}).t();  // [[1, 3], [2, 4]]
  testing::expect_tensor<float>(tt.gather(1, tensor({{1, 0}, {0, 0}})), {2, 2},
                                {3.0f, 1.0f, 2.0f, 2.0f});
  Tensor index = tensor({{1, 0}, {1, 1}}).t();  // [[1, 1], [0, 1]], not contiguous
  testing::expect_tensor<float>(tt.gather(0, index), {2, 2}, {2.0f, 4.0f, 1.0f, 4.0f});
}

TEST_P(Gather, BadIndicesThrow) {
  Tensor t = tensor({{1.0, 2.0}, {3.0, 4.0}});
  testing::expect_error([&] { t.gather(1, tensor({{2}, {0}})); }, {"gather", "out of range"});
  testing::expect_error([&] { t.gather(1, tensor({0, 1})); }, {"gather", "dims"});
  testing::expect_error([&] { t.gather(0, tensor({{0, 0, 0}})); }, {"gather", "larger"});
  testing::expect_error([&] { t.gather(0, tensor({{0.0}})); }, {"gather", "int64"});
}

// --- softmax / log_softmax -----------------------------------------------------------------------

// softmax([1, 2, 3]) = e^x / (e + e^2 + e^3); logsumexp([1, 2, 3]) = 3.40760596.
TEST_P(Softmax, AlongTheLastDimByHand) {
  Tensor x = tensor({{1.0, 2.0, 3.0}, {1.0, 1.0, 1.0}});
  const std::vector<float> want = {0.09003057f, 0.24472847f, 0.66524096f,
                                   0.33333333f, 0.33333333f, 0.33333333f};
  testing::expect_tensor<float>(x.softmax(1), {2, 3}, want, 1e-7);
  testing::expect_tensor<float>(softmax(x, -1), {2, 3}, want, 1e-7);
  testing::expect_tensor<float>(
      x.log_softmax(1), {2, 3},
      {-2.40760596f, -1.40760596f, -0.40760596f, -1.09861229f, -1.09861229f, -1.09861229f}, 1e-6);
  testing::expect_tensor<double>(tensor({1.0, 2.0, 3.0}, kFloat64).softmax(0), {3},
                                 {0.09003057317038046, 0.24472847105479767, 0.6652409557748219},
                                 1e-15);
}

TEST_P(Softmax, AlongTheFirstDimByHand) {
  Tensor x = tensor({{1.0, 2.0, 3.0}, {1.0, 1.0, 1.0}});
  // Columns [1, 1], [2, 1], [3, 1]: softmax([d, 0]) = [1, e^-d] / (1 + e^-d).
  testing::expect_tensor<float>(
      x.softmax(0), {2, 3}, {0.5f, 0.73105858f, 0.88079708f, 0.5f, 0.26894142f, 0.11920292f}, 1e-7);
  testing::expect_tensor<float>(
      log_softmax(x, 0), {2, 3},
      {-0.69314718f, -0.31326169f, -0.12692801f, -0.69314718f, -1.31326169f, -2.12692801f}, 1e-6);
  // The same numbers from a transposed input along its last dim.
  testing::expect_tensor<float>(x.t().softmax(1), {3, 2},
                                {0.5f, 0.5f, 0.73105858f, 0.26894142f, 0.88079708f, 0.11920292f},
                                1e-7);
}

TEST_P(Softmax, AlongAMiddleDim) {
  // Pairs along dim 1 differ by 2: softmax([a, a + 2]) = [1, e^2] / (1 + e^2).
  Tensor y = arange(8, kFloat32).reshape({2, 2, 2});
  const float lo = 0.11920292f, hi = 0.88079708f;
  testing::expect_tensor<float>(y.softmax(1), {2, 2, 2}, {lo, lo, hi, hi, lo, lo, hi, hi}, 1e-7);
}

TEST_P(Softmax, SlicedInputWithAnOffset) {
  // Row 1 of [[0, 9, 1, 9, 2], [1, 9, 2, 9, 3]] at columns 0, 2, 4: [1, 2, 3].
  Tensor x = tensor({{0.0, 9.0, 1.0, 9.0, 2.0}, {1.0, 9.0, 2.0, 9.0, 3.0}});
  Tensor picked = x.slice(0, 1, 2).slice(1, 0, 5, 2);
  testing::expect_tensor<float>(picked.softmax(1), {1, 3}, {0.09003057f, 0.24472847f, 0.66524096f},
                                1e-7);
  testing::expect_tensor<float>(picked.log_softmax(-1), {1, 3},
                                {-2.40760596f, -1.40760596f, -0.40760596f}, 1e-6);
}

TEST_P(Softmax, LargeLogitsDoNotOverflow) {
  Tensor big = tensor({1000.0, 1001.0, 1002.0});
  testing::expect_tensor<float>(big.softmax(0), {3}, {0.09003057f, 0.24472847f, 0.66524096f}, 1e-7);
  testing::expect_tensor<float>(big.log_softmax(0), {3}, {-2.40760596f, -1.40760596f, -0.40760596f},
                                1e-4);
  Tensor spread = tensor({-1000.0, 0.0, 1000.0});
  testing::expect_tensor<float>(spread.softmax(0), {3}, {0.0f, 0.0f, 1.0f});
  testing::expect_tensor<float>(spread.log_softmax(0), {3}, {-2000.0f, -1000.0f, 0.0f});
  const double inf = std::numeric_limits<double>::infinity();
  testing::expect_tensor<float>(tensor({-inf, 0.0}).softmax(0), {2}, {0.0f, 1.0f});
}

TEST_P(Softmax, RowsSumToOneAndExpOfLogSoftmaxIsSoftmax) {
  manual_seed(3);
  Tensor x = randn({500, 130}) * 4;  // large enough to split rows across threads
  for (int64_t dim : {0, 1}) {
    Tensor s = x.softmax(dim);
    const int64_t other = 1 - dim;
    std::vector<float> sums = s.sum({dim}).to_vector<float>();
    ASSERT_EQ(static_cast<int64_t>(sums.size()), x.size(other));
    for (float total : sums) EXPECT_NEAR(total, 1.0f, 1e-5) << "dim " << dim;
    std::vector<float> from_log = x.log_softmax(dim).exp().to_vector<float>();
    std::vector<float> direct = s.to_vector<float>();
    for (size_t i = 0; i < direct.size(); ++i) {
      ASSERT_NEAR(from_log[i], direct[i], 1e-6) << "dim " << dim << ", element " << i;
      ASSERT_GE(direct[i], 0.0f);
    }
  }
}

TEST_P(Softmax, ZeroDimInputIsOne) {
  testing::expect_tensor<float>(scalar_tensor(3.0).softmax(0), {}, {1.0f});
  testing::expect_tensor<float>(scalar_tensor(3.0).log_softmax(-1), {}, {0.0f});
}

TEST_P(Softmax, IntegerInputThrows) {
  testing::expect_error([] { tensor({1, 2}).softmax(0); }, {"softmax", "int64"});
  testing::expect_error([] { tensor({1.0, 2.0}).log_softmax(1); }, {"log_softmax", "dim"});
}

// --- one_hot -------------------------------------------------------------------------------------

TEST_P(OneHot, ExplicitNumClasses) {
  testing::expect_tensor<int64_t>(one_hot(tensor({0, 2, 1}), 3), {3, 3},
                                  {1, 0, 0, 0, 0, 1, 0, 1, 0});
  testing::expect_tensor<int64_t>(one_hot(tensor({0}), 4), {1, 4}, {1, 0, 0, 0});
  testing::expect_tensor<int64_t>(one_hot(scalar_tensor(2, kInt64), 3), {3}, {0, 0, 1});
}

TEST_P(OneHot, InferredNumClassesIsMaxPlusOne) {
  testing::expect_tensor<int64_t>(one_hot(tensor({1, 3})), {2, 4}, {0, 1, 0, 0, 0, 0, 0, 1});
}

TEST_P(OneHot, TwoDimLabelsGainATrailingDim) {
  testing::expect_tensor<int64_t>(one_hot(tensor({{0, 1}, {2, 0}})), {2, 2, 3},
                                  {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0});
  testing::expect_tensor<int64_t>(one_hot(tensor({{0, 1}, {2, 0}}).t(), 3), {2, 2, 3},
                                  {1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0});
}

TEST_P(OneHot, EmptyLabelsWithNumClasses) {
  testing::expect_tensor<int64_t>(one_hot(zeros({0}, kInt64), 3), {0, 3}, {});
}

TEST_P(OneHot, BadLabelsThrow) {
  testing::expect_error([] { one_hot(tensor({0, 3}), 3); }, {"one_hot", "3"});
  testing::expect_error([] { one_hot(tensor({-1, 0})); }, {"one_hot", "non-negative"});
  testing::expect_error([] { one_hot(tensor({0.0, 1.0})); }, {"one_hot", "int64"});
  testing::expect_error([] { one_hot(zeros({0}, kInt64)); }, {"one_hot", "empty"});
}

}  // namespace
}  // namespace nabla

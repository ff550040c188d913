// View ops: shared storage, hand-computed shapes/strides/offsets, and ops on non-contiguous views.
#include <cmath>

#include "device_test.h"
#include "test_helpers.h"

namespace nabla {
namespace {

NABLA_DEVICE_SUITE(Views);

using testing::expect_tensor;

// [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
Tensor matrix() {
  return arange(12).reshape({3, 4});
}

// --- view and reshape
// -----------------------------------------------------------------------------

TEST_P(Views, ViewSharesStorageAndHasRowMajorStrides) {
  Tensor x = matrix();
  Tensor v = x.view({4, 3});
  EXPECT_TRUE(v.is_alias_of(x));
  EXPECT_EQ(v.strides(), Shape({3, 1}));
  expect_tensor<int64_t>(v, {4, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  v[3][2].fill_(100);  // element 11
  EXPECT_EQ(x[2][3].item<int64_t>(), 100);
}

TEST_P(Views, ViewInfersOneMinusOneDim) {
  Tensor x = matrix();
  EXPECT_EQ(x.view({-1, 6}).sizes(), Shape({2, 6}));
  EXPECT_EQ(x.view({2, -1, 2}).sizes(), Shape({2, 3, 2}));
  EXPECT_EQ(x.view({-1}).sizes(), Shape({12}));
  EXPECT_EQ(x.reshape({-1, 1}).strides(), Shape({1, 1}));
}

TEST_P(Views, ViewOfAZeroDimTensorAndBack) {
  Tensor s = scalar_tensor(5);
  Tensor one = s.view({1, 1});
  EXPECT_EQ(one.sizes(), Shape({1, 1}));
  EXPECT_TRUE(one.is_alias_of(s));
  EXPECT_EQ(one.view({}).dim(), 0);
  EXPECT_EQ(one.view({}).item<int64_t>(), 5);
}

TEST_P(Views, ReshapeOfAContiguousTensorIsAView) {
  Tensor x = matrix();
  Tensor r = x.reshape({2, 2, 3});
  EXPECT_TRUE(r.is_alias_of(x));
  EXPECT_EQ(r.strides(), Shape({6, 3, 1}));
  r[1][0][0].fill_(-6);  // element 6
  EXPECT_EQ(x[1][2].item<int64_t>(), -6);
}

TEST_P(Views, ReshapeOfATransposedTensorCopies) {
  Tensor x = matrix();
  Tensor r = x.t().reshape({12});
  EXPECT_FALSE(r.is_alias_of(x));
  expect_tensor<int64_t>(r, {12}, {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
  r.fill_(0);
  EXPECT_EQ(x[1][0].item<int64_t>(), 4);
}

TEST_P(Views, ViewOfATransposedTensorThrowsWhenDimsWouldMerge) {
  Tensor xt = matrix().t();
  EXPECT_THROW(xt.view({12}), Error);
  EXPECT_THROW(xt.view({3, 4}), Error);
}

TEST_P(Views, ViewOfATransposedTensorCanSplitADim) {
  Tensor x = matrix();
  // x.t() is [4, 3] with strides [1, 4]; its dim 0 (stride 1) splits into [2, 2] as [2, 1].
  Tensor v = x.t().view({2, 2, 3});
  EXPECT_TRUE(v.is_alias_of(x));
  EXPECT_EQ(v.strides(), Shape({2, 1, 4}));
  expect_tensor<int64_t>(v, {2, 2, 3}, {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
  EXPECT_EQ(x.t().view({4, 1, 3}).strides()[2], 4);
}

TEST_P(Views, ViewOfASliceKeepsTheOffset) {
  Tensor x = arange(12);
  Tensor v = x.slice(0, 4, 10).view({2, 3});
  EXPECT_TRUE(v.is_alias_of(x));
  EXPECT_EQ(v.storage_offset(), 4);
  expect_tensor<int64_t>(v, {2, 3}, {4, 5, 6, 7, 8, 9});
}

// --- flatten
// --------------------------------------------------------------------------------------

TEST_P(Views, FlattenMergesARangeOfDims) {
  Tensor t = arange(24).reshape({2, 3, 4});
  EXPECT_EQ(t.flatten().sizes(), Shape({24}));
  EXPECT_EQ(t.flatten(1).sizes(), Shape({2, 12}));
  EXPECT_EQ(t.flatten(0, 1).sizes(), Shape({6, 4}));
  EXPECT_EQ(t.flatten(-2, -1).sizes(), Shape({2, 12}));
  EXPECT_EQ(t.flatten(1, 1).sizes(), Shape({2, 3, 4}));
  EXPECT_TRUE(t.flatten(0, 1).is_alias_of(t));
  EXPECT_EQ(flatten(scalar_tensor(3)).sizes(), Shape({1}));
}

TEST_P(Views, FlattenOfAPermutedTensorCopiesInItsLogicalOrder) {
  Tensor t = arange(6).reshape({2, 3});
  Tensor f = t.t().flatten();
  EXPECT_FALSE(f.is_alias_of(t));
  expect_tensor<int64_t>(f, {6}, {0, 3, 1, 4, 2, 5});
}

// --- transpose and permute
// ------------------------------------------------------------------------

TEST_P(Views, TransposeSharesStorageAndSwapsStrides) {
  Tensor x = matrix();
  Tensor xt = x.transpose(0, 1);
  EXPECT_TRUE(xt.is_alias_of(x));
  EXPECT_EQ(xt.sizes(), Shape({4, 3}));
  EXPECT_EQ(xt.strides(), Shape({1, 4}));
  EXPECT_FALSE(xt.is_contiguous());
  expect_tensor<int64_t>(xt, {4, 3}, {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
  xt[3][0].fill_(50);  // x[0][3]
  EXPECT_EQ(x[0][3].item<int64_t>(), 50);
}

TEST_P(Views, TransposeTakesNegativeDims) {
  Tensor t = arange(24).reshape({2, 3, 4});
  Tensor u = t.transpose(-1, 0);
  EXPECT_EQ(u.sizes(), Shape({4, 3, 2}));
  EXPECT_EQ(u.strides(), Shape({1, 4, 12}));
  // u[i][j][k] = t[k][j][i] = 12k + 4j + i
  EXPECT_EQ(u[3][1][1].item<int64_t>(), 12 + 4 + 3);
}

TEST_P(Views, TIsTheMatrixTransposeAndLeavesVectorsAlone) {
  Tensor x = matrix();
  EXPECT_EQ(x.t().sizes(), Shape({4, 3}));
  Tensor v = arange(3);
  EXPECT_EQ(v.t().sizes(), Shape({3}));
  EXPECT_TRUE(v.t().is_alias_of(v));
  EXPECT_THROW(arange(8).reshape({2, 2, 2}).t(), Error);
}

TEST_P(Views, PermuteReordersSizesAndStrides) {
  Tensor t = arange(24).reshape({2, 3, 4});
  Tensor p = t.permute({2, 0, 1});
  EXPECT_TRUE(p.is_alias_of(t));
  EXPECT_EQ(p.sizes(), Shape({4, 2, 3}));
  EXPECT_EQ(p.strides(), Shape({1, 12, 4}));
  // p[i][j][k] = t[j][k][i] = 12j + 4k + i
  expect_tensor<int64_t>(p, {4, 2, 3}, {0, 4, 8,  12, 16, 20, 1, 5, 9,  13, 17, 21,
                                        2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23});
  EXPECT_EQ(t.permute({-1, 0, 1}).sizes(), Shape({4, 2, 3}));
  EXPECT_THROW(t.permute({0, 0, 1}), Error);
  EXPECT_THROW(t.permute({0, 1}), Error);
}

// --- slice, narrow, select
// ------------------------------------------------------------------------

TEST_P(Views, SliceWithAStepMultipliesTheStride) {
  Tensor a = arange(10);
  Tensor s = a.slice(0, 1, 8, 3);
  EXPECT_TRUE(s.is_alias_of(a));
  EXPECT_EQ(s.strides(), Shape({3}));
  EXPECT_EQ(s.storage_offset(), 1);
  expect_tensor<int64_t>(s, {3}, {1, 4, 7});
  expect_tensor<int64_t>(a.slice(0, 0, 10, 4), {3}, {0, 4, 8});
}

TEST_P(Views, SliceWrapsNegativeBoundsAndClampsToTheSize) {
  Tensor a = arange(10);
  expect_tensor<int64_t>(a.slice(0, -3, 100), {3}, {7, 8, 9});
  expect_tensor<int64_t>(a.slice(0, -100, 2), {2}, {0, 1});
  expect_tensor<int64_t>(a.slice(0, 2, -5), {3}, {2, 3, 4});
  expect_tensor<int64_t>(a.slice(0, 6, 3), {0}, {});
  expect_tensor<int64_t>(a.slice(0, 20, 30), {0}, {});
}

TEST_P(Views, SliceOfAnInnerDim) {
  Tensor x = matrix();
  Tensor s = x.slice(1, 1, 3);
  EXPECT_EQ(s.strides(), Shape({4, 1}));
  EXPECT_EQ(s.storage_offset(), 1);
  EXPECT_FALSE(s.is_contiguous());
  expect_tensor<int64_t>(s, {3, 2}, {1, 2, 5, 6, 9, 10});
  expect_tensor<int64_t>(x.slice(0, 0, 3, 2), {2, 4}, {0, 1, 2, 3, 8, 9, 10, 11});
  expect_tensor<int64_t>(x.slice(-1, 1, 4, 2), {3, 2}, {1, 3, 5, 7, 9, 11});
}

TEST_P(Views, WritingThroughASteppedSliceChangesTheBase) {
  Tensor a = arange(10);
  a.slice(0, 0, 10, 2).fill_(-1);
  expect_tensor<int64_t>(a, {10}, {-1, 1, -1, 3, -1, 5, -1, 7, -1, 9});
}

TEST_P(Views, NarrowIsASliceOfALength) {
  Tensor x = matrix();
  Tensor n = x.narrow(1, 1, 2);
  EXPECT_TRUE(n.is_alias_of(x));
  expect_tensor<int64_t>(n, {3, 2}, {1, 2, 5, 6, 9, 10});
  expect_tensor<int64_t>(x.narrow(0, -2, 2), {2, 4}, {4, 5, 6, 7, 8, 9, 10, 11});
  EXPECT_THROW(x.narrow(0, 2, 2), Error);
}

TEST_P(Views, SelectDropsADimAndTakesNegativeIndices) {
  Tensor x = matrix();
  Tensor col = x.select(1, -1);
  EXPECT_TRUE(col.is_alias_of(x));
  EXPECT_EQ(col.strides(), Shape({4}));
  EXPECT_EQ(col.storage_offset(), 3);
  expect_tensor<int64_t>(col, {3}, {3, 7, 11});
  expect_tensor<int64_t>(x.select(0, 2), {4}, {8, 9, 10, 11});
  expect_tensor<int64_t>(x.select(-2, -3), {4}, {0, 1, 2, 3});
  col.fill_(0);
  expect_tensor<int64_t>(x, {3, 4}, {0, 1, 2, 0, 4, 5, 6, 0, 8, 9, 10, 0});
}

// --- squeeze, unsqueeze, expand
// -------------------------------------------------------------------

TEST_P(Views, SqueezeDropsSizeOneDims) {
  Tensor t = arange(6).reshape({1, 2, 1, 3});
  Tensor s = t.squeeze();
  EXPECT_TRUE(s.is_alias_of(t));
  expect_tensor<int64_t>(s, {2, 3}, {0, 1, 2, 3, 4, 5});
  EXPECT_EQ(s.strides(), Shape({3, 1}));
  EXPECT_EQ(t.squeeze(0).sizes(), Shape({2, 1, 3}));
  EXPECT_EQ(t.squeeze(-2).sizes(), Shape({1, 2, 3}));
  // Squeezing a dim whose size is not 1 leaves the shape alone, as in PyTorch.
  EXPECT_EQ(t.squeeze(1).sizes(), Shape({1, 2, 1, 3}));
  EXPECT_EQ(ones({1, 1}).squeeze().dim(), 0);
}

TEST_P(Views, UnsqueezeInsertsASizeOneDim) {
  Tensor y = arange(6).reshape({2, 3});
  EXPECT_EQ(y.unsqueeze(0).sizes(), Shape({1, 2, 3}));
  Tensor mid = y.unsqueeze(1);
  EXPECT_TRUE(mid.is_alias_of(y));
  EXPECT_EQ(mid.sizes(), Shape({2, 1, 3}));
  EXPECT_EQ(mid.strides(), Shape({3, 3, 1}));
  EXPECT_TRUE(mid.is_contiguous());
  EXPECT_EQ(y.unsqueeze(-1).sizes(), Shape({2, 3, 1}));
  EXPECT_EQ(y.unsqueeze(-1).strides(), Shape({3, 1, 1}));
  EXPECT_EQ(y.unsqueeze(2).sizes(), Shape({2, 3, 1}));
  EXPECT_EQ(y.unsqueeze(-3).sizes(), Shape({1, 2, 3}));
  expect_tensor<int64_t>(y.unsqueeze(1), {2, 1, 3}, {0, 1, 2, 3, 4, 5});
  EXPECT_EQ(scalar_tensor(1.0).unsqueeze(0).sizes(), Shape({1}));
}

TEST_P(Views, ExpandRepeatsWithStrideZero) {
  Tensor c = tensor({{1}, {2}, {3}});
  Tensor e = c.expand({3, 4});
  EXPECT_TRUE(e.is_alias_of(c));
  EXPECT_EQ(e.strides(), Shape({1, 0}));
  expect_tensor<int64_t>(e, {3, 4}, {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3});
  c[1].fill_(9);  // one write shows in a whole expanded row
  expect_tensor<int64_t>(e[1], {4}, {9, 9, 9, 9});
}

TEST_P(Views, ExpandKeepsSizesGivenAsMinusOneAndAddsLeadingDims) {
  Tensor c = tensor({{1}, {2}, {3}});
  Tensor e = c.expand({2, -1, 4});
  EXPECT_EQ(e.sizes(), Shape({2, 3, 4}));
  EXPECT_EQ(e.strides(), Shape({0, 1, 0}));
  EXPECT_EQ(e[1][2][3].item<int64_t>(), 3);
  EXPECT_EQ(c.expand({-1, 4}).sizes(), Shape({3, 4}));
  EXPECT_EQ(tensor({5, 6}).expand_as(zeros({3, 2})).strides(), Shape({0, 1}));
  EXPECT_THROW(c.expand({3, 4}).expand({2, 4}), Error);
}

// --- contiguous
// -----------------------------------------------------------------------------------

TEST_P(Views, ContiguousOfAContiguousTensorIsTheSameTensor) {
  Tensor x = matrix();
  EXPECT_TRUE(x.contiguous().is_alias_of(x));
}

TEST_P(Views, ContiguousCopiesANonContiguousViewInRowMajorOrder) {
  Tensor x = matrix();
  Tensor c = x.t().contiguous();
  EXPECT_FALSE(c.is_alias_of(x));
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_EQ(c.strides(), Shape({3, 1}));
  EXPECT_EQ(c.to_vector<int64_t>(), (std::vector<int64_t>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
}

TEST_P(Views, ContiguousOfPermutedSlicedAndExpandedViews) {
  Tensor t = arange(24).reshape({2, 3, 4});
  expect_tensor<int64_t>(
      t.permute({1, 2, 0}).contiguous(), {3, 4, 2},
      {0, 12, 1, 13, 2, 14, 3, 15, 4, 16, 5, 17, 6, 18, 7, 19, 8, 20, 9, 21, 10, 22, 11, 23});
  expect_tensor<int64_t>(t.slice(2, 0, 4, 3).contiguous(), {2, 3, 2},
                         {0, 3, 4, 7, 8, 11, 12, 15, 16, 19, 20, 23});
  Tensor e = tensor({7, 8}).expand({3, 2}).contiguous();
  EXPECT_EQ(e.strides(), Shape({2, 1}));
  expect_tensor<int64_t>(e, {3, 2}, {7, 8, 7, 8, 7, 8});
}

TEST_P(Views, ContiguousOfALargeTransposeSplitAcrossThreads) {
  // 60000 elements: above the size at which kernels run on several threads.
  const int64_t rows = 300, cols = 200;
  Tensor a = arange(rows * cols, kFloat32).reshape({rows, cols});
  std::vector<float> got = a.t().contiguous().to_vector<float>();
  ASSERT_EQ(got.size(), static_cast<size_t>(rows * cols));
  int64_t wrong = 0;
  for (int64_t j = 0; j < cols; ++j) {
    for (int64_t i = 0; i < rows; ++i)
      wrong += got[j * rows + i] != static_cast<float>(i * cols + j);
  }
  EXPECT_EQ(wrong, 0);
}

// --- ops and copies on non-contiguous inputs
// ------------------------------------------------------

TEST_P(Views, AddReadsATransposedOperand) {
  Tensor x = matrix();
  expect_tensor<int64_t>(x.t() + arange(12).reshape({4, 3}), {4, 3},
                         {0, 5, 10, 4, 9, 14, 8, 13, 18, 12, 17, 22});
}

TEST_P(Views, ExpReadsASteppedSlice) {
  Tensor f = tensor({0.0, 1.0, 2.0, 3.0, 4.0});
  expect_tensor<float>(f.slice(0, 0, 5, 2).exp(), {3},
                       {1.0f, static_cast<float>(std::exp(2.0)), static_cast<float>(std::exp(4.0))},
                       1e-4);
}

TEST_P(Views, BinaryOpsReadExpandedOperands) {
  Tensor c = tensor({{1}, {2}, {3}});
  expect_tensor<int64_t>(c.expand({3, 4}) * tensor({1, 10, 100, 1000}), {3, 4},
                         {1, 10, 100, 1000, 2, 20, 200, 2000, 3, 30, 300, 3000});
  expect_tensor<int64_t>(tensor({{1}, {2}}).expand({2, 3}) + tensor({10, 20, 30}).expand({2, 3}),
                         {2, 3}, {11, 21, 31, 12, 22, 32});
}

TEST_P(Views, ReductionsReadTransposedInputs) {
  Tensor x = matrix();
  expect_tensor<int64_t>(x.t().sum({1}), {4}, {12, 15, 18, 21});
  expect_tensor<int64_t>(x.t().sum({0}), {3}, {6, 22, 38});
}

TEST_P(Views, InPlaceOpsThroughAViewUpdateTheBase) {
  Tensor x = matrix();
  Tensor row = x[1];
  row += tensor({10, 20, 30, 40});
  Tensor col = x.select(1, 0);
  col.mul_(tensor({-1, -1, -1}));
  expect_tensor<int64_t>(x, {3, 4}, {0, 1, 2, 3, -14, 25, 36, 47, -8, 9, 10, 11});
}

TEST_P(Views, CopyIntoAViewWritesOnlyThoseElements) {
  Tensor x = zeros({2, 3}, kInt64);
  x.select(1, 2).copy_(tensor({5, 6}));
  x[0].slice(0, 0, 2).copy_(tensor({1.9, 2.9}));  // converted to int64
  expect_tensor<int64_t>(x, {2, 3}, {1, 2, 5, 0, 0, 6});
}

TEST_P(Views, CopyBetweenOverlappingViewsReadsTheSourceFirst) {
  Tensor a = arange(5);
  a.slice(0, 1, 5).copy_(a.slice(0, 0, 4));
  expect_tensor<int64_t>(a, {5}, {0, 0, 1, 2, 3});
  Tensor m = tensor({{1, 2}, {3, 4}});
  m.copy_(m.t());
  expect_tensor<int64_t>(m, {2, 2}, {1, 3, 2, 4});
}

TEST_P(Views, InPlaceAddOfAnOverlappingViewReadsItFirst) {
  Tensor m = tensor({{1, 2}, {3, 4}});
  m += m.t();
  expect_tensor<int64_t>(m, {2, 2}, {2, 5, 5, 8});
}

}  // namespace
}  // namespace nabla

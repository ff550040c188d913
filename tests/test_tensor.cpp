// The core Tensor: factories, literals and dtypes, from_blob, clone, to(dtype), access, printing.
#include <cmath>
#include <sstream>

#include <nabla/core/math/philox.h>

#include "test_helpers.h"

namespace nabla {
namespace {

using testing::expect_tensor;

// --- factories
// ------------------------------------------------------------------------------------

TEST(Factories, ZerosAndOnesDefaultToFloat32) {
  expect_tensor<float>(zeros({2, 3}), {2, 3}, {0, 0, 0, 0, 0, 0});
  expect_tensor<float>(ones({3}), {3}, {1, 1, 1});
  expect_tensor<int64_t>(zeros({2}, kInt64), {2}, {0, 0});
  expect_tensor<double>(ones({2, 1}, kFloat64), {2, 1}, {1.0, 1.0});
  expect_tensor<bool>(ones({2}, kBool), {2}, {true, true});
}

TEST(Factories, ZeroDimAndZeroSizeShapes) {
  Tensor scalar = zeros({});
  EXPECT_EQ(scalar.dim(), 0);
  EXPECT_EQ(scalar.numel(), 1);
  Tensor nothing = ones({2, 0, 3});
  EXPECT_EQ(nothing.sizes(), Shape({2, 0, 3}));
  EXPECT_EQ(nothing.numel(), 0);
  EXPECT_TRUE(nothing.to_vector<float>().empty());
}

TEST(Factories, FullInfersTheDtypeFromTheValue) {
  expect_tensor<float>(full({2, 2}, 2.5), {2, 2}, {2.5f, 2.5f, 2.5f, 2.5f});
  expect_tensor<int64_t>(full({3}, 7), {3}, {7, 7, 7});
  expect_tensor<bool>(full({2}, true), {2}, {true, true});
}

TEST(Factories, FullWithAnExplicitDtypeConvertsTheValue) {
  expect_tensor<double>(full({2}, 7, kFloat64), {2}, {7.0, 7.0});
  expect_tensor<int64_t>(full({2}, 2.9, kInt64), {2}, {2, 2});
}

TEST(Factories, EmptyHasTheShapeDtypeAndRowMajorStrides) {
  Tensor t = empty({2, 3, 4});
  EXPECT_EQ(t.sizes(), Shape({2, 3, 4}));
  EXPECT_EQ(t.strides(), Shape({12, 4, 1}));
  EXPECT_EQ(t.dtype(), kFloat32);
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_EQ(t.storage_offset(), 0);
  EXPECT_EQ(empty({5}, kUInt8).dtype(), kUInt8);
  EXPECT_EQ(empty({5}, kUInt8).element_size(), 1u);
}

TEST(Factories, ArangeOfIntegersIsInt64) {
  expect_tensor<int64_t>(arange(5), {5}, {0, 1, 2, 3, 4});
  expect_tensor<int64_t>(arange(1, 7, 2), {3}, {1, 3, 5});
  expect_tensor<int64_t>(arange(0, 10, 3), {4}, {0, 3, 6, 9});
}

TEST(Factories, ArangeWithAFloatingBoundIsFloat32) {
  expect_tensor<float>(arange(0.0, 1.0, 0.25), {4}, {0.0f, 0.25f, 0.5f, 0.75f});
  expect_tensor<float>(arange(2.5), {3}, {0.0f, 1.0f, 2.0f});
  expect_tensor<double>(arange(3, kFloat64), {3}, {0.0, 1.0, 2.0});
}

TEST(Factories, ArangeCountsDownWithANegativeStep) {
  expect_tensor<int64_t>(arange(5, 0, -2), {3}, {5, 3, 1});
  expect_tensor<float>(arange(1.0, -0.5, -0.5), {3}, {1.0f, 0.5f, 0.0f});
  expect_tensor<int64_t>(arange(3, 3), {0}, {});
}

TEST(Factories, RandIsReproducibleUnderManualSeed) {
  manual_seed(42);
  std::vector<float> first = rand({100}).to_vector<float>();
  std::vector<float> second_call = rand({100}).to_vector<float>();
  manual_seed(42);
  std::vector<float> again = rand({100}).to_vector<float>();
  manual_seed(43);
  std::vector<float> other_seed = rand({100}).to_vector<float>();

  EXPECT_EQ(first, again);
  int differing_seed = 0, differing_call = 0;
  for (size_t i = 0; i < first.size(); ++i) {
    differing_seed += first[i] != other_seed[i];
    differing_call += first[i] != second_call[i];
  }
  EXPECT_GT(differing_seed, 95);
  EXPECT_GT(differing_call, 95);
}

TEST(Factories, RandnIsReproducibleUnderManualSeed) {
  manual_seed(7);
  std::vector<double> first = randn({64}, kFloat64).to_vector<double>();
  manual_seed(7);
  std::vector<double> again = randn({64}, kFloat64).to_vector<double>();
  manual_seed(8);
  std::vector<double> other = randn({64}, kFloat64).to_vector<double>();
  EXPECT_EQ(first, again);
  EXPECT_NE(first, other);
}

// The CPU fills whole Philox blocks at a time; every element, the partial last block included,
// must still be the shared functor's draw for (seed, call, index), which the CUDA backend uses.
TEST(Factories, RandAndRandnAreTheSharedFunctorsDrawsElementByElement) {
  for (int64_t n : {1, 2, 3, 5, 7, 9, 1001, 200003}) {  // the last split across threads
    manual_seed(11);
    const std::vector<float> u32 = rand({n}).to_vector<float>();
    const std::vector<double> u64 = rand({n}, kFloat64).to_vector<double>();
    const std::vector<float> n32 = randn({n}).to_vector<float>();
    const std::vector<double> n64 = randn({n}, kFloat64).to_vector<double>();
    for (int64_t i = 0; i < n; ++i) {
      const auto k = static_cast<uint64_t>(i);
      ASSERT_EQ(u32[i], math::random_uniform<float>(11, 0, k, 0.0f, 1.0f)) << n << " " << i;
      ASSERT_EQ(u64[i], math::random_uniform<double>(11, 1, k, 0.0, 1.0)) << n << " " << i;
      ASSERT_EQ(n32[i], math::random_normal<float>(11, 2, k, 0.0f, 1.0f)) << n << " " << i;
      ASSERT_EQ(n64[i], math::random_normal<double>(11, 3, k, 0.0, 1.0)) << n << " " << i;
    }
  }
}

TEST(Factories, RandIsUniformInTheHalfOpenUnitInterval) {
  manual_seed(1);
  for (ScalarType dtype : {kFloat32, kFloat64}) {
    Tensor t = rand({100000}, dtype);
    EXPECT_EQ(t.dtype(), dtype);
    std::vector<double> v = t.to_vector<double>();
    double lo = 1, hi = 0, total = 0;
    for (double x : v) {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
      total += x;
    }
    EXPECT_GE(lo, 0.0);
    EXPECT_LT(hi, 1.0);
    EXPECT_LT(lo, 0.001);
    EXPECT_GT(hi, 0.999);
    EXPECT_NEAR(total / v.size(), 0.5, 0.01);
  }
}

TEST(Factories, RandnHasMeanZeroAndStdOne) {
  manual_seed(2);
  for (ScalarType dtype : {kFloat32, kFloat64}) {
    std::vector<double> v = randn({100000}, dtype).to_vector<double>();
    double total = 0, squares = 0;
    for (double x : v) total += x;
    const double mean = total / v.size();
    for (double x : v) squares += (x - mean) * (x - mean);
    EXPECT_NEAR(mean, 0.0, 0.02);
    EXPECT_NEAR(std::sqrt(squares / (v.size() - 1)), 1.0, 0.02);
  }
}

TEST(Factories, LikeFactoriesCopyShapeAndDtype) {
  Tensor x = tensor({{1, 2, 3}, {4, 5, 6}});
  expect_tensor<int64_t>(zeros_like(x), {2, 3}, {0, 0, 0, 0, 0, 0});
  expect_tensor<int64_t>(ones_like(x), {2, 3}, {1, 1, 1, 1, 1, 1});
  expect_tensor<int64_t>(full_like(x, 4), {2, 3}, {4, 4, 4, 4, 4, 4});
  EXPECT_EQ(empty_like(x).sizes(), Shape({2, 3}));
  EXPECT_EQ(rand_like(zeros({3}, kFloat64)).dtype(), kFloat64);
}

// --- literals
// -------------------------------------------------------------------------------------

TEST(Literals, OneDimensionalList) {
  expect_tensor<float>(tensor({1.5, -2.0, 3.25}), {3}, {1.5f, -2.0f, 3.25f});
}

TEST(Literals, NestedListsGiveTwoAndThreeDims) {
  expect_tensor<int64_t>(tensor({{1, 2, 3}, {4, 5, 6}}), {2, 3}, {1, 2, 3, 4, 5, 6});
  expect_tensor<int64_t>(tensor({{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}), {2, 2, 2},
                         {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor t = tensor({{{1.0}, {2.0}, {3.0}}});
  expect_tensor<float>(t, {1, 3, 1}, {1.0f, 2.0f, 3.0f});
  EXPECT_EQ(t.strides(), Shape({3, 1, 1}));
}

TEST(Literals, FloatingListIsFloat32AsInPyTorch) {
  EXPECT_EQ(tensor({1.5}).dtype(), kFloat32);
  EXPECT_EQ(tensor({{1.5, 2.5}}).dtype(), kFloat32);
  EXPECT_EQ(tensor({1.5f}).dtype(), kFloat32);
}

TEST(Literals, IntegerListIsInt64AndBoolListIsBool) {
  EXPECT_EQ(tensor({1, 2}).dtype(), kInt64);
  EXPECT_EQ(tensor({int64_t{1}}).dtype(), kInt64);
  expect_tensor<bool>(tensor({true, false}), {2}, {true, false});
  expect_tensor<uint8_t>(tensor({uint8_t{3}, uint8_t{250}}), {2}, {3, 250});
}

TEST(Literals, OptionsOverrideTheDtype) {
  expect_tensor<double>(tensor({1, 2}, kFloat64), {2}, {1.0, 2.0});
  expect_tensor<int64_t>(tensor({1.9, -1.9}, kInt64), {2}, {1, -1});
}

TEST(Literals, VectorsKeepTheirElementType) {
  expect_tensor<float>(tensor(std::vector<float>{0.5f, 1.5f}), {2}, {0.5f, 1.5f});
  // Unlike a list of literals, a vector<double> is float64: its values are kept exactly.
  expect_tensor<double>(tensor(std::vector<double>{0.1, 0.2}), {2}, {0.1, 0.2});
  expect_tensor<int64_t>(tensor(std::vector<int64_t>{-3, 4000000000}), {2}, {-3, 4000000000});
  expect_tensor<float>(tensor(std::vector<double>{0.5}, kFloat32), {1}, {0.5f});
  EXPECT_EQ(tensor(std::vector<float>{}).sizes(), Shape({0}));
}

TEST(Literals, ScalarTensorIsZeroDim) {
  Tensor t = scalar_tensor(2.5);
  EXPECT_EQ(t.dim(), 0);
  EXPECT_EQ(t.dtype(), kFloat32);
  EXPECT_EQ(t.item<float>(), 2.5f);
  EXPECT_EQ(scalar_tensor(3).dtype(), kFloat32);  // the default dtype, as in PyTorch
  EXPECT_EQ(scalar_tensor(true).dtype(), kFloat32);
  EXPECT_EQ(scalar_tensor(3, kInt64).dtype(), kInt64);
}

// --- from_blob
// ------------------------------------------------------------------------------------

TEST(FromBlob, SharesTheCallersMemoryWithoutCopying) {
  float buffer[6] = {1, 2, 3, 4, 5, 6};
  Tensor t = from_blob(buffer, {2, 3});
  EXPECT_EQ(t.dtype(), kFloat32);
  EXPECT_EQ(t.data_ptr<float>(), buffer);
  expect_tensor<float>(t, {2, 3}, {1, 2, 3, 4, 5, 6});

  buffer[4] = 50;  // the caller's writes show through...
  EXPECT_EQ(t[1][1].item<float>(), 50.0f);
  t.select(0, 0).fill_(-1);  // ...and the tensor's writes land in the buffer
  EXPECT_EQ(buffer[0], -1.0f);
  EXPECT_EQ(buffer[2], -1.0f);
  EXPECT_EQ(buffer[3], 4.0f);
}

TEST(FromBlob, TakesADtypeAndStrides) {
  int64_t buffer[6] = {0, 1, 2, 3, 4, 5};
  // A column-major 3 x 2 view: element (i, j) is buffer[i + 3 * j].
  Tensor t = from_blob(buffer, {3, 2}, Strides{1, 3}, kInt64);
  expect_tensor<int64_t>(t, {3, 2}, {0, 3, 1, 4, 2, 5});
  EXPECT_FALSE(t.is_contiguous());
}

TEST(FromBlob, DeleterRunsWhenTheLastViewDies) {
  float buffer[4] = {1, 2, 3, 4};
  int deleted = 0;
  void* deleted_pointer = nullptr;
  Tensor t = from_blob(buffer, {4}, [&](void* p) {
    ++deleted;
    deleted_pointer = p;
  });
  Tensor view = t.slice(0, 1, 3);
  t = Tensor();
  EXPECT_EQ(deleted, 0) << "a view still holds the memory";
  EXPECT_EQ(view.to_vector<float>(), (std::vector<float>{2, 3}));
  view = Tensor();
  EXPECT_EQ(deleted, 1);
  EXPECT_EQ(deleted_pointer, buffer);
}

// --- copies and conversion
// ------------------------------------------------------------------------

TEST(Clone, IsADeepCopy) {
  Tensor x = tensor({1.0, 2.0, 3.0});
  Tensor c = x.clone();
  EXPECT_FALSE(c.is_alias_of(x));
  EXPECT_NE(c.data_ptr(), x.data_ptr());
  c.fill_(0);
  expect_tensor<float>(x, {3}, {1, 2, 3});
  expect_tensor<float>(c, {3}, {0, 0, 0});
}

TEST(Clone, OfANonContiguousViewCopiesItsElementsInRowMajorOrder) {
  Tensor x = tensor({{1, 2}, {3, 4}});
  Tensor c = x.t().clone();
  expect_tensor<int64_t>(c, {2, 2}, {1, 3, 2, 4});
  EXPECT_FALSE(c.is_alias_of(x));
}

TEST(Conversion, ToTheSameDtypeReturnsTheSameTensor) {
  Tensor x = tensor({1.0, 2.0});
  EXPECT_TRUE(x.to(kFloat32).is_alias_of(x));
  EXPECT_TRUE(x.to(Device(kCPU)).is_alias_of(x));
  EXPECT_TRUE(x.cpu().is_alias_of(x));
  EXPECT_FALSE(x.to(kFloat64).is_alias_of(x));
}

TEST(Conversion, FloatToIntegerTruncatesTowardZero) {
  expect_tensor<int64_t>(tensor({-1.7, -0.5, 0.5, 2.9}).to(kInt64), {4}, {-1, 0, 0, 2});
}

TEST(Conversion, FloatToBoolIsTrueForNonZero) {
  expect_tensor<bool>(tensor({0.0, -0.5, 2.0, -0.0}).to(kBool), {4}, {false, true, true, false});
  expect_tensor<bool>(tensor({0, 3}).to(kBool), {2}, {false, true});
}

TEST(Conversion, BoolToNumbersIsZeroOrOne) {
  expect_tensor<float>(tensor({true, false}).to(kFloat32), {2}, {1.0f, 0.0f});
  expect_tensor<int64_t>(tensor({true, false}).to(kInt64), {2}, {1, 0});
}

TEST(Conversion, Int64ToUint8WrapsModulo256) {
  expect_tensor<uint8_t>(tensor({257, -1, 255, 512}).to(kUInt8), {4}, {1, 255, 255, 0});
}

TEST(Conversion, Uint8ToInt64IsNotSignExtended) {
  expect_tensor<int64_t>(tensor({uint8_t{200}, uint8_t{7}}).to(kInt64), {2}, {200, 7});
}

TEST(Conversion, Float32ToFloat64IsExact) {
  expect_tensor<double>(tensor({0.1}).to(kFloat64), {1}, {static_cast<double>(0.1f)});
  expect_tensor<float>(tensor(std::vector<double>{0.1}).to(kFloat32), {1}, {0.1f});
}

TEST(Conversion, OfANonContiguousView) {
  Tensor x = tensor({{1.5, 2.5}, {3.5, 4.5}});
  expect_tensor<int64_t>(x.t().to(kInt64), {2, 2}, {1, 3, 2, 4});
}

// --- element access
// -------------------------------------------------------------------------------

TEST(ElementAccess, ItemConvertsTheSingleElement) {
  Tensor t = tensor({2.75});
  EXPECT_EQ(t.item<float>(), 2.75f);
  EXPECT_EQ(t.item<double>(), 2.75);
  EXPECT_EQ(t.item<int64_t>(), 2);
  EXPECT_TRUE(t.item<bool>());
  EXPECT_EQ(tensor({{{9}}}).item<int64_t>(), 9);
  EXPECT_EQ(tensor({uint8_t{250}}).item<uint8_t>(), 250);
}

TEST(ElementAccess, ItemAsScalarKeepsTheCategory) {
  Scalar f = scalar_tensor(2.5).item();
  EXPECT_EQ(f.kind(), kFloat64);
  EXPECT_EQ(f.to<double>(), 2.5);
  Scalar i = scalar_tensor(-4, kInt64).item();
  EXPECT_EQ(i.kind(), kInt64);
  EXPECT_EQ(i.to<int64_t>(), -4);
  Scalar u = tensor({uint8_t{200}}).item();
  EXPECT_EQ(u.kind(), kInt64);
  EXPECT_EQ(u.to<int64_t>(), 200);
  Scalar b = scalar_tensor(true, kBool).item();
  EXPECT_EQ(b.kind(), kBool);
  EXPECT_TRUE(b.to<bool>());
}

TEST(ElementAccess, ToVectorIsRowMajorAndConverts) {
  Tensor x = tensor({{1, 2, 3}, {4, 5, 6}});
  EXPECT_EQ(x.to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(x.t().to_vector<int64_t>(), (std::vector<int64_t>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(x.to_vector<double>(), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(scalar_tensor(5).to_vector<float>(), (std::vector<float>{5}));
}

TEST(ElementAccess, IndexingSelectsAlongTheFirstDim) {
  Tensor x = tensor({{1, 2, 3}, {4, 5, 6}});
  expect_tensor<int64_t>(x[1], {3}, {4, 5, 6});
  expect_tensor<int64_t>(x[-2], {3}, {1, 2, 3});
  EXPECT_EQ(x[1][2].item<int64_t>(), 6);
  EXPECT_EQ(x[1][2].dim(), 0);
  expect_tensor<int64_t>(x.select(1, 0), {2}, {1, 4});
  EXPECT_TRUE(x[1].is_alias_of(x));
}

TEST(ElementAccess, WritingThroughAnElementViewChangesTheTensor) {
  Tensor x = zeros({2, 2}, kInt64);
  x[0][1].fill_(7);
  x[1].fill_(3);
  expect_tensor<int64_t>(x, {2, 2}, {0, 7, 3, 3});
}

TEST(ElementAccess, DataPtrPointsAtTheFirstElementOfAView) {
  Tensor x = arange(6);
  EXPECT_EQ(*x.slice(0, 2, 6).data_ptr<int64_t>(), 2);
  EXPECT_EQ(x.slice(0, 2, 6).data_ptr<int64_t>(), x.data_ptr<int64_t>() + 2);
}

// --- printing
// -------------------------------------------------------------------------------------

std::string printed(const Tensor& t) {
  std::ostringstream out;
  out << t;
  EXPECT_EQ(out.str(), t.str()) << "operator<< and str() disagree";
  return out.str();
}

TEST(Printing, WholeFloatsPrintWithATrailingDot) {
  EXPECT_EQ(printed(tensor({1.0, 2.0})), "tensor([1., 2.])");
  EXPECT_EQ(printed(tensor({-1.0, 20.0})), "tensor([-1., 20.])");
  EXPECT_EQ(printed(zeros({2, 2})), "tensor([[0., 0.],\n        [0., 0.]])");
}

TEST(Printing, FractionsPrintWithFourDecimalsAndRowsAlign) {
  EXPECT_EQ(printed(tensor({{1.5, 2.0}, {3.0, 4.0}})),
            "tensor([[1.5000, 2.0000],\n        [3.0000, 4.0000]])");
  EXPECT_EQ(printed(tensor({-1.5, 2.25})), "tensor([-1.5000,  2.2500])");
}

TEST(Printing, IntegersAndBoolsArePaddedToACommonWidth) {
  EXPECT_EQ(printed(tensor({1, 2, 3})), "tensor([1, 2, 3])");
  EXPECT_EQ(printed(tensor({-1, 100})), "tensor([ -1, 100])");
  // As in PyTorch: "True" is padded to the width of "False".
  EXPECT_EQ(printed(tensor({true, false})), "tensor([ True, False])");
  EXPECT_EQ(printed(tensor({true})), "tensor([True])");
}

TEST(Printing, Int64ValuesPrintExactly) {
  EXPECT_EQ(printed(tensor(std::vector<int64_t>{9007199254740993})), "tensor([9007199254740993])");
}

TEST(Printing, ZeroDimTensorsHaveNoBrackets) {
  EXPECT_EQ(printed(scalar_tensor(3.5)), "tensor(3.5000)");
  EXPECT_EQ(printed(scalar_tensor(3.0)), "tensor(3.)");
  EXPECT_EQ(printed(scalar_tensor(3, kInt64)), "tensor(3)");
}

TEST(Printing, NonDefaultDtypesAreNamed) {
  EXPECT_EQ(printed(tensor({1.0, 2.5}, kFloat64)), "tensor([1.0000, 2.5000], dtype=float64)");
  EXPECT_EQ(printed(tensor({1, 2}, kUInt8)), "tensor([1, 2], dtype=uint8)");
  EXPECT_EQ(printed(scalar_tensor(2, kFloat64)), "tensor(2., dtype=float64)");
}

TEST(Printing, ThreeDimsSeparateBlocksWithABlankLine) {
  EXPECT_EQ(printed(arange(8).reshape({2, 2, 2})),
            "tensor([[[0, 1],\n"
            "         [2, 3]],\n"
            "\n"
            "        [[4, 5],\n"
            "         [6, 7]]])");
}

TEST(Printing, NonContiguousTensorsPrintTheirLogicalLayout) {
  EXPECT_EQ(printed(arange(6).reshape({2, 3}).t()),
            "tensor([[0, 3],\n        [1, 4],\n        [2, 5]])");
}

TEST(Printing, SmallOrWideRangingValuesUseScientificNotation) {
  EXPECT_EQ(printed(tensor({1e-5, 1.0})), "tensor([1.0000e-05, 1.0000e+00])");
  EXPECT_EQ(printed(tensor({0.1, 100000.0})), "tensor([1.0000e-01, 1.0000e+05])");
  // As in PyTorch, whole numbers switch too when they span more than a factor of 1000.
  EXPECT_EQ(printed(tensor({1.0, 2000.0})), "tensor([1.0000e+00, 2.0000e+03])");
  EXPECT_EQ(printed(tensor({1.0, 1000.0})), "tensor([   1., 1000.])");
}

TEST(Printing, NonFiniteValues) {
  EXPECT_EQ(printed(tensor({1.0, static_cast<double>(NAN)})), "tensor([1., nan])");
  EXPECT_EQ(printed(tensor({1.5, static_cast<double>(NAN)})), "tensor([1.5000,    nan])");
  EXPECT_EQ(printed(tensor({-static_cast<double>(INFINITY), 0.5})), "tensor([  -inf, 0.5000])");
}

TEST(Printing, LongRowsWrapAtEightyColumns) {
  EXPECT_EQ(printed(arange(30)),
            "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n"
            "        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])");
}

TEST(Printing, LargeTensorsAreSummarizedWithEllipses) {
  EXPECT_EQ(printed(arange(2000)), "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])");
  EXPECT_EQ(printed(arange(5000).reshape({50, 100})),
            "tensor([[   0,    1,    2,  ...,   97,   98,   99],\n"
            "        [ 100,  101,  102,  ...,  197,  198,  199],\n"
            "        [ 200,  201,  202,  ...,  297,  298,  299],\n"
            "        ...,\n"
            "        [4700, 4701, 4702,  ..., 4797, 4798, 4799],\n"
            "        [4800, 4801, 4802,  ..., 4897, 4898, 4899],\n"
            "        [4900, 4901, 4902,  ..., 4997, 4998, 4999]])");
}

TEST(Printing, AThousandElementsAreNotSummarized) {
  const std::string s = printed(arange(1000));
  EXPECT_EQ(s.find("..."), std::string::npos);
  EXPECT_NE(s.find(" 500, "), std::string::npos);
}

TEST(Printing, EmptyTensorsShowTheirShapeAndDtype) {
  EXPECT_EQ(printed(zeros({0})), "tensor([])");
  EXPECT_EQ(printed(zeros({2, 0})), "tensor([], size=[2, 0])");
  // With no values to tell it by, any dtype but the default is named.
  EXPECT_EQ(printed(zeros({0}, kInt64)), "tensor([], dtype=int64)");
  EXPECT_EQ(printed(zeros({0, 3}, kBool)), "tensor([], size=[0, 3], dtype=bool)");
}

TEST(Printing, AnUndefinedTensorPrintsAsSuch) {
  EXPECT_EQ(printed(Tensor()), "[ undefined tensor ]");
}

}  // namespace
}  // namespace nabla

// Misuse throws nabla::Error naming the op and the bad shapes, dtypes, indices or devices.
#include "test_helpers.h"

namespace nabla {
namespace {

using testing::expect_error;

// --- shapes
// ---------------------------------------------------------------------------------------

TEST(Errors, BroadcastFailureNamesTheOpAndBothShapes) {
  expect_error([] { ones({2, 3}) + ones({4}); }, {"add", "[2, 3]", "[4]", "broadcast"});
  expect_error([] { ones({2, 3}) * ones({3, 2}); }, {"mul", "[2, 3]", "[3, 2]"});
  expect_error([] { (void)(ones({2}) < ones({3})); }, {"lt", "[2]", "[3]"});
  expect_error([] { where(tensor({true, false}), ones({3}), ones({3})); }, {"where", "[2]", "[3]"});
}

TEST(Errors, InPlaceOperandMustBroadcastToTheTensor) {
  Tensor a = ones({3});
  expect_error([&] { a += ones({2, 3}); }, {"add", "[2, 3]", "[3]"});
  expect_error([&] { a.copy_(ones({4})); }, {"copy_", "[4]", "[3]"});
}

TEST(Errors, MatmulInnerDimMismatchNamesBothShapes) {
  expect_error([] { matmul(ones({2, 3}), ones({4, 5})); }, {"matmul", "[2, 3]", "[4, 5]"});
  expect_error([] { matmul(ones({3}), ones({2})); }, {"matmul", "[3]", "[2]"});
  expect_error(
      [] {
        matmul(ones({2, 2}), ones({2, 2}, kFloat64));
      },
      {"matmul", "float32", "float64"});
  expect_error([] { matmul(scalar_tensor(1.0), ones({2})); }, {"matmul", "[]", "[2]"});
}

TEST(Errors, LinearNamesTheShapesAndDtypesThatDoNotFit) {
  expect_error([] { linear(ones({2, 3}), ones({4, 5})); }, {"linear", "[2, 3]", "[4, 5]"});
  expect_error([] { linear(ones({2, 3}), ones({3})); }, {"linear", "2-D weight", "[3]"});
  expect_error(
      [] {
        linear(ones({2, 3}), ones({4, 3}), ones({3}));
      },
      {"linear", "bias of shape [4]", "[3]"});
  expect_error(
      [] {
        linear(ones({2, 3}), ones({4, 3}), ones({4}, kFloat64));
      },
      {"linear", "float64", "float32"});
  expect_error(
      [] {
        linear(ones({2, 3}), ones({4, 3}, kFloat64));
      },
      {"matmul", "float32", "float64"});
  expect_error([] { linear(scalar_tensor(1.0), ones({4, 1})); }, {"linear", "[]", "[4, 1]"});
}

TEST(Errors, MmRequiresTwoDimensionalOperands) {
  expect_error([] { mm(ones({2, 2, 2}), ones({2, 2})); }, {"mm", "[2, 2, 2]", "[2, 2]"});
  expect_error([] { ones({2, 2}).mm(ones({2})); }, {"mm", "[2]"});
}

TEST(Errors, DimOutOfRangeNamesTheOpAndTheDim) {
  Tensor x = ones({2, 3});
  expect_error([&] { x.sum({2}); }, {"sum", "dim 2", "[-2, 1]"});
  expect_error([&] { x.softmax(-3); }, {"softmax", "dim -3"});
  expect_error([&] { x.transpose(0, 3); }, {"transpose", "dim 3"});
  expect_error([&] { x.unsqueeze(4); }, {"unsqueeze", "dim 4", "[-3, 2]"});
  expect_error([&] { x.select(2, 0); }, {"select", "dim 2"});
  expect_error([&] { x.squeeze(5); }, {"squeeze", "dim 5"});
  expect_error([&] { x.argmax(2); }, {"argmax", "dim 2"});
  expect_error([&] { x.size(2); }, {"size", "dim 2"});
}

TEST(Errors, SelectIndexOutOfRangeNamesTheIndexAndSize) {
  Tensor x = ones({2, 3});
  expect_error([&] { x.select(1, 3); }, {"select", "index 3", "size 3"});
  expect_error([&] { x[-3]; }, {"select", "index -3", "size 2"});
  expect_error([&] { scalar_tensor(1)[0]; }, {"select", "0-dim"});
}

TEST(Errors, RepeatedReductionDimIsRejected) {
  expect_error([] { ones({2, 3}).sum({1, -1}); }, {"sum", "more than once"});
}

// --- indexing
// -------------------------------------------------------------------------------------

TEST(Errors, IndexSelectOutOfRangeNamesTheIndexValueAndSize) {
  Tensor x = arange(6).reshape({3, 2});
  expect_error([&] { x.index_select(0, tensor({0, 5})); }, {"index_select", "index 5", "size 3"});
  expect_error([&] { x.index_select(1, tensor({-1})); }, {"index_select", "index -1", "size 2"});
}

TEST(Errors, GatherOutOfRangeNamesTheIndexValueAndSize) {
  Tensor x = arange(6).reshape({2, 3});
  expect_error([&] { x.gather(1, tensor({{0, 3}, {1, 1}})); }, {"gather", "index 3", "size 3"});
  expect_error([&] { x.gather(1, tensor({0, 1})); }, {"gather", "[2]", "[2, 3]"});
}

TEST(Errors, IndicesMustBeInt64) {
  Tensor x = ones({3});
  expect_error(
      [&] {
        x.index_select(0, tensor({0.0, 1.0}));
      },
      {"index_select", "int64", "float32"});
  expect_error([&] { x.gather(0, tensor({uint8_t{0}})); }, {"gather", "int64", "uint8"});
  expect_error([] { one_hot(tensor({true})); }, {"one_hot", "int64", "bool"});
}

TEST(Errors, OneHotLabelsOutOfRange) {
  expect_error([] { one_hot(tensor({0, 3}), 3); }, {"one_hot", "3"});
  expect_error([] { one_hot(tensor({-1}), 3); }, {"one_hot", "-1"});
}

// --- element access
// -------------------------------------------------------------------------------

TEST(Errors, ItemOfSeveralElementsNamesTheShape) {
  expect_error([] { ones({2, 2}).item<float>(); }, {"item", "4 elements", "[2, 2]"});
  expect_error([] { zeros({0}).item(); }, {"item", "0 elements"});
}

TEST(Errors, DataPtrOfTheWrongTypeNamesBothDtypes) {
  expect_error([] { ones({2}).data_ptr<double>(); }, {"data_ptr", "float64", "float32"});
  expect_error([] { tensor({1}).data_ptr<float>(); }, {"data_ptr", "float32", "int64"});
}

// --- views
// ----------------------------------------------------------------------------------------

TEST(Errors, IncompatibleViewSuggestsReshape) {
  Tensor xt = ones({2, 3}).t();
  expect_error([&] { xt.view({6}); }, {"view", "[6]", "[3, 2]", "reshape"});
}

TEST(Errors, ReshapeToTheWrongElementCountNamesBothShapes) {
  Tensor x = ones({2, 3});
  expect_error([&] { x.reshape({4}); }, {"reshape", "[4]", "[2, 3]", "6 elements"});
  expect_error([&] { x.view({4, -1}); }, {"view", "[4, -1]", "[2, 3]"});
  expect_error([&] { x.reshape({-1, -1}); }, {"reshape", "only one", "-1"});
  expect_error([&] { x.reshape({-2, -3}); }, {"reshape", "-2"});
}

TEST(Errors, ExpandToAnIncompatibleShapeNamesBothShapes) {
  expect_error([] { ones({2, 3}).expand({4, 3}); }, {"expand", "[2, 3]", "[4, 3]"});
  expect_error([] { ones({2, 3}).expand({3}); }, {"expand", "[3]", "[2, 3]"});
}

TEST(Errors, SliceAndNarrowArguments) {
  expect_error([] { ones({4}).slice(0, 0, 4, 0); }, {"slice", "step"});
  expect_error([] { ones({4}).slice(0, 0, 4, -1); }, {"slice", "step", "-1"});
  expect_error([] { ones({4}).narrow(0, 3, 2); }, {"narrow", "3", "2", "size 4"});
}

TEST(Errors, PermuteNeedsEveryDimOnce) {
  expect_error([] { ones({2, 3}).permute({0}); }, {"permute", "[2, 3]"});
  expect_error([] { ones({2, 3}).permute({1, 1}); }, {"permute", "repeats"});
}

TEST(Errors, FlattenStartAfterEnd) {
  expect_error([] { ones({2, 3, 4}).flatten(2, 1); }, {"flatten", "start_dim", "end_dim"});
}

// --- dtypes
// ---------------------------------------------------------------------------------------

TEST(Errors, MeanOfIntegersNamesTheDtype) {
  expect_error([] { tensor({1, 2}).mean(); }, {"mean", "int64"});
  expect_error([] { tensor({true}).mean({0}); }, {"mean", "bool"});
}

TEST(Errors, SoftmaxOfIntegersNamesTheDtype) {
  expect_error([] { tensor({1, 2}).softmax(0); }, {"softmax", "int64"});
  expect_error([] { tensor({1, 2}).log_softmax(0); }, {"log_softmax", "int64"});
}

TEST(Errors, MathOfBoolsIsRejectedExceptFloatingMath) {
  // As in PyTorch, floating math promotes bools to float32; sign-changing ops refuse them.
  testing::expect_tensor<float>(tensor({true, false}).sqrt(), {2}, {1.0f, 0.0f});
  testing::expect_tensor<float>(tensor({false}).exp(), {1}, {1.0f});
  expect_error([] { -tensor({true}); }, {"neg", "bool"});
  expect_error([] { tensor({true}).clamp(0, 1); }, {"clamp", "bool"});
  expect_error([] { matmul(tensor({{true}}), tensor({{true}})); }, {"matmul", "bool"});
  // abs of a bool is the bool itself.
  testing::expect_tensor<bool>(tensor({true, false}).abs(), {2}, {true, false});
}

TEST(Errors, SubtractingWithABoolOperandIsRejected) {
  // As in PyTorch: any bool operand, not only bool - bool; the message points to ~ and ^.
  expect_error([] { tensor({true}) - tensor({false}); }, {"sub", "bool", "logical_xor"});
  Tensor b = tensor({true});
  expect_error([&] { b -= tensor({true}); }, {"sub", "bool"});
  expect_error([] { tensor({1, 2}) - tensor({true, false}); }, {"sub", "int64 - bool", "~"});
  expect_error([] { tensor({true}) - tensor({1.5f}); }, {"sub", "bool - float32"});
  expect_error([] { tensor({true}) - 1; }, {"sub", "bool"});
  expect_error([] { tensor({1.0f}) - true; }, {"sub", "bool"});
  expect_error([] { sub(tensor({2}), tensor({true}), 3); }, {"sub", "bool"});
}

TEST(Errors, AddOfBoolsWithAlphaStaysBool) {
  testing::expect_tensor<bool>(add(tensor({true, false}), tensor({true, true}), 2), {2},
                               {true, true});
  testing::expect_tensor<bool>(add(tensor({true, false}), tensor({true, true}), 0), {2},
                               {true, false});
  // alpha scales in the result type: uint8 * 100 does not wrap before the int64 add.
  testing::expect_tensor<int64_t>(add(tensor({1}), tensor({200}).to(kUInt8), 100), {1}, {20001});
}

TEST(Errors, IntegerToANegativeIntegerPowerIsRejected) {
  expect_error([] { tensor({2, 3}).pow(-1); }, {"pow", "int64", "-1"});
  testing::expect_tensor<float>(tensor({2, 4}).pow(-1.0), {2}, {0.5f, 0.25f});
}

TEST(Errors, WhereNeedsABoolCondition) {
  expect_error([] { where(tensor({1, 0}), ones({2}), zeros({2})); }, {"where", "bool", "int64"});
}

TEST(Errors, InPlaceResultMustFitTheTensorsDtype) {
  Tensor a = tensor({1, 2});
  expect_error([&] { a += ones({2}); }, {"add", "float32", "int64"});
}

TEST(Errors, InPlaceWritesIntoAnExpandedTensorAreRejected) {
  // Three elements share one memory location: which write wins would depend on the loop order.
  Tensor e = zeros({1}).expand({3});
  expect_error(
      [&] {
        e += tensor({1.0, 2.0, 3.0});
      },
      {"add", "[3]", "strides [0]", "single memory location"});
  expect_error([&] { e.copy_(tensor({1.0, 2.0, 3.0})); }, {"copy_", "single memory location"});
  // A size-1 dim with stride 0 shares nothing.
  Tensor one = zeros({1}).expand({1, 1});
  one += 2;
  EXPECT_EQ(one.item<float>(), 2.0f);
}

TEST(Errors, RandomFactoriesNeedAFloatingDtype) {
  expect_error([] { rand({2}, kInt64); }, {"rand", "int64"});
  expect_error([] { randn({2}, kBool); }, {"randn", "bool"});
}

TEST(Errors, ArangeArguments) {
  expect_error([] { arange(0, 5, 0); }, {"arange", "step"});
  expect_error([] { arange(5, 0, 1); }, {"arange", "5", "0"});
}

TEST(Errors, RaggedNestedListsAreRejected) {
  expect_error([] { tensor({{1, 2}, {3}}); }, {"tensor", "equal lengths"});
  expect_error([] { tensor({{{1, 2}}, {{3, 4}, {5, 6}}}); }, {"tensor", "equal lengths"});
}

// --- sizes
// ----------------------------------------------------------------------------------------

TEST(Errors, MoreThanEightDimsIsAnError) {
  expect_error([] { zeros({1, 1, 1, 1, 1, 1, 1, 1, 1}); }, {"at most 8", "9"});
  Tensor eight = zeros({1, 1, 1, 1, 1, 1, 1, 1});
  expect_error([&] { eight.unsqueeze(0); }, {"at most 8", "9"});
}

TEST(Errors, NegativeSizesAreRejected) {
  expect_error([] { empty({2, -1}); }, {"empty", "-1", "[2, -1]"});
  expect_error([] { zeros({-3}); }, {"-3"});
}

TEST(Errors, ReductionsWithoutIdentityOfEmptyTensors) {
  expect_error([] { zeros({0}).argmax(); }, {"argmax", "empty"});
  expect_error([] { zeros({2, 0}).argmin(1); }, {"argmin", "size 0"});
  expect_error([] { amax(zeros({0}), {0}); }, {"amax", "empty", "[0]"});
  expect_error([] { zeros({3, 0}).amin({1}); }, {"amin", "empty", "[3, 0]"});
  expect_error([] { zeros({0}).max(); }, {"[0]"});
  // sum has an identity, and the mean of nothing is NaN, as in PyTorch.
  EXPECT_EQ(zeros({0}).sum().item<float>(), 0.0f);
  EXPECT_TRUE(std::isnan(zeros({0}).mean().item<float>()));
}

// --- undefined tensors
// ----------------------------------------------------------------------------

TEST(Errors, AnUndefinedTensorsAccessorsThrow) {
  Tensor u;
  EXPECT_FALSE(u.defined());
  expect_error([&] { u.sizes(); }, {"undefined"});
  expect_error([&] { u.dim(); }, {"undefined"});
  expect_error([&] { u.numel(); }, {"undefined"});
  expect_error([&] { u.dtype(); }, {"undefined"});
  expect_error([&] { u.device(); }, {"undefined"});
  expect_error([&] { u.data_ptr(); }, {"undefined"});
  expect_error([&] { u.item<float>(); }, {"undefined"});
  EXPECT_FALSE(u.is_alias_of(u));
}

TEST(Errors, OpsOnAnUndefinedTensorNameTheOp) {
  Tensor u;
  expect_error([&] { u.exp(); }, {"exp", "undefined"});
  expect_error([&] { ones({2}) + u; }, {"add", "undefined"});
  expect_error([&] { u.clone(); }, {"clone", "undefined"});
  expect_error([&] { u.sum(); }, {"sum", "undefined"});
  expect_error([&] { ones({2}).copy_(u); }, {"copy_", "undefined"});
}

// --- devices
// --------------------------------------------------------------------------------------

TEST(Errors, DeviceStringsAreParsedStrictly) {
  EXPECT_TRUE(Device("cpu").is_cpu());
  EXPECT_TRUE(Device("cuda").is_cuda());
  EXPECT_EQ(Device("cuda:1").index(), 1);
  EXPECT_EQ(Device("cuda:1").str(), "cuda:1");
  EXPECT_EQ(Device("cuda:12").index(), 12);
  EXPECT_EQ(Device("cuda"), Device("cuda:0"));
  EXPECT_NE(Device("cuda:0"), Device("cuda:1"));
  expect_error([] { Device("gpu"); }, {"Device", "\"gpu\""});
  expect_error([] { Device("cuda:"); }, {"Device", "cuda:"});
  expect_error([] { Device("cuda:-1"); }, {"Device"});
  expect_error([] { Device("cuda:1x"); }, {"Device"});
  expect_error([] { Device("CPU"); }, {"Device", "CPU"});
  expect_error([] { Device("cuda:128"); }, {"Device", "128"});
  expect_error([] { Device(kCPU, 1); }, {"Device", "1"});
}

TEST(Errors, CudaQueriesNeverThrow) {
  bool available = true;
  int count = -1;
  EXPECT_NO_THROW(available = cuda::is_available());
  EXPECT_NO_THROW(count = cuda::device_count());
  EXPECT_EQ(available, count > 0);
  if (!cuda::is_built()) {
    EXPECT_FALSE(available);
    EXPECT_EQ(count, 0);
  }
}

TEST(Errors, MovingToCudaWithoutADeviceNamesCuda) {
  if (cuda::is_available()) GTEST_SKIP() << "a CUDA device is present";
  EXPECT_FALSE(cuda::is_available());
  EXPECT_EQ(cuda::device_count(), 0);
  expect_error([] { ones({2}).to(Device(kCUDA)); }, {"CUDA"});
  expect_error([] { ones({2}).cuda(); }, {"CUDA"});
  expect_error([] { zeros({2}, Device("cuda:1")); }, {"cuda:1", "CUDA"});
}

}  // namespace
}  // namespace nabla

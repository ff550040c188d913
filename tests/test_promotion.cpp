// PyTorch's type promotion in binary ops, comparisons, reductions and in-place ops.
#include <nabla/core/native.h>

#include "device_test.h"
#include "test_helpers.h"

namespace nabla {
namespace {

NABLA_DEVICE_SUITE(Promotion);

using native::result_type;
using testing::expect_tensor;

// --- promote_types
// --------------------------------------------------------------------------------

TEST_P(Promotion, PromoteTypesIsTheSmallestTypeHoldingBoth) {
  EXPECT_EQ(promote_types(kBool, kBool), kBool);
  EXPECT_EQ(promote_types(kBool, kUInt8), kUInt8);
  EXPECT_EQ(promote_types(kUInt8, kInt64), kInt64);
  EXPECT_EQ(promote_types(kInt64, kFloat32), kFloat32);
  EXPECT_EQ(promote_types(kFloat32, kFloat64), kFloat64);
  EXPECT_EQ(promote_types(kBool, kFloat64), kFloat64);
  EXPECT_EQ(promote_types(kFloat32, kUInt8), kFloat32);
}

// --- tensor with tensor
// ---------------------------------------------------------------------------

TEST_P(Promotion, Int64PlusFloat32IsFloat32) {
  Tensor a = tensor({1, 2});
  Tensor b = tensor({0.5, 0.25});
  EXPECT_EQ(result_type(a, b), kFloat32);
  expect_tensor<float>(a + b, {2}, {1.5f, 2.25f});
  expect_tensor<float>(b + a, {2}, {1.5f, 2.25f});
}

TEST_P(Promotion, Uint8PlusInt64IsInt64) {
  Tensor a = tensor({uint8_t{200}, uint8_t{255}});
  Tensor b = tensor({100, 1});
  EXPECT_EQ(result_type(a, b), kInt64);
  expect_tensor<int64_t>(a + b, {2}, {300, 256});  // no uint8 wraparound
}

TEST_P(Promotion, Uint8PlusUint8StaysUint8AndWraps) {
  Tensor a = tensor({uint8_t{200}, uint8_t{10}});
  expect_tensor<uint8_t>(a + a, {2}, {144, 20});
}

TEST_P(Promotion, BoolPlusBoolIsBool) {
  Tensor a = tensor({true, true, false});
  Tensor b = tensor({true, false, false});
  EXPECT_EQ(result_type(a, b), kBool);
  expect_tensor<bool>(a + b, {3}, {true, true, false});
  expect_tensor<bool>(a * b, {3}, {true, false, false});
}

TEST_P(Promotion, BoolPlusInt64IsInt64) {
  Tensor a = tensor({true, false});
  Tensor b = tensor({5, 5});
  EXPECT_EQ(result_type(a, b), kInt64);
  expect_tensor<int64_t>(a + b, {2}, {6, 5});
}

TEST_P(Promotion, BoolPlusUint8IsUint8) {
  expect_tensor<uint8_t>(tensor({true}) + tensor({uint8_t{255}}), {1}, {0});
}

TEST_P(Promotion, Float32PlusFloat64IsFloat64) {
  Tensor a = tensor({0.5});
  Tensor b = tensor(std::vector<double>{0.25});
  EXPECT_EQ(result_type(a, b), kFloat64);
  expect_tensor<double>(a + b, {1}, {0.75});
}

// --- tensor with scalar
// ---------------------------------------------------------------------------

TEST_P(Promotion, Uint8TensorPlusIntScalarStaysUint8) {
  Tensor a = tensor({uint8_t{1}, uint8_t{254}});
  EXPECT_EQ(result_type(a, Scalar(5)), kUInt8);
  expect_tensor<uint8_t>(a + 5, {2}, {6, 3});  // 254 + 5 wraps to 3, as in PyTorch
}

TEST_P(Promotion, Int64TensorTimesFloatScalarIsFloat32) {
  Tensor a = tensor({1, 2});
  EXPECT_EQ(result_type(a, Scalar(2.5)), kFloat32);
  expect_tensor<float>(a * 2.5, {2}, {2.5f, 5.0f});
  expect_tensor<float>(2.5 * a, {2}, {2.5f, 5.0f});
}

TEST_P(Promotion, Float64TensorPlusFloatScalarStaysFloat64) {
  Tensor a = tensor(std::vector<double>{0.1});
  EXPECT_EQ(result_type(a, Scalar(1.5)), kFloat64);
  expect_tensor<double>(a + 1.5, {1}, {0.1 + 1.5});
}

TEST_P(Promotion, Float32TensorWithAnyScalarStaysFloat32) {
  Tensor a = tensor({1.5});
  EXPECT_EQ(result_type(a, Scalar(2)), kFloat32);
  EXPECT_EQ(result_type(a, Scalar(2.5)), kFloat32);
  EXPECT_EQ(result_type(a, Scalar(true)), kFloat32);
}

TEST_P(Promotion, BoolTensorWithScalarsTakesTheScalarsCategory) {
  Tensor b = tensor({true, false});
  EXPECT_EQ(result_type(b, Scalar(true)), kBool);
  EXPECT_EQ(result_type(b, Scalar(3)), kInt64);
  EXPECT_EQ(result_type(b, Scalar(0.5)), kFloat32);
  expect_tensor<int64_t>(b + 3, {2}, {4, 3});
  expect_tensor<float>(b * 0.5, {2}, {0.5f, 0.0f});
}

TEST_P(Promotion, Int64TensorWithBoolScalarStaysInt64) {
  EXPECT_EQ(result_type(tensor({1}), Scalar(true)), kInt64);
  expect_tensor<int64_t>(tensor({1, 2}) + true, {2}, {2, 3});
}

TEST_P(Promotion, ScalarOnTheLeftPromotesTheSameWay) {
  expect_tensor<float>(1.5 - tensor({1, 2}), {2}, {0.5f, -0.5f});
  expect_tensor<uint8_t>(10 - tensor({uint8_t{3}}), {1}, {7});
}

// --- dimensioned tensors over zero-dim tensors
// ----------------------------------------------------

TEST_P(Promotion, Float32TensorPlusFloat64ZeroDimStaysFloat32) {
  Tensor a = tensor({1.0, 2.0});
  Tensor s = scalar_tensor(0.5, kFloat64);
  EXPECT_EQ(result_type(a, s), kFloat32);
  EXPECT_EQ(result_type(s, a), kFloat32);
  expect_tensor<float>(a + s, {2}, {1.5f, 2.5f});
}

TEST_P(Promotion, Int64TensorPlusFloat64ZeroDimIsFloat64) {
  // The zero-dim operand brings a higher category, so its own dtype is used.
  Tensor a = tensor({1, 2});
  Tensor s = scalar_tensor(0.5, kFloat64);
  EXPECT_EQ(result_type(a, s), kFloat64);
  expect_tensor<double>(a + s, {2}, {1.5, 2.5});
}

TEST_P(Promotion, Uint8TensorPlusInt64ZeroDimStaysUint8) {
  Tensor a = tensor({uint8_t{250}});
  Tensor s = scalar_tensor(10, kInt64);
  EXPECT_EQ(result_type(a, s), kUInt8);
  expect_tensor<uint8_t>(a + s, {1}, {4});
}

TEST_P(Promotion, TwoZeroDimTensorsPromoteAsUsual) {
  Tensor a = scalar_tensor(1);
  Tensor b = scalar_tensor(0.5, kFloat64);
  EXPECT_EQ(result_type(a, b), kFloat64);
  Tensor sum = a + b;
  EXPECT_EQ(sum.dim(), 0);
  EXPECT_EQ(sum.item<double>(), 1.5);
}

TEST_P(Promotion, ZeroDimTensorOutranksAScalar) {
  EXPECT_EQ(result_type(scalar_tensor(1, kUInt8), Scalar(300)), kUInt8);
  EXPECT_EQ(result_type(scalar_tensor(1.0, kFloat64), Scalar(2.5)), kFloat64);
  EXPECT_EQ(result_type(scalar_tensor(1), Scalar(2.5)), kFloat32);
}

// --- division, comparisons, reductions
// ------------------------------------------------------------

TEST_P(Promotion, IntegerDivisionIsTrueDivisionInFloat32) {
  Tensor a = tensor({7, -7, 1});
  Tensor b = tensor({2, 2, 3});
  expect_tensor<float>(a / b, {3}, {3.5f, -3.5f, 1.0f / 3.0f});
  expect_tensor<float>(a / 2, {3}, {3.5f, -3.5f, 0.5f});
  expect_tensor<float>(tensor({true}) / tensor({true}), {1}, {1.0f});
  expect_tensor<double>(tensor({1}) / tensor(std::vector<double>{4}), {1}, {0.25});
}

TEST_P(Promotion, ComparisonsGiveBool) {
  Tensor a = tensor({1, 2, 3});
  Tensor b = tensor({0.5, 2.0, 3.5});
  expect_tensor<bool>(a < b, {3}, {false, false, true});
  expect_tensor<bool>(a == b, {3}, {false, true, false});
  expect_tensor<bool>(a >= 2, {3}, {false, true, true});
  expect_tensor<bool>(a != 2.5, {3}, {true, true, true});
  // Compared in the promoted dtype: uint8 255 equals int64 255, not -1.
  expect_tensor<bool>(tensor({uint8_t{255}}) == tensor({255}), {1}, {true});
}

TEST_P(Promotion, SumOfIntegersAndBoolsIsInt64) {
  Tensor i = tensor({1, 2, 3});
  Tensor b = tensor({true, true, false, true});
  Tensor u = tensor({uint8_t{200}, uint8_t{100}});
  EXPECT_EQ(i.sum().dtype(), kInt64);
  EXPECT_EQ(b.sum().item<int64_t>(), 3);
  EXPECT_EQ(b.sum().dtype(), kInt64);
  EXPECT_EQ(u.sum().item<int64_t>(), 300);  // no uint8 overflow
  EXPECT_EQ(u.sum().dtype(), kInt64);
  EXPECT_EQ(tensor({1.5}).sum().dtype(), kFloat32);
  EXPECT_EQ(tensor(std::vector<double>{1.5}).sum().dtype(), kFloat64);
}

TEST_P(Promotion, MaxAndMinKeepTheInputDtype) {
  EXPECT_EQ(tensor({uint8_t{3}, uint8_t{9}}).max().dtype(), kUInt8);
  EXPECT_EQ(tensor({uint8_t{3}, uint8_t{9}}).max().item<int64_t>(), 9);
  EXPECT_EQ(tensor({true, false}).amin({0}).dtype(), kBool);
}

TEST_P(Promotion, WherePromotesItsTwoBranches) {
  Tensor cond = tensor({true, false});
  expect_tensor<float>(where(cond, tensor({1, 2}), tensor({0.5, 0.5})), {2}, {1.0f, 0.5f});
}

// --- in place
// -------------------------------------------------------------------------------------

TEST_P(Promotion, InPlaceIntoInt64OfAFloatTensorThrows) {
  Tensor a = tensor({1, 2});
  EXPECT_THROW(a += tensor({0.5, 0.5}), Error);
  EXPECT_THROW(a *= 2.5, Error);
  EXPECT_THROW(a /= tensor({2, 2}), Error);  // true division gives float32
  expect_tensor<int64_t>(a, {2}, {1, 2});    // and nothing was written
}

TEST_P(Promotion, InPlaceIntoFloat32OfAFloat64TensorStaysFloat32) {
  Tensor a = tensor({1.0, 2.0});
  a += tensor(std::vector<double>{0.5, 0.25});
  expect_tensor<float>(a, {2}, {1.5f, 2.25f});
  a *= tensor({2, 2});
  expect_tensor<float>(a, {2}, {3.0f, 4.5f});
}

TEST_P(Promotion, InPlaceIntoIntegersOfIntegersWorks) {
  Tensor a = tensor({1, 2});
  a += tensor({uint8_t{10}, uint8_t{20}});
  a += tensor({true, false});
  a *= 3;
  expect_tensor<int64_t>(a, {2}, {36, 66});
  Tensor u = tensor({uint8_t{250}});
  u += 10;  // a scalar does not promote uint8, so the sum wraps
  expect_tensor<uint8_t>(u, {1}, {4});
}

TEST_P(Promotion, InPlaceIntoBoolOfAnIntegerThrows) {
  Tensor b = tensor({true});
  EXPECT_THROW(b += tensor({1}), Error);
  EXPECT_THROW(b += 1, Error);
}

}  // namespace
}  // namespace nabla

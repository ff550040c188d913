// Logical and bitwise ops, predicates, and whole-tensor comparisons: logical_not/and/or/xor (any
// dtype, nonzero is true), bitwise_not/and/or/xor on bool and integers with the operators ~ & | ^,
// isnan/isinf/isfinite, nan_to_num, allclose and equal. None of them has a gradient.
#include <limits>

#include <nabla/autograd/grad_mode.h>
#include <nabla/autograd/ops.h>
#include <nabla/core/factory.h>
#include <nabla/core/native.h>

namespace nabla {

Tensor logical_not(const Tensor& x) {
  return native::unary(UnaryOp::LogicalNot, x);
}
Tensor logical_and(const Tensor& a, const Tensor& b) {
  return native::binary(BinaryOp::LogicalAnd, a, b);
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  return native::binary(BinaryOp::LogicalOr, a, b);
}
Tensor logical_xor(const Tensor& a, const Tensor& b) {
  return native::binary(BinaryOp::LogicalXor, a, b);
}
Tensor bitwise_not(const Tensor& x) {
  return native::unary(UnaryOp::BitwiseNot, x);
}
Tensor bitwise_and(const Tensor& a, const Tensor& b) {
  return native::binary(BinaryOp::BitwiseAnd, a, b);
}
Tensor bitwise_or(const Tensor& a, const Tensor& b) {
  return native::binary(BinaryOp::BitwiseOr, a, b);
}
Tensor bitwise_xor(const Tensor& a, const Tensor& b) {
  return native::binary(BinaryOp::BitwiseXor, a, b);
}
Tensor operator~(const Tensor& x) {
  return bitwise_not(x);
}
Tensor operator&(const Tensor& a, const Tensor& b) {
  return bitwise_and(a, b);
}
Tensor operator|(const Tensor& a, const Tensor& b) {
  return bitwise_or(a, b);
}
Tensor operator^(const Tensor& a, const Tensor& b) {
  return bitwise_xor(a, b);
}

Tensor isnan(const Tensor& x) {
  return native::unary(UnaryOp::IsNan, x);
}
Tensor isinf(const Tensor& x) {
  return native::unary(UnaryOp::IsInf, x);
}
Tensor isfinite(const Tensor& x) {
  return native::unary(UnaryOp::IsFinite, x);
}

Tensor nan_to_num(const Tensor& x, std::optional<double> nan, std::optional<double> posinf,
                  std::optional<double> neginf) {
  native::check_defined("nan_to_num", x);
  if (!x.is_floating_point()) return x.clone();
  // The defaults are 0 and the dtype's largest and smallest finite values, as in PyTorch.
  const bool single = x.dtype() == kFloat32;
  const double largest =
      single ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
  const Tensor nan_value = full_like(x, nan.value_or(0.0));
  const Tensor pos_value = full_like(x, posinf.value_or(largest));
  const Tensor neg_value = full_like(x, neginf.value_or(-largest));
  return where(isnan(x), nan_value,
               where(x == INFINITY, pos_value, where(x == -INFINITY, neg_value, x)));
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  native::check_defined("allclose", a);
  native::check_defined("allclose", b);
  NoGradGuard no_grad;
  // |a - b| <= atol + rtol |b|, elementwise with broadcasting; infinities equal only themselves.
  const ScalarType type = native::result_type(a, b);
  const Tensor x = a.to(is_floating_point(type) ? type : kFloat64);
  const Tensor y = b.to(x.dtype());
  Tensor close = (x - y).abs() <= y.abs() * rtol + atol;
  close = logical_or(close, x == y);  // inf == inf, and exact equality whatever the tolerances
  if (equal_nan) close = logical_or(close, logical_and(isnan(x), isnan(y)));
  return close.numel() == 0 || native::amin(close, {}, false).item<bool>();
}

bool equal(const Tensor& a, const Tensor& b) {
  native::check_defined("equal", a);
  native::check_defined("equal", b);
  native::check_same_device("equal", a, b);
  if (a.sizes() != b.sizes()) return false;
  if (a.numel() == 0) return true;
  return native::amin(a == b, {}, false).item<bool>();
}

Tensor Tensor::logical_not() const {
  return nabla::logical_not(*this);
}
Tensor Tensor::isnan() const {
  return nabla::isnan(*this);
}
Tensor Tensor::isinf() const {
  return nabla::isinf(*this);
}
Tensor Tensor::isfinite() const {
  return nabla::isfinite(*this);
}
bool Tensor::allclose(const Tensor& other, double rtol, double atol, bool equal_nan) const {
  return nabla::allclose(*this, other, rtol, atol, equal_nan);
}
bool Tensor::equal(const Tensor& other) const {
  return nabla::equal(*this, other);
}

}  // namespace nabla

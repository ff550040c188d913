// Public elementwise ops: unary math, activations, broadcasting binary ops, comparisons, where, and
// the in-place forms.
#include <nabla/autograd/ops.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

// A scalar as a zero-dim tensor of the dtype it promotes `self` to, for the in-place ops.
Tensor scalar_operand(const Tensor& self, const Scalar& s) {
  return native::scalar_tensor(s, native::result_type(self, s), self.device());
}

}  // namespace

Tensor neg(const Tensor& x) {
  return native::unary(UnaryOp::Neg, x);
}
Tensor exp(const Tensor& x) {
  return native::unary(UnaryOp::Exp, x);
}
Tensor log(const Tensor& x) {
  return native::unary(UnaryOp::Log, x);
}
Tensor sqrt(const Tensor& x) {
  return native::unary(UnaryOp::Sqrt, x);
}
Tensor abs(const Tensor& x) {
  return native::unary(UnaryOp::Abs, x);
}
Tensor relu(const Tensor& x) {
  return native::unary(UnaryOp::Relu, x);
}
Tensor sigmoid(const Tensor& x) {
  return native::unary(UnaryOp::Sigmoid, x);
}
Tensor tanh(const Tensor& x) {
  return native::unary(UnaryOp::Tanh, x);
}
Tensor pow(const Tensor& x, const Scalar& exponent) {
  return native::pow(x, exponent);
}
Tensor clamp(const Tensor& x, const std::optional<Scalar>& min, const std::optional<Scalar>& max) {
  return native::clamp(x, min, max);
}

namespace {
// PyTorch refuses a fractional alpha when the result would be integral.
void check_alpha(const char* op, const Tensor& a, const Tensor& b, const Scalar& alpha) {
  NABLA_CHECK(!alpha.is_floating_point() || is_floating_point(native::result_type(a, b)), op,
              ": alpha ", alpha, " must be an integer for ", native::result_type(a, b), " tensors");
}
}  // namespace

Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  check_alpha("add", a, b, alpha);
  if (alpha.to_double() == 1.0) return native::binary(BinaryOp::Add, a, b);
  return native::binary(BinaryOp::Add, a, native::binary(BinaryOp::Mul, b, alpha));
}
Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  check_alpha("sub", a, b, alpha);
  if (alpha.to_double() == 1.0) return native::binary(BinaryOp::Sub, a, b);
  return native::binary(BinaryOp::Sub, a, native::binary(BinaryOp::Mul, b, alpha));
}
Tensor mul(const Tensor& a, const Tensor& b) {
  return native::binary(BinaryOp::Mul, a, b);
}
Tensor div(const Tensor& a, const Tensor& b) {
  return native::binary(BinaryOp::Div, a, b);
}
Tensor maximum(const Tensor& a, const Tensor& b) {
  return native::binary(BinaryOp::Maximum, a, b);
}
Tensor minimum(const Tensor& a, const Tensor& b) {
  return native::binary(BinaryOp::Minimum, a, b);
}
Tensor add(const Tensor& a, const Scalar& b) {
  return native::binary(BinaryOp::Add, a, b);
}
Tensor sub(const Tensor& a, const Scalar& b) {
  return native::binary(BinaryOp::Sub, a, b);
}
Tensor mul(const Tensor& a, const Scalar& b) {
  return native::binary(BinaryOp::Mul, a, b);
}
Tensor div(const Tensor& a, const Scalar& b) {
  return native::binary(BinaryOp::Div, a, b);
}

Tensor eq(const Tensor& a, const Tensor& b) {
  return native::binary(BinaryOp::Eq, a, b);
}
Tensor ne(const Tensor& a, const Tensor& b) {
  return native::binary(BinaryOp::Ne, a, b);
}
Tensor lt(const Tensor& a, const Tensor& b) {
  return native::binary(BinaryOp::Lt, a, b);
}
Tensor le(const Tensor& a, const Tensor& b) {
  return native::binary(BinaryOp::Le, a, b);
}
Tensor gt(const Tensor& a, const Tensor& b) {
  return native::binary(BinaryOp::Gt, a, b);
}
Tensor ge(const Tensor& a, const Tensor& b) {
  return native::binary(BinaryOp::Ge, a, b);
}
Tensor eq(const Tensor& a, const Scalar& b) {
  return native::binary(BinaryOp::Eq, a, b);
}
Tensor ne(const Tensor& a, const Scalar& b) {
  return native::binary(BinaryOp::Ne, a, b);
}
Tensor lt(const Tensor& a, const Scalar& b) {
  return native::binary(BinaryOp::Lt, a, b);
}
Tensor le(const Tensor& a, const Scalar& b) {
  return native::binary(BinaryOp::Le, a, b);
}
Tensor gt(const Tensor& a, const Scalar& b) {
  return native::binary(BinaryOp::Gt, a, b);
}
Tensor ge(const Tensor& a, const Scalar& b) {
  return native::binary(BinaryOp::Ge, a, b);
}

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  return native::where(condition, a, b);
}

Tensor operator-(const Tensor& x) {
  return neg(x);
}
Tensor operator+(const Tensor& a, const Tensor& b) {
  return add(a, b);
}
Tensor operator-(const Tensor& a, const Tensor& b) {
  return sub(a, b);
}
Tensor operator*(const Tensor& a, const Tensor& b) {
  return mul(a, b);
}
Tensor operator/(const Tensor& a, const Tensor& b) {
  return div(a, b);
}
Tensor operator+(const Tensor& a, const Scalar& b) {
  return add(a, b);
}
Tensor operator-(const Tensor& a, const Scalar& b) {
  return sub(a, b);
}
Tensor operator*(const Tensor& a, const Scalar& b) {
  return mul(a, b);
}
Tensor operator/(const Tensor& a, const Scalar& b) {
  return div(a, b);
}
Tensor operator+(const Scalar& a, const Tensor& b) {
  return add(b, a);
}
Tensor operator-(const Scalar& a, const Tensor& b) {
  return native::binary(BinaryOp::Sub, a, b);
}
Tensor operator*(const Scalar& a, const Tensor& b) {
  return mul(b, a);
}
Tensor operator/(const Scalar& a, const Tensor& b) {
  return native::binary(BinaryOp::Div, a, b);
}
Tensor operator==(const Tensor& a, const Tensor& b) {
  return eq(a, b);
}
Tensor operator!=(const Tensor& a, const Tensor& b) {
  return ne(a, b);
}
Tensor operator<(const Tensor& a, const Tensor& b) {
  return lt(a, b);
}
Tensor operator<=(const Tensor& a, const Tensor& b) {
  return le(a, b);
}
Tensor operator>(const Tensor& a, const Tensor& b) {
  return gt(a, b);
}
Tensor operator>=(const Tensor& a, const Tensor& b) {
  return ge(a, b);
}
Tensor operator==(const Tensor& a, const Scalar& b) {
  return eq(a, b);
}
Tensor operator!=(const Tensor& a, const Scalar& b) {
  return ne(a, b);
}
Tensor operator<(const Tensor& a, const Scalar& b) {
  return lt(a, b);
}
Tensor operator<=(const Tensor& a, const Scalar& b) {
  return le(a, b);
}
Tensor operator>(const Tensor& a, const Scalar& b) {
  return gt(a, b);
}
Tensor operator>=(const Tensor& a, const Scalar& b) {
  return ge(a, b);
}
Tensor& operator+=(Tensor& a, const Tensor& b) {
  return a.add_(b);
}
Tensor& operator-=(Tensor& a, const Tensor& b) {
  return a.sub_(b);
}
Tensor& operator*=(Tensor& a, const Tensor& b) {
  return a.mul_(b);
}
Tensor& operator/=(Tensor& a, const Tensor& b) {
  return a.div_(b);
}
Tensor& operator+=(Tensor& a, const Scalar& b) {
  return a.add_(b);
}
Tensor& operator-=(Tensor& a, const Scalar& b) {
  native::binary_(BinaryOp::Sub, a, scalar_operand(a, b));
  return a;
}
Tensor& operator*=(Tensor& a, const Scalar& b) {
  return a.mul_(b);
}
Tensor& operator/=(Tensor& a, const Scalar& b) {
  return a.div_(b);
}

Tensor Tensor::neg() const {
  return nabla::neg(*this);
}
Tensor Tensor::exp() const {
  return nabla::exp(*this);
}
Tensor Tensor::log() const {
  return nabla::log(*this);
}
Tensor Tensor::sqrt() const {
  return nabla::sqrt(*this);
}
Tensor Tensor::abs() const {
  return nabla::abs(*this);
}
Tensor Tensor::relu() const {
  return nabla::relu(*this);
}
Tensor Tensor::sigmoid() const {
  return nabla::sigmoid(*this);
}
Tensor Tensor::tanh() const {
  return nabla::tanh(*this);
}
Tensor Tensor::pow(const Scalar& exponent) const {
  return nabla::pow(*this, exponent);
}
Tensor Tensor::clamp(const Scalar& min, const Scalar& max) const {
  return nabla::clamp(*this, min, max);
}
Tensor Tensor::clamp_min(const Scalar& min) const {
  return nabla::clamp(*this, min, std::nullopt);
}
Tensor Tensor::clamp_max(const Scalar& max) const {
  return nabla::clamp(*this, std::nullopt, max);
}
Tensor Tensor::add(const Tensor& other, const Scalar& alpha) const {
  return nabla::add(*this, other, alpha);
}
Tensor Tensor::sub(const Tensor& other, const Scalar& alpha) const {
  return nabla::sub(*this, other, alpha);
}
Tensor Tensor::mul(const Tensor& other) const {
  return nabla::mul(*this, other);
}
Tensor Tensor::div(const Tensor& other) const {
  return nabla::div(*this, other);
}
Tensor Tensor::maximum(const Tensor& other) const {
  return nabla::maximum(*this, other);
}
Tensor Tensor::minimum(const Tensor& other) const {
  return nabla::minimum(*this, other);
}
Tensor Tensor::eq(const Tensor& other) const {
  return nabla::eq(*this, other);
}
Tensor Tensor::ne(const Tensor& other) const {
  return nabla::ne(*this, other);
}
Tensor Tensor::lt(const Tensor& other) const {
  return nabla::lt(*this, other);
}
Tensor Tensor::le(const Tensor& other) const {
  return nabla::le(*this, other);
}
Tensor Tensor::gt(const Tensor& other) const {
  return nabla::gt(*this, other);
}
Tensor Tensor::ge(const Tensor& other) const {
  return nabla::ge(*this, other);
}

Tensor& Tensor::fill_(const Scalar& value) {
  native::fill_(*this, value);
  return *this;
}
Tensor& Tensor::copy_(const Tensor& src) {
  native::copy_(*this, src);
  return *this;
}
Tensor& Tensor::add_(const Tensor& other, const Scalar& alpha) {
  native::binary_(BinaryOp::Add, *this,
                  alpha.to_double() == 1.0 ? other : native::binary(BinaryOp::Mul, other, alpha));
  return *this;
}
Tensor& Tensor::add_(const Scalar& other) {
  native::binary_(BinaryOp::Add, *this, scalar_operand(*this, other));
  return *this;
}
Tensor& Tensor::sub_(const Tensor& other, const Scalar& alpha) {
  native::binary_(BinaryOp::Sub, *this,
                  alpha.to_double() == 1.0 ? other : native::binary(BinaryOp::Mul, other, alpha));
  return *this;
}
Tensor& Tensor::mul_(const Tensor& other) {
  native::binary_(BinaryOp::Mul, *this, other);
  return *this;
}
Tensor& Tensor::mul_(const Scalar& other) {
  native::binary_(BinaryOp::Mul, *this, scalar_operand(*this, other));
  return *this;
}
Tensor& Tensor::div_(const Tensor& other) {
  native::binary_(BinaryOp::Div, *this, other);
  return *this;
}
Tensor& Tensor::div_(const Scalar& other) {
  native::binary_(BinaryOp::Div, *this, scalar_operand(*this, other));
  return *this;
}

}  // namespace nabla

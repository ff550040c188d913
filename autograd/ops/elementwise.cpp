// Elementwise ops and their gradients: unary math and activations, broadcasting binary ops,
// comparisons, where, and the in-place forms. Broadcast inputs get full-shape gradients here; the
// engine sums them back to each input's shape.
#include <nabla/autograd/in_place.h>
#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/math/wrapping.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;

Tensor zeros_as(const Tensor& t) {
  return native::full(t.sizes(), 0, t.dtype(), t.device());
}

// --- unary -----------------------------------------------------------------------------------

struct NegBackward final : Node {
  const char* name() const override { return "NegBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override { return {-grad}; }
};

// Backward of ops whose derivative is a shared functor of the output: relu, sigmoid, tanh.
struct ActivationBackward final : Node {
  ActivationBackward(const char* op, BinaryOp derivative) : op_(op), derivative_(derivative) {}
  const char* name() const override { return op_; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    return {native::binary(derivative_, grad, result.unpack(*this))};
  }
  void release_saved() override { result.reset(); }
  SavedTensor result;

 private:
  const char* op_;
  BinaryOp derivative_;
};

struct ExpBackward final : Node {
  const char* name() const override { return "ExpBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override { return {grad * result.unpack(*this)}; }
  void release_saved() override { result.reset(); }
  SavedTensor result;
};

struct LogBackward final : Node {
  const char* name() const override { return "LogBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override { return {grad / self.unpack(*this)}; }
  void release_saved() override { self.reset(); }
  SavedTensor self;
};

struct SqrtBackward final : Node {
  const char* name() const override { return "SqrtBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    return {grad / (result.unpack(*this) * 2)};
  }
  void release_saved() override { result.reset(); }
  SavedTensor result;
};

// d|x| = sign(x), which is 0 at 0 as in PyTorch.
struct AbsBackward final : Node {
  const char* name() const override { return "AbsBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor x = self.unpack(*this);
    const Tensor sign = (x > 0).to(x.dtype()) - (x < 0).to(x.dtype());
    return {grad * sign};
  }
  void release_saved() override { self.reset(); }
  SavedTensor self;
};

// d x^p = p x^(p-1); the derivative of x^0 is 0 everywhere.
struct PowBackward final : Node {
  explicit PowBackward(double exponent) : exponent(exponent) {}
  const char* name() const override { return "PowBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    if (exponent == 0) return {zeros_as(grad)};
    return {grad * self.unpack(*this).pow(exponent - 1) * exponent};
  }
  void release_saved() override { self.reset(); }
  SavedTensor self;
  double exponent;
};

// The gradient passes where min <= x <= max, as in PyTorch (both bounds included).
struct ClampBackward final : Node {
  ClampBackward(std::optional<Scalar> min, std::optional<Scalar> max) : min(min), max(max) {}
  const char* name() const override { return "ClampBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor x = self.unpack(*this);
    Tensor pass;
    if (min) pass = x >= *min;
    if (max) pass = pass.defined() ? native::binary(BinaryOp::Mul, pass, x <= *max) : x <= *max;
    return {where(pass, grad, zeros_as(grad))};
  }
  void release_saved() override { self.reset(); }
  SavedTensor self;
  std::optional<Scalar> min, max;
};

Tensor activation(UnaryOp op, BinaryOp derivative, const char* backward_name, const Tensor& x) {
  Tensor y = native::unary(op, x);
  if (auto node = record<ActivationBackward>(y, {&x}, backward_name, derivative)) {
    node->result.save(y);
  }
  return y;
}

// --- binary ----------------------------------------------------------------------------------

struct AddBackward final : Node {
  explicit AddBackward(double alpha) : alpha(alpha) {}
  const char* name() const override { return "AddBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    return {grad, alpha == 1 ? grad : grad * alpha};
  }
  double alpha;
};

struct SubBackward final : Node {
  explicit SubBackward(double alpha) : alpha(alpha) {}
  const char* name() const override { return "SubBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override { return {grad, grad * -alpha}; }
  double alpha;
};

struct MulBackward final : Node {
  const char* name() const override { return "MulBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    return {needs_input_grad(0) ? grad * other.unpack(*this) : Tensor(),
            needs_input_grad(1) ? grad * self.unpack(*this) : Tensor()};
  }
  void release_saved() override {
    self.reset();
    other.reset();
  }
  SavedTensor self, other;
};

struct DivBackward final : Node {
  const char* name() const override { return "DivBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor b = other.unpack(*this);
    Tensor grad_self = grad / b;
    return {needs_input_grad(0) ? grad_self : Tensor(),
            needs_input_grad(1) ? -grad_self * self.unpack(*this) / b : Tensor()};
  }
  void release_saved() override {
    self.reset();
    other.reset();
  }
  SavedTensor self, other;
};

// maximum/minimum: the gradient goes to the winner, and is split in half between equal values.
struct MinMaxBackward final : Node {
  explicit MinMaxBackward(bool is_max) : is_max(is_max) {}
  const char* name() const override { return is_max ? "MaximumBackward" : "MinimumBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor a = self.unpack(*this), b = other.unpack(*this);
    const Tensor zero = zeros_as(grad);
    const Tensor tie = where(a == b, grad * 0.5, grad);
    const Tensor a_wins = is_max ? a >= b : a <= b;
    const Tensor b_wins = is_max ? b >= a : b <= a;
    return {where(a_wins, tie, zero), where(b_wins, tie, zero)};
  }
  void release_saved() override {
    self.reset();
    other.reset();
  }
  SavedTensor self, other;
  bool is_max;
};

// x + s, x - s, x * s, x / s: only x has a gradient, scaled by a constant.
struct ScaleBackward final : Node {
  ScaleBackward(const char* op, double scale) : op(op), scale(scale) {}
  const char* name() const override { return op; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    return {scale == 1 ? grad : grad * scale};
  }
  const char* op;
  double scale;
};

// scalar - x and scalar / x, where only x has a gradient.
struct ReverseSubBackward final : Node {
  const char* name() const override { return "RsubBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override { return {-grad}; }
};

struct ReverseDivBackward final : Node {
  explicit ReverseDivBackward(const Scalar& numerator) : numerator(numerator) {}
  const char* name() const override { return "RdivBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor x = self.unpack(*this);
    return {-grad * numerator / (x * x)};
  }
  void release_saved() override { self.reset(); }
  SavedTensor self;
  Scalar numerator;
};

struct WhereBackward final : Node {
  const char* name() const override { return "WhereBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor c = condition.unpack(*this), zero = zeros_as(grad);
    return {Tensor(), needs_input_grad(1) ? where(c, grad, zero) : Tensor(),
            needs_input_grad(2) ? where(c, zero, grad) : Tensor()};
  }
  void release_saved() override { condition.reset(); }
  SavedTensor condition;
};

// PyTorch refuses a fractional alpha when the result would be integral.
void check_alpha(const char* op, const Tensor& a, const Tensor& b, const Scalar& alpha) {
  NABLA_CHECK(!alpha.is_floating_point() || is_floating_point(native::result_type(a, b)), op,
              ": alpha ", alpha, " must be an integer for ", native::result_type(a, b), " tensors");
}

// Scaling b by alpha would hide a bool operand from the kernel's own check.
void check_bool_sub(const Tensor& a, const Tensor& b) {
  NABLA_CHECK(a.dtype() != kBool && b.dtype() != kBool, "sub: subtraction with a bool operand (",
              a.dtype(), " - ", b.dtype(),
              ") is not supported; to invert a mask use logical_not or ~, for bool - bool use "
              "logical_xor or ^");
}

// alpha * b in the result type of a and b, which alpha does not change (as in PyTorch: bool + bool
// with alpha 2 is bool, uint8 * 2 does not wrap before an int64 add).
Tensor scaled(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  const ScalarType type = native::result_type(a, b);
  if (type == kBool) {
    return alpha.to_double() != 0 ? b : native::full(b.sizes(), false, kBool, b.device());
  }
  return native::binary(BinaryOp::Mul, native::to(b, type), alpha);
}

}  // namespace

Tensor neg(const Tensor& x) {
  Tensor y = native::unary(UnaryOp::Neg, x);
  record<NegBackward>(y, {&x});
  return y;
}

Tensor exp(const Tensor& x) {
  Tensor y = native::unary(UnaryOp::Exp, x);
  if (auto node = record<ExpBackward>(y, {&x})) node->result.save(y);
  return y;
}

Tensor log(const Tensor& x) {
  Tensor y = native::unary(UnaryOp::Log, x);
  if (auto node = record<LogBackward>(y, {&x})) node->self.save(x);
  return y;
}

Tensor sqrt(const Tensor& x) {
  Tensor y = native::unary(UnaryOp::Sqrt, x);
  if (auto node = record<SqrtBackward>(y, {&x})) node->result.save(y);
  return y;
}

Tensor abs(const Tensor& x) {
  Tensor y = native::unary(UnaryOp::Abs, x);
  if (auto node = record<AbsBackward>(y, {&x})) node->self.save(x);
  return y;
}

Tensor relu(const Tensor& x) {
  return activation(UnaryOp::Relu, BinaryOp::ReluBackward, "ReluBackward", x);
}
Tensor sigmoid(const Tensor& x) {
  return activation(UnaryOp::Sigmoid, BinaryOp::SigmoidBackward, "SigmoidBackward", x);
}
Tensor tanh(const Tensor& x) {
  return activation(UnaryOp::Tanh, BinaryOp::TanhBackward, "TanhBackward", x);
}

Tensor pow(const Tensor& x, const Scalar& exponent) {
  Tensor y = native::pow(x, exponent);
  if (auto node = record<PowBackward>(y, {&x}, exponent.to_double())) node->self.save(x);
  return y;
}

Tensor clamp(const Tensor& x, const std::optional<Scalar>& min, const std::optional<Scalar>& max) {
  Tensor y = native::clamp(x, min, max);
  if (auto node = record<ClampBackward>(y, {&x}, min, max)) node->self.save(x);
  return y;
}

Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  check_alpha("add", a, b, alpha);
  Tensor y = alpha.to_double() == 1.0 ? native::binary(BinaryOp::Add, a, b)
                                      : native::binary(BinaryOp::Add, a, scaled(a, b, alpha));
  record<AddBackward>(y, {&a, &b}, alpha.to_double());
  return y;
}

Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  check_alpha("sub", a, b, alpha);
  check_bool_sub(a, b);
  Tensor y = alpha.to_double() == 1.0 ? native::binary(BinaryOp::Sub, a, b)
                                      : native::binary(BinaryOp::Sub, a, scaled(a, b, alpha));
  record<SubBackward>(y, {&a, &b}, alpha.to_double());
  return y;
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor y = native::binary(BinaryOp::Mul, a, b);
  if (auto node = record<MulBackward>(y, {&a, &b})) {
    if (node->needs_input_grad(0)) node->other.save(b);
    if (node->needs_input_grad(1)) node->self.save(a);
  }
  return y;
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor y = native::binary(BinaryOp::Div, a, b);
  if (auto node = record<DivBackward>(y, {&a, &b})) {
    node->other.save(b);
    if (node->needs_input_grad(1)) node->self.save(a);
  }
  return y;
}

Tensor maximum(const Tensor& a, const Tensor& b) {
  Tensor y = native::binary(BinaryOp::Maximum, a, b);
  if (auto node = record<MinMaxBackward>(y, {&a, &b}, true)) {
    node->self.save(a);
    node->other.save(b);
  }
  return y;
}

Tensor minimum(const Tensor& a, const Tensor& b) {
  Tensor y = native::binary(BinaryOp::Minimum, a, b);
  if (auto node = record<MinMaxBackward>(y, {&a, &b}, false)) {
    node->self.save(a);
    node->other.save(b);
  }
  return y;
}

Tensor add(const Tensor& a, const Scalar& b) {
  Tensor y = native::binary(BinaryOp::Add, a, b);
  record<ScaleBackward>(y, {&a}, "AddBackward", 1.0);
  return y;
}
Tensor sub(const Tensor& a, const Scalar& b) {
  Tensor y = native::binary(BinaryOp::Sub, a, b);
  record<ScaleBackward>(y, {&a}, "SubBackward", 1.0);
  return y;
}
Tensor mul(const Tensor& a, const Scalar& b) {
  Tensor y = native::binary(BinaryOp::Mul, a, b);
  record<ScaleBackward>(y, {&a}, "MulBackward", b.to_double());
  return y;
}
Tensor div(const Tensor& a, const Scalar& b) {
  Tensor y = native::binary(BinaryOp::Div, a, b);
  record<ScaleBackward>(y, {&a}, "DivBackward", 1.0 / b.to_double());
  return y;
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
  Tensor y = native::where(condition, a, b);
  if (auto node = record<WhereBackward>(y, {&condition, &a, &b})) node->condition.save(condition);
  return y;
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
  Tensor y = native::binary(BinaryOp::Sub, a, b);
  record<ReverseSubBackward>(y, {&b});
  return y;
}
Tensor operator*(const Scalar& a, const Tensor& b) {
  return mul(b, a);
}
Tensor operator/(const Scalar& a, const Tensor& b) {
  Tensor y = native::binary(BinaryOp::Div, a, b);
  if (auto node = record<ReverseDivBackward>(y, {&b}, a)) node->self.save(b);
  return y;
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
  return a.sub_(b);
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
namespace {
// other * alpha for add(Scalar, alpha) and sub(Scalar, alpha): in int64 (wrapping) when both are
// integers, so that x.add(3, 2) on an int64 tensor stays int64, else in double.
Scalar scaled(const Scalar& other, const Scalar& alpha) {
  if (!alpha.is_floating_point() && alpha.to<int64_t>() == 1) return other;
  if (!other.is_floating_point() && !alpha.is_floating_point()) {
    return math::wrapping_mul(other.to<int64_t>(), alpha.to<int64_t>());
  }
  return other.to_double() * alpha.to_double();
}
}  // namespace
Tensor Tensor::add(const Scalar& other, const Scalar& alpha) const {
  return nabla::add(*this, scaled(other, alpha));
}
Tensor Tensor::sub(const Scalar& other, const Scalar& alpha) const {
  return nabla::sub(*this, scaled(other, alpha));
}
Tensor Tensor::mul(const Scalar& other) const {
  return nabla::mul(*this, other);
}
Tensor Tensor::div(const Scalar& other) const {
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
Tensor Tensor::eq(const Scalar& other) const {
  return nabla::eq(*this, other);
}
Tensor Tensor::ne(const Scalar& other) const {
  return nabla::ne(*this, other);
}
Tensor Tensor::lt(const Scalar& other) const {
  return nabla::lt(*this, other);
}
Tensor Tensor::le(const Scalar& other) const {
  return nabla::le(*this, other);
}
Tensor Tensor::gt(const Scalar& other) const {
  return nabla::gt(*this, other);
}
Tensor Tensor::ge(const Scalar& other) const {
  return nabla::ge(*this, other);
}

// The arithmetic in-place ops write through the kernels directly unless the graph is involved;
// then they are their functional form written back (autograd/in_place.h), as the others are.
#define NABLA_GRAPH_AWARE(op, self, others, functional)            \
  if (autograd::in_graph(self, others)) {                          \
    return autograd::apply_in_place(op, self, others, functional); \
  }

Tensor& Tensor::fill_(const Scalar& value) {
  NABLA_GRAPH_AWARE("fill_", *this, {}, [&](const Tensor& self) {
    return native::full(self.sizes(), value, self.dtype(), self.device());
  });
  native::fill_(*this, value);
  return *this;
}
Tensor& Tensor::copy_(const Tensor& src) {
  NABLA_GRAPH_AWARE("copy_", *this, {&src}, [&](const Tensor& self) {
    // src broadcast to self's shape, in self's dtype (the engine sums its gradient back); the
    // old self gets none.
    return (src.dtype() == self.dtype() ? src : src.to(self.dtype())).expand(self.sizes()).clone();
  });
  native::copy_(*this, src);
  return *this;
}
Tensor& Tensor::add_(const Tensor& other, const Scalar& alpha) {
  NABLA_GRAPH_AWARE("add_", *this, {&other},
                    [&](const Tensor& self) { return nabla::add(self, other, alpha); });
  native::binary_(BinaryOp::Add, *this,
                  alpha.to_double() == 1.0 ? other : scaled(*this, other, alpha));
  return *this;
}
Tensor& Tensor::add_(const Scalar& other) {
  NABLA_GRAPH_AWARE("add_", *this, {}, [&](const Tensor& self) { return nabla::add(self, other); });
  native::binary_(BinaryOp::Add, *this, other);
  return *this;
}
Tensor& Tensor::sub_(const Tensor& other, const Scalar& alpha) {
  check_bool_sub(*this, other);
  NABLA_GRAPH_AWARE("sub_", *this, {&other},
                    [&](const Tensor& self) { return nabla::sub(self, other, alpha); });
  native::binary_(BinaryOp::Sub, *this,
                  alpha.to_double() == 1.0 ? other : scaled(*this, other, alpha));
  return *this;
}
Tensor& Tensor::sub_(const Scalar& other) {
  NABLA_GRAPH_AWARE("sub_", *this, {}, [&](const Tensor& self) { return nabla::sub(self, other); });
  native::binary_(BinaryOp::Sub, *this, other);
  return *this;
}
Tensor& Tensor::mul_(const Tensor& other) {
  NABLA_GRAPH_AWARE("mul_", *this, {&other},
                    [&](const Tensor& self) { return nabla::mul(self, other); });
  native::binary_(BinaryOp::Mul, *this, other);
  return *this;
}
Tensor& Tensor::mul_(const Scalar& other) {
  NABLA_GRAPH_AWARE("mul_", *this, {}, [&](const Tensor& self) { return nabla::mul(self, other); });
  native::binary_(BinaryOp::Mul, *this, other);
  return *this;
}
Tensor& Tensor::div_(const Tensor& other) {
  NABLA_GRAPH_AWARE("div_", *this, {&other},
                    [&](const Tensor& self) { return nabla::div(self, other); });
  native::binary_(BinaryOp::Div, *this, other);
  return *this;
}
Tensor& Tensor::div_(const Scalar& other) {
  NABLA_GRAPH_AWARE("div_", *this, {}, [&](const Tensor& self) { return nabla::div(self, other); });
  native::binary_(BinaryOp::Div, *this, other);
  return *this;
}
#undef NABLA_GRAPH_AWARE

// The other in-place forms are their functional op written back (autograd/in_place.h).
#define NABLA_IN_PLACE_UNARY(name)                                                         \
  Tensor& Tensor::name##_() {                                                              \
    return autograd::apply_in_place(#name "_", *this, {},                                  \
                                    [](const Tensor& self) { return nabla::name(self); }); \
  }
NABLA_IN_PLACE_UNARY(neg)
NABLA_IN_PLACE_UNARY(exp)
NABLA_IN_PLACE_UNARY(log)
NABLA_IN_PLACE_UNARY(sqrt)
NABLA_IN_PLACE_UNARY(abs)
NABLA_IN_PLACE_UNARY(relu)
NABLA_IN_PLACE_UNARY(sigmoid)
NABLA_IN_PLACE_UNARY(tanh)
#undef NABLA_IN_PLACE_UNARY

Tensor& Tensor::pow_(const Scalar& exponent) {
  return autograd::apply_in_place("pow_", *this, {},
                                  [&](const Tensor& self) { return nabla::pow(self, exponent); });
}
Tensor& Tensor::clamp_(const std::optional<Scalar>& min, const std::optional<Scalar>& max) {
  return autograd::apply_in_place("clamp_", *this, {},
                                  [&](const Tensor& self) { return nabla::clamp(self, min, max); });
}
Tensor& Tensor::clamp_min_(const Scalar& min) {
  return clamp_(min, std::nullopt);
}
Tensor& Tensor::clamp_max_(const Scalar& max) {
  return clamp_(std::nullopt, max);
}
Tensor& Tensor::remainder_(const Scalar& other) {
  return autograd::apply_in_place(
      "remainder_", *this, {}, [&](const Tensor& self) { return nabla::remainder(self, other); });
}

}  // namespace nabla

// Division with rounding: remainder (the divisor's sign, Python's %), fmod (the dividend's sign,
// C's %), floor_divide and div with a rounding mode. The quotients are piecewise constant, so
// their gradient is zero; a remainder's is grad for the dividend and -grad * quotient for the
// divisor, the quotient rounded as the remainder's (floor for remainder, trunc for fmod).
#include <string>

#include <nabla/autograd/in_place.h>
#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;

// Integer division by zero has no answer; refuse it as PyTorch's CPU does (this reads from the
// device, for integer results only).
void check_integer_divisor(const char* op, const Tensor& result, const Tensor& divisor) {
  if (is_floating_point(result.dtype()) || divisor.numel() == 0) return;
  const bool has_zero =
      native::sum(native::binary(BinaryOp::Eq, divisor, int64_t{0}), {}, false).item<int64_t>() > 0;
  NABLA_CHECK(!has_zero, op, ": integer division by zero (divisor shape ", divisor.sizes(),
              ", dtype ", divisor.dtype(), ")");
}
void check_integer_divisor(const char* op, const Tensor& result, const Scalar& divisor) {
  NABLA_CHECK(is_floating_point(result.dtype()) || divisor.to_double() != 0.0, op,
              ": integer division by zero (dtype ", result.dtype(), ")");
}

struct RemainderBackward final : Node {
  RemainderBackward(const char* name, BinaryOp quotient) : name_(name), quotient(quotient) {}
  const char* name() const override { return name_; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    Tensor grad_other;
    if (needs_input_grad(1)) {
      grad_other = -grad * native::binary(quotient, self.unpack(*this), other.unpack(*this));
    }
    return {needs_input_grad(0) ? grad : Tensor(), grad_other};
  }
  void release_saved() override {
    self.reset();
    other.reset();
  }
  SavedTensor self, other;

 private:
  const char* name_;
  BinaryOp quotient;
};

struct ZeroBackward final : Node {
  explicit ZeroBackward(const char* name) : name_(name) {}
  const char* name() const override { return name_; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    return std::vector<Tensor>(next_edges().size(),
                               native::full(grad.sizes(), 0, grad.dtype(), grad.device()));
  }

 private:
  const char* name_;
};

Tensor remainder_op(BinaryOp op, BinaryOp quotient, const char* name, const char* backward,
                    const Tensor& a, const Tensor& b) {
  Tensor y = native::binary(op, a, b);
  check_integer_divisor(name, y, b);
  if (auto node = record<RemainderBackward>(y, {&a, &b}, backward, quotient)) {
    if (node->needs_input_grad(1)) {
      node->self.save(a);
      node->other.save(b);
    }
  }
  return y;
}

// x % scalar: the gradient passes through unchanged.
struct PassBackward final : Node {
  explicit PassBackward(const char* name) : name_(name) {}
  const char* name() const override { return name_; }
  std::vector<Tensor> apply(const Tensor& grad) override { return {grad}; }

 private:
  const char* name_;
};

Tensor remainder_by_scalar(BinaryOp op, const char* name, const char* backward, const Tensor& a,
                           const Scalar& b) {
  Tensor y = native::binary(op, a, b);
  check_integer_divisor(name, y, b);
  record<PassBackward>(y, {&a}, backward);
  return y;
}

Tensor quotient_op(BinaryOp op, const char* name, const Tensor& a, const Tensor& b) {
  Tensor y = native::binary(op, a, b);
  check_integer_divisor(name, y, b);
  record<ZeroBackward>(y, {&a, &b}, "DivBackward");
  return y;
}

BinaryOp rounding(const std::string& mode) {
  if (mode == "trunc") return BinaryOp::DivTrunc;
  if (mode == "floor") return BinaryOp::DivFloor;
  NABLA_FAIL("div: rounding_mode must be \"trunc\" or \"floor\", got \"", mode, "\"");
}

}  // namespace

Tensor remainder(const Tensor& a, const Tensor& b) {
  return remainder_op(BinaryOp::Remainder, BinaryOp::DivFloor, "remainder", "RemainderBackward", a,
                      b);
}
Tensor remainder(const Tensor& a, const Scalar& b) {
  return remainder_by_scalar(BinaryOp::Remainder, "remainder", "RemainderBackward", a, b);
}
Tensor fmod(const Tensor& a, const Tensor& b) {
  return remainder_op(BinaryOp::Fmod, BinaryOp::DivTrunc, "fmod", "FmodBackward", a, b);
}
Tensor fmod(const Tensor& a, const Scalar& b) {
  return remainder_by_scalar(BinaryOp::Fmod, "fmod", "FmodBackward", a, b);
}
Tensor floor_divide(const Tensor& a, const Tensor& b) {
  return quotient_op(BinaryOp::DivFloor, "floor_divide", a, b);
}
Tensor floor_divide(const Tensor& a, const Scalar& b) {
  Tensor y = native::binary(BinaryOp::DivFloor, a, b);
  check_integer_divisor("floor_divide", y, b);
  record<ZeroBackward>(y, {&a}, "DivBackward");
  return y;
}
Tensor div(const Tensor& a, const Tensor& b, const std::string& rounding_mode) {
  return quotient_op(rounding(rounding_mode), "div", a, b);
}

Tensor operator%(const Tensor& a, const Tensor& b) {
  return remainder(a, b);
}
Tensor operator%(const Tensor& a, const Scalar& b) {
  return remainder(a, b);
}

// In place: the functional op written back (autograd/in_place.h).
#define NABLA_IN_PLACE_DIVISION(name, Other, operand)                                              \
  Tensor& Tensor::name##_(const Other& other) {                                                    \
    return autograd::apply_in_place(#name "_", *this, operand,                                     \
                                    [&](const Tensor& self) { return nabla::name(self, other); }); \
  }
NABLA_IN_PLACE_DIVISION(remainder, Tensor, {&other})
NABLA_IN_PLACE_DIVISION(fmod, Tensor, {&other})
NABLA_IN_PLACE_DIVISION(fmod, Scalar, {})
NABLA_IN_PLACE_DIVISION(floor_divide, Tensor, {&other})
NABLA_IN_PLACE_DIVISION(floor_divide, Scalar, {})
#undef NABLA_IN_PLACE_DIVISION

Tensor Tensor::div(const Tensor& other, const std::string& rounding_mode) const {
  return nabla::div(*this, other, rounding_mode);
}
Tensor Tensor::remainder(const Tensor& other) const {
  return nabla::remainder(*this, other);
}
Tensor Tensor::remainder(const Scalar& other) const {
  return nabla::remainder(*this, other);
}
Tensor Tensor::fmod(const Tensor& other) const {
  return nabla::fmod(*this, other);
}
Tensor Tensor::fmod(const Scalar& other) const {
  return nabla::fmod(*this, other);
}
Tensor Tensor::floor_divide(const Tensor& other) const {
  return nabla::floor_divide(*this, other);
}
Tensor Tensor::floor_divide(const Scalar& other) const {
  return nabla::floor_divide(*this, other);
}

}  // namespace nabla

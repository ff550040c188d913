// Elementwise math beyond the basics, each with its derivative beside it: trigonometric,
// logarithms and exponentials, reciprocal and square roots, rounding, sign and erf; and the fused
// forms lerp, addcmul and addcdiv, composed from differentiable ops.
#include <cmath>
#include <functional>

#include <nabla/autograd/in_place.h>
#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;

// dx = derivative(grad, x, y) for y = op(x); the op saves x, y or both, as its derivative needs.
using Derivative = std::function<Tensor(const Tensor& grad, const Tensor& x, const Tensor& y)>;
enum Saves : unsigned { kInput = 1, kOutput = 2 };

struct UnaryMathBackward final : Node {
  UnaryMathBackward(const char* name, Derivative derivative)
      : name_(name), derivative(std::move(derivative)) {}
  const char* name() const override { return name_; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    return {derivative(grad, input.unpack(*this), output.unpack(*this))};
  }
  void release_saved() override {
    input.reset();
    output.reset();
  }
  SavedTensor input, output;

 private:
  const char* name_;
  Derivative derivative;
};

Tensor unary_math(UnaryOp op, const Tensor& x, const char* backward_name, unsigned saves,
                  Derivative derivative) {
  Tensor y = native::unary(op, x);
  if (auto node = record<UnaryMathBackward>(y, {&x}, backward_name, std::move(derivative))) {
    if (saves & kInput) node->input.save(x);
    if (saves & kOutput) node->output.save(y);
  }
  return y;
}

// Rounding and sign are flat almost everywhere: their gradient is zero, as in PyTorch.
Tensor flat(UnaryOp op, const Tensor& x, const char* backward_name) {
  return unary_math(op, x, backward_name, 0, [](const Tensor& grad, const Tensor&, const Tensor&) {
    return native::full(grad.sizes(), 0, grad.dtype(), grad.device());
  });
}

}  // namespace

Tensor sin(const Tensor& x) {
  return unary_math(UnaryOp::Sin, x, "SinBackward", kInput,
                    [](const Tensor& g, const Tensor& x, const Tensor&) { return g * cos(x); });
}
Tensor cos(const Tensor& x) {
  return unary_math(UnaryOp::Cos, x, "CosBackward", kInput,
                    [](const Tensor& g, const Tensor& x, const Tensor&) { return -g * sin(x); });
}
Tensor tan(const Tensor& x) {
  // d tan = 1 + tan^2
  return unary_math(
      UnaryOp::Tan, x, "TanBackward", kOutput,
      [](const Tensor& g, const Tensor&, const Tensor& y) { return g * (y * y + 1); });
}
Tensor log1p(const Tensor& x) {
  return unary_math(UnaryOp::Log1p, x, "Log1pBackward", kInput,
                    [](const Tensor& g, const Tensor& x, const Tensor&) { return g / (x + 1); });
}
Tensor expm1(const Tensor& x) {
  return unary_math(UnaryOp::Expm1, x, "Expm1Backward", kOutput,
                    [](const Tensor& g, const Tensor&, const Tensor& y) { return g * (y + 1); });
}
Tensor log2(const Tensor& x) {
  return unary_math(
      UnaryOp::Log2, x, "Log2Backward", kInput,
      [](const Tensor& g, const Tensor& x, const Tensor&) { return g / (x * std::log(2.0)); });
}
Tensor log10(const Tensor& x) {
  return unary_math(
      UnaryOp::Log10, x, "Log10Backward", kInput,
      [](const Tensor& g, const Tensor& x, const Tensor&) { return g / (x * std::log(10.0)); });
}
Tensor rsqrt(const Tensor& x) {
  // d x^(-1/2) = -1/2 x^(-3/2) = -y^3 / 2
  return unary_math(
      UnaryOp::Rsqrt, x, "RsqrtBackward", kOutput,
      [](const Tensor& g, const Tensor&, const Tensor& y) { return g * (y * y * y) * -0.5; });
}
Tensor reciprocal(const Tensor& x) {
  return unary_math(UnaryOp::Reciprocal, x, "ReciprocalBackward", kOutput,
                    [](const Tensor& g, const Tensor&, const Tensor& y) { return -g * (y * y); });
}
Tensor square(const Tensor& x) {
  return unary_math(UnaryOp::Square, x, "SquareBackward", kInput,
                    [](const Tensor& g, const Tensor& x, const Tensor&) { return g * (x * 2); });
}
Tensor erf(const Tensor& x) {
  // d erf = 2 / sqrt(pi) exp(-x^2)
  return unary_math(UnaryOp::Erf, x, "ErfBackward", kInput,
                    [](const Tensor& g, const Tensor& x, const Tensor&) {
                      return g * exp(-(x * x)) * (2.0 / std::sqrt(M_PI));
                    });
}
Tensor sign(const Tensor& x) {
  return flat(UnaryOp::Sign, x, "SignBackward");
}
Tensor floor(const Tensor& x) {
  return flat(UnaryOp::Floor, x, "FloorBackward");
}
Tensor ceil(const Tensor& x) {
  return flat(UnaryOp::Ceil, x, "CeilBackward");
}
Tensor round(const Tensor& x) {
  return flat(UnaryOp::Round, x, "RoundBackward");
}
Tensor trunc(const Tensor& x) {
  return flat(UnaryOp::Trunc, x, "TruncBackward");
}

// start + weight (end - start)
Tensor lerp(const Tensor& start, const Tensor& end, const Scalar& weight) {
  return start + (end - start) * weight;
}
Tensor lerp(const Tensor& start, const Tensor& end, const Tensor& weight) {
  return start + weight * (end - start);
}
// self + value * tensor1 * tensor2, and self + value * tensor1 / tensor2
Tensor addcmul(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
               const Scalar& value) {
  return self + tensor1 * tensor2 * value;
}
Tensor addcdiv(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
               const Scalar& value) {
  return self + tensor1 / tensor2 * value;
}

#define NABLA_TENSOR_METHOD(name) \
  Tensor Tensor::name() const {   \
    return nabla::name(*this);    \
  }
NABLA_TENSOR_METHOD(sin)
NABLA_TENSOR_METHOD(cos)
NABLA_TENSOR_METHOD(tan)
NABLA_TENSOR_METHOD(log1p)
NABLA_TENSOR_METHOD(expm1)
NABLA_TENSOR_METHOD(log2)
NABLA_TENSOR_METHOD(log10)
NABLA_TENSOR_METHOD(rsqrt)
NABLA_TENSOR_METHOD(reciprocal)
NABLA_TENSOR_METHOD(square)
NABLA_TENSOR_METHOD(erf)
NABLA_TENSOR_METHOD(sign)
NABLA_TENSOR_METHOD(floor)
NABLA_TENSOR_METHOD(ceil)
NABLA_TENSOR_METHOD(round)
NABLA_TENSOR_METHOD(trunc)
#undef NABLA_TENSOR_METHOD

// In place: the functional op written back (autograd/in_place.h).
#define NABLA_IN_PLACE_METHOD(name)                                                        \
  Tensor& Tensor::name##_() {                                                              \
    return autograd::apply_in_place(#name "_", *this, {},                                  \
                                    [](const Tensor& self) { return nabla::name(self); }); \
  }
NABLA_IN_PLACE_METHOD(sin)
NABLA_IN_PLACE_METHOD(cos)
NABLA_IN_PLACE_METHOD(tan)
NABLA_IN_PLACE_METHOD(log1p)
NABLA_IN_PLACE_METHOD(expm1)
NABLA_IN_PLACE_METHOD(log2)
NABLA_IN_PLACE_METHOD(log10)
NABLA_IN_PLACE_METHOD(rsqrt)
NABLA_IN_PLACE_METHOD(reciprocal)
NABLA_IN_PLACE_METHOD(square)
NABLA_IN_PLACE_METHOD(erf)
NABLA_IN_PLACE_METHOD(sign)
NABLA_IN_PLACE_METHOD(floor)
NABLA_IN_PLACE_METHOD(ceil)
NABLA_IN_PLACE_METHOD(round)
NABLA_IN_PLACE_METHOD(trunc)
#undef NABLA_IN_PLACE_METHOD

Tensor& Tensor::lerp_(const Tensor& end, const Scalar& weight) {
  return autograd::apply_in_place(
      "lerp_", *this, {&end}, [&](const Tensor& self) { return nabla::lerp(self, end, weight); });
}
Tensor& Tensor::lerp_(const Tensor& end, const Tensor& weight) {
  return autograd::apply_in_place("lerp_", *this, {&end, &weight}, [&](const Tensor& self) {
    return nabla::lerp(self, end, weight);
  });
}
Tensor& Tensor::addcmul_(const Tensor& tensor1, const Tensor& tensor2, const Scalar& value) {
  return autograd::apply_in_place("addcmul_", *this, {&tensor1, &tensor2}, [&](const Tensor& self) {
    return nabla::addcmul(self, tensor1, tensor2, value);
  });
}
Tensor& Tensor::addcdiv_(const Tensor& tensor1, const Tensor& tensor2, const Scalar& value) {
  return autograd::apply_in_place("addcdiv_", *this, {&tensor1, &tensor2}, [&](const Tensor& self) {
    return nabla::addcdiv(self, tensor1, tensor2, value);
  });
}

Tensor Tensor::lerp(const Tensor& end, const Scalar& weight) const {
  return nabla::lerp(*this, end, weight);
}
Tensor Tensor::lerp(const Tensor& end, const Tensor& weight) const {
  return nabla::lerp(*this, end, weight);
}
Tensor Tensor::addcmul(const Tensor& tensor1, const Tensor& tensor2, const Scalar& value) const {
  return nabla::addcmul(*this, tensor1, tensor2, value);
}
Tensor Tensor::addcdiv(const Tensor& tensor1, const Tensor& tensor2, const Scalar& value) const {
  return nabla::addcdiv(*this, tensor1, tensor2, value);
}

}  // namespace nabla

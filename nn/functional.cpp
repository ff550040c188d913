// nn::functional's layers: compositions of differentiable ops.
#include <nabla/nn/functional.h>

#include <nabla/autograd/ops.h>
#include <nabla/core/factory.h>
#include <nabla/core/native.h>

namespace nabla::nn::functional {

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  NABLA_CHECK(weight.dim() == 2, "linear: expected a 2-D weight [out, in], got shape ",
              weight.sizes());
  NABLA_CHECK(input.dim() >= 1 && input.size(-1) == weight.size(1), "linear: input shape ",
              input.sizes(), " does not end in the weight's in_features ", weight.size(1),
              " (weight shape ", weight.sizes(), ")");
  Tensor out = matmul(input, weight.t());
  return bias.defined() ? out + bias : out;
}

Tensor relu(const Tensor& input) {
  return nabla::relu(input);
}
Tensor sigmoid(const Tensor& input) {
  return nabla::sigmoid(input);
}
Tensor tanh(const Tensor& input) {
  return nabla::tanh(input);
}

Tensor threshold(const Tensor& input, double threshold, double value) {
  return where(input > threshold, input, full_like(input, value));
}

Tensor softmax(const Tensor& input, int64_t dim) {
  return nabla::softmax(input, dim);
}
Tensor log_softmax(const Tensor& input, int64_t dim) {
  return nabla::log_softmax(input, dim);
}

Tensor dropout(const Tensor& input, double p, bool training) {
  NABLA_CHECK(p >= 0 && p <= 1, "dropout: probability must be in [0, 1], got ", p);
  if (!training || p == 0) return input;
  if (p == 1) return input * 0;
  // keep_i = (u_i >= p) for u_i the Philox uniform of (seed, call, i): the same mask on any device.
  const Tensor uniform =
      native::random(input.sizes(), RandomKind::Uniform, 0.0, 1.0,
                     input.is_floating_point() ? input.dtype() : kFloat32, input.device());
  const Tensor scale = native::binary(
      BinaryOp::Mul, native::to(native::binary(BinaryOp::Ge, uniform, p), uniform.dtype()),
      1.0 / (1.0 - p));
  return input * scale;
}

}  // namespace nabla::nn::functional

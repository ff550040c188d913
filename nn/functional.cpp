// nn::functional's layers: compositions of differentiable ops.
#include <nabla/nn/functional.h>

#include <cmath>

#include <nabla/autograd/ops.h>
#include <nabla/core/factory.h>
#include <nabla/core/native.h>

namespace nabla::nn::functional {

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  return nabla::linear(input, weight, bias);
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

Tensor gelu(const Tensor& input, const std::string& approximate) {
  if (approximate == "tanh") {
    // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
    const double k = std::sqrt(2.0 / M_PI);
    return input * 0.5 * (nabla::tanh((input + input * input * input * 0.044715) * k) + 1);
  }
  NABLA_CHECK(approximate == "none", "gelu: approximate must be \"none\" or \"tanh\", got \"",
              approximate, "\"");
  return input * 0.5 * (erf(input * M_SQRT1_2) + 1);  // x Phi(x)
}

Tensor silu(const Tensor& input) {
  return input * nabla::sigmoid(input);
}

Tensor leaky_relu(const Tensor& input, double negative_slope) {
  return where(input > 0, input, input * negative_slope);
}

Tensor elu(const Tensor& input, double alpha) {
  // expm1 of min(x, 0): the branch not taken must not overflow into inf * 0 = NaN gradients.
  return where(input > 0, input, expm1(input.clamp_max(0)) * alpha);
}

Tensor softplus(const Tensor& input, double beta, double threshold) {
  NABLA_CHECK(beta != 0, "softplus: beta must be nonzero");
  const Tensor scaled = input * beta;
  // Above the threshold log(1 + e^z) is z to float precision; below it the clamp keeps exp finite.
  return where(scaled > threshold, input, log1p(exp(scaled.clamp_max(threshold))) / beta);
}

Tensor hardtanh(const Tensor& input, double min_val, double max_val) {
  NABLA_CHECK(min_val <= max_val, "hardtanh: min_val (", min_val, ") must not exceed max_val (",
              max_val, ")");
  // Gradient 1 strictly inside (min_val, max_val) and 0 at the edges, as PyTorch's hardtanh.
  const Tensor inside = (input > min_val) & (input < max_val);
  return where(inside, input, input.clamp(min_val, max_val).detach());
}

Tensor mish(const Tensor& input) {
  return input * nabla::tanh(softplus(input));
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
  // scale_i = (u_i >= p) / (1 - p) for u_i the Philox uniform of (seed, call, i), drawn and
  // thresholded in one pass: the same mask on any device.
  const Tensor scale =
      native::random(input.sizes(), RandomKind::DropoutMask, p, 1.0 / (1.0 - p),
                     input.is_floating_point() ? input.dtype() : kFloat32, input.device());
  return input * scale;
}

}  // namespace nabla::nn::functional

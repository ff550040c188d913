// nn::LayerNorm and functional::layer_norm, composed from mean, var and elementwise ops so that
// autograd derives the gradient and both devices run it.
#include <nabla/nn/layernorm.h>

#include <nabla/autograd/ops.h>
#include <nabla/core/factory.h>
#include <nabla/core/native.h>
#include <nabla/nn/init.h>

namespace nabla::nn {

namespace functional {
Tensor layer_norm(const Tensor& input, const Shape& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  native::check_defined("layer_norm", input);
  const int64_t k = normalized_shape.size();
  NABLA_CHECK(k > 0, "layer_norm: normalized_shape must not be empty");
  bool trailing_match = input.dim() >= k;
  for (int64_t i = 0; trailing_match && i < k; ++i) {
    trailing_match = input.size(input.dim() - k + i) == normalized_shape[i];
  }
  NABLA_CHECK(trailing_match, "layer_norm: expected an input whose last dims are ",
              normalized_shape, ", got shape ", input.sizes());
  NABLA_CHECK(input.is_floating_point(), "layer_norm: expected a floating input, got ",
              input.dtype());
  for (const Tensor* t : {&weight, &bias}) {
    NABLA_CHECK(!t->defined() || t->sizes() == normalized_shape, "layer_norm: expected ",
                t == &weight ? "weight" : "bias", " of shape ", normalized_shape, ", got ",
                t->sizes());
  }
  Shape dims;
  for (int64_t i = input.dim() - k; i < input.dim(); ++i) dims.push_back(i);
  auto [var, mean] = var_mean(input, dims, /*correction=*/0, /*keepdim=*/true);
  Tensor out = (input - mean) * rsqrt(var + eps);
  if (weight.defined()) out = out * weight;
  if (bias.defined()) out = out + bias;
  return out;
}
}  // namespace functional

LayerNormImpl::LayerNormImpl(const LayerNormOptions& options)
    : Module("LayerNorm"), options(options) {
  NABLA_CHECK(!options.normalized_shape_.empty() && options.normalized_shape_.numel() > 0,
              "LayerNorm: normalized_shape must be non-empty with positive sizes, got ",
              options.normalized_shape_);
  if (options.elementwise_affine_) {
    weight = register_parameter("weight", empty(options.normalized_shape_));
    bias = register_parameter("bias", empty(options.normalized_shape_));
    reset_parameters();
  }
}

Tensor LayerNormImpl::forward(const Tensor& input) const {
  return functional::layer_norm(input, options.normalized_shape_, weight, bias, options.eps_);
}

void LayerNormImpl::reset_parameters() {
  if (!options.elementwise_affine_) return;
  init::ones_(weight);
  init::zeros_(bias);
}

void LayerNormImpl::pretty_print(std::ostream& out) const {
  out << "LayerNorm(" << options.normalized_shape_ << ", eps=" << options.eps_
      << ", elementwise_affine=" << (options.elementwise_affine_ ? "true" : "false") << ")";
}

}  // namespace nabla::nn

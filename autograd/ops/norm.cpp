// batch_norm, composed from differentiable ops so that its gradient is theirs: in training it
// normalizes with the batch's statistics and moves the running ones by momentum; in evaluation it
// normalizes with the running ones. Statistics are per channel (dim 1), over every other dim.
#include <cmath>

#include <nabla/autograd/grad_mode.h>
#include <nabla/autograd/ops.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

// A per-channel vector [C] viewed as [1, C, 1, ...] against an input of `dims` dims.
Tensor per_channel(const Tensor& v, int64_t dims) {
  Shape shape = Shape::filled(dims, 1);
  shape[1] = v.size(0);
  return v.reshape(shape);
}

void check_per_channel(const char* what, const Tensor& v, const Tensor& input) {
  if (!v.defined()) return;
  NABLA_CHECK(v.dim() == 1 && v.size(0) == input.size(1), "batch_norm: expected ", what,
              " of shape [", input.size(1), "] for input shape ", input.sizes(), ", got ",
              v.sizes());
  native::check_same_device("batch_norm", input, v);
}

}  // namespace

Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var, bool training,
                  double momentum, double eps) {
  native::check_defined("batch_norm", input);
  NABLA_CHECK(input.dim() >= 2, "batch_norm: expected an input [batch, channels, ...], got shape ",
              input.sizes());
  NABLA_CHECK(input.is_floating_point(), "batch_norm: expected a floating point input, got ",
              input.dtype());
  check_per_channel("weight", weight, input);
  check_per_channel("bias", bias, input);
  check_per_channel("running_mean", running_mean, input);
  check_per_channel("running_var", running_var, input);
  NABLA_CHECK(eps > 0, "batch_norm: eps must be positive, got ", eps);
  Shape dims;
  int64_t count = 1;  // values per channel
  for (int64_t d = 0; d < input.dim(); ++d) {
    if (d == 1) continue;
    dims.push_back(d);
    count *= input.size(d);
  }
  // An empty batch normalizes to nothing and leaves the running statistics alone.
  if (input.numel() == 0) return input * 1;
  Tensor normalized;
  if (training) {
    NABLA_CHECK(count > 1, "batch_norm: expected more than 1 value per channel when training, got ",
                "input shape ", input.sizes());
    const Tensor mean = input.mean(dims, /*keepdim=*/true);
    const Tensor centered = input - mean;
    const Tensor variance = (centered * centered).mean(dims, /*keepdim=*/true);  // biased
    normalized = centered / sqrt(variance + eps);
    if (running_mean.defined() || running_var.defined()) {
      NoGradGuard no_grad;
      // running = (1 - momentum) running + momentum batch; the variance unbiased, as PyTorch.
      if (running_mean.defined()) {
        native::binary_(BinaryOp::Mul, running_mean, 1 - momentum);
        native::binary_(BinaryOp::Add, running_mean,
                        native::binary(BinaryOp::Mul, native::reshape(mean, {-1}), momentum));
      }
      if (running_var.defined()) {
        native::binary_(BinaryOp::Mul, running_var, 1 - momentum);
        native::binary_(BinaryOp::Add, running_var,
                        native::binary(BinaryOp::Mul, native::reshape(variance, {-1}),
                                       momentum * static_cast<double>(count) / (count - 1)));
      }
    }
  } else {
    NABLA_CHECK(running_mean.defined() && running_var.defined(),
                "batch_norm: evaluation needs running_mean and running_var");
    normalized = (input - per_channel(running_mean, input.dim())) /
                 sqrt(per_channel(running_var, input.dim()) + eps);
  }
  if (weight.defined()) normalized = normalized * per_channel(weight, input.dim());
  if (bias.defined()) normalized = normalized + per_channel(bias, input.dim());
  return normalized;
}

}  // namespace nabla

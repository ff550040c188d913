// Gradient clipping, as torch.nn.utils' clip_grad_norm_ and clip_grad_value_, computed where the
// gradients live; parameters_to_vector and vector_to_parameters.
#include <nabla/nn/utils.h>

#include <cmath>

#include <nabla/autograd/grad_mode.h>
#include <nabla/autograd/ops.h>
#include <nabla/core/native.h>

namespace nabla::nn::utils {

Tensor get_total_norm(const std::vector<Tensor>& tensors, double norm_type) {
  NABLA_CHECK(norm_type > 0, "get_total_norm: norm_type must be positive, got ", norm_type);
  NoGradGuard no_grad;
  const bool infinity_norm = std::isinf(norm_type);
  Tensor total;  // sum of |x|^p, or max |x|, in float64 on the tensors' device
  for (const Tensor& t : tensors) {
    if (!t.defined() || t.numel() == 0) continue;
    NABLA_CHECK(!total.defined() || total.device() == t.device(),
                "get_total_norm: expected all tensors on one device, got ", total.device(), " and ",
                t.device());
    const Tensor magnitude = native::unary(UnaryOp::Abs, native::to(t, kFloat64));
    const Tensor part = infinity_norm ? native::amax(magnitude, {}, false)
                                      : native::sum(native::pow(magnitude, norm_type), {}, false);
    if (!total.defined()) {
      total = part;
    } else {
      total = native::binary(infinity_norm ? BinaryOp::Maximum : BinaryOp::Add, total, part);
    }
  }
  if (!total.defined()) return native::full({}, 0.0, kFloat64, Device(kCPU));
  return infinity_norm ? total : native::pow(total, 1.0 / norm_type);
}

void clip_grads_with_norm_(const std::vector<Tensor>& parameters, double max_norm,
                           const Tensor& total_norm) {
  NoGradGuard no_grad;
  // min(1, max_norm / (norm + 1e-6)) as a 0-dim tensor: every gradient is multiplied by it, even
  // when it is 1, so that no branch needs the value on the host.
  const Tensor scale = native::clamp(
      native::binary(BinaryOp::Div, max_norm, native::binary(BinaryOp::Add, total_norm, 1e-6)),
      std::nullopt, Scalar(1.0));
  for (const Tensor& p : parameters) {
    const Tensor& grad = p.grad();
    if (!grad.defined()) continue;
    native::binary_(BinaryOp::Mul, grad, native::to(scale, grad.device()));
  }
}

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type) {
  NABLA_CHECK(norm_type > 0, "clip_grad_norm_: norm_type must be positive, got ", norm_type);
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters) grads.push_back(p.grad());
  const Tensor total = get_total_norm(grads, norm_type);
  clip_grads_with_norm_(parameters, max_norm, total);
  return total.item<double>();
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  NABLA_CHECK(clip_value >= 0, "clip_grad_value_: clip_value must not be negative, got ",
              clip_value);
  NoGradGuard no_grad;
  for (const Tensor& p : parameters) {
    const Tensor& grad = p.grad();
    if (!grad.defined()) continue;
    native::copy_(grad, native::clamp(grad, Scalar(-clip_value), Scalar(clip_value)));
  }
}

namespace {

void check_same_kind(const char* op, const std::vector<Tensor>& parameters) {
  for (const Tensor& p : parameters) {
    native::check_defined(op, p);
    NABLA_CHECK(
        p.device() == parameters.front().device() && p.dtype() == parameters.front().dtype(), op,
        ": expected every parameter on one device with one dtype, got ", parameters.front().dtype(),
        " on ", parameters.front().device(), " and ", p.dtype(), " on ", p.device());
  }
}

}  // namespace

Tensor parameters_to_vector(const std::vector<Tensor>& parameters) {
  NABLA_CHECK(!parameters.empty(), "parameters_to_vector: no parameters");
  check_same_kind("parameters_to_vector", parameters);
  NoGradGuard no_grad;
  std::vector<Tensor> flat;
  for (const Tensor& p : parameters) flat.push_back(p.reshape({-1}));
  return cat(flat, 0);
}

void vector_to_parameters(const Tensor& vec, const std::vector<Tensor>& parameters) {
  native::check_defined("vector_to_parameters", vec);
  NABLA_CHECK(vec.dim() == 1, "vector_to_parameters: expected a 1-D vector, got shape ",
              vec.sizes());
  check_same_kind("vector_to_parameters", parameters);
  int64_t total = 0;
  for (const Tensor& p : parameters) total += p.numel();
  NABLA_CHECK(total == vec.numel(), "vector_to_parameters: the vector has ", vec.numel(),
              " elements but the parameters ", total);
  NoGradGuard no_grad;
  int64_t offset = 0;
  for (const Tensor& p : parameters) {
    native::copy_(p, native::reshape(native::narrow(vec, 0, offset, p.numel()), p.sizes()));
    offset += p.numel();
  }
}

}  // namespace nabla::nn::utils

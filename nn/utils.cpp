// Gradient clipping, as torch.nn.utils.clip_grad_norm_.
#include <nabla/nn/utils.h>

#include <cmath>

#include <nabla/autograd/grad_mode.h>
#include <nabla/core/native.h>

namespace nabla::nn::utils {

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type) {
  NABLA_CHECK(norm_type > 0, "clip_grad_norm_: norm_type must be positive, got ", norm_type);
  NoGradGuard no_grad;
  double total = 0;
  const bool infinity_norm = std::isinf(norm_type);
  for (const Tensor& p : parameters) {
    const Tensor& g = p.grad();
    if (!g.defined() || g.numel() == 0) continue;
    const Tensor magnitude = native::unary(UnaryOp::Abs, native::to(g, kFloat64));
    if (infinity_norm) {
      total = std::max(total, native::amax(magnitude, {}, false).item<double>());
    } else {
      total += native::sum(native::pow(magnitude, norm_type), {}, false).item<double>();
    }
  }
  if (!infinity_norm) total = std::pow(total, 1.0 / norm_type);
  const double scale = max_norm / (total + 1e-6);
  if (scale < 1) {
    for (const Tensor& p : parameters) {
      if (p.grad().defined()) {
        native::binary_(BinaryOp::Mul, p.grad(),
                        native::scalar_tensor(scale, p.grad().dtype(), p.device()));
      }
    }
  }
  return total;
}

}  // namespace nabla::nn::utils

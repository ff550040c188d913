// The per-element update steps of nabla's optimizers, written once for the CPU and CUDA backends.
// They follow torch.optim.SGD, Adam and AdamW exactly (see the formulas in each comment).
#pragma once

#include <nabla/core/math/hostdevice.h>

namespace nabla::math {

struct SgdOptions {
  double lr;
  double momentum;
  double dampening;
  double weight_decay;
  bool nesterov;
  bool first_step;  // the momentum buffer starts as the first gradient, undamped
};

// g = grad + wd * p; buf = first ? g : momentum * buf + (1 - dampening) * g;
// step = nesterov ? g + momentum * buf : buf (or g without momentum); p -= lr * step.
template <typename T>
NABLA_HD void sgd_step(T& param, T grad, T& momentum_buffer, const SgdOptions& o) {
  T g = grad;
  if (o.weight_decay != 0) g += static_cast<T>(o.weight_decay) * param;
  if (o.momentum != 0) {
    if (o.first_step) {
      momentum_buffer = g;
    } else {
      momentum_buffer =
          static_cast<T>(o.momentum) * momentum_buffer + static_cast<T>(1 - o.dampening) * g;
    }
    g = o.nesterov ? g + static_cast<T>(o.momentum) * momentum_buffer : momentum_buffer;
  }
  param -= static_cast<T>(o.lr) * g;
}

struct AdamOptions {
  double lr;
  double beta1;
  double beta2;
  double eps;
  double weight_decay;
  bool decoupled_weight_decay;  // AdamW: p *= 1 - lr * wd, instead of adding wd * p to the gradient
  bool amsgrad;
  int64_t step;  // 1 on the first update; bias corrections use beta^step
};

// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; vmax = max(vmax, v) with amsgrad;
// p -= lr / (1 - b1^t) * m / (sqrt(v or vmax) / sqrt(1 - b2^t) + eps).
template <typename T>
NABLA_HD void adam_step(T& param, T grad, T& exp_avg, T& exp_avg_sq, T& max_exp_avg_sq,
                        const AdamOptions& o) {
  T g = grad;
  if (o.weight_decay != 0) {
    if (o.decoupled_weight_decay) {
      param *= static_cast<T>(1 - o.lr * o.weight_decay);
    } else {
      g += static_cast<T>(o.weight_decay) * param;
    }
  }
  exp_avg = static_cast<T>(o.beta1) * exp_avg + static_cast<T>(1 - o.beta1) * g;
  exp_avg_sq = static_cast<T>(o.beta2) * exp_avg_sq + static_cast<T>(1 - o.beta2) * g * g;
  double bias_correction1 = 1 - ::pow(o.beta1, static_cast<double>(o.step));
  double bias_correction2 = 1 - ::pow(o.beta2, static_cast<double>(o.step));
  T second_moment = exp_avg_sq;
  if (o.amsgrad) {
    if (exp_avg_sq > max_exp_avg_sq) max_exp_avg_sq = exp_avg_sq;
    second_moment = max_exp_avg_sq;
  }
  T denom =
      math::sqrt(second_moment) / static_cast<T>(::sqrt(bias_correction2)) + static_cast<T>(o.eps);
  param -= static_cast<T>(o.lr / bias_correction1) * exp_avg / denom;
}

}  // namespace nabla::math

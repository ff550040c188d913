// The per-element update steps of nabla's optimizers, written once for the CPU and CUDA backends.
// They follow torch.optim.SGD, Adam and AdamW exactly (see the formulas in each comment).
#pragma once

#include <cmath>
#include <cstdint>

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
  AdamOptions(double lr, double beta1, double beta2, double eps, double weight_decay,
              bool decoupled_weight_decay, bool amsgrad, int64_t step)
      : lr(lr),
        beta1(beta1),
        beta2(beta2),
        eps(eps),
        weight_decay(weight_decay),
        decoupled_weight_decay(decoupled_weight_decay),
        amsgrad(amsgrad),
        step(step),
        step_size(lr / (1 - std::pow(beta1, static_cast<double>(step)))),
        bias_correction2_sqrt(std::sqrt(1 - std::pow(beta2, static_cast<double>(step)))) {}

  double lr;
  double beta1;
  double beta2;
  double eps;
  double weight_decay;
  bool decoupled_weight_decay;  // AdamW: p *= 1 - lr * wd, instead of adding wd * p to the gradient
  bool amsgrad;
  int64_t step;  // 1 on the first update; bias corrections use beta^step
  // The bias corrections, computed once per step here: two pow calls per element cost ten times
  // more than the rest of the update.
  double step_size;              // lr / (1 - beta1^step)
  double bias_correction2_sqrt;  // sqrt(1 - beta2^step)
};

// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; vmax = max(vmax, v) with amsgrad;
// p -= lr / (1 - b1^t) * m / (sqrt(v or vmax) / sqrt(1 - b2^t) + eps).
// Every option is applied with a select rather than a branch, and every output is stored
// unconditionally, so that the CPU loop over elements vectorizes.
template <typename T>
NABLA_HD void adam_step(T& param, T grad, T& exp_avg, T& exp_avg_sq, T& max_exp_avg_sq,
                        const AdamOptions& o) {
  const bool decay = o.weight_decay != 0;
  const T p = param;
  const T g = decay && !o.decoupled_weight_decay ? grad + static_cast<T>(o.weight_decay) * p : grad;
  const T decayed =
      decay && o.decoupled_weight_decay ? p * static_cast<T>(1 - o.lr * o.weight_decay) : p;
  const T m = static_cast<T>(o.beta1) * exp_avg + static_cast<T>(1 - o.beta1) * g;
  const T v = static_cast<T>(o.beta2) * exp_avg_sq + static_cast<T>(1 - o.beta2) * g * g;
  const T v_max = o.amsgrad && v > max_exp_avg_sq ? v : max_exp_avg_sq;
  const T denom = math::sqrt(o.amsgrad ? v_max : v) / static_cast<T>(o.bias_correction2_sqrt) +
                  static_cast<T>(o.eps);
  exp_avg = m;
  exp_avg_sq = v;
  max_exp_avg_sq = v_max;
  param = decayed - static_cast<T>(o.step_size) * m / denom;
}

struct RmspropOptions {
  double lr;
  double alpha;
  double eps;
  double weight_decay;
  double momentum;
  bool centered;
};

// g = grad + wd p; sq = alpha sq + (1 - alpha) g^2; centered: ga = lerp(ga, g, 1 - alpha) and
// avg = sqrt(sq - ga^2) + eps, else avg = sqrt(sq) + eps; with momentum buf = m buf + g / avg and
// p -= lr buf, else p -= lr g / avg (torch.optim.RMSprop).
template <typename T>
NABLA_HD void rmsprop_step(T& param, T grad, T& square_avg, T& grad_avg, T& momentum_buffer,
                           const RmspropOptions& o) {
  const T g = o.weight_decay != 0 ? grad + static_cast<T>(o.weight_decay) * param : grad;
  square_avg = static_cast<T>(o.alpha) * square_avg + static_cast<T>(1 - o.alpha) * g * g;
  T avg;
  if (o.centered) {
    grad_avg = grad_avg + static_cast<T>(1 - o.alpha) * (g - grad_avg);
    avg = math::sqrt(square_avg - grad_avg * grad_avg) + static_cast<T>(o.eps);
  } else {
    avg = math::sqrt(square_avg) + static_cast<T>(o.eps);
  }
  if (o.momentum > 0) {
    momentum_buffer = static_cast<T>(o.momentum) * momentum_buffer + g / avg;
    param -= static_cast<T>(o.lr) * momentum_buffer;
  } else {
    param -= static_cast<T>(o.lr) * (g / avg);
  }
}

struct AdagradOptions {
  double clr;  // lr / (1 + (step - 1) lr_decay), computed once per step
  double eps;
  double weight_decay;
};

// g = grad + wd p; sum += g^2; p -= clr g / (sqrt(sum) + eps) (torch.optim.Adagrad).
template <typename T>
NABLA_HD void adagrad_step(T& param, T grad, T& sum, const AdagradOptions& o) {
  const T g = o.weight_decay != 0 ? grad + static_cast<T>(o.weight_decay) * param : grad;
  sum += g * g;
  param -= static_cast<T>(o.clr) * (g / (math::sqrt(sum) + static_cast<T>(o.eps)));
}

}  // namespace nabla::math

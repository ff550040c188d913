// Optimizer updates: checks that every state tensor matches the parameter, then one backend call.
#include <nabla/core/native.h>

namespace nabla::native {
namespace {

void check_state(const char* op, const Tensor& param, const Tensor& state, const char* what) {
  NABLA_CHECK(state.defined(), op, ": ", what, " is undefined");
  NABLA_CHECK(state.sizes() == param.sizes() && state.dtype() == param.dtype() &&
                  state.device() == param.device() && state.is_contiguous(),
              op, ": ", what, " (shape ", state.sizes(), ", ", state.dtype(), ", ", state.device(),
              ") must be contiguous and match the parameter (shape ", param.sizes(), ", ",
              param.dtype(), ", ", param.device(), ")");
}

}  // namespace

void sgd_step_(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
               const math::SgdOptions& options) {
  NABLA_CHECK(param.is_floating_point() && param.is_contiguous(),
              "sgd_step: expected a contiguous floating point parameter, got ", param.dtype());
  check_state("sgd_step", param, grad, "the gradient");
  if (options.momentum != 0) check_state("sgd_step", param, momentum_buffer, "the momentum buffer");
  backend_for(param.device()).sgd_step(param, grad, momentum_buffer, options);
  param.impl()->storage()->bump_version();
}

void adam_step_(const std::vector<AdamTensors>& params, const math::AdamOptions& options) {
  if (params.empty()) return;
  const Tensor& first = params.front().param;
  for (const AdamTensors& t : params) {
    NABLA_CHECK(t.param.defined() && t.param.is_floating_point() && t.param.is_contiguous(),
                "adam_step: expected contiguous floating point parameters");
    NABLA_CHECK(t.param.dtype() == first.dtype() && t.param.device() == first.device(),
                "adam_step: parameters updated together must share a dtype and device, got ",
                first.dtype(), " on ", first.device(), " and ", t.param.dtype(), " on ",
                t.param.device());
    check_state("adam_step", t.param, t.grad, "the gradient");
    check_state("adam_step", t.param, t.exp_avg, "exp_avg");
    check_state("adam_step", t.param, t.exp_avg_sq, "exp_avg_sq");
    if (options.amsgrad) check_state("adam_step", t.param, t.max_exp_avg_sq, "max_exp_avg_sq");
  }
  backend_for(first.device()).adam_step(params, options);
  for (const AdamTensors& t : params) t.param.impl()->storage()->bump_version();
}

void rmsprop_step_(const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                   const Tensor& grad_avg, const Tensor& momentum_buffer,
                   const math::RmspropOptions& options) {
  NABLA_CHECK(param.is_floating_point() && param.is_contiguous(),
              "rmsprop_step: expected a contiguous floating point parameter, got ", param.dtype());
  check_state("rmsprop_step", param, grad, "the gradient");
  check_state("rmsprop_step", param, square_avg, "square_avg");
  if (options.centered) check_state("rmsprop_step", param, grad_avg, "grad_avg");
  if (options.momentum > 0) check_state("rmsprop_step", param, momentum_buffer, "momentum_buffer");
  backend_for(param.device())
      .rmsprop_step(param, grad, square_avg, options.centered ? grad_avg : Tensor(),
                    options.momentum > 0 ? momentum_buffer : Tensor(), options);
  param.impl()->storage()->bump_version();
}

void adagrad_step_(const Tensor& param, const Tensor& grad, const Tensor& sum,
                   const math::AdagradOptions& options) {
  NABLA_CHECK(param.is_floating_point() && param.is_contiguous(),
              "adagrad_step: expected a contiguous floating point parameter, got ", param.dtype());
  check_state("adagrad_step", param, grad, "the gradient");
  check_state("adagrad_step", param, sum, "sum");
  backend_for(param.device()).adagrad_step(param, grad, sum, options);
  param.impl()->storage()->bump_version();
}

}  // namespace nabla::native

// RMSprop and Adagrad: option checks, state, and one fused backend update per parameter
// (math::rmsprop_step and math::adagrad_step in core/math/optim.h).
#include <nabla/nn/optim/rmsprop.h>

#include <nabla/autograd/grad_mode.h>
#include <nabla/core/native.h>

namespace nabla::optim {

RMSprop::RMSprop(std::vector<OptimizerParamGroup> groups, const RMSpropOptions& options)
    : Optimizer(std::move(groups), options.clone()) {
  const auto& o = options;
  NABLA_CHECK(valid_nonnegative(o.lr()) && o.alpha() >= 0 && o.alpha() <= 1 &&
                  valid_nonnegative(o.eps()) && valid_nonnegative(o.weight_decay()) &&
                  valid_nonnegative(o.momentum()),
              "RMSprop: invalid options (lr ", o.lr(), ", alpha ", o.alpha(), ", eps ", o.eps(),
              ", weight_decay ", o.weight_decay(), ", momentum ", o.momentum(), ")");
}

std::vector<std::string> RMSprop::state_keys(const OptimizerOptions& options) const {
  const auto& o = static_cast<const RMSpropOptions&>(options);
  std::vector<std::string> keys{"square_avg"};
  if (o.momentum() > 0) keys.push_back("momentum_buffer");
  if (o.centered()) keys.push_back("grad_avg");
  return keys;
}

void RMSprop::step() {
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups()) {
    const auto& o = static_cast<const RMSpropOptions&>(group.options());
    for (Tensor& p : group.params()) {
      const Tensor& grad = p.grad();
      if (!grad.defined()) continue;
      ParamState& state = state_of(p);
      ++state.step;
      const Tensor buffer =
          o.momentum() > 0 ? state_tensor(state.tensors, "momentum_buffer", p) : Tensor();
      const Tensor grad_avg = o.centered() ? state_tensor(state.tensors, "grad_avg", p) : Tensor();
      native::rmsprop_step_(p, native::contiguous(grad),
                            state_tensor(state.tensors, "square_avg", p), grad_avg, buffer,
                            math::RmspropOptions{o.lr(), o.alpha(), o.eps(), o.weight_decay(),
                                                 o.momentum(), o.centered()});
    }
  }
}

Adagrad::Adagrad(std::vector<OptimizerParamGroup> groups, const AdagradOptions& options)
    : Optimizer(std::move(groups), options.clone()) {
  const auto& o = options;
  NABLA_CHECK(valid_nonnegative(o.lr()) && valid_nonnegative(o.lr_decay()) &&
                  valid_nonnegative(o.weight_decay()) &&
                  valid_nonnegative(o.initial_accumulator_value()) && valid_nonnegative(o.eps()),
              "Adagrad: invalid options (lr ", o.lr(), ", lr_decay ", o.lr_decay(),
              ", weight_decay ", o.weight_decay(), ", initial_accumulator_value ",
              o.initial_accumulator_value(), ", eps ", o.eps(), ")");
}

std::vector<std::string> Adagrad::state_keys(const OptimizerOptions&) const {
  return {"sum"};
}

void Adagrad::step() {
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups()) {
    const auto& o = static_cast<const AdagradOptions&>(group.options());
    for (Tensor& p : group.params()) {
      const Tensor& grad = p.grad();
      if (!grad.defined()) continue;
      ParamState& state = state_of(p);
      ++state.step;
      const double clr = o.lr() / (1 + static_cast<double>(state.step - 1) * o.lr_decay());
      native::adagrad_step_(p, native::contiguous(grad),
                            state_tensor(state.tensors, "sum", p, o.initial_accumulator_value()),
                            math::AdagradOptions{clr, o.eps(), o.weight_decay()});
    }
  }
}

}  // namespace nabla::optim

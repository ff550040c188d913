// The optimizer base: parameter groups with their own options, zero_grad(), and per-parameter
// state. SGD, Adam and AdamW derive from it; their update math is the shared functor in
// core/math/optim.h, applied by the device's backend.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nabla/core/tensor.h>

namespace nabla::optim {

// Declares an option with a chaining setter and a getter, as libtorch's options do:
// SGDOptions(0.1).momentum(0.9), and options.momentum() to read it.
#define NABLA_OPTION(Owner, Type, name) \
 public:                                \
  Owner& name(Type value) {             \
    name##_ = value;                    \
    return *this;                       \
  }                                     \
  Type name() const {                   \
    return name##_;                     \
  }                                     \
                                        \
 private:                               \
  Type name##_

// Whether an option that must be a non-negative number (a learning rate, eps, a weight decay, a
// momentum) is one: NaN and infinities are refused, since one step with them makes every weight
// NaN.
inline bool valid_nonnegative(double x) {
  return x >= 0 && x <= 1.7976931348623157e308;
}

class OptimizerOptions {
 public:
  virtual ~OptimizerOptions() = default;
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  virtual double get_lr() const = 0;
  virtual void set_lr(double lr) = 0;
  // The momentum OneCycleLR cycles: SGD's and RMSprop's momentum, Adam's and AdamW's beta1;
  // nothing for optimizers without one.
  virtual std::optional<double> get_momentum() const { return std::nullopt; }
  virtual void set_momentum(double) {}
};

struct OptimizerParamGroup {
  explicit OptimizerParamGroup(std::vector<Tensor> params,
                               std::unique_ptr<OptimizerOptions> options = nullptr)
      : params_(std::move(params)), options_(std::move(options)) {}
  OptimizerParamGroup(const OptimizerParamGroup& other)
      : params_(other.params_),
        options_(other.options_ ? other.options_->clone() : nullptr),
        initial_lr_(other.initial_lr_) {}
  OptimizerParamGroup(OptimizerParamGroup&&) = default;

  std::vector<Tensor>& params() { return params_; }
  const std::vector<Tensor>& params() const { return params_; }
  OptimizerOptions& options() { return *options_; }
  const OptimizerOptions& options() const { return *options_; }
  bool has_options() const { return options_ != nullptr; }
  void set_options(std::unique_ptr<OptimizerOptions> options) { options_ = std::move(options); }
  // The learning rate the group had when its first scheduler was made: every scheduler of the
  // optimizer schedules from it (PyTorch's "initial_lr"), so that schedulers made one after
  // another, as SequentialLR's are, do not build on each other's first value.
  double initial_lr() {
    if (!initial_lr_) initial_lr_ = options().get_lr();
    return *initial_lr_;
  }

 private:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
  std::optional<double> initial_lr_;
};

class Optimizer {
 public:
  Optimizer(std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient.
  virtual void step() = 0;
  // Clears the gradients of all parameters (undefined when set_to_none, else zero-filled).
  void zero_grad(bool set_to_none = true);
  // A group without options of its own takes a copy of the defaults.
  void add_param_group(OptimizerParamGroup group);
  std::vector<OptimizerParamGroup>& param_groups() { return groups_; }
  const std::vector<OptimizerParamGroup>& param_groups() const { return groups_; }
  const OptimizerOptions& defaults() const { return *defaults_; }

  // The optimizer's state as named tensors, for checkpoints: "state.<i>.<key>" for the i-th
  // parameter across groups (its step count is "state.<i>.step", a 0-dim int64; parameters never
  // stepped have no entries), and "param_groups.<g>.lr" (0-dim float64).
  std::vector<std::pair<std::string, Tensor>> named_state() const;
  // Restores what named_state() gave, after checking every name, shape and dtype; reports all
  // mismatches in one error.
  void load_named_state(const std::vector<std::pair<std::string, Tensor>>& state);

  // What the optimizer keeps for one parameter: its update count and tensors such as "exp_avg".
  struct ParamState {
    int64_t step = 0;
    std::map<std::string, Tensor> tensors;
  };
  ParamState& state_of(const Tensor& param) { return state_[param.impl()]; }

 protected:
  // The state tensors this optimizer keeps for `param` under `options`, created as zeros.
  virtual std::vector<std::string> state_keys(const OptimizerOptions& options) const = 0;

 private:
  std::vector<OptimizerParamGroup> groups_;
  std::unique_ptr<OptimizerOptions> defaults_;
  std::unordered_map<const TensorImpl*, ParamState> state_;
};

// The state tensor `key` of parameter p, created filled with `initial` the first time. After
// Module::to() moved the parameter to another device (or dtype), its state follows it here, as
// PyTorch's does on its next step.
Tensor& state_tensor(std::map<std::string, Tensor>& tensors, const std::string& key,
                     const Tensor& p, double initial = 0.0);

}  // namespace nabla::optim

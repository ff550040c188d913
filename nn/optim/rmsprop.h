// RMSprop (with centering, momentum and weight decay) and Adagrad, as torch.optim's.
#pragma once

#include <nabla/nn/optim/optimizer.h>

namespace nabla::optim {

class RMSpropOptions : public OptimizerOptions {
 public:
  explicit RMSpropOptions(double lr = 1e-2) : lr_(lr) {}
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<RMSpropOptions>(*this);
  }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  std::optional<double> get_momentum() const override { return momentum_; }
  void set_momentum(double m) override { momentum_ = m; }
  NABLA_OPTION(RMSpropOptions, double, lr);
  NABLA_OPTION(RMSpropOptions, double, alpha) = 0.99;
  NABLA_OPTION(RMSpropOptions, double, eps) = 1e-8;
  NABLA_OPTION(RMSpropOptions, double, weight_decay) = 0;
  NABLA_OPTION(RMSpropOptions, double, momentum) = 0;
  NABLA_OPTION(RMSpropOptions, bool, centered) = false;
};

class RMSprop : public Optimizer {
 public:
  RMSprop(std::vector<Tensor> params, const RMSpropOptions& options = RMSpropOptions())
      : RMSprop(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, options) {
  }
  RMSprop(std::vector<OptimizerParamGroup> groups, const RMSpropOptions& options);
  void step() override;

 protected:
  std::vector<std::string> state_keys(const OptimizerOptions& options) const override;
};

class AdagradOptions : public OptimizerOptions {
 public:
  explicit AdagradOptions(double lr = 1e-2) : lr_(lr) {}
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<AdagradOptions>(*this);
  }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  NABLA_OPTION(AdagradOptions, double, lr);
  NABLA_OPTION(AdagradOptions, double, lr_decay) = 0;
  NABLA_OPTION(AdagradOptions, double, weight_decay) = 0;
  NABLA_OPTION(AdagradOptions, double, initial_accumulator_value) = 0;
  NABLA_OPTION(AdagradOptions, double, eps) = 1e-10;
};

class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<Tensor> params, const AdagradOptions& options = AdagradOptions())
      : Adagrad(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, options) {
  }
  Adagrad(std::vector<OptimizerParamGroup> groups, const AdagradOptions& options);
  void step() override;

 protected:
  std::vector<std::string> state_keys(const OptimizerOptions& options) const override;
};

}  // namespace nabla::optim

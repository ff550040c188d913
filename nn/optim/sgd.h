// SGD with momentum, dampening, Nesterov momentum and weight decay, as torch.optim.SGD.
#pragma once

#include <nabla/nn/optim/optimizer.h>

namespace nabla::optim {

class SGDOptions : public OptimizerOptions {
 public:
  explicit SGDOptions(double lr) : lr_(lr) {}
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<SGDOptions>(*this);
  }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  std::optional<double> get_momentum() const override { return momentum_; }
  void set_momentum(double m) override { momentum_ = m; }
  NABLA_OPTION(SGDOptions, double, lr);
  NABLA_OPTION(SGDOptions, double, momentum) = 0;
  NABLA_OPTION(SGDOptions, double, dampening) = 0;
  NABLA_OPTION(SGDOptions, double, weight_decay) = 0;
  NABLA_OPTION(SGDOptions, bool, nesterov) = false;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, const SGDOptions& options)
      : SGD(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, options) {}
  SGD(std::vector<OptimizerParamGroup> groups, const SGDOptions& options);
  void step() override;

 protected:
  std::vector<std::string> state_keys(const OptimizerOptions& options) const override;
};

}  // namespace nabla::optim

// Adam (with amsgrad and L2 weight decay) and AdamW (decoupled weight decay), as torch.optim.
#pragma once

#include <utility>

#include <nabla/nn/optim/optimizer.h>

namespace nabla::optim {
// (beta1, beta2): the decay rates of the first and second moment estimates.
using Betas = std::pair<double, double>;
}  // namespace nabla::optim

namespace nabla::optim {

class AdamOptions : public OptimizerOptions {
 public:
  explicit AdamOptions(double lr = 1e-3) : lr_(lr) {}
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<AdamOptions>(*this);
  }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  std::optional<double> get_momentum() const override { return betas_.first; }
  void set_momentum(double m) override { betas_.first = m; }
  NABLA_OPTION(AdamOptions, double, lr);
  NABLA_OPTION(AdamOptions, Betas, betas) = {0.9, 0.999};
  NABLA_OPTION(AdamOptions, double, eps) = 1e-8;
  NABLA_OPTION(AdamOptions, double, weight_decay) = 0;
  NABLA_OPTION(AdamOptions, bool, amsgrad) = false;
};

class AdamWOptions : public OptimizerOptions {
 public:
  explicit AdamWOptions(double lr = 1e-3) : lr_(lr) {}
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<AdamWOptions>(*this);
  }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }
  std::optional<double> get_momentum() const override { return betas_.first; }
  void set_momentum(double m) override { betas_.first = m; }
  NABLA_OPTION(AdamWOptions, double, lr);
  NABLA_OPTION(AdamWOptions, Betas, betas) = {0.9, 0.999};
  NABLA_OPTION(AdamWOptions, double, eps) = 1e-8;
  NABLA_OPTION(AdamWOptions, double, weight_decay) = 1e-2;
  NABLA_OPTION(AdamWOptions, bool, amsgrad) = false;
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, const AdamOptions& options = AdamOptions())
      : Adam(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, options) {}
  Adam(std::vector<OptimizerParamGroup> groups, const AdamOptions& options);
  void step() override;

 protected:
  std::vector<std::string> state_keys(const OptimizerOptions& options) const override;
};

class AdamW : public Optimizer {
 public:
  AdamW(std::vector<Tensor> params, const AdamWOptions& options = AdamWOptions())
      : AdamW(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, options) {}
  AdamW(std::vector<OptimizerParamGroup> groups, const AdamWOptions& options);
  void step() override;

 protected:
  std::vector<std::string> state_keys(const OptimizerOptions& options) const override;
};

}  // namespace nabla::optim

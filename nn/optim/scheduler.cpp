// The learning-rate schedulers' formulas.
#include <nabla/nn/optim/scheduler.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace nabla::optim {

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {
  for (const OptimizerParamGroup& group : optimizer.param_groups()) {
    base_lrs_.push_back(group.options().get_lr());
  }
}

void LRScheduler::step() {
  ++epoch_;
  auto& groups = optimizer_.param_groups();
  NABLA_CHECK(groups.size() == base_lrs_.size(),
              "LRScheduler: the optimizer gained or lost "
              "parameter groups after the scheduler was made");
  for (size_t g = 0; g < groups.size(); ++g)
    groups[g].options().set_lr(lr_at(epoch_, base_lrs_[g]));
}

std::vector<double> LRScheduler::get_last_lr() const {
  std::vector<double> result;
  for (const OptimizerParamGroup& group : optimizer_.param_groups()) {
    result.push_back(group.options().get_lr());
  }
  return result;
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  NABLA_CHECK(step_size > 0, "StepLR: step_size must be positive, got ", step_size);
}

double StepLR::lr_at(int64_t epoch, double base_lr) const {
  return base_lr * std::pow(gamma_, static_cast<double>(epoch / step_size_));
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min)
    : LRScheduler(optimizer), t_max_(t_max), eta_min_(eta_min) {
  NABLA_CHECK(t_max > 0, "CosineAnnealingLR: T_max must be positive, got ", t_max);
}

double CosineAnnealingLR::lr_at(int64_t epoch, double base_lr) const {
  const double pi = 3.14159265358979323846;
  return eta_min_ +
         (base_lr - eta_min_) *
             (1 + std::cos(pi * static_cast<double>(epoch) / static_cast<double>(t_max_))) / 2;
}

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, Mode mode, double factor,
                                     int64_t patience, double threshold, int64_t cooldown,
                                     double min_lr, double eps)
    : optimizer_(optimizer),
      mode_(mode),
      factor_(factor),
      threshold_(threshold),
      min_lr_(min_lr),
      eps_(eps),
      patience_(patience),
      cooldown_(cooldown),
      best_(mode == Mode::Min ? std::numeric_limits<double>::infinity()
                              : -std::numeric_limits<double>::infinity()) {
  NABLA_CHECK(factor > 0 && factor < 1, "ReduceLROnPlateau: factor must be in (0, 1), got ",
              factor);
  NABLA_CHECK(patience >= 0 && cooldown >= 0,
              "ReduceLROnPlateau: patience and cooldown must not "
              "be negative");
}

void ReduceLROnPlateau::step(double metric) {
  // Relative threshold, as PyTorch's default threshold_mode='rel'.
  const bool improved =
      mode_ == Mode::Min ? metric < best_ * (1 - threshold_) : metric > best_ * (1 + threshold_);
  if (improved) {
    best_ = metric;
    bad_steps_ = 0;
  } else {
    ++bad_steps_;
  }
  if (cooldown_left_ > 0) {
    --cooldown_left_;
    bad_steps_ = 0;
  }
  if (bad_steps_ > patience_) {
    for (OptimizerParamGroup& group : optimizer_.param_groups()) {
      const double old_lr = group.options().get_lr();
      const double new_lr = std::max(old_lr * factor_, min_lr_);
      if (old_lr - new_lr > eps_) group.options().set_lr(new_lr);
    }
    cooldown_left_ = cooldown_;
    bad_steps_ = 0;
  }
}

}  // namespace nabla::optim

// The learning-rate schedulers' formulas.
#include <nabla/nn/optim/scheduler.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace nabla::optim {

namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {
  for (OptimizerParamGroup& group : optimizer.param_groups()) {
    base_lrs_.push_back(group.initial_lr());
  }
}

void LRScheduler::step() {
  ++epoch_;
  apply(epoch_);
}

void LRScheduler::set_last_epoch(int64_t epoch) {
  NABLA_CHECK(epoch >= 0, "LRScheduler::set_last_epoch: the epoch must not be negative, got ",
              epoch);
  apply(epoch);  // first, so that an epoch the schedule refuses (OneCycleLR's) changes nothing
  epoch_ = epoch;
}

void LRScheduler::apply(int64_t epoch) {
  auto& groups = optimizer_.param_groups();
  NABLA_CHECK(groups.size() == base_lrs_.size(),
              "LRScheduler: the optimizer gained or lost parameter groups after the scheduler was "
              "made");
  for (size_t g = 0; g < groups.size(); ++g) {
    groups[g].options().set_lr(lr_at(epoch, base_lrs_[g]));
  }
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
  apply(0);
}

double StepLR::lr_at(int64_t epoch, double base_lr) const {
  return base_lr * std::pow(gamma_, static_cast<double>(epoch / step_size_));
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma)
    : LRScheduler(optimizer), milestones_(std::move(milestones)), gamma_(gamma) {
  NABLA_CHECK(std::is_sorted(milestones_.begin(), milestones_.end()),
              "MultiStepLR: milestones must not decrease");
  apply(0);
}

double MultiStepLR::lr_at(int64_t epoch, double base_lr) const {
  const auto passed =
      std::upper_bound(milestones_.begin(), milestones_.end(), epoch) - milestones_.begin();
  return base_lr * std::pow(gamma_, static_cast<double>(passed));
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma)
    : LRScheduler(optimizer), gamma_(gamma) {
  apply(0);
}

double ExponentialLR::lr_at(int64_t epoch, double base_lr) const {
  return base_lr * std::pow(gamma_, static_cast<double>(epoch));
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min)
    : LRScheduler(optimizer), t_max_(t_max), eta_min_(eta_min) {
  NABLA_CHECK(t_max > 0, "CosineAnnealingLR: T_max must be positive, got ", t_max);
  apply(0);
}

double CosineAnnealingLR::lr_at(int64_t epoch, double base_lr) const {
  return eta_min_ +
         (base_lr - eta_min_) *
             (1 + std::cos(kPi * static_cast<double>(epoch) / static_cast<double>(t_max_))) / 2;
}

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor,
                   int64_t total_iters)
    : LRScheduler(optimizer),
      start_factor_(start_factor),
      end_factor_(end_factor),
      total_iters_(total_iters) {
  NABLA_CHECK(start_factor > 0 && start_factor <= 1,
              "LinearLR: start_factor must be in (0, 1], got ", start_factor);
  NABLA_CHECK(end_factor >= 0 && end_factor <= 1, "LinearLR: end_factor must be in [0, 1], got ",
              end_factor);
  NABLA_CHECK(total_iters > 0, "LinearLR: total_iters must be positive, got ", total_iters);
  apply(0);
}

double LinearLR::lr_at(int64_t epoch, double base_lr) const {
  const double done =
      static_cast<double>(std::min(epoch, total_iters_)) / static_cast<double>(total_iters_);
  return base_lr * (start_factor_ + (end_factor_ - start_factor_) * done);
}

LambdaLR::LambdaLR(Optimizer& optimizer, std::function<double(int64_t)> lr_lambda)
    : LRScheduler(optimizer), lr_lambda_(std::move(lr_lambda)) {
  NABLA_CHECK(lr_lambda_ != nullptr, "LambdaLR: lr_lambda is empty");
  apply(0);
}

double LambdaLR::lr_at(int64_t epoch, double base_lr) const {
  return base_lr * lr_lambda_(epoch);
}

OneCycleLR::OneCycleLR(Optimizer& optimizer, double max_lr, int64_t total_steps,
                       OneCycleLROptions options)
    : LRScheduler(optimizer), total_steps_(total_steps), options_(std::move(options)) {
  const auto& o = options_;
  NABLA_CHECK(total_steps > 0, "OneCycleLR: total_steps must be positive, got ", total_steps);
  NABLA_CHECK(o.pct_start_ >= 0 && o.pct_start_ <= 1,
              "OneCycleLR: pct_start must be in [0, 1], got ", o.pct_start_);
  NABLA_CHECK(o.anneal_strategy_ == "cos" || o.anneal_strategy_ == "linear",
              "OneCycleLR: anneal_strategy must be \"cos\" or \"linear\", got \"",
              o.anneal_strategy_, "\"");
  NABLA_CHECK(max_lr > 0 && o.div_factor_ > 0 && o.final_div_factor_ > 0,
              "OneCycleLR: max_lr, div_factor and final_div_factor must be positive");
  if (o.cycle_momentum_) {
    for (OptimizerParamGroup& group : optimizer.param_groups()) {
      NABLA_CHECK(group.options().get_momentum().has_value(),
                  "OneCycleLR: cycle_momentum needs an optimizer with momentum or beta1 (SGD, "
                  "RMSprop, Adam, AdamW); pass OneCycleLROptions().cycle_momentum(false)");
    }
  }
  const double initial = max_lr / o.div_factor_, min_lr = initial / o.final_div_factor_;
  const double up = o.pct_start_ * static_cast<double>(total_steps);
  const double last = static_cast<double>(total_steps) - 1;
  const double lo = o.base_momentum_, hi = o.max_momentum_;
  if (o.three_phase_) {
    phases_ = {{up - 1, initial, max_lr, hi, lo},
               {2 * up - 2, max_lr, initial, lo, hi},
               {last, initial, min_lr, hi, hi}};
  } else {
    phases_ = {{up - 1, initial, max_lr, hi, lo}, {last, max_lr, min_lr, lo, hi}};
  }
  apply(0);
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (options_.anneal_strategy_ == "linear") return (end - start) * pct + start;
  return end + (start - end) / 2 * (std::cos(kPi * pct) + 1);
}

namespace {

// The phase holding `step` and how far into it the step is, as PyTorch walks them.
template <typename Phase, typename Fn>
double at_step(const std::vector<Phase>& phases, int64_t step, Fn value) {
  double start_step = 0;
  for (size_t i = 0; i < phases.size(); ++i) {
    const Phase& phase = phases[i];
    if (static_cast<double>(step) <= phase.end_step || i + 1 == phases.size()) {
      const double pct = (static_cast<double>(step) - start_step) / (phase.end_step - start_step);
      return value(phase, pct);
    }
    start_step = phase.end_step;
  }
  return 0;
}

}  // namespace

double OneCycleLR::lr_at(int64_t epoch, double) const {
  return at_step(phases_, epoch,
                 [&](const Phase& p, double pct) { return anneal(p.start_lr, p.end_lr, pct); });
}

double OneCycleLR::momentum_at(int64_t epoch) const {
  return at_step(phases_, epoch, [&](const Phase& p, double pct) {
    return anneal(p.start_momentum, p.end_momentum, pct);
  });
}

void OneCycleLR::apply(int64_t epoch) {
  NABLA_CHECK(epoch <= total_steps_, "OneCycleLR: stepped ", epoch,
              " times, beyond total_steps = ", total_steps_);
  LRScheduler::apply(epoch);
  if (options_.cycle_momentum_) {
    for (OptimizerParamGroup& group : optimizer_.param_groups()) {
      group.options().set_momentum(momentum_at(epoch));
    }
  }
}

SequentialLR::SequentialLR(Optimizer& optimizer,
                           std::vector<std::shared_ptr<LRScheduler>> schedulers,
                           std::vector<int64_t> milestones)
    : LRScheduler(optimizer),
      schedulers_(std::move(schedulers)),
      milestones_(std::move(milestones)) {
  NABLA_CHECK(!schedulers_.empty(), "SequentialLR: no schedulers");
  NABLA_CHECK(milestones_.size() + 1 == schedulers_.size(), "SequentialLR: expected ",
              schedulers_.size() - 1, " milestones for ", schedulers_.size(), " schedulers, got ",
              milestones_.size());
  NABLA_CHECK(std::is_sorted(milestones_.begin(), milestones_.end()),
              "SequentialLR: milestones must not decrease");
  for (const auto& scheduler : schedulers_) {
    NABLA_CHECK(scheduler != nullptr, "SequentialLR: a scheduler is empty");
  }
  apply(0);
}

double SequentialLR::lr_at(int64_t epoch, double base_lr) const {
  const size_t i = static_cast<size_t>(
      std::upper_bound(milestones_.begin(), milestones_.end(), epoch) - milestones_.begin());
  const int64_t start = i == 0 ? 0 : milestones_[i - 1];
  return schedulers_[i]->lr_at(epoch - start, base_lr);
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

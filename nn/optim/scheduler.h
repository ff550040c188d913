// Learning-rate schedulers, as torch.optim.lr_scheduler. Each is a closed form lr_at(epoch,
// base_lr) from the group's initial rate: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR,
// LinearLR (warm-up), LambdaLR, OneCycleLR (stepped per batch; it also cycles the momentum) and
// SequentialLR (one schedule after another). ReduceLROnPlateau is stepped with the metric it
// watches. Constructing a scheduler sets the rates of epoch 0, as PyTorch's do.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nabla/nn/optim/optimizer.h>

namespace nabla::optim {

class LRScheduler {
 public:
  explicit LRScheduler(Optimizer& optimizer);
  virtual ~LRScheduler() = default;
  // Advances one epoch (or batch, for OneCycleLR) and sets every group's learning rate.
  void step();
  int64_t last_epoch() const { return epoch_; }
  // Resumes the schedule at `epoch`, a last_epoch() saved with a checkpoint: sets the rates of that
  // epoch, as `epoch` calls of step() on a new scheduler would. Make the scheduler before loading
  // the optimizer's saved state, so that the schedule starts from the initial rates.
  void set_last_epoch(int64_t epoch);
  std::vector<double> get_last_lr() const;
  // The learning rate at `epoch` of a group whose initial rate is base_lr.
  virtual double lr_at(int64_t epoch, double base_lr) const = 0;

 protected:
  // Sets what the schedule moves at `epoch`: every group's learning rate (and, for OneCycleLR,
  // the momentum). Derived constructors call it for epoch 0.
  virtual void apply(int64_t epoch);
  Optimizer& optimizer_;

 private:
  std::vector<double> base_lrs_;
  int64_t epoch_ = 0;
};

// lr = base_lr * gamma^(epoch / step_size).
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  int64_t step_size_;
  double gamma_;
};

// lr = base_lr * gamma^(number of milestones <= epoch); milestones increase.
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1);
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  std::vector<int64_t> milestones_;
  double gamma_;
};

// lr = base_lr * gamma^epoch.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  double gamma_;
};

// lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min = 0.0);
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  int64_t t_max_;
  double eta_min_;
};

// A linear ramp of the factor from start_factor to end_factor over total_iters epochs, then
// constant: lr = base_lr (start + (end - start) min(epoch, total_iters) / total_iters). The usual
// warm-up, alone or first in a SequentialLR.
class LinearLR : public LRScheduler {
 public:
  explicit LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0,
                    int64_t total_iters = 5);
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  double start_factor_, end_factor_;
  int64_t total_iters_;
};

// lr = base_lr * lr_lambda(epoch).
class LambdaLR : public LRScheduler {
 public:
  LambdaLR(Optimizer& optimizer, std::function<double(int64_t)> lr_lambda);
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  std::function<double(int64_t)> lr_lambda_;
};

struct OneCycleLROptions {
  OneCycleLROptions& pct_start(double v) { return pct_start_ = v, *this; }
  OneCycleLROptions& anneal_strategy(std::string v) {
    return anneal_strategy_ = std::move(v), *this;
  }
  OneCycleLROptions& cycle_momentum(bool v) { return cycle_momentum_ = v, *this; }
  OneCycleLROptions& base_momentum(double v) { return base_momentum_ = v, *this; }
  OneCycleLROptions& max_momentum(double v) { return max_momentum_ = v, *this; }
  OneCycleLROptions& div_factor(double v) { return div_factor_ = v, *this; }
  OneCycleLROptions& final_div_factor(double v) { return final_div_factor_ = v, *this; }
  OneCycleLROptions& three_phase(bool v) { return three_phase_ = v, *this; }
  double pct_start_ = 0.3;
  std::string anneal_strategy_ = "cos";  // or "linear"
  bool cycle_momentum_ = true;
  double base_momentum_ = 0.85, max_momentum_ = 0.95;
  double div_factor_ = 25, final_div_factor_ = 1e4;
  bool three_phase_ = false;
};

// The 1cycle policy over total_steps batches: the rate climbs from max_lr / div_factor to max_lr
// over the first pct_start of the steps, then anneals to max_lr / (div_factor * final_div_factor)
// (three_phase: back to the start first, then down); the momentum (SGD's and RMSprop's momentum,
// Adam's beta1) moves the opposite way between max_momentum and base_momentum. Stepped once per
// batch; stepping past total_steps is an error.
class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, double max_lr, int64_t total_steps,
             OneCycleLROptions options = {});
  double lr_at(int64_t epoch, double base_lr) const override;
  double momentum_at(int64_t epoch) const;

 protected:
  void apply(int64_t epoch) override;

 private:
  struct Phase {
    double end_step, start_lr, end_lr, start_momentum, end_momentum;
  };
  double anneal(double start, double end, double pct) const;
  std::vector<Phase> phases_;
  int64_t total_steps_;
  OneCycleLROptions options_;
};

// Runs schedulers one after another: schedulers[i] from epoch milestones[i - 1] on, counting its
// epochs from 0 there. The schedulers must be made for the same optimizer.
class SequentialLR : public LRScheduler {
 public:
  SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
               std::vector<int64_t> milestones);
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  std::vector<std::shared_ptr<LRScheduler>> schedulers_;
  std::vector<int64_t> milestones_;
};

// Multiplies the learning rates by `factor` once the metric has not improved (by more than a
// relative `threshold`) for more than `patience` steps, then waits `cooldown` steps; never below
// min_lr, and a reduction smaller than eps is skipped (as PyTorch's).
class ReduceLROnPlateau {
 public:
  enum class Mode { Min, Max };
  ReduceLROnPlateau(Optimizer& optimizer, Mode mode = Mode::Min, double factor = 0.1,
                    int64_t patience = 10, double threshold = 1e-4, int64_t cooldown = 0,
                    double min_lr = 0.0, double eps = 1e-8);
  void step(double metric);

 private:
  Optimizer& optimizer_;
  Mode mode_;
  double factor_, threshold_, min_lr_, eps_;
  int64_t patience_, cooldown_;
  double best_;
  int64_t bad_steps_ = 0, cooldown_left_ = 0;
};

}  // namespace nabla::optim

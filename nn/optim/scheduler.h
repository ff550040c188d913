// Learning-rate schedulers, as torch.optim.lr_scheduler: StepLR, CosineAnnealingLR (both stepped
// once per epoch) and ReduceLROnPlateau (stepped with the metric it watches).
#pragma once

#include <vector>

#include <nabla/nn/optim/optimizer.h>

namespace nabla::optim {

class LRScheduler {
 public:
  explicit LRScheduler(Optimizer& optimizer);
  virtual ~LRScheduler() = default;
  // Advances one epoch and sets every group's learning rate.
  void step();
  int64_t last_epoch() const { return epoch_; }
  std::vector<double> get_last_lr() const;

 protected:
  // The learning rate of a group at `epoch`, from its initial rate.
  virtual double lr_at(int64_t epoch, double base_lr) const = 0;
  Optimizer& optimizer_;

 private:
  std::vector<double> base_lrs_;
  int64_t epoch_ = 0;
};

// lr = base_lr * gamma^(epoch / step_size).
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 protected:
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  int64_t step_size_;
  double gamma_;
};

// lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min = 0.0);

 protected:
  double lr_at(int64_t epoch, double base_lr) const override;

 private:
  int64_t t_max_;
  double eta_min_;
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

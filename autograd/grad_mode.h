// Whether ops record the graph (per thread), NoGradGuard to turn it off for a scope, and anomaly
// mode, in which backward checks every gradient it computes for NaN and Inf.
#pragma once

namespace nabla {

bool is_grad_enabled();
void set_grad_enabled(bool enabled);

// Disables graph recording for its scope, as for optimizer updates and evaluation.
class NoGradGuard {
 public:
  NoGradGuard() : previous_(is_grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

namespace autograd {

bool is_anomaly_enabled();
void set_detect_anomaly(bool enabled);

// Turns anomaly detection on for its scope.
class DetectAnomalyGuard {
 public:
  DetectAnomalyGuard() : previous_(is_anomaly_enabled()) { set_detect_anomaly(true); }
  ~DetectAnomalyGuard() { set_detect_anomaly(previous_); }
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace autograd
}  // namespace nabla

// Grad mode (per thread, as in PyTorch) and anomaly mode (process-wide).
#include <nabla/autograd/grad_mode.h>

#include <atomic>

namespace nabla {
namespace {
thread_local bool grad_enabled = true;
std::atomic<bool> anomaly_enabled{false};
}  // namespace

bool is_grad_enabled() {
  return grad_enabled;
}
void set_grad_enabled(bool enabled) {
  grad_enabled = enabled;
}

namespace autograd {
bool is_anomaly_enabled() {
  return anomaly_enabled.load(std::memory_order_relaxed);
}
void set_detect_anomaly(bool enabled) {
  anomaly_enabled.store(enabled);
}
}  // namespace autograd

}  // namespace nabla

// Per-tensor autograd state. The dynamic graph arrives with the autograd issue; until then no
// tensor requires grad, and asking for it is a clear error rather than a silently ignored flag.
#include <nabla/core/tensor.h>

namespace nabla {

bool Tensor::requires_grad() const {
  return false;
}

Tensor& Tensor::set_requires_grad(bool requires_grad) {
  NABLA_CHECK(!requires_grad, "set_requires_grad: this build of nabla has no autograd engine yet");
  return *this;
}

}  // namespace nabla

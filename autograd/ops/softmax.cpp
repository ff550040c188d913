// Public softmax and log_softmax.
#include <nabla/autograd/ops.h>
#include <nabla/core/native.h>

namespace nabla {

Tensor softmax(const Tensor& x, int64_t dim) {
  return native::softmax(x, dim);
}
Tensor log_softmax(const Tensor& x, int64_t dim) {
  return native::log_softmax(x, dim);
}

Tensor Tensor::softmax(int64_t dim) const {
  return nabla::softmax(*this, dim);
}
Tensor Tensor::log_softmax(int64_t dim) const {
  return nabla::log_softmax(*this, dim);
}

}  // namespace nabla

// Public matrix products: matmul (1-D, 2-D, batched with broadcasting) and mm.
#include <nabla/autograd/ops.h>
#include <nabla/core/native.h>

namespace nabla {

Tensor matmul(const Tensor& a, const Tensor& b) {
  return native::matmul(a, b);
}
Tensor mm(const Tensor& a, const Tensor& b) {
  return native::mm(a, b);
}

Tensor Tensor::matmul(const Tensor& other) const {
  return nabla::matmul(*this, other);
}
Tensor Tensor::mm(const Tensor& other) const {
  return nabla::mm(*this, other);
}

}  // namespace nabla

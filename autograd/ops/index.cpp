// Public indexing ops: index_select, gather, one_hot.
#include <nabla/autograd/ops.h>
#include <nabla/core/native.h>

namespace nabla {

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  return native::index_select(x, dim, index);
}
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  return native::gather(x, dim, index);
}
Tensor one_hot(const Tensor& labels, int64_t num_classes) {
  return native::one_hot(labels, num_classes);
}

Tensor Tensor::index_select(int64_t dim, const Tensor& index) const {
  return nabla::index_select(*this, dim, index);
}
Tensor Tensor::gather(int64_t dim, const Tensor& index) const {
  return nabla::gather(*this, dim, index);
}

}  // namespace nabla

// Public views and copies: reshape/view, flatten, transpose/permute, slice/narrow/select,
// squeeze/unsqueeze, expand, contiguous, clone and to().
#include <nabla/autograd/ops.h>
#include <nabla/core/native.h>

namespace nabla {

Tensor reshape(const Tensor& x, const Shape& shape) {
  return native::reshape(x, shape);
}
Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  return native::flatten(x, start_dim, end_dim);
}
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  return native::transpose(x, dim0, dim1);
}
Tensor permute(const Tensor& x, const Shape& dims) {
  return native::permute(x, dims);
}
Tensor squeeze(const Tensor& x) {
  return native::squeeze(x);
}
Tensor squeeze(const Tensor& x, int64_t dim) {
  return native::squeeze(x, dim);
}
Tensor unsqueeze(const Tensor& x, int64_t dim) {
  return native::unsqueeze(x, dim);
}

Tensor Tensor::view(const Shape& shape) const {
  return native::view(*this, shape);
}
Tensor Tensor::reshape(const Shape& shape) const {
  return nabla::reshape(*this, shape);
}
Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  return nabla::flatten(*this, start_dim, end_dim);
}
Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  return nabla::transpose(*this, dim0, dim1);
}
Tensor Tensor::t() const {
  NABLA_CHECK(dim() <= 2, "t: expected a tensor of at most 2 dims, got shape ", sizes());
  return dim() < 2 ? *this : nabla::transpose(*this, 0, 1);
}
Tensor Tensor::permute(const Shape& dims) const {
  return nabla::permute(*this, dims);
}
Tensor Tensor::slice(int64_t dim, int64_t start, int64_t end, int64_t step) const {
  return native::slice(*this, dim, start, end, step);
}
Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length) const {
  return native::narrow(*this, dim, start, length);
}
Tensor Tensor::select(int64_t dim, int64_t index) const {
  return native::select(*this, dim, index);
}
Tensor Tensor::squeeze() const {
  return nabla::squeeze(*this);
}
Tensor Tensor::squeeze(int64_t dim) const {
  return nabla::squeeze(*this, dim);
}
Tensor Tensor::unsqueeze(int64_t dim) const {
  return nabla::unsqueeze(*this, dim);
}
Tensor Tensor::expand(const Shape& shape) const {
  return native::expand(*this, shape);
}
Tensor Tensor::contiguous() const {
  return native::contiguous(*this);
}
Tensor Tensor::clone() const {
  return native::clone(*this);
}
Tensor Tensor::to(ScalarType dtype) const {
  return native::to(*this, dtype);
}
Tensor Tensor::to(Device device) const {
  return native::to(*this, device);
}
Tensor Tensor::to(Device device, ScalarType dtype) const {
  return native::to(native::to(*this, device), dtype);
}

}  // namespace nabla

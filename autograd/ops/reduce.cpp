// Public reductions: sum, mean, max/min (whole tensor, along a dim with indices, amax/amin) and
// argmax/argmin.
#include <nabla/autograd/ops.h>
#include <nabla/core/native.h>

namespace nabla {

Tensor sum(const Tensor& x) {
  return native::sum(x, {}, false);
}
Tensor sum(const Tensor& x, const Shape& dims, bool keepdim) {
  return native::sum(x, dims, keepdim);
}
Tensor mean(const Tensor& x) {
  return native::mean(x, {}, false);
}
Tensor mean(const Tensor& x, const Shape& dims, bool keepdim) {
  return native::mean(x, dims, keepdim);
}
Tensor max(const Tensor& x) {
  return native::amax(x, {}, false);
}
Tensor min(const Tensor& x) {
  return native::amin(x, {}, false);
}
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  return native::max(x, dim, keepdim);
}
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  return native::min(x, dim, keepdim);
}
// As in PyTorch, an empty dims list reduces over every dim.
Tensor amax(const Tensor& x, const Shape& dims, bool keepdim) {
  return native::amax(x, dims, keepdim);
}
Tensor amin(const Tensor& x, const Shape& dims, bool keepdim) {
  return native::amin(x, dims, keepdim);
}
Tensor argmax(const Tensor& x) {
  return native::argmax(x, std::nullopt, false);
}
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
  return native::argmax(x, dim, keepdim);
}
Tensor argmin(const Tensor& x) {
  return native::argmin(x, std::nullopt, false);
}
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim) {
  return native::argmin(x, dim, keepdim);
}

Tensor Tensor::sum() const {
  return nabla::sum(*this);
}
Tensor Tensor::sum(const Shape& dims, bool keepdim) const {
  return nabla::sum(*this, dims, keepdim);
}
Tensor Tensor::mean() const {
  return nabla::mean(*this);
}
Tensor Tensor::mean(const Shape& dims, bool keepdim) const {
  return nabla::mean(*this, dims, keepdim);
}
Tensor Tensor::max() const {
  return nabla::max(*this);
}
Tensor Tensor::min() const {
  return nabla::min(*this);
}
std::tuple<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const {
  return nabla::max(*this, dim, keepdim);
}
std::tuple<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const {
  return nabla::min(*this, dim, keepdim);
}
Tensor Tensor::amax(const Shape& dims, bool keepdim) const {
  return nabla::amax(*this, dims, keepdim);
}
Tensor Tensor::amin(const Shape& dims, bool keepdim) const {
  return nabla::amin(*this, dims, keepdim);
}
Tensor Tensor::argmax() const {
  return nabla::argmax(*this);
}
Tensor Tensor::argmax(int64_t dim, bool keepdim) const {
  return nabla::argmax(*this, dim, keepdim);
}
Tensor Tensor::argmin() const {
  return nabla::argmin(*this);
}
Tensor Tensor::argmin(int64_t dim, bool keepdim) const {
  return nabla::argmin(*this, dim, keepdim);
}

}  // namespace nabla

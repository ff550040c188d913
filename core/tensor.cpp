// Tensor's metadata accessors and element access. The ops it declares live in autograd/.
#include <nabla/core/native.h>
#include <nabla/core/tensor.h>

namespace nabla {

void Tensor::throw_undefined() {
  NABLA_FAIL("Tensor: this tensor is undefined (default-constructed)");
}

int64_t Tensor::size(int64_t dim) const {
  NABLA_CHECK(this->dim() > 0, "size: dim ", dim, " was asked of a 0-dim tensor, which has none");
  return checked().sizes()[wrap_dim(dim, this->dim(), "size")];
}

int64_t Tensor::stride(int64_t dim) const {
  NABLA_CHECK(this->dim() > 0, "stride: dim ", dim, " was asked of a 0-dim tensor, which has none");
  return checked().strides()[wrap_dim(dim, this->dim(), "stride")];
}

bool Tensor::is_alias_of(const Tensor& other) const {
  return defined() && other.defined() && impl_->storage() == other.impl_->storage();
}

template <typename T>
T* Tensor::data_ptr() const {
  NABLA_CHECK(dtype() == dtype_of_v<T>, "data_ptr: expected dtype ", dtype_of_v<T>,
              " but the tensor holds ", dtype());
  return static_cast<T*>(checked().data());
}

template <typename T>
T Tensor::item() const {
  NABLA_CHECK(numel() == 1, "item: a tensor with ", numel(), " elements (shape ", sizes(),
              ") cannot be converted to a scalar; item() needs exactly one element");
  Tensor host = native::to(native::to(*this, Device(kCPU)), dtype_of_v<T>);
  return *static_cast<const T*>(host.data_ptr());
}

Scalar Tensor::item() const {
  switch (dtype()) {
    case kBool:
      return Scalar(item<bool>());
    case kUInt8:
    case kInt64:
      return Scalar(item<int64_t>());
    case kFloat32:
    case kFloat64:
      return Scalar(item<double>());
  }
  return Scalar();
}

template <typename T>
std::vector<T> Tensor::to_vector() const {
  Tensor host = native::contiguous(native::to(native::to(*this, Device(kCPU)), dtype_of_v<T>));
  const T* data = static_cast<const T*>(host.data_ptr());
  return std::vector<T>(data, data + host.numel());
}

#define NABLA_INSTANTIATE(T)               \
  template T* Tensor::data_ptr<T>() const; \
  template T Tensor::item<T>() const;      \
  template std::vector<T> Tensor::to_vector<T>() const;
NABLA_INSTANTIATE(bool)
NABLA_INSTANTIATE(uint8_t)
NABLA_INSTANTIATE(int64_t)
NABLA_INSTANTIATE(float)
NABLA_INSTANTIATE(double)
#undef NABLA_INSTANTIATE

}  // namespace nabla

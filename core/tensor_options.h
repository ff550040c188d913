// TensorOptions: the dtype, device and requires_grad a factory builds with, written as in libtorch:
// zeros({2, 3}, kFloat64), zeros({2}, TensorOptions().dtype(kInt64).device(kCUDA)).
#pragma once

#include <optional>

#include <nabla/core/device.h>
#include <nabla/core/dtype.h>

namespace nabla {

// The device factories use when their options name none: the CPU, unless a DefaultDeviceGuard in
// scope on this thread says otherwise (the C++ counterpart of torch.set_default_device).
Device default_device();

// Makes factories (zeros, randn, tensor, arange, ...) and modules built while it is in scope create
// their tensors on `device` unless told otherwise, on this thread:
//   { DefaultDeviceGuard on_gpu(kCUDA); nn::Linear layer(784, 10); }  // parameters on cuda:0
// from_blob is not affected: its memory is the caller's, on the device the caller says.
class DefaultDeviceGuard {
 public:
  explicit DefaultDeviceGuard(Device device);
  ~DefaultDeviceGuard();
  DefaultDeviceGuard(const DefaultDeviceGuard&) = delete;
  DefaultDeviceGuard& operator=(const DefaultDeviceGuard&) = delete;

 private:
  Device previous_;
};

class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(ScalarType dtype) : dtype_(dtype) {}     // NOLINT: implicit like libtorch
  TensorOptions(Device device) : device_(device) {}      // NOLINT
  TensorOptions(DeviceType device) : device_(device) {}  // NOLINT

  TensorOptions dtype(ScalarType dtype) const {
    TensorOptions o = *this;
    o.dtype_ = dtype;
    return o;
  }
  TensorOptions device(Device device) const {
    TensorOptions o = *this;
    o.device_ = device;
    return o;
  }
  TensorOptions requires_grad(bool requires_grad) const {
    TensorOptions o = *this;
    o.requires_grad_ = requires_grad;
    return o;
  }

  ScalarType dtype() const { return dtype_.value_or(default_float_dtype()); }
  std::optional<ScalarType> dtype_opt() const { return dtype_; }
  Device device() const { return device_.value_or(default_device()); }
  std::optional<Device> device_opt() const { return device_; }
  bool requires_grad() const { return requires_grad_; }

 private:
  std::optional<ScalarType> dtype_;
  std::optional<Device> device_;
  bool requires_grad_ = false;
};

inline TensorOptions dtype(ScalarType d) {
  return TensorOptions().dtype(d);
}
inline TensorOptions device(Device d) {
  return TensorOptions().device(d);
}
inline TensorOptions requires_grad(bool r = true) {
  return TensorOptions().requires_grad(r);
}

}  // namespace nabla

// Copies and conversions: contiguous, clone, to(dtype), to(device), copy_ and fill_.
#include <nabla/core/native.h>

namespace nabla::native {

void throw_undefined(const char* op) {
  NABLA_FAIL(op, ": got an undefined tensor");
}

void throw_device_mismatch(const char* op, const Tensor& a, const Tensor& b) {
  NABLA_FAIL(op, ": expected all tensors on one device, but got ", a.device(), " and ", b.device());
}

void throw_internal_overlap(const char* op, const Tensor& x) {
  NABLA_FAIL(op, ": more than one element of the written-to tensor (shape ", x.sizes(),
             ", strides ", x.strides(), ") refers to a single memory location; clone() it first");
}

void copy_(const Tensor& dst, const Tensor& src) {
  check_defined("copy_", dst);
  check_defined("copy_", src);
  check_no_internal_overlap("copy_", dst);
  Tensor source = src;
  if (source.sizes() != dst.sizes()) {
    NABLA_CHECK(broadcast_shapes(dst.sizes(), src.sizes(), "copy_") == dst.sizes(),
                "copy_: source of shape ", src.sizes(),
                " cannot be broadcast to destination shape ", dst.sizes());
    source = expand(src, dst.sizes());
  }
  if (dst.numel() == 0) return;
  // A source overlapping the destination differently (x.copy_(x.t())) is read in full first.
  if (source.is_alias_of(dst) &&
      (source.strides() != dst.strides() || source.storage_offset() != dst.storage_offset())) {
    source = clone(source);
  }
  Device device = dst.device().is_cpu() ? source.device() : dst.device();
  backend_for(device).copy(source, dst);
  dst.impl()->storage()->bump_version();
}

void fill_(const Tensor& dst, const Scalar& value) {
  check_defined("fill_", dst);
  check_fits("fill_", value, dst.dtype());
  backend_for(dst.device()).fill(dst, value);
  dst.impl()->storage()->bump_version();
}

Tensor clone(const Tensor& x) {
  check_defined("clone", x);
  Tensor out = empty(x.sizes(), x.dtype(), x.device());
  if (x.numel() > 0) backend_for(x.device()).copy(x, out);
  return out;
}

Tensor contiguous(const Tensor& x) {
  check_defined("contiguous", x);
  return x.is_contiguous() ? x : clone(x);
}

Tensor to(const Tensor& x, ScalarType dtype) {
  check_defined("to", x);
  if (x.dtype() == dtype) return x;
  Tensor out = empty(x.sizes(), dtype, x.device());
  if (x.numel() > 0) backend_for(x.device()).copy(x, out);
  return out;
}

Tensor to(const Tensor& x, Device device) {
  check_defined("to", x);
  if (x.device() == device) return x;
  Tensor out = empty(x.sizes(), x.dtype(), device);
  if (x.numel() > 0) backend_for(device.is_cpu() ? x.device() : device).copy(x, out);
  return out;
}

}  // namespace nabla::native

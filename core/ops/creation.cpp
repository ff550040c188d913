// Creating tensors: allocation on a device, fills, borrowed memory and random fills.
#include <nabla/core/generator.h>
#include <nabla/core/native.h>

namespace nabla::native {

namespace {
// "cuda" means the current device, which nabla takes as device 0: tensors carry the index, so that
// they print, compare and save as cuda:0, as PyTorch's do.
Device with_index(Device device) {
  return device.is_cuda() && device.index() < 0 ? Device(kCUDA, 0) : device;
}
}  // namespace

Tensor empty(const Shape& sizes, ScalarType dtype, Device device) {
  device = with_index(device);
  int64_t numel = 1;
  for (int64_t s : sizes) {
    NABLA_CHECK(s >= 0, "empty: negative dimension ", s, " in shape ", sizes);
    NABLA_CHECK(s == 0 || numel <= (int64_t{1} << 58) / s, "empty: shape ", sizes, " is too large");
    numel *= s;
  }
  Backend& backend = backend_for(device);
  auto storage = std::make_shared<Storage>(static_cast<size_t>(numel) * element_size(dtype), device,
                                           &backend.allocator());
  return Tensor(
      std::make_shared<TensorImpl>(std::move(storage), dtype, sizes, contiguous_strides(sizes), 0));
}

// Creation fills through the backend directly: a new tensor starts at version 0, as in PyTorch.
Tensor full(const Shape& sizes, const Scalar& value, ScalarType dtype, Device device) {
  check_fits("full", value, dtype);
  Tensor t = empty(sizes, dtype, device);
  if (t.numel() > 0) backend_for(device).fill(t, value);
  return t;
}

Tensor scalar_tensor(const Scalar& value, ScalarType dtype, Device device) {
  return full({}, value, dtype, device);
}

Tensor from_blob(void* data, const Shape& sizes, const Strides& strides, ScalarType dtype,
                 Device device, std::function<void(void*)> deleter) {
  NABLA_CHECK(sizes.size() == strides.size(), "from_blob: shape ", sizes, " and strides ", strides,
              " have different lengths");
  int64_t extent = 1;  // one past the furthest element, in elements
  for (int64_t d = 0; d < sizes.size(); ++d) {
    NABLA_CHECK(sizes[d] >= 0 && strides[d] >= 0, "from_blob: negative size or stride in shape ",
                sizes, " strides ", strides);
    if (sizes[d] == 0) extent = 0;
    if (extent > 0) extent += (sizes[d] - 1) * strides[d];
  }
  NABLA_CHECK(data != nullptr || extent == 0, "from_blob: data is null for shape ", sizes);
  auto storage = std::make_shared<Storage>(data, static_cast<size_t>(extent) * element_size(dtype),
                                           with_index(device), std::move(deleter));
  return Tensor(std::make_shared<TensorImpl>(std::move(storage), dtype, sizes, strides, 0));
}

Tensor random(const Shape& sizes, RandomKind kind, double a, double b, ScalarType dtype,
              Device device) {
  const char* op = random_op_name(kind);
  NABLA_CHECK(is_floating_point(dtype), op, ": expected a floating point dtype, got ", dtype);
  Tensor out = empty(sizes, dtype, device);
  auto [seed, call] = default_generator(device).next_call();
  if (out.numel() > 0) backend_for(device).random(out, kind, a, b, seed, call);
  return out;
}

void random_(const Tensor& out, RandomKind kind, double a, double b) {
  const char* op = kind == RandomKind::Uniform ? "uniform_" : "normal_";
  NABLA_CHECK(is_floating_point(out.dtype()), op, ": expected a floating point dtype, got ",
              out.dtype());
  // Draw into a fresh tensor and copy, so that any layout (a strided parameter view) works.
  copy_(out, random(out.sizes(), kind, a, b, out.dtype(), out.device()));
}

}  // namespace nabla::native

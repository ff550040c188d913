// Creating tensors: allocation on a device, fills, borrowed memory and random fills.
#include <nabla/core/generator.h>
#include <nabla/core/native.h>

namespace nabla::native {

Tensor empty(const Shape& sizes, ScalarType dtype, Device device) {
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

Tensor full(const Shape& sizes, const Scalar& value, ScalarType dtype, Device device) {
  Tensor t = empty(sizes, dtype, device);
  fill_(t, value);
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
                                           device, std::move(deleter));
  return Tensor(std::make_shared<TensorImpl>(std::move(storage), dtype, sizes, strides, 0));
}

void random_(const Tensor& out, RandomKind kind, double a, double b) {
  const char* op = kind == RandomKind::Uniform ? "rand" : "randn";
  NABLA_CHECK(is_floating_point(out.dtype()), op, ": expected a floating point dtype, got ",
              out.dtype());
  NABLA_CHECK(out.is_contiguous(), op, ": expected a contiguous tensor");
  auto [seed, call] = default_generator(out.device()).next_call();
  backend_for(out.device()).random(out, kind, a, b, seed, call);
  out.impl()->storage()->bump_version();
}

}  // namespace nabla::native

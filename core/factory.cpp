// Tensor factories: thin wrappers over native creation that apply TensorOptions.
#include <cmath>

#include <nabla/core/factory.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

Tensor finish(Tensor t, const TensorOptions& options) {
  if (options.requires_grad()) t.set_requires_grad(true);
  return t;
}

}  // namespace

Tensor empty(const Shape& sizes, const TensorOptions& options) {
  return finish(native::empty(sizes, options.dtype(), options.device()), options);
}

Tensor zeros(const Shape& sizes, const TensorOptions& options) {
  return finish(native::full(sizes, 0, options.dtype(), options.device()), options);
}

Tensor ones(const Shape& sizes, const TensorOptions& options) {
  return finish(native::full(sizes, 1, options.dtype(), options.device()), options);
}

Tensor full(const Shape& sizes, const Scalar& value, const TensorOptions& options) {
  const ScalarType dtype = options.dtype_opt().value_or(
      value.is_floating_point() ? default_float_dtype() : value.kind());
  return finish(native::full(sizes, value, dtype, options.device()), options);
}

Tensor scalar_tensor(const Scalar& value, const TensorOptions& options) {
  // Always the default dtype unless told otherwise, as torch::scalar_tensor (full follows the
  // value's kind instead).
  return full({}, value, options.dtype(options.dtype()));
}

Tensor arange(const Scalar& end, const TensorOptions& options) {
  return arange(0, end, 1, options);
}

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step,
              const TensorOptions& options) {
  const bool integral =
      !start.is_floating_point() && !end.is_floating_point() && !step.is_floating_point();
  const ScalarType dtype = options.dtype_opt().value_or(integral ? kInt64 : default_float_dtype());
  const double s = start.to_double(), e = end.to_double(), d = step.to_double();
  NABLA_CHECK(d != 0, "arange: step must be nonzero");
  NABLA_CHECK(std::isfinite(s) && std::isfinite(e), "arange: start and end must be finite, got ",
              start, " and ", end);
  NABLA_CHECK((d > 0 && e >= s) || (d < 0 && e <= s), "arange: upper bound ", end,
              " and lower bound ", start, " are inconsistent with step sign ", step);
  // Integer ranges are counted and filled exactly, in 128 bits: [INT64_MIN, INT64_MAX) in steps of
  // INT64_MAX has 3 elements, which double arithmetic rounds to 2.
  using Wide = __int128;
  const Wide first = start.to<int64_t>(), stride = step.to<int64_t>();
  Wide count = 0;
  if (integral) {
    const Wide span = Wide{end.to<int64_t>()} - first;
    count = (span + stride - (stride > 0 ? 1 : -1)) / stride;
  } else {
    const double elements = std::ceil((e - s) / d);
    NABLA_CHECK(elements < 9.2e18, "arange: [", start, ", ", end, ") in steps of ", step, " has ",
                elements, " elements, more than a tensor can hold");
    count = static_cast<Wide>(elements);
  }
  Tensor host = native::empty({static_cast<int64_t>(count)}, dtype, Device(kCPU));  // version 0
  dispatch_dtype(dtype, "arange", [&](auto tag) {
    using T = decltype(tag);
    T* out = host.data_ptr<T>();
    for (int64_t i = 0; i < static_cast<int64_t>(count); ++i) {
      out[i] = integral ? math::convert<T>(static_cast<int64_t>(first + i * stride))
                        : math::convert<T>(s + static_cast<double>(i) * d);
    }
  });
  return finish(native::to(host, options.device()), options);
}

Tensor rand(const Shape& sizes, const TensorOptions& options) {
  return finish(
      native::random(sizes, RandomKind::Uniform, 0.0, 1.0, options.dtype(), options.device()),
      options);
}

Tensor randn(const Shape& sizes, const TensorOptions& options) {
  return finish(
      native::random(sizes, RandomKind::Normal, 0.0, 1.0, options.dtype(), options.device()),
      options);
}

Tensor empty_like(const Tensor& t) {
  return empty(t.sizes(), t.options());
}
Tensor zeros_like(const Tensor& t) {
  return zeros(t.sizes(), t.options());
}
Tensor ones_like(const Tensor& t) {
  return ones(t.sizes(), t.options());
}
Tensor full_like(const Tensor& t, const Scalar& value) {
  return full(t.sizes(), value, t.options());
}
Tensor rand_like(const Tensor& t) {
  return rand(t.sizes(), t.options());
}
Tensor randn_like(const Tensor& t) {
  return randn(t.sizes(), t.options());
}

Tensor from_blob(void* data, const Shape& sizes, const TensorOptions& options) {
  return from_blob(data, sizes, contiguous_strides(sizes), options);
}

Tensor from_blob(void* data, const Shape& sizes, const Strides& strides,
                 const TensorOptions& options) {
  return finish(native::from_blob(data, sizes, strides, options.dtype(),
                                  options.device_opt().value_or(Device(kCPU)), nullptr),
                options);
}

Tensor from_blob(void* data, const Shape& sizes, std::function<void(void*)> deleter,
                 const TensorOptions& options) {
  return finish(native::from_blob(data, sizes, contiguous_strides(sizes), options.dtype(),
                                  options.device_opt().value_or(Device(kCPU)), std::move(deleter)),
                options);
}

namespace detail {
Tensor tensor_from_host(const void* data, ScalarType source_dtype, const Shape& sizes,
                        const TensorOptions& options, bool is_literal_list) {
  // A list of floating literals takes the default dtype, as in PyTorch; a vector keeps its type.
  ScalarType natural =
      is_literal_list && source_dtype == kFloat64 ? default_float_dtype() : source_dtype;
  Tensor source = native::from_blob(const_cast<void*>(data), sizes, contiguous_strides(sizes),
                                    source_dtype, Device(kCPU), nullptr);
  Tensor result = native::empty(sizes, options.dtype_opt().value_or(natural), options.device());
  // Through the backend, not copy_: a new tensor starts at version 0.
  if (result.numel() > 0) backend_for(result.device()).copy(source, result);
  return finish(result, options);
}
}  // namespace detail

}  // namespace nabla

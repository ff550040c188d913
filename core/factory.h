// Tensor factories, named as in libtorch: zeros, ones, full, empty, arange, rand, randn, tensor,
// from_blob and the *_like forms. Floating factories default to float32.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <type_traits>
#include <vector>

#include <nabla/core/tensor.h>

namespace nabla {

Tensor empty(const Shape& sizes, const TensorOptions& options = {});
Tensor zeros(const Shape& sizes, const TensorOptions& options = {});
Tensor ones(const Shape& sizes, const TensorOptions& options = {});
// Without a dtype in options, the dtype follows the value: bool, int64 or float32.
Tensor full(const Shape& sizes, const Scalar& value, const TensorOptions& options = {});
// Values start, start + step, ... below end. The dtype is int64 when all three are integers.
Tensor arange(const Scalar& end, const TensorOptions& options = {});
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step = 1,
              const TensorOptions& options = {});
// Uniform in [0, 1) and standard normal, from the device's generator (see manual_seed).
Tensor rand(const Shape& sizes, const TensorOptions& options = {});
Tensor randn(const Shape& sizes, const TensorOptions& options = {});

Tensor empty_like(const Tensor& t);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, const Scalar& value);
Tensor rand_like(const Tensor& t);
Tensor randn_like(const Tensor& t);

// A tensor over memory the caller owns, without a copy. The memory must outlive every view unless a
// deleter is given, which runs when the last view is gone. The device is the CPU unless the options
// name one. For GPU memory the deleter runs when the last view goes, which may be before kernels
// queued on it have finished: call cuda::synchronize() first if it frees the memory.
Tensor from_blob(void* data, const Shape& sizes, const TensorOptions& options = {});
Tensor from_blob(void* data, const Shape& sizes, const Strides& strides,
                 const TensorOptions& options = {});
Tensor from_blob(void* data, const Shape& sizes, std::function<void(void*)> deleter,
                 const TensorOptions& options = {});

namespace detail {
// Copies `count` host values of `source_dtype` into a new tensor of `sizes` built with `options`.
Tensor tensor_from_host(const void* data, ScalarType source_dtype, const Shape& sizes,
                        const TensorOptions& options, bool is_literal_list);
template <typename T>
constexpr ScalarType literal_dtype() {
  if constexpr (std::is_same_v<T, bool>)
    return kBool;
  else if constexpr (std::is_same_v<T, uint8_t>)
    return kUInt8;
  else if constexpr (std::is_integral_v<T>)
    return kInt64;
  else if constexpr (std::is_same_v<T, float>)
    return kFloat32;
  else
    return kFloat64;
}
template <typename T>
using literal_storage_t = std::conditional_t<
    std::is_same_v<T, bool>,
    uint8_t,  // std::vector<bool> has no data(); bool is one byte of 0 or 1
    std::conditional_t<std::is_same_v<T, uint8_t> || std::is_same_v<T, float> ||
                           std::is_same_v<T, double>,
                       T, std::conditional_t<std::is_integral_v<T>, int64_t, double>>>;
}  // namespace detail

// From values: tensor({1, 2, 3}) is int64, tensor({1.5, 2.5}) float32 (the default floating dtype,
// as in PyTorch), tensor({true}) bool; nested lists give 2-D and 3-D tensors.
template <typename T>
Tensor tensor(std::initializer_list<T> values, const TensorOptions& options = {}) {
  std::vector<detail::literal_storage_t<T>> flat(values.begin(), values.end());
  return detail::tensor_from_host(flat.data(), detail::literal_dtype<T>(),
                                  {static_cast<int64_t>(flat.size())}, options, true);
}
template <typename T>
Tensor tensor(std::initializer_list<std::initializer_list<T>> rows,
              const TensorOptions& options = {}) {
  std::vector<detail::literal_storage_t<T>> flat;
  int64_t cols = rows.size() ? static_cast<int64_t>(rows.begin()->size()) : 0;
  for (const auto& row : rows) {
    NABLA_CHECK(static_cast<int64_t>(row.size()) == cols,
                "tensor: rows of a nested list must have equal lengths, got ", row.size(), " and ",
                cols);
    flat.insert(flat.end(), row.begin(), row.end());
  }
  return detail::tensor_from_host(flat.data(), detail::literal_dtype<T>(),
                                  {static_cast<int64_t>(rows.size()), cols}, options, true);
}
template <typename T>
Tensor tensor(std::initializer_list<std::initializer_list<std::initializer_list<T>>> blocks,
              const TensorOptions& options = {}) {
  std::vector<detail::literal_storage_t<T>> flat;
  Shape sizes{static_cast<int64_t>(blocks.size()), 0, 0};
  bool first = true;
  for (const auto& block : blocks) {
    int64_t rows = static_cast<int64_t>(block.size());
    int64_t cols = rows ? static_cast<int64_t>(block.begin()->size()) : 0;
    if (first) sizes[1] = rows, sizes[2] = cols, first = false;
    NABLA_CHECK(rows == sizes[1], "tensor: blocks of a nested list must have equal lengths");
    for (const auto& row : block) {
      NABLA_CHECK(static_cast<int64_t>(row.size()) == sizes[2],
                  "tensor: rows of a nested list must have equal lengths");
      flat.insert(flat.end(), row.begin(), row.end());
    }
  }
  return detail::tensor_from_host(flat.data(), detail::literal_dtype<T>(), sizes, options, true);
}
// From a vector: the dtype follows T (float32 for float, float64 for double) unless options say.
template <typename T>
Tensor tensor(const std::vector<T>& values, const TensorOptions& options = {}) {
  std::vector<detail::literal_storage_t<T>> flat(values.begin(), values.end());
  return detail::tensor_from_host(flat.data(), detail::literal_dtype<T>(),
                                  {static_cast<int64_t>(flat.size())}, options, false);
}
// A zero-dim tensor holding one value.
Tensor scalar_tensor(const Scalar& value, const TensorOptions& options = {});

}  // namespace nabla

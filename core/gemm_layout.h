// How a matrix (the last two dims of a 3-D tensor) lies in memory, in the terms BLAS libraries
// take: row-major, or transposed, each with a leading dimension. Ops copy a matrix that is neither.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>

#include <nabla/core/tensor.h>

namespace nabla {

struct GemmLayout {
  bool transposed;  // stored column-major: BLAS reads it with op = 'T'
  int64_t ld;       // leading dimension, in elements
};

inline std::optional<GemmLayout> gemm_layout(const Tensor& m) {
  const int64_t rows = m.size(m.dim() - 2), cols = m.size(m.dim() - 1);
  const int64_t row_stride = m.stride(m.dim() - 2), col_stride = m.stride(m.dim() - 1);
  if ((col_stride == 1 || cols == 1) && row_stride >= std::max<int64_t>(cols, 1)) {
    return GemmLayout{false, row_stride};
  }
  if ((row_stride == 1 || rows == 1) && col_stride >= std::max<int64_t>(rows, 1)) {
    return GemmLayout{true, col_stride};
  }
  return std::nullopt;
}

}  // namespace nabla

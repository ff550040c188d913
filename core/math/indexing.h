// What gather, index_select and scatter_add compute per element, for the CPU loops and the CUDA
// kernels alike: whether an index is valid, and which element it picks along the indexed dim.
#pragma once

#include <nabla/core/math/hostdevice.h>

namespace nabla::math {

NABLA_HD inline bool index_in_range(int64_t index, int64_t limit) {
  return index >= 0 && index < limit;
}

// The element that `index` picks: `base` is the element's offset with the indexed dim's stride
// taken out (the loop walks that dim with stride 0), `dim_stride` that dim's stride.
template <typename Index>
NABLA_HD int64_t indexed_offset(Index base, int64_t index, int64_t dim_stride) {
  return static_cast<int64_t>(base) + index * dim_stride;
}

}  // namespace nabla::math

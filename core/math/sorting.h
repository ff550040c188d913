// The order sort, argsort and topk use, on both devices: NaN above every number (so ascending
// sorts put NaNs last and descending first) and -0 equal to 0, as in PyTorch. Keys go through
// sort_key first, which gives every NaN one bit pattern and turns -0 into 0, so that the GPU's
// radix sort (which compares bits) and the CPU's comparison sort agree; ties keep their order.
#pragma once

#include <type_traits>

#include <nabla/core/math/hostdevice.h>

namespace nabla::math {

template <typename T>
NABLA_HD T sort_key(T x) {
  if constexpr (std::is_floating_point_v<T>) {
    if (is_nan(x)) return static_cast<T>(NAN);
    if (x == 0) return T(0);
  }
  return x;
}

// a strictly before b in ascending order, for keys from sort_key.
template <typename T>
NABLA_HD bool sort_less(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (is_nan(a)) return false;
    if (is_nan(b)) return true;
  }
  return a < b;
}

// The type a cumulative sum or product accumulates in: double for floating dtypes (as PyTorch's
// CPU does); for integers uint64, whose overflow wraps as int64's two's complement would (signed
// overflow is undefined).
template <typename T>
using scan_acc_t = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;

}  // namespace nabla::math

// The per-element steps of a numerically stable softmax along a row, for the CPU loop and the
// CUDA kernel (one block per row) alike: shift by the row's maximum, exponentiate, normalize.
#pragma once

#include <nabla/core/math/hostdevice.h>

namespace nabla::math {

// What each element of a row is shifted by: the row's maximum, or 0 for a row of -inf (whose
// maximum would give inf - inf = NaN).
template <typename T>
NABLA_HD T softmax_shift(T row_max) {
  return row_max == lowest<T>() ? T(0) : row_max;
}

// log_softmax of x from the row's shift and log(sum of exp(x - shift)). (x - shift) - log_total,
// not x - (shift + log_total): the sum would round log_total to the ulp of a large shift
// (log_softmax(1000, 1000) came out 3e-5 off -ln 2 in float).
template <typename T>
NABLA_HD T log_softmax_value(T x, T shift, T log_total) {
  return (x - shift) - log_total;
}

}  // namespace nabla::math

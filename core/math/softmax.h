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

// Softmax cross entropy of one row x against class t with label smoothing s, the target
// distribution being (1 - s) at t plus s / C everywhere:
//   (1 - s) (log_total - (x_t - shift)) + s (log_total - mean_c (x_c - shift))
// from the row's shift, log_total and the mean of its shifted values. Shifted, as in
// log_softmax_value, so that large logits keep their precision; without smoothing the mean is not
// used (it may be -inf, and 0 * inf is NaN).
template <typename T>
NABLA_HD T cross_entropy_value(T target_shifted, T mean_shifted, T log_total, T smoothing) {
  const T target_term = (T(1) - smoothing) * (log_total - target_shifted);
  return smoothing > T(0) ? target_term + smoothing * (log_total - mean_shifted) : target_term;
}

// The gradient of cross_entropy_value for one element of the row, from its softmax probability p,
// times the row's factor (the incoming gradient and the reduction's weight):
// factor (p - (1 - s) [the element is the target's] - s / C).
template <typename T>
NABLA_HD T cross_entropy_grad(T p, bool is_target, T smoothing, T smoothing_per_class, T factor) {
  const T target = (is_target ? T(1) - smoothing : T(0)) + smoothing_per_class;
  return factor * (p - target);
}

}  // namespace nabla::math

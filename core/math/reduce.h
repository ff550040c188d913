// Reduction combiners: an identity and an associative combine, so a backend may reduce in any
// order. Integer sums and products wrap (wrapping.h); max and min propagate NaN, as torch.max does.
#pragma once

#include <nabla/core/math/hostdevice.h>
#include <nabla/core/math/wrapping.h>

namespace nabla::math {

struct SumReduce {
  template <typename T>
  NABLA_HD static constexpr T identity() {
    return T(0);
  }
  template <typename T>
  NABLA_HD T operator()(T acc, T x) const {
    return wrapping_add(acc, x);
  }
};

struct ProdReduce {
  template <typename T>
  NABLA_HD static constexpr T identity() {
    return T(1);
  }
  template <typename T>
  NABLA_HD T operator()(T acc, T x) const {
    return wrapping_mul(acc, x);
  }
};

struct MaxReduce {
  template <typename T>
  NABLA_HD static constexpr T identity() {
    return lowest<T>();
  }
  template <typename T>
  NABLA_HD T operator()(T acc, T x) const {
    return (is_nan(acc) || acc >= x) ? acc : x;  // NaN in x: acc >= NaN is false, so x wins
  }
};

struct MinReduce {
  template <typename T>
  NABLA_HD static constexpr T identity() {
    return highest<T>();
  }
  template <typename T>
  NABLA_HD T operator()(T acc, T x) const {
    return (is_nan(acc) || acc <= x) ? acc : x;
  }
};

// For argmax/argmin: whether `candidate` replaces the current best. The first of equal values wins,
// and the first NaN wins over everything, as in PyTorch.
template <bool IsMax>
struct ArgBetter {
  template <typename T>
  NABLA_HD bool operator()(T candidate, T best) const {
    if (is_nan(best)) return false;
    if (is_nan(candidate)) return true;
    return IsMax ? candidate > best : candidate < best;
  }
};

// The index along a line (`length` elements `stride` apart) that argmax (IsMax) or argmin picks:
// the first of equal values, and the first NaN over everything.
template <bool IsMax, typename T>
NABLA_HD int64_t arg_reduce_line(const T* x, int64_t length, int64_t stride) {
  ArgBetter<IsMax> better;
  int64_t best = 0;
  for (int64_t i = 1; i < length; ++i) {
    if (better(x[i * stride], x[best * stride])) best = i;
  }
  return best;
}

// A candidate of a parallel arg-reduction: a value and its index along the line.
template <typename T>
struct ValueIndex {
  T value;
  int64_t index;
};

// Combines two candidates so that any grouping and order gives arg_reduce_line's answer: NaN beats
// numbers, then the larger (IsMax) or smaller value wins, and equals go to the smaller index. That
// is a total order, so the winner of a set does not depend on how the set was split.
template <bool IsMax>
struct ArgCombine {
  template <typename T>
  NABLA_HD ValueIndex<T> operator()(const ValueIndex<T>& a, const ValueIndex<T>& b) const {
    const bool a_nan = is_nan(a.value), b_nan = is_nan(b.value);
    if (a_nan || b_nan) {
      if (a_nan && b_nan) return a.index <= b.index ? a : b;
      return a_nan ? a : b;
    }
    if (a.value == b.value) return a.index <= b.index ? a : b;
    return (IsMax ? a.value > b.value : a.value < b.value) ? a : b;
  }
};

}  // namespace nabla::math

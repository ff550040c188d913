// Reduction combiners: an identity and an associative combine, so a backend may reduce in any
// order. max and min propagate NaN, as torch.max does.
#pragma once

#include <nabla/core/math/hostdevice.h>

namespace nabla::math {

struct SumReduce {
  template <typename T>
  NABLA_HD static constexpr T identity() {
    return T(0);
  }
  template <typename T>
  NABLA_HD T operator()(T acc, T x) const {
    return static_cast<T>(acc + x);
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

}  // namespace nabla::math

// Integer arithmetic that wraps around on overflow, as PyTorch's integer tensors do. Signed
// operands are taken through the unsigned type of their width, where wrapping is defined (in the
// signed type overflow is undefined behaviour), and at least through `unsigned`, since narrower
// types promote to int, where 0xFFFF * 0xFFFF would overflow again. Other types (floating point,
// bool) pass straight through.
#pragma once

#include <type_traits>

#include <nabla/core/math/hostdevice.h>

namespace nabla::math {

template <typename T>
inline constexpr bool kWraps = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// The type wrapping arithmetic on T is carried out in.
template <typename T>
using WrapType =
    std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

template <typename T>
NABLA_HD T wrapping_add(T a, T b) {
  if constexpr (kWraps<T>) {
    return static_cast<T>(static_cast<WrapType<T>>(a) + static_cast<WrapType<T>>(b));
  } else {
    return static_cast<T>(a + b);
  }
}

template <typename T>
NABLA_HD T wrapping_sub(T a, T b) {
  if constexpr (kWraps<T>) {
    return static_cast<T>(static_cast<WrapType<T>>(a) - static_cast<WrapType<T>>(b));
  } else {
    return static_cast<T>(a - b);
  }
}

template <typename T>
NABLA_HD T wrapping_mul(T a, T b) {
  if constexpr (kWraps<T>) {
    return static_cast<T>(static_cast<WrapType<T>>(a) * static_cast<WrapType<T>>(b));
  } else {
    return static_cast<T>(a * b);
  }
}

// -INT64_MIN is INT64_MIN, as in two's complement.
template <typename T>
NABLA_HD T wrapping_neg(T x) {
  if constexpr (kWraps<T>) {
    return wrapping_sub(T(0), x);
  } else {
    return static_cast<T>(-x);
  }
}

}  // namespace nabla::math

// Element conversion between dtypes without undefined behaviour: floating values that an integer
// type cannot hold (NaN, out of range) are saturated to int64 first, then wrap as C++ integers do.
#pragma once

#include <type_traits>

#include <nabla/core/math/hostdevice.h>

namespace nabla::math {

template <typename To, typename From>
NABLA_HD To convert(From x) {
  if constexpr (std::is_same_v<To, bool>) {
    return x != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (is_nan(x)) return To(0);
    if (x >= From(9.2233720368547758e18)) return static_cast<To>(INT64_MAX);
    if (x <= From(-9.2233720368547758e18)) return static_cast<To>(INT64_MIN);
    return static_cast<To>(static_cast<int64_t>(x));
  } else {
    return static_cast<To>(x);
  }
}

// convert<To> as a functor, for the elementwise loops of copies between dtypes.
template <typename To>
struct ConvertTo {
  template <typename From>
  NABLA_HD To operator()(From x) const {
    return convert<To>(x);
  }
};

// A value of an integer or floating type held as int64 or double, converted to T saturating at T's
// range (clamp's bounds: a bound beyond the type's range bounds nothing).
template <typename T, typename From>
NABLA_HD T saturate(From x) {
  if constexpr (std::is_same_v<T, bool> || std::is_floating_point_v<T>) {
    return convert<T>(x);
  } else {
    if (is_nan(x)) return T(0);
    if (!(x > From(lowest<T>()))) return lowest<T>();
    if (!(x < From(highest<T>()))) return highest<T>();
    return static_cast<T>(x);
  }
}

}  // namespace nabla::math

// Unary elementwise functors: y = f(x). Both backends apply these per element.
#pragma once

#include <type_traits>

#include <nabla/core/math/hostdevice.h>
#include <nabla/core/math/wrapping.h>

namespace nabla::math {

struct Neg {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    return wrapping_neg(x);
  }
};

struct Exp {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    return math::exp(x);
  }
};

struct Log {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    return math::log(x);
  }
};

struct Sqrt {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    return math::sqrt(x);
  }
};

struct Abs {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    // fabs clears the sign bit, so abs(-0.0) is +0.0 as in PyTorch; -0.0 < 0 is false.
    if constexpr (std::is_floating_point_v<T>) {
      return math::fabs(x);
    } else if constexpr (std::is_unsigned_v<T>) {
      return x;
    } else {
      return x < T(0) ? wrapping_neg(x) : x;  // abs(INT64_MIN) is INT64_MIN, as in PyTorch
    }
  }
};

// relu(x) = max(x, 0); NaN stays NaN as in PyTorch.
struct Relu {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    if constexpr (std::is_unsigned_v<T>) {
      return x;
    } else {
      return x < T(0) ? T(0) : x;
    }
  }
};

// sigmoid(x) = 1 / (1 + e^-x), evaluated so that neither branch overflows.
struct Sigmoid {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    if (x >= T(0)) return T(1) / (T(1) + math::exp(-x));
    T e = math::exp(x);
    return e / (T(1) + e);
  }
};

struct Tanh {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    return math::tanh(x);
  }
};

struct Sin {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    return math::sin(x);
  }
};

struct Cos {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    return math::cos(x);
  }
};

struct Tan {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    return math::tan(x);
  }
};

// log(1 + x) and exp(x) - 1, accurate for small x where the plain forms lose every digit.
struct Log1p {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    return math::log1p(x);
  }
};

struct Expm1 {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    return math::expm1(x);
  }
};

struct Log2 {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    return math::log2(x);
  }
};

struct Log10 {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    return math::log10(x);
  }
};

// 1 / sqrt(x), correctly rounded in both steps (CUDA's rsqrtf is not), so the devices agree.
struct Rsqrt {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    return T(1) / math::sqrt(x);
  }
};

struct Reciprocal {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    return T(1) / x;
  }
};

struct Square {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    return wrapping_mul(x, x);
  }
};

// -1, 0 or 1: (0 < x) - (x < 0), which gives 0 for NaN, as torch.sign does.
struct Sign {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    if constexpr (std::is_unsigned_v<T>) {
      return static_cast<T>(x > T(0));
    } else {
      return static_cast<T>((T(0) < x) - (x < T(0)));
    }
  }
};

// Rounding of floating values; integers are already whole.
struct Floor {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    if constexpr (std::is_floating_point_v<T>) return math::floor(x);
    return x;
  }
};

struct Ceil {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    if constexpr (std::is_floating_point_v<T>) return math::ceil(x);
    return x;
  }
};

// Half to even: round(2.5) = 2, round(3.5) = 4, as torch.round.
struct Round {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    if constexpr (std::is_floating_point_v<T>) return math::rint(x);
    return x;
  }
};

struct Trunc {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    if constexpr (std::is_floating_point_v<T>) return math::trunc(x);
    return x;
  }
};

struct Erf {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    return math::erf(x);
  }
};

// Predicates: they give bool for every input dtype (integers are never NaN or infinite).
struct IsNan {
  template <typename T>
  NABLA_HD bool operator()(T x) const {
    return is_nan(x);
  }
};

struct IsInf {
  template <typename T>
  NABLA_HD bool operator()(T x) const {
    if constexpr (std::is_floating_point_v<T>) return x == highest<T>() || x == lowest<T>();
    return false;
  }
};

struct IsFinite {
  template <typename T>
  NABLA_HD bool operator()(T x) const {
    if constexpr (std::is_floating_point_v<T>) return !is_nan(x) && !IsInf{}(x);
    return true;
  }
};

struct LogicalNot {
  template <typename T>
  NABLA_HD bool operator()(T x) const {
    return !(x != T(0));
  }
};

// ~x: bits flipped for integers, not for bool (~true is false, as in PyTorch).
struct BitwiseNot {
  template <typename T>
  NABLA_HD T operator()(T x) const {
    if constexpr (std::is_same_v<T, bool>) {
      return !x;
    } else {
      return static_cast<T>(~x);
    }
  }
};

// x ** exponent for floating x; the common exponents avoid pow().
template <typename T>
struct PowScalar {
  T exponent;
  NABLA_HD T operator()(T x) const {
    if (exponent == T(2)) return x * x;
    if (exponent == T(1)) return x;
    if (exponent == T(0.5)) return math::sqrt(x);
    if (exponent == T(-1)) return T(1) / x;
    return math::pow(x, exponent);
  }
};

// x ** exponent for integer x and a non-negative integer exponent, by repeated squaring. A result
// that overflows wraps around, as PyTorch's does and as every integer op here does (wrapping.h).
struct PowInteger {
  int64_t exponent;
  template <typename T>
  NABLA_HD T operator()(T x) const {
    T result = 1;
    T base = x;
    for (int64_t e = exponent; e > 0; e >>= 1) {
      if (e & 1) result = wrapping_mul(result, base);
      base = wrapping_mul(base, base);
    }
    return result;
  }
};

// clamp(x, lo, hi) = min(max(x, lo), hi): hi wins when lo > hi, as in PyTorch; NaN stays NaN.
template <typename T>
struct Clamp {
  T lo, hi;
  NABLA_HD T operator()(T x) const {
    T y = x < lo ? lo : x;
    return y > hi ? hi : y;
  }
};

}  // namespace nabla::math

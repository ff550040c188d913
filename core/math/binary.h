// Binary elementwise functors: out = f(a, b) (integer arithmetic wraps, see wrapping.h), including
// the activation derivatives that backward uses (grad times f'(x), written in terms of whatever
// forward saved).
#pragma once

#include <type_traits>

#include <nabla/core/math/hostdevice.h>
#include <nabla/core/math/wrapping.h>

namespace nabla::math {

struct Add {
  template <typename T>
  NABLA_HD T operator()(T a, T b) const {
    return wrapping_add(a, b);
  }
};
template <>
NABLA_HD inline bool Add::operator()(bool a, bool b) const {
  return a || b;
}

struct Sub {
  template <typename T>
  NABLA_HD T operator()(T a, T b) const {
    return wrapping_sub(a, b);
  }
};

struct Mul {
  template <typename T>
  NABLA_HD T operator()(T a, T b) const {
    return wrapping_mul(a, b);
  }
};
template <>
NABLA_HD inline bool Mul::operator()(bool a, bool b) const {
  return a && b;
}

// True division; ops promote integer inputs to floating point before they reach it.
struct Div {
  template <typename T>
  NABLA_HD T operator()(T a, T b) const {
    return a / b;
  }
};

// The integer divisions below are never reached with a zero divisor: the ops refuse integer
// division by zero first. The guards make a kernel safe regardless, and keep INT64_MIN / -1
// (which traps on x86) from being computed.

// C's %: the result takes the dividend's sign (torch.fmod).
struct Fmod {
  template <typename T>
  NABLA_HD T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      return math::fmod(a, b);
    } else {
      if (b == 0 || (std::is_signed_v<T> && b == static_cast<T>(-1))) return 0;
      return static_cast<T>(a % b);
    }
  }
};

// Python's %: the result takes the divisor's sign (torch.remainder).
struct Remainder {
  template <typename T>
  NABLA_HD T operator()(T a, T b) const {
    T r = Fmod{}(a, b);
    if constexpr (std::is_signed_v<T>) {
      if (r != 0 && ((b < 0) != (r < 0))) r = static_cast<T>(r + b);
    }
    return r;
  }
};

// a / b rounded toward zero (div with rounding_mode "trunc").
struct DivTrunc {
  template <typename T>
  NABLA_HD T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      return math::trunc(a / b);
    } else {
      if (b == 0) return 0;
      // -INT64_MIN wraps to itself, as two's complement negation does.
      if (std::is_signed_v<T> && b == static_cast<T>(-1)) {
        return wrapping_neg(a);
      }
      return static_cast<T>(a / b);
    }
  }
};

// a / b rounded toward -inf (floor_divide, div with rounding_mode "floor"). For floating point
// the quotient is derived from fmod, as Python and PyTorch do, so that a == b * q + remainder
// holds as closely as rounding allows.
struct DivFloor {
  template <typename T>
  NABLA_HD T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (b == 0) return a / b;
      const T mod = math::fmod(a, b);
      T div = (a - mod) / b;
      if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1;
      if (div == 0) return math::copysign(T(0), a / b);
      T floored = math::floor(div);
      if (div - floored > T(0.5)) floored += 1;
      return floored;
    } else {
      T q = DivTrunc{}(a, b);
      if constexpr (std::is_signed_v<T>) {
        if (b != 0 && b != static_cast<T>(-1) && a % b != 0 && ((a < 0) != (b < 0))) --q;
      }
      return q;
    }
  }
};

// Elementwise max/min that propagate NaN, as torch.maximum does.
struct Maximum {
  template <typename T>
  NABLA_HD T operator()(T a, T b) const {
    if (is_nan(a)) return a;
    if (is_nan(b)) return b;
    return a > b ? a : b;
  }
};

struct Minimum {
  template <typename T>
  NABLA_HD T operator()(T a, T b) const {
    if (is_nan(a)) return a;
    if (is_nan(b)) return b;
    return a < b ? a : b;
  }
};

struct Eq {
  template <typename T>
  NABLA_HD bool operator()(T a, T b) const {
    return a == b;
  }
};
struct Ne {
  template <typename T>
  NABLA_HD bool operator()(T a, T b) const {
    return a != b;
  }
};
struct Lt {
  template <typename T>
  NABLA_HD bool operator()(T a, T b) const {
    return a < b;
  }
};
struct Le {
  template <typename T>
  NABLA_HD bool operator()(T a, T b) const {
    return a <= b;
  }
};
struct Gt {
  template <typename T>
  NABLA_HD bool operator()(T a, T b) const {
    return a > b;
  }
};
struct Ge {
  template <typename T>
  NABLA_HD bool operator()(T a, T b) const {
    return a >= b;
  }
};

// Logical ops on any dtype (nonzero is true), giving bool.
struct LogicalAnd {
  template <typename T>
  NABLA_HD bool operator()(T a, T b) const {
    return a != T(0) && b != T(0);
  }
};
struct LogicalOr {
  template <typename T>
  NABLA_HD bool operator()(T a, T b) const {
    return a != T(0) || b != T(0);
  }
};
struct LogicalXor {
  template <typename T>
  NABLA_HD bool operator()(T a, T b) const {
    return (a != T(0)) != (b != T(0));
  }
};

// Bitwise ops on bool and integers (on bool they are the logical ones).
struct BitwiseAnd {
  template <typename T>
  NABLA_HD T operator()(T a, T b) const {
    return static_cast<T>(a & b);
  }
};
struct BitwiseOr {
  template <typename T>
  NABLA_HD T operator()(T a, T b) const {
    return static_cast<T>(a | b);
  }
};
struct BitwiseXor {
  template <typename T>
  NABLA_HD T operator()(T a, T b) const {
    return static_cast<T>(a ^ b);
  }
};

// d relu: grad where x > 0, else 0.
struct ReluBackward {
  template <typename T>
  NABLA_HD T operator()(T grad, T x) const {
    return x > T(0) ? grad : T(0);
  }
};

// d sigmoid, from the forward output y: grad * y * (1 - y).
struct SigmoidBackward {
  template <typename T>
  NABLA_HD T operator()(T grad, T y) const {
    return grad * y * (T(1) - y);
  }
};

// d tanh, from the forward output y: grad * (1 - y^2).
struct TanhBackward {
  template <typename T>
  NABLA_HD T operator()(T grad, T y) const {
    return grad * (T(1) - y * y);
  }
};

// where(cond, a, b): a where cond holds, else b.
struct Where {
  template <typename T>
  NABLA_HD T operator()(bool cond, T a, T b) const {
    return cond ? a : b;
  }
};

// A value fixed at launch, for fills: an elementwise op of no inputs.
template <typename T>
struct Constant {
  T value;
  NABLA_HD T operator()() const { return value; }
};

// op(x, s) and op(s, x) for a scalar s fixed at launch: how a scalar operand (x * 0.5, 1 - x)
// reaches a kernel, as an argument in the op's compute type rather than as a tensor.
template <typename F, typename T>
struct BindSecond {
  F op;
  T scalar;
  NABLA_HD auto operator()(T x) const { return op(x, scalar); }
};

template <typename F, typename T>
struct BindFirst {
  F op;
  T scalar;
  NABLA_HD auto operator()(T x) const { return op(scalar, x); }
};

}  // namespace nabla::math

// Each elementwise op's identity, in one place: its enum value, public name, the dtypes it has
// kernels for and the core/math functor that computes it. The enums, op_name(), the dtype rules of
// the ops and both backends' dispatch (visit_unary_op, visit_binary_op) are generated from these
// two lists, so adding an op is one line here and one functor in core/math/.
#pragma once

#include <cstdint>
#include <optional>
#include <type_traits>

#include <nabla/core/dtype.h>
#include <nabla/core/math/binary.h>
#include <nabla/core/math/convert.h>
#include <nabla/core/math/unary.h>
#include <nabla/core/scalar.h>

namespace nabla {

// The dtypes an op has kernels for. Ops promote their inputs into the class before a backend sees
// them (exp of an int64 tensor computes in float32), so a backend never gets another dtype.
enum class DtypeClass : uint8_t {
  All,       // bool, uint8, int64, float32, float64
  Numeric,   // all but bool
  Floating,  // float32, float64
  Integral,  // bool, uint8, int64 (the bitwise ops)
};

template <DtypeClass Class, typename T>
constexpr bool dtype_class_has() {
  if constexpr (Class == DtypeClass::All) return true;
  if constexpr (Class == DtypeClass::Numeric) return !std::is_same_v<T, bool>;
  if constexpr (Class == DtypeClass::Integral) return !std::is_floating_point_v<T>;
  return std::is_floating_point_v<T>;
}

// The scalar arguments of a unary op: pow's exponent, clamp's bounds (absent: unbounded).
struct UnaryArgs {
  Scalar exponent;
  std::optional<Scalar> min, max;
};

// A Scalar in an op's compute type T (integers wrap, floating values convert as copies do).
template <typename T>
T scalar_as(const Scalar& s) {
  return s.is_floating_point() ? math::convert<T>(s.to<double>())
                               : math::convert<T>(s.to<int64_t>());
}

namespace op_functors {

template <typename T>
auto pow(const UnaryArgs& args) {
  if constexpr (std::is_floating_point_v<T>) {
    return math::PowScalar<T>{scalar_as<T>(args.exponent)};
  } else {
    return math::PowInteger{args.exponent.to<int64_t>()};
  }
}

// A bound beyond T's range bounds nothing, so bounds saturate instead of wrapping.
template <typename T>
math::Clamp<T> clamp(const UnaryArgs& args) {
  auto bound = [](const std::optional<Scalar>& s, T absent) {
    if (!s) return absent;
    return s->is_floating_point() ? math::saturate<T>(s->to<double>())
                                  : math::saturate<T>(s->to<int64_t>());
  };
  return {bound(args.min, math::lowest<T>()), bound(args.max, math::highest<T>())};
}

}  // namespace op_functors

// X(enum, public name, dtype class, gives bool, functor). The functor is an expression in the
// element type T and the op's UnaryArgs `args`; the predicates (isnan, logical_not) give bool.
#define NABLA_UNARY_OPS(X)                                         \
  X(Neg, "neg", Numeric, false, math::Neg{})                       \
  X(Exp, "exp", Floating, false, math::Exp{})                      \
  X(Log, "log", Floating, false, math::Log{})                      \
  X(Sqrt, "sqrt", Floating, false, math::Sqrt{})                   \
  X(Abs, "abs", Numeric, false, math::Abs{})                       \
  X(Relu, "relu", Numeric, false, math::Relu{})                    \
  X(Sigmoid, "sigmoid", Floating, false, math::Sigmoid{})          \
  X(Tanh, "tanh", Floating, false, math::Tanh{})                   \
  X(Pow, "pow", Numeric, false, op_functors::pow<T>(args))         \
  X(Clamp, "clamp", Numeric, false, op_functors::clamp<T>(args))   \
  X(Sin, "sin", Floating, false, math::Sin{})                      \
  X(Cos, "cos", Floating, false, math::Cos{})                      \
  X(Tan, "tan", Floating, false, math::Tan{})                      \
  X(Log1p, "log1p", Floating, false, math::Log1p{})                \
  X(Expm1, "expm1", Floating, false, math::Expm1{})                \
  X(Log2, "log2", Floating, false, math::Log2{})                   \
  X(Log10, "log10", Floating, false, math::Log10{})                \
  X(Rsqrt, "rsqrt", Floating, false, math::Rsqrt{})                \
  X(Reciprocal, "reciprocal", Floating, false, math::Reciprocal{}) \
  X(Square, "square", Numeric, false, math::Square{})              \
  X(Sign, "sign", Numeric, false, math::Sign{})                    \
  X(Floor, "floor", Numeric, false, math::Floor{})                 \
  X(Ceil, "ceil", Numeric, false, math::Ceil{})                    \
  X(Round, "round", Numeric, false, math::Round{})                 \
  X(Trunc, "trunc", Numeric, false, math::Trunc{})                 \
  X(Erf, "erf", Floating, false, math::Erf{})                      \
  X(IsNan, "isnan", All, true, math::IsNan{})                      \
  X(IsInf, "isinf", All, true, math::IsInf{})                      \
  X(IsFinite, "isfinite", All, true, math::IsFinite{})             \
  X(LogicalNot, "logical_not", All, true, math::LogicalNot{})      \
  X(BitwiseNot, "bitwise_not", Integral, false, math::BitwiseNot{})

// X(enum, public name, dtype class, gives bool, functor). Both operands share the compute type T;
// comparisons give bool. The activation derivatives take (grad, what forward saved).
#define NABLA_BINARY_OPS(X)                                                        \
  X(Add, "add", All, false, math::Add{})                                           \
  X(Sub, "sub", All, false, math::Sub{})                                           \
  X(Mul, "mul", All, false, math::Mul{})                                           \
  X(Div, "div", Floating, false, math::Div{})                                      \
  X(Maximum, "maximum", All, false, math::Maximum{})                               \
  X(Minimum, "minimum", All, false, math::Minimum{})                               \
  X(Eq, "eq", All, true, math::Eq{})                                               \
  X(Ne, "ne", All, true, math::Ne{})                                               \
  X(Lt, "lt", All, true, math::Lt{})                                               \
  X(Le, "le", All, true, math::Le{})                                               \
  X(Gt, "gt", All, true, math::Gt{})                                               \
  X(Ge, "ge", All, true, math::Ge{})                                               \
  X(ReluBackward, "relu_backward", Floating, false, math::ReluBackward{})          \
  X(SigmoidBackward, "sigmoid_backward", Floating, false, math::SigmoidBackward{}) \
  X(TanhBackward, "tanh_backward", Floating, false, math::TanhBackward{})          \
  X(LogicalAnd, "logical_and", All, true, math::LogicalAnd{})                      \
  X(LogicalOr, "logical_or", All, true, math::LogicalOr{})                         \
  X(LogicalXor, "logical_xor", All, true, math::LogicalXor{})                      \
  X(BitwiseAnd, "bitwise_and", Integral, false, math::BitwiseAnd{})                \
  X(BitwiseOr, "bitwise_or", Integral, false, math::BitwiseOr{})                   \
  X(BitwiseXor, "bitwise_xor", Integral, false, math::BitwiseXor{})                \
  X(Fmod, "fmod", Numeric, false, math::Fmod{})                                    \
  X(Remainder, "remainder", Numeric, false, math::Remainder{})                     \
  X(DivTrunc, "div", Numeric, false, math::DivTrunc{})                             \
  X(DivFloor, "floor_divide", Numeric, false, math::DivFloor{})

#define NABLA_ENUM_ENTRY(name, ...) name,
enum class UnaryOp : uint8_t { NABLA_UNARY_OPS(NABLA_ENUM_ENTRY) };
enum class BinaryOp : uint8_t { NABLA_BINARY_OPS(NABLA_ENUM_ENTRY) };
#undef NABLA_ENUM_ENTRY

// The public name of an op, for error messages.
constexpr const char* op_name(UnaryOp op) {
  switch (op) {
#define NABLA_NAME_CASE(name, public_name, ...) \
  case UnaryOp::name:                           \
    return public_name;
    NABLA_UNARY_OPS(NABLA_NAME_CASE)
#undef NABLA_NAME_CASE
  }
  return "?";
}
constexpr const char* op_name(BinaryOp op) {
  switch (op) {
#define NABLA_NAME_CASE(name, public_name, ...) \
  case BinaryOp::name:                          \
    return public_name;
    NABLA_BINARY_OPS(NABLA_NAME_CASE)
#undef NABLA_NAME_CASE
  }
  return "?";
}

constexpr DtypeClass dtype_class(UnaryOp op) {
  switch (op) {
#define NABLA_CLASS_CASE(name, public_name, dtypes, ...) \
  case UnaryOp::name:                                    \
    return DtypeClass::dtypes;
    NABLA_UNARY_OPS(NABLA_CLASS_CASE)
#undef NABLA_CLASS_CASE
  }
  return DtypeClass::All;
}
constexpr DtypeClass dtype_class(BinaryOp op) {
  switch (op) {
#define NABLA_CLASS_CASE(name, public_name, dtypes, ...) \
  case BinaryOp::name:                                   \
    return DtypeClass::dtypes;
    NABLA_BINARY_OPS(NABLA_CLASS_CASE)
#undef NABLA_CLASS_CASE
  }
  return DtypeClass::All;
}

// Whether a unary op gives bool (the predicates).
constexpr bool is_predicate(UnaryOp op) {
  switch (op) {
#define NABLA_BOOL_CASE(name, public_name, dtypes, gives_bool, ...) \
  case UnaryOp::name:                                               \
    return gives_bool;
    NABLA_UNARY_OPS(NABLA_BOOL_CASE)
#undef NABLA_BOOL_CASE
  }
  return false;
}

// Whether a binary op gives bool (the comparisons and logical ops).
constexpr bool is_comparison(BinaryOp op) {
  switch (op) {
#define NABLA_BOOL_CASE(name, public_name, dtypes, gives_bool, ...) \
  case BinaryOp::name:                                              \
    return gives_bool;
    NABLA_BINARY_OPS(NABLA_BOOL_CASE)
#undef NABLA_BOOL_CASE
  }
  return false;
}

// Calls fn(functor) with the functor of `op` for element type T. Returns false, calling nothing,
// when `op` has no kernel for T (the caller reports it, naming its device).
template <typename T, typename Fn>
bool visit_unary_op(UnaryOp op, const UnaryArgs& args, Fn&& fn) {
  switch (op) {
#define NABLA_VISIT_CASE(name, public_name, dtypes, gives_bool, functor) \
  case UnaryOp::name:                                                    \
    if constexpr (dtype_class_has<DtypeClass::dtypes, T>()) {            \
      fn(functor);                                                       \
      return true;                                                       \
    }                                                                    \
    break;
    NABLA_UNARY_OPS(NABLA_VISIT_CASE)
#undef NABLA_VISIT_CASE
  }
  static_cast<void>(args);
  return false;
}

// Calls fn(functor) with the functor of `op` for operands of type T; false when there is none.
template <typename T, typename Fn>
bool visit_binary_op(BinaryOp op, Fn&& fn) {
  switch (op) {
#define NABLA_VISIT_CASE(name, public_name, dtypes, gives_bool, functor) \
  case BinaryOp::name:                                                   \
    if constexpr (dtype_class_has<DtypeClass::dtypes, T>()) {            \
      fn(functor);                                                       \
      return true;                                                       \
    }                                                                    \
    break;
    NABLA_BINARY_OPS(NABLA_VISIT_CASE)
#undef NABLA_VISIT_CASE
  }
  return false;
}

// Calls fn(functor) with op(x, scalar), or op(scalar, x) when scalar_first, as a functor of the
// one tensor operand x: the scalar travels to the kernel inside it, in T. False when `op` has no
// kernel for T.
template <typename T, typename Fn>
bool visit_binary_scalar_op(BinaryOp op, const Scalar& scalar, bool scalar_first, Fn&& fn) {
  const T s = scalar_as<T>(scalar);
  return visit_binary_op<T>(op, [&](auto f) {
    using F = decltype(f);
    if (scalar_first) {
      fn(math::BindFirst<F, T>{f, s});
    } else {
      fn(math::BindSecond<F, T>{f, s});
    }
  });
}

}  // namespace nabla

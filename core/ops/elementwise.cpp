// Elementwise ops: PyTorch's type promotion, NumPy broadcasting, then one backend call.
#include <algorithm>
#include <cmath>

#include <nabla/core/native.h>

namespace nabla::native {
namespace {

// Promotion by priority class: dimensioned tensors, then zero-dim tensors, then scalars. A lower
// class only matters when it brings a higher category (bool < integral < floating).
struct ResultTypeState {
  std::optional<ScalarType> dimensioned, zero_dim, scalar;

  static void merge(std::optional<ScalarType>& into, ScalarType t) {
    into = into ? promote_types(*into, t) : t;
  }
  void add(const Tensor& t) { merge(t.dim() > 0 ? dimensioned : zero_dim, t.dtype()); }
  void add(const Scalar& s) {
    merge(scalar, s.is_floating_point() ? default_float_dtype() : s.kind());
  }
  static std::optional<ScalarType> combine(std::optional<ScalarType> higher,
                                           std::optional<ScalarType> lower) {
    if (!higher) return lower;
    if (!lower || is_floating_point(*higher)) return higher;
    if (*higher == kBool || is_floating_point(*lower)) return promote_types(*higher, *lower);
    return higher;
  }
  ScalarType result() const { return *combine(dimensioned, combine(zero_dim, scalar)); }
};

bool is_float_only(UnaryOp op) {
  return dtype_class(op) == DtypeClass::Floating;
}

// The dtype an op computes in: integer division and activation derivatives work in floating point.
ScalarType compute_dtype(BinaryOp op, ScalarType promoted) {
  const bool needs_float = dtype_class(op) == DtypeClass::Floating;
  return needs_float && !is_floating_point(promoted) ? default_float_dtype() : promoted;
}

void check_binary_dtypes(BinaryOp op, ScalarType a, ScalarType b) {
  NABLA_CHECK(
      dtype_class(op) != DtypeClass::Integral || (!is_floating_point(a) && !is_floating_point(b)),
      op_name(op), ": expected bool or integer tensors, got ", a, " and ", b);
  // As PyTorch: a bool operand of a subtraction is most likely a mask meant to be inverted.
  NABLA_CHECK(!(op == BinaryOp::Sub && (a == kBool || b == kBool)), op_name(op),
              ": subtraction with a bool operand (", a, " - ", b,
              ") is not supported; to invert a mask use logical_not or ~, for bool - bool use "
              "logical_xor or ^");
}

Tensor binary_impl(BinaryOp op, const Tensor& a, const Tensor& b, ScalarType promoted) {
  check_same_device(op_name(op), a, b);
  check_binary_dtypes(op, a.dtype(), b.dtype());
  const ScalarType compute = compute_dtype(op, promoted);
  const ScalarType out_dtype = is_comparison(op) ? kBool : compute;
  const Shape shape =
      a.sizes() == b.sizes() ? a.sizes() : broadcast_shapes(a.sizes(), b.sizes(), op_name(op));
  Tensor lhs = to(a, compute), rhs = to(b, compute);
  if (lhs.sizes() != shape) lhs = expand(lhs, shape);
  if (rhs.sizes() != shape) rhs = expand(rhs, shape);
  Tensor out = empty(shape, out_dtype, a.device());
  if (out.numel() > 0) backend_for(out.device()).binary(op, lhs, rhs, out);
  return out;
}

// op(x, s), or op(s, x) when scalar_first: the scalar goes to the kernel as an argument.
Tensor binary_scalar_impl(BinaryOp op, const Tensor& x, const Scalar& s, bool scalar_first) {
  const ScalarType promoted = result_type(x, s);
  check_binary_dtypes(op, x.dtype(), s.kind() == kBool ? kBool : promoted);
  const ScalarType compute = compute_dtype(op, promoted);
  Tensor input = to(x, compute);
  Tensor out = empty(x.sizes(), is_comparison(op) ? kBool : compute, x.device());
  if (out.numel() > 0) {
    backend_for(out.device()).binary_scalar(op, input, s, scalar_first, out);
  }
  return out;
}

}  // namespace

ScalarType result_type(const Tensor& a, const Tensor& b) {
  ResultTypeState state;
  state.add(a);
  state.add(b);
  return state.result();
}

ScalarType result_type(const Tensor& a, const Scalar& b) {
  ResultTypeState state;
  state.add(a);
  state.add(b);
  return state.result();
}

Tensor unary(UnaryOp op, const Tensor& x) {
  check_defined(op_name(op), x);
  const DtypeClass dtypes = dtype_class(op);
  // Like PyTorch: float-only math (exp, sqrt, ...) promotes bool and integers to float32.
  NABLA_CHECK(x.dtype() != kBool || op == UnaryOp::Abs || dtypes != DtypeClass::Numeric,
              op_name(op), ": not supported for bool tensors");
  NABLA_CHECK(!x.is_floating_point() || dtypes != DtypeClass::Integral, op_name(op),
              ": expected a bool or integer tensor, got ", x.dtype());
  if (op == UnaryOp::Abs && x.dtype() == kBool) return clone(x);
  Tensor input = is_float_only(op) && !x.is_floating_point() ? to(x, default_float_dtype()) : x;
  Tensor out = empty(input.sizes(), is_predicate(op) ? kBool : input.dtype(), input.device());
  if (out.numel() > 0) backend_for(out.device()).unary(op, input, out, UnaryArgs{});
  return out;
}

Tensor pow(const Tensor& x, const Scalar& exponent) {
  check_defined("pow", x);
  Tensor input = x.dtype() == kBool ? to(x, kInt64) : x;
  if (!input.is_floating_point()) {
    if (exponent.is_floating_point()) {
      input = to(input, default_float_dtype());
    } else {
      NABLA_CHECK(exponent.to<int64_t>() >= 0,
                  "pow: integers to negative integer powers are "
                  "not allowed (input dtype ",
                  x.dtype(), ", exponent ", exponent, ")");
    }
  }
  Tensor out = empty(input.sizes(), input.dtype(), input.device());
  if (out.numel() > 0) {
    backend_for(out.device()).unary(UnaryOp::Pow, input, out, UnaryArgs{exponent, {}, {}});
  }
  return out;
}

Tensor clamp(const Tensor& x, const std::optional<Scalar>& min, const std::optional<Scalar>& max) {
  check_defined("clamp", x);
  NABLA_CHECK(min || max, "clamp: at least one of min and max must be given");
  NABLA_CHECK(x.dtype() != kBool, "clamp: not supported for bool tensors");
  ResultTypeState state;
  state.add(x);
  if (min) state.add(*min);
  if (max) state.add(*max);
  // The bounds reach the kernel in the compute type, saturating at its range (exact for int64).
  Tensor input = to(x, state.result());
  Tensor out = empty(input.sizes(), input.dtype(), input.device());
  if (out.numel() > 0) {
    backend_for(out.device()).unary(UnaryOp::Clamp, input, out, UnaryArgs{0, min, max});
  }
  return out;
}

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  check_defined(op_name(op), a);
  check_defined(op_name(op), b);
  return binary_impl(op, a, b, result_type(a, b));
}

Tensor binary(BinaryOp op, const Tensor& a, const Scalar& b) {
  check_defined(op_name(op), a);
  return binary_scalar_impl(op, a, b, false);
}

Tensor binary(BinaryOp op, const Scalar& a, const Tensor& b) {
  check_defined(op_name(op), b);
  return binary_scalar_impl(op, b, a, true);
}

void binary_(BinaryOp op, const Tensor& self, const Tensor& other) {
  const char* name = op_name(op);
  check_defined(name, self);
  check_defined(name, other);
  check_same_device(name, self, other);
  check_no_internal_overlap(name, self);
  check_binary_dtypes(op, self.dtype(), other.dtype());
  const ScalarType compute = compute_dtype(op, result_type(self, other));
  NABLA_CHECK(!is_comparison(op), name, "_: comparisons cannot be computed in place");
  NABLA_CHECK(category(compute) <= category(self.dtype()), name, "_: the result type ", compute,
              " cannot be stored in place in a ", self.dtype(), " tensor");
  NABLA_CHECK(broadcast_shapes(self.sizes(), other.sizes(), name) == self.sizes(), name,
              "_: the other operand's shape ", other.sizes(),
              " does not broadcast to the in-place tensor's shape ", self.sizes());
  Tensor rhs = to(other, compute);
  if (rhs.is_alias_of(self) &&
      (rhs.strides() != self.strides() || rhs.storage_offset() != self.storage_offset())) {
    rhs = clone(rhs);  // overlapping differently: read it all before writing
  }
  if (rhs.sizes() != self.sizes()) rhs = expand(rhs, self.sizes());
  if (self.numel() > 0) {
    if (compute == self.dtype()) {
      backend_for(self.device()).binary(op, self, rhs, self);
    } else {  // e.g. float32 += float64: compute in float64, store back as float32
      Tensor result = empty(self.sizes(), compute, self.device());
      backend_for(self.device()).binary(op, to(self, compute), rhs, result);
      backend_for(self.device()).copy(result, self);
    }
  }
  self.impl()->storage()->bump_version();
}

void binary_(BinaryOp op, const Tensor& self, const Scalar& other) {
  const char* name = op_name(op);
  check_defined(name, self);
  check_no_internal_overlap(name, self);
  const ScalarType promoted = result_type(self, other);
  check_binary_dtypes(op, self.dtype(), promoted);
  const ScalarType compute = compute_dtype(op, promoted);
  NABLA_CHECK(!is_comparison(op), name, "_: comparisons cannot be computed in place");
  NABLA_CHECK(category(compute) <= category(self.dtype()), name, "_: the result type ", compute,
              " cannot be stored in place in a ", self.dtype(), " tensor");
  if (self.numel() > 0) {
    Backend& backend = backend_for(self.device());
    if (compute == self.dtype()) {
      backend.binary_scalar(op, self, other, false, self);
    } else {  // e.g. uint8 /= 2 is refused above; int64 *= 2.5 likewise: only bool += 1 lands here
      Tensor result = empty(self.sizes(), compute, self.device());
      backend.binary_scalar(op, to(self, compute), other, false, result);
      backend.copy(result, self);
    }
  }
  self.impl()->storage()->bump_version();
}

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  check_defined("where", condition);
  check_defined("where", a);
  check_defined("where", b);
  NABLA_CHECK(condition.dtype() == kBool, "where: expected a bool condition, got ",
              condition.dtype());
  check_same_device("where", condition, a);
  check_same_device("where", a, b);
  const ScalarType dtype = result_type(a, b);
  const Shape shape =
      broadcast_shapes(broadcast_shapes(condition.sizes(), a.sizes(), "where"), b.sizes(), "where");
  Tensor out = empty(shape, dtype, a.device());
  if (out.numel() > 0) {
    backend_for(out.device())
        .where(expand(condition, shape), expand(to(a, dtype), shape), expand(to(b, dtype), shape),
               out);
  }
  return out;
}

}  // namespace nabla::native

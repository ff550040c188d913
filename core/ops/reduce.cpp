// Reductions: sum, mean, amax/amin, max/min with indices, argmax/argmin. Backends reduce into an
// output of the input's rank (size 1 at reduced dims); keepdim=false then drops those dims as a
// view.
#include <nabla/core/native.h>

namespace nabla::native {
namespace {

// Which dims `dims` names (all when empty), checked and wrapped.
struct ReducedDims {
  bool mask[kMaxDims] = {};
  int64_t count = 0;  // number of elements reduced into each output element
};

ReducedDims reduced_dims(const Tensor& x, const Shape& dims, const char* op) {
  ReducedDims r;
  r.count = 1;
  if (dims.empty()) {
    for (int64_t d = 0; d < x.dim(); ++d) r.mask[d] = true;
    r.count = x.numel();
    return r;
  }
  for (int64_t dim : dims) {
    int64_t d = wrap_dim(dim, x.dim(), op);
    if (x.dim() == 0) continue;
    NABLA_CHECK(!r.mask[d], op, ": dim ", d, " appears more than once in ", dims);
    r.mask[d] = true;
    r.count *= x.size(d);
  }
  return r;
}

Shape keepdim_shape(const Tensor& x, const ReducedDims& r) {
  Shape s = x.sizes();
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (r.mask[d]) s[d] = 1;
  }
  return s;
}

// Drops the reduced dims of a keepdim result unless keepdim.
Tensor finish(const Tensor& out, const ReducedDims& r, bool keepdim) {
  if (keepdim) return out;
  Shape sizes, strides;
  for (int64_t d = 0; d < out.dim(); ++d) {
    if (!r.mask[d]) {
      sizes.push_back(out.size(d));
      strides.push_back(out.stride(d));
    }
  }
  return as_strided(out, sizes, strides, out.storage_offset());
}

Tensor reduce(ReduceOp op, const Tensor& x, const Shape& dims, bool keepdim, const char* name,
              ScalarType out_dtype) {
  check_defined(name, x);
  ReducedDims r = reduced_dims(x, dims, name);
  Tensor out = empty(keepdim_shape(x, r), out_dtype, x.device());
  NABLA_CHECK(op == ReduceOp::Sum || op == ReduceOp::Prod || out.numel() == 0 || r.count > 0, name,
              ": cannot reduce over an empty dim (input shape ", x.sizes(),
              ") because the operation has no identity");
  Tensor input = to(x, out_dtype);
  if (out.numel() > 0) backend_for(x.device()).reduce(op, input, out);
  return finish(out, r, keepdim);
}

Tensor arg_reduce(bool is_max, const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  const char* name = is_max ? "argmax" : "argmin";
  check_defined(name, x);
  if (!dim) {
    NABLA_CHECK(x.numel() > 0, name, ": cannot take the ", name, " of an empty tensor");
    Tensor flat = reshape(x, {x.numel()});
    Tensor out = empty({1}, kInt64, x.device());
    backend_for(x.device()).arg_reduce(is_max, flat, 0, out);
    return keepdim ? reshape(out, Shape::filled(x.dim(), 1)) : reshape(out, {});
  }
  Tensor input = x.dim() == 0 ? reshape(x, {1}) : x;
  int64_t d = wrap_dim(*dim, x.dim(), name);
  NABLA_CHECK(input.size(d) > 0, name, ": cannot reduce over dim ", d, " of size 0 (input shape ",
              x.sizes(), ")");
  Shape out_shape = input.sizes();
  out_shape[d] = 1;
  Tensor out = empty(out_shape, kInt64, x.device());
  if (out.numel() > 0) backend_for(x.device()).arg_reduce(is_max, input, d, out);
  if (x.dim() == 0) return reshape(out, {});
  return keepdim ? out : squeeze(out, d);
}

// max(x, dim) and min(x, dim): the indices of the arg-reduction, and the values they pick.
std::tuple<Tensor, Tensor> values_and_indices(bool is_max, const Tensor& x, int64_t dim,
                                              bool keepdim) {
  Tensor indices = arg_reduce(is_max, x, dim, true);
  if (x.dim() == 0) return {clone(x), reshape(indices, {})};
  const int64_t d = wrap_dim(dim, x.dim(), is_max ? "max" : "min");
  Tensor values = gather(x, d, indices);
  if (keepdim) return {values, indices};
  return {squeeze(values, d), squeeze(indices, d)};
}

ScalarType sum_dtype(ScalarType t) {
  return is_floating_point(t) ? t : kInt64;
}

}  // namespace

Tensor sum(const Tensor& x, const Shape& dims, bool keepdim) {
  check_defined("sum", x);
  return reduce(ReduceOp::Sum, x, dims, keepdim, "sum", sum_dtype(x.dtype()));
}

Tensor prod(const Tensor& x, const Shape& dims, bool keepdim) {
  check_defined("prod", x);
  return reduce(ReduceOp::Prod, x, dims, keepdim, "prod", sum_dtype(x.dtype()));
}

Tensor mean(const Tensor& x, const Shape& dims, bool keepdim) {
  check_defined("mean", x);
  NABLA_CHECK(x.is_floating_point(),
              "mean: expected a floating point input (float32 or float64), "
              "got ",
              x.dtype(), "; convert it with .to(kFloat32) first");
  ReducedDims r = reduced_dims(x, dims, "mean");
  Tensor total = reduce(ReduceOp::Sum, x, dims, keepdim, "mean", x.dtype());
  // An empty reduction divides 0 by 0 and gives NaN, as in PyTorch.
  binary_(BinaryOp::Div, total, static_cast<double>(r.count));
  return total;
}

Tensor amax(const Tensor& x, const Shape& dims, bool keepdim) {
  check_defined("amax", x);
  return reduce(ReduceOp::Max, x, dims, keepdim, "amax", x.dtype());
}

Tensor amin(const Tensor& x, const Shape& dims, bool keepdim) {
  check_defined("amin", x);
  return reduce(ReduceOp::Min, x, dims, keepdim, "amin", x.dtype());
}

Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  return arg_reduce(true, x, dim, keepdim);
}

Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  return arg_reduce(false, x, dim, keepdim);
}

std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  return values_and_indices(true, x, dim, keepdim);
}

std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  return values_and_indices(false, x, dim, keepdim);
}

}  // namespace nabla::native

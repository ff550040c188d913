// Sorting and scans: the dim they work along is moved last and made contiguous, so that a backend
// sees rows of a 2-D tensor, and the results are moved back.
#include <nabla/core/native.h>

namespace nabla::native {
namespace {

// x with `dim` moved last, contiguous, as [rows, n].
Tensor as_rows(const Tensor& x, int64_t dim) {
  const Tensor last = contiguous(transpose(x, dim, x.dim() - 1));
  const int64_t n = x.size(dim);
  return reshape(last, {n == 0 ? 0 : x.numel() / n, n});
}

// `rows` [rows, n] back to x's layout: the shape of x with dim moved last, then dim moved back.
Tensor from_rows(const Tensor& rows, const Tensor& x, int64_t dim) {
  Shape moved = x.sizes();
  std::swap(moved[dim], moved[x.dim() - 1]);
  return transpose(reshape(rows, moved), dim, x.dim() - 1);
}

}  // namespace

std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim, bool descending) {
  check_defined("sort", x);
  if (x.dim() == 0) {
    wrap_dim(dim, 1, "sort");
    return {clone(x), full({}, 0, kInt64, x.device())};
  }
  dim = wrap_dim(dim, x.dim(), "sort");
  // Bool keys sort as bytes (false < true).
  const Tensor keys = as_rows(x.dtype() == kBool ? to(x, kUInt8) : x, dim);
  const Tensor indices = empty(keys.sizes(), kInt64, x.device());
  if (keys.numel() > 0) backend_for(x.device()).sort(keys, descending, indices);
  const Tensor index = contiguous(from_rows(indices, x, dim));
  return {gather(x, dim, index), index};
}

Tensor scan(ScanOp op, const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  const char* name = op == ScanOp::Sum ? "cumsum" : "cumprod";
  check_defined(name, x);
  const ScalarType out_dtype = dtype ? *dtype : (is_floating_point(x.dtype()) ? x.dtype() : kInt64);
  NABLA_CHECK(out_dtype != kBool, name, ": cannot accumulate in bool");
  if (x.dim() == 0) {
    wrap_dim(dim, 1, name);
    return clone(to(x, out_dtype));
  }
  dim = wrap_dim(dim, x.dim(), name);
  const Tensor rows = as_rows(to(x, out_dtype), dim);
  const Tensor out = empty(rows.sizes(), out_dtype, x.device());
  if (rows.numel() > 0) backend_for(x.device()).scan(op, rows, out);
  return contiguous(from_rows(out, x, dim));
}

}  // namespace nabla::native

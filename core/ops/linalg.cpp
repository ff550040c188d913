// Matrix products with torch.matmul's rules: 1-D operands gain a dim that is removed afterwards,
// batch dims broadcast, and every product reaches the backend as a 3-D [batch, rows, cols] GEMM.
#include <nabla/core/gemm_layout.h>
#include <nabla/core/native.h>

namespace nabla::native {
namespace {

// A 3-D view of a [..., rows, cols] operand expanded to `batch`, in a layout BLAS can read.
Tensor as_batched_matrix(const Tensor& m, const Shape& batch) {
  Shape target = batch;
  target.push_back(m.size(m.dim() - 2));
  target.push_back(m.size(m.dim() - 1));
  Tensor expanded = expand(m, target);
  Tensor three_d = reshape(expanded, {batch.numel(), target[target.size() - 2], target.back()});
  return gemm_layout(three_d) ? three_d : contiguous(three_d);
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_defined("matmul", a);
  check_defined("matmul", b);
  NABLA_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both arguments need at least 1 dim, got ",
              "shapes ", a.sizes(), " and ", b.sizes());
  check_same_device("matmul", a, b);
  NABLA_CHECK(a.dtype() == b.dtype(), "matmul: expected both operands to have one dtype, got ",
              a.dtype(), " and ", b.dtype());
  NABLA_CHECK(a.dtype() != kBool, "matmul: not supported for bool tensors");
  const Tensor lhs = a.dim() == 1 ? unsqueeze(a, 0) : a;
  const Tensor rhs = b.dim() == 1 ? unsqueeze(b, 1) : b;
  const int64_t m = lhs.size(lhs.dim() - 2), k = lhs.size(lhs.dim() - 1);
  const int64_t k2 = rhs.size(rhs.dim() - 2), n = rhs.size(rhs.dim() - 1);
  NABLA_CHECK(k == k2, "matmul: shapes ", a.sizes(), " and ", b.sizes(), " cannot be multiplied (",
              k, " != ", k2, ")");
  Shape lhs_batch(lhs.sizes().begin(), lhs.sizes().end() - 2);
  Shape rhs_batch(rhs.sizes().begin(), rhs.sizes().end() - 2);
  Shape batch = broadcast_shapes(lhs_batch, rhs_batch, "matmul");
  Tensor out = empty({batch.numel(), m, n}, a.dtype(), a.device());
  if (out.numel() > 0) {
    backend_for(a.device())
        .matmul(as_batched_matrix(lhs, batch), as_batched_matrix(rhs, batch), out);
  }
  Shape out_shape = batch;
  if (a.dim() > 1) out_shape.push_back(m);
  if (b.dim() > 1) out_shape.push_back(n);
  return view(out, out_shape);
}

Tensor mm(const Tensor& a, const Tensor& b) {
  check_defined("mm", a);
  check_defined("mm", b);
  NABLA_CHECK(a.dim() == 2 && b.dim() == 2, "mm: expected 2-D operands, got shapes ", a.sizes(),
              " and ", b.sizes());
  return matmul(a, b);
}

}  // namespace nabla::native

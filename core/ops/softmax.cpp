// softmax and log_softmax along a dim, for floating point inputs.
#include <nabla/core/native.h>

namespace nabla::native {
namespace {

Tensor softmax_impl(const Tensor& x, int64_t dim, bool log) {
  const char* name = log ? "log_softmax" : "softmax";
  check_defined(name, x);
  NABLA_CHECK(x.is_floating_point(), name, ": expected a floating point input, got ", x.dtype());
  dim = wrap_dim(dim, x.dim(), name);
  Tensor input = x.dim() == 0 ? reshape(x, {1}) : x;
  Tensor out = empty(input.sizes(), x.dtype(), x.device());
  if (out.numel() > 0) backend_for(x.device()).softmax(input, dim, log, out);
  return x.dim() == 0 ? reshape(out, {}) : out;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) {
  return softmax_impl(x, dim, false);
}
Tensor log_softmax(const Tensor& x, int64_t dim) {
  return softmax_impl(x, dim, true);
}

}  // namespace nabla::native

// softmax and log_softmax along a dim, for floating point inputs, and softmax cross entropy over
// rows of logits.
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

std::tuple<Tensor, Tensor, Tensor> cross_entropy(const Tensor& logits, const Tensor& target,
                                                 int64_t ignore_index, double smoothing,
                                                 bool with_probs,
                                                 const IndexErrorMessage& message) {
  const char* name = "cross_entropy";
  check_defined(name, logits);
  check_defined(name, target);
  NABLA_CHECK(logits.dim() == 2 && logits.is_floating_point() && target.dim() == 1 &&
                  target.dtype() == kInt64 && target.size(0) == logits.size(0),
              name, ": expected floating logits [M, C] and int64 targets [M], got ", logits.dtype(),
              " logits of shape ", logits.sizes(), " and ", target.dtype(), " targets of shape ",
              target.sizes());
  check_same_device(name, logits, target);
  const Tensor x = contiguous(logits);
  Tensor loss = empty({x.size(0)}, x.dtype(), x.device());
  Tensor weight = empty({x.size(0)}, x.dtype(), x.device());
  Tensor probs = with_probs ? empty(x.sizes(), x.dtype(), x.device()) : Tensor();
  if (x.size(0) > 0) {
    backend_for(x.device())
        .cross_entropy(x, contiguous(target), ignore_index, smoothing, loss, weight, probs,
                       message);
  }
  return {loss, weight, probs};
}

Tensor cross_entropy_backward(const Tensor& probs, const Tensor& target, double smoothing,
                              const Tensor& factor) {
  Tensor grad = empty(probs.sizes(), probs.dtype(), probs.device());
  if (probs.numel() > 0) {
    backend_for(probs.device())
        .cross_entropy_backward(contiguous(probs), contiguous(target), smoothing,
                                contiguous(to(factor, probs.dtype())), grad);
  }
  return grad;
}

}  // namespace nabla::native

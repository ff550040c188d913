// softmax and log_softmax with their gradients, written in terms of the saved output y:
// softmax: dx = y * (dy - sum(dy * y)); log_softmax: dx = dy - exp(y) * sum(dy), sums along dim.
#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;

struct SoftmaxBackward final : Node {
  SoftmaxBackward(int64_t dim, bool log) : dim(dim), log(log) {}
  const char* name() const override { return log ? "LogSoftmaxBackward" : "SoftmaxBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor y = result.unpack(*this);
    const Shape dims = y.dim() == 0 ? Shape{} : Shape{dim};
    if (log) return {grad - exp(y) * native::sum(grad, dims, true)};
    return {y * (grad - native::sum(grad * y, dims, true))};
  }
  void release_saved() override { result.reset(); }
  SavedTensor result;
  int64_t dim;
  bool log;
};

Tensor softmax_op(const Tensor& x, int64_t dim, bool log) {
  Tensor y = log ? native::log_softmax(x, dim) : native::softmax(x, dim);
  if (auto node = record<SoftmaxBackward>(y, {&x}, wrap_dim(dim, x.dim(), "softmax"), log)) {
    node->result.save(y);
  }
  return y;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) {
  return softmax_op(x, dim, false);
}
Tensor log_softmax(const Tensor& x, int64_t dim) {
  return softmax_op(x, dim, true);
}

Tensor Tensor::softmax(int64_t dim) const {
  return nabla::softmax(*this, dim);
}
Tensor Tensor::log_softmax(int64_t dim) const {
  return nabla::log_softmax(*this, dim);
}

}  // namespace nabla

// Indexing ops and their gradients: index_select and gather scatter the gradient back to the
// positions they read (adding where an index repeats); one_hot has no gradient.
#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;

struct IndexBackward final : Node {
  IndexBackward(const Tensor& x, int64_t dim, bool is_gather)
      : input_shape(x.sizes()), dim(dim), is_gather(is_gather) {}
  const char* name() const override { return is_gather ? "GatherBackward" : "IndexSelectBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    // A 0-dim input (gather only) has one element, which the 0-dim index (always 0) read: the
    // gradient passes through. scatter_add_ needs at least one dim, so it is not used here.
    if (input_shape.empty()) return {grad, Tensor()};
    Tensor g = native::full(input_shape, 0, grad.dtype(), grad.device());
    const Tensor idx = index.unpack(*this);
    if (is_gather) {
      native::scatter_add_(g, dim, idx, native::contiguous(grad));
    } else {
      native::index_add_(g, dim, idx, grad);
    }
    return {g, Tensor()};
  }
  void release_saved() override { index.reset(); }
  SavedTensor index;
  Shape input_shape;
  int64_t dim;
  bool is_gather;
};

}  // namespace

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  Tensor y = native::index_select(x, dim, index);
  if (auto node = record<IndexBackward>(y, {&x, &index}, x, wrap_dim(dim, x.dim(), "index_select"),
                                        false)) {
    node->index.save(index);
  }
  return y;
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  Tensor y = native::gather(x, dim, index);
  // Recorded for 0-dim inputs too: skipping them left the output without a gradient.
  if (auto node =
          record<IndexBackward>(y, {&x, &index}, x, wrap_dim(dim, x.dim(), "gather"), true)) {
    node->index.save(index);
  }
  return y;
}

Tensor one_hot(const Tensor& labels, int64_t num_classes) {
  return native::one_hot(labels, num_classes);
}

Tensor Tensor::index_select(int64_t dim, const Tensor& index) const {
  return nabla::index_select(*this, dim, index);
}
Tensor Tensor::gather(int64_t dim, const Tensor& index) const {
  return nabla::gather(*this, dim, index);
}

}  // namespace nabla

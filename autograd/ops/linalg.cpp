// Matrix products and their gradients. For C = A @ B: dA = dC @ B^T and dB = A^T @ dC, computed on
// operands where 1-D inputs have regained their missing dim; broadcast batch dims are summed away
// by the engine.
#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;

Tensor swap_last_two(const Tensor& t) {
  return native::transpose(t, -1, -2);
}

struct MatmulBackward final : Node {
  const char* name() const override { return "MatmulBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    Tensor a = self.unpack(*this), b = other.unpack(*this), g = grad;
    const bool a_vector = a.dim() == 1, b_vector = b.dim() == 1;
    // Give the gradient back the dims the product dropped: N's first, then M's (a 1-D @ 1-D
    // product is 0-dim, so the order matters).
    if (b_vector) {
      b = native::unsqueeze(b, 1);
      g = native::unsqueeze(g, -1);
    }
    if (a_vector) {
      a = native::unsqueeze(a, 0);
      g = native::unsqueeze(g, -2);
    }
    Tensor grad_a, grad_b;
    if (needs_input_grad(0)) {
      grad_a = native::matmul(g, swap_last_two(b));
      if (a_vector) grad_a = native::squeeze(grad_a, -2);
    }
    if (needs_input_grad(1)) {
      grad_b = native::matmul(swap_last_two(a), g);
      if (b_vector) grad_b = native::squeeze(grad_b, -1);
    }
    return {grad_a, grad_b};
  }
  void release_saved() override {
    self.reset();
    other.reset();
  }
  SavedTensor self, other;
};

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  Tensor y = native::matmul(a, b);
  if (auto node = record<MatmulBackward>(y, {&a, &b})) {
    node->self.save(a);
    node->other.save(b);
  }
  return y;
}

Tensor mm(const Tensor& a, const Tensor& b) {
  NABLA_CHECK(a.dim() == 2 && b.dim() == 2, "mm: expected 2-D operands, got shapes ", a.sizes(),
              " and ", b.sizes());
  return matmul(a, b);
}

Tensor Tensor::matmul(const Tensor& other) const {
  return nabla::matmul(*this, other);
}
Tensor Tensor::mm(const Tensor& other) const {
  return nabla::mm(*this, other);
}

}  // namespace nabla

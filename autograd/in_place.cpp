#include <nabla/autograd/in_place.h>

#include <nabla/autograd/grad_mode.h>
#include <nabla/autograd/meta.h>
#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/native.h>

namespace nabla::autograd {
namespace {

// The history of a tensor overwritten by a result with none (fill_ of a non-leaf): its gradient
// is zero, as PyTorch's FillBackward gives.
struct OverwrittenBackward final : Node {
  explicit OverwrittenBackward(const char* op) : op(op) {}
  const char* name() const override { return op; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    return {native::full(grad.sizes(), 0, grad.dtype(), grad.device())};
  }
  const char* op;
};

void check_graph_aliasing(const char* op, const Tensor& self) {
  const AutogradMeta* meta = meta_of(self);
  if (meta == nullptr) return;
  NABLA_CHECK(!meta->is_view, op,
              ": cannot modify in place a view of a tensor in the autograd graph (its base's "
              "recorded history would go stale); clone() the view first, or modify the base");
  for (const std::weak_ptr<TensorImpl>& view : meta->views) {
    const std::shared_ptr<TensorImpl> alive = view.lock();
    NABLA_CHECK(alive == nullptr || !needs_grad(Tensor(alive)), op,
                ": cannot modify in place a tensor a view of which is in the autograd graph (the "
                "view's recorded history would go stale); modify it before taking views, or "
                "clone() it");
  }
}

}  // namespace

bool in_graph(const Tensor& self, std::initializer_list<const Tensor*> others) {
  if (!is_grad_enabled()) return false;
  if (self.defined() && needs_grad(self)) return true;
  for (const Tensor* other : others) {
    if (other != nullptr && other->defined() && needs_grad(*other)) return true;
  }
  return false;
}

void check_in_place(const char* op, const Tensor& self,
                    std::initializer_list<const Tensor*> others) {
  if (!is_grad_enabled()) return;
  NABLA_CHECK(!needs_grad(self), op, ": cannot modify in place a tensor that ",
              self.is_leaf() ? "is a leaf requiring grad" : "is part of the autograd graph",
              "; use the out-of-place op, or wrap the update in NoGradGuard");
  for (const Tensor* other : others) {
    NABLA_CHECK(other == nullptr || !other->defined() || !needs_grad(*other), op,
                ": an in-place op cannot take an operand that requires grad; use the out-of-place "
                "op");
  }
}

Tensor& apply_in_place(const char* op, Tensor& self, std::initializer_list<const Tensor*> others,
                       const std::function<Tensor(const Tensor&)>& functional) {
  native::check_defined(op, self);
  const bool graph = in_graph(self, others);
  if (graph) {
    NABLA_CHECK(!(self.is_leaf() && needs_grad(self)), op,
                ": cannot modify in place a leaf that requires grad; modify it under NoGradGuard "
                "(as an optimizer does), or work on a clone()");
    check_graph_aliasing(op, self);
  }
  Tensor value;
  if (graph) {
    // On a copy, so that whatever functional saves is not the storage about to be overwritten.
    value = functional(self.clone());
  } else {
    NoGradGuard no_grad;
    value = functional(self);
  }
  NABLA_CHECK(value.sizes() == self.sizes(), op, ": the result's shape ", value.sizes(),
              " differs from the shape ", self.sizes(), " of the tensor modified in place");
  const ScalarType from = value.dtype(), to = self.dtype();
  NABLA_CHECK((!is_floating_point(from) || is_floating_point(to)) && (to != kBool || from == kBool),
              op, ": the result type ", from, " cannot be cast to the ", to,
              " tensor modified in place");
  if (graph && from != to) value = value.to(to);  // the history then ends in self's dtype
  native::copy_(self, value);
  if (graph) {
    const AutogradMeta* value_meta = meta_of(value);
    if (value_meta != nullptr && value_meta->grad_fn != nullptr) {
      ensure_meta(self).grad_fn = value_meta->grad_fn;
    } else if (needs_grad(self)) {
      auto node = std::make_shared<OverwrittenBackward>(op);
      node->set_inputs({&self});
      ensure_meta(self).grad_fn = node;
    }
  }
  return self;
}

}  // namespace nabla::autograd

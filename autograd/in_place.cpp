// In-place ops and the autograd graph: the functional form written back, the history handed to
// the modified tensor (or, for a view, to its base), and views regenerated after their storage
// changed. autograd/in_place.h says what each entry point does.
#include <nabla/autograd/in_place.h>

#include <memory>

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

// Refuses when a live view of `base` in the graph would be left with a stale history by an
// in-place change of base's storage.
void check_no_other_views(const char* op, const Tensor& base) {
  const AutogradMeta* meta = meta_of(base);
  if (meta == nullptr) return;
  for (const std::weak_ptr<TensorImpl>& view : meta->views) {
    const std::shared_ptr<TensorImpl> alive = view.lock();
    NABLA_CHECK(alive == nullptr || !needs_grad(Tensor(alive)), op,
                ": cannot modify in place a tensor that shares its storage with a view in the "
                "autograd graph (that view's recorded history would go stale); modify it before "
                "taking views, or clone() it");
  }
}

// The base, root of the views, that a view in the graph writes through; undefined when self is
// not such a view or its base is gone (then nothing else can see the change).
Tensor live_base(const Tensor& self) {
  const AutogradMeta* meta = meta_of(self);
  if (meta == nullptr || !meta->is_view) return Tensor();
  std::shared_ptr<TensorImpl> base = meta->view_base.lock();
  return base ? Tensor(std::move(base)) : Tensor();
}

// Where a view's elements lie in its contiguous base: the view's sizes and strides, and its
// offset from the base's first element.
struct Region {
  Shape sizes;
  Strides strides;
  int64_t offset;
  Tensor of(const Tensor& base_shaped) const {  // the same elements of a contiguous tensor
    return native::as_strided(base_shaped, sizes, strides, base_shaped.storage_offset() + offset);
  }
};

// The base after a view of it was overwritten by `value`: the base's old gradient without the
// view's elements, and the value's gradient from them.
struct ViewWriteBackward final : Node {
  ViewWriteBackward(const char* op, Region region) : op(op), region(std::move(region)) {}
  const char* name() const override { return op; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor g = native::contiguous(grad);
    Tensor grad_value;
    if (needs_input_grad(1)) grad_value = native::clone(region.of(g));
    Tensor grad_base;
    if (needs_input_grad(0)) {
      grad_base = native::clone(g);
      native::fill_(region.of(grad_base), 0);
    }
    return {grad_base, grad_value};
  }
  const char* op;
  Region region;
};

// A view taken again from its rebased base: its gradient lands in its elements of zeros.
struct ViewOfBaseBackward final : Node {
  ViewOfBaseBackward(Shape base_shape, Region region)
      : base_shape(std::move(base_shape)), region(std::move(region)) {}
  const char* name() const override { return "AsStridedBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    Tensor g = native::full(base_shape, 0, grad.dtype(), grad.device());
    native::copy_(region.of(g), grad);
    return {g};
  }
  Shape base_shape;
  Region region;
};

// The in-place op on a view `self` of `base`, in the graph: the base takes a history in which
// the view's elements come from `value`, and the view becomes a view of that new base.
void rebase(const char* op, const Tensor& self, const Tensor& base, const Tensor& value) {
  NABLA_CHECK(!(base.is_leaf() && needs_grad(base)), op,
              ": cannot modify in place a view of a leaf that requires grad; modify the leaf "
              "under NoGradGuard, or work on a clone()");
  NABLA_CHECK(base.is_contiguous(), op,
              ": cannot modify in place a view of a non-contiguous tensor in the autograd graph "
              "(base shape ",
              base.sizes(), "); clone() the view first");
  Region region{self.sizes(), self.strides(), self.storage_offset() - base.storage_offset()};
  auto write = std::make_shared<ViewWriteBackward>(op, region);
  write->set_inputs({&base, &value});
  ensure_meta(base).grad_fn = write;
  auto view = std::make_shared<ViewOfBaseBackward>(base.sizes(), region);
  view->set_inputs({&base});
  ensure_meta(self).grad_fn = view;
}

}  // namespace

void refresh_view(const Tensor& t, AutogradMeta& meta) {
  if (!meta.is_view) return;
  const uint64_t version = t.impl()->storage()->version();
  if (meta.view_version == version) return;
  meta.view_version = version;
  const Tensor base = live_base(t);
  if (!base.defined() || !base.is_contiguous() || !needs_grad(base)) return;
  // The view's elements of the base as it is now: equal to the recorded view op's gradient when
  // nothing changed, and the right one when the base was rebased or written in place.
  auto node = std::make_shared<ViewOfBaseBackward>(
      base.sizes(), Region{t.sizes(), t.strides(), t.storage_offset() - base.storage_offset()});
  node->set_inputs({&base});
  meta.grad_fn = node;
}

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
  Tensor base;
  if (graph) {
    NABLA_CHECK(!(self.is_leaf() && needs_grad(self)), op,
                ": cannot modify in place a leaf that requires grad; modify it under NoGradGuard "
                "(as an optimizer does), or work on a clone()");
    base = live_base(self);
    // Views of a contiguous tensor are regenerated when next used (refresh_view); views of
    // another layout cannot be, so such a tensor with live views in the graph is refused.
    if (!base.defined() && !self.is_contiguous()) check_no_other_views(op, self);
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
  if (base.defined()) {
    rebase(op, self, base, value);  // checks before anything is written
    native::copy_(self, value);
    ensure_meta(self).view_version = self.impl()->storage()->version();
    return self;
  }
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

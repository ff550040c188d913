// The autograd state of one tensor, kept in TensorImpl's opaque slot: whether a leaf requires grad,
// its accumulated gradient, and for non-leaves the node that produced it.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <nabla/autograd/node.h>
#include <nabla/core/tensor.h>

namespace nabla::autograd {

struct AutogradMeta final : AutogradMetaInterface {
  bool requires_grad = false;            // set by the user on leaves
  Tensor grad;                           // leaves, and non-leaves that retain_grad()
  std::shared_ptr<Node> grad_fn;         // non-leaves: the op that produced the tensor
  std::weak_ptr<Node> grad_accumulator;  // leaves: their AccumulateGrad, while a graph uses it
  std::vector<Hook> hooks;               // leaves' hooks (a non-leaf's live on its grad_fn)
  std::vector<std::function<void(const Tensor&)>> post_accumulate_hooks;  // leaves
  bool retains_grad = false;
  // Views in the graph: a recorded op's output sharing its input's storage is a view of it. After
  // an in-place change of the storage (the version moved) a view's history is regenerated from
  // its base's current one when next used (refresh_view), as PyTorch does.
  bool is_view = false;
  std::weak_ptr<TensorImpl> view_base;           // a view's base (the root, for views of views)
  uint64_t view_version = 0;                     // the storage version grad_fn was made for
  std::vector<std::weak_ptr<TensorImpl>> views;  // of this tensor, recorded in the graph
};

inline AutogradMeta* meta_of(const Tensor& t) {
  return static_cast<AutogradMeta*>(t.impl()->autograd_meta());
}

inline AutogradMeta& ensure_meta(const Tensor& t) {
  if (AutogradMeta* meta = meta_of(t)) return *meta;
  t.impl()->set_autograd_meta(std::make_unique<AutogradMeta>());
  return *meta_of(t);
}

// True when gradients flow into `t`: a leaf that requires grad, or the output of a recorded op.
inline bool needs_grad(const Tensor& t) {
  const AutogradMeta* meta = meta_of(t);
  return meta != nullptr && (meta->requires_grad || meta->grad_fn != nullptr);
}

// Regenerates a view's grad_fn from its base's history if the shared storage was modified in
// place since it was recorded (defined in autograd/in_place.cpp).
void refresh_view(const Tensor& t, AutogradMeta& meta);

// The edge along which the gradient of `t` travels: its grad_fn, or its leaf accumulator.
Edge gradient_edge(const Tensor& t);

}  // namespace nabla::autograd

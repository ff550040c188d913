// Node teardown, saved tensors, and the leaves' gradient accumulation.
#include <nabla/autograd/node.h>

#include <nabla/autograd/meta.h>
#include <nabla/core/native.h>

namespace nabla::autograd {

Node::~Node() {
  // Take over the edges of every node that only this one keeps alive, so each is destroyed with
  // no edges left and the chain unwinds in this loop instead of in nested destructors.
  std::vector<std::shared_ptr<Node>> orphans;
  auto adopt = [&orphans](std::vector<Edge>& edges) {
    for (Edge& edge : edges) {
      if (edge.node && edge.node.use_count() == 1) orphans.push_back(std::move(edge.node));
    }
    edges.clear();
  };
  adopt(next_edges_);
  while (!orphans.empty()) {
    std::shared_ptr<Node> node = std::move(orphans.back());
    orphans.pop_back();
    adopt(node->next_edges_);
  }
}

namespace {
Edge edge_to(const Tensor& t) {
  if (!t.defined() || !needs_grad(t)) return Edge{};
  return Edge{gradient_edge(t).node, InputInfo{t.sizes(), t.dtype(), t.device()}};
}
}  // namespace

void Node::set_inputs(std::initializer_list<const Tensor*> inputs) {
  next_edges_.reserve(inputs.size());
  for (const Tensor* t : inputs) next_edges_.push_back(edge_to(*t));
}

void Node::set_inputs(const std::vector<const Tensor*>& inputs) {
  next_edges_.reserve(inputs.size());
  for (const Tensor* t : inputs) next_edges_.push_back(edge_to(*t));
}

void SavedTensor::save(const Tensor& t) {
  // A tensor with a grad_fn is saved as a detached alias: holding its grad_fn here would make a
  // cycle when it is this node's own output, and a recursive chain when it is an input.
  const AutogradMeta* meta = meta_of(t);
  data_ = meta != nullptr && meta->grad_fn != nullptr ? t.detach() : t;
  version_ = t.version();
  freed_ = false;
}

Tensor SavedTensor::unpack(const Node& owner) const {
  NABLA_CHECK(!freed_, "backward: the saved tensors of ", owner.name(),
              " were already freed; pass retain_graph=true to the first backward() to keep them");
  NABLA_CHECK(!data_.defined() || data_.version() == version_, "backward: a tensor that ",
              owner.name(), " saved (shape ", data_.sizes(),
              ") was modified by an in-place "
              "operation after it was saved: it is at version ",
              data_.version(), ", expected ", version_,
              ". Clone it before modifying it, or modify a copy");
  return data_;
}

Tensor run_hooks(const std::vector<Hook>& hooks, Tensor grad) {
  for (const Hook& hook : hooks) {
    Tensor replaced = hook(grad);
    if (!replaced.defined()) continue;
    NABLA_CHECK(replaced.sizes() == grad.sizes() && replaced.dtype() == grad.dtype() &&
                    replaced.device() == grad.device(),
                "register_hook: a hook returned a gradient of shape ", replaced.sizes(), " (",
                replaced.dtype(), ", ", replaced.device(), ") for a gradient of shape ",
                grad.sizes(), " (", grad.dtype(), ", ", grad.device(),
                "); a hook must return a tensor of the gradient's shape, dtype and device, or an "
                "undefined tensor to keep it");
    grad = std::move(replaced);
  }
  return grad;
}

std::vector<Tensor> AccumulateGrad::apply(const Tensor& grad_output) {
  AutogradMeta& meta = ensure_meta(Tensor(leaf_));
  Tensor grad = run_hooks(meta.hooks, grad_output);
  if (meta.grad.defined()) {
    meta.grad = native::binary(BinaryOp::Add, meta.grad, grad);
  } else {
    // Keep the engine's tensor when nothing else refers to its data; otherwise copy it, so that a
    // later in-place change to one grad cannot show up in another.
    const bool sole_owner = grad.impl_ptr().use_count() <= 2 &&
                            grad.impl()->storage().use_count() == 1 && grad.is_contiguous();
    meta.grad = sole_owner ? grad : native::clone(grad);
  }
  if (!meta.post_accumulate_hooks.empty()) {
    const Tensor leaf(leaf_);
    for (const auto& hook : meta.post_accumulate_hooks) hook(leaf);
  }
  return {};
}

Edge gradient_edge(const Tensor& t) {
  AutogradMeta& meta = ensure_meta(t);
  refresh_view(t, meta);
  if (meta.grad_fn) return Edge{meta.grad_fn, {}};
  std::shared_ptr<Node> accumulator = meta.grad_accumulator.lock();
  if (!accumulator) {
    accumulator = std::make_shared<AccumulateGrad>(t.impl_ptr());
    meta.grad_accumulator = accumulator;
  }
  return Edge{accumulator, {}};
}

}  // namespace nabla::autograd

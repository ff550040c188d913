// How an op joins the graph: `record<Node>(output, {&a, &b})` creates the op's backward node with
// an edge per input and makes it the output's grad_fn, or returns null when nothing needs a
// gradient (grad mode off, or no input requires grad), so the op skips saving anything.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <utility>
#include <vector>

#include <nabla/autograd/grad_mode.h>
#include <nabla/autograd/meta.h>

namespace nabla::autograd {

inline bool should_record(std::initializer_list<const Tensor*> inputs) {
  if (!is_grad_enabled()) return false;
  for (const Tensor* t : inputs) {
    if (t->defined() && needs_grad(*t)) return true;
  }
  return false;
}

inline bool should_record(const std::vector<const Tensor*>& inputs) {
  if (!is_grad_enabled()) return false;
  for (const Tensor* t : inputs) {
    if (t->defined() && needs_grad(*t)) return true;
  }
  return false;
}

// Marks `output` as a view of each input whose storage it shares.
template <typename Inputs>
void note_views(const Tensor& output, const Inputs& inputs) {
  for (const Tensor* t : inputs) {
    if (t->defined() && t->impl() != output.impl() &&
        t->impl()->storage() == output.impl()->storage()) {
      AutogradMeta& view = ensure_meta(output);
      view.is_view = true;
      const AutogradMeta* input = meta_of(*t);
      view.view_base = input != nullptr && input->is_view ? input->view_base : t->impl_ptr();
      view.view_version = output.impl()->storage()->version();
      // Views that are gone are dropped here, so a parameter viewed every step (w.t()) keeps a
      // short list.
      const std::shared_ptr<TensorImpl> base = view.view_base.lock();
      auto& views = ensure_meta(Tensor(base ? base : t->impl_ptr())).views;
      views.erase(std::remove_if(views.begin(), views.end(),
                                 [](const std::weak_ptr<TensorImpl>& v) { return v.expired(); }),
                  views.end());
      views.push_back(output.impl_ptr());
    }
  }
}

// For ops of any number of inputs (cat, stack).
template <typename NodeType, typename... Args>
std::shared_ptr<NodeType> record(const Tensor& output, const std::vector<const Tensor*>& inputs,
                                 Args&&... args) {
  if (!should_record(inputs) || !output.is_floating_point()) return nullptr;
  auto node = std::make_shared<NodeType>(std::forward<Args>(args)...);
  node->set_inputs(inputs);
  ensure_meta(output).grad_fn = node;
  note_views(output, inputs);
  return node;
}

template <typename NodeType, typename... Args>
std::shared_ptr<NodeType> record(const Tensor& output, std::initializer_list<const Tensor*> inputs,
                                 Args&&... args) {
  if (!should_record(inputs) || !output.is_floating_point()) return nullptr;
  auto node = std::make_shared<NodeType>(std::forward<Args>(args)...);
  node->set_inputs(inputs);
  ensure_meta(output).grad_fn = node;
  note_views(output, inputs);
  return node;
}

}  // namespace nabla::autograd

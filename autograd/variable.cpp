// Tensor's autograd methods: requires_grad, grad, backward, detach, retain_grad and hooks.
#include <nabla/autograd/engine.h>
#include <nabla/autograd/meta.h>
#include <nabla/core/native.h>

namespace nabla {

using autograd::AutogradMeta;
using autograd::ensure_meta;
using autograd::meta_of;

bool Tensor::requires_grad() const {
  return autograd::needs_grad(*this);
}

Tensor& Tensor::set_requires_grad(bool requires_grad) {
  AutogradMeta* meta = meta_of(*this);
  if (meta != nullptr && meta->grad_fn != nullptr) {
    NABLA_CHECK(requires_grad, "set_requires_grad: this tensor is the output of ",
                meta->grad_fn->name(),
                ", not a leaf; use detach() to get a tensor outside the "
                "graph");
    return *this;
  }
  NABLA_CHECK(!requires_grad || is_floating_point(),
              "set_requires_grad: only floating point "
              "tensors can require gradients, this one is ",
              dtype());
  if (requires_grad || meta != nullptr) ensure_meta(*this).requires_grad = requires_grad;
  return *this;
}

const Tensor& Tensor::grad() const {
  static const Tensor undefined;
  const AutogradMeta* meta = meta_of(*this);
  return meta != nullptr ? meta->grad : undefined;
}

Tensor& Tensor::mutable_grad() {
  return ensure_meta(*this).grad;
}

bool Tensor::is_leaf() const {
  const AutogradMeta* meta = meta_of(*this);
  return meta == nullptr || meta->grad_fn == nullptr;
}

std::shared_ptr<autograd::Node> Tensor::grad_fn() const {
  AutogradMeta* meta = meta_of(*this);
  if (meta != nullptr) autograd::refresh_view(*this, *meta);
  return meta != nullptr ? meta->grad_fn : nullptr;
}

void Tensor::retain_grad() const {
  NABLA_CHECK(requires_grad(), "retain_grad: the tensor does not require grad");
  AutogradMeta& meta = ensure_meta(*this);
  if (meta.grad_fn == nullptr) return;  // leaves keep their grad anyway
  meta.retains_grad = true;
  meta.grad_fn->retained_output() = impl_ptr();
}

bool Tensor::retains_grad() const {
  const AutogradMeta* meta = meta_of(*this);
  return meta != nullptr && meta->retains_grad;
}

void Tensor::backward(const Tensor& gradient, bool retain_graph) const {
  autograd::backward(*this, gradient, retain_graph);
}

Tensor Tensor::detach() const {
  return Tensor(std::make_shared<TensorImpl>(impl()->storage(), dtype(), sizes(), strides(),
                                             storage_offset()));
}

size_t Tensor::register_hook_impl(std::function<Tensor(const Tensor&)> hook) const {
  NABLA_CHECK(requires_grad(),
              "register_hook: cannot register a hook on a tensor that does not "
              "require grad");
  AutogradMeta& meta = ensure_meta(*this);
  std::vector<autograd::Hook>& hooks =
      meta.grad_fn != nullptr ? meta.grad_fn->output_hooks() : meta.hooks;
  hooks.push_back(std::move(hook));
  return hooks.size() - 1;
}

void Tensor::register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) const {
  NABLA_CHECK(requires_grad() && is_leaf(),
              "register_post_accumulate_grad_hook: only a leaf that requires grad (a parameter) "
              "accumulates gradients");
  ensure_meta(*this).post_accumulate_hooks.push_back(std::move(hook));
}

}  // namespace nabla

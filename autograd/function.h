// Custom differentiable ops, as with torch::autograd::Function: a struct with static
// forward(AutogradContext*, args...) and backward(AutogradContext*, grad_outputs) returning one
// gradient per forward argument (undefined for non-tensors), used as MyOp::apply(args...).
#pragma once

#include <memory>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nabla/autograd/grad_mode.h>
#include <nabla/autograd/meta.h>

namespace nabla::autograd {

class AutogradContext {
 public:
  void save_for_backward(const std::vector<Tensor>& tensors) {
    saved_.clear();
    for (const Tensor& t : tensors) {
      saved_.emplace_back();
      saved_.back().save(t);
    }
  }
  // The saved tensors; throws if one was modified in place since it was saved.
  std::vector<Tensor> get_saved_variables() const {
    std::vector<Tensor> result;
    for (const SavedTensor& s : saved_) result.push_back(s.unpack(*node_));
    return result;
  }
  // Whether forward argument `index` needs a gradient; usable in forward and backward. The node has
  // no edges when nothing is recorded (grad mode off, or no input requires grad): then false.
  bool needs_input_grad(size_t index) const {
    for (size_t k = 0; k < tensor_positions_.size(); ++k) {
      if (tensor_positions_[k] == index) {
        return k < node_->next_edges().size() && node_->needs_input_grad(k);
      }
    }
    return false;
  }
  // Non-tensor values forward wants backward to see.
  std::unordered_map<std::string, Scalar> saved_data;

 private:
  template <typename T>
  friend struct Function;
  template <typename T>
  friend class CustomFunctionNode;
  void release() {
    for (SavedTensor& s : saved_) s.reset();
  }
  std::vector<SavedTensor> saved_;
  std::vector<size_t> tensor_positions_;  // forward argument index of each tensor input
  size_t argument_count_ = 0;
  const Node* node_ = nullptr;
};

template <typename T>
class CustomFunctionNode final : public Node {
 public:
  const char* name() const override { return "CustomFunctionBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    std::vector<Tensor> grads = T::backward(&ctx, std::vector<Tensor>{grad});
    NABLA_CHECK(grads.size() == ctx.argument_count_, "custom function: backward returned ",
                grads.size(), " gradients, but forward took ", ctx.argument_count_,
                " arguments (return an undefined Tensor() for those without a gradient)");
    std::vector<Tensor> result;
    for (size_t position : ctx.tensor_positions_) result.push_back(grads[position]);
    return result;
  }
  void release_saved() override { ctx.release(); }
  AutogradContext ctx;
};

template <typename T>
struct Function {
  template <typename... Args>
  static Tensor apply(Args&&... args) {
    auto node = std::make_shared<CustomFunctionNode<T>>();
    AutogradContext& ctx = node->ctx;
    ctx.node_ = node.get();
    std::vector<const Tensor*> tensors;
    size_t position = 0;
    auto collect = [&](const auto& arg) {
      if constexpr (std::is_same_v<std::decay_t<decltype(arg)>, Tensor>) {
        tensors.push_back(&arg);
        ctx.tensor_positions_.push_back(position);
      }
      ++position;
    };
    (collect(args), ...);
    ctx.argument_count_ = position;

    // The edges go in before forward runs, so that ctx->needs_input_grad works there too (as in
    // libtorch); before, the node had no edges yet and needs_input_grad read past their end.
    bool any_needs_grad = false;
    for (const Tensor* t : tensors) any_needs_grad = any_needs_grad || needs_grad(*t);
    const bool recording = is_grad_enabled() && any_needs_grad;
    if (recording) node->set_inputs(tensors);
    Tensor out;
    {
      NoGradGuard no_grad;
      out = T::forward(&ctx, args...);
    }
    if (!recording || !out.is_floating_point()) return out;
    for (const Tensor* t : tensors) {
      if (out.impl() == t->impl()) out = out.detach();  // never rewrite an input's history
    }
    // forward may have saved its own output: holding it with this grad_fn would be a reference
    // cycle (node -> saved output -> node) that keeps the whole graph alive.
    for (SavedTensor& s : ctx.saved_) s.detach_if(out);
    ensure_meta(out).grad_fn = node;
    return out;
  }
};

}  // namespace nabla::autograd

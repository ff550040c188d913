// The backward engine. It counts, for every node reachable from the root, how many edges lead into
// it, then processes nodes whose count has dropped to zero (Kahn's algorithm): every gradient that
// reaches a node has been summed before the node runs, and no recursion means no stack overflow on
// long chains.
#include <nabla/autograd/engine.h>

#include <cmath>
#include <functional>
#include <unordered_map>
#include <vector>

#include <nabla/autograd/grad_mode.h>
#include <nabla/autograd/meta.h>
#include <nabla/core/native.h>

namespace nabla::autograd {
namespace {

// Gives a computed gradient the shape, dtype and device of the input it belongs to.
Tensor fit_to_input(Tensor grad, const InputInfo& info) {
  if (grad.sizes() != info.shape) grad = sum_to(grad, info.shape);
  if (grad.dtype() != info.dtype) grad = native::to(grad, info.dtype);
  if (grad.device() != info.device) grad = native::to(grad, info.device);
  return grad;
}

void check_finite(const Node& node, size_t input, const Tensor& grad) {
  if (!grad.is_floating_point() || grad.numel() == 0) return;
  const double worst = native::amax(native::unary(UnaryOp::Abs, grad), {}, false).item<double>();
  NABLA_CHECK(std::isfinite(worst), "anomaly detected: ", node.name(), " produced ",
              std::isnan(worst) ? "nan" : "inf", " in the gradient of its input ", input,
              " (shape ", grad.sizes(), ")");
}

}  // namespace

Tensor sum_to(const Tensor& grad, const Shape& shape) {
  const int64_t lead = grad.dim() - shape.size();
  NABLA_CHECK(lead >= 0, "backward: gradient of shape ", grad.sizes(),
              " cannot be summed to shape ", shape);
  Shape dims;
  for (int64_t d = 0; d < grad.dim(); ++d) {
    if (d < lead || (shape[d - lead] == 1 && grad.size(d) != 1)) dims.push_back(d);
  }
  Tensor summed = dims.empty() ? grad : native::sum(grad, dims, true);
  return native::reshape(summed, shape);
}

namespace {

// The callbacks of the backward pass running on this thread (null outside one); a nested
// backward, from a hook, gets its own.
thread_local std::vector<std::function<void()>>* pass_callbacks = nullptr;
thread_local uint64_t passes_started = 0;

class CallbackScope {
 public:
  CallbackScope() : outer_(pass_callbacks) {
    pass_callbacks = &callbacks_;
    ++passes_started;
  }
  ~CallbackScope() { pass_callbacks = outer_; }
  CallbackScope(const CallbackScope&) = delete;
  CallbackScope& operator=(const CallbackScope&) = delete;
  // Runs the callbacks in the order queued, including those they queue.
  void run() {
    for (size_t i = 0; i < callbacks_.size(); ++i) {
      std::function<void()> callback = std::move(callbacks_[i]);
      callback();
    }
    callbacks_.clear();
  }

 private:
  std::vector<std::function<void()>>* outer_;
  std::vector<std::function<void()>> callbacks_;
};

}  // namespace

uint64_t backward_pass_number() {
  return passes_started;
}

void queue_callback(std::function<void()> callback) {
  NABLA_CHECK(pass_callbacks != nullptr,
              "queue_callback: no backward pass is running on this thread");
  pass_callbacks->push_back(std::move(callback));
}

void backward(const Tensor& root, const Tensor& grad, bool retain_graph) {
  NABLA_CHECK(root.defined(), "backward: called on an undefined tensor");
  NABLA_CHECK(needs_grad(root), "backward: the tensor does not require grad and has no grad_fn; ",
              "mark an input with set_requires_grad(true) before computing it");
  Tensor seed = grad;
  if (!seed.defined()) {
    NABLA_CHECK(root.numel() == 1,
                "backward: the gradient can be implicit only for a scalar "
                "output; this output has shape ",
                root.sizes(), ", so pass a gradient of that shape");
    seed = native::full(root.sizes(), 1, root.dtype(), root.device());
  } else {
    NABLA_CHECK(seed.sizes() == root.sizes(), "backward: the gradient has shape ", seed.sizes(),
                " but the output has shape ", root.sizes());
  }
  const Edge root_edge = gradient_edge(root);
  Node* root_node = root_edge.node.get();

  // Count incoming edges, walking the graph with an explicit stack.
  std::unordered_map<Node*, int> dependencies;
  std::vector<Node*> stack{root_node};
  dependencies[root_node] = 0;
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    for (const Edge& edge : node->next_edges()) {
      Node* next = edge.node.get();
      if (next == nullptr) continue;
      auto [it, inserted] = dependencies.try_emplace(next, 0);
      ++it->second;
      if (inserted) stack.push_back(next);
    }
  }

  NoGradGuard no_grad;
  CallbackScope callbacks;
  const bool anomaly = is_anomaly_enabled();
  std::unordered_map<Node*, Tensor> gradients;
  gradients[root_node] = seed;
  std::vector<Node*> ready{root_node};
  while (!ready.empty()) {
    Node* node = ready.back();
    ready.pop_back();
    Tensor grad_output;
    if (auto it = gradients.find(node); it != gradients.end()) {
      grad_output = std::move(it->second);
      gradients.erase(it);
    }
    std::vector<Edge>& edges = node->next_edges();
    if (!grad_output.defined()) {
      // No gradient reached this node (every path to it gave none): nothing to pass on, but its
      // inputs must still learn that this node is done.
      for (const Edge& edge : edges) {
        if (edge.node && --dependencies[edge.node.get()] == 0) ready.push_back(edge.node.get());
      }
      continue;
    }
    NABLA_CHECK(!node->released(),
                "backward: trying to backward through the graph a second time; "
                "the saved tensors of ",
                node->name(),
                " were freed by the first backward. Pass "
                "retain_graph=true to the first backward() to keep them");
    grad_output = run_hooks(node->output_hooks(), std::move(grad_output));
    if (auto retained = node->retained_output().lock()) {
      AutogradMeta* meta = static_cast<AutogradMeta*>(retained->autograd_meta());
      meta->grad = meta->grad.defined() ? native::binary(BinaryOp::Add, meta->grad, grad_output)
                                        : native::clone(grad_output);
    }
    std::vector<Tensor> input_grads = node->apply(grad_output);
    if (!retain_graph && !node->reusable()) node->release();
    NABLA_CHECK(input_grads.size() == edges.size(), "backward: ", node->name(), " returned ",
                input_grads.size(), " gradients for ", edges.size(), " inputs");
    for (size_t i = 0; i < edges.size(); ++i) {
      Node* next = edges[i].node.get();
      if (next == nullptr) continue;
      if (input_grads[i].defined()) {
        Tensor g = fit_to_input(std::move(input_grads[i]), edges[i].input);
        if (anomaly) check_finite(*node, i, g);
        Tensor& slot = gradients[next];
        slot = slot.defined() ? native::binary(BinaryOp::Add, slot, g) : std::move(g);
      }
      if (--dependencies[next] == 0) ready.push_back(next);
    }
  }
  callbacks.run();
}

}  // namespace nabla::autograd

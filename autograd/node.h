// The autograd graph: a Node is one recorded op; its edges lead to the nodes that produced its
// inputs (or to a leaf's AccumulateGrad). SavedTensor keeps what backward needs and notices when
// that data was modified in place since it was saved.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <vector>

#include <nabla/core/tensor.h>

namespace nabla::autograd {

class Node;

// What the engine needs to turn a computed gradient into one for an input: gradients of broadcast
// inputs are summed back to the input's shape, and cast to its dtype, there and nowhere else.
struct InputInfo {
  Shape shape;
  ScalarType dtype = kFloat32;
  Device device = kCPU;
};

// Where the gradient of one input goes, and what that input looked like.
struct Edge {
  std::shared_ptr<Node> node;  // null when the input needs no gradient
  InputInfo input;
};

using Hook = std::function<Tensor(const Tensor&)>;

// Runs `hooks` over a gradient in order, each seeing the previous one's result. A hook may return
// nothing (keep the gradient) or a replacement of the same shape, dtype and device; any other
// tensor is refused here, where it was returned, instead of failing later in an optimizer.
Tensor run_hooks(const std::vector<Hook>& hooks, Tensor grad);

class Node {
 public:
  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  // Frees a long chain of nodes iteratively: recursive destruction would overflow the stack.
  virtual ~Node();

  // The op's name for messages, e.g. "MulBackward".
  virtual const char* name() const = 0;
  // Gradients with respect to each input, given the gradient of the output. An entry may be
  // undefined where the input needs none.
  virtual std::vector<Tensor> apply(const Tensor& grad_output) = 0;
  // Drops saved tensors once backward has used them (unless the graph is retained).
  virtual void release_saved() {}
  // AccumulateGrad outlives each graph; other nodes are used by one backward unless retained.
  virtual bool reusable() const { return false; }

  std::vector<Edge>& next_edges() { return next_edges_; }
  const std::vector<Edge>& next_edges() const { return next_edges_; }
  // Whether input i needs a gradient; backward skips the work for inputs that don't.
  bool needs_input_grad(size_t i) const { return next_edges_[i].node != nullptr; }
  // Connects the node to its inputs, in argument order.
  void set_inputs(std::initializer_list<const Tensor*> inputs);
  void set_inputs(const std::vector<const Tensor*>& inputs);

  // Hooks on the gradient of this node's output (registered on the non-leaf tensor it produced).
  std::vector<Hook>& output_hooks() { return output_hooks_; }
  // The output tensor whose gradient retain_grad() keeps, if any.
  std::weak_ptr<TensorImpl>& retained_output() { return retained_output_; }

  bool released() const { return released_; }
  void release() {
    release_saved();
    released_ = true;
  }

 private:
  std::vector<Edge> next_edges_;
  std::vector<Hook> output_hooks_;
  std::weak_ptr<TensorImpl> retained_output_;
  bool released_ = false;
};

// A tensor saved for backward, with the version its storage had then.
class SavedTensor {
 public:
  SavedTensor() = default;
  void save(const Tensor& t);
  // The saved tensor; throws if it was modified in place or already freed.
  Tensor unpack(const Node& owner) const;
  void reset() {
    data_ = Tensor();
    freed_ = true;
  }
  // Keeps a detached alias instead when the saved tensor is `t`, which is about to get the owner as
  // its grad_fn (a custom function's output, saved by its forward). The alias shares the version
  // counter, so in-place changes are still noticed.
  void detach_if(const Tensor& t) {
    if (data_.defined() && data_.impl() == t.impl()) data_ = t.detach();
  }

 private:
  Tensor data_;
  uint64_t version_ = 0;
  bool freed_ = false;
};

// The node at the end of each leaf's edges: adds the gradient into the leaf's grad().
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf) : leaf_(std::move(leaf)) {}
  const char* name() const override { return "AccumulateGrad"; }
  std::vector<Tensor> apply(const Tensor& grad_output) override;
  bool reusable() const override { return true; }

 private:
  std::shared_ptr<TensorImpl> leaf_;
};

}  // namespace nabla::autograd

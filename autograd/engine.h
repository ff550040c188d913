// The backward engine: runs the graph from a root tensor in reverse topological order.
#pragma once

#include <cstdint>
#include <functional>

#include <nabla/core/tensor.h>

namespace nabla::autograd {

// Computes gradients of `root` (seeded with `grad`, ones for a scalar when undefined) and
// accumulates them into the leaves' grad(). Frees the graph's saved tensors unless retain_graph.
void backward(const Tensor& root, const Tensor& grad, bool retain_graph);

// Runs `callback` when the backward pass running on this thread has finished, every gradient
// accumulated (PyTorch's Engine::queue_callback): how DistributedDataParallel waits for its last
// all-reduces before the optimizer reads the gradients. Callbacks may queue more; they are dropped
// if the pass fails. Only during a backward pass (from a hook or a node).
void queue_callback(std::function<void()> callback);
// Counts the backward passes started on this thread; during a pass, its number. A pass that failed
// never ran its callbacks: state kept across a pass can tell it from the next one by this.
uint64_t backward_pass_number();

// Sums `grad` down to `shape`, undoing NumPy broadcasting.
Tensor sum_to(const Tensor& grad, const Shape& shape);

}  // namespace nabla::autograd

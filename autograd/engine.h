// The backward engine: runs the graph from a root tensor in reverse topological order.
#pragma once

#include <nabla/core/tensor.h>

namespace nabla::autograd {

// Computes gradients of `root` (seeded with `grad`, ones for a scalar when undefined) and
// accumulates them into the leaves' grad(). Frees the graph's saved tensors unless retain_graph.
void backward(const Tensor& root, const Tensor& grad, bool retain_graph);

// Sums `grad` down to `shape`, undoing NumPy broadcasting.
Tensor sum_to(const Tensor& grad, const Shape& shape);

}  // namespace nabla::autograd

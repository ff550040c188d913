// In-place ops on tensors that may belong to the autograd graph. Fast ops (add_, mul_, ...) write
// through the native kernels after check_in_place; the rest compute their result out of place
// and write it back with apply_in_place, so each in-place op is exactly its functional form.
#pragma once

#include <functional>
#include <initializer_list>

#include <nabla/core/tensor.h>

namespace nabla::autograd {

// Whether an in-place op on self with these operands takes part in the graph: grad mode is on and
// self or an operand needs a gradient.
bool in_graph(const Tensor& self, std::initializer_list<const Tensor*> others = {});

// Refuses, with grad mode on, to modify a tensor the graph needs (a leaf requiring grad, or a
// tensor some recorded op produced) or to take an operand that requires grad. For ops without a
// graph-aware form (random refills).
void check_in_place(const char* op, const Tensor& self,
                    std::initializer_list<const Tensor*> others = {});

// self = functional(self), written back into self's storage (its version bumps). The result must
// have self's shape, and its dtype must cast to self's as PyTorch allows in place (no floating
// result into an integer tensor, nothing but bool into a bool one).
//
// In the graph, as in PyTorch, self takes the result's history: functional runs on a copy of the
// old self (so what it saves is not overwritten), and self's grad_fn becomes the result's. When
// self is a view, its base takes a history in which the view's elements come from the result,
// and other views of that base regenerate theirs when next used (refresh_view). A leaf requiring
// grad, or a view of one, is refused.
Tensor& apply_in_place(const char* op, Tensor& self, std::initializer_list<const Tensor*> others,
                       const std::function<Tensor(const Tensor&)>& functional);

}  // namespace nabla::autograd

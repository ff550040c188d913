// gradcheck: compares the gradients backward computes with central finite differences in float64.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nabla/core/tensor.h>

namespace nabla::autograd {

struct GradcheckResult {
  bool ok = false;
  std::string report;  // the worst element: input, index, analytic and numerical values
};

using GradcheckFunction = std::function<Tensor(const std::vector<Tensor>&)>;

// Checks d(sum(fn(inputs) * w))/d(input) for a fixed, uneven weighting w (which exercises every
// output element) against (f(x + eps) - f(x - eps)) / (2 eps) for every element of every input
// that requires grad. Those inputs must be float64. An element passes when
// |analytic - numerical| <= atol + rtol * |numerical|.
GradcheckResult gradcheck(const GradcheckFunction& fn, const std::vector<Tensor>& inputs,
                          double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3);

}  // namespace nabla::autograd

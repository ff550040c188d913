// nn::utils: gradient clipping.
#pragma once

#include <vector>

#include <nabla/core/tensor.h>

namespace nabla::nn::utils {

// Scales the gradients of `parameters` so that their combined norm is at most max_norm; returns
// the norm they had. norm_type is p of the p-norm (2 by default; infinity for the largest value).
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm,
                       double norm_type = 2.0);

}  // namespace nabla::nn::utils

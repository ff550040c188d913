// nn::utils: gradient clipping, and parameters as one flat vector.
#pragma once

#include <vector>

#include <nabla/core/tensor.h>

namespace nabla::nn::utils {

// The combined p-norm of `tensors` (norm_type = p, infinity for the largest magnitude) as a 0-dim
// float64 tensor on their device: nothing is read back, so a GPU training step does not wait.
// Undefined and empty tensors count as zeros.
Tensor get_total_norm(const std::vector<Tensor>& tensors, double norm_type = 2.0);

// Scales the gradients of `parameters` by min(1, max_norm / (total_norm + 1e-6)), on the device.
void clip_grads_with_norm_(const std::vector<Tensor>& parameters, double max_norm,
                           const Tensor& total_norm);

// Scales the gradients of `parameters` so that their combined norm is at most max_norm; returns
// the norm they had. norm_type is p of the p-norm (2 by default; infinity for the largest value).
// Returning the norm reads one number back from a GPU; get_total_norm and clip_grads_with_norm_
// do the same without it.
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm,
                       double norm_type = 2.0);

// Clamps every gradient of `parameters` to [-clip_value, clip_value], in place.
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);

// The parameters flattened and joined into one 1-D tensor (a copy), in order; they must share a
// device and dtype.
Tensor parameters_to_vector(const std::vector<Tensor>& parameters);
// Copies consecutive slices of the 1-D `vec` into `parameters` (in place, without recording a
// gradient); vec must have exactly as many elements as they do.
void vector_to_parameters(const Tensor& vec, const std::vector<Tensor>& parameters);

}  // namespace nabla::nn::utils

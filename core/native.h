// The forward computations of nabla's ops: argument checks, dtype promotion, broadcasting, output
// allocation, then one backend call. They record no autograd graph: the public ops in autograd/
// call these and record what backward needs. Errors name the public op.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <tuple>

#include <nabla/core/backend.h>
#include <nabla/core/tensor.h>

namespace nabla::native {

// --- creation ---------------------------------------------------------------------------------
Tensor empty(const Shape& sizes, ScalarType dtype, Device device);
Tensor full(const Shape& sizes, const Scalar& value, ScalarType dtype, Device device);
// A tensor of shape `sizes` over `data` (no copy); `deleter` runs when the last view is gone.
Tensor from_blob(void* data, const Shape& sizes, const Strides& strides, ScalarType dtype,
                 Device device, std::function<void(void*)> deleter);
Tensor scalar_tensor(const Scalar& value, ScalarType dtype, Device device);
// A new tensor of Philox draws: uniform in [a, b) or normal(mean a, std b).
Tensor random(const Shape& sizes, RandomKind kind, double a, double b, ScalarType dtype,
              Device device);
// Overwrites `out` with such draws (bumps its version, as in-place ops do).
void random_(const Tensor& out, RandomKind kind, double a, double b);

// --- views: share storage, never copy -----------------------------------------------------------
Tensor as_strided(const Tensor& x, const Shape& sizes, const Strides& strides, int64_t offset);
Tensor view(const Tensor& x, const Shape& sizes);     // error when strides make it impossible
Tensor reshape(const Tensor& x, const Shape& sizes);  // a view when possible, else a copy
Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim);
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);
Tensor permute(const Tensor& x, const Shape& dims);
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor select(const Tensor& x, int64_t dim, int64_t index);
Tensor squeeze(const Tensor& x);
Tensor squeeze(const Tensor& x, int64_t dim);
Tensor unsqueeze(const Tensor& x, int64_t dim);
Tensor expand(const Tensor& x, const Shape& sizes);
// Resolves one -1 in `sizes` against `numel`, or throws naming `op` and both shapes.
Shape infer_size(const Shape& sizes, int64_t numel, const Shape& from, const char* op);

// --- copies and conversion -----------------------------------------------------------------------
Tensor contiguous(const Tensor& x);
Tensor clone(const Tensor& x);
Tensor to(const Tensor& x, ScalarType dtype);
Tensor to(const Tensor& x, Device device);
void copy_(const Tensor& dst, const Tensor& src);  // src broadcasts to dst; dtypes may differ
void fill_(const Tensor& dst, const Scalar& value);

// --- elementwise ---------------------------------------------------------------------------------
// Dtype of a binary op's result under PyTorch's rules (dimensioned tensors over zero-dim tensors
// over Python-style scalars, unless a lower class has a higher category).
ScalarType result_type(const Tensor& a, const Tensor& b);
ScalarType result_type(const Tensor& a, const Scalar& b);

Tensor unary(UnaryOp op, const Tensor& x);
Tensor pow(const Tensor& x, const Scalar& exponent);
Tensor clamp(const Tensor& x, const std::optional<Scalar>& min, const std::optional<Scalar>& max);
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b);
Tensor binary(BinaryOp op, const Tensor& a, const Scalar& b);
Tensor binary(BinaryOp op, const Scalar& a, const Tensor& b);
// self = op(self, other), other broadcast to self; the result must keep self's dtype.
void binary_(BinaryOp op, const Tensor& self, const Tensor& other);
// self = op(self, scalar), the scalar passed to the kernel as an argument.
void binary_(BinaryOp op, const Tensor& self, const Scalar& other);
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);

// --- reductions ----------------------------------------------------------------------------------
// Reduces over `dims` (all dims when empty).
Tensor sum(const Tensor& x, const Shape& dims, bool keepdim);
Tensor mean(const Tensor& x, const Shape& dims, bool keepdim);
Tensor prod(const Tensor& x, const Shape& dims, bool keepdim);
Tensor amax(const Tensor& x, const Shape& dims, bool keepdim);
Tensor amin(const Tensor& x, const Shape& dims, bool keepdim);
// Index of the max/min along `dim`, or into the flattened tensor when dim is empty.
Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim);
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim);
// Values and indices along dim.
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim);
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim);

// --- linear algebra, indexing, softmax -----------------------------------------------------------
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
// self[..index[..i..]..] = src[..i..] along dim (+= with accumulate), in place; index may be
// smaller than src in any dim (src is then read at index's positions). `op` names errors.
void scatter_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
              bool accumulate, const char* op = "scatter_");
void scatter_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
// self.index_select(dim, index) has src's shape; adds src back into those positions of self.
void index_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);
// Softmax cross entropy of each row of logits [M, C] against int64 class indices [M], with label
// smoothing: {loss [M], weight [M], probabilities [M, C]}, weight 1 for a row that counts and 0
// (and a loss of 0) where the target is ignore_index; the softmax probabilities, which the backward
// takes, only `with_probs`. A target outside [0, C) is an error of `message`, reported as
// check_index_range reports it. The backward is factor[i] (probs[i] - target distribution).
std::tuple<Tensor, Tensor, Tensor> cross_entropy(const Tensor& logits, const Tensor& target,
                                                 int64_t ignore_index, double smoothing,
                                                 bool with_probs, const IndexErrorMessage& message);
Tensor cross_entropy_backward(const Tensor& probs, const Tensor& target, double smoothing,
                              const Tensor& factor);
// Checks every element of int64 `index` is in [0, limit), else a nabla::Error of `message` around
// the first offending value: at once on the CPU, at the next synchronization on a GPU.
void check_index_range(const Tensor& index, int64_t limit, const IndexErrorMessage& message);
// num_classes < 0 infers it from the largest label, which reads from the device.
Tensor one_hot(const Tensor& labels, int64_t num_classes);

// --- sorting and scans ---------------------------------------------------------------------------
// A stable sort along dim: the sorted values and the int64 index of each in x.
std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim, bool descending);
// Inclusive cumulative sum or product along dim, in `dtype` (default: int64 for integer and bool
// inputs, else x's dtype).
Tensor scan(ScanOp op, const Tensor& x, int64_t dim, std::optional<ScalarType> dtype);

// --- convolution and pooling (NCHW) -------------------------------------------------------------
// (height, width) of a kernel, stride, padding or dilation.
using Pair = std::array<int64_t, 2>;
// Checks the arguments (throwing an error that names the shapes) and computes the geometry.
math::Conv2dShape conv2d_shape(const Tensor& input, const Tensor& weight, const Tensor& bias,
                               const Pair& stride, const Pair& padding, const Pair& dilation,
                               int64_t groups);
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const math::Conv2dShape& shape);
Tensor conv2d_backward_input(const Tensor& grad_out, const Tensor& weight,
                             const math::Conv2dShape& shape);
Tensor conv2d_backward_weight(const Tensor& grad_out, const Tensor& input,
                              const math::Conv2dShape& shape);
// The geometry of max (kind Max) or average pooling, checked; and of adaptive average pooling.
math::Pool2dShape pool2d_shape(const char* op, const Tensor& input, math::PoolKind kind,
                               const Pair& kernel, const Pair& stride, const Pair& padding,
                               const Pair& dilation, bool ceil_mode);
math::Pool2dShape adaptive_pool2d_shape(const char* op, const Tensor& input, const Pair& output);
// The pooled tensor and, for max pooling, the int64 index of each maximum in its input plane.
// Max pooling's indices only when `with_indices` (a backward needs them; inference does not).
std::tuple<Tensor, Tensor> pool2d(const Tensor& input, const math::Pool2dShape& shape,
                                  bool with_indices = true);
Tensor max_pool2d_backward(const Tensor& grad_out, const Tensor& indices, const Shape& input_shape);
Tensor avg_pool2d_backward(const Tensor& grad_out, const math::Pool2dShape& shape,
                           const Shape& input_shape);

// --- optimizer updates, in place (momentum_buffer, max_exp_avg_sq: undefined when unused) -------
void sgd_step_(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
               const math::SgdOptions& options);
// One Adam update of several parameters (of one dtype and device) under the same options.
void adam_step_(const std::vector<AdamTensors>& params, const math::AdamOptions& options);
void rmsprop_step_(const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                   const Tensor& grad_avg, const Tensor& momentum_buffer,
                   const math::RmspropOptions& options);
void adagrad_step_(const Tensor& param, const Tensor& grad, const Tensor& sum,
                   const math::AdagradOptions& options);

// --- checks shared by ops ------------------------------------------------------------------------
[[noreturn]] void throw_device_mismatch(const char* op, const Tensor& a, const Tensor& b);
[[noreturn]] void throw_undefined(const char* op);
inline void check_same_device(const char* op, const Tensor& a, const Tensor& b) {
  if (__builtin_expect(a.device() != b.device(), 0)) throw_device_mismatch(op, a, b);
}
inline void check_defined(const char* op, const Tensor& x) {
  if (__builtin_expect(!x.defined(), 0)) throw_undefined(op);
}

// A value written into a tensor (full, fill_) must fit its dtype: 1000 as uint8 or NaN as int64
// is an error, as in PyTorch, not a silently different number.
inline void check_fits(const char* op, const Scalar& value, ScalarType dtype) {
  NABLA_CHECK(value.fits(dtype), op, ": value ", value, " cannot be converted to dtype ", dtype,
              " without overflow");
}
[[noreturn]] void throw_internal_overlap(const char* op, const Tensor& x);
// An in-place write into a tensor whose elements share memory (expand()ed: a dim of size > 1 with
// stride 0) would have an order-dependent result, so in-place ops refuse it, as PyTorch does.
inline void check_no_internal_overlap(const char* op, const Tensor& x) {
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (__builtin_expect(x.strides()[d] == 0 && x.sizes()[d] > 1, 0)) throw_internal_overlap(op, x);
  }
}

}  // namespace nabla::native

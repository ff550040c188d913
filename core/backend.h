// The backend interface: the few primitives a device must provide. Ops in core/ validate their
// arguments, choose dtypes, allocate outputs and broadcast inputs (stride 0) before calling these,
// so a backend only computes. Outputs are passed as handles; backends write their elements.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nabla/core/allocator.h>
#include <nabla/core/device.h>
#include <nabla/core/math/conv.h>
#include <nabla/core/math/optim.h>
#include <nabla/core/math/pooling.h>
#include <nabla/core/op_table.h>
#include <nabla/core/scalar.h>
#include <nabla/core/shape.h>
#include <nabla/core/tensor.h>

namespace nabla {

enum class ReduceOp : uint8_t { Sum, Prod, Max, Min };
// Uniform, normal, or dropout's scaled keep mask: b where the element's uniform draw in [0, 1) is
// at least a, else 0 (a = p, b = 1 / (1 - p)), the mask of one pass instead of four.
enum class RandomKind : uint8_t { Uniform, Normal, DropoutMask };

// The op a random kind serves, for messages: "rand", "randn" or "dropout".
inline const char* random_op_name(RandomKind kind) {
  return kind == RandomKind::Uniform ? "rand" : kind == RandomKind::Normal ? "randn" : "dropout";
}

enum class ScanOp : uint8_t { Sum, Prod };

// The message of a failed index check: before + the offending value + after, e.g.
// "cross_entropy: target class " 12 " is out of range for 10 classes".
struct IndexErrorMessage {
  std::string before;
  std::string after;
};

// The message for an index of gather, index_select or scatter_add outside dim `dim` of a tensor of
// shape `shape`: "gather: index 12 is out of range for dim 1 of size 10 (input shape [4, 10])".
IndexErrorMessage index_error_message(const char* op, int64_t dim, const Shape& shape);

// The tensors of one parameter's Adam update: contiguous, of the parameter's shape, dtype and
// device; max_exp_avg_sq is undefined without amsgrad.
struct AdamTensors {
  Tensor param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual Allocator& allocator() = 0;

  // dst = src elementwise, converting dtype; same shape (src may have stride-0 dims). If one of
  // them lives on another device, the non-CPU backend's copy is called and moves the data.
  virtual void copy(const Tensor& src, const Tensor& dst) = 0;
  virtual void fill(const Tensor& dst, const Scalar& value) = 0;

  // out = op(in) with in and out of one shape and dtype (core/op_table.h lists the ops).
  virtual void unary(UnaryOp op, const Tensor& in, const Tensor& out, const UnaryArgs& args) = 0;
  // out = op(a, b); a and b share one dtype and out's shape; out is bool for comparisons.
  virtual void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) = 0;
  // out = op(a, scalar), or op(scalar, a) when scalar_first, with the scalar converted to a's dtype
  // and passed to the kernel as an argument.
  virtual void binary_scalar(BinaryOp op, const Tensor& a, const Scalar& scalar, bool scalar_first,
                             const Tensor& out) = 0;
  // out = cond ? a : b; all of out's shape; a, b and out share a dtype; cond is bool.
  virtual void where(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& out) = 0;

  // Reduces `in` into `out`, which has in's rank: every dim where out has size 1 is reduced.
  virtual void reduce(ReduceOp op, const Tensor& in, const Tensor& out) = 0;
  // int64 index of the max (or min) along `dim`; out has in's rank with size 1 at `dim`.
  virtual void arg_reduce(bool is_max, const Tensor& in, int64_t dim, const Tensor& out) = 0;

  // out[b] = a[b] @ b[b] for 3-D a [B, M, K], b [B, K, N] and contiguous out [B, M, N]; a and b may
  // have batch stride 0 (broadcast) and be transposed in their last two dims.
  virtual void matmul(const Tensor& a, const Tensor& b, const Tensor& out) = 0;

  // Checks that every element of the int64 tensor `index` lies in [0, limit). A failure is a
  // nabla::Error with `message` around the first offending value; the CPU throws at once, a GPU at
  // its next synchronization (so that a training step never waits for the check).
  virtual void check_index_range(const Tensor& index, int64_t limit,
                                 const IndexErrorMessage& message) = 0;

  // out = in.index_select(dim, index): out has in's shape with index.numel() at `dim`.
  virtual void index_select(const Tensor& in, int64_t dim, const Tensor& index,
                            const Tensor& out) = 0;
  // out[..i..] = in[..index[..i..]..] along `dim`; out and index share a shape.
  virtual void gather(const Tensor& in, int64_t dim, const Tensor& index, const Tensor& out) = 0;
  // out[..index[..i..]..] = src[..i..] along `dim` (+= with accumulate); index and src share a
  // shape. With accumulate, repeated indices sum their contributions (the backward of gathers);
  // without, one of them wins.
  virtual void scatter(const Tensor& src, int64_t dim, const Tensor& index, const Tensor& out,
                       bool accumulate) = 0;
  // Sorts each row of the contiguous 2-D `in` [rows, n], stably, writing the int64 column of each
  // sorted element into contiguous `indices` [rows, n]. NaN sorts above everything and -0 equals
  // 0, as in PyTorch. Values are gathered from the indices by the caller.
  virtual void sort(const Tensor& in, bool descending, const Tensor& indices) = 0;
  // The inclusive cumulative sum or product along each row of the contiguous 2-D `in` into `out`
  // (same shape and dtype), accumulated in double for floating dtypes.
  virtual void scan(ScanOp op, const Tensor& in, const Tensor& out) = 0;
  // Numerically stable softmax or log-softmax along `dim`.
  virtual void softmax(const Tensor& in, int64_t dim, bool log, const Tensor& out) = 0;
  // Softmax cross entropy of each row of contiguous logits [M, C] against int64 class indices
  // target [M] with label smoothing (core/math/softmax.h): loss[i] and weight[i] = 1, or both 0
  // where target[i] == ignore_index; and when `probs` is defined, the rows' softmax [M, C] for the
  // backward (0 on ignored rows). Any other target outside [0, C) is reported with `message`, as
  // check_index_range reports it.
  virtual void cross_entropy(const Tensor& logits, const Tensor& target, int64_t ignore_index,
                             double smoothing, const Tensor& loss, const Tensor& weight,
                             const Tensor& probs, const IndexErrorMessage& message) = 0;
  // Its gradient from those probabilities: grad[i, c] = factor[i] (probs[i, c] - the target
  // distribution), for targets already checked; rows with factor 0 (the ignored ones) get 0.
  virtual void cross_entropy_backward(const Tensor& probs, const Tensor& target, double smoothing,
                                      const Tensor& factor, const Tensor& grad) = 0;

  // 2-D convolution of contiguous NCHW float tensors (core/math/conv.h gives the geometry):
  // out = conv(input, weight) + bias (bias undefined: none), and the gradients of its input and
  // weight from grad_out. All tensors share one floating dtype; outputs are overwritten.
  virtual void conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                      const math::Conv2dShape& shape, const Tensor& out) = 0;
  virtual void conv2d_backward_input(const Tensor& grad_out, const Tensor& weight,
                                     const math::Conv2dShape& shape, const Tensor& grad_input) = 0;
  virtual void conv2d_backward_weight(const Tensor& grad_out, const Tensor& input,
                                      const math::Conv2dShape& shape,
                                      const Tensor& grad_weight) = 0;
  // Pooling of contiguous NCHW planes (core/math/pooling.h): max (with int64 `indices`, each the
  // position h * in_w + w in its plane) or average. avg_pool2d_backward overwrites grad_input
  // with the average pooling's gradient.
  virtual void pool2d(const Tensor& input, const math::Pool2dShape& shape, const Tensor& out,
                      const Tensor& indices) = 0;
  virtual void avg_pool2d_backward(const Tensor& grad_out, const math::Pool2dShape& shape,
                                   const Tensor& grad_input) = 0;

  // One optimizer update of contiguous, same-shape floating tensors, element by element with the
  // shared functors of core/math/optim.h.
  virtual void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                        const math::SgdOptions& options) = 0;
  // Adam's update of every parameter in `params` under the same options, as one parallel loop
  // (one kernel launch per few dozen parameters on a GPU) rather than one per parameter.
  virtual void adam_step(const std::vector<AdamTensors>& params,
                         const math::AdamOptions& options) = 0;
  // RMSprop's and Adagrad's updates (math::rmsprop_step, math::adagrad_step); grad_avg and
  // momentum_buffer are undefined when the options do not use them.
  virtual void rmsprop_step(const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                            const Tensor& grad_avg, const Tensor& momentum_buffer,
                            const math::RmspropOptions& options) = 0;
  virtual void adagrad_step(const Tensor& param, const Tensor& grad, const Tensor& sum,
                            const math::AdagradOptions& options) = 0;

  // Fills contiguous `out` (floating) with element i of Philox stream (seed, call): uniform in
  // [a, b), normal with mean a and standard deviation b, or dropout's mask (see RandomKind).
  virtual void random(const Tensor& out, RandomKind kind, double a, double b, uint64_t seed,
                      uint64_t call) = 0;
};

// The backend for a device type; a build without CUDA returns a stub that throws for CUDA.
Backend& backend_for(Device device);

}  // namespace nabla

// The backend interface: the few primitives a device must provide. Ops in core/ validate their
// arguments, choose dtypes, allocate outputs and broadcast inputs (stride 0) before calling these,
// so a backend only computes. Outputs are passed as handles; backends write their elements.
#pragma once

#include <cstdint>

#include <nabla/core/allocator.h>
#include <nabla/core/device.h>
#include <nabla/core/math/optim.h>
#include <nabla/core/scalar.h>

namespace nabla {

class Tensor;

enum class UnaryOp : uint8_t { Neg, Exp, Log, Sqrt, Abs, Relu, Sigmoid, Tanh, Pow, Clamp };
enum class BinaryOp : uint8_t {
  Add,
  Sub,
  Mul,
  Div,
  Maximum,
  Minimum,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,  // give bool
  ReluBackward,
  SigmoidBackward,
  TanhBackward  // (grad, saved) -> grad_input
};
enum class ReduceOp : uint8_t { Sum, Max, Min };
enum class RandomKind : uint8_t { Uniform, Normal };

// The public name of an op, for error messages.
inline const char* op_name(UnaryOp op) {
  static constexpr const char* kNames[] = {"neg",  "exp",     "log",  "sqrt", "abs",
                                           "relu", "sigmoid", "tanh", "pow",  "clamp"};
  return kNames[static_cast<int>(op)];
}
inline const char* op_name(BinaryOp op) {
  static constexpr const char* kNames[] = {
      "add", "sub", "mul", "div", "maximum",       "minimum",          "eq",           "ne",
      "lt",  "le",  "gt",  "ge",  "relu_backward", "sigmoid_backward", "tanh_backward"};
  return kNames[static_cast<int>(op)];
}
inline bool is_comparison(BinaryOp op) {
  return op >= BinaryOp::Eq && op <= BinaryOp::Ge;
}

class Backend {
 public:
  virtual ~Backend() = default;
  virtual Allocator& allocator() = 0;

  // dst = src elementwise, converting dtype; same shape (src may have stride-0 dims). If one of
  // them lives on another device, the non-CPU backend's copy is called and moves the data.
  virtual void copy(const Tensor& src, const Tensor& dst) = 0;
  virtual void fill(const Tensor& dst, const Scalar& value) = 0;

  // out = op(in) with in and out of one shape and dtype. `p0`, `p1`: the exponent of Pow, the
  // bounds of Clamp.
  virtual void unary(UnaryOp op, const Tensor& in, const Tensor& out, double p0, double p1) = 0;
  // out = op(a, b); a and b share one dtype and out's shape; out is bool for comparisons.
  virtual void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) = 0;
  // out = cond ? a : b; all of out's shape; a, b and out share a dtype; cond is bool.
  virtual void where(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& out) = 0;

  // Reduces `in` into `out`, which has in's rank: every dim where out has size 1 is reduced.
  virtual void reduce(ReduceOp op, const Tensor& in, const Tensor& out) = 0;
  // int64 index of the max (or min) along `dim`; out has in's rank with size 1 at `dim`.
  virtual void arg_reduce(bool is_max, const Tensor& in, int64_t dim, const Tensor& out) = 0;

  // out[b] = a[b] @ b[b] for 3-D a [B, M, K], b [B, K, N] and contiguous out [B, M, N]; a and b may
  // have batch stride 0 (broadcast) and be transposed in their last two dims.
  virtual void matmul(const Tensor& a, const Tensor& b, const Tensor& out) = 0;

  // out = in.index_select(dim, index): out has in's shape with index.numel() at `dim`.
  virtual void index_select(const Tensor& in, int64_t dim, const Tensor& index,
                            const Tensor& out) = 0;
  // out[..i..] = in[..index[..i..]..] along `dim`; out and index share a shape.
  virtual void gather(const Tensor& in, int64_t dim, const Tensor& index, const Tensor& out) = 0;
  // out[..index[..i..]..] += src[..i..] along `dim`; index and src share a shape. Indices may
  // repeat, so contributions to one element are summed (the backward of gathers).
  virtual void scatter_add(const Tensor& src, int64_t dim, const Tensor& index,
                           const Tensor& out) = 0;
  // Numerically stable softmax or log-softmax along `dim`.
  virtual void softmax(const Tensor& in, int64_t dim, bool log, const Tensor& out) = 0;

  // One optimizer update of contiguous, same-shape floating tensors, element by element with the
  // shared math::sgd_step / math::adam_step.
  virtual void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                        const math::SgdOptions& options) = 0;
  virtual void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                         const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq,
                         const math::AdamOptions& options) = 0;

  // Fills contiguous `out` (floating) with element i of Philox stream (seed, call): uniform in
  // [a, b) or normal with mean a and standard deviation b.
  virtual void random(const Tensor& out, RandomKind kind, double a, double b, uint64_t seed,
                      uint64_t call) = 0;
};

// The backend for a device type; a build without CUDA returns a stub that throws for CUDA.
Backend& backend_for(Device device);

}  // namespace nabla

// The CPU backend: oneDNN for float32 GEMM, OpenMP threads for large elementwise and reduction
// work. Its methods are defined in one file per op family under core/cpu/.
#pragma once

#include <nabla/core/backend.h>

namespace nabla::cpu {

class CpuBackend final : public Backend {
 public:
  Allocator& allocator() override { return cpu_allocator(); }
  void copy(const Tensor& src, const Tensor& dst) override;
  void fill(const Tensor& dst, const Scalar& value) override;
  void unary(UnaryOp op, const Tensor& in, const Tensor& out, const UnaryArgs& args) override;
  void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) override;
  void binary_scalar(BinaryOp op, const Tensor& a, const Scalar& scalar, bool scalar_first,
                     const Tensor& out) override;
  void check_index_range(const Tensor& index, int64_t limit,
                         const IndexErrorMessage& message) override;
  void where(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& out) override;
  void reduce(ReduceOp op, const Tensor& in, const Tensor& out) override;
  void arg_reduce(bool is_max, const Tensor& in, int64_t dim, const Tensor& out) override;
  void matmul(const Tensor& a, const Tensor& b, const Tensor& out) override;
  void index_select(const Tensor& in, int64_t dim, const Tensor& index, const Tensor& out) override;
  void gather(const Tensor& in, int64_t dim, const Tensor& index, const Tensor& out) override;
  void scatter(const Tensor& src, int64_t dim, const Tensor& index, const Tensor& out,
               bool accumulate) override;
  void sort(const Tensor& in, bool descending, const Tensor& indices) override;
  void scan(ScanOp op, const Tensor& in, const Tensor& out) override;
  void softmax(const Tensor& in, int64_t dim, bool log, const Tensor& out) override;
  void cross_entropy(const Tensor& logits, const Tensor& target, int64_t ignore_index,
                     double smoothing, const Tensor& loss, const Tensor& weight,
                     const Tensor& probs, const IndexErrorMessage& message) override;
  void cross_entropy_backward(const Tensor& probs, const Tensor& target, double smoothing,
                              const Tensor& factor, const Tensor& grad) override;
  void conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const math::Conv2dShape& shape, const Tensor& out) override;
  void conv2d_backward_input(const Tensor& grad_out, const Tensor& weight,
                             const math::Conv2dShape& shape, const Tensor& grad_input) override;
  void conv2d_backward_weight(const Tensor& grad_out, const Tensor& input,
                              const math::Conv2dShape& shape, const Tensor& grad_weight) override;
  void pool2d(const Tensor& input, const math::Pool2dShape& shape, const Tensor& out,
              const Tensor& indices) override;
  void avg_pool2d_backward(const Tensor& grad_out, const math::Pool2dShape& shape,
                           const Tensor& grad_input) override;
  void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                const math::SgdOptions& options) override;
  void adam_step(const std::vector<AdamTensors>& params, const math::AdamOptions& options) override;
  void rmsprop_step(const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                    const Tensor& grad_avg, const Tensor& momentum_buffer,
                    const math::RmspropOptions& options) override;
  void adagrad_step(const Tensor& param, const Tensor& grad, const Tensor& sum,
                    const math::AdagradOptions& options) override;
  void random(const Tensor& out, RandomKind kind, double a, double b, uint64_t seed,
              uint64_t call) override;
};

CpuBackend& cpu_backend();

}  // namespace nabla::cpu

// Batch normalization: BatchNorm1d over [N, C] or [N, C, L], BatchNorm2d over [N, C, H, W]. In
// training each channel is normalized with the batch's mean and variance and the running
// statistics move toward them by momentum (or, with momentum unset, to their cumulative average);
// in evaluation the running statistics are used. running_mean, running_var and
// num_batches_tracked are buffers, so checkpoints and to() carry them.
#pragma once

#include <optional>
#include <ostream>

#include <nabla/nn/module.h>

namespace nabla::nn {

struct BatchNormOptions {
  BatchNormOptions(int64_t num_features) : num_features_(num_features) {}  // NOLINT: as libtorch
  BatchNormOptions& eps(double e) { return eps_ = e, *this; }
  BatchNormOptions& momentum(std::optional<double> m) { return momentum_ = m, *this; }
  BatchNormOptions& affine(bool a) { return affine_ = a, *this; }
  BatchNormOptions& track_running_stats(bool t) { return track_running_stats_ = t, *this; }
  int64_t num_features_;
  double eps_ = 1e-5;
  std::optional<double> momentum_ = 0.1;
  bool affine_ = true;
  bool track_running_stats_ = true;
};

namespace functional {
struct BatchNormFuncOptions {
  BatchNormFuncOptions& weight(const Tensor& w) { return weight_ = w, *this; }
  BatchNormFuncOptions& bias(const Tensor& b) { return bias_ = b, *this; }
  BatchNormFuncOptions& training(bool t) { return training_ = t, *this; }
  BatchNormFuncOptions& momentum(double m) { return momentum_ = m, *this; }
  BatchNormFuncOptions& eps(double e) { return eps_ = e, *this; }
  Tensor weight_, bias_;
  bool training_ = false;
  double momentum_ = 0.1;
  double eps_ = 1e-5;
};
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& options = {});
}  // namespace functional

// What BatchNorm1d and BatchNorm2d share; `dims` are the input ranks they accept.
class BatchNormImplBase : public Module {
 public:
  Tensor forward(const Tensor& input);
  void reset_running_stats();
  // Weight 1 and bias 0, and fresh running statistics.
  void reset_parameters();
  void pretty_print(std::ostream& out) const override;

  BatchNormOptions options;
  Tensor weight, bias;                                    // undefined without affine
  Tensor running_mean, running_var, num_batches_tracked;  // undefined without tracking

 protected:
  BatchNormImplBase(const char* name, const BatchNormOptions& options, int64_t min_dims,
                    int64_t max_dims);

 private:
  int64_t min_dims_, max_dims_;
};

class BatchNorm1dImpl : public BatchNormImplBase {
 public:
  explicit BatchNorm1dImpl(const BatchNormOptions& options)
      : BatchNormImplBase("BatchNorm1d", options, 2, 3) {}
};
NABLA_MODULE(BatchNorm1d);

class BatchNorm2dImpl : public BatchNormImplBase {
 public:
  explicit BatchNorm2dImpl(const BatchNormOptions& options)
      : BatchNormImplBase("BatchNorm2d", options, 4, 4) {}
};
NABLA_MODULE(BatchNorm2d);

}  // namespace nabla::nn

// Batch normalization layers and functional::batch_norm, over nabla::batch_norm.
#include <nabla/nn/batchnorm.h>

#include <nabla/autograd/grad_mode.h>
#include <nabla/autograd/ops.h>
#include <nabla/core/factory.h>

namespace nabla::nn {

namespace functional {
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& options) {
  return nabla::batch_norm(input, options.weight_, options.bias_, running_mean, running_var,
                           options.training_, options.momentum_, options.eps_);
}
}  // namespace functional

BatchNormImplBase::BatchNormImplBase(const char* name, const BatchNormOptions& options,
                                     int64_t min_dims, int64_t max_dims)
    : Module(name), options(options), min_dims_(min_dims), max_dims_(max_dims) {
  NABLA_CHECK(options.num_features_ > 0, name, ": num_features must be positive, got ",
              options.num_features_);
  NABLA_CHECK(options.eps_ > 0, name, ": eps must be positive, got ", options.eps_);
  const int64_t c = options.num_features_;
  if (options.affine_) {
    weight = register_parameter("weight", empty({c}));
    bias = register_parameter("bias", empty({c}));
  }
  if (options.track_running_stats_) {
    running_mean = register_buffer("running_mean", empty({c}));
    running_var = register_buffer("running_var", empty({c}));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, kInt64));
  }
  reset_parameters();
}

void BatchNormImplBase::reset_running_stats() {
  if (!options.track_running_stats_) return;
  NoGradGuard no_grad;
  running_mean.fill_(0);
  running_var.fill_(1);
  num_batches_tracked.fill_(0);
}

void BatchNormImplBase::reset_parameters() {
  reset_running_stats();
  if (!options.affine_) return;
  NoGradGuard no_grad;
  weight.fill_(1);
  bias.fill_(0);
}

Tensor BatchNormImplBase::forward(const Tensor& input) {
  NABLA_CHECK(input.defined() && input.dim() >= min_dims_ && input.dim() <= max_dims_, name(),
              ": expected a ", min_dims_, max_dims_ > min_dims_ ? "-D or 3" : "", "-D input, got ",
              input.defined() ? input.sizes() : Shape{});
  NABLA_CHECK(input.size(1) == options.num_features_, name(), ": expected ", options.num_features_,
              " channels (dim 1), got input shape ", input.sizes());
  double momentum = options.momentum_.value_or(0.0);
  if (is_training() && options.track_running_stats_) {
    NoGradGuard no_grad;
    num_batches_tracked.add_(1);
    // With momentum unset the running statistics are the cumulative average: the k-th batch
    // moves them by 1 / k. Only this mode reads the count back from the device.
    if (!options.momentum_) {
      momentum = 1.0 / static_cast<double>(num_batches_tracked.item<int64_t>());
    }
  }
  // Without running statistics, evaluation normalizes with the batch's, as PyTorch does.
  return nabla::batch_norm(input, weight, bias, running_mean, running_var,
                           is_training() || !options.track_running_stats_, momentum, options.eps_);
}

void BatchNormImplBase::pretty_print(std::ostream& out) const {
  out << name() << "(" << options.num_features_ << ", eps=" << options.eps_ << ", momentum=";
  if (options.momentum_) {
    out << *options.momentum_;
  } else {
    out << "None";
  }
  out << ", affine=" << (options.affine_ ? "true" : "false")
      << ", track_running_stats=" << (options.track_running_stats_ ? "true" : "false") << ")";
}

}  // namespace nabla::nn

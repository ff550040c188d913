// Optimizer updates on the GPU: one thread per element running the update of core/math/optim.h,
// the very function the CPU loop runs; Adam's updates several parameters per launch.
#include <algorithm>
#include <vector>

#include <nabla/core/math/optim.h>
#include <nabla/cuda/backend.h>
#include <nabla/cuda/loops.cuh>

namespace nabla::cuda_backend {
namespace {

template <typename T>
__global__ void sgd_kernel(int64_t n, T* param, const T* grad, T* momentum,
                           math::SgdOptions options) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    T unused = 0;
    math::sgd_step(param[i], grad[i], momentum ? momentum[i] : unused, options);
  }
}

// Up to kAdamBatch parameters in one launch, their pointers passed by value in the kernel's
// arguments (about 1.5 KB, within the 4 KB every CUDA version allows): a model's few dozen
// parameters are a launch or two, not one launch each.
constexpr int kAdamBatch = 32;

template <typename T>
struct AdamBatch {
  T* param[kAdamBatch];
  const T* grad[kAdamBatch];
  T* exp_avg[kAdamBatch];
  T* exp_avg_sq[kAdamBatch];
  T* max_exp_avg_sq[kAdamBatch];  // null without amsgrad
  int64_t start[kAdamBatch + 1];  // where each parameter begins in the launch's elements
};

// One thread per element of the parameters end to end; a thread's elements only move forward, so
// it finds each one's parameter by stepping past the ones it has left.
template <typename T>
__global__ void adam_kernel(int count, AdamBatch<T> batch, math::AdamOptions options) {
  const int64_t n = batch.start[count];
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  int k = 0;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    while (i >= batch.start[k + 1]) ++k;
    const int64_t j = i - batch.start[k];
    T unused = 0;
    math::adam_step(batch.param[k][j], batch.grad[k][j], batch.exp_avg[k][j],
                    batch.exp_avg_sq[k][j],
                    batch.max_exp_avg_sq[k] ? batch.max_exp_avg_sq[k][j] : unused, options);
  }
}

template <typename T>
__global__ void rmsprop_kernel(int64_t n, T* param, const T* grad, T* square_avg, T* grad_avg,
                               T* momentum, math::RmspropOptions options) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    T unused_avg = 0, unused_buf = 0;
    math::rmsprop_step(param[i], grad[i], square_avg[i], grad_avg ? grad_avg[i] : unused_avg,
                       momentum ? momentum[i] : unused_buf, options);
  }
}

template <typename T>
__global__ void adagrad_kernel(int64_t n, T* param, const T* grad, T* sum,
                               math::AdagradOptions options) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    math::adagrad_step(param[i], grad[i], sum[i], options);
  }
}

}  // namespace

void CudaBackend::sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                           const math::SgdOptions& options) {
  OpScope scope(index_, "sgd_step");
  dispatch_floating(param.dtype(), "sgd_step", [&](auto tag) {
    using T = decltype(tag);
    const int64_t n = param.numel();
    if (n == 0) return;
    sgd_kernel<T><<<blocks_for(n), kThreads, 0, stream()>>>(
        n, param.data_ptr<T>(), grad.data_ptr<T>(),
        momentum_buffer.defined() ? momentum_buffer.data_ptr<T>() : nullptr, options);
    NABLA_CUDA_CHECK_LAUNCH();
  });
  scope.finish();
}

void CudaBackend::adam_step(const std::vector<AdamTensors>& params,
                            const math::AdamOptions& options) {
  OpScope scope(index_, "adam_step");
  dispatch_floating(params.front().param.dtype(), "adam_step", [&](auto tag) {
    using T = decltype(tag);
    for (size_t first = 0; first < params.size(); first += kAdamBatch) {
      const int count = static_cast<int>(std::min<size_t>(kAdamBatch, params.size() - first));
      AdamBatch<T> batch{};
      for (int k = 0; k < count; ++k) {
        const AdamTensors& t = params[first + k];
        batch.param[k] = t.param.data_ptr<T>();
        batch.grad[k] = t.grad.data_ptr<T>();
        batch.exp_avg[k] = t.exp_avg.data_ptr<T>();
        batch.exp_avg_sq[k] = t.exp_avg_sq.data_ptr<T>();
        batch.max_exp_avg_sq[k] =
            t.max_exp_avg_sq.defined() ? t.max_exp_avg_sq.data_ptr<T>() : nullptr;
        batch.start[k + 1] = batch.start[k] + t.param.numel();
      }
      const int64_t n = batch.start[count];
      if (n == 0) continue;
      adam_kernel<T><<<blocks_for(n), kThreads, 0, stream()>>>(count, batch, options);
      NABLA_CUDA_CHECK_LAUNCH();
    }
  });
  scope.finish();
}

void CudaBackend::rmsprop_step(const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                               const Tensor& grad_avg, const Tensor& momentum_buffer,
                               const math::RmspropOptions& options) {
  OpScope scope(index_, "rmsprop_step");
  dispatch_floating(param.dtype(), "rmsprop_step", [&](auto tag) {
    using T = decltype(tag);
    const int64_t n = param.numel();
    if (n == 0) return;
    rmsprop_kernel<T><<<blocks_for(n), kThreads, 0, stream()>>>(
        n, param.data_ptr<T>(), grad.data_ptr<T>(), square_avg.data_ptr<T>(),
        grad_avg.defined() ? grad_avg.data_ptr<T>() : nullptr,
        momentum_buffer.defined() ? momentum_buffer.data_ptr<T>() : nullptr, options);
    NABLA_CUDA_CHECK_LAUNCH();
  });
  scope.finish();
}

void CudaBackend::adagrad_step(const Tensor& param, const Tensor& grad, const Tensor& sum,
                               const math::AdagradOptions& options) {
  OpScope scope(index_, "adagrad_step");
  dispatch_floating(param.dtype(), "adagrad_step", [&](auto tag) {
    using T = decltype(tag);
    const int64_t n = param.numel();
    if (n == 0) return;
    adagrad_kernel<T><<<blocks_for(n), kThreads, 0, stream()>>>(
        n, param.data_ptr<T>(), grad.data_ptr<T>(), sum.data_ptr<T>(), options);
    NABLA_CUDA_CHECK_LAUNCH();
  });
  scope.finish();
}

}  // namespace nabla::cuda_backend

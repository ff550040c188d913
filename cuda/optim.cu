// Optimizer updates on the GPU: one thread per element running the update of core/math/optim.h,
// the very function the CPU loop runs.
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

template <typename T>
__global__ void adam_kernel(int64_t n, T* param, const T* grad, T* exp_avg, T* exp_avg_sq,
                            T* max_exp_avg_sq, math::AdamOptions options) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    T unused = 0;
    math::adam_step(param[i], grad[i], exp_avg[i], exp_avg_sq[i],
                    max_exp_avg_sq ? max_exp_avg_sq[i] : unused, options);
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

void CudaBackend::adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                            const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq,
                            const math::AdamOptions& options) {
  OpScope scope(index_, "adam_step");
  dispatch_floating(param.dtype(), "adam_step", [&](auto tag) {
    using T = decltype(tag);
    const int64_t n = param.numel();
    if (n == 0) return;
    adam_kernel<T><<<blocks_for(n), kThreads, 0, stream()>>>(
        n, param.data_ptr<T>(), grad.data_ptr<T>(), exp_avg.data_ptr<T>(), exp_avg_sq.data_ptr<T>(),
        max_exp_avg_sq.defined() ? max_exp_avg_sq.data_ptr<T>() : nullptr, options);
    NABLA_CUDA_CHECK_LAUNCH();
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

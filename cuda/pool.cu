// Pooling on the GPU: one thread per output element, running the per-element functions of
// core/math/pooling.h that the CPU runs. Average pooling's backward adds each output's share to its
// window with atomics, since windows overlap.
#include <nabla/core/math/pooling.h>
#include <nabla/cuda/backend.h>
#include <nabla/cuda/loops.cuh>

namespace nabla::cuda_backend {
namespace {

template <typename T>
__global__ void pool2d_kernel(int64_t total, math::Pool2dShape s, const T* x, T* y,
                              int64_t* indices) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int64_t out_plane = s.out_h * s.out_w, in_plane = s.in_h * s.in_w;
  for (int64_t o = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; o < total;
       o += stride) {
    const int64_t p = o / out_plane, oh = (o % out_plane) / s.out_w, ow = o % s.out_w;
    const T* plane = x + p * in_plane;
    if (s.kind == math::PoolKind::Max) {
      int64_t at = 0;
      y[o] = math::max_pool_element(plane, s, oh, ow, at);
      if (indices != nullptr) indices[o] = at;
    } else {
      y[o] = math::average_pool_element(plane, s, oh, ow);
    }
  }
}

template <typename T>
__global__ void avg_pool2d_backward_kernel(int64_t total, math::Pool2dShape s, const T* grad_out,
                                           T* grad_input) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int64_t out_plane = s.out_h * s.out_w, in_plane = s.in_h * s.in_w;
  for (int64_t o = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; o < total;
       o += stride) {
    const int64_t p = o / out_plane, oh = (o % out_plane) / s.out_w, ow = o % s.out_w;
    const math::PoolWindow window = math::average_window(s, oh, ow);
    const T share = grad_out[o] / static_cast<T>(window.divisor);
    T* plane = grad_input + p * in_plane;
    for (int64_t h = window.h0; h < window.h1; ++h) {
      for (int64_t w = window.w0; w < window.w1; ++w) atomicAdd(plane + h * s.in_w + w, share);
    }
  }
}

}  // namespace

void CudaBackend::pool2d(const Tensor& input, const math::Pool2dShape& s, const Tensor& out,
                         const Tensor& indices) {
  const char* name = s.kind == math::PoolKind::Max ? "max_pool2d" : "avg_pool2d";
  OpScope scope(index_, name);
  dispatch_floating(input.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    const int64_t total = out.numel();
    pool2d_kernel<T><<<blocks_for(total), kThreads, 0, stream()>>>(
        total, s, input.data_ptr<T>(), out.data_ptr<T>(),
        indices.defined() ? indices.data_ptr<int64_t>() : nullptr);
    NABLA_CUDA_CHECK_LAUNCH();
  });
  scope.finish();
}

void CudaBackend::avg_pool2d_backward(const Tensor& grad_out, const math::Pool2dShape& s,
                                      const Tensor& grad_input) {
  OpScope scope(index_, "avg_pool2d backward");
  dispatch_floating(grad_out.dtype(), "avg_pool2d backward", [&](auto tag) {
    using T = decltype(tag);
    NABLA_CUDA_CHECK(cudaMemsetAsync(
        grad_input.data_ptr(), 0, static_cast<size_t>(grad_input.numel()) * sizeof(T), stream()));
    const int64_t total = grad_out.numel();
    avg_pool2d_backward_kernel<T><<<blocks_for(total), kThreads, 0, stream()>>>(
        total, s, grad_out.data_ptr<T>(), grad_input.data_ptr<T>());
    NABLA_CUDA_CHECK_LAUNCH();
  });
  scope.finish();
}

}  // namespace nabla::cuda_backend

// Random fills on the GPU: thread b computes Philox block b of the call and writes all of its
// lanes, exactly as the CPU loop does, so a seed gives the same tensor (and dropout mask) on both
// devices.
#include <nabla/core/math/philox.h>
#include <nabla/cuda/backend.h>
#include <nabla/cuda/loops.cuh>

namespace nabla::cuda_backend {
namespace {

template <int kPerBlock, typename T, typename Lane>
__global__ void random_kernel(T* y, int64_t n, uint64_t seed, uint64_t call, Lane lane) {
  const int64_t blocks = (n + kPerBlock - 1) / kPerBlock;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t b = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; b < blocks;
       b += stride) {
    const math::Philox4x32 r = math::philox_block(seed, call, static_cast<uint64_t>(b));
#pragma unroll
    for (int k = 0; k < kPerBlock; ++k) {
      const int64_t i = b * kPerBlock + k;
      if (i < n) y[i] = lane(r, k);
    }
  }
}

template <typename T>
struct UniformLane {
  T lo, hi;
  __device__ T operator()(const math::Philox4x32& r, int k) const {
    return math::uniform_lane(r, k, lo, hi);
  }
};

template <typename T>
struct DropoutLane {
  T p, scale;
  __device__ T operator()(const math::Philox4x32& r, int k) const {
    return math::dropout_lane(r, k, p, scale);
  }
};

template <typename T>
struct NormalLane {
  T mean, std;
  __device__ T operator()(const math::Philox4x32& r, int k) const {
    return math::normal_lane<T>(r, k, mean, std);
  }
};

}  // namespace

void CudaBackend::random(const Tensor& out, RandomKind kind, double a, double b, uint64_t seed,
                         uint64_t call) {
  const char* name = random_op_name(kind);
  OpScope scope(index_, name);
  dispatch_floating(out.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    const int64_t n = out.numel();
    T* y = out.data_ptr<T>();
    const T lo = static_cast<T>(a), hi = static_cast<T>(b);
    if (kind == RandomKind::Uniform) {
      constexpr int kPerBlock = math::kUniformsPerBlock<T>;
      random_kernel<kPerBlock><<<blocks_for(n, kPerBlock), kThreads, 0, stream()>>>(
          y, n, seed, call, UniformLane<T>{lo, hi});
    } else if (kind == RandomKind::DropoutMask) {
      constexpr int kPerBlock = math::kUniformsPerBlock<T>;
      random_kernel<kPerBlock><<<blocks_for(n, kPerBlock), kThreads, 0, stream()>>>(
          y, n, seed, call, DropoutLane<T>{lo, hi});
    } else {
      constexpr int kPerBlock = math::kNormalsPerBlock<T>;
      random_kernel<kPerBlock><<<blocks_for(n, kPerBlock), kThreads, 0, stream()>>>(
          y, n, seed, call, NormalLane<T>{lo, hi});
    }
    NABLA_CUDA_CHECK_LAUNCH();
  });
  scope.finish();
}

}  // namespace nabla::cuda_backend

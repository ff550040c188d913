// The one elementwise kernel template behind every unary, binary, ternary and conversion op on the
// GPU: out[i] = f(in_0[i], in_1[i], ...). Operands that are all contiguous take a fast path that
// loads and stores Vec elements at once; any other layout (strided, broadcast, transposed) goes
// through the OffsetCalculator the CPU loops use, with 32-bit index math when everything fits.
#pragma once

#include <cuda_runtime.h>
#include <cuda/std/tuple>

#include <array>
#include <cstdint>
#include <utility>

#include <nabla/core/loop_layout.h>
#include <nabla/core/tensor.h>
#include <nabla/cuda/check.h>

namespace nabla::cuda_backend {

constexpr int kThreads = 256;

// Blocks for n work items of `per_thread` each, capped: kernels loop over the rest (grid stride).
inline unsigned int blocks_for(int64_t n, int64_t per_thread = 1, int threads = kThreads) {
  const int64_t blocks = (n + per_thread * threads - 1) / (per_thread * threads);
  return static_cast<unsigned int>(blocks < 1 ? 1 : (blocks > 65535 * 8 ? 65535 * 8 : blocks));
}

template <typename T, int Vec>
struct alignas(sizeof(T) * Vec) Aligned {
  T value[Vec];
};

template <int Vec, typename Out, typename F, typename... In, size_t... K>
__device__ __forceinline__ void vector_step(int64_t base, F f, Out* out, std::index_sequence<K...>,
                                            const In*... in) {
  const ::cuda::std::tuple<Aligned<In, Vec>...> loaded{
      *reinterpret_cast<const Aligned<In, Vec>*>(in + base)...};
  Aligned<Out, Vec> result;
#pragma unroll
  for (int j = 0; j < Vec; ++j) result.value[j] = f(::cuda::std::get<K>(loaded).value[j]...);
  *reinterpret_cast<Aligned<Out, Vec>*>(out + base) = result;
}

// All operands contiguous and aligned to Vec elements: thread t handles elements [Vec t, Vec t +
// Vec) of each grid-stride step, the tail one element at a time.
template <int Vec, typename Out, typename F, typename... In>
__global__ void elementwise_contiguous_kernel(int64_t n, F f, Out* out, const In*... in) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x * Vec;
  int64_t base = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) * Vec;
  for (; base + Vec <= n; base += stride) {
    vector_step<Vec>(base, f, out, std::index_sequence_for<In...>{}, in...);
  }
  if (base < n) {
    for (int64_t i = base; i < n; ++i) out[i] = f(in[i]...);
  }
}

template <typename Index, typename Out, typename F, typename... In, size_t... K>
__device__ __forceinline__ void strided_step(
    Index i, const math::OffsetCalculator<1 + sizeof...(In), Index>& at, F f, Out* out,
    std::index_sequence<K...>, const In*... in) {
  const math::Offsets<1 + sizeof...(In), Index> offsets = at.get(i);
  out[offsets[0]] = f(in[offsets[K + 1]]...);
}

template <typename Index, typename Out, typename F, typename... In>
__global__ void elementwise_strided_kernel(Index n,
                                           math::OffsetCalculator<1 + sizeof...(In), Index> at, F f,
                                           Out* out, const In*... in) {
  const Index stride = static_cast<Index>(gridDim.x) * blockDim.x;
  for (Index i = static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    strided_step(i, at, f, out, std::index_sequence_for<In...>{}, in...);
  }
}

template <typename T>
bool aligned_to(const T* p, int vec) {
  return reinterpret_cast<uintptr_t>(p) % (sizeof(T) * vec) == 0;
}

// An input of an elementwise kernel: a tensor whose elements have type T.
template <typename T>
struct Input {
  const Tensor& tensor;
  const T* data() const { return static_cast<const T*>(tensor.data_ptr()); }
};

// out = f(inputs...) elementwise over out's shape, whose elements have type Out; inputs have out's
// shape (stride 0 where broadcast).
template <typename Out, typename F, typename... In>
void launch_elementwise(cudaStream_t stream, F f, const Tensor& out, Input<In>... inputs) {
  const int64_t n = out.numel();
  if (n == 0) return;
  Out* out_data = static_cast<Out*>(out.data_ptr());
  const bool contiguous = out.is_contiguous() && (... && inputs.tensor.is_contiguous());
  if (contiguous) {
    const bool vec4 = aligned_to(out_data, 4) && (... && aligned_to(inputs.data(), 4));
    if (vec4 && n >= 4) {
      elementwise_contiguous_kernel<4>
          <<<blocks_for(n, 4), kThreads, 0, stream>>>(n, f, out_data, inputs.data()...);
    } else {
      elementwise_contiguous_kernel<1>
          <<<blocks_for(n), kThreads, 0, stream>>>(n, f, out_data, inputs.data()...);
    }
    NABLA_CUDA_CHECK_LAUNCH();
    return;
  }
  constexpr int kOperands = 1 + sizeof...(In);
  const std::array<const Strides*, kOperands> strides{&out.strides(), &inputs.tensor.strides()...};
  const LoopLayout<kOperands> layout = make_loop_layout<kOperands>(out.sizes(), strides);
  if (layout.fits_32bit()) {
    elementwise_strided_kernel<uint32_t><<<blocks_for(n), kThreads, 0, stream>>>(
        static_cast<uint32_t>(n), layout.template calculator<uint32_t>(), f, out_data,
        inputs.data()...);
  } else {
    elementwise_strided_kernel<int64_t><<<blocks_for(n), kThreads, 0, stream>>>(
        n, layout.template calculator<int64_t>(), f, out_data, inputs.data()...);
  }
  NABLA_CUDA_CHECK_LAUNCH();
}

}  // namespace nabla::cuda_backend

// Device instantiations of every functor in core/math/: elementwise kernels over contiguous data,
// the Philox fills and the optimizer steps. They are the kernels the CUDA backend launches;
// building them proves that the shared math compiles as device code, warnings as errors.
#include <cuda_runtime.h>

#include <nabla/core/math/binary.h>
#include <nabla/core/math/convert.h>
#include <nabla/core/math/optim.h>
#include <nabla/core/math/philox.h>
#include <nabla/core/math/reduce.h>
#include <nabla/core/math/unary.h>

namespace nabla::cuda_kernels {

template <typename T, typename F>
__global__ void unary_kernel(const T* in, T* out, int64_t n, F f) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < n) out[i] = f(in[i]);
}

template <typename Out, typename T, typename F>
__global__ void binary_kernel(const T* a, const T* b, Out* out, int64_t n, F f) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < n) out[i] = f(a[i], b[i]);
}

template <typename To, typename From>
__global__ void convert_kernel(const From* in, To* out, int64_t n) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < n) out[i] = math::convert<To>(in[i]);
}

template <typename T>
__global__ void uniform_kernel(T* out, int64_t n, uint64_t seed, uint64_t call, T lo, T hi) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < n) out[i] = math::random_uniform<T>(seed, call, i, lo, hi);
}

template <typename T>
__global__ void normal_kernel(T* out, int64_t n, uint64_t seed, uint64_t call, T mean, T std) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < n) out[i] = math::random_normal<T>(seed, call, i, mean, std);
}

template <typename T>
__global__ void sgd_kernel(T* param, const T* grad, T* momentum, int64_t n, math::SgdOptions o) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < n) math::sgd_step(param[i], grad[i], momentum[i], o);
}

template <typename T>
__global__ void adam_kernel(T* param, const T* grad, T* exp_avg, T* exp_avg_sq, T* max_sq,
                            int64_t n, math::AdamOptions o) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < n) math::adam_step(param[i], grad[i], exp_avg[i], exp_avg_sq[i], max_sq[i], o);
}

// Launches each kernel once for float (the backend's dispatch will reach all of them). Not called
// yet: it exists so that nvcc instantiates every functor for the device.
template <typename T>
void instantiate_for(const T* in, T* out, bool* flags, int64_t n) {
  constexpr int kThreads = 256;
  const unsigned blocks = static_cast<unsigned>((n + kThreads - 1) / kThreads);
  unary_kernel<<<blocks, kThreads>>>(in, out, n, math::Neg{});
  unary_kernel<<<blocks, kThreads>>>(in, out, n, math::Exp{});
  unary_kernel<<<blocks, kThreads>>>(in, out, n, math::Log{});
  unary_kernel<<<blocks, kThreads>>>(in, out, n, math::Sqrt{});
  unary_kernel<<<blocks, kThreads>>>(in, out, n, math::Abs{});
  unary_kernel<<<blocks, kThreads>>>(in, out, n, math::Relu{});
  unary_kernel<<<blocks, kThreads>>>(in, out, n, math::Sigmoid{});
  unary_kernel<<<blocks, kThreads>>>(in, out, n, math::Tanh{});
  unary_kernel<<<blocks, kThreads>>>(in, out, n, math::PowScalar<T>{T(2)});
  unary_kernel<<<blocks, kThreads>>>(in, out, n, math::Clamp<T>{T(0), T(1)});
  binary_kernel<<<blocks, kThreads>>>(in, in, out, n, math::Add{});
  binary_kernel<<<blocks, kThreads>>>(in, in, out, n, math::Sub{});
  binary_kernel<<<blocks, kThreads>>>(in, in, out, n, math::Mul{});
  binary_kernel<<<blocks, kThreads>>>(in, in, out, n, math::Div{});
  binary_kernel<<<blocks, kThreads>>>(in, in, out, n, math::Maximum{});
  binary_kernel<<<blocks, kThreads>>>(in, in, out, n, math::Minimum{});
  binary_kernel<<<blocks, kThreads>>>(in, in, flags, n, math::Eq{});
  binary_kernel<<<blocks, kThreads>>>(in, in, flags, n, math::Lt{});
  binary_kernel<<<blocks, kThreads>>>(in, in, out, n, math::ReluBackward{});
  binary_kernel<<<blocks, kThreads>>>(in, in, out, n, math::SigmoidBackward{});
  binary_kernel<<<blocks, kThreads>>>(in, in, out, n, math::TanhBackward{});
  binary_kernel<<<blocks, kThreads>>>(in, in, out, n, math::MaxReduce{});
  convert_kernel<<<blocks, kThreads>>>(in, flags, n);
  uniform_kernel<<<blocks, kThreads>>>(out, n, uint64_t{1}, uint64_t{0}, T(0), T(1));
  normal_kernel<<<blocks, kThreads>>>(out, n, uint64_t{1}, uint64_t{0}, T(0), T(1));
  sgd_kernel<<<blocks, kThreads>>>(out, in, out, n, math::SgdOptions{0.1, 0.9, 0, 0, false, true});
  adam_kernel<<<blocks, kThreads>>>(out, in, out, out, out, n,
                                    math::AdamOptions{1e-3, 0.9, 0.999, 1e-8, 0, false, false, 1});
}

template void instantiate_for<float>(const float*, float*, bool*, int64_t);
template void instantiate_for<double>(const double*, double*, bool*, int64_t);

}  // namespace nabla::cuda_kernels

// Matrix products on the GPU. float32 and float64 go to cuBLAS's strided-batched GEMM (one call for
// the whole batch; a broadcast batch has stride 0), row-major through the operand swap: cuBLAS is
// column-major, where row-major C = A B reads as C^T = B^T A^T, so B goes first. TF32 is used only
// when nabla::cuda::set_allow_tf32(true). int64 and uint8 products run a plain kernel.
#include <mutex>
#include <type_traits>

#include <nabla/core/gemm_layout.h>
#include <nabla/cuda/backend.h>
#include <nabla/cuda/cublas.h>
#include <nabla/cuda/loops.cuh>

namespace nabla::cuda_backend {

namespace {

// All GEMMs of the backend: out[b] = a[b] @ b[b] for 3-D a [B, M, K], b [B, K, N] in BLAS-readable
// layouts and contiguous out [B, M, N].
template <typename T>
void cublas_gemm(DeviceContext& context, const Tensor& a, const Tensor& b, const Tensor& out) {
  const int64_t batch = out.size(0), m = out.size(1), n = out.size(2), k = a.size(2);
  const GemmLayout la = *gemm_layout(a), lb = *gemm_layout(b);  // ops guarantee both
  const CublasApi& api = cublas_api();
  cublasHandle_t handle = context.cublas();
  // One handle per device, shared by threads: its math mode and the GEMM go together.
  const std::lock_guard<std::mutex> lock(context.cublas_mutex());
  NABLA_CUBLAS_CHECK(api.set_math_mode(handle, std::is_same_v<T, float> && tf32_enabled()
                                                   ? CUBLAS_TF32_TENSOR_OP_MATH
                                                   : CUBLAS_DEFAULT_MATH));
  const T one = 1, zero = 0;
  const cublasOperation_t op_b = lb.transposed ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_a = la.transposed ? CUBLAS_OP_T : CUBLAS_OP_N;
  if constexpr (std::is_same_v<T, float>) {
    NABLA_CUBLAS_CHECK(api.sgemm_strided_batched(
        handle, op_b, op_a, n, m, k, &one, b.data_ptr<float>(), lb.ld, b.stride(0),
        a.data_ptr<float>(), la.ld, a.stride(0), &zero, out.data_ptr<float>(), n, m * n, batch));
  } else {
    NABLA_CUBLAS_CHECK(api.dgemm_strided_batched(
        handle, op_b, op_a, n, m, k, &one, b.data_ptr<double>(), lb.ld, b.stride(0),
        a.data_ptr<double>(), la.ld, a.stride(0), &zero, out.data_ptr<double>(), n, m * n, batch));
  }
}

// One output element per thread; sums wrap around as integer arithmetic does, computed unsigned
// so that the wrap is defined.
template <typename T>
__global__ void integer_matmul_kernel(int64_t total, int64_t m, int64_t n, int64_t k, const T* a,
                                      int64_t as0, int64_t as1, int64_t as2, const T* b,
                                      int64_t bs0, int64_t bs1, int64_t bs2, T* out) {
  using U = std::make_unsigned_t<T>;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total;
       e += stride) {
    const int64_t j = e % n, i = (e / n) % m, batch = e / (n * m);
    U sum = 0;
    for (int64_t p = 0; p < k; ++p) {
      sum = static_cast<U>(sum + static_cast<U>(a[batch * as0 + i * as1 + p * as2]) *
                                     static_cast<U>(b[batch * bs0 + p * bs1 + j * bs2]));
    }
    out[e] = static_cast<T>(sum);
  }
}

template <typename T>
void integer_matmul(cudaStream_t stream, const Tensor& a, const Tensor& b, const Tensor& out) {
  const int64_t total = out.numel();
  integer_matmul_kernel<T><<<blocks_for(total), kThreads, 0, stream>>>(
      total, out.size(1), out.size(2), a.size(2), a.data_ptr<T>(), a.stride(0), a.stride(1),
      a.stride(2), b.data_ptr<T>(), b.stride(0), b.stride(1), b.stride(2), out.data_ptr<T>());
  NABLA_CUDA_CHECK_LAUNCH();
}

}  // namespace

void CudaBackend::matmul(const Tensor& a, const Tensor& b, const Tensor& out) {
  OpScope scope(index_, "matmul");
  if (out.numel() == 0) return;
  if (a.size(2) == 0) {
    fill(out, 0);
  } else {
    switch (out.dtype()) {
      case kFloat32:
        cublas_gemm<float>(context_, a, b, out);
        break;
      case kFloat64:
        cublas_gemm<double>(context_, a, b, out);
        break;
      case kInt64:
        integer_matmul<int64_t>(stream(), a, b, out);
        break;
      case kUInt8:
        integer_matmul<uint8_t>(stream(), a, b, out);
        break;
      case kBool:
        NABLA_FAIL("matmul: not implemented for bool");
    }
  }
  scope.finish();
}

}  // namespace nabla::cuda_backend

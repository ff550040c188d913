// Status checks of the CUDA backend. Every CUDA runtime, cuBLAS and CUB call and every kernel
// launch goes through one of these macros, which throw nabla::Error naming the failed call, the op
// that made it, its device, and the file and line.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <string>

namespace nabla::cuda_backend {

[[noreturn]] void throw_cuda_error(cudaError_t status, const char* call, const char* file,
                                   int line);
[[noreturn]] void throw_cublas_error(cublasStatus_t status, const char* call, const char* file,
                                     int line);
// "conv2d on cuda:0": the op being computed on this thread and its device, for error messages.
std::string current_op_context();

}  // namespace nabla::cuda_backend

#define NABLA_CUDA_CHECK(call)                                                               \
  do {                                                                                       \
    const cudaError_t nabla_cuda_status = (call);                                            \
    if (nabla_cuda_status != cudaSuccess) {                                                  \
      ::nabla::cuda_backend::throw_cuda_error(nabla_cuda_status, #call, __FILE__, __LINE__); \
    }                                                                                        \
  } while (false)

#define NABLA_CUBLAS_CHECK(call)                                                                 \
  do {                                                                                           \
    const cublasStatus_t nabla_cublas_status = (call);                                           \
    if (nabla_cublas_status != CUBLAS_STATUS_SUCCESS) {                                          \
      ::nabla::cuda_backend::throw_cublas_error(nabla_cublas_status, #call, __FILE__, __LINE__); \
    }                                                                                            \
  } while (false)

// After every <<<...>>>: a launch that could not start (bad configuration, no kernel image for the
// device) is reported here; a fault while running surfaces at the next synchronization.
#define NABLA_CUDA_CHECK_LAUNCH() NABLA_CUDA_CHECK(cudaGetLastError())

// cuBLAS, loaded when the first matrix product runs on a GPU rather than linked: a CUDA build of
// nabla then starts, and trains on the CPU, on machines without the CUDA libraries or a GPU. The
// few functions nabla calls are resolved by name from libcublas.so.<major>.
#pragma once

#include <cublas_v2.h>

namespace nabla::cuda_backend {

struct CublasApi {
  decltype(&cublasCreate_v2) create;
  decltype(&cublasSetStream_v2) set_stream;
  decltype(&cublasSetWorkspace_v2) set_workspace;
  decltype(&cublasSetMathMode) set_math_mode;
  decltype(&cublasSgemmStridedBatched_64) sgemm_strided_batched;
  decltype(&cublasDgemmStridedBatched_64) dgemm_strided_batched;
};

// The loaded functions; throws nabla::Error saying which library or symbol is missing.
const CublasApi& cublas_api();

}  // namespace nabla::cuda_backend

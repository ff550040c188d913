// Loads cuBLAS on first use (see cublas.h).
#include <nabla/cuda/cublas.h>

#include <string>

#include <nabla/core/error.h>
#include <nabla/cuda/library.h>

namespace nabla::cuda_backend {
namespace {

CublasApi load() {
  const std::string soname = "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR);
  void* library = open_library(
      soname, NABLA_CUDA_LIBRARY_DIR, "cuBLAS",
      "matrix products on CUDA need the cuBLAS of CUDA " + std::to_string(CUBLAS_VER_MAJOR));
  CublasApi api{};
  const auto find = [&](const char* name, auto& fn) {
    resolve(library, name, soname, "cuBLAS", fn);
  };
  find("cublasCreate_v2", api.create);
  find("cublasSetStream_v2", api.set_stream);
  find("cublasSetWorkspace_v2", api.set_workspace);
  find("cublasSetMathMode", api.set_math_mode);
  find("cublasSgemmStridedBatched_64", api.sgemm_strided_batched);
  find("cublasDgemmStridedBatched_64", api.dgemm_strided_batched);
  return api;  // the library stays loaded for the life of the process
}

}  // namespace

const CublasApi& cublas_api() {
  return load_once(load);
}

}  // namespace nabla::cuda_backend

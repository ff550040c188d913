// Loads cuBLAS on first use (see cublas.h).
#include <nabla/cuda/cublas.h>

#include <dlfcn.h>

#include <mutex>
#include <string>

#include <nabla/core/error.h>

namespace nabla::cuda_backend {
namespace {

template <typename Fn>
void resolve(void* library, const char* name, const std::string& soname, Fn& fn) {
  dlerror();
  fn = reinterpret_cast<Fn>(dlsym(library, name));
  NABLA_CHECK(fn != nullptr, "cuBLAS: ", soname, " has no symbol ", name,
              "; install the cuBLAS of CUDA ", CUBLAS_VER_MAJOR, " (it comes with the toolkit)");
}

CublasApi load() {
  const std::string soname = "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR);
  // The loader's path first (LD_LIBRARY_PATH, ld.so.conf), then the toolkit nabla was built with.
  void* library = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  std::string reasons;
  if (library == nullptr) {
    const char* reason = dlerror();
    reasons = reason ? reason : "not found";
    const std::string in_toolkit = std::string(NABLA_CUDA_LIBRARY_DIR) + "/" + soname;
    library = dlopen(in_toolkit.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      reason = dlerror();
      reasons += std::string("; ") + (reason ? reason : in_toolkit + ": not found");
    }
  }
  if (library == nullptr) {
    NABLA_FAIL("cuBLAS: cannot load ", soname, " (", reasons,
               "); matrix products on CUDA need the cuBLAS of CUDA ", CUBLAS_VER_MAJOR,
               " on the library path (e.g. its lib64 directory in LD_LIBRARY_PATH)");
  }
  CublasApi api{};
  resolve(library, "cublasCreate_v2", soname, api.create);
  resolve(library, "cublasSetStream_v2", soname, api.set_stream);
  resolve(library, "cublasSetWorkspace_v2", soname, api.set_workspace);
  resolve(library, "cublasSetMathMode", soname, api.set_math_mode);
  resolve(library, "cublasSgemmStridedBatched_64", soname, api.sgemm_strided_batched);
  resolve(library, "cublasDgemmStridedBatched_64", soname, api.dgemm_strided_batched);
  return api;  // the library stays loaded for the life of the process
}

}  // namespace

const CublasApi& cublas_api() {
  static std::once_flag once;
  static CublasApi api;
  static std::string failure;
  std::call_once(once, [] {
    try {
      api = load();
    } catch (const Error& e) {
      failure = e.what();
    }
  });
  NABLA_CHECK(failure.empty(), failure);
  return api;
}

}  // namespace nabla::cuda_backend

// Loading CUDA libraries on first use (see library.h).
#include <nabla/cuda/library.h>

namespace nabla::cuda_backend {

void* open_library(const std::string& soname, const std::string& build_directory, const char* what,
                   const std::string& needed_for) {
  void* library = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library != nullptr) return library;
  const char* reason = dlerror();
  std::string reasons = reason ? reason : soname + ": not found";
  if (!build_directory.empty()) {
    const std::string path = build_directory + "/" + soname;
    library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library != nullptr) return library;
    reason = dlerror();
    reasons += std::string("; ") + (reason ? reason : path + ": not found");
  }
  NABLA_FAIL(what, ": cannot load ", soname, " (", reasons, "); ", needed_for,
             " on the library path (its directory in LD_LIBRARY_PATH)");
}

}  // namespace nabla::cuda_backend

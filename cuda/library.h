// Loading a CUDA library (cuBLAS, cuDNN) when it is first needed: the dynamic loader's path first,
// then the directory it was found in at build time. Errors say which library is missing and why.
#pragma once

#include <dlfcn.h>

#include <mutex>
#include <string>

#include <nabla/core/error.h>

namespace nabla::cuda_backend {

// dlopen()s `soname`, or throws nabla::Error naming `what` and the `needed_for` sentence.
void* open_library(const std::string& soname, const std::string& build_directory, const char* what,
                   const std::string& needed_for);

// Resolves `name` in `library` into `fn`, or throws naming the library and symbol.
template <typename Fn>
void resolve(void* library, const char* name, const std::string& soname, const char* what, Fn& fn) {
  dlerror();
  fn = reinterpret_cast<Fn>(dlsym(library, name));
  NABLA_CHECK(fn != nullptr, what, ": ", soname, " has no symbol ", name,
              "; it is not the version nabla was built against");
}

// The API `load` returns, loaded on the first call; a failure is kept and thrown at every call.
template <typename Api>
const Api& load_once(Api (*load)()) {
  static std::once_flag once;
  static Api api;
  static std::string failure;
  std::call_once(once, [load] {
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

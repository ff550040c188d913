// The CUDA entry points of a build without CUDA (NABLA_CUDA=OFF or no nvcc): no devices, and any
// attempt to use one is a clear error instead of a crash.
#include <nabla/core/backend.h>

namespace nabla {
namespace {

[[noreturn]] void no_cuda(const char* what) {
  NABLA_FAIL(what,
             ": nabla was built without CUDA support; rebuild with -DNABLA_CUDA=ON on a machine "
             "with the CUDA toolkit, or use the CPU device");
}

bool tf32 = false;

}  // namespace

namespace cuda {
bool is_built() noexcept {
  return false;
}
bool is_available() noexcept {
  return false;
}
int device_count() noexcept {
  return 0;
}
std::string device_name(int) {
  no_cuda("cuda::device_name");
}
void synchronize(int) {
  no_cuda("cuda::synchronize");
}
void set_allow_tf32(bool allow) {
  tf32 = allow;  // harmless without a GPU: there is nothing to apply it to
}
bool allow_tf32() {
  return tf32;
}
AllocatorStats memory_stats(int) {
  no_cuda("cuda::memory_stats");
}
void reset_peak_memory_stats(int) {
  no_cuda("cuda::reset_peak_memory_stats");
}
void empty_cache(int) {
  no_cuda("cuda::empty_cache");
}
}  // namespace cuda

namespace detail {
Backend& cuda_backend(int device_index) {
  const int index = device_index < 0 ? 0 : device_index;
  NABLA_FAIL("cuda:", index,
             ": nabla was built without CUDA support; rebuild with -DNABLA_CUDA=ON on a machine "
             "with the CUDA toolkit, or use the CPU device");
}
}  // namespace detail

}  // namespace nabla

// The CUDA entry points of a build without CUDA (NABLA_CUDA=OFF or no nvcc): no devices, and any
// attempt to use one is a clear error instead of a crash.
#include <nabla/core/backend.h>

namespace nabla {

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
}  // namespace cuda

namespace detail {
Backend& cuda_backend(int device_index) {
  NABLA_FAIL("cuda:", device_index < 0 ? 0 : device_index,
             ": nabla was built without CUDA support; rebuild with -DNABLA_CUDA=ON on a machine "
             "with the CUDA toolkit, or use the CPU device");
}
}  // namespace detail

}  // namespace nabla

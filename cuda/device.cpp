// Device queries of a CUDA build. They never throw: without a driver or a GPU (cudaGetDeviceCount
// fails) there are simply no devices.
#include <cuda_runtime_api.h>

#include <nabla/core/backend.h>

namespace nabla {

namespace cuda {
bool is_built() noexcept {
  return true;
}

int device_count() noexcept {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error so later CUDA calls are not poisoned by it
    return 0;
  }
  return count;
}

bool is_available() noexcept {
  return device_count() > 0;
}
}  // namespace cuda

namespace detail {
Backend& cuda_backend(int device_index) {
  const int index = device_index < 0 ? 0 : device_index;
  NABLA_CHECK(cuda::is_available(), "cuda:", index,
              ": no CUDA device is available (no GPU, or no driver); use the CPU device");
  NABLA_CHECK(index < cuda::device_count(), "cuda:", index, ": invalid device, this machine has ",
              cuda::device_count(), " CUDA device(s)");
  NABLA_FAIL("cuda:", index,
             ": this version of nabla has device queries but not yet the CUDA "
             "kernels; use the CPU device");
}
}  // namespace detail

}  // namespace nabla

// backend_for(): the one place that picks a backend by device. The CUDA backend is reached through
// detail::cuda_backend(), which cuda/ defines: the real backend, or a stub in builds without CUDA.
#include <nabla/core/backend.h>

#include <sstream>

#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/profile.h>

namespace nabla {

namespace detail {
Backend& cuda_backend(int device_index);  // defined in cuda/
}  // namespace detail

namespace profile::detail {
Backend& profiling_cpu_backend();  // core/profile.cpp: the CPU backend with every call timed
}  // namespace profile::detail

namespace cpu {
namespace {
// Constant-initialized (no function-local static guard on every op).
CpuBackend the_cpu_backend;
}  // namespace
CpuBackend& cpu_backend() {
  return the_cpu_backend;
}
}  // namespace cpu

IndexErrorMessage index_error_message(const char* op, int64_t dim, const Shape& shape) {
  std::ostringstream after;
  after << " is out of range for dim " << dim << " of size " << shape[dim] << " (input shape "
        << shape << ")";
  return {std::string(op) + ": index ", after.str()};
}

Backend& backend_for(Device device) {
  if (device.is_cpu()) {
    return profile::enabled() ? profile::detail::profiling_cpu_backend() : cpu::cpu_backend();
  }
  return detail::cuda_backend(device.index());
}

}  // namespace nabla

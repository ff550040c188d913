// The CUDA backend's entry points: the backend of each device, and the nabla::cuda queries. Without
// a driver or a device every query answers "no device" and no CUDA context is ever created.
#include <nabla/cuda/backend.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include <nabla/cuda/check.h>

namespace nabla {

namespace cuda_backend {
// A kernel that does nothing, defined in elementwise.cu: asking for its attributes tells whether
// this build has code the device can run.
cudaError_t probe_kernel_image();

namespace {
std::atomic<bool> tf32_allowed{false};

void check_device_index(int index) {
  const int count = cuda::device_count();
  NABLA_CHECK(count > 0, "cuda:", index,
              ": no CUDA device is available (no GPU, or no driver); use the CPU device");
  NABLA_CHECK(index >= 0 && index < count, "cuda:", index, ": invalid device, this machine has ",
              count, " CUDA device", count == 1 ? "" : "s");
}
}  // namespace

bool device_has_kernels(int device) {
  int previous = 0;
  if (cudaGetDevice(&previous) != cudaSuccess) {
    cudaGetLastError();
    return false;
  }
  const bool usable = cudaSetDevice(device) == cudaSuccess && probe_kernel_image() == cudaSuccess;
  cudaGetLastError();
  cudaSetDevice(previous);
  return usable;
}

bool tf32_enabled() {
  return tf32_allowed.load(std::memory_order_relaxed);
}
}  // namespace cuda_backend

namespace cuda {

bool is_built() noexcept {
  return true;
}

int device_count() noexcept {
  static const int count = [] {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
      cudaGetLastError();  // no driver or no device: clear the error so nothing later sees it
      return 0;
    }
    return n;
  }();
  return count;
}

bool is_available() noexcept {
  static const bool available = [] {
    // A device exists; the backend is usable only if this build carries code for it (a GPU older
    // than the architectures nabla was compiled for has none). Device 0 answers for "auto"; other
    // devices are probed when first used, so that no context is made on a GPU nobody uses.
    return device_count() > 0 && cuda_backend::device_has_kernels(0);
  }();
  return available;
}

std::string device_name(int device) {
  cuda_backend::check_device_index(device);
  cudaDeviceProp properties{};
  NABLA_CUDA_CHECK(cudaGetDeviceProperties(&properties, device));
  return std::string(properties.name) + " (sm_" + std::to_string(properties.major) +
         std::to_string(properties.minor) + ")";
}

void synchronize(int device) {
  cuda_backend::check_device_index(device);
  cuda_backend::OpScope scope(device, "cuda::synchronize");
  cuda_backend::context(device).synchronize();
}

void set_allow_tf32(bool allow) {
  cuda_backend::tf32_allowed.store(allow, std::memory_order_relaxed);
}

bool allow_tf32() {
  return cuda_backend::tf32_enabled();
}

AllocatorStats memory_stats(int device) {
  cuda_backend::check_device_index(device);
  cuda_backend::OpScope scope(device, "cuda::memory_stats");
  return cuda_backend::context(device).allocator().stats();
}

void reset_peak_memory_stats(int device) {
  cuda_backend::check_device_index(device);
  cuda_backend::context(device).allocator().reset_peak();
}

void empty_cache(int device) {
  cuda_backend::check_device_index(device);
  cuda_backend::OpScope scope(device, "cuda::empty_cache");
  cuda_backend::context(device).allocator().empty_cache();
}

}  // namespace cuda

namespace detail {
Backend& cuda_backend(int device_index) {
  const int index = device_index < 0 ? 0 : device_index;
  static std::atomic<Backend*> backends[128] = {};
  Backend* existing = backends[index].load(std::memory_order_acquire);
  if (existing != nullptr) return *existing;
  cuda_backend::check_device_index(index);
  NABLA_CHECK(cuda_backend::device_has_kernels(index), "cuda:", index,
              ": this build of nabla has no kernels for this GPU (", cuda::device_name(index),
              "); rebuild with CMAKE_CUDA_ARCHITECTURES set for it, e.g. native");
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  existing = backends[index].load(std::memory_order_relaxed);
  if (existing == nullptr) {
    existing = new cuda_backend::CudaBackend(index);  // never destroyed, as its context
    backends[index].store(existing, std::memory_order_release);
  }
  return *existing;
}
}  // namespace detail

}  // namespace nabla

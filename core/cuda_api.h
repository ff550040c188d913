// What nabla exposes of its CUDA backend, as torch::cuda does: device queries, synchronization,
// TF32 and memory statistics. A build without CUDA answers the queries (no devices) and throws a
// clear nabla::Error for the rest.
#pragma once

#include <string>

#include <nabla/core/allocator.h>

namespace nabla::cuda {

// True when nabla was built with CUDA and its kernels can run on the GPU present (a driver, a
// device, and code for the device's architecture). Never throws; creates no CUDA context when
// there is no device.
bool is_available() noexcept;
// The number of CUDA devices the driver reports; 0 without a driver or without CUDA support.
int device_count() noexcept;
// True when this build of nabla contains the CUDA backend.
bool is_built() noexcept;

// The device's name and compute capability, e.g. "NVIDIA H200 (sm_90)".
std::string device_name(int device = 0);

// Waits for all work queued on `device`, then reports (as nabla::Error) any error a kernel found
// since the last synchronization, such as an index out of range. Copies to the host and item()
// synchronize too; nothing else does, unless NABLA_CUDA_SYNC=1 makes every op synchronous.
void synchronize(int device = 0);

// Whether float32 matrix products may use TF32 tensor cores: faster, but with 10-bit mantissas.
// Off by default, so that GPU results compare with the CPU's.
void set_allow_tf32(bool allow);
bool allow_tf32();

// The device allocator's counters: bytes held by live tensors, bytes reserved from the driver
// (live plus cached for reuse), and the peak of the former.
AllocatorStats memory_stats(int device = 0);
void reset_peak_memory_stats(int device = 0);
// Returns the cached, unused device memory to the driver.
void empty_cache(int device = 0);

}  // namespace nabla::cuda

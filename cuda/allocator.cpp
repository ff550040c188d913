// The device allocator over the driver's stream-ordered pool (see allocator.h).
#include <nabla/cuda/allocator.h>

#include <cstdint>
#include <sstream>

#include <nabla/core/error.h>
#include <nabla/cuda/check.h>
#include <nabla/cuda/context.h>

namespace nabla::cuda_backend {

void CudaAllocator::init(int device, cudaStream_t stream) {
  device_ = device;
  stream_ = stream;
  NABLA_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool_, device));
  // Keep every freed block in the pool: by default the pool gives memory back to the driver at
  // each synchronization, and the next step would allocate it again.
  uint64_t keep_all = UINT64_MAX;
  NABLA_CUDA_CHECK(cudaMemPoolSetAttribute(pool_, cudaMemPoolAttrReleaseThreshold, &keep_all));
}

void* CudaAllocator::allocate(size_t nbytes) {
  if (nbytes == 0) return nullptr;
  const DeviceSwitch on_device(device_);
  void* ptr = nullptr;
  cudaError_t status = cudaMallocAsync(&ptr, nbytes, stream_);
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // not sticky, but clear it so that the retry starts clean
    // Blocks freed by work still queued become reusable once the stream drains; then the pool's
    // unused memory goes back to the driver, which may satisfy a request the pool could not.
    NABLA_CUDA_CHECK(cudaStreamSynchronize(stream_));
    NABLA_CUDA_CHECK(cudaMemPoolTrimTo(pool_, 0));
    status = cudaMallocAsync(&ptr, nbytes, stream_);
  }
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    size_t free_bytes = 0, total_bytes = 0;
    cudaMemGetInfo(&free_bytes, &total_bytes);
    NABLA_FAIL("cuda:", device_, ": out of memory allocating ", nbytes, " bytes (the device has ",
               free_bytes, " of ", total_bytes, " bytes free; nabla's tensors hold ",
               allocated_.load(), " bytes)");
  }
  NABLA_CUDA_CHECK(status);
  const size_t now = allocated_ += nbytes;
  size_t peak = peak_.load();
  while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
  }
  return ptr;
}

void CudaAllocator::deallocate(void* ptr, size_t nbytes) noexcept {
  if (ptr == nullptr) return;
  allocated_ -= nbytes;
  const DeviceSwitch on_device(device_);
  // Stream-ordered: the block returns to the pool once the work queued before it is done. At exit
  // the runtime may already be gone; there is nothing to do about that, so the status is dropped.
  if (cudaFreeAsync(ptr, stream_) != cudaSuccess) cudaGetLastError();
}

void CudaAllocator::empty_cache() noexcept {
  if (pool_ == nullptr) return;
  if (cudaStreamSynchronize(stream_) != cudaSuccess || cudaMemPoolTrimTo(pool_, 0) != cudaSuccess) {
    cudaGetLastError();
  }
}

AllocatorStats CudaAllocator::stats() const {
  AllocatorStats s;
  s.allocated_bytes = allocated_.load();
  s.peak_allocated_bytes = peak_.load();
  uint64_t reserved = 0;
  if (pool_ != nullptr) {
    NABLA_CUDA_CHECK(cudaMemPoolGetAttribute(pool_, cudaMemPoolAttrReservedMemCurrent, &reserved));
  }
  s.reserved_bytes = static_cast<size_t>(reserved);
  return s;
}

void CudaAllocator::reset_peak() noexcept {
  peak_ = allocated_.load();
}

}  // namespace nabla::cuda_backend

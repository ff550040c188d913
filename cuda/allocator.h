// The device allocator: the driver's stream-ordered memory pool (cudaMallocAsync on the device's
// stream), told to keep freed memory instead of returning it, so that a warm training step never
// reaches cudaMalloc or cudaFree. On out-of-memory it returns the pool's unused memory to the
// driver and retries once, then throws naming the request and the device's free and total memory.
#pragma once

#include <cuda_runtime_api.h>

#include <atomic>
#include <cstddef>

#include <nabla/core/allocator.h>

namespace nabla::cuda_backend {

class CudaAllocator final : public Allocator {
 public:
  CudaAllocator() = default;
  // Binds the allocator to its device and stream; called once by the device's context.
  void init(int device, cudaStream_t stream);

  void* allocate(size_t nbytes) override;
  void deallocate(void* ptr, size_t nbytes) noexcept override;
  void empty_cache() noexcept override;
  AllocatorStats stats() const override;
  void reset_peak() noexcept;

 private:
  int device_ = 0;
  cudaStream_t stream_ = nullptr;
  cudaMemPool_t pool_ = nullptr;
  std::atomic<size_t> allocated_{0};
  std::atomic<size_t> peak_{0};
};

}  // namespace nabla::cuda_backend

// The CPU caching allocator. Blocks are 64-byte aligned (a cache line, and an AVX-512 vector) and
// rounded up to size classes; a freed block goes onto its class's free list and the next request of
// that class takes it back, so steady-state training allocates nothing from the system.
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <nabla/core/allocator.h>
#include <nabla/core/error.h>

namespace nabla {
namespace {

constexpr size_t kAlignment = 64;

// Multiples of 64 up to 4 KiB, then four classes per power of two (at most 25% slack).
size_t size_class(size_t nbytes) {
  if (nbytes <= 4096) return (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  size_t power = size_t{1} << (63 - __builtin_clzll(nbytes - 1));  // largest power of 2 < nbytes
  size_t step = power / 4;
  return (nbytes + step - 1) / step * step;
}

class CachingCpuAllocator final : public Allocator {
 public:
  void* allocate(size_t nbytes) override {
    if (nbytes == 0) return nullptr;
    const size_t rounded = size_class(nbytes);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      note_allocated(rounded);
      auto it = free_.find(rounded);
      if (it != free_.end() && !it->second.empty()) {
        void* block = it->second.back();
        it->second.pop_back();
        cached_bytes_ -= rounded;
        return block;
      }
      ++stats_.system_allocations;
    }
    void* block = std::aligned_alloc(kAlignment, rounded);
    if (block == nullptr) {
      empty_cache();
      block = std::aligned_alloc(kAlignment, rounded);
    }
    if (block == nullptr) {
      std::lock_guard<std::mutex> lock(mutex_);
      stats_.allocated_bytes -= rounded;
      NABLA_FAIL("CPU allocator: out of memory allocating ", nbytes, " bytes");
    }
    return block;
  }

  void deallocate(void* ptr, size_t nbytes) noexcept override {
    if (ptr == nullptr) return;
    const size_t rounded = size_class(nbytes);
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.allocated_bytes -= rounded;
    cached_bytes_ += rounded;
    try {
      free_[rounded].push_back(ptr);
    } catch (...) {  // no memory to remember the block: give it back instead
      cached_bytes_ -= rounded;
      std::free(ptr);
    }
  }

  void empty_cache() noexcept override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [size, blocks] : free_) {
      for (void* block : blocks) std::free(block);
    }
    free_.clear();
    cached_bytes_ = 0;
  }

  AllocatorStats stats() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    AllocatorStats s = stats_;
    s.reserved_bytes = s.allocated_bytes + cached_bytes_;
    return s;
  }

 private:
  void note_allocated(size_t rounded) {
    stats_.allocated_bytes += rounded;
    if (stats_.allocated_bytes > stats_.peak_allocated_bytes) {
      stats_.peak_allocated_bytes = stats_.allocated_bytes;
    }
  }

  mutable std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  size_t cached_bytes_ = 0;
  AllocatorStats stats_;
};

}  // namespace

Allocator& cpu_allocator() {
  // Never destroyed: tensors in other static objects may be freed after main returns.
  static Allocator* allocator = new CachingCpuAllocator();
  return *allocator;
}

}  // namespace nabla

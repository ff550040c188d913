// The CPU caching allocator. Blocks are 64-byte aligned (a cache line, and an AVX-512 vector) and
// rounded up to size classes; a freed block goes onto its class's free list and the next request of
// that class takes it back, so steady-state training allocates nothing from the system. Blocks of
// 16 MiB and more are not cached (see kUncachedBytes).
#include <sys/mman.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nabla/core/allocator.h>
#include <nabla/core/error.h>

namespace nabla {
namespace {

constexpr size_t kAlignment = 64;

// Blocks this large are not cached: they come from mmap and go back to the system when freed. A
// training step's tensors are far smaller; the large ones are an evaluation pass over a big batch
// (mnist_cnn's activations for 1000 test images are 86 and 147 MB), whose freed blocks, kept by
// size class, would sit beside new ones of other sizes and double the peak memory. Mapping and
// faulting in such a block costs far less than the computation that fills it. mmap rather than
// malloc: glibc raises its mmap threshold after such frees and would keep the next ones.
constexpr size_t kUncachedBytes = size_t{16} << 20;

void* map_block(size_t nbytes) {
  void* block = mmap(nullptr, nbytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return block == MAP_FAILED ? nullptr : block;  // page-aligned, so 64-byte aligned
}

// Multiples of 64 up to 4 KiB, then four classes per power of two (at most 25% slack).
size_t size_class(size_t nbytes) {
  if (nbytes <= 4096) return (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  size_t power = size_t{1} << (63 - __builtin_clzll(nbytes - 1));  // largest power of 2 < nbytes
  size_t step = power / 4;
  return (nbytes + step - 1) / step * step;
}

// Held for a few dozen instructions at a time, so spinning beats a mutex's system-call path.
class SpinLock {
 public:
  void lock() noexcept {
    while (flag_.test_and_set(std::memory_order_acquire)) std::this_thread::yield();
  }
  void unlock() noexcept { flag_.clear(std::memory_order_release); }

 private:
  std::atomic_flag flag_ = ATOMIC_FLAG_INIT;
};

class CachingCpuAllocator final : public Allocator {
 public:
  void* allocate(size_t nbytes) override {
    if (nbytes == 0) return nullptr;
    const size_t rounded = size_class(nbytes);
    if (rounded >= kUncachedBytes) return allocate_uncached(rounded);
    {
      std::lock_guard<SpinLock> lock(lock_);
      note_allocated(rounded);
      std::vector<void*>& blocks = free_list(rounded);
      if (!blocks.empty()) {
        void* block = blocks.back();
        blocks.pop_back();
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
      std::lock_guard<SpinLock> lock(lock_);
      stats_.allocated_bytes -= rounded;
      NABLA_FAIL("CPU allocator: out of memory allocating ", nbytes, " bytes");
    }
    return block;
  }

  void deallocate(void* ptr, size_t nbytes) noexcept override {
    if (ptr == nullptr) return;
    const size_t rounded = size_class(nbytes);
    if (rounded >= kUncachedBytes) {
      munmap(ptr, rounded);
      std::lock_guard<SpinLock> lock(lock_);
      stats_.allocated_bytes -= rounded;
      return;
    }
    std::lock_guard<SpinLock> lock(lock_);
    stats_.allocated_bytes -= rounded;
    cached_bytes_ += rounded;
    try {
      free_list(rounded).push_back(ptr);
    } catch (...) {  // no memory to remember the block: give it back instead
      cached_bytes_ -= rounded;
      std::free(ptr);
    }
  }

  void empty_cache() noexcept override {
    std::lock_guard<SpinLock> lock(lock_);
    for (auto& blocks : small_free_) {
      for (void* block : blocks) std::free(block);
      blocks.clear();
    }
    for (auto& [size, blocks] : large_free_) {
      for (void* block : blocks) std::free(block);
    }
    large_free_.clear();
    cached_bytes_ = 0;
  }

  AllocatorStats stats() const override {
    std::lock_guard<SpinLock> lock(lock_);
    AllocatorStats s = stats_;
    s.reserved_bytes = s.allocated_bytes + cached_bytes_;
    return s;
  }

 private:
  void* allocate_uncached(size_t rounded) {
    {
      std::lock_guard<SpinLock> lock(lock_);
      note_allocated(rounded);
      ++stats_.system_allocations;
    }
    void* block = map_block(rounded);
    if (block == nullptr) {
      empty_cache();
      block = map_block(rounded);
    }
    if (block == nullptr) {
      std::lock_guard<SpinLock> lock(lock_);
      stats_.allocated_bytes -= rounded;
      NABLA_FAIL("CPU allocator: out of memory allocating ", rounded, " bytes");
    }
    return block;
  }

  void note_allocated(size_t rounded) {
    stats_.allocated_bytes += rounded;
    if (stats_.allocated_bytes > stats_.peak_allocated_bytes) {
      stats_.peak_allocated_bytes = stats_.allocated_bytes;
    }
  }

  // Small classes (multiples of 64 up to 4 KiB) are indexed directly: most tensors are small, and a
  // hash lookup would be a visible part of an op's cost.
  std::vector<void*>& free_list(size_t rounded) {
    if (rounded <= kSmallLimit) return small_free_[rounded / kAlignment - 1];
    return large_free_[rounded];
  }

  static constexpr size_t kSmallLimit = 4096;
  mutable SpinLock lock_;
  std::vector<void*> small_free_[kSmallLimit / kAlignment];
  std::unordered_map<size_t, std::vector<void*>> large_free_;
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

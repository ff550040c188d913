// The allocator interface each device implements, and the CPU's caching allocator: freed blocks are
// kept in size classes and handed out again, so a training step's tensors do not reach malloc.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nabla {

struct AllocatorStats {
  size_t allocated_bytes = 0;       // in use by live tensors (rounded to size classes)
  size_t reserved_bytes = 0;        // allocated_bytes plus what the cache holds
  size_t peak_allocated_bytes = 0;  // high-water mark of allocated_bytes
  uint64_t system_allocations = 0;  // calls that reached the system allocator
};

class Allocator {
 public:
  virtual ~Allocator() = default;
  // Returns memory for nbytes (64-byte aligned on the CPU), or nullptr when nbytes is 0.
  virtual void* allocate(size_t nbytes) = 0;
  // Gives back a block from allocate(nbytes); nbytes must be the size it was allocated with.
  virtual void deallocate(void* ptr, size_t nbytes) noexcept = 0;
  // Returns cached, unused blocks to the system.
  virtual void empty_cache() noexcept {}
  virtual AllocatorStats stats() const { return {}; }
};

// The process-wide CPU caching allocator.
Allocator& cpu_allocator();

}  // namespace nabla

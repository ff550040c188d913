// Random number generators: one per device, each a seed and a call counter. Every random op takes
// the next call number, and its elements are Philox draws for (seed, call, element index).
#pragma once

#include <cstdint>
#include <mutex>

#include <nabla/core/device.h>

namespace nabla {

class Generator {
 public:
  explicit Generator(uint64_t seed = 67280421310721ull) : seed_(seed) {}
  void manual_seed(uint64_t seed) {
    std::lock_guard<std::mutex> lock(mutex_);
    seed_ = seed;
    call_ = 0;
  }
  uint64_t seed() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return seed_;
  }
  // Reserves the next call number; returns {seed, call}.
  std::pair<uint64_t, uint64_t> next_call() {
    std::lock_guard<std::mutex> lock(mutex_);
    return {seed_, call_++};
  }

 private:
  mutable std::mutex mutex_;  // one generator serves every thread, as PyTorch's default does
  uint64_t seed_;
  uint64_t call_ = 0;
};

// The default generator of a device.
Generator& default_generator(Device device);

// Seeds the CPU generator and every CUDA device's, as torch::manual_seed does.
void manual_seed(uint64_t seed);

}  // namespace nabla

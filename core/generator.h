// Random number generators: one per device, each a seed and a call counter. Every random op takes
// the next call number, and its elements are Philox draws for (seed, call, element index). The
// state is those two numbers, so get_state() and set_state() save and restore it exactly.
#pragma once

#include <cstdint>
#include <mutex>

#include <nabla/core/device.h>

namespace nabla {

class Tensor;

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

  // The state, as libtorch's get_state() gives it: a uint8 CPU tensor of 16 bytes, the seed and
  // then the number of calls made since seeding, each a little-endian uint64 (libtorch's Philox
  // generators keep a seed and an offset the same way). After set_state() of it, a generator draws
  // exactly what this one would draw next: how a resumed training run gets the same dropout masks.
  Tensor get_state() const;
  // Throws nabla::Error, changing nothing, unless `state` is a uint8 CPU tensor of shape [16].
  void set_state(const Tensor& state);

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

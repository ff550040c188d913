// Where a CPU training step's time goes. While enabled, every call into the CPU backend and its
// allocator is timed and added to a category (GEMM, elementwise, ...); time spent anywhere else
// is the host's own work: op dispatch, shape logic and autograd bookkeeping. Each category gets
// its exclusive time (an allocation inside a convolution counts as allocation). Off by default,
// when it costs one relaxed atomic load per op. Counters are process-wide and meant for one
// training thread at a time, as bench/compare_libtorch uses them.
#pragma once

#include <array>
#include <cstdint>

namespace nabla::profile {

enum class Category : uint8_t {
  Gemm,         // matmul
  Convolution,  // conv2d forward and backward
  Pooling,
  Elementwise,  // unary, binary, where, copy and conversion, fill
  Reduction,    // sum, max, arg-max, scan, sort
  Softmax,      // softmax, log-softmax and softmax cross entropy (forward and backward)
  Indexing,     // gather, scatter, index_select, index checks (batches, cross entropy's targets)
  Random,       // dropout masks, initialization
  Optimizer,    // the parameter updates
  Allocation,   // the caching allocator
  kCount
};
constexpr int kCategories = static_cast<int>(Category::kCount);

const char* name(Category category);

struct Totals {
  std::array<double, kCategories> seconds{};
  std::array<int64_t, kCategories> calls{};
};

void enable(bool on);
bool enabled();
void reset();
Totals totals();

// Adds the time from construction to destruction, less that of scopes opened inside it on the
// same thread, to `category`.
class Scope {
 public:
  explicit Scope(Category category);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  Category category_;
  int64_t start_;
  int64_t inner_ = 0;  // nanoseconds spent in scopes opened inside this one
  Scope* outer_;
};

}  // namespace nabla::profile

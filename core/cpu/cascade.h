// Pairwise (cascaded) combination of partial results, the accumulation NumPy's and PyTorch's sums
// use: a float32 sum's rounding error grows with the log of the count of parts instead of the
// count. Used by the CPU reductions and by long matrix-vector products.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>

namespace nabla::cpu {

// Partial results of 1, 2, 4, ... leaves, merged like a binary counter's carries, so that each
// leaf's result passes through O(log leaves) combines. `width` results side by side (a strip of
// outputs) share the levels.
template <typename T, typename Combine>
class Cascade {
 public:
  // Room for `items` additions of `width` values each.
  Cascade(Combine combine, int64_t width, int64_t items) : combine_(combine), width_(width) {
    int64_t levels = 1;
    while ((int64_t{1} << (levels - 1)) < items) ++levels;
    if (width * levels <= kInline) {
      data_ = inline_;
    } else {
      heap_ = std::make_unique<T[]>(static_cast<size_t>(width * levels));
      data_ = heap_.get();
    }
  }
  Cascade(const Cascade&) = delete;
  Cascade& operator=(const Cascade&) = delete;

  void add(const T* values) {
    const T* carry = values;
    int64_t level = 0;
    for (; (full_ >> level) & 1; ++level) {
      T* partial = data_ + level * width_;
      for (int64_t k = 0; k < width_; ++k) partial[k] = combine_(partial[k], carry[k]);
      carry = partial;
      full_ &= ~(uint64_t{1} << level);
    }
    std::copy(carry, carry + width_, data_ + level * width_);
    full_ |= uint64_t{1} << level;
  }
  void add(T value) { add(&value); }

  void total(T* out) const {
    std::fill(out, out + width_, Combine::template identity<T>());
    for (int64_t level = 0; (full_ >> level) != 0; ++level) {
      if (!((full_ >> level) & 1)) continue;
      const T* partial = data_ + level * width_;
      for (int64_t k = 0; k < width_; ++k) out[k] = combine_(out[k], partial[k]);
    }
  }
  T total() const {  // of a cascade of width 1
    T out = Combine::template identity<T>();
    for (int64_t level = 0; (full_ >> level) != 0; ++level) {
      if ((full_ >> level) & 1) out = combine_(out, data_[level]);
    }
    return out;
  }

 private:
  static constexpr int64_t kInline = 64;
  Combine combine_;
  int64_t width_;
  uint64_t full_ = 0;
  T inline_[kInline];
  std::unique_ptr<T[]> heap_;  // not a vector: T may be bool
  T* data_;
};

}  // namespace nabla::cpu

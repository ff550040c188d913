// ExpandingArray<D>: D integers given as one value for every dim (kernel_size 3) or one per dim
// (kernel_size {3, 5}), as libtorch's options take kernel sizes, strides and paddings.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <ostream>

#include <nabla/core/error.h>
#include <nabla/core/shape.h>

namespace nabla::nn {

template <size_t D>
class ExpandingArray {
 public:
  ExpandingArray(int64_t value) { values_.fill(value); }   // NOLINT: implicit, as in libtorch
  ExpandingArray(std::initializer_list<int64_t> values) {  // NOLINT
    NABLA_CHECK(values.size() == D, "expected ", D, " values, got ", values.size());
    std::copy(values.begin(), values.end(), values_.begin());
  }
  int64_t operator[](size_t i) const { return values_[i]; }
  // As the Shape the ops take.
  Shape shape() const { return Shape(values_.begin(), values_.end()); }
  bool all_equal(int64_t v) const {
    for (int64_t x : values_) {
      if (x != v) return false;
    }
    return true;
  }

 private:
  std::array<int64_t, D> values_{};
};

// Prints as PyTorch's repr does: (3, 3).
template <size_t D>
std::ostream& operator<<(std::ostream& out, const ExpandingArray<D>& a) {
  out << "(";
  for (size_t i = 0; i < D; ++i) out << (i ? ", " : "") << a[i];
  return out << ")";
}

}  // namespace nabla::nn

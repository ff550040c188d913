// Shape: a tensor's sizes or strides, held inline (no heap) because every op builds a few of them.
// nabla tensors have at most kMaxDims dimensions; more is a clear error, never an overflow.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <vector>

#include <nabla/core/error.h>

namespace nabla {

constexpr int kMaxDims = 8;

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> values) { assign(values.begin(), values.end()); }
  // One dim, as libtorch's IntArrayRef takes a lone integer: x.sum(1), zeros(3).
  Shape(int64_t value) { assign(&value, &value + 1); }  // NOLINT: implicit like libtorch
  Shape(const std::vector<int64_t>& values) { assign(values.begin(), values.end()); }  // NOLINT
  template <typename It>
  Shape(It first, It last) {
    assign(first, last);
  }
  static Shape filled(int64_t count, int64_t value) {
    Shape s;
    s.resize(count, value);
    return s;
  }

  int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t& operator[](int64_t i) { return data_[i]; }
  int64_t operator[](int64_t i) const { return data_[i]; }
  int64_t back() const { return data_[size_ - 1]; }
  int64_t* begin() { return data_; }
  int64_t* end() { return data_ + size_; }
  const int64_t* begin() const { return data_; }
  const int64_t* end() const { return data_ + size_; }
  const int64_t* data() const { return data_; }

  void push_back(int64_t v) {
    check_capacity(size_ + 1);
    data_[size_++] = v;
  }
  void insert(int64_t pos, int64_t v) {
    check_capacity(size_ + 1);
    std::copy_backward(data_ + pos, data_ + size_, data_ + size_ + 1);
    data_[pos] = v;
    ++size_;
  }
  void erase(int64_t pos) {
    std::copy(data_ + pos + 1, data_ + size_, data_ + pos);
    --size_;
  }
  void resize(int64_t n, int64_t value = 0) {
    check_capacity(n);
    for (int64_t i = size_; i < n; ++i) data_[i] = value;
    size_ = static_cast<int8_t>(n);
  }
  std::vector<int64_t> vec() const { return std::vector<int64_t>(begin(), end()); }

  // Product of all entries: the element count when this holds sizes. A shape with a 0 has none,
  // however large its other dims; a product beyond int64 is an error, never a wrapped count.
  int64_t numel() const;

  friend bool operator==(const Shape& a, const Shape& b) {
    if (a.size_ != b.size_) return false;
    for (int64_t i = 0; i < a.size_; ++i) {
      if (a.data_[i] != b.data_[i]) return false;
    }
    return true;
  }
  friend bool operator!=(const Shape& a, const Shape& b) { return !(a == b); }

 private:
  template <typename It>
  void assign(It first, It last) {
    int64_t n = static_cast<int64_t>(std::distance(first, last));
    check_capacity(n);
    std::copy(first, last, data_);
    size_ = static_cast<int8_t>(n);
  }
  static void check_capacity(int64_t n) {
    NABLA_CHECK(n <= kMaxDims, "nabla supports tensors of at most ", kMaxDims, " dimensions, got ",
                n);
  }

  int64_t data_[kMaxDims] = {};
  int8_t size_ = 0;
};

using Strides = Shape;

inline std::ostream& operator<<(std::ostream& out, const Shape& s) {
  out << '[';
  for (int64_t i = 0; i < s.size(); ++i) out << (i ? ", " : "") << s[i];
  return out << ']';
}

inline int64_t Shape::numel() const {
  int64_t n = 1;
  bool overflow = false;
  for (int64_t i = 0; i < size_; ++i) {
    if (data_[i] == 0) return 0;
    overflow |= __builtin_mul_overflow(n, data_[i], &n);
  }
  NABLA_CHECK(!overflow, "shape ", *this, " has more elements than int64 can count");
  return n;
}

// Row-major (C order) strides for `sizes`. Dims of size 0 count as 1, so a shape like
// [0, 2^62, 4] has strides that overflow although it holds no elements: that is an error.
inline Strides contiguous_strides(const Shape& sizes) {
  Strides strides = Shape::filled(sizes.size(), 1);
  bool overflow = false;
  for (int64_t i = sizes.size() - 2; i >= 0; --i) {
    overflow |=
        __builtin_mul_overflow(strides[i + 1], std::max<int64_t>(sizes[i + 1], 1), &strides[i]);
  }
  NABLA_CHECK(!overflow, "shape ", sizes, " is too large: its strides overflow int64");
  return strides;
}

// Wraps a possibly negative dim into [0, ndim), or throws naming `op`.
inline int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  int64_t lo = ndim == 0 ? -1 : -ndim, hi = ndim == 0 ? 0 : ndim - 1;
  NABLA_CHECK(dim >= lo && dim <= hi, op, ": dim ", dim, " is out of range for a tensor of ", ndim,
              " dimension", ndim == 1 ? "" : "s", " (expected a dim in [", lo, ", ", hi, "])");
  return dim < 0 ? dim + std::max<int64_t>(ndim, 1) : dim;
}

// NumPy broadcasting of two shapes, or an error naming `op` and both shapes.
inline Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  int64_t n = std::max(a.size(), b.size());
  Shape out = Shape::filled(n, 1);
  for (int64_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    NABLA_CHECK(da == db || da == 1 || db == 1, op, ": shapes ", a, " and ", b,
                " cannot be broadcast together (dim ", i, ": ", da, " vs ", db, ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace nabla

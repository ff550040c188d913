// Scalar: a C++ number given to an op (`x + 2`, `full({2}, 0.5)`). It remembers whether it was a
// bool, an integer or a floating value, because PyTorch's type promotion treats those differently.
#pragma once

#include <cstdint>
#include <ostream>
#include <type_traits>

#include <nabla/core/dtype.h>

namespace nabla {

class Scalar {
 public:
  Scalar() : Scalar(int64_t{0}) {}
  template <typename T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  Scalar(T v) {  // NOLINT: implicit, as numbers are passed to ops
    if constexpr (std::is_same_v<T, bool>) {
      kind_ = kBool;
      i_ = v;
    } else if constexpr (std::is_integral_v<T>) {
      kind_ = kInt64;
      i_ = static_cast<int64_t>(v);
    } else {
      kind_ = kFloat64;
      d_ = static_cast<double>(v);
    }
  }

  // kBool, kInt64 or kFloat64: the category the value was given in.
  ScalarType kind() const { return kind_; }
  bool is_floating_point() const { return kind_ == kFloat64; }

  template <typename T>
  T to() const {
    if (kind_ == kFloat64) return static_cast<T>(d_);
    return static_cast<T>(i_);
  }
  double to_double() const { return to<double>(); }

 private:
  ScalarType kind_;
  union {
    double d_;
    int64_t i_;
  };
};

inline std::ostream& operator<<(std::ostream& out, const Scalar& s) {
  if (s.is_floating_point()) return out << s.to<double>();
  if (s.kind() == kBool) return out << (s.to<int64_t>() ? "true" : "false");
  return out << s.to<int64_t>();
}

}  // namespace nabla

// Scalar: a C++ number given to an op (`x + 2`, `full({2}, 0.5)`). It remembers whether it was a
// bool, an integer or a floating value, because PyTorch's type promotion treats those differently.
#pragma once

#include <cmath>
#include <cstdint>
#include <ostream>
#include <type_traits>

#include <nabla/core/dtype.h>
#include <nabla/core/math/convert.h>

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

  // The value as T. A floating value that T cannot hold (NaN or out of an integer type's range)
  // saturates, as element conversions do (math::convert): never undefined behaviour.
  template <typename T>
  T to() const {
    if (kind_ == kFloat64) return math::convert<T>(d_);
    return static_cast<T>(i_);
  }
  double to_double() const { return to<double>(); }

  // Whether the value can be stored in `dtype` without overflow, as PyTorch's full() and fill_()
  // require: NaN and infinities only in floating types, finite values within the type's range (a
  // floating value bound for an integer type is truncated toward zero first).
  bool fits(ScalarType dtype) const {
    switch (dtype) {
      case kBool:
      case kFloat64:
        return true;
      case kFloat32:
        return kind_ != kFloat64 || !std::isfinite(d_) || std::fabs(d_) <= 3.4028234663852886e38;
      case kUInt8:
        return kind_ == kFloat64 ? d_ > -1.0 && d_ < 256.0 : i_ >= 0 && i_ <= 255;
      case kInt64:
        return kind_ != kFloat64 || (d_ > -9223372036854777856.0 && d_ < 9223372036854775808.0);
    }
    return false;
  }

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

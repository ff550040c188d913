// Element types, their sizes and names, PyTorch's type promotion, and dispatch from a runtime dtype
// to a C++ type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>

#include <nabla/core/error.h>

namespace nabla {

enum class ScalarType : uint8_t { Bool, UInt8, Int64, Float32, Float64 };
using Dtype = ScalarType;

constexpr ScalarType kBool = ScalarType::Bool;
constexpr ScalarType kUInt8 = ScalarType::UInt8;
constexpr ScalarType kByte = ScalarType::UInt8;
constexpr ScalarType kInt64 = ScalarType::Int64;
constexpr ScalarType kLong = ScalarType::Int64;
constexpr ScalarType kFloat32 = ScalarType::Float32;
constexpr ScalarType kFloat = ScalarType::Float32;
constexpr ScalarType kFloat64 = ScalarType::Float64;
constexpr ScalarType kDouble = ScalarType::Float64;

constexpr size_t element_size(ScalarType t) {
  switch (t) {
    case kBool:
    case kUInt8:
      return 1;
    case kFloat32:
      return 4;
    case kInt64:
    case kFloat64:
      return 8;
  }
  return 0;
}

constexpr const char* dtype_name(ScalarType t) {
  switch (t) {
    case kBool:
      return "bool";
    case kUInt8:
      return "uint8";
    case kInt64:
      return "int64";
    case kFloat32:
      return "float32";
    case kFloat64:
      return "float64";
  }
  return "?";
}

inline std::ostream& operator<<(std::ostream& out, ScalarType t) {
  return out << dtype_name(t);
}

constexpr bool is_floating_point(ScalarType t) {
  return t == kFloat32 || t == kFloat64;
}
constexpr bool is_integral(ScalarType t, bool include_bool) {
  return t == kUInt8 || t == kInt64 || (include_bool && t == kBool);
}

// The category orders bool < integral < floating; promotion only moves up.
enum class TypeCategory : uint8_t { Bool, Integral, Floating };
constexpr TypeCategory category(ScalarType t) {
  return t == kBool ? TypeCategory::Bool
                    : (is_floating_point(t) ? TypeCategory::Floating : TypeCategory::Integral);
}

// torch.promote_types for the dtypes nabla has: the smallest type that holds both.
constexpr ScalarType promote_types(ScalarType a, ScalarType b) {
  if (a == b) return a;
  if (a == kFloat64 || b == kFloat64) return kFloat64;
  if (a == kFloat32 || b == kFloat32) return kFloat32;
  if (a == kInt64 || b == kInt64) return kInt64;
  return kUInt8;  // {bool, uint8}
}

// The dtype that floating results default to (torch.get_default_dtype()).
constexpr ScalarType default_float_dtype() {
  return kFloat32;
}

template <typename T>
struct dtype_of;
template <>
struct dtype_of<bool> {
  static constexpr ScalarType value = kBool;
};
template <>
struct dtype_of<uint8_t> {
  static constexpr ScalarType value = kUInt8;
};
template <>
struct dtype_of<int64_t> {
  static constexpr ScalarType value = kInt64;
};
template <>
struct dtype_of<float> {
  static constexpr ScalarType value = kFloat32;
};
template <>
struct dtype_of<double> {
  static constexpr ScalarType value = kFloat64;
};
template <typename T>
constexpr ScalarType dtype_of_v = dtype_of<T>::value;

// Calls fn(T{}) with T the C++ type of `t`. `op` names the caller for the error message.
template <typename Fn>
decltype(auto) dispatch_dtype(ScalarType t, const char* op, Fn&& fn) {
  switch (t) {
    case kBool:
      return fn(bool{});
    case kUInt8:
      return fn(uint8_t{});
    case kInt64:
      return fn(int64_t{});
    case kFloat32:
      return fn(float{});
    case kFloat64:
      return fn(double{});
  }
  NABLA_FAIL(op, ": unknown dtype");
}

template <typename Fn>
decltype(auto) dispatch_floating(ScalarType t, const char* op, Fn&& fn) {
  switch (t) {
    case kFloat32:
      return fn(float{});
    case kFloat64:
      return fn(double{});
    default:
      NABLA_FAIL(op, ": expected a floating point tensor (float32 or float64), got ", t);
  }
}

}  // namespace nabla

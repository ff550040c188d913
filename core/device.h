// Device: where a tensor's memory lives, CPU or a CUDA device with an index.
#pragma once

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>

#include <nabla/core/cuda_api.h>
#include <nabla/core/error.h>

namespace nabla {

enum class DeviceType : uint8_t { CPU, CUDA };
constexpr DeviceType kCPU = DeviceType::CPU;
constexpr DeviceType kCUDA = DeviceType::CUDA;

class Device {
 public:
  Device(DeviceType type, int index = -1)
      : type_(type), index_(static_cast<int8_t>(index)) {  // NOLINT
    NABLA_CHECK(index >= -1 && index < 128, "Device: invalid device index ", index);
    NABLA_CHECK(type == kCUDA || index <= 0,
                "Device: the CPU device has no index other than 0, got ", index);
  }
  // Parses "cpu", "cuda" or "cuda:N".
  explicit Device(const std::string& spec);

  DeviceType type() const { return type_; }
  // The CUDA device ordinal; -1 means "the current device", which nabla treats as 0.
  int index() const { return index_; }
  bool is_cpu() const { return type_ == kCPU; }
  bool is_cuda() const { return type_ == kCUDA; }
  std::string str() const;

  friend bool operator==(const Device& a, const Device& b) {
    return a.type_ == b.type_ &&
           (a.type_ == kCPU || std::max(a.index_, int8_t{0}) == std::max(b.index_, int8_t{0}));
  }
  friend bool operator!=(const Device& a, const Device& b) { return !(a == b); }

 private:
  DeviceType type_;
  int8_t index_;
};

inline std::ostream& operator<<(std::ostream& out, const Device& d) {
  return out << d.str();
}

}  // namespace nabla

// Device parsing and printing.
#include <nabla/core/device.h>
#include <nabla/core/tensor_options.h>

namespace nabla {

Device::Device(const std::string& spec) : type_(kCPU), index_(-1) {
  if (spec == "cpu") return;
  if (spec == "cuda") {
    type_ = kCUDA;
    return;
  }
  const std::string prefix = "cuda:";
  NABLA_CHECK(spec.compare(0, prefix.size(), prefix) == 0 && spec.size() > prefix.size() &&
                  spec.size() <= prefix.size() + 3 &&
                  spec.find_first_not_of("0123456789", prefix.size()) == std::string::npos,
              "Device: expected \"cpu\", \"cuda\" or \"cuda:N\", got \"", spec, "\"");
  type_ = kCUDA;
  const int index = std::stoi(spec.substr(prefix.size()));
  NABLA_CHECK(index < 128, "Device: invalid device index ", index);
  index_ = static_cast<int8_t>(index);
}

std::string Device::str() const {
  if (type_ == kCPU) return "cpu";
  return index_ < 0 ? "cuda" : "cuda:" + std::to_string(index_);
}

namespace {
thread_local Device tls_default_device = Device(kCPU);
}  // namespace

Device default_device() {
  return tls_default_device;
}

DefaultDeviceGuard::DefaultDeviceGuard(Device device) : previous_(tls_default_device) {
  tls_default_device = device;
}

DefaultDeviceGuard::~DefaultDeviceGuard() {
  tls_default_device = previous_;
}

}  // namespace nabla

// The default generators (one for the CPU and one per CUDA device index) and the generator's state
// as bytes.
#include <nabla/core/generator.h>

#include <nabla/core/error.h>
#include <nabla/core/native.h>
#include <nabla/core/tensor.h>

namespace nabla {
namespace {

constexpr int64_t kStateBytes = 16;

void put_u64(uint8_t* bytes, uint64_t value) {
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(value >> (8 * i));
}

uint64_t get_u64(const uint8_t* bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = value << 8 | bytes[i];
  return value;
}

}  // namespace

Tensor Generator::get_state() const {
  Tensor state = native::empty({kStateBytes}, kUInt8, Device(kCPU));
  std::lock_guard<std::mutex> lock(mutex_);
  put_u64(state.data_ptr<uint8_t>(), seed_);
  put_u64(state.data_ptr<uint8_t>() + 8, call_);
  return state;
}

void Generator::set_state(const Tensor& state) {
  NABLA_CHECK(state.defined(), "Generator::set_state: the state is an undefined tensor");
  NABLA_CHECK(state.dtype() == kUInt8 && state.dim() == 1 && state.size(0) == kStateBytes &&
                  state.device().is_cpu(),
              "Generator::set_state: expected a uint8 CPU tensor of shape [", kStateBytes,
              "] (as get_state() gives), got ", state.dtype(), " ", state.sizes(), " on ",
              state.device().str());
  const Tensor bytes = state.contiguous();
  std::lock_guard<std::mutex> lock(mutex_);
  seed_ = get_u64(bytes.data_ptr<uint8_t>());
  call_ = get_u64(bytes.data_ptr<uint8_t>() + 8);
}

Generator& default_generator(Device device) {
  static Generator cpu_generator;
  static Generator cuda_generators[128];
  if (device.is_cpu()) return cpu_generator;
  return cuda_generators[device.index() < 0 ? 0 : device.index()];
}

void manual_seed(uint64_t seed) {
  default_generator(Device(kCPU)).manual_seed(seed);
  for (int i = 0; i < 128; ++i) default_generator(Device(kCUDA, i)).manual_seed(seed);
}

}  // namespace nabla

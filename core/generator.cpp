// The default generators: one for the CPU and one per CUDA device index.
#include <nabla/core/generator.h>

namespace nabla {

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

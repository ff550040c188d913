// Fuzzes nn::load(optimizer): a checkpoint file into Adam over the parameters of fuzz_models.h's
// model, which then takes a step with the loaded state. A nabla::Error is a refused file; a crash,
// a sanitizer report or any other exception is a finding.
#include <cstddef>
#include <cstdint>

#include <nabla/nabla.h>

#include "fuzz_models.h"
#include "memory_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static nabla::fuzz::MemoryFile file;
  const std::string& path = file.hold(data, size);
  nabla::nn::Sequential model = nabla::fuzz::checkpoint_model();
  auto optimizer = nabla::fuzz::checkpoint_optimizer(model);
  try {
    nabla::nn::load(*optimizer, path);
  } catch (const nabla::Error&) {
    return 0;
  }
  optimizer->step();
  return 0;
}

// Fuzzes the safetensors reader and nn::load(module): a checkpoint file into a Linear and a
// BatchNorm1d (fuzz_models.h), which then run forward. A nabla::Error is a refused file; a crash, a
// sanitizer report or any other exception is a finding.
#include <cstddef>
#include <cstdint>

#include <nabla/nabla.h>

#include "fuzz_models.h"
#include "memory_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static nabla::fuzz::MemoryFile file;
  const std::string& path = file.hold(data, size);
  nabla::nn::Sequential model = nabla::fuzz::checkpoint_model();
  try {
    nabla::nn::load(model, path);
  } catch (const nabla::Error&) {
    return 0;
  }
  nabla::NoGradGuard no_grad;
  model->eval();
  (void)model(nabla::fuzz::checkpoint_input());
  return 0;
}

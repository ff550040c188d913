// Fuzzes the IDX reader (data/idx.h) with whole files. A nabla::Error is the reader refusing a bad
// file, as it should; a crash, a sanitizer report or any other exception is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <nabla/core/error.h>
#include <nabla/data/idx.h>

#include "memory_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static nabla::fuzz::MemoryFile file;
  try {
    const nabla::Tensor values = nabla::data::read_idx(file.hold(data, size));
    // Accepted: the header is 4 bytes plus 4 per dim, and the values are every byte after it.
    const size_t header_bytes = 4 + 4 * static_cast<size_t>(values.dim());
    if (values.dtype() != nabla::kUInt8 || header_bytes + values.numel() != size) std::abort();
    const uint8_t* read = values.data_ptr<uint8_t>();
    for (size_t i = header_bytes; i < size; ++i) {
      if (read[i - header_bytes] != data[i]) std::abort();
    }
  } catch (const nabla::Error&) {
  }
  return 0;
}

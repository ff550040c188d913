// The bytes of IDX files (the format MNIST ships in), for tests that write datasets of their own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

namespace nabla::testing {

// An IDX file's bytes: the magic (0, 0, type, dim count), big-endian dims, then `values`.
inline std::vector<uint8_t> idx_bytes(const std::vector<uint32_t>& dims,
                                      const std::vector<uint8_t>& values, uint8_t type = 0x08) {
  std::vector<uint8_t> bytes{0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t dim : dims) {
    for (int shift = 24; shift >= 0; shift -= 8)
      bytes.push_back(static_cast<uint8_t>(dim >> shift));
  }
  bytes.insert(bytes.end(), values.begin(), values.end());
  return bytes;
}

// first, first + 1, ... (wrapping at 256): `count` distinct-looking pixel values.
inline std::vector<uint8_t> counting_bytes(std::size_t count, uint8_t first = 0) {
  std::vector<uint8_t> values(count);
  std::iota(values.begin(), values.end(), first);
  return values;
}

}  // namespace nabla::testing

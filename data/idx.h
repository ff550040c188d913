// The reader for IDX files, the format MNIST ships in: a big-endian header (magic, then one 32-bit
// size per dim) followed by the values in row-major order.
#pragma once

#include <string>

#include <nabla/core/tensor.h>

namespace nabla::data {

// Reads an IDX file of unsigned bytes (data type 0x08) into a uint8 CPU tensor of the file's dims,
// e.g. [60000, 28, 28] for MNIST's training images and [60000] for its labels. Any problem (a
// missing or unreadable file, a bad header, another data type, a size that does not match the
// dims) throws nabla::Error naming the file.
Tensor read_idx(const std::string& path);

}  // namespace nabla::data

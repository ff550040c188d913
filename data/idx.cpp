// The IDX reader: it checks the whole header against the file's size before allocating anything,
// then reads the values in one call straight into the tensor's memory.
#include <nabla/data/idx.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include <nabla/core/error.h>
#include <nabla/core/factory.h>

namespace nabla::data {
namespace {

constexpr int64_t kMagicBytes = 4;
constexpr int64_t kDimBytes = 4;
constexpr uint8_t kUnsignedByteType = 0x08;
constexpr int64_t kMaxIdxDims = 4;
// No dataset read this way comes near 1 TiB: a larger product of dims is a corrupt header, and the
// bound keeps the size arithmetic far from overflowing int64.
constexpr int64_t kMaxDataBytes = int64_t{1} << 40;

const char* idx_type_name(uint8_t type) {
  switch (type) {
    case 0x08:
      return "unsigned byte";
    case 0x09:
      return "signed byte";
    case 0x0B:
      return "int16";
    case 0x0C:
      return "int32";
    case 0x0D:
      return "float32";
    case 0x0E:
      return "float64";
    default:
      return "not an IDX data type";
  }
}

std::string hex_byte(uint8_t value) {
  char text[8];
  std::snprintf(text, sizeof(text), "0x%02X", value);
  return text;
}

uint32_t big_endian_u32(const unsigned char* bytes) {
  return static_cast<uint32_t>(bytes[0]) << 24 | static_cast<uint32_t>(bytes[1]) << 16 |
         static_cast<uint32_t>(bytes[2]) << 8 | static_cast<uint32_t>(bytes[3]);
}

// Reads exactly `count` bytes or throws: the size was checked up front, so a short read means the
// file changed underneath us or the disk failed.
void read_exactly(std::ifstream& stream, char* destination, int64_t count, const std::string& path,
                  const char* what) {
  stream.read(destination, count);
  NABLA_CHECK(stream.gcount() == count, "read_idx: ", path, ": reading the ", what,
              " failed after ", stream.gcount(), " of ", count, " bytes");
}

}  // namespace

Tensor read_idx(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  NABLA_CHECK(status.type() != fs::file_type::not_found, "read_idx: ", path, ": no such file");
  NABLA_CHECK(!error, "read_idx: ", path, ": cannot be accessed: ", error.message());
  NABLA_CHECK(fs::is_regular_file(status), "read_idx: ", path, ": not a regular file");
  const uintmax_t size_on_disk = fs::file_size(path, error);
  NABLA_CHECK(!error, "read_idx: ", path, ": cannot read its size: ", error.message());
  // Larger files fail the size check below anyway; clamping keeps the comparisons in int64
  // (messages report the true size).
  const int64_t file_bytes = static_cast<int64_t>(
      std::min<uintmax_t>(size_on_disk, static_cast<uintmax_t>(kMaxDataBytes) * 2));

  errno = 0;
  std::ifstream stream(path, std::ios::binary);
  NABLA_CHECK(stream.is_open(), "read_idx: ", path, ": cannot be opened for reading",
              errno ? std::string(": ") + std::strerror(errno) : std::string());

  // The magic: two zero bytes, the data type, the number of dims.
  NABLA_CHECK(file_bytes >= kMagicBytes, "read_idx: ", path, ": the file is ", file_bytes,
              " bytes, shorter than the 4-byte IDX magic number");
  unsigned char magic[kMagicBytes];
  read_exactly(stream, reinterpret_cast<char*>(magic), kMagicBytes, path, "magic number");
  if (magic[0] != 0 || magic[1] != 0) {
    // MNIST mirrors serve the files gzip-compressed; say so, since that is the usual cause.
    const bool gzip = magic[0] == 0x1F && magic[1] == 0x8B;
    NABLA_FAIL("read_idx: ", path, ": not an IDX file: the magic number starts with ",
               hex_byte(magic[0]), " ", hex_byte(magic[1]), " instead of two zero bytes",
               gzip ? " (it is gzip-compressed: decompress it first)" : "");
  }
  const uint8_t type = magic[2];
  NABLA_CHECK(type == kUnsignedByteType, "read_idx: ", path, ": data type byte is ", hex_byte(type),
              " (", idx_type_name(type), "); only ", hex_byte(kUnsignedByteType),
              " (unsigned byte) is supported");
  const int64_t dim_count = magic[3];
  NABLA_CHECK(dim_count >= 1 && dim_count <= kMaxIdxDims, "read_idx: ", path, ": the header gives ",
              dim_count, " dims; expected 1 to ", kMaxIdxDims);

  // One big-endian 32-bit size per dim.
  const int64_t header_bytes = kMagicBytes + kDimBytes * dim_count;
  NABLA_CHECK(file_bytes >= header_bytes, "read_idx: ", path, ": truncated header: ", dim_count,
              " dims need a ", header_bytes, "-byte header, but the file is ", file_bytes,
              " bytes");
  unsigned char dim_bytes[kDimBytes * kMaxIdxDims];
  read_exactly(stream, reinterpret_cast<char*>(dim_bytes), kDimBytes * dim_count, path, "header");
  Shape dims;
  int64_t data_bytes = 1;
  for (int64_t d = 0; d < dim_count; ++d) {
    const int64_t dim = big_endian_u32(dim_bytes + kDimBytes * d);
    dims.push_back(dim);
    NABLA_CHECK(dim > 0, "read_idx: ", path, ": dim ", d, " of the header is 0");
    NABLA_CHECK(dim <= kMaxDataBytes / data_bytes, "read_idx: ", path, ": the header's dims ",
                "(so far ", dims, ") describe more than ", kMaxDataBytes,
                " bytes of data; the header is corrupt");
    data_bytes *= dim;
  }

  const int64_t expected_bytes = header_bytes + data_bytes;
  if (file_bytes != expected_bytes) {
    NABLA_FAIL("read_idx: ", path, ": the file is ", size_on_disk, " bytes, expected ",
               expected_bytes, " (", header_bytes, "-byte header + ", data_bytes,
               " data bytes for dims ", dims, "): ",
               file_bytes < expected_bytes
                   ? "truncated"
                   : std::to_string(size_on_disk - static_cast<uintmax_t>(expected_bytes)) +
                         " bytes of trailing data");
  }

  Tensor values = nabla::empty(dims, TensorOptions(kUInt8).device(kCPU));
  read_exactly(stream, reinterpret_cast<char*>(values.data_ptr<uint8_t>()), data_bytes, path,
               "data");
  return values;
}

}  // namespace nabla::data

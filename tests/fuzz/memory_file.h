// A fuzz input as a file. nabla's readers take a path and check the file's type and size before
// reading it, as they should for a user's files; the fuzz targets hand them an anonymous in-memory
// file (memfd) through /proc/self/fd, so each input costs no disk I/O and leaves nothing behind.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace nabla::fuzz {

class MemoryFile {
 public:
  MemoryFile() : fd_(::memfd_create("nabla-fuzz-input", 0)) {
    if (fd_ < 0) {
      std::perror("memfd_create");
      std::abort();
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemoryFile() { ::close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  // Makes the file hold exactly `size` bytes from `data`; returns a path that opens it.
  const std::string& hold(const uint8_t* data, size_t size) {
    if (::ftruncate(fd_, 0) != 0) fail("ftruncate");
    for (size_t written = 0; written < size;) {
      const ssize_t n = ::pwrite(fd_, data + written, size - written, static_cast<off_t>(written));
      if (n <= 0) fail("pwrite");
      written += static_cast<size_t>(n);
    }
    return path_;
  }

 private:
  // A failure here is the harness's, not the library's: stop loudly rather than fuzz nothing.
  [[noreturn]] static void fail(const char* call) {
    std::perror(call);
    std::abort();
  }

  int fd_;
  std::string path_;
};

}  // namespace nabla::fuzz

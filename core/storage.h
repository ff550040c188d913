// Storage: one block of device memory shared by a tensor and all of its views. It also holds the
// version counter that in-place ops bump, so autograd can tell when saved data was overwritten.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include <nabla/core/allocator.h>
#include <nabla/core/device.h>

namespace nabla {

class Storage {
 public:
  // Owning storage from `allocator`.
  Storage(size_t nbytes, Device device, Allocator* allocator)
      : data_(allocator->allocate(nbytes)),
        nbytes_(nbytes),
        device_(device),
        allocator_(allocator) {}
  // Borrowed memory (from_blob): `deleter`, if any, runs when the last view goes away.
  Storage(void* data, size_t nbytes, Device device, std::function<void(void*)> deleter)
      : data_(data), nbytes_(nbytes), device_(device), deleter_(std::move(deleter)) {}
  ~Storage() {
    if (allocator_) {
      allocator_->deallocate(data_, nbytes_);
    } else if (deleter_) {
      deleter_(data_);
    }
  }
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

  uint64_t version() const { return version_; }
  void bump_version() { ++version_; }

 private:
  void* data_;
  size_t nbytes_;
  Device device_;
  Allocator* allocator_ = nullptr;
  std::function<void(void*)> deleter_;
  uint64_t version_ = 0;
};

}  // namespace nabla

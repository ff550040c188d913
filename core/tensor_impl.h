// TensorImpl: what a Tensor handle points to. A view of a Storage through sizes, strides and an
// offset, plus an opaque slot where autograd keeps its per-tensor state (core never looks inside).
#pragma once

#include <cstdint>
#include <memory>
#include <utility>

#include <nabla/core/dtype.h>
#include <nabla/core/shape.h>
#include <nabla/core/storage.h>

namespace nabla {

// Autograd derives its metadata from this, so core can own it without knowing what it is.
struct AutogradMetaInterface {
  virtual ~AutogradMetaInterface() = default;
};

class TensorImpl {
 public:
  TensorImpl(std::shared_ptr<Storage> storage, ScalarType dtype, const Shape& sizes,
             const Strides& strides, int64_t storage_offset)
      : storage_(std::move(storage)),
        sizes_(sizes),
        strides_(strides),
        storage_offset_(storage_offset),
        numel_(sizes.numel()),
        dtype_(dtype) {
    refresh_contiguous();
  }

  const std::shared_ptr<Storage>& storage() const { return storage_; }
  const Shape& sizes() const { return sizes_; }
  const Strides& strides() const { return strides_; }
  int64_t storage_offset() const { return storage_offset_; }
  int64_t numel() const { return numel_; }
  ScalarType dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  bool is_contiguous() const { return contiguous_; }
  void* data() const {
    return static_cast<char*>(storage_->data()) +
           storage_offset_ * static_cast<int64_t>(element_size(dtype_));
  }

  // Points this tensor at other's data (storage, layout, dtype), keeping its identity and autograd
  // state: how Module::to() moves parameters that users hold handles to.
  void set_data(const TensorImpl& other) {
    storage_ = other.storage_;
    sizes_ = other.sizes_;
    strides_ = other.strides_;
    storage_offset_ = other.storage_offset_;
    numel_ = other.numel_;
    dtype_ = other.dtype_;
    contiguous_ = other.contiguous_;
  }

  AutogradMetaInterface* autograd_meta() const { return autograd_meta_.get(); }
  void set_autograd_meta(std::unique_ptr<AutogradMetaInterface> meta) {
    autograd_meta_ = std::move(meta);
  }

 private:
  void refresh_contiguous() {
    int64_t expected = 1;
    contiguous_ = true;
    for (int64_t i = sizes_.size() - 1; i >= 0; --i) {
      if (sizes_[i] == 1) continue;
      if (strides_[i] != expected) {
        contiguous_ = false;
        return;
      }
      expected *= sizes_[i];
    }
  }

  std::shared_ptr<Storage> storage_;
  Shape sizes_;
  Strides strides_;
  int64_t storage_offset_;
  int64_t numel_;
  ScalarType dtype_;
  bool contiguous_ = true;
  std::unique_ptr<AutogradMetaInterface> autograd_meta_;
};

}  // namespace nabla

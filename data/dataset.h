// TensorDataset: a dataset of N samples held as tensors whose first dim indexes the samples, like
// torch.utils.data.TensorDataset (images [N, 28, 28] and labels [N] make one).
#pragma once

#include <cstdint>
#include <sstream>
#include <utility>
#include <vector>

#include <nabla/core/error.h>
#include <nabla/core/tensor.h>

namespace nabla::data {

class TensorDataset {
 public:
  // Every tensor must be defined, have at least one dim, and share its first dim's size with the
  // others; sample i is row i of each.
  explicit TensorDataset(std::vector<Tensor> tensors) : tensors_(std::move(tensors)) {
    NABLA_CHECK(!tensors_.empty(), "TensorDataset: needs at least one tensor");
    for (size_t i = 0; i < tensors_.size(); ++i) {
      NABLA_CHECK(tensors_[i].defined(), "TensorDataset: tensor ", i, " is undefined");
      NABLA_CHECK(tensors_[i].dim() >= 1, "TensorDataset: tensor ", i,
                  " is zero-dim; each tensor needs a first dim that indexes the samples");
    }
    for (const Tensor& tensor : tensors_) {
      if (tensor.size(0) != tensors_[0].size(0)) {
        std::ostringstream shapes;
        for (size_t i = 0; i < tensors_.size(); ++i) {
          shapes << (i ? ", " : "") << tensors_[i].sizes();
        }
        NABLA_FAIL("TensorDataset: the tensors' first dims must be equal (one row per sample), ",
                   "got shapes ", shapes.str());
      }
    }
  }

  // The number of samples.
  int64_t size() const { return tensors_[0].size(0); }
  const std::vector<Tensor>& tensors() const { return tensors_; }

 private:
  std::vector<Tensor> tensors_;
};

}  // namespace nabla::data

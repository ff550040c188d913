// The index kinds of t.index({...}) and t.index_put_({...}, v), as libtorch's torch::indexing:
//
//   using namespace nabla::indexing;
//   t.index({Slice(), 0});                   // t[:, 0]
//   t.index({"...", None, Slice(1, None, 2)}); // t[..., None, 1::2]
//   t.index({mask});                          // t[mask], mask a bool tensor
//   t.index_put_({idx, Slice(None, 3)}, 0.5); // t[idx, :3] = 0.5, idx an int64 tensor
//
// Integers, slices, None and Ellipsis give views; tensors (int64 positions or bool masks) gather
// copies, with NumPy's rules for where their broadcast dims land.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <ostream>

#include <nabla/core/error.h>
#include <nabla/core/tensor.h>

namespace nabla::indexing {

// None: a new dim of size 1 in an index list; an omitted bound in a Slice.
constexpr std::nullopt_t None = std::nullopt;

struct EllipsisIndexType {};
// Ellipsis (or "..."): as many full slices as the other indices leave dims.
constexpr EllipsisIndexType Ellipsis{};

// start:stop:step, with Python's defaults (0, the end, 1) and negative bounds counted from the
// end; bounds past the ends are clamped. The step must be positive.
class Slice {
 public:
  Slice(std::optional<int64_t> start = std::nullopt, std::optional<int64_t> stop = std::nullopt,
        std::optional<int64_t> step = std::nullopt)
      : start_(start.value_or(0)),
        stop_(stop.value_or(std::numeric_limits<int64_t>::max())),
        step_(step.value_or(1)) {}
  int64_t start() const { return start_; }
  int64_t stop() const { return stop_; }
  int64_t step() const { return step_; }

 private:
  int64_t start_, stop_, step_;
};

class TensorIndex {
 public:
  enum class Kind { None, Ellipsis, Integer, Boolean, Slice, Tensor };

  TensorIndex(std::nullopt_t) : kind_(Kind::None) {}         // NOLINT: implicit like libtorch
  TensorIndex(EllipsisIndexType) : kind_(Kind::Ellipsis) {}  // NOLINT
  TensorIndex(const char* text) : kind_(Kind::Ellipsis) {    // NOLINT
    NABLA_CHECK(std::strcmp(text, "...") == 0, "index: the only string index is \"...\", got \"",
                text, "\"");
  }
  TensorIndex(int64_t integer) : kind_(Kind::Integer), integer_(integer) {}        // NOLINT
  TensorIndex(int integer) : TensorIndex(static_cast<int64_t>(integer)) {}         // NOLINT
  TensorIndex(bool boolean) : kind_(Kind::Boolean), boolean_(boolean) {}           // NOLINT
  TensorIndex(Slice slice) : kind_(Kind::Slice), slice_(slice) {}                  // NOLINT
  TensorIndex(Tensor tensor) : kind_(Kind::Tensor), tensor_(std::move(tensor)) {}  // NOLINT

  Kind kind() const { return kind_; }
  int64_t integer() const { return integer_; }
  bool boolean() const { return boolean_; }
  const Slice& slice() const { return slice_; }
  const Tensor& tensor() const { return tensor_; }

 private:
  Kind kind_;
  int64_t integer_ = 0;
  bool boolean_ = false;
  Slice slice_;
  Tensor tensor_;
};

}  // namespace nabla::indexing

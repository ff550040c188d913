// Tensor::index and index_put_ (core/indexing.h has the index kinds). An index list is applied in
// two stages: the basic indices (integers, slices, None, Ellipsis, bools) make a view; then the
// tensor indices, broadcast together, pick elements of that view. As in NumPy, the broadcast
// index dims replace the indexed dims where those are adjacent, and go first where they are not.
// Reading goes through differentiable ops (permute, reshape, index_select); writing scatters
// into the target's storage at the elements' offsets, so that any layout of view works.
#include <algorithm>
#include <vector>

#include <nabla/autograd/grad_mode.h>
#include <nabla/autograd/in_place.h>
#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/factory.h>
#include <nabla/core/indexing.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

using autograd::Node;
using autograd::record;
using indexing::TensorIndex;
using Kind = TensorIndex::Kind;

// A tensor index on dim `dim` of the basic view: int64 positions, checked and wrapped.
struct Advanced {
  int64_t dim;
  Tensor index;
};

struct Parsed {
  Tensor view;                     // after the basic indices
  std::vector<Advanced> advanced;  // in order; dims of `view`
};

// The number of dims an index consumes from the tensor.
int64_t dims_consumed(const TensorIndex& i) {
  switch (i.kind()) {
    case Kind::Integer:
    case Kind::Slice:
      return 1;
    case Kind::Tensor:
      return i.tensor().dtype() == kBool ? i.tensor().dim() : 1;
    default:
      return 0;
  }
}

// Applies the basic indices to `self` (with `view_op`s, differentiable or not) and collects the
// tensor ones. `differentiable` picks autograd's views (reading) or native ones (writing).
Parsed parse(const Tensor& self, const std::vector<TensorIndex>& indices, bool differentiable) {
  native::check_defined("index", self);
  int64_t consumed = 0, ellipses = 0;
  for (const TensorIndex& i : indices) {
    consumed += dims_consumed(i);
    ellipses += i.kind() == Kind::Ellipsis;
  }
  NABLA_CHECK(ellipses <= 1, "index: at most one Ellipsis (\"...\") is allowed, got ", ellipses);
  NABLA_CHECK(consumed <= self.dim(), "index: too many indices for a tensor of ", self.dim(),
              " dims (they index ", consumed, "; shape ", self.sizes(), ")");
  Parsed out{self, {}};
  Tensor& v = out.view;
  int64_t dim = 0;  // the next dim of v to index
  for (const TensorIndex& i : indices) {
    switch (i.kind()) {
      case Kind::Ellipsis:
        dim += self.dim() - consumed;
        break;
      case Kind::None:
        v = differentiable ? v.unsqueeze(dim) : native::unsqueeze(v, dim);
        ++dim;
        break;
      case Kind::Boolean:
        // t[True] adds a dim of size 1, t[False] one of size 0.
        v = differentiable ? v.unsqueeze(dim) : native::unsqueeze(v, dim);
        if (!i.boolean()) v = differentiable ? v.narrow(dim, 0, 0) : native::narrow(v, dim, 0, 0);
        ++dim;
        break;
      case Kind::Integer: {
        const int64_t size = v.size(dim);
        const int64_t at = i.integer() < 0 ? i.integer() + size : i.integer();
        NABLA_CHECK(at >= 0 && at < size, "index: index ", i.integer(), " is out of range for dim ",
                    dim, " of size ", size, " (shape ", v.sizes(), ")");
        v = differentiable ? v.select(dim, at) : native::select(v, dim, at);
        break;
      }
      case Kind::Slice: {
        const indexing::Slice& s = i.slice();
        NABLA_CHECK(s.step() > 0, "index: a slice's step must be positive, got ", s.step());
        v = differentiable ? v.slice(dim, s.start(), s.stop(), s.step())
                           : native::slice(v, dim, s.start(), s.stop(), s.step());
        ++dim;
        break;
      }
      case Kind::Tensor: {
        const Tensor& t = i.tensor();
        native::check_defined("index", t);
        native::check_same_device("index", self, t);
        if (t.dtype() == kBool) {
          // A mask over the next t.dim() dims selects the coordinates where it is true.
          for (int64_t d = 0; d < t.dim(); ++d) {
            NABLA_CHECK(t.size(d) == v.size(dim + d), "index: the mask of shape ", t.sizes(),
                        " does not match dim ", dim + d, " (size ", v.size(dim + d),
                        ") of the indexed shape ", v.sizes());
          }
          if (t.dim() == 0) {  // like a bool index
            v = differentiable ? v.unsqueeze(dim) : native::unsqueeze(v, dim);
            if (!t.item<bool>()) {
              v = differentiable ? v.narrow(dim, 0, 0) : native::narrow(v, dim, 0, 0);
            }
            ++dim;
            break;
          }
          const Tensor coords = nonzero(t);
          for (int64_t d = 0; d < t.dim(); ++d) {
            out.advanced.push_back({dim + d, native::select(coords, 1, d)});
          }
          dim += t.dim();
        } else {
          NABLA_CHECK(t.dtype() == kInt64,
                      "index: tensors used as indices must be int64 or bool, got ", t.dtype());
          const int64_t size = v.size(dim);
          // Negative positions count from the end; anything else out of range is an error.
          const Tensor wrapped = native::where(native::binary(BinaryOp::Lt, t, int64_t{0}),
                                               native::binary(BinaryOp::Add, t, size), t);
          native::check_index_range(wrapped, size, index_error_message("index", dim, v.sizes()));
          out.advanced.push_back({dim, wrapped});
          ++dim;
        }
        break;
      }
    }
  }
  return out;
}

// Where the tensor indices' broadcast dims go in the result: at the first indexed dim when the
// indexed dims are adjacent, else first.
int64_t result_position(const std::vector<Advanced>& advanced) {
  for (size_t k = 1; k < advanced.size(); ++k) {
    if (advanced[k].dim != advanced[k - 1].dim + 1) return 0;
  }
  return advanced.front().dim;
}

Shape broadcast_indices(const std::vector<Advanced>& advanced) {
  Shape shape = advanced.front().index.sizes();
  for (const Advanced& a : advanced) shape = broadcast_shapes(shape, a.index.sizes(), "index");
  return shape;
}

// The dims of `view` that no tensor index covers, in order.
std::vector<int64_t> plain_dims(const Tensor& view, const std::vector<Advanced>& advanced) {
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < view.dim(); ++d) {
    const bool indexed = std::any_of(advanced.begin(), advanced.end(),
                                     [&](const Advanced& a) { return a.dim == d; });
    if (!indexed) dims.push_back(d);
  }
  return dims;
}

Tensor read(const Tensor& self, const std::vector<TensorIndex>& indices) {
  Parsed p = parse(self, indices, /*differentiable=*/true);
  if (p.advanced.empty()) return p.view;
  const Tensor& v = p.view;
  const Shape b = broadcast_indices(p.advanced);
  const std::vector<int64_t> rest = plain_dims(v, p.advanced);
  // Indexed dims first, flattened into one: element (i_1, ..., i_k) is at i_1 s_1 + ... + i_k,
  // row-major over the indexed sizes.
  Shape order;
  Shape out_shape = b;
  for (const Advanced& a : p.advanced) order.push_back(a.dim);
  for (int64_t d : rest) {
    order.push_back(d);
    out_shape.push_back(v.size(d));
  }
  int64_t indexed = 1;
  for (const Advanced& a : p.advanced) indexed *= v.size(a.dim);
  Shape flat_shape{indexed};
  for (int64_t d : rest) flat_shape.push_back(v.size(d));
  const Tensor flat = v.permute(order).reshape(flat_shape);
  Tensor linear = native::full({}, 0, kInt64, v.device());
  for (const Advanced& a : p.advanced) {
    linear = native::binary(BinaryOp::Add, native::binary(BinaryOp::Mul, linear, v.size(a.dim)),
                            a.index);
  }
  linear = native::reshape(native::contiguous(native::expand(linear, b)), {b.numel()});
  Tensor out = flat.index_select(0, linear).reshape(out_shape);
  // Adjacent indexed dims keep their place.
  const int64_t at = result_position(p.advanced);
  if (at > 0) {
    Shape source, destination;
    for (int64_t k = 0; k < b.size(); ++k) {
      source.push_back(k);
      destination.push_back(at + k);
    }
    out = movedim(out, source, destination);
  }
  return out;
}

// Writes `value` (broadcast) into target at the indexed positions, without recording anything.
void write(const Tensor& target, const std::vector<TensorIndex>& indices, const Tensor& value) {
  Parsed p = parse(target, indices, /*differentiable=*/false);
  const Tensor& v = p.view;
  native::check_same_device("index_put_", target, value);
  if (p.advanced.empty()) {
    NABLA_CHECK(broadcast_shapes(v.sizes(), value.sizes(), "index_put_") == v.sizes(),
                "index_put_: the value of shape ", value.sizes(),
                " does not broadcast to the indexed shape ", v.sizes());
    native::copy_(v, value);
    return;
  }
  const Shape b = broadcast_indices(p.advanced);
  const std::vector<int64_t> rest = plain_dims(v, p.advanced);
  const int64_t at = result_position(p.advanced);
  // The result's shape, and each element's offset in target's storage.
  Shape shape;
  for (int64_t d : rest) shape.push_back(v.size(d));
  for (int64_t k = 0; k < b.size(); ++k) shape.insert(at + k, b[k]);
  Tensor offsets = native::full({}, v.storage_offset(), kInt64, v.device());
  auto place = [&](const Tensor& t, int64_t first) {  // t's dims at result dims [first, ...)
    Shape view_shape = Shape::filled(shape.size(), 1);
    for (int64_t k = 0; k < t.dim(); ++k) view_shape[first + k] = t.size(k);
    return native::reshape(t, view_shape);
  };
  for (const Advanced& a : p.advanced) {
    // Right-aligned within the broadcast dims, as broadcasting aligns them.
    const Tensor contribution = native::binary(BinaryOp::Mul, a.index, v.stride(a.dim));
    offsets = native::binary(BinaryOp::Add, offsets,
                             place(contribution, at + b.size() - contribution.dim()));
  }
  int64_t position = 0;
  for (int64_t d : rest) {
    if (position == at) position += b.size();
    const Tensor steps = native::binary(
        BinaryOp::Mul, arange(v.size(d), TensorOptions(kInt64).device(v.device())), v.stride(d));
    offsets = native::binary(BinaryOp::Add, offsets, place(steps, position));
    ++position;
  }
  NABLA_CHECK(broadcast_shapes(shape, value.sizes(), "index_put_") == shape,
              "index_put_: the value of shape ", value.sizes(),
              " does not broadcast to the indexed shape ", shape);
  const int64_t n = shape.numel();
  if (n == 0) return;
  const int64_t storage_elements =
      static_cast<int64_t>(target.impl()->storage()->nbytes() / element_size(target.dtype()));
  const Tensor storage = native::as_strided(target, {storage_elements}, {1}, 0);
  const Tensor source = native::reshape(
      native::contiguous(native::expand(native::to(value, target.dtype()), shape)), {n});
  const Tensor where = native::reshape(native::contiguous(native::expand(offsets, shape)), {n});
  native::scatter_(storage, 0, where, source, /*accumulate=*/false, "index_put_");
}

// index_put's gradient: none at the written positions for self; for the value, what reached
// those positions (summed back to the value's shape by the engine).
struct IndexPutBackward final : Node {
  explicit IndexPutBackward(std::vector<TensorIndex> indices) : indices(std::move(indices)) {}
  const char* name() const override { return "IndexPutBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    Tensor grad_self;
    if (needs_input_grad(0)) {
      grad_self = native::clone(grad);
      write(grad_self, indices, native::full({}, 0, grad.dtype(), grad.device()));
    }
    Tensor grad_value;
    if (needs_input_grad(1)) {
      NoGradGuard no_grad;
      grad_value = read(grad, indices);
    }
    return {grad_self, grad_value};
  }
  std::vector<TensorIndex> indices;
};

}  // namespace

Tensor index(const Tensor& self, const std::vector<TensorIndex>& indices) {
  return read(self, indices);
}

Tensor index_put(const Tensor& self, const std::vector<TensorIndex>& indices, const Tensor& value) {
  native::check_defined("index_put", self);
  native::check_defined("index_put", value);
  Tensor out = native::clone(self);
  write(out, indices, value);
  record<IndexPutBackward>(out, {&self, &value}, indices);
  return out;
}

Tensor Tensor::index(std::initializer_list<TensorIndex> indices) const {
  return read(*this, std::vector<TensorIndex>(indices));
}
Tensor Tensor::index(const std::vector<TensorIndex>& indices) const {
  return read(*this, indices);
}
Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, const Tensor& value) {
  return index_put_(std::vector<TensorIndex>(indices), value);
}
Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, const Scalar& value) {
  return index_put_(std::vector<TensorIndex>(indices), value);
}
Tensor& Tensor::index_put_(const std::vector<TensorIndex>& indices, const Scalar& value) {
  native::check_defined("index_put_", *this);
  return index_put_(indices, native::scalar_tensor(value, dtype(), device()));
}
Tensor& Tensor::index_put_(const std::vector<TensorIndex>& indices, const Tensor& value) {
  native::check_defined("index_put_", *this);
  native::check_defined("index_put_", value);
  if (autograd::in_graph(*this, {&value})) {
    return autograd::apply_in_place("index_put_", *this, {&value}, [&](const Tensor& self) {
      return index_put(self, indices, value);
    });
  }
  NABLA_CHECK(nabla::is_floating_point(dtype()) || !nabla::is_floating_point(value.dtype()),
              "index_put_: a ", value.dtype(), " value cannot be written into a ", dtype(),
              " tensor");
  write(*this, indices, value);
  impl()->storage()->bump_version();
  return *this;
}

}  // namespace nabla

// Indexing ops and their gradients: index_select and gather scatter the gradient back to the
// positions they read (adding where an index repeats); scatter and index_add gather it from the
// positions they wrote; masked_fill and masked_select are where and index_select underneath;
// nonzero and one_hot have no gradient.
#include <nabla/autograd/in_place.h>
#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/factory.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;

struct IndexBackward final : Node {
  IndexBackward(const Tensor& x, int64_t dim, bool is_gather)
      : input_shape(x.sizes()), dim(dim), is_gather(is_gather) {}
  const char* name() const override { return is_gather ? "GatherBackward" : "IndexSelectBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    // A 0-dim input (gather only) has one element, which the 0-dim index (always 0) read: the
    // gradient passes through. scatter_add_ needs at least one dim, so it is not used here.
    if (input_shape.empty()) return {grad, Tensor()};
    Tensor g = native::full(input_shape, 0, grad.dtype(), grad.device());
    const Tensor idx = index.unpack(*this);
    if (is_gather) {
      native::scatter_add_(g, dim, idx, native::contiguous(grad));
    } else {
      native::index_add_(g, dim, idx, grad);
    }
    return {g, Tensor()};
  }
  void release_saved() override { index.reset(); }
  SavedTensor index;
  Shape input_shape;
  int64_t dim;
  bool is_gather;
};

// grad.gather(dim, index), zero-padded out to src's shape where index was smaller.
Tensor gathered_grad(const Tensor& grad, int64_t dim, const Tensor& index, const Shape& src_shape) {
  const Tensor picked = grad.dim() == 0 ? grad : native::gather(grad, dim, index);
  if (picked.sizes() == src_shape) return picked;
  Tensor padded = native::full(src_shape, 0, grad.dtype(), grad.device());
  Tensor window = padded;
  for (int64_t d = 0; d < index.dim(); ++d) window = native::narrow(window, d, 0, index.size(d));
  native::copy_(window, picked);
  return padded;
}

// scatter: positions written lose self's gradient (accumulate keeps it) and src's gradient is
// what reached the positions it went to.
struct ScatterBackward final : Node {
  ScatterBackward(int64_t dim, bool accumulate, Shape src_shape)
      : dim(dim), accumulate(accumulate), src_shape(std::move(src_shape)) {}
  const char* name() const override {
    return accumulate ? "ScatterAddBackward" : "ScatterBackward";
  }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor idx = index.unpack(*this);
    Tensor grad_self = grad;
    if (!accumulate && needs_input_grad(0)) {
      grad_self = native::clone(grad);
      native::scatter_(grad_self, dim, idx,
                       native::full(idx.sizes(), 0, grad.dtype(), grad.device()), false);
    }
    std::vector<Tensor> grads{needs_input_grad(0) ? grad_self : Tensor(), Tensor()};
    if (next_edges().size() > 2) {
      grads.push_back(needs_input_grad(2) ? gathered_grad(grad, dim, idx, src_shape) : Tensor());
    }
    return grads;
  }
  void release_saved() override { index.reset(); }
  SavedTensor index;
  int64_t dim;
  bool accumulate;
  Shape src_shape;
};

struct IndexAddBackward final : Node {
  IndexAddBackward(int64_t dim, double alpha) : dim(dim), alpha(alpha) {}
  const char* name() const override { return "IndexAddBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    Tensor grad_source;
    if (needs_input_grad(2)) {
      grad_source = native::index_select(grad, dim, index.unpack(*this));
      if (alpha != 1.0) grad_source = native::binary(BinaryOp::Mul, grad_source, alpha);
    }
    return {needs_input_grad(0) ? grad : Tensor(), Tensor(), grad_source};
  }
  void release_saved() override { index.reset(); }
  SavedTensor index;
  int64_t dim;
  double alpha;
};

Tensor scatter_op(const char* op, const Tensor& self, int64_t dim, const Tensor& index,
                  const Tensor& src, bool accumulate, bool src_is_value) {
  native::check_defined(op, self);
  native::check_defined(op, src);
  NABLA_CHECK(src.dtype() == self.dtype(), op, ": source dtype ", src.dtype(),
              " differs from self's ", self.dtype());
  Tensor out = native::clone(self);
  native::scatter_(out, dim, index, src, accumulate, op);
  const int64_t d = wrap_dim(dim, std::max<int64_t>(self.dim(), 1), op);
  std::shared_ptr<ScatterBackward> node =
      src_is_value
          ? record<ScatterBackward>(out, {&self, &index}, d, accumulate, src.sizes())
          : record<ScatterBackward>(out, {&self, &index, &src}, d, accumulate, src.sizes());
  if (node) node->index.save(index);
  return out;
}

}  // namespace

Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_op("scatter", self, dim, index, src, false, false);
}

Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value) {
  native::check_defined("scatter", self);
  native::check_defined("scatter", index);
  const Tensor src = native::full(index.sizes(), value, self.dtype(), self.device());
  return scatter_op("scatter", self, dim, index, src, false, true);
}

Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_op("scatter_add", self, dim, index, src, true, false);
}

Tensor index_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                 const Scalar& alpha) {
  native::check_defined("index_add", self);
  native::check_defined("index_add", source);
  NABLA_CHECK(source.dtype() == self.dtype(), "index_add: source dtype ", source.dtype(),
              " differs from self's ", self.dtype());
  Tensor out = native::clone(self);
  native::index_add_(
      out, dim, index,
      alpha.to_double() == 1.0 ? source : native::binary(BinaryOp::Mul, source, alpha));
  if (auto node = record<IndexAddBackward>(
          out, {&self, &index, &source},
          wrap_dim(dim, std::max<int64_t>(self.dim(), 1), "index_add"), alpha.to_double())) {
    node->index.save(index);
  }
  return out;
}

Tensor masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value) {
  native::check_defined("masked_fill", self);
  native::check_defined("masked_fill", mask);
  native::check_defined("masked_fill", value);
  NABLA_CHECK(mask.dtype() == kBool, "masked_fill: expected a bool mask, got ", mask.dtype());
  NABLA_CHECK(value.dim() == 0, "masked_fill: the value must be a 0-dim tensor, got shape ",
              value.sizes());
  NABLA_CHECK(broadcast_shapes(self.sizes(), mask.sizes(), "masked_fill") == self.sizes(),
              "masked_fill: mask of shape ", mask.sizes(), " does not broadcast to self's shape ",
              self.sizes());
  // The result keeps self's dtype, as in PyTorch (the value is cast).
  const Tensor v = value.dtype() == self.dtype() ? value : value.to(self.dtype());
  return where(mask, v, self);
}

Tensor masked_fill(const Tensor& self, const Tensor& mask, const Scalar& value) {
  native::check_defined("masked_fill", self);
  return masked_fill(self, mask, native::scalar_tensor(value, self.dtype(), self.device()));
}

Tensor masked_select(const Tensor& self, const Tensor& mask) {
  native::check_defined("masked_select", self);
  native::check_defined("masked_select", mask);
  NABLA_CHECK(mask.dtype() == kBool, "masked_select: expected a bool mask, got ", mask.dtype());
  const Shape shape = broadcast_shapes(self.sizes(), mask.sizes(), "masked_select");
  const Tensor positions = nonzero(reshape(native::expand(mask, shape), {-1}));
  return index_select(reshape(self.expand(shape), {-1}), 0, reshape(positions, {-1}));
}

Tensor nonzero(const Tensor& x) {
  native::check_defined("nonzero", x);
  const int64_t n = x.numel(), rank = x.dim();
  const TensorOptions int64_on(TensorOptions(kInt64).device(x.device()));
  const Tensor flat = native::reshape(native::binary(BinaryOp::Ne, x, int64_t{0}), {n});
  // Each nonzero element's rank among the nonzeros, from a cumulative count; the last count is
  // the result's length, the one value read back.
  const Tensor count = native::scan(ScanOp::Sum, flat, 0, kInt64);
  const int64_t total = n == 0 ? 0 : native::narrow(count, 0, n - 1, 1).item<int64_t>();
  // Every element scatters its flat position to its rank; the zeros all go to one spare slot
  // past the end, which is cut off.
  const Tensor slot = native::where(flat, native::binary(BinaryOp::Sub, count, int64_t{1}),
                                    native::scalar_tensor(total, kInt64, x.device()));
  Tensor positions = native::full({total + 1}, 0, kInt64, x.device());
  if (n > 0) native::scatter_(positions, 0, slot, arange(n, int64_on), false, "nonzero");
  positions = native::narrow(positions, 0, 0, total);
  // Flat positions to coordinates, one column per dim.
  Tensor coords = native::empty({total, rank}, kInt64, x.device());
  int64_t stride = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    const Tensor along = native::binary(BinaryOp::DivTrunc, positions, stride);
    native::copy_(native::select(coords, 1, d),
                  native::binary(BinaryOp::Remainder, along, x.size(d)));
    stride *= x.size(d);
  }
  return coords;
}

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  Tensor y = native::index_select(x, dim, index);
  if (auto node = record<IndexBackward>(y, {&x, &index}, x, wrap_dim(dim, x.dim(), "index_select"),
                                        false)) {
    node->index.save(index);
  }
  return y;
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  Tensor y = native::gather(x, dim, index);
  // Recorded for 0-dim inputs too: skipping them left the output without a gradient.
  if (auto node =
          record<IndexBackward>(y, {&x, &index}, x, wrap_dim(dim, x.dim(), "gather"), true)) {
    node->index.save(index);
  }
  return y;
}

Tensor one_hot(const Tensor& labels, int64_t num_classes) {
  return native::one_hot(labels, num_classes);
}

Tensor Tensor::scatter(int64_t dim, const Tensor& index, const Tensor& src) const {
  return nabla::scatter(*this, dim, index, src);
}
Tensor Tensor::scatter(int64_t dim, const Tensor& index, const Scalar& value) const {
  return nabla::scatter(*this, dim, index, value);
}
Tensor Tensor::scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const {
  return nabla::scatter_add(*this, dim, index, src);
}
Tensor Tensor::index_add(int64_t dim, const Tensor& index, const Tensor& source,
                         const Scalar& alpha) const {
  return nabla::index_add(*this, dim, index, source, alpha);
}
Tensor Tensor::masked_fill(const Tensor& mask, const Scalar& value) const {
  return nabla::masked_fill(*this, mask, value);
}
Tensor Tensor::masked_fill(const Tensor& mask, const Tensor& value) const {
  return nabla::masked_fill(*this, mask, value);
}
Tensor Tensor::masked_select(const Tensor& mask) const {
  return nabla::masked_select(*this, mask);
}
Tensor Tensor::nonzero() const {
  return nabla::nonzero(*this);
}

Tensor& Tensor::scatter_(int64_t dim, const Tensor& index, const Tensor& src) {
  return autograd::apply_in_place("scatter_", *this, {&index, &src}, [&](const Tensor& self) {
    return nabla::scatter(self, dim, index, src);
  });
}
Tensor& Tensor::scatter_(int64_t dim, const Tensor& index, const Scalar& value) {
  return autograd::apply_in_place("scatter_", *this, {&index}, [&](const Tensor& self) {
    return nabla::scatter(self, dim, index, value);
  });
}
Tensor& Tensor::scatter_add_(int64_t dim, const Tensor& index, const Tensor& src) {
  return autograd::apply_in_place("scatter_add_", *this, {&index, &src}, [&](const Tensor& self) {
    return nabla::scatter_add(self, dim, index, src);
  });
}
Tensor& Tensor::index_add_(int64_t dim, const Tensor& index, const Tensor& source,
                           const Scalar& alpha) {
  return autograd::apply_in_place("index_add_", *this, {&index, &source}, [&](const Tensor& self) {
    return nabla::index_add(self, dim, index, source, alpha);
  });
}
Tensor& Tensor::masked_fill_(const Tensor& mask, const Scalar& value) {
  return autograd::apply_in_place("masked_fill_", *this, {&mask}, [&](const Tensor& self) {
    return nabla::masked_fill(self, mask, value);
  });
}
Tensor& Tensor::masked_fill_(const Tensor& mask, const Tensor& value) {
  return autograd::apply_in_place("masked_fill_", *this, {&mask, &value}, [&](const Tensor& self) {
    return nabla::masked_fill(self, mask, value);
  });
}

Tensor Tensor::index_select(int64_t dim, const Tensor& index) const {
  return nabla::index_select(*this, dim, index);
}
Tensor Tensor::gather(int64_t dim, const Tensor& index) const {
  return nabla::gather(*this, dim, index);
}

}  // namespace nabla

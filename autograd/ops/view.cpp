// Views, copies and conversions with their gradients. A view's gradient is the inverse view of the
// output gradient (or, for slices, the gradient written into zeros); expand, clone and to() pass it
// through unchanged and the engine sums, casts or moves it to fit the input.
#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

using autograd::Node;
using autograd::record;

// reshape, view, flatten, squeeze, unsqueeze: the gradient takes the input's shape back.
struct ReshapeBackward final : Node {
  ReshapeBackward(const char* op, const Shape& input_shape) : op(op), input_shape(input_shape) {}
  const char* name() const override { return op; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    return {native::reshape(grad, input_shape)};
  }
  const char* op;
  Shape input_shape;
};

struct PermuteBackward final : Node {
  explicit PermuteBackward(const Shape& dims) : inverse(Shape::filled(dims.size(), 0)) {
    for (int64_t i = 0; i < dims.size(); ++i) {
      inverse[wrap_dim(dims[i], dims.size(), "permute")] = i;
    }
  }
  const char* name() const override { return "PermuteBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    return {native::permute(grad, inverse)};
  }
  Shape inverse;
};

struct TransposeBackward final : Node {
  TransposeBackward(int64_t dim0, int64_t dim1) : dim0(dim0), dim1(dim1) {}
  const char* name() const override { return "TransposeBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    return {native::transpose(grad, dim0, dim1)};
  }
  int64_t dim0, dim1;
};

// slice, narrow, select: the gradient is written into zeros through the same view of them.
struct ViewIntoZerosBackward final : Node {
  ViewIntoZerosBackward(const char* op, const Shape& input_shape,
                        std::function<Tensor(const Tensor&)> same_view)
      : op(op), input_shape(input_shape), same_view(std::move(same_view)) {}
  const char* name() const override { return op; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    Tensor g = native::full(input_shape, 0, grad.dtype(), grad.device());
    native::copy_(same_view(g), grad);
    return {g};
  }
  const char* op;
  Shape input_shape;
  std::function<Tensor(const Tensor&)> same_view;
};

// expand, contiguous, clone, to(): the engine fits the gradient to the input.
struct PassThroughBackward final : Node {
  explicit PassThroughBackward(const char* op) : op(op) {}
  const char* name() const override { return op; }
  std::vector<Tensor> apply(const Tensor& grad) override { return {grad}; }
  const char* op;
};

Tensor reshaped(const char* backward_name, const Tensor& x, Tensor y) {
  record<ReshapeBackward>(y, {&x}, backward_name, x.sizes());
  return y;
}

Tensor passed_through(const char* backward_name, const Tensor& x, Tensor y) {
  // Ops that return their input unchanged (to() of the same dtype) add nothing to the graph.
  if (y.impl() != x.impl()) record<PassThroughBackward>(y, {&x}, backward_name);
  return y;
}

Tensor viewed_into_zeros(const char* backward_name, const Tensor& x, Tensor y,
                         std::function<Tensor(const Tensor&)> same_view) {
  record<ViewIntoZerosBackward>(y, {&x}, backward_name, x.sizes(), std::move(same_view));
  return y;
}

}  // namespace

Tensor reshape(const Tensor& x, const Shape& shape) {
  return reshaped("ReshapeBackward", x, native::reshape(x, shape));
}
Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  return reshaped("FlattenBackward", x, native::flatten(x, start_dim, end_dim));
}
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  Tensor y = native::transpose(x, dim0, dim1);
  record<TransposeBackward>(y, {&x}, dim0, dim1);
  return y;
}
Tensor permute(const Tensor& x, const Shape& dims) {
  Tensor y = native::permute(x, dims);
  record<PermuteBackward>(y, {&x}, dims);
  return y;
}
Tensor squeeze(const Tensor& x) {
  return reshaped("SqueezeBackward", x, native::squeeze(x));
}
Tensor squeeze(const Tensor& x, int64_t dim) {
  return reshaped("SqueezeBackward", x, native::squeeze(x, dim));
}
Tensor unsqueeze(const Tensor& x, int64_t dim) {
  return reshaped("UnsqueezeBackward", x, native::unsqueeze(x, dim));
}

Tensor Tensor::view(const Shape& shape) const {
  return reshaped("ViewBackward", *this, native::view(*this, shape));
}
Tensor Tensor::reshape(const Shape& shape) const {
  return nabla::reshape(*this, shape);
}
Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  return nabla::flatten(*this, start_dim, end_dim);
}
Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  return nabla::transpose(*this, dim0, dim1);
}
Tensor Tensor::t() const {
  NABLA_CHECK(dim() <= 2, "t: expected a tensor of at most 2 dims, got shape ", sizes());
  return dim() < 2 ? passed_through("TBackward", *this,
                                    native::as_strided(*this, sizes(), strides(), storage_offset()))
                   : nabla::transpose(*this, 0, 1);
}
Tensor Tensor::permute(const Shape& dims) const {
  return nabla::permute(*this, dims);
}
Tensor Tensor::slice(int64_t dim, int64_t start, int64_t end, int64_t step) const {
  return viewed_into_zeros(
      "SliceBackward", *this, native::slice(*this, dim, start, end, step),
      [=](const Tensor& g) { return native::slice(g, dim, start, end, step); });
}
Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length) const {
  return viewed_into_zeros("NarrowBackward", *this, native::narrow(*this, dim, start, length),
                           [=](const Tensor& g) { return native::narrow(g, dim, start, length); });
}
Tensor Tensor::select(int64_t dim, int64_t index) const {
  return viewed_into_zeros("SelectBackward", *this, native::select(*this, dim, index),
                           [=](const Tensor& g) { return native::select(g, dim, index); });
}
Tensor Tensor::squeeze() const {
  return nabla::squeeze(*this);
}
Tensor Tensor::squeeze(int64_t dim) const {
  return nabla::squeeze(*this, dim);
}
Tensor Tensor::unsqueeze(int64_t dim) const {
  return nabla::unsqueeze(*this, dim);
}
Tensor Tensor::expand(const Shape& shape) const {
  return passed_through("ExpandBackward", *this, native::expand(*this, shape));
}
Tensor Tensor::contiguous() const {
  return passed_through("ContiguousBackward", *this, native::contiguous(*this));
}
Tensor Tensor::clone() const {
  return passed_through("CloneBackward", *this, native::clone(*this));
}
Tensor Tensor::to(ScalarType dtype) const {
  return passed_through("ToCopyBackward", *this, native::to(*this, dtype));
}
Tensor Tensor::to(Device device) const {
  return passed_through("ToCopyBackward", *this, native::to(*this, device));
}
Tensor Tensor::to(Device device, ScalarType dtype) const {
  return to(device).to(dtype);
}

}  // namespace nabla

// Reductions and their gradients: sum, mean, max/min (whole tensor and amax/amin, where ties share
// the gradient equally, and along a dim with indices, where the chosen index gets it all) and
// argmax/argmin, which have no gradient.
#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;

// The dims a reduction removed, ascending (all dims when `dims` is empty).
Shape reduced_dims(const Tensor& x, const Shape& dims) {
  bool mask[kMaxDims] = {};
  for (int64_t d : dims) mask[wrap_dim(d, x.dim(), "reduce")] = true;
  Shape result;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (dims.empty() || mask[d]) result.push_back(d);
  }
  return result;
}

// Puts back the reduced dims (size 1) that keepdim=false removed, so `grad` broadcasts to the
// input.
Tensor restore_dims(Tensor grad, const Shape& reduced, bool keepdim) {
  if (keepdim) return grad;
  for (int64_t d : reduced) grad = native::unsqueeze(grad, d);
  return grad;
}

struct SumBackward final : Node {
  SumBackward(const Tensor& x, const Shape& dims, bool keepdim, double scale)
      : input_shape(x.sizes()), reduced(reduced_dims(x, dims)), keepdim(keepdim), scale(scale) {}
  const char* name() const override { return scale == 1 ? "SumBackward" : "MeanBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    Tensor g = native::expand(restore_dims(grad, reduced, keepdim), input_shape);
    return {scale == 1 ? g : g * scale};
  }
  Shape input_shape, reduced;
  bool keepdim;
  double scale;
};

// amax/amin and max()/min(): the gradient is shared equally by every element equal to the result.
struct ExtremumBackward final : Node {
  ExtremumBackward(const Tensor& x, const Shape& dims, bool keepdim, bool is_max)
      : reduced(reduced_dims(x, dims)), keepdim(keepdim), is_max(is_max) {}
  const char* name() const override { return is_max ? "AmaxBackward" : "AminBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor x = self.unpack(*this);
    const Tensor winners =
        (x == restore_dims(result.unpack(*this), reduced, keepdim)).to(x.dtype());
    const Tensor count = native::sum(winners, reduced, true);
    return {winners * restore_dims(grad, reduced, keepdim) / count};
  }
  void release_saved() override {
    self.reset();
    result.reset();
  }
  SavedTensor self, result;
  Shape reduced;
  bool keepdim, is_max;
};

// max(x, dim) and min(x, dim): the gradient goes to the element the index picked.
struct SelectedIndexBackward final : Node {
  SelectedIndexBackward(const Tensor& x, int64_t dim, bool keepdim, bool is_max)
      : input_shape(x.sizes()), dim(dim), keepdim(keepdim), is_max(is_max) {}
  const char* name() const override { return is_max ? "MaxBackward" : "MinBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor index = indices.unpack(*this);
    Tensor g = native::full(input_shape, 0, grad.dtype(), grad.device());
    native::scatter_add_(g, dim, restore_dims(index, {dim}, keepdim),
                         restore_dims(grad, {dim}, keepdim));
    return {g};
  }
  void release_saved() override { indices.reset(); }
  SavedTensor indices;
  Shape input_shape;
  int64_t dim;
  bool keepdim, is_max;
};

Tensor extremum(const Tensor& x, const Shape& dims, bool keepdim, bool is_max) {
  Tensor y = is_max ? native::amax(x, dims, keepdim) : native::amin(x, dims, keepdim);
  if (auto node = record<ExtremumBackward>(y, {&x}, x, dims, keepdim, is_max)) {
    node->self.save(x);
    node->result.save(y);
  }
  return y;
}

std::tuple<Tensor, Tensor> extremum_along(const Tensor& x, int64_t dim, bool keepdim, bool is_max) {
  auto [values, indices] = is_max ? native::max(x, dim, keepdim) : native::min(x, dim, keepdim);
  if (x.dim() == 0) {
    record<SumBackward>(values, {&x}, x, Shape{}, true, 1.0);  // the value is x itself
  } else if (auto node = record<SelectedIndexBackward>(
                 values, {&x}, x, wrap_dim(dim, x.dim(), "max"), keepdim, is_max)) {
    node->indices.save(indices);
  }
  return {values, indices};
}

}  // namespace

Tensor sum(const Tensor& x) {
  return sum(x, {}, false);
}
Tensor sum(const Tensor& x, const Shape& dims, bool keepdim) {
  Tensor y = native::sum(x, dims, keepdim);
  record<SumBackward>(y, {&x}, x, dims, keepdim, 1.0);
  return y;
}

Tensor mean(const Tensor& x) {
  return mean(x, {}, false);
}
Tensor mean(const Tensor& x, const Shape& dims, bool keepdim) {
  Tensor y = native::mean(x, dims, keepdim);
  const int64_t count = y.numel() == 0 ? 0 : x.numel() / y.numel();
  record<SumBackward>(y, {&x}, x, dims, keepdim, count == 0 ? 0.0 : 1.0 / count);
  return y;
}

Tensor sum(const Tensor& x, ScalarType dtype) {
  return sum(x.to(dtype));
}
Tensor sum(const Tensor& x, const Shape& dims, bool keepdim, ScalarType dtype) {
  return sum(x.to(dtype), dims, keepdim);
}
Tensor mean(const Tensor& x, ScalarType dtype) {
  return mean(x.to(dtype));
}
Tensor mean(const Tensor& x, const Shape& dims, bool keepdim, ScalarType dtype) {
  return mean(x.to(dtype), dims, keepdim);
}

Tensor max(const Tensor& x) {
  return extremum(x, {}, false, true);
}
Tensor min(const Tensor& x) {
  return extremum(x, {}, false, false);
}
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  return extremum_along(x, dim, keepdim, true);
}
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  return extremum_along(x, dim, keepdim, false);
}
// As in PyTorch, an empty dims list reduces over every dim.
Tensor amax(const Tensor& x, const Shape& dims, bool keepdim) {
  return extremum(x, dims, keepdim, true);
}
Tensor amin(const Tensor& x, const Shape& dims, bool keepdim) {
  return extremum(x, dims, keepdim, false);
}
Tensor argmax(const Tensor& x) {
  return native::argmax(x, std::nullopt, false);
}
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
  return native::argmax(x, dim, keepdim);
}
Tensor argmin(const Tensor& x) {
  return native::argmin(x, std::nullopt, false);
}
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim) {
  return native::argmin(x, dim, keepdim);
}

Tensor Tensor::sum() const {
  return nabla::sum(*this);
}
Tensor Tensor::sum(const Shape& dims, bool keepdim) const {
  return nabla::sum(*this, dims, keepdim);
}
Tensor Tensor::mean() const {
  return nabla::mean(*this);
}
Tensor Tensor::mean(const Shape& dims, bool keepdim) const {
  return nabla::mean(*this, dims, keepdim);
}
Tensor Tensor::sum(ScalarType dtype) const {
  return nabla::sum(*this, dtype);
}
Tensor Tensor::sum(const Shape& dims, bool keepdim, ScalarType dtype) const {
  return nabla::sum(*this, dims, keepdim, dtype);
}
Tensor Tensor::mean(ScalarType dtype) const {
  return nabla::mean(*this, dtype);
}
Tensor Tensor::mean(const Shape& dims, bool keepdim, ScalarType dtype) const {
  return nabla::mean(*this, dims, keepdim, dtype);
}
Tensor Tensor::max() const {
  return nabla::max(*this);
}
Tensor Tensor::min() const {
  return nabla::min(*this);
}
std::tuple<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const {
  return nabla::max(*this, dim, keepdim);
}
std::tuple<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const {
  return nabla::min(*this, dim, keepdim);
}
Tensor Tensor::amax(const Shape& dims, bool keepdim) const {
  return nabla::amax(*this, dims, keepdim);
}
Tensor Tensor::amin(const Shape& dims, bool keepdim) const {
  return nabla::amin(*this, dims, keepdim);
}
Tensor Tensor::argmax() const {
  return nabla::argmax(*this);
}
Tensor Tensor::argmax(int64_t dim, bool keepdim) const {
  return nabla::argmax(*this, dim, keepdim);
}
Tensor Tensor::argmin() const {
  return nabla::argmin(*this);
}
Tensor Tensor::argmin(int64_t dim, bool keepdim) const {
  return nabla::argmin(*this, dim, keepdim);
}

}  // namespace nabla

// Statistics over dims and their gradients: prod, var, std and var_mean (with Bessel's
// correction as an argument), norm (p = 1, 2, inf, -inf, 0 or any positive p; "fro" is 2),
// logsumexp, and all, any and count_nonzero, which have no gradient. Most are compositions of
// differentiable ops, so their gradients follow.
#include <algorithm>
#include <cmath>

#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/factory.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;

// How many elements each result of a reduction over `dims` folds.
int64_t count_over(const Tensor& x, const Shape& dims) {
  if (dims.empty()) return x.numel();
  int64_t count = 1;
  for (int64_t d : dims) count *= x.size(wrap_dim(d, x.dim(), "reduce"));
  return count;
}

// prod's gradient is the product of the other elements: prod / x where x != 0. A group with one
// zero sends the product of the rest to that zero's position; with two or more, everything is 0.
struct ProdBackward final : Node {
  ProdBackward(const Shape& dims, bool keepdim) : dims(dims), keepdim(keepdim) {}
  const char* name() const override { return "ProdBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor x = self.unpack(*this);
    Shape all = dims;
    if (all.empty()) {
      for (int64_t d = 0; d < x.dim(); ++d) all.push_back(d);
    }
    Tensor g = grad, product = result.unpack(*this);
    if (!keepdim) {
      Shape sorted = all;
      for (int64_t& d : sorted) d = wrap_dim(d, x.dim(), "prod");
      std::sort(sorted.begin(), sorted.end());
      for (int64_t d : sorted) {
        g = g.unsqueeze(d);
        product = product.unsqueeze(d);
      }
    }
    const Tensor is_zero = x == 0;
    const Tensor zeros = native::sum(is_zero, all, true);
    const Tensor others = native::prod(where(is_zero, ones_like(x), x), all, true);
    const Tensor no_zero = g * product / where(is_zero, ones_like(x), x);
    const Tensor one_zero = where(is_zero, g * others, zeros_like(x));
    return {where(zeros == 0, no_zero, where(zeros == 1, one_zero, zeros_like(x)))};
  }
  void release_saved() override {
    self.reset();
    result.reset();
  }
  SavedTensor self, result;
  Shape dims;
  bool keepdim;
};

}  // namespace

Tensor prod(const Tensor& x) {
  return prod(x, {}, false);
}
Tensor prod(const Tensor& x, const Shape& dims, bool keepdim) {
  Tensor y = native::prod(x, dims, keepdim);
  if (auto node = record<ProdBackward>(y, {&x}, dims, keepdim)) {
    node->self.save(x);
    node->result.save(y);
  }
  return y;
}

Tensor var(const Tensor& x, const Shape& dims, int64_t correction, bool keepdim) {
  native::check_defined("var", x);
  NABLA_CHECK(x.is_floating_point(), "var: expected a floating point input, got ", x.dtype());
  const Tensor centered = x - x.mean(dims, /*keepdim=*/true);
  // Dividing by n - correction; n <= correction gives inf or nan, as in PyTorch.
  const double divisor = static_cast<double>(count_over(x, dims) - correction);
  return (centered * centered).sum(dims, keepdim) / divisor;
}

Tensor std(const Tensor& x, const Shape& dims, int64_t correction, bool keepdim) {
  return sqrt(var(x, dims, correction, keepdim));
}

std::tuple<Tensor, Tensor> var_mean(const Tensor& x, const Shape& dims, int64_t correction,
                                    bool keepdim) {
  return {var(x, dims, correction, keepdim), x.mean(dims, keepdim)};
}

Tensor norm(const Tensor& x, double p, const Shape& dims, bool keepdim) {
  native::check_defined("norm", x);
  NABLA_CHECK(x.is_floating_point(), "norm: expected a floating point input, got ", x.dtype());
  const Tensor magnitude = x.abs();
  if (std::isinf(p)) return p > 0 ? magnitude.amax(dims, keepdim) : magnitude.amin(dims, keepdim);
  if (p == 0) return (x != 0).to(x.dtype()).sum(dims, keepdim);
  NABLA_CHECK(p > 0, "norm: p must be positive, 0 or infinite, got ", p);
  if (p == 1) return magnitude.sum(dims, keepdim);
  if (p == 2) return sqrt((x * x).sum(dims, keepdim));
  return magnitude.pow(p).sum(dims, keepdim).pow(1.0 / p);
}

Tensor norm(const Tensor& x, const std::string& p, const Shape& dims, bool keepdim) {
  NABLA_CHECK(p == "fro", "norm: the only named norm is \"fro\", got \"", p, "\"");
  return norm(x, 2.0, dims, keepdim);
}

Tensor logsumexp(const Tensor& x, const Shape& dims, bool keepdim) {
  native::check_defined("logsumexp", x);
  const Tensor input = x.is_floating_point() ? x : x.to(default_float_dtype());
  // Shifted by the maximum so that exp neither overflows nor loses everything; an infinite
  // maximum (all -inf, or a +inf) is not shifted by, or inf - inf would make NaN.
  const Tensor peak = input.detach().amax(dims, /*keepdim=*/true);
  const Tensor shift = where(isinf(peak), zeros_like(peak), peak);
  Tensor result = log(exp(input - shift).sum(dims, /*keepdim=*/true)) + shift;
  if (!keepdim) {
    Shape shape;
    Shape reduced = dims;
    for (int64_t& d : reduced) d = wrap_dim(d, input.dim(), "logsumexp");
    for (int64_t d = 0; d < input.dim(); ++d) {
      const bool gone =
          dims.empty() || std::find(reduced.begin(), reduced.end(), d) != reduced.end();
      if (!gone) shape.push_back(input.size(d));
    }
    result = result.reshape(shape);
  }
  return result;
}

Tensor all(const Tensor& x) {
  return all(x, {}, false);
}
Tensor all(const Tensor& x, const Shape& dims, bool keepdim) {
  native::check_defined("all", x);
  return native::amin(x.dtype() == kBool ? x : x != 0, dims, keepdim);
}
Tensor any(const Tensor& x) {
  return any(x, {}, false);
}
Tensor any(const Tensor& x, const Shape& dims, bool keepdim) {
  native::check_defined("any", x);
  return native::amax(x.dtype() == kBool ? x : x != 0, dims, keepdim);
}
Tensor count_nonzero(const Tensor& x, const Shape& dims) {
  native::check_defined("count_nonzero", x);
  return native::sum(x != 0, dims, false);
}

Tensor Tensor::prod() const {
  return nabla::prod(*this);
}
Tensor Tensor::prod(const Shape& dims, bool keepdim) const {
  return nabla::prod(*this, dims, keepdim);
}
Tensor Tensor::var(const Shape& dims, int64_t correction, bool keepdim) const {
  return nabla::var(*this, dims, correction, keepdim);
}
Tensor Tensor::std(const Shape& dims, int64_t correction, bool keepdim) const {
  return nabla::std(*this, dims, correction, keepdim);
}
Tensor Tensor::norm(double p, const Shape& dims, bool keepdim) const {
  return nabla::norm(*this, p, dims, keepdim);
}
Tensor Tensor::logsumexp(const Shape& dims, bool keepdim) const {
  return nabla::logsumexp(*this, dims, keepdim);
}
Tensor Tensor::all() const {
  return nabla::all(*this);
}
Tensor Tensor::any() const {
  return nabla::any(*this);
}

}  // namespace nabla

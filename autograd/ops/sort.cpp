// Sorting and scans with their gradients. sort and topk return values gathered by their indices,
// so the gradient scatters back through gather's backward. cumsum's gradient is the reversed
// cumulative sum of the incoming gradient; cumprod's divides by the input only before a row's
// first zero and treats that zero apart, so that zeros give exact gradients instead of NaN.
#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/factory.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;

// x reversed along dim.
Tensor reversed(const Tensor& x, int64_t dim) {
  const int64_t n = x.size(dim);
  if (n < 2) return x;
  return native::index_select(x, dim,
                              arange(n - 1, -1, -1, TensorOptions(kInt64).device(x.device())));
}

// sum_{j >= i} x_j along dim.
Tensor reverse_cumsum(const Tensor& x, int64_t dim) {
  return reversed(native::scan(ScanOp::Sum, reversed(x, dim), dim, std::nullopt), dim);
}

struct CumsumBackward final : Node {
  CumsumBackward(int64_t dim, ScalarType input_dtype) : dim(dim), input_dtype(input_dtype) {}
  const char* name() const override { return "CumsumBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    if (grad.dim() == 0) return {native::to(grad, input_dtype)};
    return {native::to(reverse_cumsum(grad, dim), input_dtype)};
  }
  int64_t dim;
  ScalarType input_dtype;
};

struct CumprodBackward final : Node {
  explicit CumprodBackward(int64_t dim) : dim(dim) {}
  const char* name() const override { return "CumprodBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor x = self.unpack(*this), out = result.unpack(*this);
    if (x.dim() == 0) return {grad};
    using native::binary;
    const Tensor zero = binary(BinaryOp::Eq, x, 0.0);
    const Tensor zeros_so_far = native::scan(ScanOp::Sum, zero, dim, std::nullopt);
    const Tensor before_zero = binary(BinaryOp::Eq, zeros_so_far, int64_t{0});
    const Tensor first_zero =
        binary(BinaryOp::LogicalAnd, zero, binary(BinaryOp::Eq, zeros_so_far, int64_t{1}));
    const Tensor one = native::full({}, 1, x.dtype(), x.device());
    // Before the first zero: sum_{j >= i} grad_j out_j / x_i.
    const Tensor safe_x = native::where(zero, one, x);
    const Tensor before =
        binary(BinaryOp::Div, reverse_cumsum(binary(BinaryOp::Mul, grad, out), dim), safe_x);
    // At it: sum_{j >= z} grad_j prod_{k <= j, k != z} x_k, the cumulative product with that
    // zero taken as 1.
    const Tensor without_zero =
        native::scan(ScanOp::Prod, native::where(first_zero, one, x), dim, std::nullopt);
    const Tensor at = reverse_cumsum(binary(BinaryOp::Mul, grad, without_zero), dim);
    // After it every product has the zero in it.
    const Tensor nothing = native::full({}, 0, x.dtype(), x.device());
    return {native::where(before_zero, before, native::where(first_zero, at, nothing))};
  }
  void release_saved() override {
    self.reset();
    result.reset();
  }
  SavedTensor self, result;
  int64_t dim;
};

Tensor scan_op(ScanOp op, const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  Tensor y = native::scan(op, x, dim, dtype);
  const int64_t d =
      wrap_dim(dim, std::max<int64_t>(x.dim(), 1), op == ScanOp::Sum ? "cumsum" : "cumprod");
  if (op == ScanOp::Sum) {
    record<CumsumBackward>(y, {&x}, d, x.dtype());
  } else if (auto node = record<CumprodBackward>(y, {&x}, d)) {
    // Saved in the output's dtype, in which the backward computes.
    node->self.save(native::to(x, y.dtype()));
    node->result.save(y);
  }
  return y;
}

}  // namespace

std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim, bool descending) {
  Tensor indices = std::get<1>(native::sort(x, dim, descending));
  return {gather(x, x.dim() == 0 ? 0 : dim, indices), indices};
}

Tensor argsort(const Tensor& x, int64_t dim, bool descending) {
  return std::get<1>(native::sort(x, dim, descending));
}

std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim, bool largest,
                                bool sorted) {
  native::check_defined("topk", x);
  const int64_t d = wrap_dim(dim, std::max<int64_t>(x.dim(), 1), "topk");
  const int64_t n = x.dim() == 0 ? 1 : x.size(d);
  NABLA_CHECK(k >= 0 && k <= n, "topk: k = ", k, " is out of range for dim ", d, " of size ", n,
              " (input shape ", x.sizes(), ")");
  // A stable full sort: ties keep their order, so both devices pick the same elements. (sorted is
  // accepted for libtorch's signature; the result is always sorted.)
  (void)sorted;
  const Tensor order = std::get<1>(native::sort(x, d, largest));
  const Tensor indices = x.dim() == 0 ? order : native::contiguous(native::narrow(order, d, 0, k));
  return {gather(x, x.dim() == 0 ? 0 : d, indices), indices};
}

Tensor cumsum(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  return scan_op(ScanOp::Sum, x, dim, dtype);
}

Tensor cumprod(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  return scan_op(ScanOp::Prod, x, dim, dtype);
}

std::tuple<Tensor, Tensor> Tensor::sort(int64_t dim, bool descending) const {
  return nabla::sort(*this, dim, descending);
}
Tensor Tensor::argsort(int64_t dim, bool descending) const {
  return nabla::argsort(*this, dim, descending);
}
std::tuple<Tensor, Tensor> Tensor::topk(int64_t k, int64_t dim, bool largest, bool sorted) const {
  return nabla::topk(*this, k, dim, largest, sorted);
}
Tensor Tensor::cumsum(int64_t dim, std::optional<ScalarType> dtype) const {
  return nabla::cumsum(*this, dim, dtype);
}
Tensor Tensor::cumprod(int64_t dim, std::optional<ScalarType> dtype) const {
  return nabla::cumprod(*this, dim, dtype);
}

}  // namespace nabla

// Pooling and its gradients: max pooling sends each output's gradient to where its maximum came
// from (the saved indices); average pooling spreads it over the window. A 3-D input [C, H, W] is
// one unbatched sample, as in PyTorch.
#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/native.h>

namespace nabla {

namespace detail {
native::Pair expand_pair(const char* op, const char* what, const Shape& values);  // conv.cpp
}  // namespace detail

namespace {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;

struct MaxPool2dBackward final : Node {
  explicit MaxPool2dBackward(const Shape& input_shape) : input_shape(input_shape) {}
  const char* name() const override { return "MaxPool2dBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    return {native::max_pool2d_backward(grad, indices.unpack(*this), input_shape)};
  }
  void release_saved() override { indices.reset(); }
  SavedTensor indices;
  Shape input_shape;
};

struct AvgPool2dBackward final : Node {
  AvgPool2dBackward(const math::Pool2dShape& shape, const Shape& input_shape)
      : shape(shape), input_shape(input_shape) {}
  const char* name() const override {
    return shape.kind == math::PoolKind::AdaptiveAvg ? "AdaptiveAvgPool2dBackward"
                                                     : "AvgPool2dBackward";
  }
  std::vector<Tensor> apply(const Tensor& grad) override {
    return {native::avg_pool2d_backward(grad, shape, input_shape)};
  }
  math::Pool2dShape shape;
  Shape input_shape;
};

// Runs `op` on a batch of one when the input is an unbatched [C, H, W] sample.
template <typename Op>
auto on_batch(const Tensor& input, Op op) {
  if (input.defined() && input.dim() == 3) {
    auto result = op(input.unsqueeze(0));
    if constexpr (std::is_same_v<decltype(result), Tensor>) {
      return result.squeeze(0);
    } else {
      return decltype(result){std::get<0>(result).squeeze(0), std::get<1>(result).squeeze(0)};
    }
  }
  return op(input);
}

Tensor average(const Tensor& input, const math::Pool2dShape& shape) {
  Tensor y = std::get<0>(native::pool2d(input, shape));
  record<AvgPool2dBackward>(y, {&input}, shape, input.sizes());
  return y;
}

// Max pooling; the int64 indices (as large as the output) are computed only when asked for or
// when the backward will need them.
std::tuple<Tensor, Tensor> max_pool2d_impl(const Tensor& input, const Shape& kernel_size,
                                           const Shape& stride, const Shape& padding,
                                           const Shape& dilation, bool ceil_mode,
                                           bool want_indices) {
  return on_batch(input, [&](const Tensor& x) {
    const char* op = "max_pool2d";
    const native::Pair kernel = detail::expand_pair(op, "kernel_size", kernel_size);
    const math::Pool2dShape shape =
        native::pool2d_shape(op, x, math::PoolKind::Max, kernel,
                             stride.empty() ? kernel : detail::expand_pair(op, "stride", stride),
                             detail::expand_pair(op, "padding", padding),
                             detail::expand_pair(op, "dilation", dilation), ceil_mode);
    const bool recording = autograd::should_record({&x});
    auto [y, indices] = native::pool2d(x, shape, want_indices || recording);
    if (auto node = record<MaxPool2dBackward>(y, {&x}, x.sizes())) node->indices.save(indices);
    return std::tuple<Tensor, Tensor>{y, indices};
  });
}

}  // namespace

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const Shape& kernel_size,
                                                   const Shape& stride, const Shape& padding,
                                                   const Shape& dilation, bool ceil_mode) {
  return max_pool2d_impl(input, kernel_size, stride, padding, dilation, ceil_mode, true);
}

Tensor max_pool2d(const Tensor& input, const Shape& kernel_size, const Shape& stride,
                  const Shape& padding, const Shape& dilation, bool ceil_mode) {
  return std::get<0>(
      max_pool2d_impl(input, kernel_size, stride, padding, dilation, ceil_mode, false));
}

Tensor avg_pool2d(const Tensor& input, const Shape& kernel_size, const Shape& stride,
                  const Shape& padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override) {
  return on_batch(input, [&](const Tensor& x) {
    const char* op = "avg_pool2d";
    NABLA_CHECK(!divisor_override || *divisor_override > 0, op,
                ": divisor_override must be positive, got ", *divisor_override);
    const native::Pair kernel = detail::expand_pair(op, "kernel_size", kernel_size);
    math::Pool2dShape shape =
        native::pool2d_shape(op, x, math::PoolKind::Avg, kernel,
                             stride.empty() ? kernel : detail::expand_pair(op, "stride", stride),
                             detail::expand_pair(op, "padding", padding), {1, 1}, ceil_mode);
    shape.count_include_pad = count_include_pad;
    shape.divisor_override = divisor_override.value_or(0);
    return average(x, shape);
  });
}

Tensor adaptive_avg_pool2d(const Tensor& input, const Shape& output_size) {
  return on_batch(input, [&](const Tensor& x) {
    const char* op = "adaptive_avg_pool2d";
    return average(x, native::adaptive_pool2d_shape(
                          op, x, detail::expand_pair(op, "output_size", output_size)));
  });
}

}  // namespace nabla

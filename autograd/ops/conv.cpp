// conv2d and its gradient: the input's and the weight's from the backend's backward passes, the
// bias's as the sum of the output gradient over batch and positions. A 3-D input [C, H, W] is one
// unbatched sample, as in PyTorch.
#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;

struct Conv2dBackward final : Node {
  explicit Conv2dBackward(const math::Conv2dShape& shape) : shape(shape) {}
  const char* name() const override { return "Conv2dBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    Tensor grad_input, grad_weight, grad_bias;
    if (needs_input_grad(0)) {
      grad_input = native::conv2d_backward_input(grad, weight.unpack(*this), shape);
    }
    if (needs_input_grad(1)) {
      grad_weight = native::conv2d_backward_weight(grad, input.unpack(*this), shape);
    }
    if (needs_input_grad(2)) grad_bias = native::sum(grad, {0, 2, 3}, false);
    return {grad_input, grad_weight, grad_bias};
  }
  void release_saved() override {
    input.reset();
    weight.reset();
  }
  SavedTensor input, weight;
  math::Conv2dShape shape;
};

}  // namespace

namespace detail {
native::Pair expand_pair(const char* op, const char* what, const Shape& values) {
  NABLA_CHECK(values.size() == 1 || values.size() == 2, op, ": ", what,
              " must have one or two values (height, width), got ", values);
  return {values[0], values[values.size() - 1]};
}
}  // namespace detail

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, const Shape& stride,
              const Shape& padding, const Shape& dilation, int64_t groups) {
  native::check_defined("conv2d", input);
  if (input.dim() == 3) {
    return conv2d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0);
  }
  const math::Conv2dShape shape =
      native::conv2d_shape(input, weight, bias, detail::expand_pair("conv2d", "stride", stride),
                           detail::expand_pair("conv2d", "padding", padding),
                           detail::expand_pair("conv2d", "dilation", dilation), groups);
  Tensor y = native::conv2d(input, weight, bias, shape);
  if (auto node = record<Conv2dBackward>(y, {&input, &weight, &bias}, shape)) {
    if (node->needs_input_grad(1)) node->input.save(input);
    if (node->needs_input_grad(0)) node->weight.save(weight);
  }
  return y;
}

}  // namespace nabla

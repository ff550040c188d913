// Convolution and pooling over NCHW tensors: every argument checked (and named in the error)
// before a backend sees it, the geometry computed once (core/math/conv.h, pooling.h), inputs made
// contiguous, then one backend call per pass.
#include <sstream>

#include <nabla/core/native.h>

namespace nabla::native {
namespace {

std::string pair_string(const Pair& p) {
  std::ostringstream out;
  out << "[" << p[0] << ", " << p[1] << "]";
  return out.str();
}

void check_floating_4d(const char* op, const Tensor& input) {
  check_defined(op, input);
  NABLA_CHECK(input.dim() == 4, op,
              ": expected a 4-D input [batch, channels, height, width], got shape ", input.sizes());
  NABLA_CHECK(input.is_floating_point(), op, ": expected a floating point input, got ",
              input.dtype());
  // An empty batch is fine; empty channels or planes have nothing to slide a window over.
  NABLA_CHECK(input.size(1) > 0 && input.size(2) > 0 && input.size(3) > 0, op,
              ": expected non-empty channels, height and width, got input shape ", input.sizes());
}

// Whether some output position along a dim reads no input at all (a dilated window that falls
// entirely in the padding): its maximum would have nowhere to come from.
bool has_empty_window(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t pad,
                      int64_t dilation) {
  for (int64_t o = 0; o < out; ++o) {
    bool any = false;
    for (int64_t k = 0; k < kernel && !any; ++k) {
      const int64_t i = o * stride - pad + k * dilation;
      any = i >= 0 && i < in;
    }
    if (!any) return true;
  }
  return false;
}

}  // namespace

math::Conv2dShape conv2d_shape(const Tensor& input, const Tensor& weight, const Tensor& bias,
                               const Pair& stride, const Pair& padding, const Pair& dilation,
                               int64_t groups) {
  check_floating_4d("conv2d", input);
  check_defined("conv2d", weight);
  check_same_device("conv2d", input, weight);
  NABLA_CHECK(weight.dim() == 4,
              "conv2d: expected a 4-D weight [out_channels, in_channels / groups, "
              "kernel_height, kernel_width], got shape ",
              weight.sizes());
  NABLA_CHECK(weight.dtype() == input.dtype(), "conv2d: input (", input.dtype(), ") and weight (",
              weight.dtype(), ") must have one dtype");
  NABLA_CHECK(groups > 0, "conv2d: groups must be positive, got ", groups);
  NABLA_CHECK(stride[0] > 0 && stride[1] > 0, "conv2d: stride must be positive, got ",
              pair_string(stride));
  NABLA_CHECK(dilation[0] > 0 && dilation[1] > 0, "conv2d: dilation must be positive, got ",
              pair_string(dilation));
  NABLA_CHECK(padding[0] >= 0 && padding[1] >= 0, "conv2d: padding must be non-negative, got ",
              pair_string(padding));
  math::Conv2dShape s{};
  s.batch = input.size(0);
  s.in_channels = input.size(1);
  s.in_h = input.size(2);
  s.in_w = input.size(3);
  s.out_channels = weight.size(0);
  s.kernel_h = weight.size(2);
  s.kernel_w = weight.size(3);
  s.stride_h = stride[0];
  s.stride_w = stride[1];
  s.pad_h = padding[0];
  s.pad_w = padding[1];
  s.dilation_h = dilation[0];
  s.dilation_w = dilation[1];
  s.groups = groups;
  NABLA_CHECK(s.out_channels % groups == 0, "conv2d: out_channels (", s.out_channels,
              ", weight shape ", weight.sizes(), ") must be divisible by groups (", groups, ")");
  NABLA_CHECK(s.in_channels == weight.size(1) * groups, "conv2d: input shape ", input.sizes(),
              " has ", s.in_channels, " channels, but weight shape ", weight.sizes(),
              " with groups ", groups, " expects ", weight.size(1) * groups);
  NABLA_CHECK(s.kernel_h > 0 && s.kernel_w > 0, "conv2d: the weight's kernel is empty (shape ",
              weight.sizes(), ")");
  const int64_t reach_h = s.dilation_h * (s.kernel_h - 1) + 1;
  const int64_t reach_w = s.dilation_w * (s.kernel_w - 1) + 1;
  NABLA_CHECK(reach_h <= s.in_h + 2 * s.pad_h && reach_w <= s.in_w + 2 * s.pad_w,
              "conv2d: the kernel ", s.kernel_h, "x", s.kernel_w, " (dilation ",
              pair_string(dilation), ") is larger than the padded input ", s.in_h + 2 * s.pad_h,
              "x", s.in_w + 2 * s.pad_w, " (input shape ", input.sizes(), ", padding ",
              pair_string(padding), ")");
  s.out_h = math::conv_output_size(s.in_h, s.kernel_h, s.stride_h, s.pad_h, s.dilation_h);
  s.out_w = math::conv_output_size(s.in_w, s.kernel_w, s.stride_w, s.pad_w, s.dilation_w);
  if (bias.defined()) {
    check_same_device("conv2d", input, bias);
    NABLA_CHECK(bias.dim() == 1 && bias.size(0) == s.out_channels && bias.dtype() == input.dtype(),
                "conv2d: expected a bias of shape [", s.out_channels, "] and dtype ", input.dtype(),
                ", got shape ", bias.sizes(), " and dtype ", bias.dtype());
  }
  return s;
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const math::Conv2dShape& s) {
  Tensor out = empty({s.batch, s.out_channels, s.out_h, s.out_w}, input.dtype(), input.device());
  if (out.numel() > 0) {
    backend_for(input.device())
        .conv2d(contiguous(input), contiguous(weight), bias.defined() ? contiguous(bias) : bias, s,
                out);
  }
  return out;
}

Tensor conv2d_backward_input(const Tensor& grad_out, const Tensor& weight,
                             const math::Conv2dShape& s) {
  Tensor grad_input =
      empty({s.batch, s.in_channels, s.in_h, s.in_w}, weight.dtype(), weight.device());
  if (grad_input.numel() == 0) return grad_input;
  if (grad_out.numel() == 0) {
    fill_(grad_input, 0);
    return grad_input;
  }
  backend_for(weight.device())
      .conv2d_backward_input(contiguous(to(grad_out, weight.dtype())), contiguous(weight), s,
                             grad_input);
  return grad_input;
}

Tensor conv2d_backward_weight(const Tensor& grad_out, const Tensor& input,
                              const math::Conv2dShape& s) {
  Tensor grad_weight = empty({s.out_channels, s.in_per_group(), s.kernel_h, s.kernel_w},
                             input.dtype(), input.device());
  if (grad_out.numel() == 0) {
    fill_(grad_weight, 0);
    return grad_weight;
  }
  backend_for(input.device())
      .conv2d_backward_weight(contiguous(to(grad_out, input.dtype())), contiguous(input), s,
                              grad_weight);
  return grad_weight;
}

math::Pool2dShape pool2d_shape(const char* op, const Tensor& input, math::PoolKind kind,
                               const Pair& kernel, const Pair& stride, const Pair& padding,
                               const Pair& dilation, bool ceil_mode) {
  check_floating_4d(op, input);
  NABLA_CHECK(kernel[0] > 0 && kernel[1] > 0, op, ": kernel_size must be positive, got ",
              pair_string(kernel));
  NABLA_CHECK(stride[0] > 0 && stride[1] > 0, op, ": stride must be positive, got ",
              pair_string(stride));
  NABLA_CHECK(dilation[0] > 0 && dilation[1] > 0, op, ": dilation must be positive, got ",
              pair_string(dilation));
  NABLA_CHECK(padding[0] >= 0 && padding[1] >= 0 && padding[0] * 2 <= kernel[0] &&
                  padding[1] * 2 <= kernel[1],
              op, ": padding must be non-negative and at most half the kernel size, got padding ",
              pair_string(padding), " for kernel_size ", pair_string(kernel));
  math::Pool2dShape s{};
  s.kind = kind;
  s.planes = input.size(0) * input.size(1);
  s.in_h = input.size(2);
  s.in_w = input.size(3);
  s.kernel_h = kernel[0];
  s.kernel_w = kernel[1];
  s.stride_h = stride[0];
  s.stride_w = stride[1];
  s.pad_h = padding[0];
  s.pad_w = padding[1];
  s.dilation_h = dilation[0];
  s.dilation_w = dilation[1];
  s.count_include_pad = true;
  s.out_h =
      math::pool_output_size(s.in_h, s.kernel_h, s.stride_h, s.pad_h, s.dilation_h, ceil_mode);
  s.out_w =
      math::pool_output_size(s.in_w, s.kernel_w, s.stride_w, s.pad_w, s.dilation_w, ceil_mode);
  NABLA_CHECK(s.out_h > 0 && s.out_w > 0, op, ": the input ", s.in_h, "x", s.in_w, " (shape ",
              input.sizes(), ") is too small for kernel_size ", pair_string(kernel), ", dilation ",
              pair_string(dilation), " and padding ", pair_string(padding),
              ": the output would be ", s.out_h, "x", s.out_w);
  NABLA_CHECK(!has_empty_window(s.in_h, s.out_h, s.kernel_h, s.stride_h, s.pad_h, s.dilation_h) &&
                  !has_empty_window(s.in_w, s.out_w, s.kernel_w, s.stride_w, s.pad_w, s.dilation_w),
              op, ": with kernel_size ", pair_string(kernel), ", dilation ", pair_string(dilation),
              " and padding ", pair_string(padding), " some windows of input shape ", input.sizes(),
              " lie entirely in the padding");
  return s;
}

math::Pool2dShape adaptive_pool2d_shape(const char* op, const Tensor& input, const Pair& output) {
  check_floating_4d(op, input);
  NABLA_CHECK(output[0] > 0 && output[1] > 0, op, ": output_size must be positive, got ",
              pair_string(output));
  NABLA_CHECK(input.size(2) > 0 && input.size(3) > 0, op,
              ": expected an input with non-empty height and width, got shape ", input.sizes());
  math::Pool2dShape s{};
  s.kind = math::PoolKind::AdaptiveAvg;
  s.planes = input.size(0) * input.size(1);
  s.in_h = input.size(2);
  s.in_w = input.size(3);
  s.out_h = output[0];
  s.out_w = output[1];
  return s;
}

std::tuple<Tensor, Tensor> pool2d(const Tensor& input, const math::Pool2dShape& s,
                                  bool with_indices) {
  const Shape out_shape{input.size(0), input.size(1), s.out_h, s.out_w};
  Tensor out = empty(out_shape, input.dtype(), input.device());
  Tensor indices = s.kind == math::PoolKind::Max && with_indices
                       ? empty(out_shape, kInt64, input.device())
                       : Tensor();
  if (out.numel() > 0) backend_for(input.device()).pool2d(contiguous(input), s, out, indices);
  return {out, indices};
}

Tensor max_pool2d_backward(const Tensor& grad_out, const Tensor& indices,
                           const Shape& input_shape) {
  // Each output's gradient goes to the position its window's maximum came from: a scatter-add
  // into each flattened input plane (windows may overlap, so positions may repeat).
  Tensor grad_input = full(input_shape, 0, grad_out.dtype(), grad_out.device());
  if (grad_out.numel() == 0) return grad_input;
  const int64_t planes = input_shape[0] * input_shape[1];
  scatter_add_(reshape(grad_input, {planes, input_shape[2] * input_shape[3]}), 1,
               reshape(contiguous(indices), {planes, -1}),
               reshape(contiguous(grad_out), {planes, -1}));
  return grad_input;
}

Tensor avg_pool2d_backward(const Tensor& grad_out, const math::Pool2dShape& s,
                           const Shape& input_shape) {
  Tensor grad_input = empty(input_shape, grad_out.dtype(), grad_out.device());
  if (grad_input.numel() == 0) return grad_input;
  backend_for(grad_out.device()).avg_pool2d_backward(contiguous(grad_out), s, grad_input);
  return grad_input;
}

}  // namespace nabla::native

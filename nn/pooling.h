// Pooling layers over NCHW input (or an unbatched [C, H, W] sample): MaxPool2d, AvgPool2d and
// AdaptiveAvgPool2d, with libtorch's options, and their functional forms.
#pragma once

#include <optional>
#include <ostream>

#include <nabla/nn/expanding_array.h>
#include <nabla/nn/module.h>

namespace nabla::nn {

struct MaxPool2dOptions {
  MaxPool2dOptions(ExpandingArray<2> kernel_size)  // NOLINT: implicit, as in libtorch
      : kernel_size_(kernel_size), stride_(kernel_size) {}
  MaxPool2dOptions& stride(ExpandingArray<2> s) { return stride_ = s, *this; }
  MaxPool2dOptions& padding(ExpandingArray<2> p) { return padding_ = p, *this; }
  MaxPool2dOptions& dilation(ExpandingArray<2> d) { return dilation_ = d, *this; }
  MaxPool2dOptions& ceil_mode(bool c) { return ceil_mode_ = c, *this; }
  ExpandingArray<2> kernel_size_;
  ExpandingArray<2> stride_;  // the kernel size unless set
  ExpandingArray<2> padding_ = 0;
  ExpandingArray<2> dilation_ = 1;
  bool ceil_mode_ = false;
};

struct AvgPool2dOptions {
  AvgPool2dOptions(ExpandingArray<2> kernel_size)  // NOLINT: implicit, as in libtorch
      : kernel_size_(kernel_size), stride_(kernel_size) {}
  AvgPool2dOptions& stride(ExpandingArray<2> s) { return stride_ = s, *this; }
  AvgPool2dOptions& padding(ExpandingArray<2> p) { return padding_ = p, *this; }
  AvgPool2dOptions& ceil_mode(bool c) { return ceil_mode_ = c, *this; }
  AvgPool2dOptions& count_include_pad(bool c) { return count_include_pad_ = c, *this; }
  AvgPool2dOptions& divisor_override(std::optional<int64_t> d) {
    return divisor_override_ = d, *this;
  }
  ExpandingArray<2> kernel_size_;
  ExpandingArray<2> stride_;  // the kernel size unless set
  ExpandingArray<2> padding_ = 0;
  bool ceil_mode_ = false;
  bool count_include_pad_ = true;
  std::optional<int64_t> divisor_override_;
};

struct AdaptiveAvgPool2dOptions {
  AdaptiveAvgPool2dOptions(ExpandingArray<2> output_size)  // NOLINT: implicit, as in libtorch
      : output_size_(output_size) {}
  ExpandingArray<2> output_size_;
};

namespace functional {
using MaxPool2dFuncOptions = MaxPool2dOptions;
using AvgPool2dFuncOptions = AvgPool2dOptions;
using AdaptiveAvgPool2dFuncOptions = AdaptiveAvgPool2dOptions;
Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& options);
// The pooled tensor and each maximum's position h * W + w in its input plane.
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input,
                                                   const MaxPool2dFuncOptions& options);
Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& options);
Tensor adaptive_avg_pool2d(const Tensor& input, const AdaptiveAvgPool2dFuncOptions& options);
}  // namespace functional

class MaxPool2dImpl : public Module {
 public:
  explicit MaxPool2dImpl(ExpandingArray<2> kernel_size)
      : MaxPool2dImpl(MaxPool2dOptions(kernel_size)) {}
  explicit MaxPool2dImpl(const MaxPool2dOptions& options) : Module("MaxPool2d"), options(options) {}
  Tensor forward(const Tensor& input) const { return functional::max_pool2d(input, options); }
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input) const {
    return functional::max_pool2d_with_indices(input, options);
  }
  void pretty_print(std::ostream& out) const override;
  MaxPool2dOptions options;
};
NABLA_MODULE(MaxPool2d);

class AvgPool2dImpl : public Module {
 public:
  explicit AvgPool2dImpl(ExpandingArray<2> kernel_size)
      : AvgPool2dImpl(AvgPool2dOptions(kernel_size)) {}
  explicit AvgPool2dImpl(const AvgPool2dOptions& options) : Module("AvgPool2d"), options(options) {}
  Tensor forward(const Tensor& input) const { return functional::avg_pool2d(input, options); }
  void pretty_print(std::ostream& out) const override;
  AvgPool2dOptions options;
};
NABLA_MODULE(AvgPool2d);

class AdaptiveAvgPool2dImpl : public Module {
 public:
  explicit AdaptiveAvgPool2dImpl(ExpandingArray<2> output_size)
      : AdaptiveAvgPool2dImpl(AdaptiveAvgPool2dOptions(output_size)) {}
  explicit AdaptiveAvgPool2dImpl(const AdaptiveAvgPool2dOptions& options)
      : Module("AdaptiveAvgPool2d"), options(options) {}
  Tensor forward(const Tensor& input) const {
    return functional::adaptive_avg_pool2d(input, options);
  }
  void pretty_print(std::ostream& out) const override;
  AdaptiveAvgPool2dOptions options;
};
NABLA_MODULE(AdaptiveAvgPool2d);

}  // namespace nabla::nn

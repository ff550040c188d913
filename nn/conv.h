// nn::Conv2d: 2-D convolution over NCHW input (or an unbatched [C, H, W] sample), with weight
// [out_channels, in_channels / groups, kH, kW] and bias [out_channels], initialized as PyTorch
// does; and functional::conv2d.
#pragma once

#include <ostream>

#include <nabla/nn/expanding_array.h>
#include <nabla/nn/module.h>

namespace nabla::nn {

struct Conv2dOptions {
  Conv2dOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<2> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  Conv2dOptions& stride(ExpandingArray<2> s) { return stride_ = s, *this; }
  Conv2dOptions& padding(ExpandingArray<2> p) { return padding_ = p, *this; }
  Conv2dOptions& dilation(ExpandingArray<2> d) { return dilation_ = d, *this; }
  Conv2dOptions& groups(int64_t g) { return groups_ = g, *this; }
  Conv2dOptions& bias(bool b) { return bias_ = b, *this; }
  int64_t in_channels_, out_channels_;
  ExpandingArray<2> kernel_size_;
  ExpandingArray<2> stride_ = 1;
  ExpandingArray<2> padding_ = 0;
  ExpandingArray<2> dilation_ = 1;
  int64_t groups_ = 1;
  bool bias_ = true;
};

class Conv2dImpl : public Module {
 public:
  Conv2dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<2> kernel_size)
      : Conv2dImpl(Conv2dOptions(in_channels, out_channels, kernel_size)) {}
  explicit Conv2dImpl(const Conv2dOptions& options);
  Tensor forward(const Tensor& input) const;
  // Kaiming-uniform weights with a = sqrt(5), and U(-1/sqrt(fan_in), 1/sqrt(fan_in)) biases,
  // fan_in = in_channels / groups * kH * kW, as PyTorch.
  void reset_parameters();
  void pretty_print(std::ostream& out) const override;

  Conv2dOptions options;
  Tensor weight;
  Tensor bias;  // undefined without bias
};
NABLA_MODULE(Conv2d);

namespace functional {

struct Conv2dFuncOptions {
  Conv2dFuncOptions& bias(const Tensor& b) { return bias_ = b, *this; }
  Conv2dFuncOptions& stride(ExpandingArray<2> s) { return stride_ = s, *this; }
  Conv2dFuncOptions& padding(ExpandingArray<2> p) { return padding_ = p, *this; }
  Conv2dFuncOptions& dilation(ExpandingArray<2> d) { return dilation_ = d, *this; }
  Conv2dFuncOptions& groups(int64_t g) { return groups_ = g, *this; }
  Tensor bias_;
  ExpandingArray<2> stride_ = 1;
  ExpandingArray<2> padding_ = 0;
  ExpandingArray<2> dilation_ = 1;
  int64_t groups_ = 1;
};

Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& options = {});

}  // namespace functional
}  // namespace nabla::nn

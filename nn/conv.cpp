// nn::Conv2d's parameters, initialization and forward; functional::conv2d.
#include <nabla/nn/conv.h>

#include <cmath>

#include <nabla/autograd/ops.h>
#include <nabla/core/factory.h>
#include <nabla/nn/init.h>

namespace nabla::nn {

Conv2dImpl::Conv2dImpl(const Conv2dOptions& options) : Module("Conv2d"), options(options) {
  NABLA_CHECK(options.in_channels_ > 0 && options.out_channels_ > 0 && options.groups_ > 0,
              "Conv2d: in_channels, out_channels and groups must be positive, got ",
              options.in_channels_, ", ", options.out_channels_, " and ", options.groups_);
  NABLA_CHECK(
      options.in_channels_ % options.groups_ == 0 && options.out_channels_ % options.groups_ == 0,
      "Conv2d: in_channels (", options.in_channels_, ") and out_channels (", options.out_channels_,
      ") must be divisible by groups (", options.groups_, ")");
  NABLA_CHECK(options.kernel_size_[0] > 0 && options.kernel_size_[1] > 0,
              "Conv2d: kernel_size must be positive, got ", options.kernel_size_);
  weight = register_parameter("weight",
                              empty({options.out_channels_, options.in_channels_ / options.groups_,
                                     options.kernel_size_[0], options.kernel_size_[1]}));
  if (options.bias_) bias = register_parameter("bias", empty({options.out_channels_}));
  reset_parameters();
}

void Conv2dImpl::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double fan_in = static_cast<double>(init::calculate_fan_in_and_fan_out(weight).first);
    const double bound = 1.0 / std::sqrt(fan_in);
    init::uniform_(bias, -bound, bound);
  }
}

Tensor Conv2dImpl::forward(const Tensor& input) const {
  return nabla::conv2d(input, weight, bias, options.stride_.shape(), options.padding_.shape(),
                       options.dilation_.shape(), options.groups_);
}

void Conv2dImpl::pretty_print(std::ostream& out) const {
  out << "Conv2d(" << options.in_channels_ << ", " << options.out_channels_
      << ", kernel_size=" << options.kernel_size_ << ", stride=" << options.stride_;
  if (!options.padding_.all_equal(0)) out << ", padding=" << options.padding_;
  if (!options.dilation_.all_equal(1)) out << ", dilation=" << options.dilation_;
  if (options.groups_ != 1) out << ", groups=" << options.groups_;
  if (!options.bias_) out << ", bias=false";
  out << ")";
}

namespace functional {

Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& options) {
  return nabla::conv2d(input, weight, options.bias_, options.stride_.shape(),
                       options.padding_.shape(), options.dilation_.shape(), options.groups_);
}

}  // namespace functional
}  // namespace nabla::nn

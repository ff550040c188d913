// The pooling layers and their functional forms, over nabla::max_pool2d and friends.
#include <nabla/nn/pooling.h>

#include <nabla/autograd/ops.h>

namespace nabla::nn {
namespace functional {

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input,
                                                   const MaxPool2dFuncOptions& options) {
  return nabla::max_pool2d_with_indices(input, options.kernel_size_.shape(),
                                        options.stride_.shape(), options.padding_.shape(),
                                        options.dilation_.shape(), options.ceil_mode_);
}

Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& options) {
  return nabla::max_pool2d(input, options.kernel_size_.shape(), options.stride_.shape(),
                           options.padding_.shape(), options.dilation_.shape(), options.ceil_mode_);
}

Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& options) {
  return nabla::avg_pool2d(input, options.kernel_size_.shape(), options.stride_.shape(),
                           options.padding_.shape(), options.ceil_mode_, options.count_include_pad_,
                           options.divisor_override_);
}

Tensor adaptive_avg_pool2d(const Tensor& input, const AdaptiveAvgPool2dFuncOptions& options) {
  return nabla::adaptive_avg_pool2d(input, options.output_size_.shape());
}

}  // namespace functional

void MaxPool2dImpl::pretty_print(std::ostream& out) const {
  out << "MaxPool2d(kernel_size=" << options.kernel_size_ << ", stride=" << options.stride_
      << ", padding=" << options.padding_ << ", dilation=" << options.dilation_
      << ", ceil_mode=" << (options.ceil_mode_ ? "true" : "false") << ")";
}

void AvgPool2dImpl::pretty_print(std::ostream& out) const {
  out << "AvgPool2d(kernel_size=" << options.kernel_size_ << ", stride=" << options.stride_
      << ", padding=" << options.padding_ << ")";
}

void AdaptiveAvgPool2dImpl::pretty_print(std::ostream& out) const {
  out << "AdaptiveAvgPool2d(output_size=" << options.output_size_ << ")";
}

}  // namespace nabla::nn

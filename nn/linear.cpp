// nn::Linear's parameters and initialization.
#include <nabla/nn/linear.h>

#include <cmath>

#include <nabla/core/factory.h>
#include <nabla/nn/init.h>

namespace nabla::nn {

LinearImpl::LinearImpl(const LinearOptions& options) : Module("Linear"), options(options) {
  NABLA_CHECK(options.in_features_ > 0 && options.out_features_ > 0,
              "Linear: in_features and out_features must be positive, got ", options.in_features_,
              " and ", options.out_features_);
  weight = register_parameter("weight", empty({options.out_features_, options.in_features_}));
  if (options.bias_) bias = register_parameter("bias", empty({options.out_features_}));
  reset_parameters();
}

void LinearImpl::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(options.in_features_));
    init::uniform_(bias, -bound, bound);
  }
}

void LinearImpl::pretty_print(std::ostream& out) const {
  out << "Linear(in_features=" << options.in_features_ << ", out_features=" << options.out_features_
      << ", bias=" << (options.bias_ ? "true" : "false") << ")";
}

}  // namespace nabla::nn

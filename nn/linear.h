// nn::Linear: y = x W^T + b with weight [out_features, in_features], initialized as PyTorch does.
#pragma once

#include <ostream>

#include <nabla/nn/functional.h>
#include <nabla/nn/module.h>

namespace nabla::nn {

struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  LinearOptions& bias(bool b) { return bias_ = b, *this; }
  int64_t in_features_, out_features_;
  bool bias_ = true;
};

class LinearImpl : public Module {
 public:
  LinearImpl(int64_t in_features, int64_t out_features)
      : LinearImpl(LinearOptions(in_features, out_features)) {}
  explicit LinearImpl(const LinearOptions& options);
  Tensor forward(const Tensor& input) const { return functional::linear(input, weight, bias); }
  // Kaiming-uniform weights with a = sqrt(5), and U(-1/sqrt(in), 1/sqrt(in)) biases, as PyTorch.
  void reset_parameters();
  void pretty_print(std::ostream& out) const override;

  LinearOptions options;
  Tensor weight;
  Tensor bias;  // undefined without bias
};
NABLA_MODULE(Linear);

}  // namespace nabla::nn

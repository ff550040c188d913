// nn::LayerNorm: normalizes over the last dims (normalized_shape) of each sample with that
// sample's own mean and biased variance, then scales and shifts elementwise (weight and bias of
// normalized_shape, when elementwise_affine). The same in training and evaluation.
#pragma once

#include <vector>

#include <ostream>

#include <nabla/nn/module.h>

namespace nabla::nn {

struct LayerNormOptions {
  // A vector, as libtorch's, so that LayerNormOptions({4}) is not also read as a copy of
  // LayerNormOptions(Shape(4)).
  LayerNormOptions(std::vector<int64_t> normalized_shape)  // NOLINT: implicit, as in libtorch
      : normalized_shape_(normalized_shape) {}
  LayerNormOptions& eps(double e) { return eps_ = e, *this; }
  LayerNormOptions& elementwise_affine(bool a) { return elementwise_affine_ = a, *this; }
  Shape normalized_shape_;
  double eps_ = 1e-5;
  bool elementwise_affine_ = true;
};

namespace functional {
// (x - mean) / sqrt(var + eps) * weight + bias over the last normalized_shape.size() dims, which
// must equal normalized_shape; weight and bias may be undefined.
Tensor layer_norm(const Tensor& input, const Shape& normalized_shape,
                  const Tensor& weight = Tensor(), const Tensor& bias = Tensor(),
                  double eps = 1e-5);
}  // namespace functional

class LayerNormImpl : public Module {
 public:
  explicit LayerNormImpl(const LayerNormOptions& options);
  Tensor forward(const Tensor& input) const;
  // Weight 1 and bias 0.
  void reset_parameters();
  void pretty_print(std::ostream& out) const override;

  LayerNormOptions options;
  Tensor weight, bias;  // undefined without elementwise_affine
};
NABLA_MODULE(LayerNorm);

}  // namespace nabla::nn

// Shape layers: Flatten (dims start_dim..end_dim into one, keeping the batch dim by default), its
// inverse Unflatten (one dim into `sizes`), and Identity.
#pragma once

#include <ostream>

#include <nabla/autograd/ops.h>
#include <nabla/nn/module.h>

namespace nabla::nn {

class FlattenImpl : public Module {
 public:
  explicit FlattenImpl(int64_t start_dim = 1, int64_t end_dim = -1)
      : Module("Flatten"), start_dim(start_dim), end_dim(end_dim) {}
  Tensor forward(const Tensor& input) const { return flatten(input, start_dim, end_dim); }
  void pretty_print(std::ostream& out) const override {
    out << "Flatten(start_dim=" << start_dim << ", end_dim=" << end_dim << ")";
  }
  int64_t start_dim, end_dim;
};
NABLA_MODULE(Flatten);

class UnflattenImpl : public Module {
 public:
  UnflattenImpl(int64_t dim, const Shape& sizes) : Module("Unflatten"), dim(dim), sizes(sizes) {}
  Tensor forward(const Tensor& input) const {
    const int64_t d = wrap_dim(dim, input.dim(), "Unflatten");
    Shape shape;
    for (int64_t i = 0; i < input.dim(); ++i) {
      if (i != d) {
        shape.push_back(input.size(i));
      } else {
        for (int64_t s : sizes) shape.push_back(s);
      }
    }
    NABLA_CHECK(sizes.numel() == input.size(d), "Unflatten: sizes ", sizes, " do not make dim ", d,
                " of size ", input.size(d), " (input shape ", input.sizes(), ")");
    return reshape(input, shape);
  }
  void pretty_print(std::ostream& out) const override {
    out << "Unflatten(dim=" << dim << ", unflattened_size=" << sizes << ")";
  }
  int64_t dim;
  Shape sizes;
};
NABLA_MODULE(Unflatten);

class IdentityImpl : public Module {
 public:
  IdentityImpl() : Module("Identity") {}
  Tensor forward(const Tensor& input) const { return input; }
  void pretty_print(std::ostream& out) const override { out << "Identity()"; }
};
NABLA_MODULE(Identity);

}  // namespace nabla::nn

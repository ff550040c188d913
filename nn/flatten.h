// Shape layers: Flatten (dims start_dim..end_dim into one, keeping the batch dim by default) and
// Identity.
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

class IdentityImpl : public Module {
 public:
  IdentityImpl() : Module("Identity") {}
  Tensor forward(const Tensor& input) const { return input; }
  void pretty_print(std::ostream& out) const override { out << "Identity()"; }
};
NABLA_MODULE(Identity);

}  // namespace nabla::nn

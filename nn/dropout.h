// nn::Dropout: inverted dropout, active only in training mode (see functional::dropout).
#pragma once

#include <ostream>

#include <nabla/nn/functional.h>
#include <nabla/nn/module.h>

namespace nabla::nn {

class DropoutImpl : public Module {
 public:
  explicit DropoutImpl(double p = 0.5) : Module("Dropout"), p(p) {
    NABLA_CHECK(p >= 0 && p <= 1, "Dropout: probability must be in [0, 1], got ", p);
  }
  Tensor forward(const Tensor& input) const { return functional::dropout(input, p, is_training()); }
  void pretty_print(std::ostream& out) const override { out << "Dropout(p=" << p << ")"; }
  double p;
};
NABLA_MODULE(Dropout);

}  // namespace nabla::nn

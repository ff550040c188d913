// Activation layers: ReLU, Sigmoid, Tanh, Threshold (the seed articles' step activation),
// Softmax and LogSoftmax along a dim, GELU, SiLU, LeakyReLU, ELU, Softplus, Hardtanh and Mish.
#pragma once

#include <ostream>
#include <string>
#include <utility>

#include <nabla/nn/functional.h>
#include <nabla/nn/module.h>

namespace nabla::nn {

class ReLUImpl : public Module {
 public:
  ReLUImpl() : Module("ReLU") {}
  Tensor forward(const Tensor& input) const { return functional::relu(input); }
  void pretty_print(std::ostream& out) const override { out << "ReLU()"; }
};
NABLA_MODULE(ReLU);

class SigmoidImpl : public Module {
 public:
  SigmoidImpl() : Module("Sigmoid") {}
  Tensor forward(const Tensor& input) const { return functional::sigmoid(input); }
  void pretty_print(std::ostream& out) const override { out << "Sigmoid()"; }
};
NABLA_MODULE(Sigmoid);

class TanhImpl : public Module {
 public:
  TanhImpl() : Module("Tanh") {}
  Tensor forward(const Tensor& input) const { return functional::tanh(input); }
  void pretty_print(std::ostream& out) const override { out << "Tanh()"; }
};
NABLA_MODULE(Tanh);

// y = x if x > threshold else value.
class ThresholdImpl : public Module {
 public:
  ThresholdImpl(double threshold, double value)
      : Module("Threshold"), threshold(threshold), value(value) {}
  Tensor forward(const Tensor& input) const {
    return functional::threshold(input, threshold, value);
  }
  void pretty_print(std::ostream& out) const override {
    out << "Threshold(threshold=" << threshold << ", value=" << value << ")";
  }
  double threshold, value;
};
NABLA_MODULE(Threshold);

class SoftmaxImpl : public Module {
 public:
  explicit SoftmaxImpl(int64_t dim) : Module("Softmax"), dim(dim) {}
  Tensor forward(const Tensor& input) const { return functional::softmax(input, dim); }
  void pretty_print(std::ostream& out) const override { out << "Softmax(dim=" << dim << ")"; }
  int64_t dim;
};
NABLA_MODULE(Softmax);

class LogSoftmaxImpl : public Module {
 public:
  explicit LogSoftmaxImpl(int64_t dim) : Module("LogSoftmax"), dim(dim) {}
  Tensor forward(const Tensor& input) const { return functional::log_softmax(input, dim); }
  void pretty_print(std::ostream& out) const override { out << "LogSoftmax(dim=" << dim << ")"; }
  int64_t dim;
};
NABLA_MODULE(LogSoftmax);

class GELUImpl : public Module {
 public:
  explicit GELUImpl(std::string approximate = "none")
      : Module("GELU"), approximate(std::move(approximate)) {
    NABLA_CHECK(this->approximate == "none" || this->approximate == "tanh",
                "GELU: approximate must be \"none\" or \"tanh\", got \"", this->approximate, "\"");
  }
  Tensor forward(const Tensor& input) const { return functional::gelu(input, approximate); }
  void pretty_print(std::ostream& out) const override {
    out << "GELU(approximate='" << approximate << "')";
  }
  std::string approximate;
};
NABLA_MODULE(GELU);

class SiLUImpl : public Module {
 public:
  SiLUImpl() : Module("SiLU") {}
  Tensor forward(const Tensor& input) const { return functional::silu(input); }
  void pretty_print(std::ostream& out) const override { out << "SiLU()"; }
};
NABLA_MODULE(SiLU);

class LeakyReLUImpl : public Module {
 public:
  explicit LeakyReLUImpl(double negative_slope = 0.01)
      : Module("LeakyReLU"), negative_slope(negative_slope) {}
  Tensor forward(const Tensor& input) const {
    return functional::leaky_relu(input, negative_slope);
  }
  void pretty_print(std::ostream& out) const override {
    out << "LeakyReLU(negative_slope=" << negative_slope << ")";
  }
  double negative_slope;
};
NABLA_MODULE(LeakyReLU);

class ELUImpl : public Module {
 public:
  explicit ELUImpl(double alpha = 1.0) : Module("ELU"), alpha(alpha) {}
  Tensor forward(const Tensor& input) const { return functional::elu(input, alpha); }
  void pretty_print(std::ostream& out) const override { out << "ELU(alpha=" << alpha << ")"; }
  double alpha;
};
NABLA_MODULE(ELU);

class SoftplusImpl : public Module {
 public:
  explicit SoftplusImpl(double beta = 1.0, double threshold = 20.0)
      : Module("Softplus"), beta(beta), threshold(threshold) {}
  Tensor forward(const Tensor& input) const { return functional::softplus(input, beta, threshold); }
  void pretty_print(std::ostream& out) const override {
    out << "Softplus(beta=" << beta << ", threshold=" << threshold << ")";
  }
  double beta, threshold;
};
NABLA_MODULE(Softplus);

class HardtanhImpl : public Module {
 public:
  explicit HardtanhImpl(double min_val = -1.0, double max_val = 1.0)
      : Module("Hardtanh"), min_val(min_val), max_val(max_val) {
    NABLA_CHECK(min_val <= max_val, "Hardtanh: min_val (", min_val, ") must not exceed max_val (",
                max_val, ")");
  }
  Tensor forward(const Tensor& input) const {
    return functional::hardtanh(input, min_val, max_val);
  }
  void pretty_print(std::ostream& out) const override {
    out << "Hardtanh(min_val=" << min_val << ", max_val=" << max_val << ")";
  }
  double min_val, max_val;
};
NABLA_MODULE(Hardtanh);

class MishImpl : public Module {
 public:
  MishImpl() : Module("Mish") {}
  Tensor forward(const Tensor& input) const { return functional::mish(input); }
  void pretty_print(std::ostream& out) const override { out << "Mish()"; }
};
NABLA_MODULE(Mish);

}  // namespace nabla::nn

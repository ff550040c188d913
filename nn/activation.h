// Activation layers: ReLU, Sigmoid, Tanh, Threshold (the seed articles' step activation),
// Softmax and LogSoftmax along a dim.
#pragma once

#include <ostream>

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

}  // namespace nabla::nn

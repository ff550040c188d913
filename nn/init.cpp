// nn::init's formulas.
#include <nabla/nn/init.h>

#include <cmath>

#include <nabla/autograd/grad_mode.h>
#include <nabla/core/native.h>

namespace nabla::nn::init {

double calculate_gain(Nonlinearity nonlinearity, double param) {
  switch (nonlinearity) {
    case Nonlinearity::Linear:
    case Nonlinearity::Sigmoid:
      return 1.0;
    case Nonlinearity::Tanh:
      return 5.0 / 3.0;
    case Nonlinearity::ReLU:
      return std::sqrt(2.0);
    case Nonlinearity::LeakyReLU:
      return std::sqrt(2.0 / (1.0 + param * param));
  }
  return 1.0;
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor) {
  NABLA_CHECK(tensor.dim() >= 2,
              "init: fan in and fan out need a tensor of at least 2 dims, got "
              "shape ",
              tensor.sizes());
  // The product of the dims after the first two (not numel / (size(0) * size(1)), which divides
  // by zero when either of those is 0).
  int64_t receptive = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) receptive *= tensor.size(d);
  return {tensor.size(1) * receptive, tensor.size(0) * receptive};
}

Tensor uniform_(Tensor tensor, double low, double high) {
  NoGradGuard no_grad;
  native::random_(tensor, RandomKind::Uniform, low, high);
  return tensor;
}

Tensor normal_(Tensor tensor, double mean, double std) {
  NoGradGuard no_grad;
  native::random_(tensor, RandomKind::Normal, mean, std);
  return tensor;
}

Tensor constant_(Tensor tensor, double value) {
  NoGradGuard no_grad;
  native::fill_(tensor, value);
  return tensor;
}

Tensor zeros_(Tensor tensor) {
  return constant_(tensor, 0.0);
}
Tensor ones_(Tensor tensor) {
  return constant_(tensor, 1.0);
}

namespace {
double kaiming_std(const Tensor& tensor, double a, FanMode mode, Nonlinearity nonlinearity) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  const int64_t fan = mode == FanMode::FanIn ? fan_in : fan_out;
  NABLA_CHECK(fan > 0, "init: cannot initialize a tensor with a zero-size fan, shape ",
              tensor.sizes());
  return calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan));
}

double xavier_std(const Tensor& tensor, double gain) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  return gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
}
}  // namespace

Tensor kaiming_uniform_(Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity) {
  const double bound = std::sqrt(3.0) * kaiming_std(tensor, a, mode, nonlinearity);
  return uniform_(tensor, -bound, bound);
}

Tensor kaiming_normal_(Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity) {
  return normal_(tensor, 0.0, kaiming_std(tensor, a, mode, nonlinearity));
}

Tensor xavier_uniform_(Tensor tensor, double gain) {
  const double bound = std::sqrt(3.0) * xavier_std(tensor, gain);
  return uniform_(tensor, -bound, bound);
}

Tensor xavier_normal_(Tensor tensor, double gain) {
  return normal_(tensor, 0.0, xavier_std(tensor, gain));
}

}  // namespace nabla::nn::init

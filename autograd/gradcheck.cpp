// gradcheck's finite differences. Each input element is nudged on a float64 copy of the inputs with
// grad mode off, so the numerical side never touches the graph the analytic side built.
#include <nabla/autograd/gradcheck.h>

#include <cmath>
#include <sstream>

#include <nabla/autograd/grad_mode.h>
#include <nabla/autograd/ops.h>
#include <nabla/core/factory.h>
#include <nabla/core/native.h>

namespace nabla::autograd {
namespace {

// Uneven weights, so that a gradient sent to the wrong output element shows up.
Tensor output_weights(const Tensor& out) {
  std::vector<double> w(out.numel());
  for (size_t k = 0; k < w.size(); ++k) w[k] = 1.0 + 0.5 * std::sin(1.7 * (k + 1));
  return native::reshape(tensor(w, TensorOptions(kFloat64).device(out.device())), out.sizes());
}

double weighted_sum(const Tensor& out, const Tensor& weights) {
  return native::sum(native::binary(BinaryOp::Mul, native::to(out, kFloat64), weights), {}, false)
      .item<double>();
}

std::string index_string(int64_t flat, const Shape& shape) {
  Shape index = Shape::filled(shape.size(), 0);
  for (int64_t d = shape.size() - 1; d >= 0; --d) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  std::ostringstream out;
  out << index;
  return out.str();
}

}  // namespace

GradcheckResult gradcheck(const GradcheckFunction& fn, const std::vector<Tensor>& inputs,
                          double eps, double atol, double rtol) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    NABLA_CHECK(inputs[i].defined(), "gradcheck: input ", i, " is undefined");
    NABLA_CHECK(!inputs[i].requires_grad() || inputs[i].dtype() == kFloat64, "gradcheck: input ", i,
                " is ", inputs[i].dtype(), "; finite differences need float64 inputs");
  }
  // Analytic: backward of the weighted sum, into fresh grads (the callers' grads are restored).
  std::vector<Tensor> saved_grads;
  for (const Tensor& input : inputs) {
    saved_grads.push_back(input.grad());
    if (input.requires_grad()) const_cast<Tensor&>(input).mutable_grad() = Tensor();
  }
  const Tensor out = fn(inputs);
  const Tensor weights = output_weights(out);
  std::vector<Tensor> analytic(inputs.size());
  if (out.requires_grad()) {
    sum(out.to(kFloat64) * weights).backward();
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad()) continue;
    analytic[i] = inputs[i].grad().defined() ? inputs[i].grad() : zeros_like(inputs[i]);
    const_cast<Tensor&>(inputs[i]).mutable_grad() = saved_grads[i];
  }

  // Numerical: central differences on detached copies.
  NoGradGuard no_grad;
  std::vector<Tensor> probe;
  for (const Tensor& input : inputs) probe.push_back(native::clone(input.detach()));
  GradcheckResult result{true, ""};
  double worst_ratio = -1;
  std::ostringstream worst;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad()) continue;
    const std::vector<double> analytic_values = analytic[i].to_vector<double>();
    const std::vector<double> originals = probe[i].to_vector<double>();
    // The probe is a contiguous clone: its elements are written in place, directly on the CPU and
    // through a one-element fill on a GPU.
    const Tensor flat = native::reshape(probe[i], {probe[i].numel()});
    auto set_element = [&](int64_t j, double value) {
      if (flat.is_cpu()) {
        flat.data_ptr<double>()[j] = value;
      } else {
        native::fill_(native::narrow(flat, 0, j, 1), value);
      }
    };
    for (int64_t j = 0; j < probe[i].numel(); ++j) {
      const double original = originals[j];
      set_element(j, original + eps);
      const double plus = weighted_sum(fn(probe), weights);
      set_element(j, original - eps);
      const double minus = weighted_sum(fn(probe), weights);
      set_element(j, original);
      const double numerical = (plus - minus) / (2 * eps);
      const double error = std::fabs(analytic_values[j] - numerical);
      const double tolerance = atol + rtol * std::fabs(numerical);
      const double ratio = error / tolerance;
      if (!(ratio <= 1)) result.ok = false;  // also catches NaN
      if (!(ratio <= worst_ratio)) {
        worst_ratio = ratio;
        worst.str("");
        worst << "input " << i << " (shape " << inputs[i].sizes() << ") element "
              << index_string(j, inputs[i].sizes()) << ": analytic " << analytic_values[j]
              << ", numerical " << numerical << ", |error| " << error << " vs tolerance "
              << tolerance;
      }
    }
  }
  result.report = std::string(result.ok ? "gradcheck passed; worst " : "gradcheck FAILED at ") +
                  (worst_ratio < 0 ? "nothing to check (no input requires grad)" : worst.str());
  return result;
}

}  // namespace nabla::autograd

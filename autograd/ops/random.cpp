// Random sampling beyond rand and randn, all drawn from the device's Philox stream so that a seed
// gives the same numbers on the CPU and on a GPU: integers, permutations, Bernoulli trials,
// categorical draws, and the in-place refills. None of them has a gradient.
#include <cmath>

#include <nabla/autograd/grad_mode.h>
#include <nabla/autograd/in_place.h>
#include <nabla/autograd/ops.h>
#include <nabla/core/factory.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

// Uniform float64 draws in [0, 1): 53 bits, enough to map onto any integer range nabla indexes.
Tensor uniform64(const Shape& sizes, Device device) {
  return native::random(sizes, RandomKind::Uniform, 0.0, 1.0, kFloat64, device);
}

}  // namespace

Tensor randint(int64_t low, int64_t high, const Shape& sizes, const TensorOptions& options) {
  NABLA_CHECK(low < high, "randint: expected low < high, got low = ", low, " and high = ", high);
  const ScalarType dtype = options.dtype_opt().value_or(kInt64);
  NABLA_CHECK(dtype != kBool, "randint: bool is not an integer range dtype");
  using native::binary;
  const double range = static_cast<double>(high) - static_cast<double>(low);
  // floor(low + u * range), kept below high where rounding of u * range reaches it.
  Tensor drawn = native::unary(UnaryOp::Floor,
                               binary(BinaryOp::Mul, uniform64(sizes, options.device()), range));
  drawn = native::clamp(binary(BinaryOp::Add, drawn, static_cast<double>(low)), std::nullopt,
                        static_cast<double>(high - 1));
  Tensor out = native::to(drawn, dtype);
  if (options.requires_grad()) out.set_requires_grad(true);
  return out;
}

Tensor randint(int64_t high, const Shape& sizes, const TensorOptions& options) {
  return randint(0, high, sizes, options);
}

Tensor randperm(int64_t n, const TensorOptions& options) {
  NABLA_CHECK(n >= 0, "randperm: n must be non-negative, got ", n);
  // The order of n random keys is a uniform permutation (ties, at 2^-53 apart, are as good as
  // impossible and would still give a permutation).
  const Tensor order = std::get<1>(native::sort(uniform64({n}, options.device()), 0, false));
  return native::to(order, options.dtype_opt().value_or(kInt64));
}

Tensor bernoulli(const Tensor& p) {
  native::check_defined("bernoulli", p);
  NABLA_CHECK(is_floating_point(p.dtype()), "bernoulli: expected floating probabilities, got ",
              p.dtype());
  const Tensor u = native::random(p.sizes(), RandomKind::Uniform, 0.0, 1.0, p.dtype(), p.device());
  return native::to(native::binary(BinaryOp::Lt, u, p), p.dtype());
}

Tensor bernoulli(const Tensor& x, double p) {
  native::check_defined("bernoulli", x);
  NABLA_CHECK(p >= 0 && p <= 1, "bernoulli: p must be in [0, 1], got ", p);
  NABLA_CHECK(is_floating_point(x.dtype()), "bernoulli: expected a floating tensor, got ",
              x.dtype());
  const Tensor u = native::random(x.sizes(), RandomKind::Uniform, 0.0, 1.0, x.dtype(), x.device());
  return native::to(native::binary(BinaryOp::Lt, u, p), x.dtype());
}

Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement) {
  native::check_defined("multinomial", probs);
  NABLA_CHECK(probs.dim() == 1 || probs.dim() == 2,
              "multinomial: expected 1-D or 2-D probabilities, got shape ", probs.sizes());
  NABLA_CHECK(is_floating_point(probs.dtype()),
              "multinomial: expected floating probabilities, got ", probs.dtype());
  const Tensor p = probs.dim() == 1 ? native::unsqueeze(probs, 0) : probs;
  const int64_t rows = p.size(0), n = p.size(1);
  NABLA_CHECK(n > 0, "multinomial: there are no categories (shape ", probs.sizes(), ")");
  NABLA_CHECK(num_samples > 0, "multinomial: num_samples must be positive, got ", num_samples);
  NABLA_CHECK(replacement || num_samples <= n, "multinomial: cannot draw ", num_samples,
              " samples without replacement from ", n, " categories");
  using native::binary;
  // The weights must be finite, non-negative and not all zero in a row: read back once.
  {
    const Tensor bad =
        binary(BinaryOp::LogicalOr, binary(BinaryOp::Lt, p, 0.0), logical_not(isfinite(p)));
    const Tensor positive = native::sum(binary(BinaryOp::Gt, p, 0.0), {1}, false);
    const Tensor checks = native::to(
        stack({native::sum(bad, {}, false), native::amin(positive, {0}, false)}, 0), kInt64);
    const Tensor host = native::to(checks, Device(kCPU));
    const int64_t* c = host.data_ptr<int64_t>();
    NABLA_CHECK(c[0] == 0, "multinomial: probabilities must be finite and non-negative (shape ",
                probs.sizes(), ")");
    NABLA_CHECK(c[1] > 0, "multinomial: a row of probabilities sums to zero (shape ", probs.sizes(),
                ")");
    NABLA_CHECK(replacement || c[1] >= num_samples, "multinomial: cannot draw ", num_samples,
                " samples without replacement from a row with only ", c[1],
                " nonzero probabilities");
  }
  const Tensor p64 = native::to(p, kFloat64);
  Tensor samples;
  if (replacement) {
    // Inverse CDF: sample s of row r is the number of categories whose cumulative weight is at
    // most u * total, the first category whose range holds the draw.
    const Tensor cdf = native::scan(ScanOp::Sum, p64, 1, std::nullopt);  // [R, n]
    const Tensor total = native::narrow(cdf, 1, n - 1, 1);               // [R, 1]
    const Tensor u = binary(BinaryOp::Mul, uniform64({rows, num_samples}, p.device()), total);
    const Tensor below = binary(BinaryOp::Le, native::unsqueeze(cdf, 1),  // [R, S, n]
                                native::unsqueeze(u, 2));
    samples = native::clamp(native::sum(below, {2}, false), std::nullopt, n - 1);
  } else {
    // Exponential races: category i finishes at E_i / p_i with E_i ~ Exp(1); the first
    // num_samples to finish are a draw without replacement weighted by p. Zero weights never
    // finish.
    const Tensor e = native::unary(
        UnaryOp::Neg, native::unary(UnaryOp::Log1p,
                                    native::unary(UnaryOp::Neg, uniform64({rows, n}, p.device()))));
    const Tensor finish = binary(BinaryOp::Div, e, p64);
    const Tensor order = std::get<1>(native::sort(finish, 1, false));
    samples = native::contiguous(native::narrow(order, 1, 0, num_samples));
  }
  samples = native::to(samples, kInt64);
  return probs.dim() == 1 ? native::squeeze(samples, 0) : samples;
}

Tensor& Tensor::normal_(double mean, double std) {
  NABLA_CHECK(std >= 0, "normal_: std must be non-negative, got ", std);
  autograd::check_in_place("normal_", *this);
  native::random_(*this, RandomKind::Normal, mean, std);
  return *this;
}

Tensor& Tensor::uniform_(double from, double to) {
  NABLA_CHECK(from <= to, "uniform_: expected from <= to, got from = ", from, " and to = ", to);
  autograd::check_in_place("uniform_", *this);
  native::random_(*this, RandomKind::Uniform, from, to);
  return *this;
}

Tensor& Tensor::bernoulli_(double p) {
  return autograd::apply_in_place("bernoulli_", *this, {},
                                  [&](const Tensor& self) { return nabla::bernoulli(self, p); });
}

}  // namespace nabla

// nn::functional: the layers and losses as plain functions (F::relu(x), F::cross_entropy(...)),
// which the modules call. All are differentiable.
#pragma once

#include <cstdint>
#include <string>

#include <nabla/core/tensor.h>

namespace nabla::nn {

// How a loss combines its per-element values.
enum class Reduction { None, Mean, Sum };
constexpr Reduction kNone = Reduction::None;
constexpr Reduction kMean = Reduction::Mean;
constexpr Reduction kSum = Reduction::Sum;

struct CrossEntropyOptions {
  Reduction reduction_ = kMean;
  int64_t ignore_index_ = -100;
  double label_smoothing_ = 0.0;
  CrossEntropyOptions& reduction(Reduction r) { return reduction_ = r, *this; }
  CrossEntropyOptions& ignore_index(int64_t i) { return ignore_index_ = i, *this; }
  CrossEntropyOptions& label_smoothing(double s) { return label_smoothing_ = s, *this; }
};

namespace functional {

// x @ weight^T + bias, with weight [out, in] as in nn::Linear.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor());
Tensor relu(const Tensor& input);
Tensor sigmoid(const Tensor& input);
Tensor tanh(const Tensor& input);
// The step activation: x where x > threshold, else value.
Tensor threshold(const Tensor& input, double threshold, double value);
// GELU: x Phi(x), exactly (approximate "none") or with the tanh approximation ("tanh").
Tensor gelu(const Tensor& input, const std::string& approximate = "none");
// x sigmoid(x)
Tensor silu(const Tensor& input);
// x where x > 0, else negative_slope x
Tensor leaky_relu(const Tensor& input, double negative_slope = 0.01);
// x where x > 0, else alpha (exp(x) - 1)
Tensor elu(const Tensor& input, double alpha = 1.0);
// log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (no overflow)
Tensor softplus(const Tensor& input, double beta = 1.0, double threshold = 20.0);
// x clamped to [min_val, max_val]
Tensor hardtanh(const Tensor& input, double min_val = -1.0, double max_val = 1.0);
// x tanh(softplus(x))
Tensor mish(const Tensor& input);
Tensor softmax(const Tensor& input, int64_t dim);
Tensor log_softmax(const Tensor& input, int64_t dim);
// Inverted dropout: in training, zeroes each element with probability p and scales the rest by
// 1 / (1 - p); the mask is drawn from the device's Philox generator. Identity otherwise.
Tensor dropout(const Tensor& input, double p, bool training);

// Cross entropy of logits [N, C] (or [C]) against int64 class indices [N] (or []), computed as a
// fused, stable log-softmax and negative log-likelihood.
Tensor cross_entropy(const Tensor& input, const Tensor& target,
                     const CrossEntropyOptions& options = {});
// Negative log-likelihood of log-probabilities [N, C] against class indices [N].
Tensor nll_loss(const Tensor& input, const Tensor& target, Reduction reduction = kMean,
                int64_t ignore_index = -100);
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = kMean);
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = kMean);
// Binary cross entropy of logits against targets in [0, 1], in the stable form
// max(x, 0) - x * y + log(1 + exp(-|x|)).
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        Reduction reduction = kMean);

}  // namespace functional
}  // namespace nabla::nn

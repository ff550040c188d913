// nn::functional: the layers and losses as plain functions (F::relu(x), F::cross_entropy(...)),
// which the modules call. All are differentiable.
#pragma once

#include <cstdint>
#include <string>

#include <nabla/core/tensor.h>

namespace nabla::nn {

// How a loss combines its per-element values. BatchMean (the sum over the batch size) is
// kl_div's alone.
enum class Reduction { None, Mean, Sum, BatchMean };
constexpr Reduction kNone = Reduction::None;
constexpr Reduction kMean = Reduction::Mean;
constexpr Reduction kSum = Reduction::Sum;
constexpr Reduction kBatchMean = Reduction::BatchMean;

// Options of the losses, named as libtorch's. A class `weight` is a [C] tensor of the input's
// dtype and device; weights are constants (no gradient flows into them).
struct CrossEntropyOptions {
  Reduction reduction_ = kMean;
  int64_t ignore_index_ = -100;
  double label_smoothing_ = 0.0;
  Tensor weight_;
  CrossEntropyOptions& reduction(Reduction r) { return reduction_ = r, *this; }
  CrossEntropyOptions& ignore_index(int64_t i) { return ignore_index_ = i, *this; }
  CrossEntropyOptions& label_smoothing(double s) { return label_smoothing_ = s, *this; }
  CrossEntropyOptions& weight(const Tensor& w) { return weight_ = w, *this; }
};
using CrossEntropyLossOptions = CrossEntropyOptions;

struct NLLLossOptions {
  Reduction reduction_ = kMean;
  int64_t ignore_index_ = -100;
  Tensor weight_;
  NLLLossOptions& reduction(Reduction r) { return reduction_ = r, *this; }
  NLLLossOptions& ignore_index(int64_t i) { return ignore_index_ = i, *this; }
  NLLLossOptions& weight(const Tensor& w) { return weight_ = w, *this; }
};

// `weight` rescales each element (broadcast to the input); `pos_weight` the positive term of
// each class (broadcast along the last dim), trading recall against precision.
struct BCEWithLogitsLossOptions {
  Reduction reduction_ = kMean;
  Tensor weight_, pos_weight_;
  BCEWithLogitsLossOptions& reduction(Reduction r) { return reduction_ = r, *this; }
  BCEWithLogitsLossOptions& weight(const Tensor& w) { return weight_ = w, *this; }
  BCEWithLogitsLossOptions& pos_weight(const Tensor& w) { return pos_weight_ = w, *this; }
};

struct BCELossOptions {
  Reduction reduction_ = kMean;
  Tensor weight_;
  BCELossOptions& reduction(Reduction r) { return reduction_ = r, *this; }
  BCELossOptions& weight(const Tensor& w) { return weight_ = w, *this; }
};

struct SmoothL1LossOptions {
  Reduction reduction_ = kMean;
  double beta_ = 1.0;
  SmoothL1LossOptions& reduction(Reduction r) { return reduction_ = r, *this; }
  SmoothL1LossOptions& beta(double b) { return beta_ = b, *this; }
};

struct HuberLossOptions {
  Reduction reduction_ = kMean;
  double delta_ = 1.0;
  HuberLossOptions& reduction(Reduction r) { return reduction_ = r, *this; }
  HuberLossOptions& delta(double d) { return delta_ = d, *this; }
};

struct KLDivLossOptions {
  Reduction reduction_ = kMean;
  bool log_target_ = false;
  KLDivLossOptions& reduction(Reduction r) { return reduction_ = r, *this; }
  KLDivLossOptions& log_target(bool l) { return log_target_ = l, *this; }
};

struct MarginRankingLossOptions {
  Reduction reduction_ = kMean;
  double margin_ = 0.0;
  MarginRankingLossOptions& reduction(Reduction r) { return reduction_ = r, *this; }
  MarginRankingLossOptions& margin(double m) { return margin_ = m, *this; }
};

struct CosineEmbeddingLossOptions {
  Reduction reduction_ = kMean;
  double margin_ = 0.0;
  CosineEmbeddingLossOptions& reduction(Reduction r) { return reduction_ = r, *this; }
  CosineEmbeddingLossOptions& margin(double m) { return margin_ = m, *this; }
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

// Cross entropy of logits [N, C], [C] or [N, C, d...] against int64 class indices [N], [] or
// [N, d...], or against class probabilities of the input's shape (soft targets). The mean is over
// the summed weights of the rows not ignored (class indices) or over the rows (probabilities).
// Unweighted class indices take a fused, stable log-softmax and negative log-likelihood.
Tensor cross_entropy(const Tensor& input, const Tensor& target,
                     const CrossEntropyOptions& options = {});
// Negative log-likelihood of log-probabilities [N, C], [C] or [N, C, d...] against class indices.
Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossOptions& options);
Tensor nll_loss(const Tensor& input, const Tensor& target, Reduction reduction = kMean,
                int64_t ignore_index = -100);
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = kMean);
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = kMean);
// Binary cross entropy of logits against targets in [0, 1], in the stable form
// (1 - y) x + (1 + (pos_weight - 1) y) (log(1 + exp(-|x|)) + max(-x, 0)), times weight.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEWithLogitsLossOptions& options);
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        Reduction reduction = kMean);
// Binary cross entropy of probabilities in [0, 1] (checked: a GPU waits for the check), with
// each log clamped to at least -100 as in PyTorch, so that 0 and 1 give finite losses.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const BCELossOptions& options = {});
// 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (L1 when beta is 0), d = input - target.
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target,
                      const SmoothL1LossOptions& options = {});
// 0.5 d^2 where |d| <= delta, else delta (|d| - 0.5 delta).
Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossOptions& options = {});
// The Kullback-Leibler divergence of target from the distribution whose log-probabilities are
// `input`: target (log target - input), 0 where target is 0; with log_target the target is given
// as log-probabilities. kBatchMean divides the sum by the batch size (dim 0), the true KL
// divergence per sample; kMean divides by the element count, as in PyTorch.
Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivLossOptions& options = {});
// max(0, -target (input1 - input2) + margin), target 1 or -1 (1: input1 should rank higher).
Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                           const MarginRankingLossOptions& options = {});
// Over rows of [N, D] (or one row [D]): 1 - cos(x1, x2) where target is 1, and
// max(0, cos(x1, x2) - margin) where it is -1.
Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                             const CosineEmbeddingLossOptions& options = {});

}  // namespace functional
}  // namespace nabla::nn

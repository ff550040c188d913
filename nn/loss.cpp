// The losses. Cross entropy over unweighted class indices is one fused op with its own backward,
// softmax(x) - target distribution, and binary cross entropy (with logits or on probabilities)
// has a backward node for PyTorch's exact gradient at every input; the other losses and options
// are compositions of differentiable ops.
#include <nabla/nn/loss.h>

#include <cmath>
#include <functional>
#include <limits>
#include <sstream>
#include <string>

#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/factory.h>
#include <nabla/core/native.h>

namespace nabla::nn {
namespace {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;

Tensor reduce(const char* op, const Tensor& per_element, Reduction reduction) {
  switch (reduction) {
    case kNone:
      return per_element;
    case kSum:
      return sum(per_element);
    case kMean:
      return mean(per_element);
    case kBatchMean:
      break;
  }
  NABLA_FAIL(op, ": reduction batchmean is kl_div's alone; use mean, sum or none");
}

void check_same_shape(const char* op, const Tensor& input, const Tensor& target) {
  native::check_defined(op, input);
  native::check_defined(op, target);
  NABLA_CHECK(input.sizes() == target.sizes(), op, ": input shape ", input.sizes(),
              " and target shape ", target.sizes(), " must be equal");
}

void check_floating(const char* op, const Tensor& input, const Tensor& target) {
  NABLA_CHECK(input.is_floating_point() && target.is_floating_point(), op,
              ": expected floating point input and target, got ", input.dtype(), " and ",
              target.dtype());
}

Tensor scalar_like(double value, const Tensor& like) {
  return native::full({}, value, like.dtype(), like.device());
}

// `summed` / `total` for a constant total weight: 0 / 0 is NaN, as PyTorch's mean over no rows,
// but the gradient stays 0 there (PyTorch's does too) instead of 0 * inf = NaN.
Tensor mean_over(const Tensor& summed, const Tensor& total) {
  const Tensor none = native::binary(BinaryOp::Eq, total, 0);
  const Tensor safe_total = native::where(none, scalar_like(1, total), total);
  const Tensor nan_if_none = native::where(
      none, scalar_like(std::numeric_limits<double>::quiet_NaN(), total), scalar_like(0, total));
  return summed / safe_total + nan_if_none;
}

// A class weight: [classes] of a floating dtype on the input's device, used as a constant in the
// input's dtype.
Tensor class_weight(const char* op, const Tensor& weight, const Tensor& input, int64_t classes) {
  NABLA_CHECK(weight.dim() == 1 && weight.size(0) == classes, op, ": expected a weight of shape [",
              classes, "] (one per class), got ", weight.sizes());
  NABLA_CHECK(weight.is_floating_point(), op, ": expected a floating weight, got ", weight.dtype());
  NABLA_CHECK(weight.device() == input.device(), op, ": the weight is on ", weight.device(),
              " but the input on ", input.device());
  return native::to(weight.detach(), input.dtype());
}

// Cross entropy and NLL take [C] (one sample) with a 0-dim target, [N, C] with [N], or
// [N, C, d...] with [N, d...] (or, for soft targets, the input's shape). `rows` computes the loss
// on rows [M, C] with targets [M] (or [M, C]); kNone results go back to the target's shape.
Tensor over_rows(const char* op, const Tensor& input, const Tensor& target, Reduction reduction,
                 bool allow_probabilities,
                 const std::function<Tensor(const Tensor&, const Tensor&)>& rows) {
  native::check_defined(op, input);
  native::check_defined(op, target);
  NABLA_CHECK(input.is_floating_point(), op, ": expected floating point input, got ",
              input.dtype());
  NABLA_CHECK(input.dim() >= 1, op, ": expected input of shape [C], [N, C] or [N, C, d...], got ",
              "a 0-dim tensor");
  const int64_t class_dim = input.dim() == 1 ? 0 : 1;
  const int64_t classes = input.size(class_dim);
  Shape row_shape;
  for (int64_t d = 0; d < input.dim(); ++d) {
    if (d != class_dim) row_shape.push_back(input.size(d));
  }
  const bool soft = allow_probabilities && target.is_floating_point();
  const bool fits = soft ? target.sizes() == input.sizes()
                         : target.dtype() == kInt64 && target.sizes() == row_shape;
  if (!fits) {
    std::ostringstream expected;
    expected << "int64 class indices "
             << (row_shape.empty() ? std::string("as a 0-dim tensor") : "of shape ");
    if (!row_shape.empty()) expected << row_shape;
    if (allow_probabilities) {
      expected << " or floating class probabilities of shape " << input.sizes();
    }
    NABLA_FAIL(op, ": for input of shape ", input.sizes(), " expected a target of ", expected.str(),
               ", got ", target.dtype(), " of shape ", target.sizes());
  }
  auto to_rows = [&](const Tensor& t) {
    if (input.dim() == 1) return t.unsqueeze(0);
    if (input.dim() == 2) return t;
    return t.movedim(1, -1).reshape({-1, classes});
  };
  const Tensor loss = rows(to_rows(input), soft ? to_rows(target) : target.reshape({-1}));
  return reduction == kNone ? loss.reshape(row_shape) : loss;
}

// Class-index targets [M] for rows [M, C]: which rows count (target != ignore_index), and the
// targets with ignored rows set to class 0 so that they index safely (their loss is zeroed).
struct ClassTargets {
  Tensor valid;
  Tensor safe;
};

ClassTargets class_targets(const char* op, const Tensor& target, int64_t classes,
                           int64_t ignore_index) {
  const Tensor valid = native::binary(BinaryOp::Ne, target, ignore_index);
  const Tensor safe = native::where(valid, target, native::full({}, 0, kInt64, target.device()));
  // Checked where the targets live: a GPU reports a bad class at its next synchronization, so a
  // training step never waits for this check.
  native::check_index_range(safe, classes,
                            {std::string(op) + ": target class ",
                             " is out of range for " + std::to_string(classes) + " classes"});
  return {valid, safe};
}

struct CrossEntropyBackward final : Node {
  explicit CrossEntropyBackward(double smoothing) : smoothing(smoothing) {}
  const char* name() const override { return "CrossEntropyBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    // factor (softmax - target distribution) in one kernel, where each row's factor is the
    // incoming gradient (a scalar, or one per row) times the row's weight in the reduction: 0 for
    // ignored rows, 1 / count for the mean.
    const Tensor factor = native::binary(BinaryOp::Mul, grad, row_weights.unpack(*this));
    return {native::cross_entropy_backward(probs.unpack(*this), targets.unpack(*this), smoothing,
                                           factor)};
  }
  void release_saved() override {
    probs.reset();
    targets.reset();
    row_weights.reset();
  }
  SavedTensor probs, targets, row_weights;
  double smoothing;
};

// Unweighted class indices, the training loop's case: one kernel forward (each row's loss, whether
// it counts, and its softmax for the backward) and one backward kernel, rather than fifteen small
// ops of log_softmax, gather, masking and the reduction.
Tensor fused_cross_entropy(const Tensor& input, const Tensor& target,
                           const CrossEntropyOptions& options) {
  const char* op = "cross_entropy";
  const int64_t classes = input.size(1);
  const bool backward = autograd::should_record({&input});
  auto [per_row, row_weights, probs] = native::cross_entropy(
      input, target, options.ignore_index_, options.label_smoothing_, /*with_probs=*/backward,
      {std::string(op) + ": target class ",
       " is out of range for " + std::to_string(classes) + " classes"});
  Tensor loss;
  switch (options.reduction_) {
    case kNone:
      loss = per_row;
      break;
    case kSum:
      loss = native::sum(per_row, {}, false);
      break;
    case kMean: {
      // Over the rows not ignored; with none, 0 / 0 gives NaN as in PyTorch, and the gradient is
      // zero (each row's weight is divided by at least 1).
      const Tensor count = native::sum(row_weights, {}, false);
      loss = native::binary(BinaryOp::Div, native::sum(per_row, {}, false), count);
      row_weights =
          native::binary(BinaryOp::Div, row_weights, native::binary(BinaryOp::Maximum, count, 1));
      break;
    }
    case kBatchMean:
      reduce(op, loss, kBatchMean);  // refuses it
  }
  if (auto node = record<CrossEntropyBackward>(loss, {&input}, options.label_smoothing_)) {
    node->probs.save(probs);
    node->targets.save(target);
    node->row_weights.save(row_weights);
  }
  return loss;
}

// Class indices with class weights: (1 - s) w_y (-log p_y) + (s / C) sum_c w_c (-log p_c), and the
// mean divides by the summed w_y of the rows not ignored, as PyTorch does.
Tensor weighted_cross_entropy(const Tensor& input, const ClassTargets& targets,
                              const Tensor& weight, const CrossEntropyOptions& options) {
  const double smoothing = options.label_smoothing_;
  const int64_t classes = input.size(1);
  const Tensor logp = log_softmax(input, 1);
  const Tensor valid = native::to(targets.valid, input.dtype());
  const Tensor row_weight =
      native::binary(BinaryOp::Mul, native::index_select(weight, 0, targets.safe), valid);
  Tensor per_row = -gather(logp, 1, targets.safe.unsqueeze(1)).squeeze(1) * row_weight;
  if (smoothing > 0) {
    const Tensor smooth = -sum(logp * weight, {1}) * valid * (smoothing / classes);
    per_row = per_row * (1 - smoothing) + smooth;
  }
  if (options.reduction_ != kMean) return reduce("cross_entropy", per_row, options.reduction_);
  return mean_over(sum(per_row), native::sum(row_weight, {}, false));
}

// Class probabilities: -sum_c w_c q_c log p_c with q smoothed toward uniform; the mean is over
// rows.
Tensor soft_cross_entropy(const Tensor& input, const Tensor& probabilities, const Tensor& weight,
                          const CrossEntropyOptions& options) {
  NABLA_CHECK(options.ignore_index_ == -100,
              "cross_entropy: ignore_index applies to class indices, not to probability targets");
  const double smoothing = options.label_smoothing_;
  const int64_t classes = input.size(1);
  Tensor q = probabilities.to(input.dtype());
  if (smoothing > 0) q = q * (1 - smoothing) + smoothing / classes;
  Tensor terms = log_softmax(input, 1) * q;
  if (weight.defined()) terms = terms * weight;
  return reduce("cross_entropy", -sum(terms, {1}), options.reduction_);
}

// d/dx of w [(1 - y) x + l softplus(-x)] with l = 1 + (pos_weight - 1) y is
// w [(1 - y) - l sigmoid(-x)] (sigmoid(x) - y when pos_weight is 1); d/dy is
// w [-x + (pos_weight - 1) softplus(-x)].
struct BinaryCrossEntropyWithLogitsBackward final : Node {
  const char* name() const override { return "BinaryCrossEntropyWithLogitsBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor x = input.unpack(*this), y = target.unpack(*this);
    const Tensor w = weight.unpack(*this), pw = pos_weight.unpack(*this);
    Tensor grad_x, grad_y;
    if (needs_input_grad(0)) {
      if (pw.defined()) {
        const Tensor l =
            native::binary(BinaryOp::Add, native::binary(BinaryOp::Mul, pw - 1, y), 1.0);
        grad_x = (1 - y) - l * native::unary(UnaryOp::Sigmoid, native::unary(UnaryOp::Neg, x));
      } else {
        grad_x = native::unary(UnaryOp::Sigmoid, x) - y;
      }
      grad_x = w.defined() ? grad_x * w * grad : grad_x * grad;
    }
    if (needs_input_grad(1)) {
      grad_y = -x;
      if (pw.defined()) grad_y = grad_y + (pw - 1) * softplus_of_negative(x);
      grad_y = w.defined() ? grad_y * w * grad : grad_y * grad;
    }
    return {grad_x, grad_y};
  }
  void release_saved() override {
    input.reset();
    target.reset();
    weight.reset();
    pos_weight.reset();
  }
  // log(1 + exp(-x)) = max(-x, 0) + log1p(exp(-|x|)): exp never sees a large positive argument.
  static Tensor softplus_of_negative(const Tensor& x) {
    return native::binary(
        BinaryOp::Add, native::unary(UnaryOp::Relu, native::unary(UnaryOp::Neg, x)),
        native::unary(UnaryOp::Log1p,
                      native::unary(UnaryOp::Exp,
                                    native::unary(UnaryOp::Neg, native::unary(UnaryOp::Abs, x)))));
  }
  SavedTensor input, target, weight, pos_weight;
};

// d/dx of -w [y log x + (1 - y) log(1 - x)] is w (x - y) / max(x (1 - x), 1e-12), as PyTorch
// computes it; d/dy is w (log(1 - x) - log x) with the logs clamped as in the forward.
struct BinaryCrossEntropyBackward final : Node {
  const char* name() const override { return "BinaryCrossEntropyBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor x = input.unpack(*this), y = target.unpack(*this), w = weight.unpack(*this);
    Tensor grad_x, grad_y;
    if (needs_input_grad(0)) {
      const Tensor denominator = native::binary(BinaryOp::Maximum, x * (1 - x), 1e-12);
      grad_x = (x - y) / denominator;
      grad_x = w.defined() ? grad_x * w * grad : grad_x * grad;
    }
    if (needs_input_grad(1)) {
      grad_y = clamped_log(1 - x) - clamped_log(x);
      grad_y = w.defined() ? grad_y * w * grad : grad_y * grad;
    }
    return {grad_x, grad_y};
  }
  void release_saved() override {
    input.reset();
    target.reset();
    weight.reset();
  }
  static Tensor clamped_log(const Tensor& x) {
    return native::binary(BinaryOp::Maximum, native::unary(UnaryOp::Log, x), -100.0);
  }
  SavedTensor input, target, weight;
};

// A weight for an elementwise loss: floating, on the input's device, broadcasting to its shape.
Tensor elementwise_weight(const char* op, const char* what, const Tensor& weight,
                          const Tensor& input) {
  if (!weight.defined()) return weight;
  NABLA_CHECK(weight.is_floating_point(), op, ": expected a floating ", what, ", got ",
              weight.dtype());
  NABLA_CHECK(weight.device() == input.device(), op, ": the ", what, " is on ", weight.device(),
              " but the input on ", input.device());
  bool broadcasts = weight.dim() <= input.dim();
  for (int64_t i = 1; broadcasts && i <= weight.dim(); ++i) {
    const int64_t w = weight.size(weight.dim() - i);
    broadcasts = w == 1 || w == input.size(input.dim() - i);
  }
  NABLA_CHECK(broadcasts, op, ": ", what, " of shape ", weight.sizes(),
              " does not broadcast to the input's shape ", input.sizes());
  return native::to(weight.detach(), input.dtype());
}

}  // namespace

namespace functional {

Tensor cross_entropy(const Tensor& input, const Tensor& target,
                     const CrossEntropyOptions& options) {
  const double smoothing = options.label_smoothing_;
  NABLA_CHECK(smoothing >= 0 && smoothing <= 1,
              "cross_entropy: label_smoothing must be in [0, 1], got ", smoothing);
  return over_rows(
      "cross_entropy", input, target, options.reduction_, /*allow_probabilities=*/true,
      [&](const Tensor& x, const Tensor& t) {
        const int64_t classes = x.size(1);
        const Tensor weight = options.weight_.defined()
                                  ? class_weight("cross_entropy", options.weight_, x, classes)
                                  : Tensor();
        if (t.is_floating_point()) return soft_cross_entropy(x, t, weight, options);
        if (!weight.defined()) return fused_cross_entropy(x, t, options);
        return weighted_cross_entropy(
            x, class_targets("cross_entropy", t, classes, options.ignore_index_), weight, options);
      });
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossOptions& options) {
  return over_rows(
      "nll_loss", input, target, options.reduction_, /*allow_probabilities=*/false,
      [&](const Tensor& x, const Tensor& t) {
        const int64_t classes = x.size(1);
        const ClassTargets targets = class_targets("nll_loss", t, classes, options.ignore_index_);
        Tensor row_weight = native::to(targets.valid, x.dtype());
        if (options.weight_.defined()) {
          row_weight = native::binary(
              BinaryOp::Mul,
              native::index_select(class_weight("nll_loss", options.weight_, x, classes), 0,
                                   targets.safe),
              row_weight);
        }
        const Tensor per_row = -gather(x, 1, targets.safe.unsqueeze(1)).squeeze(1) * row_weight;
        if (options.reduction_ != kMean) return reduce("nll_loss", per_row, options.reduction_);
        return mean_over(sum(per_row), native::sum(row_weight, {}, false));
      });
}

Tensor nll_loss(const Tensor& input, const Tensor& target, Reduction reduction,
                int64_t ignore_index) {
  return nll_loss(input, target, NLLLossOptions().reduction(reduction).ignore_index(ignore_index));
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("mse_loss", input, target);
  const Tensor difference = input - target;
  return reduce("mse_loss", difference * difference, reduction);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("l1_loss", input, target);
  return reduce("l1_loss", abs(input - target), reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEWithLogitsLossOptions& options) {
  const char* op = "binary_cross_entropy_with_logits";
  check_same_shape(op, input, target);
  check_floating(op, input, target);
  const Tensor x = input, y = native::to(target, input.dtype());
  const Tensor w = elementwise_weight(op, "weight", options.weight_, input);
  const Tensor pw = elementwise_weight(op, "pos_weight", options.pos_weight_, input);
  using Backward = BinaryCrossEntropyWithLogitsBackward;
  // (1 - y) x + l softplus(-x), l = 1 + (pos_weight - 1) y; for pos_weight 1 this is
  // max(x, 0) - x y + log(1 + exp(-|x|)).
  Tensor log_weighted = Backward::softplus_of_negative(x);
  if (pw.defined()) {
    log_weighted = native::binary(
        BinaryOp::Mul, log_weighted,
        native::binary(BinaryOp::Add, native::binary(BinaryOp::Mul, pw - 1, y), 1.0));
  }
  Tensor per_element = native::binary(
      BinaryOp::Add, native::binary(BinaryOp::Mul, native::binary(BinaryOp::Sub, 1.0, y), x),
      log_weighted);
  if (w.defined()) per_element = native::binary(BinaryOp::Mul, per_element, w);
  if (auto node = record<Backward>(per_element, {&input, &target})) {
    node->input.save(x);
    node->target.save(y);
    if (w.defined()) node->weight.save(w);
    if (pw.defined()) node->pos_weight.save(pw);
  }
  return reduce(op, per_element, options.reduction_);
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        Reduction reduction) {
  return binary_cross_entropy_with_logits(input, target,
                                          BCEWithLogitsLossOptions().reduction(reduction));
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const BCELossOptions& options) {
  const char* op = "binary_cross_entropy";
  check_same_shape(op, input, target);
  check_floating(op, input, target);
  const Tensor x = input.detach(), y = native::to(target.detach(), input.dtype());
  // Outside [0, 1] (or NaN) the logs have no meaning: an error, as in PyTorch.
  const bool in_range = native::binary(BinaryOp::LogicalAnd, native::binary(BinaryOp::Ge, x, 0.0),
                                       native::binary(BinaryOp::Le, x, 1.0))
                            .all()
                            .item<bool>();
  NABLA_CHECK(in_range, op, ": every input must be a probability in [0, 1]");
  const Tensor w = elementwise_weight(op, "weight", options.weight_, input);
  using Backward = BinaryCrossEntropyBackward;
  Tensor per_element = native::unary(
      UnaryOp::Neg,
      native::binary(BinaryOp::Add, native::binary(BinaryOp::Mul, y, Backward::clamped_log(x)),
                     native::binary(BinaryOp::Mul, native::binary(BinaryOp::Sub, 1.0, y),
                                    Backward::clamped_log(native::binary(BinaryOp::Sub, 1.0, x)))));
  if (w.defined()) per_element = native::binary(BinaryOp::Mul, per_element, w);
  if (auto node = record<Backward>(per_element, {&input, &target})) {
    node->input.save(x);
    node->target.save(y);
    if (w.defined()) node->weight.save(w);
  }
  return reduce(op, per_element, options.reduction_);
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target,
                      const SmoothL1LossOptions& options) {
  check_same_shape("smooth_l1_loss", input, target);
  const double beta = options.beta_;
  NABLA_CHECK(beta >= 0, "smooth_l1_loss: beta must not be negative, got ", beta);
  if (beta == 0) return reduce("smooth_l1_loss", abs(input - target), options.reduction_);
  const Tensor d = input - target, size = abs(d);
  return reduce("smooth_l1_loss", where(size < beta, d * d * (0.5 / beta), size - 0.5 * beta),
                options.reduction_);
}

Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossOptions& options) {
  check_same_shape("huber_loss", input, target);
  const double delta = options.delta_;
  NABLA_CHECK(delta > 0, "huber_loss: delta must be positive, got ", delta);
  const Tensor d = input - target, size = abs(d);
  return reduce("huber_loss", where(size <= delta, d * d * 0.5, (size - 0.5 * delta) * delta),
                options.reduction_);
}

Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivLossOptions& options) {
  check_same_shape("kl_div", input, target);
  check_floating("kl_div", input, target);
  Tensor per_element;
  if (options.log_target_) {
    per_element = exp(target) * (target - input);
  } else {
    // target log target is 0 at target 0 (its limit); the safe log keeps 0 * -inf out of both
    // the value and the gradient. A negative target stays NaN, as in PyTorch.
    const Tensor safe = where(target == 0, ones_like(target), target);
    per_element = target * (log(safe) - input);
  }
  if (options.reduction_ != kBatchMean) return reduce("kl_div", per_element, options.reduction_);
  const int64_t batch = input.dim() == 0 ? 1 : input.size(0);
  return sum(per_element) / static_cast<double>(batch);
}

Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                           const MarginRankingLossOptions& options) {
  check_same_shape("margin_ranking_loss", input1, input2);
  check_same_shape("margin_ranking_loss", input1, target);
  const Tensor y = target.to(input1.dtype());
  return reduce("margin_ranking_loss", (-y * (input1 - input2) + options.margin_).clamp_min(0),
                options.reduction_);
}

Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                             const CosineEmbeddingLossOptions& options) {
  const char* op = "cosine_embedding_loss";
  check_same_shape(op, input1, input2);
  NABLA_CHECK(input1.dim() == 1 || input1.dim() == 2, op,
              ": expected inputs of shape [N, D] or [D], got ", input1.sizes());
  const Shape target_shape = input1.dim() == 2 ? Shape{input1.size(0)} : Shape{};
  NABLA_CHECK(target.sizes() == target_shape, op, ": expected a target of shape ", target_shape,
              " for inputs of shape ", input1.sizes(), ", got ", target.sizes());
  constexpr double kEpsilon = 1e-12;  // keeps zero vectors from dividing by zero
  const Tensor dot = sum(input1 * input2, {-1});
  const Tensor norms =
      sqrt((sum(input1 * input1, {-1}) + kEpsilon) * (sum(input2 * input2, {-1}) + kEpsilon));
  const Tensor cosine = dot / norms;
  const Tensor zero = zeros_like(cosine);
  const Tensor per_row = where(target == 1, 1 - cosine, zero) +
                         where(target == -1, (cosine - options.margin_).clamp_min(0), zero);
  return reduce(op, per_row, options.reduction_);
}

}  // namespace functional
}  // namespace nabla::nn

// The losses. Cross entropy is one fused op with its own backward, softmax(x) - target
// distribution, instead of a chain of recorded ops; the others are compositions of ops.
#include <nabla/nn/loss.h>

#include <cmath>

#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/factory.h>
#include <nabla/core/native.h>

namespace nabla::nn {
namespace {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;

Tensor reduce(const Tensor& per_element, Reduction reduction) {
  switch (reduction) {
    case kNone:
      return per_element;
    case kSum:
      return sum(per_element);
    case kMean:
      return mean(per_element);
  }
  return per_element;
}

void check_same_shape(const char* op, const Tensor& input, const Tensor& target) {
  NABLA_CHECK(input.sizes() == target.sizes(), op, ": input shape ", input.sizes(),
              " and target shape ", target.sizes(), " must be equal");
}

// The rows that count (target != ignore_index) and the targets with ignored rows set to class 0,
// so that they can index safely (their loss is multiplied by 0).
struct ClassTargets {
  Tensor valid;
  Tensor safe;
};

// Checks class targets for cross entropy and NLL (int64, one per row, each a class or ignored) and
// returns them in the form both losses index with.
ClassTargets check_class_targets(const char* op, const Tensor& input, const Tensor& target,
                                 int64_t ignore_index) {
  NABLA_CHECK(input.dim() == 2, op, ": expected input of shape [batch, classes], got ",
              input.sizes());
  NABLA_CHECK(target.dtype() == kInt64, op, ": expected int64 class indices as target, got ",
              target.dtype());
  NABLA_CHECK(target.dim() == 1 && target.size(0) == input.size(0), op, ": target shape ",
              target.sizes(), " does not match input shape ", input.sizes(), " (expected [",
              input.size(0), "])");
  const Tensor valid = native::binary(BinaryOp::Ne, target, ignore_index);
  const Tensor safe = native::where(valid, target, native::full({}, 0, kInt64, target.device()));
  // Checked where the targets live: a GPU reports a bad class at its next synchronization, so a
  // training step never waits for this check.
  native::check_index_range(safe, input.size(1),
                            {std::string(op) + ": target class ",
                             " is out of range for " + std::to_string(input.size(1)) + " classes"});
  return {valid, safe};
}

struct CrossEntropyBackward final : Node {
  CrossEntropyBackward(double smoothing, int64_t classes)
      : smoothing(smoothing), classes(classes) {}
  const char* name() const override { return "CrossEntropyBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    // (softmax - target distribution) * row factor, where the target distribution is
    // (1 - smoothing) at the target class plus smoothing / classes everywhere. The row factor is
    // the incoming gradient (a scalar, or one per row), times 0 for ignored rows and 1/count for
    // the mean. The one-hot part is a scatter into the target column: nothing leaves the device.
    const Tensor logp = log_probs.unpack(*this);
    const Tensor row_factor = native::unsqueeze(grad * row_weights.unpack(*this), 1);
    Tensor grad_input = native::unary(UnaryOp::Exp, logp);
    if (smoothing > 0) native::binary_(BinaryOp::Sub, grad_input, smoothing / classes);
    native::binary_(BinaryOp::Mul, grad_input, row_factor);
    native::scatter_add_(
        grad_input, 1, native::unsqueeze(targets.unpack(*this), 1),
        native::to(native::binary(BinaryOp::Mul, row_factor, smoothing - 1), grad_input.dtype()));
    return {grad_input};
  }
  void release_saved() override {
    log_probs.reset();
    targets.reset();
    row_weights.reset();
  }
  SavedTensor log_probs, targets, row_weights;
  double smoothing;
  int64_t classes;
};

// The gradient of binary cross entropy with respect to the logits is sigmoid(x) - y.
struct BinaryCrossEntropyWithLogitsBackward final : Node {
  const char* name() const override { return "BinaryCrossEntropyWithLogitsBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor x = input.unpack(*this), y = target.unpack(*this);
    return {needs_input_grad(0) ? (native::unary(UnaryOp::Sigmoid, x) - y) * grad : Tensor(),
            needs_input_grad(1) ? -x * grad : Tensor()};
  }
  void release_saved() override {
    input.reset();
    target.reset();
  }
  SavedTensor input, target;
};

}  // namespace

namespace functional {

Tensor cross_entropy(const Tensor& input, const Tensor& target,
                     const CrossEntropyOptions& options) {
  NABLA_CHECK(input.is_floating_point(), "cross_entropy: expected floating point logits, got ",
              input.dtype());
  if (input.dim() == 1) {  // one unbatched sample: [C] logits and a 0-dim class
    NABLA_CHECK(target.dim() == 0, "cross_entropy: for logits of shape ", input.sizes(),
                " the target must be a 0-dim class index, got shape ", target.sizes());
    Tensor loss = cross_entropy(input.unsqueeze(0), target.unsqueeze(0), options);
    return options.reduction_ == kNone ? loss.squeeze(0) : loss;
  }
  const auto [valid, safe_target] =
      check_class_targets("cross_entropy", input, target, options.ignore_index_);
  const double smoothing = options.label_smoothing_;
  NABLA_CHECK(smoothing >= 0 && smoothing <= 1,
              "cross_entropy: label_smoothing must be in [0, 1], "
              "got ",
              smoothing);
  const int64_t classes = input.size(1);
  const Tensor logp = native::log_softmax(input, 1);
  Tensor per_row = native::unary(
      UnaryOp::Neg, native::squeeze(native::gather(logp, 1, native::unsqueeze(safe_target, 1)), 1));
  if (smoothing > 0) {
    const Tensor uniform_part = native::unary(UnaryOp::Neg, native::mean(logp, {1}, false));
    per_row = native::binary(BinaryOp::Add, native::binary(BinaryOp::Mul, per_row, 1 - smoothing),
                             native::binary(BinaryOp::Mul, uniform_part, smoothing));
  }
  Tensor row_weights = native::to(valid, logp.dtype());
  per_row = native::binary(BinaryOp::Mul, per_row, row_weights);
  Tensor loss;
  switch (options.reduction_) {
    case kNone:
      loss = per_row;
      break;
    case kSum:
      loss = native::sum(per_row, {}, false);
      break;
    case kMean: {
      // The mean over rows that are not ignored; 0/0 = nan when all are, as in PyTorch.
      const Tensor count = native::sum(row_weights, {}, false);
      loss = native::binary(BinaryOp::Div, native::sum(per_row, {}, false), count);
      row_weights = native::binary(BinaryOp::Div, row_weights, count);
      break;
    }
  }
  if (auto node = record<CrossEntropyBackward>(loss, {&input}, smoothing, classes)) {
    node->log_probs.save(logp);
    node->targets.save(safe_target);
    node->row_weights.save(row_weights);
  }
  return loss;
}

Tensor nll_loss(const Tensor& input, const Tensor& target, Reduction reduction,
                int64_t ignore_index) {
  const auto [valid, safe_target] = check_class_targets("nll_loss", input, target, ignore_index);
  const Tensor weight = native::to(valid, input.dtype());
  const Tensor per_row = -gather(input, 1, safe_target.unsqueeze(1)).squeeze(1) * weight;
  if (reduction == kMean) return sum(per_row) / sum(weight);
  return reduce(per_row, reduction);
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("mse_loss", input, target);
  const Tensor difference = input - target;
  return reduce(difference * difference, reduction);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("l1_loss", input, target);
  return reduce(abs(input - target), reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        Reduction reduction) {
  check_same_shape("binary_cross_entropy_with_logits", input, target);
  NABLA_CHECK(input.is_floating_point() && target.is_floating_point(),
              "binary_cross_entropy_with_logits: expected floating point input and target, got ",
              input.dtype(), " and ", target.dtype());
  const Tensor x = input, y = native::to(target, input.dtype());
  // max(x, 0) - x y + log(1 + exp(-|x|)): exp never sees a large positive argument.
  const Tensor per_element = native::binary(
      BinaryOp::Add,
      native::binary(BinaryOp::Sub, native::unary(UnaryOp::Relu, x),
                     native::binary(BinaryOp::Mul, x, y)),
      native::unary(
          UnaryOp::Log,
          native::binary(BinaryOp::Add,
                         native::unary(UnaryOp::Exp,
                                       native::unary(UnaryOp::Neg, native::unary(UnaryOp::Abs, x))),
                         1.0)));
  if (auto node = record<BinaryCrossEntropyWithLogitsBackward>(per_element, {&input, &target})) {
    node->input.save(x);
    node->target.save(y);
  }
  return reduce(per_element, reduction);
}

}  // namespace functional
}  // namespace nabla::nn

// User-defined differentiable ops through autograd::Function: values, gradients, context and
// errors.
#include "device_test.h"
#include "test_helpers.h"

#include <memory>
#include <string>
#include <vector>

namespace nabla {
namespace {

NABLA_DEVICE_SUITE(CustomFunction);

using autograd::AutogradContext;

Tensor leaf(Tensor t) {
  t.set_requires_grad(true);
  return t;
}

// y = x^3, saving its input; dy/dx = 3 x^2.
struct Cube : autograd::Function<Cube> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    ctx->save_for_backward({x});
    return x * x * x;
  }
  static std::vector<Tensor> backward(AutogradContext* ctx, std::vector<Tensor> grads) {
    const Tensor x = ctx->get_saved_variables()[0];
    return {grads[0] * 3 * x * x};
  }
};

// y = x * scale with a non-tensor argument kept in saved_data.
struct ScaleBy : autograd::Function<ScaleBy> {
  static Tensor forward(AutogradContext* ctx, Tensor x, double scale) {
    ctx->saved_data["scale"] = scale;
    return x * scale;
  }
  static std::vector<Tensor> backward(AutogradContext* ctx, std::vector<Tensor> grads) {
    return {grads[0] * ctx->saved_data["scale"].to_double(), Tensor()};
  }
};

// y = a * scale + b: tensors on both sides of a non-tensor argument.
struct ScaleAndAdd : autograd::Function<ScaleAndAdd> {
  static Tensor forward(AutogradContext* ctx, Tensor a, double scale, Tensor b) {
    ctx->saved_data["scale"] = scale;
    return a * scale + b;
  }
  static std::vector<Tensor> backward(AutogradContext* ctx, std::vector<Tensor> grads) {
    return {grads[0] * ctx->saved_data["scale"].to_double(), Tensor(), grads[0]};
  }
};

// Returns two gradients for its single argument.
struct TooManyGradients : autograd::Function<TooManyGradients> {
  static Tensor forward(AutogradContext*, Tensor x) { return x * 2; }
  static std::vector<Tensor> backward(AutogradContext*, std::vector<Tensor> grads) {
    return {grads[0] * 2, grads[0]};
  }
};

// y = a * b, recording what needs_input_grad said in forward and in backward.
struct RecordingMul : autograd::Function<RecordingMul> {
  static inline std::vector<bool> seen_in_forward, seen_in_backward;
  static Tensor forward(AutogradContext* ctx, Tensor a, Tensor b) {
    seen_in_forward = {ctx->needs_input_grad(0), ctx->needs_input_grad(1)};
    ctx->save_for_backward({a, b});
    return a * b;
  }
  static std::vector<Tensor> backward(AutogradContext* ctx, std::vector<Tensor> grads) {
    seen_in_backward = {ctx->needs_input_grad(0), ctx->needs_input_grad(1)};
    const std::vector<Tensor> saved = ctx->get_saved_variables();
    return {ctx->needs_input_grad(0) ? grads[0] * saved[1] : Tensor(),
            ctx->needs_input_grad(1) ? grads[0] * saved[0] : Tensor()};
  }
};

// y = exp(x), saving its own output for backward, as built-in exp does.
struct ExpSavingOutput : autograd::Function<ExpSavingOutput> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    Tensor y = x.exp();
    ctx->save_for_backward({y});
    return y;
  }
  static std::vector<Tensor> backward(AutogradContext* ctx, std::vector<Tensor> grads) {
    return {grads[0] * ctx->get_saved_variables()[0]};
  }
};

// Returns its input unchanged.
struct Identity : autograd::Function<Identity> {
  static Tensor forward(AutogradContext*, Tensor x) { return x; }
  static std::vector<Tensor> backward(AutogradContext*, std::vector<Tensor> grads) {
    return {grads[0]};
  }
};

TEST_P(CustomFunction, ForwardComputesTheUsersValues) {
  const Tensor x = leaf(tensor({1.0, -2.0, 0.5}, kFloat64));
  const Tensor y = Cube::apply(x);
  testing::expect_tensor<double>(y, {3}, {1.0, -8.0, 0.125});
  EXPECT_TRUE(y.requires_grad());
  ASSERT_NE(y.grad_fn(), nullptr);
  EXPECT_STREQ(y.grad_fn()->name(), "CustomFunctionBackward");
}

TEST_P(CustomFunction, BackwardDeliversTheUsersGradient) {
  const Tensor x = leaf(tensor({1.0, -2.0, 0.5}, kFloat64));
  Cube::apply(x).sum().backward();
  testing::expect_tensor<double>(x.grad(), {3}, {3.0, 12.0, 0.75}, 1e-12);
}

TEST_P(CustomFunction, ChainsWithBuiltInOpsOnBothSides) {
  // d/dx sum(2 * (x + 1)^3) = 6 (x + 1)^2.
  const Tensor x = leaf(tensor({0.0, 1.0, -3.0}, kFloat64));
  (Cube::apply(x + 1) * 2).sum().backward();
  testing::expect_tensor<double>(x.grad(), {3}, {6.0, 24.0, 24.0}, 1e-12);
}

TEST_P(CustomFunction, CubePassesGradcheck) {
  manual_seed(3);
  const autograd::GradcheckResult r =
      autograd::gradcheck([](const std::vector<Tensor>& in) { return Cube::apply(in[0]); },
                          {leaf(randn({2, 3}, kFloat64))});
  EXPECT_TRUE(r.ok) << r.report;
}

TEST_P(CustomFunction, NonTensorArgumentsGetAnUndefinedGradient) {
  const Tensor x = leaf(tensor({1.0, 2.0}, kFloat64));
  const Tensor y = ScaleBy::apply(x, 2.5);
  testing::expect_tensor<double>(y, {2}, {2.5, 5.0});
  y.sum().backward();
  testing::expect_tensor<double>(x.grad(), {2}, {2.5, 2.5});
}

TEST_P(CustomFunction, TensorsAfterANonTensorArgumentGetTheirOwnGradients) {
  const Tensor a = leaf(tensor({1.0, 2.0}, kFloat64));
  const Tensor b = leaf(tensor({{10.0, 20.0}, {30.0, 40.0}}, kFloat64));  // broadcasts a
  const Tensor y = ScaleAndAdd::apply(a, -3.0, b);
  testing::expect_tensor<double>(y, {2, 2}, {7.0, 14.0, 27.0, 34.0});
  y.sum().backward();
  testing::expect_tensor<double>(a.grad(), {2}, {-6.0, -6.0});  // summed over the broadcast
  testing::expect_tensor<double>(b.grad(), {2, 2}, {1.0, 1.0, 1.0, 1.0});
  manual_seed(4);
  const autograd::GradcheckResult r = autograd::gradcheck(
      [](const std::vector<Tensor>& in) { return ScaleAndAdd::apply(in[0], 0.75, in[1]); },
      {leaf(randn({3}, kFloat64)), leaf(randn({2, 3}, kFloat64))});
  EXPECT_TRUE(r.ok) << r.report;
}

TEST_P(CustomFunction, BackwardReturningTheWrongNumberOfGradientsIsAClearError) {
  const Tensor x = leaf(tensor({1.0, 2.0}, kFloat64));
  const Tensor y = TooManyGradients::apply(x);
  testing::expect_error([&] { y.sum().backward(); },
                        {"custom function", "returned 2 gradients", "forward took 1"});
}

TEST_P(CustomFunction, NeedsInputGradTellsWhichArgumentsNeedAGradient) {
  const Tensor a = leaf(tensor({1.0, 2.0}, kFloat64));
  const Tensor b = tensor({3.0, 4.0}, kFloat64);  // a constant
  RecordingMul::seen_in_forward.clear();
  RecordingMul::seen_in_backward.clear();
  const Tensor y = RecordingMul::apply(a, b);
  EXPECT_EQ(RecordingMul::seen_in_forward, (std::vector<bool>{true, false}));
  y.sum().backward();
  EXPECT_EQ(RecordingMul::seen_in_backward, (std::vector<bool>{true, false}));
  testing::expect_tensor<double>(a.grad(), {2}, {3.0, 4.0});
  EXPECT_FALSE(b.grad().defined());

  RecordingMul::apply(b, a).sum().backward();
  EXPECT_EQ(RecordingMul::seen_in_forward, (std::vector<bool>{false, true}));
  EXPECT_EQ(RecordingMul::seen_in_backward, (std::vector<bool>{false, true}));
}

TEST_P(CustomFunction, NeedsInputGradIsFalseWhenNothingIsRecorded) {
  const Tensor a = leaf(tensor({1.0, 2.0}, kFloat64));
  RecordingMul::seen_in_forward.clear();
  {
    NoGradGuard no_grad;
    const Tensor y = RecordingMul::apply(a, a);
    EXPECT_FALSE(y.requires_grad());
  }
  EXPECT_EQ(RecordingMul::seen_in_forward, (std::vector<bool>{false, false}));
  const Tensor constant = tensor({1.0}, kFloat64);
  EXPECT_FALSE(RecordingMul::apply(constant, constant).requires_grad());
  EXPECT_EQ(RecordingMul::seen_in_forward, (std::vector<bool>{false, false}));
}

TEST_P(CustomFunction, ModifyingASavedTensorInPlaceBeforeBackwardIsAnError) {
  Tensor x = leaf(tensor({1.0, 2.0}, kFloat64));
  const Tensor y = Cube::apply(x);
  {
    NoGradGuard no_grad;
    x.mul_(2);
  }
  testing::expect_error([&] { y.sum().backward(); }, {"in-place", "CustomFunctionBackward"});
}

TEST_P(CustomFunction, SavingItsOwnOutputGivesTheRightGradientAndNoReferenceCycle) {
  const Tensor x = leaf(tensor({0.0, 1.0}, kFloat64));
  std::weak_ptr<autograd::Node> node;
  {
    const Tensor y = ExpSavingOutput::apply(x);
    node = y.grad_fn();
    y.sum().backward(Tensor(), /*retain_graph=*/true);
    testing::expect_tensor<double>(x.grad(), {2}, {1.0, std::exp(1.0)}, 1e-12);
  }
  EXPECT_TRUE(node.expired()) << "the node outlived its output: its saved output keeps it alive";
}

TEST_P(CustomFunction, ReturningAnInputGivesANewTensorAndLeavesTheInputALeaf) {
  const Tensor x = leaf(tensor({1.0, 2.0}, kFloat64));
  const Tensor y = Identity::apply(x);
  EXPECT_TRUE(x.is_leaf());
  EXPECT_FALSE(y.is_leaf());
  EXPECT_TRUE(y.is_alias_of(x));
  (y * y).sum().backward();
  testing::expect_tensor<double>(x.grad(), {2}, {2.0, 4.0});
}

}  // namespace
}  // namespace nabla

// RMSprop and Adagrad against a scalar reference of torch.optim's formulas; the schedulers
// ExponentialLR, MultiStepLR, LinearLR, LambdaLR, SequentialLR and OneCycleLR against their
// closed forms worked by hand; clip_grad_value_, parameters_to_vector and vector_to_parameters.
#include "device_test.h"
#include "test_helpers.h"

#include <cmath>
#include <memory>
#include <vector>

namespace nabla {
namespace {

using testing::expect_error;
using testing::expect_tensor;

NABLA_DEVICE_SUITE(OptimMore);
NABLA_DEVICE_SUITE(Schedules);

// Steps `optimizer` `steps` times on loss = sum(c * p^2) (gradient 2 c p) and returns p.
template <typename Opt>
std::vector<double> run_quadratic(Opt& optimizer, const Tensor& p, const Tensor& c, int steps) {
  for (int i = 0; i < steps; ++i) {
    optimizer.zero_grad();
    (c * p * p).sum().backward();
    optimizer.step();
  }
  return p.detach().to_vector<double>();
}

// torch.optim.RMSprop's update for one scalar, written out.
std::vector<double> rmsprop_reference(std::vector<double> p, const std::vector<double>& c,
                                      int steps, double lr, double alpha, double eps, double wd,
                                      double momentum, bool centered) {
  std::vector<double> sq(p.size(), 0), ga(p.size(), 0), buf(p.size(), 0);
  for (int s = 0; s < steps; ++s) {
    for (size_t i = 0; i < p.size(); ++i) {
      const double g = 2 * c[i] * p[i] + wd * p[i];
      sq[i] = alpha * sq[i] + (1 - alpha) * g * g;
      double avg;
      if (centered) {
        ga[i] = ga[i] + (1 - alpha) * (g - ga[i]);
        avg = std::sqrt(sq[i] - ga[i] * ga[i]) + eps;
      } else {
        avg = std::sqrt(sq[i]) + eps;
      }
      if (momentum > 0) {
        buf[i] = momentum * buf[i] + g / avg;
        p[i] -= lr * buf[i];
      } else {
        p[i] -= lr * g / avg;
      }
    }
  }
  return p;
}

TEST_P(OptimMore, RmspropFirstStepByHand) {
  // g = 2 p = 2; square_avg = 0.1 * 4 = 0.4; p = 1 - 0.1 * 2 / sqrt(0.4) = 0.683772...
  const Tensor p = tensor({1.0}, kFloat64).requires_grad_();
  optim::RMSprop rmsprop({p}, optim::RMSpropOptions(0.1).alpha(0.9).eps(0));
  run_quadratic(rmsprop, p, tensor({1.0}, kFloat64), 1);
  expect_tensor<double>(p.detach(), {1}, {1 - 0.2 / std::sqrt(0.4)}, 1e-15);
}

TEST_P(OptimMore, RmspropMatchesTheReferenceInEveryMode) {
  const std::vector<double> start{1.0, -2.0, 0.5}, c{1.0, 0.5, 3.0};
  struct Mode {
    double momentum, wd;
    bool centered;
  };
  for (const Mode m :
       {Mode{0, 0, false}, Mode{0.9, 0, false}, Mode{0, 0.1, true}, Mode{0.5, 0.01, true}}) {
    const Tensor p = tensor(start, kFloat64).requires_grad_();
    optim::RMSprop rmsprop({p}, optim::RMSpropOptions(0.01)
                                    .alpha(0.95)
                                    .momentum(m.momentum)
                                    .weight_decay(m.wd)
                                    .centered(m.centered));
    const std::vector<double> got = run_quadratic(rmsprop, p, tensor(c, kFloat64), 5);
    const std::vector<double> want =
        rmsprop_reference(start, c, 5, 0.01, 0.95, 1e-8, m.wd, m.momentum, m.centered);
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_NEAR(got[i], want[i], 1e-12)
          << "momentum " << m.momentum << " centered " << m.centered << " element " << i;
    }
  }
  expect_error([] { optim::RMSprop({zeros({1})}, optim::RMSpropOptions(-1)); },
               {"RMSprop", "lr -1"});
}

TEST_P(OptimMore, AdagradWithDecayAndInitialAccumulator) {
  const std::vector<double> start{1.0, -2.0}, c{1.0, 0.25};
  const double lr = 0.1, lr_decay = 0.5, wd = 0.2, init = 0.3, eps = 1e-10;
  const Tensor p = tensor(start, kFloat64).requires_grad_();
  optim::Adagrad adagrad(
      {p}, optim::AdagradOptions(lr).lr_decay(lr_decay).weight_decay(wd).initial_accumulator_value(
               init));
  const std::vector<double> got = run_quadratic(adagrad, p, tensor(c, kFloat64), 4);
  std::vector<double> want = start, sum(2, init);
  for (int step = 1; step <= 4; ++step) {
    const double clr = lr / (1 + (step - 1) * lr_decay);
    for (size_t i = 0; i < 2; ++i) {
      const double g = 2 * c[i] * want[i] + wd * want[i];
      sum[i] += g * g;
      want[i] -= clr * g / (std::sqrt(sum[i]) + eps);
    }
  }
  EXPECT_NEAR(got[0], want[0], 1e-12);
  EXPECT_NEAR(got[1], want[1], 1e-12);
  // The first step by hand: sum = 0.3 + (2 + 0.2)^2 = 5.14; p = 1 - 0.1 * 2.2 / sqrt(5.14).
  const Tensor q = tensor({1.0}, kFloat64).requires_grad_();
  optim::Adagrad one(
      {q}, optim::AdagradOptions(0.1).weight_decay(0.2).initial_accumulator_value(0.3).eps(0));
  run_quadratic(one, q, tensor({1.0}, kFloat64), 1);
  expect_tensor<double>(q.detach(), {1}, {1 - 0.22 / std::sqrt(5.14)}, 1e-12);
}

TEST_P(OptimMore, ClipGradValueAndParameterVectors) {
  const Tensor a = zeros({2, 2}).requires_grad_(), b = zeros({3}).requires_grad_();
  ((a * tensor({{-3.0f, 0.5f}, {2.0f, -0.25f}})).sum() + (b * 4).sum()).backward();
  nn::utils::clip_grad_value_({a, b}, 1.0);
  expect_tensor<float>(a.grad(), {2, 2}, {-1, 0.5f, 1, -0.25f});
  expect_tensor<float>(b.grad(), {3}, {1, 1, 1});
  const Tensor v = nn::utils::parameters_to_vector({a, b});
  expect_tensor<float>(v, {7}, {0, 0, 0, 0, 0, 0, 0});
  nn::utils::vector_to_parameters(arange(7, kFloat32), {a, b});
  expect_tensor<float>(a.detach(), {2, 2}, {0, 1, 2, 3});
  expect_tensor<float>(b.detach(), {3}, {4, 5, 6});
  expect_tensor<float>(nn::utils::parameters_to_vector({b, a}), {7}, {4, 5, 6, 0, 1, 2, 3});
  expect_error(
      [&] {
        nn::utils::vector_to_parameters(zeros({6}), {a, b});
      },
      {"vector_to_parameters", "6", "7"});
  expect_error([&] { nn::utils::clip_grad_value_({a}, -1); }, {"clip_grad_value_", "-1"});
}

// One SGD group with lr `lr` (and momentum, which OneCycleLR cycles).
struct OneParam {
  explicit OneParam(double lr) : p(zeros({1}).requires_grad_()), sgd({p}, options(lr)) {}
  static optim::SGDOptions options(double lr) { return optim::SGDOptions(lr).momentum(0.9); }
  double lr() const { return sgd.param_groups()[0].options().get_lr(); }
  double momentum() const { return *sgd.param_groups()[0].options().get_momentum(); }
  Tensor p;
  optim::SGD sgd;
};

// The learning rates the scheduler gives for epochs 0..count-1.
std::vector<double> lrs(OneParam& f, optim::LRScheduler& scheduler, int count) {
  std::vector<double> out{f.lr()};
  for (int i = 1; i < count; ++i) {
    scheduler.step();
    out.push_back(f.lr());
  }
  return out;
}

void expect_lrs(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << "epoch " << i;
}

TEST_P(Schedules, ExponentialMultiStepAndLambda) {
  OneParam a(1.0), b(1.0), c(1.0);
  optim::ExponentialLR exponential(a.sgd, 0.5);
  expect_lrs(lrs(a, exponential, 4), {1, 0.5, 0.25, 0.125});
  optim::MultiStepLR multi(b.sgd, {2, 4}, 0.1);
  expect_lrs(lrs(b, multi, 5), {1, 1, 0.1, 0.1, 0.01});
  optim::LambdaLR lambda(c.sgd, [](int64_t epoch) { return 1.0 / (epoch + 1); });
  expect_lrs(lrs(c, lambda, 3), {1, 0.5, 1.0 / 3});
  expect_error([&] { optim::MultiStepLR(b.sgd, {3, 2}); }, {"MultiStepLR", "milestones"});
}

TEST_P(Schedules, LinearWarmUpThenConstant) {
  OneParam f(0.4);
  optim::LinearLR warm_up(f.sgd, 0.25, 1.0, 3);
  // 0.4 * (0.25 + 0.75 * min(epoch, 3) / 3)
  expect_lrs(lrs(f, warm_up, 5), {0.1, 0.2, 0.3, 0.4, 0.4});
}

TEST_P(Schedules, SequentialRunsOneScheduleThenTheNext) {
  OneParam f(1.0);
  auto warm_up = std::make_shared<optim::LinearLR>(f.sgd, 0.5, 1.0, 2);
  auto decay = std::make_shared<optim::ExponentialLR>(f.sgd, 0.5);
  optim::SequentialLR schedule(f.sgd, {warm_up, decay}, {2});
  expect_lrs(lrs(f, schedule, 5), {0.5, 0.75, 1, 0.5, 0.25});
  expect_error(
      [&] {
        optim::SequentialLR(f.sgd, {warm_up, decay}, {});
      },
      {"SequentialLR", "milestones"});
}

// A resumed run makes a new scheduler and sets the saved last_epoch(): the rates (and OneCycleLR's
// momentum) are those of the uninterrupted schedule from there on.
TEST_P(Schedules, SetLastEpochResumesTheSchedule) {
  OneParam a(1.0), b(1.0);
  optim::StepLR uninterrupted(a.sgd, 2, 0.5);
  for (int i = 0; i < 5; ++i) uninterrupted.step();
  optim::StepLR resumed(b.sgd, 2, 0.5);
  resumed.set_last_epoch(5);
  EXPECT_EQ(resumed.last_epoch(), 5);
  EXPECT_EQ(b.lr(), 0.25);  // 0.5^(5 / 2)
  for (int i = 0; i < 3; ++i) {
    uninterrupted.step();
    resumed.step();
    EXPECT_EQ(b.lr(), a.lr()) << "epoch " << resumed.last_epoch();
  }

  OneParam c(1.0), d(1.0);
  optim::OneCycleLR cycle(c.sgd, 1.0, 10);
  for (int i = 0; i < 4; ++i) cycle.step();
  optim::OneCycleLR resumed_cycle(d.sgd, 1.0, 10);
  resumed_cycle.set_last_epoch(4);
  EXPECT_EQ(d.lr(), c.lr());
  EXPECT_EQ(d.momentum(), c.momentum());
  expect_error([&] { resumed_cycle.set_last_epoch(11); }, {"OneCycleLR", "11", "total_steps"});
  expect_error([&] { resumed.set_last_epoch(-1); }, {"set_last_epoch", "-1"});
  EXPECT_EQ(resumed_cycle.last_epoch(), 4);  // a refused epoch changes nothing
  EXPECT_EQ(resumed.last_epoch(), 8);
}

TEST_P(Schedules, OneCycleClimbsThenAnnealsAndCyclesMomentum) {
  OneParam f(0.123);  // replaced: the cycle starts at max_lr / div_factor
  optim::OneCycleLR cycle(f.sgd, 1.0, 10);
  // Warm-up over steps 0..2 from 0.04 to 1 (cosine), then down to 0.04 / 1e4 at step 9.
  const double min_lr = 0.04 / 1e4;
  const double step3 = min_lr + (1 - min_lr) / 2 * (1 + std::cos(M_PI / 7));
  expect_lrs(lrs(f, cycle, 4), {0.04, 0.52, 1.0, step3});
  for (int i = 4; i < 10; ++i) cycle.step();
  EXPECT_NEAR(f.lr(), min_lr, 1e-15);
  EXPECT_NEAR(f.momentum(), 0.95, 1e-12);
  // As in PyTorch, step total_steps is still allowed; the one after it is not.
  cycle.step();
  expect_error([&] { cycle.step(); }, {"OneCycleLR", "11", "total_steps = 10"});
  // Linear annealing over 4 steps: the warm-up ends at step 0.3 * 4 - 1 = 0.2, so step 1 is
  // (1 - 0.2) / (3 - 0.2) of the way down from max_lr, with the momentum climbing back.
  OneParam g(0.1);
  optim::OneCycleLR linear(g.sgd, 2.0, 4, optim::OneCycleLROptions().anneal_strategy("linear"));
  EXPECT_NEAR(g.lr(), 0.08, 1e-12);
  EXPECT_NEAR(g.momentum(), 0.95, 1e-12);
  linear.step();
  const double pct = 0.8 / 2.8;
  EXPECT_NEAR(g.lr(), 2.0 + (0.08 / 1e4 - 2.0) * pct, 1e-12);
  EXPECT_NEAR(g.momentum(), 0.85 + 0.1 * pct, 1e-12);
  OneParam h(0.1);
  optim::Adagrad no_momentum({h.p}, optim::AdagradOptions());
  expect_error([&] { optim::OneCycleLR(no_momentum, 1.0, 10); }, {"OneCycleLR", "cycle_momentum"});
}

}  // namespace
}  // namespace nabla

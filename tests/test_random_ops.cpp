// randint, randperm, bernoulli, multinomial and the in-place refills normal_, uniform_ and
// bernoulli_: ranges, statistics over many draws (bounds far outside their sampling noise),
// reproducibility from a seed, and errors, on every device.
#include "device_test.h"
#include "test_helpers.h"

#include <vector>

namespace nabla {
namespace {

using testing::expect_error;
using testing::expect_tensor;

NABLA_DEVICE_SUITE(RandomOps);

TEST_P(RandomOps, RandintCoversItsRangeAndNothingElse) {
  manual_seed(1);
  const Tensor r = randint(3, 7, {4000});
  EXPECT_EQ(r.dtype(), kInt64);
  EXPECT_EQ(r.min().item<int64_t>(), 3);
  EXPECT_EQ(r.max().item<int64_t>(), 6);
  // Each of the 4 values about 1000 times (the standard deviation is about 27).
  for (int64_t v = 3; v < 7; ++v) EXPECT_NEAR((r == v).sum().item<int64_t>(), 1000, 150) << v;
  manual_seed(1);
  EXPECT_TRUE(equal(randint(3, 7, {4000}), r));
  EXPECT_EQ(randint(5, {2, 2}, kFloat32).dtype(), kFloat32);
  expect_error([] { randint(5, 5, {1}); }, {"randint", "low = 5", "high = 5"});
}

TEST_P(RandomOps, RandpermIsAPermutation) {
  manual_seed(2);
  const Tensor p = randperm(1000);
  EXPECT_EQ(p.dtype(), kInt64);
  EXPECT_TRUE(equal(std::get<0>(p.sort()), arange(1000)));
  EXPECT_FALSE(equal(p, arange(1000)));
  EXPECT_EQ(randperm(0).sizes(), Shape({0}));
  expect_error([] { randperm(-1); }, {"randperm", "-1"});
}

TEST_P(RandomOps, BernoulliDrawsWithTheGivenProbability) {
  manual_seed(3);
  const Tensor p = full({20000}, 0.3);
  const Tensor draws = bernoulli(p);
  EXPECT_EQ(draws.dtype(), kFloat32);
  EXPECT_EQ(((draws == 0) | (draws == 1)).all().item<bool>(), true);
  EXPECT_NEAR(draws.mean().item<double>(), 0.3, 0.02);
  expect_tensor<float>(bernoulli(tensor({0.0f, 1.0f})), {2}, {0, 1});
  Tensor t = zeros({20000}, kFloat64);
  t.bernoulli_(0.8);
  EXPECT_NEAR(t.mean().item<double>(), 0.8, 0.02);
  expect_error([] { bernoulli(zeros({2}), 1.5); }, {"bernoulli", "1.5"});
  expect_error([] { bernoulli(tensor({1, 0})); }, {"bernoulli", "int64"});
}

TEST_P(RandomOps, MultinomialWithReplacementFollowsTheWeights) {
  manual_seed(4);
  const Tensor draws = multinomial(tensor({0.0, 1.0, 3.0}), 8000, true);
  ASSERT_EQ(draws.sizes(), Shape({8000}));
  EXPECT_EQ((draws == 0).sum().item<int64_t>(), 0);
  EXPECT_NEAR((draws == 2).sum().item<int64_t>() / 8000.0, 0.75, 0.03);
  // One row per distribution.
  const Tensor rows = multinomial(tensor({{1.0f, 0.0f}, {0.0f, 1.0f}}), 5, true);
  expect_tensor<int64_t>(rows, {2, 5}, {0, 0, 0, 0, 0, 1, 1, 1, 1, 1});
}

TEST_P(RandomOps, MultinomialWithoutReplacementDrawsDistinctCategories) {
  manual_seed(5);
  const Tensor weights = tensor({0.1, 0.0, 5.0, 1.0});
  int64_t heaviest_first = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const Tensor d = multinomial(weights, 3);
    const std::vector<int64_t> v = d.to_vector<int64_t>();
    ASSERT_EQ(v.size(), 3u);
    EXPECT_TRUE(v[0] != v[1] && v[0] != v[2] && v[1] != v[2]);
    EXPECT_TRUE(v[0] != 1 && v[1] != 1 && v[2] != 1) << "a zero weight was drawn";
    heaviest_first += v[0] == 2;
  }
  // Category 2 comes first with probability 5 / 6.1 (about 164 of 200).
  EXPECT_NEAR(heaviest_first, 164, 25);
  expect_error([&] { multinomial(weights, 4); }, {"multinomial", "4 samples", "3 nonzero"});
  expect_error([&] { multinomial(weights, 5); }, {"multinomial", "5 samples", "4 categories"});
  expect_error([] { multinomial(tensor({1.0, -1.0}), 1); }, {"multinomial", "non-negative"});
  expect_error([] { multinomial(tensor({0.0, 0.0}), 1, true); }, {"multinomial", "sums to zero"});
  expect_error([] { multinomial(zeros({2, 2, 2}), 1); }, {"multinomial", "[2, 2, 2]"});
}

TEST_P(RandomOps, NormalAndUniformRefillInPlace) {
  manual_seed(6);
  Tensor t = empty({20000});
  t.normal_(2.0, 0.5);
  EXPECT_NEAR(t.mean().item<double>(), 2.0, 0.02);
  EXPECT_NEAR(t.std().item<double>(), 0.5, 0.02);
  t.uniform_(-1, 3);
  EXPECT_GE(t.min().item<double>(), -1.0);
  EXPECT_LT(t.max().item<double>(), 3.0);
  EXPECT_NEAR(t.mean().item<double>(), 1.0, 0.05);
  // A strided view is refilled in place.
  Tensor m = zeros({4, 4});
  m.select(1, 2).uniform_(5, 6);
  EXPECT_EQ((m > 4).sum().item<int64_t>(), 4);
  Tensor ints = zeros({2}, kInt64);
  expect_error([&] { ints.normal_(); }, {"normal_", "floating", "int64"});
  expect_error([&] { t.uniform_(1, 0); }, {"uniform_", "from <= to"});
  Tensor leaf = zeros({2}).requires_grad_();
  expect_error([&] { leaf.normal_(); }, {"normal_", "leaf requiring grad"});
}

// The state is the seed and the count of calls: restoring it repeats the draws that followed it,
// which is how a resumed training run gets the dropout masks of the uninterrupted one.
TEST_P(RandomOps, GeneratorStateRoundTripRepeatsTheDraws) {
  Generator& generator = default_generator(device());
  generator.manual_seed(5);
  (void)rand({3}, TensorOptions(kFloat32).device(device()));
  const Tensor state = generator.get_state();
  expect_tensor<uint8_t>(state, {16}, {5, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0});
  const Tensor first = rand({100}, TensorOptions(kFloat32).device(device()));
  const Tensor second = randn({7}, TensorOptions(kFloat32).device(device()));
  (void)rand({50}, TensorOptions(kFloat32).device(device()));  // moves the generator on

  generator.set_state(state);
  EXPECT_EQ(generator.seed(), 5u);
  EXPECT_TRUE(equal(rand({100}, TensorOptions(kFloat32).device(device())), first));
  EXPECT_TRUE(equal(randn({7}, TensorOptions(kFloat32).device(device())), second));
  expect_tensor<uint8_t>(generator.get_state(), {16},
                         {5, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0});
  // A state is the seed and the call count, little-endian: seed 2^64 - 1 after 258 calls.
  const Tensor bytes =
      tensor({255, 255, 255, 255, 255, 255, 255, 255, 2, 1, 0, 0, 0, 0, 0, 0}, kUInt8);
  generator.set_state(bytes);
  EXPECT_EQ(generator.seed(), 18446744073709551615ull);
  EXPECT_TRUE(equal(generator.get_state(), bytes));
  manual_seed(0);
}

TEST(Generator, SetStateRefusesAnythingButSixteenBytesOnTheCpu) {
  Generator generator(9);
  const Tensor before = generator.get_state();
  expect_error([&] { generator.set_state(Tensor()); }, {"Generator::set_state", "undefined"});
  expect_error([&] { generator.set_state(zeros({15}, kUInt8)); },
               {"Generator::set_state", "uint8 CPU tensor of shape [16]", "[15]"});
  expect_error([&] { generator.set_state(zeros({16}, kInt64)); }, {"[16]", "int64"});
  expect_error([&] { generator.set_state(zeros({2, 8}, kUInt8)); }, {"[2, 8]"});
  EXPECT_TRUE(equal(generator.get_state(), before));
}

}  // namespace
}  // namespace nabla

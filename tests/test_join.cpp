// Joining, splitting and reshaping: cat, stack, split, chunk, unbind, repeat, flip, movedim and
// unflatten: values, views, dtype promotion, errors and gradients, on every device.
#include "device_test.h"
#include "test_helpers.h"

#include <vector>

namespace nabla {
namespace {

using testing::expect_error;
using testing::expect_tensor;
using Inputs = std::vector<Tensor>;
using testing::gradients_match;

NABLA_DEVICE_SUITE(Join);

TEST_P(Join, CatAlongEachDimAndPromotes) {
  const Tensor a = tensor({{1, 2}, {3, 4}}), b = tensor({{5, 6}});
  expect_tensor<int64_t>(cat({a, b}), {3, 2}, {1, 2, 3, 4, 5, 6});
  expect_tensor<int64_t>(cat({a, a.t()}, 1), {2, 4}, {1, 2, 1, 3, 3, 4, 2, 4});
  expect_tensor<float>(cat({tensor({1}), tensor({0.5})}), {2}, {1.0f, 0.5f});
  expect_tensor<int64_t>(cat({tensor({1, 2}), zeros({0}, kInt64)}), {2}, {1, 2});
  expect_error([&] { cat({a, tensor({{1, 2, 3}})}); }, {"cat", "tensor 1", "[1, 3]", "[2, 2]"});
  expect_error([] { cat({}); }, {"cat", "at least one"});
}

TEST_P(Join, StackMakesANewDim) {
  const Tensor a = tensor({1, 2}), b = tensor({3, 4});
  expect_tensor<int64_t>(stack({a, b}), {2, 2}, {1, 2, 3, 4});
  expect_tensor<int64_t>(stack({a, b}, 1), {2, 2}, {1, 3, 2, 4});
  expect_tensor<int64_t>(stack({a, b}, -1), {2, 2}, {1, 3, 2, 4});
  expect_error([&] { stack({a, tensor({1, 2, 3})}); }, {"stack", "tensor 1", "[3]"});
}

TEST_P(Join, SplitChunkAndUnbindAreViews) {
  const Tensor x = arange(10);
  const std::vector<Tensor> parts = split(x, 4);
  ASSERT_EQ(parts.size(), 3u);
  expect_tensor<int64_t>(parts[2], {2}, {8, 9});
  EXPECT_TRUE(parts[1].is_alias_of(x));
  const std::vector<Tensor> sized = split(x, std::vector<int64_t>{3, 7});
  expect_tensor<int64_t>(sized[0], {3}, {0, 1, 2});
  const std::vector<Tensor> chunks = x.reshape({2, 5}).chunk(2, 1);
  ASSERT_EQ(chunks.size(), 2u);
  expect_tensor<int64_t>(chunks[1], {2, 2}, {3, 4, 8, 9});
  const std::vector<Tensor> rows = x.reshape({2, 5}).unbind();
  ASSERT_EQ(rows.size(), 2u);
  expect_tensor<int64_t>(rows[1], {5}, {5, 6, 7, 8, 9});
  expect_error([&] { split(x, std::vector<int64_t>{3, 3}); }, {"split", "sum to 6", "size 10"});
  expect_error([&] { x.chunk(0); }, {"chunk", "positive"});
}

TEST_P(Join, RepeatTilesEveryDim) {
  const Tensor x = tensor({1, 2});
  expect_tensor<int64_t>(x.repeat({3}), {6}, {1, 2, 1, 2, 1, 2});
  expect_tensor<int64_t>(x.repeat({2, 2}), {2, 4}, {1, 2, 1, 2, 1, 2, 1, 2});
  expect_tensor<int64_t>(tensor({{1}, {2}}).repeat({1, 3}), {2, 3}, {1, 1, 1, 2, 2, 2});
  expect_error([&] { x.repeat(Shape{}); }, {"repeat", "cannot cover"});
}

TEST_P(Join, FlipMovedimUnflatten) {
  const Tensor x = arange(6).reshape({2, 3});
  expect_tensor<int64_t>(x.flip({1}), {2, 3}, {2, 1, 0, 5, 4, 3});
  expect_tensor<int64_t>(flip(x, {0, 1}), {2, 3}, {5, 4, 3, 2, 1, 0});
  const Tensor y = zeros({2, 3, 4});
  EXPECT_EQ(y.movedim(0, 2).sizes(), Shape({3, 4, 2}));
  EXPECT_EQ(movedim(y, Shape{0, 1}, Shape{2, 0}).sizes(), Shape({3, 4, 2}));
  EXPECT_EQ(movedim(y, -1, 0).sizes(), Shape({4, 2, 3}));
  expect_tensor<int64_t>(arange(6).unflatten(0, {2, -1}), {2, 3}, {0, 1, 2, 3, 4, 5});
  expect_error([] { arange(6).unflatten(0, {4, -1}); }, {"unflatten", "[4, -1]"});
}

TEST_P(Join, GradientsMatchFiniteDifferences) {
  manual_seed(13);
  const Tensor a = randn({2, 3}, kFloat64).requires_grad_();
  const Tensor b = randn({1, 3}, kFloat64).requires_grad_();
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return cat({in[0], in[1], in[0]}); }, {a, b}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return stack({in[0], in[0] * 2}, 1); }, {a}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].repeat({2, 1, 2}); }, {a}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].flip({0, 1}); }, {a}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return split(in[0], 2, 1)[1] * 3; }, {a}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].movedim(0, 1); }, {a}));
}

}  // namespace
}  // namespace nabla

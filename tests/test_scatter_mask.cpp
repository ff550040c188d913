// Writing by index and by mask: scatter (src and value), scatter_add, index_add, masked_fill,
// masked_select and nonzero, with their in-place forms, gradients and errors, on every device.
#include "device_test.h"
#include "test_helpers.h"

#include <vector>

namespace nabla {
namespace {

using testing::expect_error;
using testing::expect_tensor;
using Inputs = std::vector<Tensor>;
using testing::gradients_match;

NABLA_DEVICE_SUITE(ScatterMask);

TEST_P(ScatterMask, ScatterWritesSourceOrValueAtIndex) {
  const Tensor index = tensor({{0, 1, 2, 0}});
  const Tensor src = arange(1, 9, 1, kFloat32).reshape({2, 4});  // larger than index: allowed
  expect_tensor<float>(zeros({3, 4}).scatter(0, index, src), {3, 4},
                       {1, 0, 0, 4, 0, 2, 0, 0, 0, 0, 3, 0});
  expect_tensor<float>(zeros({2, 2}).scatter(1, tensor({{1}, {0}}), 5), {2, 2}, {0, 5, 5, 0});
  expect_tensor<float>(
      zeros({3}).scatter_add(0, tensor({0, 1, 0, 2}), tensor({1.f, 2.f, 3.f, 4.f})), {3},
      {4, 2, 4});
  // Along the last dim of contiguous rows (max pooling's backward): repeated indices add up, and
  // without accumulate the last one wins, as on one thread.
  expect_tensor<float>(zeros({2, 3}).scatter_add(1, tensor({{0, 0, 2}, {1, 1, 1}}),
                                                 tensor({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}})),
                       {2, 3}, {3, 0, 3, 0, 15, 0});
  expect_tensor<float>(zeros({1, 2}).scatter(1, tensor({{0, 0}}), tensor({{1.f, 2.f}})), {1, 2},
                       {2, 0});
  Tensor y = zeros({3}, kInt64);
  y.scatter_(0, tensor({2}), tensor({7}));
  y.scatter_add_(0, tensor({2, 0}), tensor({1, 1}));
  y.scatter_(0, tensor({1}), -3);
  expect_tensor<int64_t>(y, {3}, {1, -3, 8});
  expect_error([&] { zeros({3}).scatter(0, tensor({3}), tensor({1.f})); },
               {"scatter", "3", "out of range"});
  expect_error([&] { zeros({3}).scatter(0, tensor({0}), tensor({1})); },
               {"scatter", "int64", "float32"});
  expect_error([&] { zeros({3}).scatter(0, tensor({0.0}), tensor({1.f})); },
               {"scatter", "int64 index"});
}

TEST_P(ScatterMask, IndexAddAddsSlicesTimesAlpha) {
  const Tensor source = tensor({{1.f, 1.f}, {2.f, 2.f}, {3.f, 3.f}});
  expect_tensor<float>(ones({3, 2}).index_add(0, tensor({0, 2, 0}), source, 2), {3, 2},
                       {9, 9, 1, 1, 5, 5});
  Tensor z = zeros({2, 3});
  z.index_add_(1, tensor({2}), tensor({{1.f}, {2.f}}));
  expect_tensor<float>(z, {2, 3}, {0, 0, 1, 0, 0, 2});
  expect_error([&] { zeros({2}).index_add(0, tensor({5}), tensor({1.f})); },
               {"index_add", "5", "out of range"});
}

TEST_P(ScatterMask, MaskedFillAndSelect) {
  const Tensor x = tensor({{1, 2}, {3, 4}});
  expect_tensor<int64_t>(x.masked_fill(tensor({true, false}), -1), {2, 2}, {-1, 2, -1, 4});
  expect_tensor<int64_t>(x.masked_fill(x > 2, scalar_tensor(0)), {2, 2}, {1, 2, 0, 0});
  Tensor f = tensor({1.5f, -2.0f, 3.0f});
  f.masked_fill_(f < 0, 0);
  expect_tensor<float>(f, {3}, {1.5f, 0, 3});
  expect_tensor<int64_t>(x.masked_select(x > 1), {3}, {2, 3, 4});
  expect_tensor<int64_t>(x.masked_select(tensor({false, true})), {2}, {2, 4});
  EXPECT_EQ(x.masked_select(x > 9).sizes(), Shape({0}));
  expect_error([&] { x.masked_fill(x, 0); }, {"masked_fill", "bool mask", "int64"});
  expect_error(
      [&] {
        x.masked_fill(tensor({true, false, true}), 0);
      },
      {"masked_fill", "[2, 2]", "[3]"});
  expect_error([&] { x.masked_fill(x > 1, tensor({1, 2})); }, {"masked_fill", "0-dim"});
}

TEST_P(ScatterMask, NonzeroGivesRowMajorCoordinates) {
  expect_tensor<int64_t>(tensor({{0, 1, 0}, {2, 0, 3}}).nonzero(), {3, 2}, {0, 1, 1, 0, 1, 2});
  expect_tensor<int64_t>(tensor({0.0f, -1.5f, 0.0f, 2.0f}).nonzero(), {2, 1}, {1, 3});
  expect_tensor<int64_t>(tensor({true, false, true}).nonzero(), {2, 1}, {0, 2});
  EXPECT_EQ(zeros({2, 2}).nonzero().sizes(), Shape({0, 2}));
  EXPECT_EQ(scalar_tensor(5).nonzero().sizes(), Shape({1, 0}));
  EXPECT_EQ(zeros({0, 3}).nonzero().sizes(), Shape({0, 2}));
  // Enough elements that a device works in many blocks.
  const Tensor every_seventh = (arange(70000) % 7) == 0;
  const Tensor coords = every_seventh.nonzero();
  ASSERT_EQ(coords.sizes(), Shape({10000, 1}));
  EXPECT_EQ(coords.select(0, 9999).item<int64_t>(), 69993);
}

TEST_P(ScatterMask, GradientsMatchFiniteDifferences) {
  manual_seed(3);
  const Tensor self = randn({3, 4}, kFloat64).requires_grad_();
  const Tensor src = randn({2, 4}, kFloat64).requires_grad_();
  const Tensor index = tensor({{0, 1, 2, 0}});
  EXPECT_TRUE(gradients_match([&](const Inputs& in) { return in[0].scatter(0, index, in[1]) * 2; },
                              {self, src}));
  EXPECT_TRUE(
      gradients_match([&](const Inputs& in) { return in[0].scatter(0, index, 1.5); }, {self}));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return in[0].scatter_add(1, tensor({{0, 0, 3}, {1, 1, 1}}), in[1]);
      },
      {self.slice(0, 0, 2).detach().requires_grad_(),
       src.slice(1, 0, 3).detach().requires_grad_()}));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return in[0].index_add(0, tensor({2, 0, 2}), in[1], -0.5);
      },
      {self, randn({3, 4}, kFloat64).requires_grad_()}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].masked_fill(in[0] > 0, in[1]); },
                              {self, scalar_tensor(0.25, kFloat64).requires_grad_()}));
  EXPECT_TRUE(
      gradients_match([](const Inputs& in) { return in[0].masked_select(in[0] < 0.5); }, {self}));
}

}  // namespace
}  // namespace nabla

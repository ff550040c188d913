// Tensor::index and index_put_ with libtorch's index kinds: integers, slices, None, Ellipsis,
// bools, int64 tensors and bool masks; where advanced-index dims land; views versus copies;
// writes through any layout; gradients and errors, on every device.
#include "device_test.h"
#include "test_helpers.h"

#include <vector>

namespace nabla {
namespace {

using namespace indexing;  // NOLINT: as libtorch code writes it
using testing::expect_error;
using testing::expect_tensor;
using Inputs = std::vector<Tensor>;

NABLA_DEVICE_SUITE(Indexing);

TEST_P(Indexing, BasicIndicesGiveViews) {
  const Tensor x = arange(24).reshape({2, 3, 4});
  const Tensor column = x.index({Slice(), 0});
  expect_tensor<int64_t>(column, {2, 4}, {0, 1, 2, 3, 12, 13, 14, 15});
  EXPECT_TRUE(column.is_alias_of(x));
  expect_tensor<int64_t>(x.index({1, -1}), {4}, {20, 21, 22, 23});
  expect_tensor<int64_t>(x.index({0, Slice(1, None), Slice(None, None, 2)}), {2, 2}, {4, 6, 8, 10});
  expect_tensor<int64_t>(x.index({"...", -1}), {2, 3}, {3, 7, 11, 15, 19, 23});
  expect_tensor<int64_t>(x.index({Ellipsis, 1, Slice(-2, None)}), {2, 2}, {6, 7, 18, 19});
  EXPECT_EQ(x.index({None, Slice(), None}).sizes(), Shape({1, 2, 1, 3, 4}));
  EXPECT_EQ(x.index({0, "...", None}).sizes(), Shape({3, 4, 1}));
  EXPECT_EQ(x.index({true}).sizes(), Shape({1, 2, 3, 4}));
  EXPECT_EQ(x.index({false}).sizes(), Shape({0, 2, 3, 4}));
  EXPECT_EQ(x.index({Slice(5, 9)}).sizes(), Shape({0, 3, 4}));  // clamped, as in Python
  expect_tensor<int64_t>(x.index({1, 2, 3}), {}, {23});
}

TEST_P(Indexing, TensorIndicesGatherCopies) {
  const Tensor x = arange(12).reshape({3, 4});
  const Tensor rows = x.index({tensor({2, 0, -1})});
  expect_tensor<int64_t>(rows, {3, 4}, {8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11});
  EXPECT_FALSE(rows.is_alias_of(x));
  // Pairs of positions broadcast together.
  expect_tensor<int64_t>(x.index({tensor({0, 2}), tensor({1, 3})}), {2}, {1, 11});
  expect_tensor<int64_t>(x.index({tensor({{0}, {2}}), tensor({1, 3})}), {2, 2}, {1, 3, 9, 11});
  expect_tensor<int64_t>(x.index({Slice(), tensor({3, 0})}), {3, 2}, {3, 0, 7, 4, 11, 8});
  // A bool mask picks its true elements, row-major.
  expect_tensor<int64_t>(x.index({x % 5 == 0}), {3}, {0, 5, 10});
  expect_tensor<int64_t>(x.index({tensor({true, false, true})}), {2, 4},
                         {0, 1, 2, 3, 8, 9, 10, 11});
  expect_tensor<int64_t>(x.index({Slice(), tensor({false, true, true, false})}), {3, 2},
                         {1, 2, 5, 6, 9, 10});
}

TEST_P(Indexing, AdvancedDimsStayInPlaceWhenAdjacentAndGoFirstWhenNot) {
  const Tensor x = zeros({5, 6, 7, 8});
  const Tensor i = zeros({3, 2}, kInt64);
  EXPECT_EQ(x.index({Slice(), i, i}).sizes(), Shape({5, 3, 2, 8}));
  EXPECT_EQ(x.index({Slice(), i}).sizes(), Shape({5, 3, 2, 7, 8}));
  EXPECT_EQ(x.index({i, Slice(), i}).sizes(), Shape({3, 2, 6, 8}));
  EXPECT_EQ(x.index({Slice(), i, Slice(), i}).sizes(), Shape({3, 2, 5, 7}));
  EXPECT_EQ(x.index({0, i}).sizes(), Shape({3, 2, 7, 8}));
  // The values follow: x[:, [1, 2], :, 0] of an arange.
  const Tensor y = arange(24).reshape({2, 3, 4});
  expect_tensor<int64_t>(y.index({Slice(), tensor({2, 0}), 1}), {2, 2}, {9, 1, 21, 13});
  expect_tensor<int64_t>(y.index({tensor({1}), Slice(), tensor({3})}), {1, 3}, {15, 19, 23});
}

TEST_P(Indexing, IndexPutWritesThroughEveryKind) {
  Tensor x = zeros({3, 4});
  x.index_put_({0}, 1);
  x.index_put_({Slice(), -1}, tensor({7.0f, 8.0f, 9.0f}));
  x.index_put_({tensor({1, 2}), tensor({0, 1})}, tensor({-1.0f, -2.0f}));
  x.index_put_({x < 0}, 5);
  expect_tensor<float>(x, {3, 4}, {1, 1, 1, 7, 5, 0, 0, 8, 0, 5, 0, 9});
  // Into a transposed view: the write lands in the base.
  Tensor base = zeros({2, 3}, kInt64);
  Tensor t = base.t();
  t.index_put_({tensor({2, 0}), Slice()}, tensor({{1, 2}, {3, 4}}));
  expect_tensor<int64_t>(base, {2, 3}, {3, 0, 1, 4, 0, 2});
  Tensor z = zeros({2, 3, 4}, kInt64);
  z.index_put_({Slice(), tensor({0, 2}), tensor({1, 3})}, tensor({5, 6}));
  EXPECT_EQ(z.sum().item<int64_t>(), 22);
  EXPECT_EQ(z.index({1, 2, 3}).item<int64_t>(), 6);
  EXPECT_EQ(z.index({0, 0, 1}).item<int64_t>(), 5);
}

TEST_P(Indexing, Errors) {
  Tensor x = zeros({2, 3});
  expect_error([&] { x.index({0, 0, 0}); }, {"index", "too many", "[2, 3]"});
  expect_error([&] { x.index({2}); }, {"index", "index 2", "dim 0", "size 2"});
  expect_error([&] { x.index({Slice(), tensor({3})}); }, {"index", "3", "out of range"});
  expect_error([&] { x.index({"...", "..."}); }, {"index", "Ellipsis"});
  expect_error([&] { x.index({"::"}); }, {"index", "\"::\""});
  expect_error([&] { x.index({tensor({true, false, true})}); }, {"index", "mask", "[3]"});
  expect_error([&] { x.index({tensor({0.5f})}); }, {"index", "int64 or bool", "float32"});
  expect_error([&] { x.index({Slice(0, 2, -1)}); }, {"index", "step"});
  expect_error([&] { x.index_put_({0}, tensor({1.0f, 2.0f})); }, {"index_put_", "[2]", "[3]"});
  Tensor ints = zeros({2}, kInt64);
  expect_error([&] { ints.index_put_({0}, tensor({1.5f})); }, {"index_put_", "float32", "int64"});
  Tensor leaf = zeros({2}).requires_grad_();
  expect_error([&] { leaf.index_put_({0}, 1); }, {"index_put_", "leaf"});
}

TEST_P(Indexing, GradientsMatchFiniteDifferences) {
  manual_seed(17);
  const Tensor x = randn({3, 4, 2}, kFloat64).requires_grad_();
  const Tensor v = randn({2}, kFloat64).requires_grad_();
  auto check = [](const autograd::GradcheckFunction& fn, const Inputs& inputs) {
    const autograd::GradcheckResult r = autograd::gradcheck(fn, inputs);
    EXPECT_TRUE(r.ok) << r.report;
  };
  check([](const Inputs& in) { return in[0].index({Slice(1, None), -1}); }, {x});
  check([](const Inputs& in) { return in[0].index({tensor({2, 0, 2}), Slice(), 1}); }, {x});
  check([](const Inputs& in) { return in[0].index({in[0] > 0}); }, {x});
  check(
      [](const Inputs& in) {
        return in[0].index({Slice(), tensor({0, 3}), tensor({1, 0})});
      },
      {x});
  check([](const Inputs& in) { return index_put(in[0], {1, tensor({0, 2})}, in[1]); }, {x, v});
  check([](const Inputs& in) { return index_put(in[0], {Slice(), 0, 0}, in[1].sum()); }, {x, v});
}

}  // namespace
}  // namespace nabla

// Sorting and scans: sort, argsort, topk, cumsum and cumprod, hand-computed values (NaN order,
// stability, ties), dtypes, errors and gradients (cumprod's through zeros), on every device.
#include "device_test.h"
#include "test_helpers.h"

#include <vector>

namespace nabla {
namespace {

using testing::expect_error;
using testing::expect_tensor;
using testing::kNanF;
using Inputs = std::vector<Tensor>;
using testing::gradients_match;

NABLA_DEVICE_SUITE(SortScan);

TEST_P(SortScan, SortIsStableAndPutsNanLast) {
  const Tensor x = tensor({3.0f, kNanF, -1.0f, 2.0f, -1.0f});
  auto [up, up_index] = x.sort();
  expect_tensor<float>(up, {5}, {-1, -1, 2, 3, kNanF});
  expect_tensor<int64_t>(up_index, {5}, {2, 4, 3, 0, 1});
  auto [down, down_index] = sort(x, 0, /*descending=*/true);
  expect_tensor<float>(down, {5}, {kNanF, 3, 2, -1, -1});
  expect_tensor<int64_t>(down_index, {5}, {1, 0, 3, 2, 4});
  expect_tensor<int64_t>(argsort(tensor({3, 1, 2})), {3}, {1, 2, 0});
  // -0 and 0 are equal, so they keep their order.
  expect_tensor<int64_t>(argsort(tensor({0.0, -0.0, 0.0})), {3}, {0, 1, 2});
  expect_tensor<int64_t>(argsort(tensor({true, false, true})), {3}, {1, 0, 2});
}

TEST_P(SortScan, SortAlongEachDim) {
  const Tensor x = tensor({{3, 1}, {2, 4}});
  auto [by_column, column_index] = x.sort(0);
  expect_tensor<int64_t>(by_column, {2, 2}, {2, 1, 3, 4});
  expect_tensor<int64_t>(column_index, {2, 2}, {1, 0, 0, 1});
  auto [by_row, row_index] = x.t().sort(1, true);
  expect_tensor<int64_t>(by_row, {2, 2}, {3, 2, 4, 1});
  expect_tensor<int64_t>(row_index, {2, 2}, {0, 1, 1, 0});
  auto [scalar, scalar_index] = scalar_tensor(5.0, kFloat64).sort();
  expect_tensor<double>(scalar, {}, {5.0});
  expect_tensor<int64_t>(scalar_index, {}, {0});
  EXPECT_EQ(std::get<0>(zeros({2, 0}).sort()).sizes(), Shape({2, 0}));
  // Rows long enough to take the device's segmented sort rather than a small-row path.
  const Tensor long_rows = arange(5000, 0, -1).reshape({2, 2500});
  expect_tensor<int64_t>(argsort(long_rows).select(1, 0), {2}, {2499, 2499});
  expect_error([&] { x.sort(2); }, {"sort", "dim 2"});
}

TEST_P(SortScan, TopkPicksTheLargestOrSmallestWithTiesInOrder) {
  const Tensor x = tensor({1.0f, 5.0f, 3.0f, 5.0f});
  auto [top, top_index] = x.topk(2);
  expect_tensor<float>(top, {2}, {5, 5});
  expect_tensor<int64_t>(top_index, {2}, {1, 3});
  auto [low, low_index] = topk(x, 2, 0, /*largest=*/false);
  expect_tensor<float>(low, {2}, {1, 3});
  expect_tensor<int64_t>(low_index, {2}, {0, 2});
  // Top-5 accuracy's shape: the k best classes of each row.
  const Tensor logits = tensor({{0.1f, 0.9f, 0.5f}, {0.7f, 0.2f, 0.3f}});
  expect_tensor<int64_t>(std::get<1>(logits.topk(2, 1)), {2, 2}, {1, 2, 0, 2});
  EXPECT_EQ(std::get<0>(x.topk(0)).sizes(), Shape({0}));
  expect_error([&] { x.topk(5); }, {"topk", "k = 5", "size 4"});
}

TEST_P(SortScan, CumsumAndCumprodValuesAndDtypes) {
  expect_tensor<float>(tensor({1.0f, 2.0f, 3.0f, 4.0f}).cumsum(0), {4}, {1, 3, 6, 10});
  expect_tensor<float>(tensor({1.0f, 2.0f, 3.0f, 4.0f}).cumprod(0), {4}, {1, 2, 6, 24});
  const Tensor m = tensor({{1, 2}, {3, 4}});
  expect_tensor<int64_t>(m.cumsum(1), {2, 2}, {1, 3, 3, 7});
  expect_tensor<int64_t>(m.cumsum(0), {2, 2}, {1, 2, 4, 6});
  expect_tensor<int64_t>(m.t().cumprod(-1), {2, 2}, {1, 3, 2, 8});
  expect_tensor<double>(m.cumsum(0, kFloat64), {2, 2}, {1, 2, 4, 6});
  // bool and uint8 accumulate in int64, as in PyTorch.
  expect_tensor<int64_t>(tensor({true, true, false, true}).cumsum(0), {4}, {1, 2, 2, 3});
  expect_tensor<int64_t>(tensor({200, 100}).to(kUInt8).cumsum(0), {2}, {200, 300});
  expect_tensor<double>(scalar_tensor(2.5, kFloat64).cumsum(0), {}, {2.5});
  // Long rows, where a device scans in blocks: 1 + 2 + ... + n.
  const int64_t n = 100000;
  expect_tensor<double>(arange(1, n + 1, 1, kFloat64).cumsum(0).slice(0, n - 1, n), {1},
                        {static_cast<double>(n) * (n + 1) / 2});
  expect_error([&] { m.cumsum(2); }, {"cumsum", "dim 2"});
}

TEST_P(SortScan, CumprodGradientIsExactThroughZeros) {
  // y = [x0, x0 x1, x0 x1 x2]; dL/dx for L = sum(y) at x = [2, 0, 3] is
  // [1 + x1 + x1 x2, x0 + x0 x2, x0 x1] = [1, 8, 0].
  const Tensor x = tensor({2.0, 0.0, 3.0}, kFloat64).requires_grad_();
  x.cumprod(0).sum().backward();
  expect_tensor<double>(x.grad(), {3}, {1, 8, 0});
}

TEST_P(SortScan, GradientsMatchFiniteDifferences) {
  manual_seed(21);
  const Tensor a = randn({3, 4}, kFloat64).requires_grad_();
  const Tensor zeros_in =
      tensor({{2.0, 0.0, 3.0, 0.0, 1.5}, {0.5, -1.0, 0.0, 2.0, 1.0}}, kFloat64).requires_grad_();
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return std::get<0>(in[0].sort(1)); }, {a}));
  EXPECT_TRUE(
      gradients_match([](const Inputs& in) { return std::get<0>(in[0].sort(0, true)); }, {a}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return std::get<0>(in[0].topk(2, 1)); }, {a}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].cumsum(0); }, {a}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].cumsum(1); }, {a}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].cumprod(1); }, {a}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].cumprod(1); }, {zeros_in}));
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return in[0].t().cumprod(0); }, {zeros_in}));
}

}  // namespace
}  // namespace nabla

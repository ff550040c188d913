// The process group's collectives against hand-computed results on every rank, and what happens
// when ranks disagree. Written for any world size; CI runs two ranks.
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include <nabla/distributed/distributed.h>
#include <nabla/nabla.h>

#include "../test_helpers.h"

namespace nabla {
namespace {

namespace dist = distributed;
using testing::expect_error;
using testing::expect_tensor;

TEST(ProcessGroup, EveryRankKnowsItsPlace) {
  EXPECT_TRUE(dist::available());
  EXPECT_TRUE(dist::is_initialized());
  EXPECT_GE(dist::world_size(), 2);
  EXPECT_GE(dist::rank(), 0);
  EXPECT_LT(dist::rank(), dist::world_size());
  // mpirun starts every rank on this machine.
  EXPECT_EQ(dist::local_rank(), dist::rank());
  dist::barrier();
}

TEST(ProcessGroup, AllReduceSumsAveragesAndTakesTheMaximum) {
  const int r = dist::rank(), n = dist::world_size();
  // Rank r holds (r + 1, -10 (r + 1)): the sum over ranks is (S, -10 S) with S = n (n + 1) / 2.
  const double s = n * (n + 1) / 2.0;
  Tensor f = tensor({r + 1.0f, -10.0f * (r + 1)});
  dist::all_reduce(f);
  expect_tensor<float>(f, {2}, {static_cast<float>(s), static_cast<float>(-10 * s)});
  Tensor d = tensor({r + 1.0, -10.0 * (r + 1)}, kFloat64);
  dist::all_reduce(d, dist::ReduceOp::Average);
  expect_tensor<double>(d, {2}, {s / n, -10 * s / n});
  Tensor i = tensor({int64_t{r}, int64_t{-r}, int64_t{1} << 40});
  dist::all_reduce(i, dist::ReduceOp::Max);
  expect_tensor<int64_t>(i, {3}, {n - 1, 0, int64_t{1} << 40});
  Tensor u = full({4}, r + 1, kUInt8);
  dist::all_reduce(u);
  expect_tensor<uint8_t>(u, {4}, std::vector<uint8_t>(4, static_cast<uint8_t>(s)));
}

TEST(ProcessGroup, AllReduceOfAViewWritesBackIntoItsBase) {
  const int n = dist::world_size();
  Tensor base = zeros({2, 3});
  Tensor column = base.narrow(1, 1, 1);  // not contiguous
  column.fill_(1.0);
  dist::all_reduce(column);
  expect_tensor<float>(base, {2, 3}, {0, static_cast<float>(n), 0, 0, static_cast<float>(n), 0});
}

TEST(ProcessGroup, BroadcastTakesTheRootsTensor) {
  const int r = dist::rank();
  for (int root = 0; root < dist::world_size(); ++root) {
    Tensor t = tensor({r * 1.0, r * 2.0, r * 3.0, 7.0}, kFloat64).reshape({2, 2});
    dist::broadcast(t, root);
    expect_tensor<double>(t, {2, 2}, {root * 1.0, root * 2.0, root * 3.0, 7.0});
  }
}

TEST(ProcessGroup, AllGatherStacksTheRanksInOrder) {
  const int r = dist::rank(), n = dist::world_size();
  const Tensor gathered = dist::all_gather(tensor({int64_t{r}, int64_t{10 * r}}));
  std::vector<int64_t> expected;
  for (int k = 0; k < n; ++k) {
    expected.push_back(k);
    expected.push_back(10 * k);
  }
  expect_tensor<int64_t>(gathered, {n, 2}, expected);
}

TEST(ProcessGroup, ReduceScatterGivesEachRankItsRowsOfTheSum) {
  const int r = dist::rank(), n = dist::world_size();
  // Rank r holds rows k = 0 .. 2n - 1 of (r + 1) * (k, k + 0.5); the sum is S * (k, k + 0.5),
  // and rank r gets rows 2r and 2r + 1.
  std::vector<float> values;
  for (int k = 0; k < 2 * n; ++k) {
    values.push_back((r + 1.0f) * k);
    values.push_back((r + 1.0f) * (k + 0.5f));
  }
  const Tensor input = tensor(values).reshape({2 * n, 2});
  const float s = n * (n + 1) / 2.0f;
  const float k0 = 2.0f * r, k1 = 2.0f * r + 1;
  expect_tensor<float>(dist::reduce_scatter(input), {2, 2},
                       {s * k0, s * (k0 + 0.5f), s * k1, s * (k1 + 0.5f)});
  expect_tensor<float>(dist::reduce_scatter(input, dist::ReduceOp::Average), {2, 2},
                       {s * k0 / n, s * (k0 + 0.5f) / n, s * k1 / n, s * (k1 + 0.5f) / n});
}

TEST(ProcessGroup, RanksThatDisagreeAllThrowAndTheGroupCarriesOn) {
  const int r = dist::rank();
  // Rank 0 passes 3 elements, the others 4: every rank throws, naming every rank's tensor.
  Tensor t = zeros({r == 0 ? 3 : 4});
  expect_error([&] { dist::all_reduce(t); },
               {"distributed::all_reduce", "do not match", "rank 0 all_reduce(sum) of float32 [3]",
                "rank 1 all_reduce(sum) of float32 [4]"});
  // A dtype, a reduce op, a root, a collective.
  Tensor d = zeros({2}, r == 0 ? kFloat32 : kFloat64);
  expect_error([&] { dist::broadcast(d); }, {"rank 0 broadcast(root 0) of float32 [2]",
                                             "rank 1 broadcast(root 0) of float64 [2]"});
  Tensor o = zeros({2});
  expect_error([&] { dist::all_reduce(o, r == 0 ? dist::ReduceOp::Sum : dist::ReduceOp::Max); },
               {"rank 0 all_reduce(sum)", "rank 1 all_reduce(max)"});
  expect_error([&] { dist::broadcast(o, r == 0 ? 0 : 1); }, {"(root 0)", "(root 1)"});
  expect_error(
      [&] {
        if (r == 0) {
          dist::barrier();
        } else {
          dist::all_gather(o);
        }
      },
      {"rank 0 barrier", "rank 1 all_gather of float32 [2]"});
  // The group still works.
  Tensor ok = ones({2});
  dist::all_reduce(ok);
  expect_tensor<float>(ok, {2}, std::vector<float>(2, static_cast<float>(dist::world_size())));
}

TEST(ProcessGroup, BadArgumentsThrowOnEveryRank) {
  Tensor i = zeros({2}, kInt64);
  expect_error([&] { dist::all_reduce(i, dist::ReduceOp::Average); },
               {"all_reduce", "average", "floating", "int64"});
  Tensor b = zeros({2}, kBool);
  expect_error([&] { dist::all_reduce(b); }, {"all_reduce", "bool"});
  Tensor t = zeros({3});
  expect_error([&] { dist::broadcast(t, dist::world_size()); }, {"broadcast", "root"});
  expect_error([&] { dist::reduce_scatter(zeros({dist::world_size() + 1})); },
               {"reduce_scatter", "split evenly"});
  Tensor undefined;
  expect_error([&] { dist::all_reduce(undefined); }, {"all_reduce", "undefined"});
}

}  // namespace
}  // namespace nabla

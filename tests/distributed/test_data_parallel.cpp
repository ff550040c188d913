// DistributedDataParallel against one process: N steps of SGD on the ranks, each on its share of
// every global batch, give the weights that one process training on the whole batches gets.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include <nabla/distributed/data_parallel.h>
#include <nabla/distributed/distributed.h>
#include <nabla/nabla.h>

#include "../test_helpers.h"

namespace nabla {
namespace {

namespace dist = distributed;
using nn::parallel::DistributedDataParallel;
using nn::parallel::DistributedDataParallelOptions;

nn::Sequential make_model() {
  return nn::Sequential(nn::Linear(5, 4), nn::Tanh(), nn::Linear(4, 3));
}

// Global batch `step` of the synthetic data set: 2 * world rows of inputs and targets, the same on
// every rank (a fixed seed per step).
std::pair<Tensor, Tensor> global_batch(int step, int64_t rows) {
  manual_seed(1000 + step);
  return {randn({rows, 5}, kFloat64), randn({rows, 3}, kFloat64)};
}

std::vector<double> flat_parameters(nn::Sequential& model) {
  std::vector<double> values;
  for (const Tensor& p : model->parameters()) {
    const std::vector<double> v = p.to_vector<double>();
    values.insert(values.end(), v.begin(), v.end());
  }
  return values;
}

// Trains `steps` steps of SGD on mean squared error; with `ddp`, on this rank's rows of each
// global batch (rows [rank b, (rank + 1) b)), else on all of them. `accumulate`: each step as two
// micro-batches, the first under no_sync().
std::vector<double> train(bool ddp, int steps, bool accumulate, double bucket_cap_mb) {
  const int64_t world = dist::world_size(), local = 2, rows = local * world;
  // The ranks start from different weights, which DDP replaces by rank 0's; the one process
  // starts from rank 0's.
  manual_seed(ddp ? dist::rank() + 1 : 1);
  nn::Sequential model = make_model();
  model->to(kFloat64);
  std::unique_ptr<DistributedDataParallel> wrapper;
  if (ddp) {
    wrapper = std::make_unique<DistributedDataParallel>(
        model, DistributedDataParallelOptions().bucket_cap_mb(bucket_cap_mb));
  }
  optim::SGD optimizer(model->parameters(), optim::SGDOptions(0.1));
  for (int step = 0; step < steps; ++step) {
    auto [x, y] = global_batch(step, rows);
    if (ddp) {
      x = x.narrow(0, dist::rank() * local, local);
      y = y.narrow(0, dist::rank() * local, local);
    }
    optimizer.zero_grad();
    if (accumulate) {
      // Two halves, each loss halved: the gradients add up to the whole batch's.
      const int64_t half = x.size(0) / 2;
      {
        std::optional<DistributedDataParallel::NoSync> guard;
        if (ddp) guard.emplace(wrapper->no_sync());
        (nn::functional::mse_loss(model(x.narrow(0, 0, half)), y.narrow(0, 0, half)) * 0.5)
            .backward();
      }
      (nn::functional::mse_loss(model(x.narrow(0, half, half)), y.narrow(0, half, half)) * 0.5)
          .backward();
    } else {
      nn::functional::mse_loss(model(x), y).backward();
    }
    optimizer.step();
  }
  return flat_parameters(model);
}

void expect_near_all(const std::vector<double>& got, const std::vector<double>& expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-12) << i;
}

TEST(DistributedDataParallel, RanksTrainAsOneProcessOnTheWholeBatch) {
  const std::vector<double> expected = train(false, 4, false, 25);
  expect_near_all(train(true, 4, false, 25), expected);
  // Buckets of one small parameter each: the same result, sent in five pieces.
  expect_near_all(train(true, 4, false, 1e-6), expected);
}

TEST(DistributedDataParallel, EveryRankEndsWithTheSameBits) {
  const std::vector<double> mine = train(true, 3, false, 25);
  const Tensor all = dist::all_gather(tensor(mine));
  for (int64_t r = 1; r < all.size(0); ++r) {
    EXPECT_TRUE(equal(all.narrow(0, r, 1), all.narrow(0, 0, 1))) << "rank " << r << " differs";
  }
}

TEST(DistributedDataParallel, NoSyncAccumulatesMicroBatchesLocally) {
  expect_near_all(train(true, 3, true, 25), train(false, 3, false, 25));
}

TEST(DistributedDataParallel, BucketsFollowTheCap) {
  nn::Sequential model = make_model();  // parameters of 80, 16, 48 and 12 bytes (float32)
  EXPECT_EQ(DistributedDataParallel(model).bucket_count(), 1u);
  EXPECT_EQ(DistributedDataParallel(model, DistributedDataParallelOptions().bucket_cap_mb(64e-6))
                .bucket_count(),
            3u);  // [12, 48], [16], [80] (the last parameters first)
}

TEST(DistributedDataParallel, DifferentModelsOnTheRanksAreAnError) {
  nn::Sequential model = dist::rank() == 0
                             ? make_model()
                             : nn::Sequential(nn::Linear(5, 4), nn::Linear(4, 3), nn::Linear(3, 3));
  testing::expect_error([&] { DistributedDataParallel ddp(model); },
                        {"DistributedDataParallel", "parameters", "same model"});
  nn::Sequential wider = nn::Sequential(nn::Linear(5, dist::rank() == 0 ? 4 : 6));
  testing::expect_error([&] { DistributedDataParallel ddp(wider); },
                        {"broadcast", "do not match", "[4, 5]", "[6, 5]"});
}

}  // namespace
}  // namespace nabla

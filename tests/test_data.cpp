// The data layer: the IDX reader on valid and corrupt files the tests write, MNIST (and
// Fashion-MNIST) loading from a fake dataset directory, TensorDataset, and the DataLoader's
// batching and shuffling.
#include "idx_files.h"
#include "temp_dir.h"
#include "test_helpers.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include <nabla/core/math/philox.h>

namespace nabla {
namespace {

namespace fs = std::filesystem;
using data::DataLoader;
using data::DataLoaderOptions;
using data::TensorDataset;
using nabla::testing::counting_bytes;
using nabla::testing::expect_error;
using nabla::testing::expect_tensor;
using nabla::testing::idx_bytes;

using DataFilesTest = testing::TempDirTest;

// --- IDX reader ----------------------------------------------------------------------------------

class IdxReader : public DataFilesTest {};

TEST_F(IdxReader, ReadsImagesWithExactValues) {
  // 3 images of 2 rows by 3 columns, pixels 10, 11, ..., 27 in row-major order.
  const std::string file = write_bytes("images", idx_bytes({3, 2, 3}, counting_bytes(18, 10)));
  Tensor images = data::read_idx(file);
  expect_tensor<uint8_t>(images, {3, 2, 3}, counting_bytes(18, 10));
}

TEST_F(IdxReader, ReadsLabels) {
  const std::string file = write_bytes("labels", idx_bytes({4}, {7, 0, 9, 255}));
  expect_tensor<uint8_t>(data::read_idx(file), {4}, {7, 0, 9, 255});
}

TEST_F(IdxReader, ReadsFourDims) {
  const std::string file = write_bytes("four", idx_bytes({1, 2, 1, 2}, {1, 2, 3, 4}));
  expect_tensor<uint8_t>(data::read_idx(file), {1, 2, 1, 2}, {1, 2, 3, 4});
}

TEST_F(IdxReader, RejectsTruncatedData) {
  const std::string file = write_bytes("short", idx_bytes({3, 2, 3}, counting_bytes(17)));
  expect_error([&] { data::read_idx(file); },
               {file.c_str(), "33 bytes", "expected 34", "truncated"});
}

TEST_F(IdxReader, RejectsTrailingBytes) {
  const std::string file = write_bytes("long", idx_bytes({2, 2}, counting_bytes(7)));
  expect_error([&] { data::read_idx(file); },
               {file.c_str(), "19 bytes", "expected 16", "3 bytes of trailing data"});
}

TEST_F(IdxReader, RejectsTruncatedHeader) {
  // Three dims announced, but only one and a half dim sizes follow.
  const std::string file = write_bytes("header", {0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0});
  expect_error([&] { data::read_idx(file); }, {file.c_str(), "truncated header", "16-byte"});
}

TEST_F(IdxReader, RejectsBadMagic) {
  const std::string file = write_bytes("magic", {1, 0, 0x08, 1, 0, 0, 0, 1, 5});
  expect_error([&] { data::read_idx(file); }, {file.c_str(), "not an IDX file", "0x01 0x00"});
}

TEST_F(IdxReader, RecognizesGzippedFiles) {
  const std::string file = write_bytes("images.gz", {0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0});
  expect_error([&] { data::read_idx(file); }, {file.c_str(), "gzip-compressed"});
}

TEST_F(IdxReader, RejectsOtherDataTypes) {
  const std::string file = write_bytes("floats", idx_bytes({1}, {0, 0, 128, 63}, 0x0D));
  expect_error([&] { data::read_idx(file); },
               {file.c_str(), "data type byte is 0x0D (float32)", "only 0x08 (unsigned byte)"});
}

TEST_F(IdxReader, RejectsZeroOrTooManyDims) {
  const std::string none = write_bytes("none", {0, 0, 0x08, 0});
  expect_error([&] { data::read_idx(none); }, {none.c_str(), "gives 0 dims", "1 to 4"});
  const std::string five = write_bytes("five", idx_bytes({1, 1, 1, 1, 1}, {9}));
  expect_error([&] { data::read_idx(five); }, {five.c_str(), "gives 5 dims"});
}

TEST_F(IdxReader, RejectsADimOfZero) {
  const std::string file = write_bytes("zero", idx_bytes({2, 0, 3}, {}));
  expect_error([&] { data::read_idx(file); }, {file.c_str(), "dim 1 of the header is 0"});
}

TEST_F(IdxReader, RejectsAbsurdDimsWithoutAllocating) {
  // 2^32 - 1 per dim: 2^128 bytes, which must neither overflow nor be allocated.
  const std::string file =
      write_bytes("huge", idx_bytes({0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, {1, 2, 3}));
  expect_error([&] { data::read_idx(file); }, {file.c_str(), "the header is corrupt"});
}

TEST_F(IdxReader, RejectsMissingFile) {
  const std::string file = path("does-not-exist");
  expect_error([&] { data::read_idx(file); }, {file.c_str(), "no such file"});
}

TEST_F(IdxReader, RejectsEmptyFile) {
  const std::string file = write_bytes("empty", {});
  expect_error([&] { data::read_idx(file); }, {file.c_str(), "is 0 bytes", "magic"});
}

TEST_F(IdxReader, RejectsADirectory) {
  const std::string directory = path("a-directory");
  fs::create_directories(directory);
  expect_error([&] { data::read_idx(directory); }, {directory.c_str(), "not a regular file"});
}

// --- MNIST ---------------------------------------------------------------------------------------

// Writes a fake MNIST split: images counting up from 100, and the given labels.
class MnistLoad : public DataFilesTest {
 protected:
  void write_split(const std::string& prefix, const std::vector<uint32_t>& image_dims,
                   const std::vector<uint8_t>& labels) {
    uint32_t pixels = 1;
    for (uint32_t dim : image_dims) pixels *= dim;
    write_bytes(prefix + "-images-idx3-ubyte", idx_bytes(image_dims, counting_bytes(pixels, 100)));
    write_bytes(prefix + "-labels-idx1-ubyte",
                idx_bytes({static_cast<uint32_t>(labels.size())}, labels));
  }
};

TEST_F(MnistLoad, LoadsTrainAndTestSplits) {
  write_split("train", {3, 2, 2}, {5, 0, 9});
  write_split("t10k", {2, 2, 2}, {1, 2});
  data::MnistSplit train = data::load_mnist(directory_.string(), /*train=*/true);
  expect_tensor<uint8_t>(train.images, {3, 2, 2}, counting_bytes(12, 100));
  expect_tensor<int64_t>(train.labels, {3}, {5, 0, 9});
  data::MnistSplit test = data::load_mnist(directory_.string(), /*train=*/false);
  expect_tensor<uint8_t>(test.images, {2, 2, 2}, counting_bytes(8, 100));
  expect_tensor<int64_t>(test.labels, {2}, {1, 2});
}

TEST_F(MnistLoad, RejectsImageAndLabelCountMismatch) {
  write_split("train", {3, 2, 2}, {5, 0});
  expect_error(
      [&] { data::load_mnist(directory_.string(), true); },
      {"train-images-idx3-ubyte holds 3 images", "train-labels-idx1-ubyte holds 2 labels"});
}

TEST_F(MnistLoad, RejectsALabelOutsideTheTenClasses) {
  write_split("t10k", {2, 2, 2}, {3, 10});
  expect_error([&] { data::load_mnist(directory_.string(), false); },
               {"t10k-labels-idx1-ubyte", "label 1 is 10, not a class 0 to 9"});
}

TEST_F(MnistLoad, RejectsImagesThatAreNotThreeDimensional) {
  write_split("train", {3, 4}, {1, 2, 3});
  expect_error([&] { data::load_mnist(directory_.string(), true); },
               {"train-images-idx3-ubyte", "[count, rows, cols]", "[3, 4]"});
}

TEST_F(MnistLoad, RejectsLabelsThatAreNotOneDimensional) {
  write_bytes("train-images-idx3-ubyte", idx_bytes({2, 1, 1}, {0, 1}));
  write_bytes("train-labels-idx1-ubyte", idx_bytes({2, 1}, {0, 1}));
  expect_error([&] { data::load_mnist(directory_.string(), true); },
               {"train-labels-idx1-ubyte", "[2, 1]"});
}

TEST_F(MnistLoad, MissingFileSaysHowToFetchEitherDataset) {
  // Both datasets have the same file names, so the loader cannot tell which one was meant.
  expect_error([&] { data::load_mnist(directory_.string(), true); },
               {path("train-images-idx3-ubyte").c_str(), "scripts/fetch_mnist.sh",
                "scripts/fetch_fashion_mnist.sh", "data/fashion-mnist"});
}

TEST_F(MnistLoad, LoadsFashionMnistShapedFilesWithEveryClass) {
  // Fashion-MNIST's layout: 28x28 images and labels that use all ten classes, 0 (T-shirt/top) to 9
  // (ankle boot).
  const std::vector<uint8_t> labels{9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 1, 4, 6, 8};
  write_split("train", {static_cast<uint32_t>(labels.size()), 28, 28}, labels);
  data::MnistSplit train = data::load_mnist(directory_.string(), /*train=*/true);
  EXPECT_EQ(train.images.sizes(), (Shape{14, 28, 28}));
  expect_tensor<int64_t>(train.labels, {14}, std::vector<int64_t>(labels.begin(), labels.end()));
}

TEST(MnistNormalize, ScalesBytesToUnitRangeAsFloat32) {
  Tensor batch = tensor({{0, 51}, {128, 255}}, kUInt8);
  expect_tensor<float>(data::normalize_images(batch), {2, 2},
                       {0.0f, 51.0f / 255.0f, 128.0f / 255.0f, 1.0f});
}

TEST(MnistNormalize, RejectsANonByteBatch) {
  expect_error([] { data::normalize_images(ones({2, 2})); }, {"normalize_images", "uint8"});
}

// --- TensorDataset -------------------------------------------------------------------------------

TEST(TensorDataset, SizeIsTheSharedFirstDim) {
  TensorDataset dataset({zeros({5, 2}), zeros({5}, kInt64)});
  EXPECT_EQ(dataset.size(), 5);
  ASSERT_EQ(dataset.tensors().size(), 2u);
  EXPECT_EQ(dataset.tensors()[1].dtype(), kInt64);
}

TEST(TensorDataset, RejectsDifferentFirstDimsNamingTheShapes) {
  expect_error(
      [] {
        TensorDataset({zeros({4, 2}), zeros({3})});
      },
      {"TensorDataset", "[4, 2]", "[3]"});
}

TEST(TensorDataset, RejectsNoTensorsAndZeroDimTensors) {
  expect_error([] { TensorDataset(std::vector<Tensor>{}); }, {"at least one tensor"});
  expect_error([] { TensorDataset({zeros({2}), scalar_tensor(1)}); }, {"tensor 1 is zero-dim"});
}

// --- DataLoader ----------------------------------------------------------------------------------

// The sample indices of one epoch, in the order the loader gives them, from a dataset of 0..n-1.
std::vector<int64_t> epoch_order(DataLoader& loader) {
  std::vector<int64_t> order;
  for (std::vector<Tensor>& batch : loader) {
    std::vector<int64_t> values = batch[0].to_vector<int64_t>();
    order.insert(order.end(), values.begin(), values.end());
  }
  return order;
}

std::vector<int64_t> iota_vector(int64_t count) {
  std::vector<int64_t> values(count);
  std::iota(values.begin(), values.end(), int64_t{0});
  return values;
}

TEST(DataLoader, BatchesInOrderWithoutShuffle) {
  // Rows [0, 1], [2, 3], ..., [8, 9]; labels 0..4.
  TensorDataset dataset({arange(10).reshape({5, 2}), arange(5)});
  DataLoader loader(dataset, DataLoaderOptions().batch_size(2));
  EXPECT_EQ(loader.size(), 3);
  std::vector<std::vector<Tensor>> batches;
  for (std::vector<Tensor>& batch : loader) batches.push_back(batch);
  ASSERT_EQ(batches.size(), 3u);
  expect_tensor<int64_t>(batches[0][0], {2, 2}, {0, 1, 2, 3});
  expect_tensor<int64_t>(batches[0][1], {2}, {0, 1});
  expect_tensor<int64_t>(batches[1][0], {2, 2}, {4, 5, 6, 7});
  expect_tensor<int64_t>(batches[1][1], {2}, {2, 3});
  expect_tensor<int64_t>(batches[2][0], {1, 2}, {8, 9});  // the short last batch is kept
  expect_tensor<int64_t>(batches[2][1], {1}, {4});
}

TEST(DataLoader, DropLastDropsTheShortBatch) {
  DataLoader loader(TensorDataset({arange(7)}), DataLoaderOptions().batch_size(3).drop_last(true));
  EXPECT_EQ(loader.size(), 2);
  EXPECT_EQ(epoch_order(loader), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
}

TEST(DataLoader, DropLastKeepsEveryBatchWhenTheSizeDivides) {
  DataLoader loader(TensorDataset({arange(6)}), DataLoaderOptions().batch_size(3).drop_last(true));
  EXPECT_EQ(loader.size(), 2);
  EXPECT_EQ(epoch_order(loader), iota_vector(6));
}

TEST(DataLoader, BatchIsACopyNotAView) {
  Tensor values = arange(4);
  DataLoader loader(TensorDataset({values}), DataLoaderOptions().batch_size(4));
  std::vector<Tensor> batch = *loader.begin();
  EXPECT_FALSE(batch[0].is_alias_of(values));
}

TEST(DataLoader, EmptyDatasetHasNoBatches) {
  DataLoader loader(TensorDataset({zeros({0, 3})}),
                    DataLoaderOptions().batch_size(4).shuffle(true));
  EXPECT_EQ(loader.size(), 0);
  EXPECT_TRUE(epoch_order(loader).empty());
}

TEST(DataLoader, ShuffleCoversEveryIndexExactlyOncePerEpoch) {
  DataLoader loader(TensorDataset({arange(100)}), DataLoaderOptions().batch_size(7).shuffle(true));
  EXPECT_EQ(loader.size(), 15);
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::vector<int64_t> order = epoch_order(loader);
    EXPECT_NE(order, iota_vector(100)) << "epoch " << epoch << " was not shuffled";
    std::sort(order.begin(), order.end());
    EXPECT_EQ(order, iota_vector(100)) << "epoch " << epoch;
  }
  EXPECT_EQ(loader.epochs_started(), 3u);
}

TEST(DataLoader, SameSeedGivesTheSameOrders) {
  auto options = DataLoaderOptions().batch_size(5).shuffle(true).seed(7);
  DataLoader first(TensorDataset({arange(50)}), options);
  DataLoader second(TensorDataset({arange(50)}), options);
  for (int epoch = 0; epoch < 2; ++epoch) {
    EXPECT_EQ(epoch_order(first), epoch_order(second)) << "epoch " << epoch;
  }
}

TEST(DataLoader, DifferentSeedOrNextEpochGivesADifferentOrder) {
  DataLoader seven(TensorDataset({arange(50)}), DataLoaderOptions().shuffle(true).seed(7));
  DataLoader eight(TensorDataset({arange(50)}), DataLoaderOptions().shuffle(true).seed(8));
  const std::vector<int64_t> seven_first = epoch_order(seven);
  EXPECT_NE(seven_first, epoch_order(eight));
  EXPECT_NE(seven_first, epoch_order(seven));
}

TEST(DataLoader, ShuffleIsFisherYatesOverPhiloxDraws) {
  // The specification of the order, so that it stays the same across versions and machines: draw
  // i (from the last position down) is Philox block (seed, epoch, i), whose first two words make a
  // 64-bit number taken modulo i + 1.
  const uint64_t seed = 1234;
  DataLoader loader(TensorDataset({arange(30)}),
                    DataLoaderOptions().batch_size(4).shuffle(true).seed(seed));
  for (uint64_t epoch = 0; epoch < 2; ++epoch) {
    std::vector<int64_t> expected = iota_vector(30);
    for (int64_t i = 29; i > 0; --i) {
      const math::Philox4x32 draw = math::philox_block(seed, epoch, i);
      const uint64_t bits = static_cast<uint64_t>(draw.v[0]) << 32 | draw.v[1];
      std::swap(expected[i], expected[bits % static_cast<uint64_t>(i + 1)]);
    }
    EXPECT_EQ(epoch_order(loader), expected) << "epoch " << epoch;
  }
}

// A run resumed at epoch 1, batch 2 (set_epoch, then the iterator stepped past two batches) reads
// the same batches as the uninterrupted run from there on, across the next epoch too.
TEST(DataLoader, SetEpochResumesTheOrderOfAnEpochAtAnyBatch) {
  auto options = DataLoaderOptions().batch_size(4).shuffle(true).seed(11);
  DataLoader uninterrupted(TensorDataset({arange(18), arange(18) * 10}), options);
  std::vector<std::vector<int64_t>> expected;  // epochs 1 and 2 from batch 2 of epoch 1 on
  for (int epoch = 0; epoch < 3; ++epoch) {
    int64_t index = 0;
    for (std::vector<Tensor>& batch : uninterrupted) {
      if (epoch == 2 || (epoch == 1 && index >= 2))
        expected.push_back(batch[1].to_vector<int64_t>());
      ++index;
    }
  }
  ASSERT_EQ(expected.size(), 8u);  // 5 batches per epoch: 3 of epoch 1, 5 of epoch 2

  DataLoader resumed(TensorDataset({arange(18), arange(18) * 10}), options);
  resumed.set_epoch(1);
  std::vector<std::vector<int64_t>> got;
  DataLoader::Iterator it = resumed.begin();
  for (int i = 0; i < 2; ++i) ++it;
  for (; it != resumed.end(); ++it) got.push_back((*it)[1].to_vector<int64_t>());
  EXPECT_EQ(resumed.epochs_started(), 2u);
  for (std::vector<Tensor>& batch : resumed) got.push_back(batch[1].to_vector<int64_t>());
  EXPECT_EQ(got, expected);
  EXPECT_EQ(resumed.epochs_started(), 3u);
}

TEST(DataLoader, BatchesTwoTensorsInLockstep) {
  // Image i is 2x2 bytes all equal to i; label i is i. Shuffled, each batch's labels must still
  // name its images.
  const int64_t count = 23;
  Tensor images = empty({count, 2, 2}, kUInt8);
  for (int64_t i = 0; i < count * 4; ++i)
    images.data_ptr<uint8_t>()[i] = static_cast<uint8_t>(i / 4);
  DataLoader loader(TensorDataset({images, arange(count)}),
                    DataLoaderOptions().batch_size(4).shuffle(true).seed(3));
  int64_t seen = 0;
  for (std::vector<Tensor>& batch : loader) {
    ASSERT_EQ(batch.size(), 2u);
    const int64_t rows = batch[1].size(0);
    EXPECT_EQ(batch[0].sizes(), (Shape{rows, 2, 2}));
    EXPECT_EQ(batch[0].dtype(), kUInt8);
    EXPECT_EQ(batch[1].dtype(), kInt64);
    const std::vector<uint8_t> pixels = batch[0].to_vector<uint8_t>();
    const std::vector<int64_t> labels = batch[1].to_vector<int64_t>();
    for (int64_t row = 0; row < rows; ++row) {
      for (int64_t pixel = 0; pixel < 4; ++pixel) {
        EXPECT_EQ(pixels[row * 4 + pixel], labels[row]) << "row " << row << " of a batch";
      }
    }
    seen += rows;
  }
  EXPECT_EQ(seen, count);
}

TEST(DataLoader, RejectsABatchSizeBelowOne) {
  expect_error([] { DataLoaderOptions().batch_size(0); }, {"batch_size must be positive, got 0"});
  expect_error([] { DataLoaderOptions().batch_size(-3); }, {"got -3"});
}

TEST(DataLoader, ShardsSplitEachEpochsOrderIntoEqualDisjointParts) {
  // 10 samples over 3 ranks: each epoch's order (the same on every rank) padded to 12 by its first
  // two samples; rank r takes positions r, r + 3, r + 6, r + 9: 4 samples, 2 batches of 3 and 1.
  const int64_t samples = 10, replicas = 3;
  auto options = DataLoaderOptions().batch_size(3).shuffle(true).seed(11);
  DataLoader whole(TensorDataset({arange(samples)}), options);
  std::vector<DataLoader> ranks;
  for (int64_t r = 0; r < replicas; ++r) {
    ranks.emplace_back(TensorDataset({arange(samples)}),
                       DataLoaderOptions(options).shard(replicas, r));
    EXPECT_EQ(ranks.back().size(), 2);
    EXPECT_EQ(ranks.back().samples_per_epoch(), 4);
  }
  for (int epoch = 0; epoch < 3; ++epoch) {
    const std::vector<int64_t> order = epoch_order(whole);
    std::vector<int64_t> padded = order;
    padded.push_back(order[0]);
    padded.push_back(order[1]);
    std::vector<int64_t> all;
    for (int64_t r = 0; r < replicas; ++r) {
      const std::vector<int64_t> shard = epoch_order(ranks[r]);
      ASSERT_EQ(shard.size(), 4u);
      for (int64_t i = 0; i < 4; ++i) {
        EXPECT_EQ(shard[i], padded[r + i * replicas]) << "epoch " << epoch << " rank " << r;
      }
      all.insert(all.end(), shard.begin(), shard.end());
    }
    // Together: every sample, the first two of the order twice.
    std::sort(all.begin(), all.end());
    std::vector<int64_t> expected = iota_vector(samples);
    expected.push_back(order[0]);
    expected.push_back(order[1]);
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(all, expected) << "epoch " << epoch;
  }
  // Without shuffling the shards interleave the dataset's order; one replica is the whole epoch.
  DataLoader second(TensorDataset({arange(samples)}),
                    DataLoaderOptions().batch_size(4).shard(3, 1));
  EXPECT_EQ(epoch_order(second), (std::vector<int64_t>{1, 4, 7, 0}));
  DataLoader one(TensorDataset({arange(samples)}), DataLoaderOptions().batch_size(4).shard(1, 0));
  EXPECT_EQ(epoch_order(one), iota_vector(samples));
  testing::expect_error([] { DataLoaderOptions().shard(2, 2); },
                        {"DataLoaderOptions", "shard 2 of 2"});
  testing::expect_error([] { DataLoaderOptions().shard(0, 0); }, {"DataLoaderOptions", "shard"});
}

}  // namespace
}  // namespace nabla

// DataLoader: walks a TensorDataset in batches, in order or in a new random order every epoch that
// depends only on the seed, configured with DataLoaderOptions as libtorch's loader is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <vector>

#include <nabla/core/error.h>
#include <nabla/core/tensor.h>
#include <nabla/data/dataset.h>

namespace nabla::data {

// Written as a chain: DataLoaderOptions().batch_size(64).shuffle(true).seed(7).drop_last(false).
struct DataLoaderOptions {
 public:
  DataLoaderOptions& batch_size(int64_t size) {
    NABLA_CHECK(size > 0, "DataLoaderOptions: batch_size must be positive, got ", size);
    batch_size_ = size;
    return *this;
  }
  // A new random order of the samples every epoch (else the dataset's order).
  DataLoaderOptions& shuffle(bool enabled) {
    shuffle_ = enabled;
    return *this;
  }
  // The orders of all epochs follow from the seed alone, on any machine.
  DataLoaderOptions& seed(uint64_t value) {
    seed_ = value;
    return *this;
  }
  // Skips the last batch of an epoch when it would be smaller than batch_size.
  DataLoaderOptions& drop_last(bool enabled) {
    drop_last_ = enabled;
    return *this;
  }
  // Data-parallel training: this process reads shard `rank` of `replicas`. Every epoch's order
  // (the same on every rank for a given seed and epoch) is padded by repeating its first samples
  // to a multiple of `replicas`, and rank r takes positions r, r + replicas, ...: the shards are
  // disjoint apart from the padding, together cover the epoch, and are of equal size, so every
  // rank runs the same number of steps. PyTorch's DistributedSampler.
  DataLoaderOptions& shard(int64_t replicas, int64_t rank) {
    NABLA_CHECK(replicas > 0 && rank >= 0 && rank < replicas, "DataLoaderOptions: shard ", rank,
                " of ", replicas, " is not one of [0, ", replicas, ")");
    replicas_ = replicas;
    rank_ = rank;
    return *this;
  }

  int64_t batch_size() const { return batch_size_; }
  bool shuffle() const { return shuffle_; }
  uint64_t seed() const { return seed_; }
  bool drop_last() const { return drop_last_; }
  int64_t replicas() const { return replicas_; }
  int64_t rank() const { return rank_; }

 private:
  int64_t batch_size_ = 1;
  bool shuffle_ = false;
  uint64_t seed_ = 0;
  bool drop_last_ = false;
  int64_t replicas_ = 1;
  int64_t rank_ = 0;
};

// for (std::vector<Tensor>& batch : loader) { ... } gives, per batch, one tensor per dataset tensor
// holding that batch's rows (gathered with index_select, so a batch is a copy, not a view).
// Each begin() starts a new epoch (a range-for calls it once); iterators of an earlier epoch then
// see the new epoch's order.
class DataLoader {
 public:
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = std::vector<Tensor>;
    using difference_type = std::ptrdiff_t;
    using pointer = std::vector<Tensor>*;
    using reference = std::vector<Tensor>&;

    // The batch is gathered on first access and kept until the iterator moves on.
    reference operator*() const;
    pointer operator->() const { return &**this; }
    Iterator& operator++() {
      ++batch_index_;
      return *this;
    }
    bool operator==(const Iterator& other) const { return batch_index_ == other.batch_index_; }
    bool operator!=(const Iterator& other) const { return !(*this == other); }

   private:
    friend class DataLoader;
    Iterator(const DataLoader* loader, int64_t batch_index)
        : loader_(loader), batch_index_(batch_index) {}

    const DataLoader* loader_;
    int64_t batch_index_;
    mutable std::vector<Tensor> batch_;
    mutable int64_t gathered_index_ = -1;
  };

  explicit DataLoader(TensorDataset dataset, DataLoaderOptions options = DataLoaderOptions());

  // Starts the next epoch (drawing its order when shuffling) at its first batch.
  Iterator begin();
  Iterator end() const { return Iterator(this, size()); }

  // Batches per epoch: ceil(samples / batch_size), or floor with drop_last, where the samples are
  // this shard's: ceil(dataset size / replicas).
  int64_t size() const;
  int64_t samples_per_epoch() const;
  // How many epochs begin() has started.
  uint64_t epochs_started() const { return epochs_started_; }
  // Makes the next begin() start epoch `epoch` (counting from 0) with the order that epoch has in
  // every run of the same seed, as if `epoch` epochs had been started before: how a resumed run
  // picks up its data order (PyTorch's samplers have a set_epoch too). A batch is gathered only
  // when it is read, so stepping an iterator past the batches a run had already trained on costs
  // nothing: `auto it = loader.begin(); for (i = 0; i < done; ++i) ++it;`.
  void set_epoch(uint64_t epoch) { epochs_started_ = epoch; }
  const TensorDataset& dataset() const { return dataset_; }
  const DataLoaderOptions& options() const { return options_; }

 private:
  // Batch `batch_index` of the current epoch: rows order[batch_index * batch_size, ...) of each
  // dataset tensor.
  std::vector<Tensor> gather_batch(int64_t batch_index) const;

  TensorDataset dataset_;
  DataLoaderOptions options_;
  uint64_t epochs_started_ = 0;
  Tensor order_;  // int64 [samples_per_epoch()]: this shard's order this epoch, on the CPU
  // The order copied once per epoch to each other device that holds a dataset tensor, so that a
  // dataset on a GPU gathers its batches there without a copy per batch.
  std::vector<Tensor> order_on_devices_;
};

}  // namespace nabla::data

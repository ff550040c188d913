// The DataLoader's epochs and batches: a counter-based Fisher-Yates shuffle per epoch, this rank's
// shard of it in data-parallel training, and batches gathered with one index_select per dataset
// tensor.
#include <nabla/data/dataloader.h>

#include <algorithm>
#include <numeric>
#include <utility>

#include <nabla/autograd/ops.h>
#include <nabla/core/factory.h>
#include <nabla/core/math/philox.h>

namespace nabla::data {
namespace {

// 0, 1, ..., count - 1, shuffled when `shuffle`. Draw i of the Fisher-Yates shuffle is Philox block
// (seed, epoch, i), a pure function of its arguments, so an epoch's order depends on nothing but
// the seed and the epoch's number: no global generator state, no platform-specific library
// distribution. Reducing 64 random bits modulo i + 1 is biased by at most (i + 1) / 2^64, far
// below anything a training run could notice.
Tensor sample_order(int64_t count, bool shuffle, uint64_t seed, uint64_t epoch) {
  Tensor order = nabla::empty({count}, TensorOptions(kInt64).device(kCPU));
  int64_t* values = order.data_ptr<int64_t>();
  std::iota(values, values + count, int64_t{0});
  if (shuffle) {
    for (int64_t i = count - 1; i > 0; --i) {
      const math::Philox4x32 draw = math::philox_block(seed, epoch, static_cast<uint64_t>(i));
      const uint64_t bits = static_cast<uint64_t>(draw.v[0]) << 32 | draw.v[1];
      const int64_t j = static_cast<int64_t>(bits % static_cast<uint64_t>(i + 1));
      std::swap(values[i], values[j]);
    }
  }
  return order;
}

// Positions rank, rank + replicas, ... of `order` padded to a multiple of replicas by repeating its
// first entries (see DataLoaderOptions::shard).
Tensor shard_of(const Tensor& order, int64_t replicas, int64_t rank) {
  const int64_t count = order.numel();
  const int64_t per_shard = (count + replicas - 1) / replicas;
  Tensor shard = nabla::empty({per_shard}, TensorOptions(kInt64).device(kCPU));
  const int64_t* from = order.data_ptr<int64_t>();
  int64_t* to = shard.data_ptr<int64_t>();
  for (int64_t i = 0; i < per_shard; ++i) to[i] = from[(rank + i * replicas) % count];
  return shard;
}

}  // namespace

DataLoader::Iterator::reference DataLoader::Iterator::operator*() const {
  NABLA_CHECK(batch_index_ >= 0 && batch_index_ < loader_->size(), "DataLoader: batch ",
              batch_index_, " is past the end of the epoch (", loader_->size(), " batches)");
  if (gathered_index_ != batch_index_) {
    batch_ = loader_->gather_batch(batch_index_);
    gathered_index_ = batch_index_;
  }
  return batch_;
}

DataLoader::DataLoader(TensorDataset dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(options) {}

DataLoader::Iterator DataLoader::begin() {
  // Without shuffling every epoch has the same order, so it is built once.
  if (options_.shuffle() || !order_.defined()) {
    order_ = sample_order(dataset_.size(), options_.shuffle(), options_.seed(), epochs_started_);
    if (options_.replicas() > 1 && dataset_.size() > 0) {
      order_ = shard_of(order_, options_.replicas(), options_.rank());
    }
    order_on_devices_.clear();
    for (const Tensor& tensor : dataset_.tensors()) {
      const bool have = tensor.device() == order_.device() ||
                        std::any_of(order_on_devices_.begin(), order_on_devices_.end(),
                                    [&](const Tensor& o) { return o.device() == tensor.device(); });
      if (!have) order_on_devices_.push_back(order_.to(tensor.device()));
    }
  }
  ++epochs_started_;
  return Iterator(this, 0);
}

int64_t DataLoader::samples_per_epoch() const {
  return (dataset_.size() + options_.replicas() - 1) / options_.replicas();
}

int64_t DataLoader::size() const {
  const int64_t samples = samples_per_epoch(), batch_size = options_.batch_size();
  return options_.drop_last() ? samples / batch_size : (samples + batch_size - 1) / batch_size;
}

std::vector<Tensor> DataLoader::gather_batch(int64_t batch_index) const {
  NABLA_CHECK(order_.defined(), "DataLoader: begin() must start an epoch before reading a batch");
  const int64_t start = batch_index * options_.batch_size();
  const int64_t length = std::min(options_.batch_size(), samples_per_epoch() - start);
  std::vector<Tensor> batch;
  batch.reserve(dataset_.tensors().size());
  for (const Tensor& tensor : dataset_.tensors()) {
    const Tensor* order = &order_;
    for (const Tensor& o : order_on_devices_) {
      if (o.device() == tensor.device()) order = &o;
    }
    batch.push_back(nabla::index_select(tensor, 0, order->narrow(0, start, length)));
  }
  return batch;
}

}  // namespace nabla::data

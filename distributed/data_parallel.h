// DistributedDataParallel: trains any module on several processes at once. Every process (rank)
// holds the same model and runs it on its own share of each batch; during backward the gradients
// are averaged across the ranks, so after optimizer.step() every rank holds the same parameters.
//
//   distributed::init();
//   nn::Sequential model(...);
//   nn::parallel::DistributedDataParallel ddp(model);  // rank 0's parameters, everywhere
//   optim::SGD optimizer(model->parameters(), 0.1);
//   for (auto& batch : loader) {                      // DataLoaderOptions().shard(world, rank)
//     Tensor loss = criterion(model(batch[0]), batch[1]);
//     optimizer.zero_grad();
//     loss.backward();                                // returns with the gradients averaged
//     optimizer.step();
//   }
//
// The gradients travel in buckets of about bucket_cap_mb (25 MB by default), the parameters taken
// in reverse order, roughly the order backward produces their gradients: a bucket is sent as soon
// as all of its gradients are ready, while backward goes on computing the rest, and backward
// returns once every bucket is back. no_sync() accumulates gradients locally over micro-batches.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

#include <nabla/distributed/distributed.h>
#include <nabla/nn/module.h>

namespace nabla::nn::parallel {

class DistributedDataParallelOptions {
 public:
  // The size of a bucket of gradients, in MB (10^6 bytes), as PyTorch's bucket_cap_mb.
  DistributedDataParallelOptions& bucket_cap_mb(double mb);
  double bucket_cap_mb() const { return bucket_cap_mb_; }

 private:
  double bucket_cap_mb_ = 25;
};

class DistributedDataParallel {
 public:
  // Needs distributed::init(). Checks that every rank's module has the same parameters and
  // buffers (names, shapes and dtypes), then gives every rank rank 0's values.
  explicit DistributedDataParallel(
      std::shared_ptr<Module> module,
      const DistributedDataParallelOptions& options = DistributedDataParallelOptions());
  template <typename Holder, typename = decltype(std::declval<const Holder&>().ptr())>
  explicit DistributedDataParallel(
      const Holder& module,
      const DistributedDataParallelOptions& options = DistributedDataParallelOptions())
      : DistributedDataParallel(std::static_pointer_cast<Module>(module.ptr()), options) {}
  ~DistributedDataParallel();
  DistributedDataParallel(const DistributedDataParallel&) = delete;
  DistributedDataParallel& operator=(const DistributedDataParallel&) = delete;

  // While the returned guard lives, backward passes only accumulate gradients on each rank; the
  // first backward after it averages what has accumulated (gradient accumulation over
  // micro-batches without communicating for each).
  class NoSync {
   public:
    NoSync(NoSync&& other) noexcept;
    NoSync& operator=(NoSync&&) = delete;
    ~NoSync();

   private:
    friend class DistributedDataParallel;
    explicit NoSync(DistributedDataParallel* owner) : owner_(owner) {}
    DistributedDataParallel* owner_;
  };
  [[nodiscard]] NoSync no_sync();

  // Gives every rank rank 0's buffers (BatchNorm's running statistics), e.g. before evaluating.
  void broadcast_buffers();

  Module& module() const { return *module_; }
  // How the parameters were grouped: buckets of gradients sent together.
  size_t bucket_count() const;

  // How long the last backward pass that averaged gradients waited, after its last gradient was
  // ready, for the buckets still travelling: set beside the time the same buckets take to average
  // with nothing else running, it gives the share of the communication that backward hid.
  double last_wait_seconds() const;

  struct Reducer;  // the buckets and the hooks (data_parallel.cpp)

 private:
  std::shared_ptr<Module> module_;
  std::shared_ptr<Reducer> reducer_;
};

}  // namespace nabla::nn::parallel

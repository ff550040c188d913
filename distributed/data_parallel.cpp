// DistributedDataParallel's reducer: buckets of gradients averaged with all_reduce_async as
// backward produces them (post-accumulate hooks on the parameters), and a callback at the end of
// the backward pass that waits for the last buckets and writes the averages back into grad().
#include <nabla/distributed/data_parallel.h>

#include <chrono>
#include <string>
#include <vector>

#include <nabla/autograd/engine.h>
#include <nabla/autograd/grad_mode.h>
#include <nabla/core/error.h>
#include <nabla/core/native.h>

namespace nabla::nn::parallel {

namespace dist = distributed;

DistributedDataParallelOptions& DistributedDataParallelOptions::bucket_cap_mb(double mb) {
  NABLA_CHECK(mb > 0, "DistributedDataParallelOptions: bucket_cap_mb must be positive, got ", mb);
  bucket_cap_mb_ = mb;
  return *this;
}

struct DistributedDataParallel::Reducer {
  struct Bucket {
    Tensor flat;                   // the bucket's gradients end to end
    std::vector<size_t> members;   // indices into `params`
    std::vector<int64_t> offsets;  // where each member starts in `flat`
    size_t pending = 0;            // members whose gradient this pass has not produced yet
    dist::Work work;
  };

  std::vector<Tensor> params;
  std::vector<std::pair<size_t, size_t>> place;  // param -> (bucket, member)
  std::vector<char> ready;                       // per param, in this pass
  std::vector<Bucket> buckets;
  size_t next_launch = 0;  // buckets go out in index order, the same on every rank
  bool in_pass = false;
  uint64_t pass = 0;      // the backward pass (autograd::backward_pass_number) being averaged
  int no_sync_depth = 0;  // no_sync() guards alive
  double wait_seconds = 0;

  Tensor slice(const Bucket& b, size_t member) const {
    const Tensor& p = params[b.members[member]];
    return b.flat.narrow(0, b.offsets[member], p.numel()).view(p.sizes());
  }

  void start_pass(const std::shared_ptr<Reducer>& self) {
    in_pass = true;
    pass = autograd::backward_pass_number();
    next_launch = 0;
    std::fill(ready.begin(), ready.end(), 0);
    for (Bucket& b : buckets) b.pending = b.members.size();
    std::weak_ptr<Reducer> weak = self;
    autograd::queue_callback([weak] {
      if (auto reducer = weak.lock()) reducer->finish_pass();
    });
  }

  void launch_ready() {
    while (next_launch < buckets.size() && buckets[next_launch].pending == 0) {
      Bucket& b = buckets[next_launch++];
      b.work = dist::all_reduce_async(b.flat, dist::ReduceOp::Average);
    }
  }

  void on_gradient(size_t index, const std::shared_ptr<Reducer>& self) {
    if (no_sync_depth > 0) return;
    // A pass that failed midway never finished: this gradient starts a new one.
    if (!in_pass || pass != autograd::backward_pass_number()) start_pass(self);
    if (ready[index]) return;
    ready[index] = 1;
    const auto [bucket, member] = place[index];
    Bucket& b = buckets[bucket];
    slice(b, member).copy_(params[index].grad());
    --b.pending;
    launch_ready();
  }

  // The end of the backward pass: parameters that got no gradient on this rank (not used by its
  // forward) count as zeros, every bucket goes out, and the averages go back into grad().
  void finish_pass() {
    if (!in_pass) return;
    for (Bucket& b : buckets) {
      for (size_t m = 0; m < b.members.size(); ++m) {
        if (!ready[b.members[m]]) {
          slice(b, m).zero_();
          --b.pending;
        }
      }
    }
    launch_ready();
    const auto start = std::chrono::steady_clock::now();
    for (Bucket& b : buckets) b.work.wait();
    wait_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (const Bucket& b : buckets) {
      for (size_t m = 0; m < b.members.size(); ++m) {
        Tensor& p = params[b.members[m]];
        const Tensor average = slice(b, m);
        if (p.grad().defined() && p.grad().sizes() == p.sizes()) {
          p.mutable_grad().copy_(average);
        } else {
          p.mutable_grad() = average.clone();
        }
      }
    }
    in_pass = false;
  }
};

DistributedDataParallel::DistributedDataParallel(std::shared_ptr<Module> module,
                                                 const DistributedDataParallelOptions& options)
    : module_(std::move(module)), reducer_(std::make_shared<Reducer>()) {
  NABLA_CHECK(module_ != nullptr, "DistributedDataParallel: the module is empty");
  NABLA_CHECK(dist::is_initialized(),
              "DistributedDataParallel: call distributed::init() first, in a program started by "
              "mpirun or srun");
  NoGradGuard no_grad;
  const auto named = module_->named_parameters();
  // Every rank must hold the same model: the same number of parameters here, and broadcast()
  // below checks each one's shape and dtype on every rank.
  Tensor count = native::full({1}, static_cast<int64_t>(named.size()), kInt64, Device(kCPU));
  const std::vector<int64_t> counts = dist::all_gather(count).to_vector<int64_t>();
  for (size_t r = 0; r < counts.size(); ++r) {
    const int64_t theirs = counts[r];
    NABLA_CHECK(theirs == static_cast<int64_t>(named.size()), "DistributedDataParallel: rank ", r,
                "'s module has ", theirs, " parameters, rank ", dist::rank(), "'s has ",
                named.size(), ": every rank must build the same model");
  }
  for (const auto& [name, p] : named) {
    NABLA_CHECK(p.device().is_cpu(), "DistributedDataParallel: parameter ", name, " is on ",
                p.device(), "; this build averages gradients of CPU parameters only (through MPI)");
    Tensor data = p.detach();
    dist::broadcast(data, 0);
  }
  broadcast_buffers();

  // Buckets: the parameters that train, last first, cut at about bucket_cap_mb and at a change of
  // dtype.
  Reducer& r = *reducer_;
  for (const auto& [name, p] : named) {
    if (p.requires_grad()) r.params.push_back(p);
  }
  const double cap = options.bucket_cap_mb() * 1e6;
  std::vector<std::vector<size_t>> groups;
  double bytes = 0;
  for (size_t i = r.params.size(); i-- > 0;) {
    const Tensor& p = r.params[i];
    const double size = static_cast<double>(p.numel()) * static_cast<double>(p.element_size());
    const bool fits = !groups.empty() && bytes + size <= cap &&
                      r.params[groups.back().front()].dtype() == p.dtype();
    if (!fits) {
      groups.emplace_back();
      bytes = 0;
    }
    groups.back().push_back(i);
    bytes += size;
  }
  r.place.resize(r.params.size());
  r.ready.assign(r.params.size(), 0);
  for (const std::vector<size_t>& group : groups) {
    Reducer::Bucket b;
    int64_t total = 0;
    for (size_t index : group) {
      r.place[index] = {r.buckets.size(), b.members.size()};
      b.members.push_back(index);
      b.offsets.push_back(total);
      total += r.params[index].numel();
    }
    b.flat = native::empty({total}, r.params[group.front()].dtype(), Device(kCPU));
    r.buckets.push_back(std::move(b));
  }
  std::weak_ptr<Reducer> weak = reducer_;
  for (size_t i = 0; i < r.params.size(); ++i) {
    r.params[i].register_post_accumulate_grad_hook([weak, i](const Tensor&) {
      if (auto reducer = weak.lock()) reducer->on_gradient(i, reducer);
    });
  }
}

DistributedDataParallel::~DistributedDataParallel() = default;

DistributedDataParallel::NoSync::NoSync(NoSync&& other) noexcept : owner_(other.owner_) {
  other.owner_ = nullptr;
}

DistributedDataParallel::NoSync::~NoSync() {
  if (owner_ != nullptr) --owner_->reducer_->no_sync_depth;
}

DistributedDataParallel::NoSync DistributedDataParallel::no_sync() {
  ++reducer_->no_sync_depth;
  return NoSync(this);
}

void DistributedDataParallel::broadcast_buffers() {
  NoGradGuard no_grad;
  for (const auto& [name, b] : module_->named_buffers()) {
    NABLA_CHECK(b.device().is_cpu(), "DistributedDataParallel: buffer ", name, " is on ",
                b.device(), "; this build handles CPU modules only (through MPI)");
    Tensor data = b;
    dist::broadcast(data, 0);
  }
}

size_t DistributedDataParallel::bucket_count() const {
  return reducer_->buckets.size();
}

double DistributedDataParallel::last_wait_seconds() const {
  return reducer_->wait_seconds;
}

}  // namespace nabla::nn::parallel

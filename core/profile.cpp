// The profiler's counters, and the CPU backend as backend_for() hands it out while profiling: a
// decorator that opens a Scope around each call and forwards it, so the kernels themselves carry
// no timing code.
#include <nabla/core/profile.h>

#include <time.h>

#include <atomic>

#include <nabla/core/backend.h>
#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/tensor.h>

namespace nabla::profile {
namespace {

std::atomic<bool> on{false};
std::array<std::atomic<int64_t>, kCategories> nanoseconds_in{};
std::array<std::atomic<int64_t>, kCategories> calls_of{};
thread_local Scope* innermost = nullptr;

int64_t now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

class ProfilingAllocator final : public Allocator {
 public:
  explicit ProfilingAllocator(Allocator& inner) : inner_(inner) {}
  void* allocate(size_t nbytes) override {
    const Scope scope(Category::Allocation);
    return inner_.allocate(nbytes);
  }
  void deallocate(void* ptr, size_t nbytes) noexcept override {
    const Scope scope(Category::Allocation);
    inner_.deallocate(ptr, nbytes);
  }
  void empty_cache() noexcept override { inner_.empty_cache(); }
  AllocatorStats stats() const override { return inner_.stats(); }

 private:
  Allocator& inner_;
};

class ProfilingBackend final : public Backend {
 public:
  explicit ProfilingBackend(Backend& inner) : inner_(inner), allocator_(inner.allocator()) {}
  Allocator& allocator() override { return allocator_; }

  void copy(const Tensor& src, const Tensor& dst) override {
    const Scope scope(Category::Elementwise);
    inner_.copy(src, dst);
  }
  void fill(const Tensor& dst, const Scalar& value) override {
    const Scope scope(Category::Elementwise);
    inner_.fill(dst, value);
  }
  void unary(UnaryOp op, const Tensor& in, const Tensor& out, const UnaryArgs& args) override {
    const Scope scope(Category::Elementwise);
    inner_.unary(op, in, out, args);
  }
  void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) override {
    const Scope scope(Category::Elementwise);
    inner_.binary(op, a, b, out);
  }
  void binary_scalar(BinaryOp op, const Tensor& a, const Scalar& scalar, bool scalar_first,
                     const Tensor& out) override {
    const Scope scope(Category::Elementwise);
    inner_.binary_scalar(op, a, scalar, scalar_first, out);
  }
  void where(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& out) override {
    const Scope scope(Category::Elementwise);
    inner_.where(cond, a, b, out);
  }
  void reduce(ReduceOp op, const Tensor& in, const Tensor& out) override {
    const Scope scope(Category::Reduction);
    inner_.reduce(op, in, out);
  }
  void arg_reduce(bool is_max, const Tensor& in, int64_t dim, const Tensor& out) override {
    const Scope scope(Category::Reduction);
    inner_.arg_reduce(is_max, in, dim, out);
  }
  void matmul(const Tensor& a, const Tensor& b, const Tensor& out) override {
    const Scope scope(Category::Gemm);
    inner_.matmul(a, b, out);
  }
  void check_index_range(const Tensor& index, int64_t limit,
                         const IndexErrorMessage& message) override {
    const Scope scope(Category::Indexing);
    inner_.check_index_range(index, limit, message);
  }
  void index_select(const Tensor& in, int64_t dim, const Tensor& index,
                    const Tensor& out) override {
    const Scope scope(Category::Indexing);
    inner_.index_select(in, dim, index, out);
  }
  void gather(const Tensor& in, int64_t dim, const Tensor& index, const Tensor& out) override {
    const Scope scope(Category::Indexing);
    inner_.gather(in, dim, index, out);
  }
  void scatter(const Tensor& src, int64_t dim, const Tensor& index, const Tensor& out,
               bool accumulate) override {
    const Scope scope(Category::Indexing);
    inner_.scatter(src, dim, index, out, accumulate);
  }
  void sort(const Tensor& in, bool descending, const Tensor& indices) override {
    const Scope scope(Category::Reduction);
    inner_.sort(in, descending, indices);
  }
  void scan(ScanOp op, const Tensor& in, const Tensor& out) override {
    const Scope scope(Category::Reduction);
    inner_.scan(op, in, out);
  }
  void softmax(const Tensor& in, int64_t dim, bool log, const Tensor& out) override {
    const Scope scope(Category::Softmax);
    inner_.softmax(in, dim, log, out);
  }
  void cross_entropy(const Tensor& logits, const Tensor& target, int64_t ignore_index,
                     double smoothing, const Tensor& loss, const Tensor& weight,
                     const Tensor& probs, const IndexErrorMessage& message) override {
    const Scope scope(Category::Softmax);
    inner_.cross_entropy(logits, target, ignore_index, smoothing, loss, weight, probs, message);
  }
  void cross_entropy_backward(const Tensor& probs, const Tensor& target, double smoothing,
                              const Tensor& factor, const Tensor& grad) override {
    const Scope scope(Category::Softmax);
    inner_.cross_entropy_backward(probs, target, smoothing, factor, grad);
  }
  void conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const math::Conv2dShape& shape, const Tensor& out) override {
    const Scope scope(Category::Convolution);
    inner_.conv2d(input, weight, bias, shape, out);
  }
  void conv2d_backward_input(const Tensor& grad_out, const Tensor& weight,
                             const math::Conv2dShape& shape, const Tensor& grad_input) override {
    const Scope scope(Category::Convolution);
    inner_.conv2d_backward_input(grad_out, weight, shape, grad_input);
  }
  void conv2d_backward_weight(const Tensor& grad_out, const Tensor& input,
                              const math::Conv2dShape& shape, const Tensor& grad_weight) override {
    const Scope scope(Category::Convolution);
    inner_.conv2d_backward_weight(grad_out, input, shape, grad_weight);
  }
  void pool2d(const Tensor& input, const math::Pool2dShape& shape, const Tensor& out,
              const Tensor& indices) override {
    const Scope scope(Category::Pooling);
    inner_.pool2d(input, shape, out, indices);
  }
  void avg_pool2d_backward(const Tensor& grad_out, const math::Pool2dShape& shape,
                           const Tensor& grad_input) override {
    const Scope scope(Category::Pooling);
    inner_.avg_pool2d_backward(grad_out, shape, grad_input);
  }
  void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                const math::SgdOptions& options) override {
    const Scope scope(Category::Optimizer);
    inner_.sgd_step(param, grad, momentum_buffer, options);
  }
  void adam_step(const std::vector<AdamTensors>& params,
                 const math::AdamOptions& options) override {
    const Scope scope(Category::Optimizer);
    inner_.adam_step(params, options);
  }
  void rmsprop_step(const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                    const Tensor& grad_avg, const Tensor& momentum_buffer,
                    const math::RmspropOptions& options) override {
    const Scope scope(Category::Optimizer);
    inner_.rmsprop_step(param, grad, square_avg, grad_avg, momentum_buffer, options);
  }
  void adagrad_step(const Tensor& param, const Tensor& grad, const Tensor& sum,
                    const math::AdagradOptions& options) override {
    const Scope scope(Category::Optimizer);
    inner_.adagrad_step(param, grad, sum, options);
  }
  void random(const Tensor& out, RandomKind kind, double a, double b, uint64_t seed,
              uint64_t call) override {
    const Scope scope(Category::Random);
    inner_.random(out, kind, a, b, seed, call);
  }

 private:
  Backend& inner_;
  ProfilingAllocator allocator_;
};

}  // namespace

const char* name(Category category) {
  static constexpr const char* kNames[kCategories] = {
      "GEMM",    "convolution", "pooling", "elementwise", "reduction",
      "softmax", "indexing",    "random",  "optimizer",   "allocation"};
  return kNames[static_cast<int>(category)];
}

void enable(bool value) {
  on.store(value, std::memory_order_relaxed);
}
bool enabled() {
  return on.load(std::memory_order_relaxed);
}

void reset() {
  for (int i = 0; i < kCategories; ++i) {
    nanoseconds_in[i].store(0, std::memory_order_relaxed);
    calls_of[i].store(0, std::memory_order_relaxed);
  }
}

Totals totals() {
  Totals t;
  for (int i = 0; i < kCategories; ++i) {
    t.seconds[i] = static_cast<double>(nanoseconds_in[i].load(std::memory_order_relaxed)) * 1e-9;
    t.calls[i] = calls_of[i].load(std::memory_order_relaxed);
  }
  return t;
}

Scope::Scope(Category category) : category_(category), start_(now()), outer_(innermost) {
  innermost = this;
}

Scope::~Scope() {
  const int64_t elapsed = now() - start_;
  innermost = outer_;
  if (outer_ != nullptr) outer_->inner_ += elapsed;
  const int i = static_cast<int>(category_);
  nanoseconds_in[i].fetch_add(elapsed - inner_, std::memory_order_relaxed);
  calls_of[i].fetch_add(1, std::memory_order_relaxed);
}

namespace detail {
Backend& profiling_cpu_backend() {
  static ProfilingBackend* instance = new ProfilingBackend(cpu::cpu_backend());  // kept to exit
  return *instance;
}
}  // namespace detail

}  // namespace nabla::profile

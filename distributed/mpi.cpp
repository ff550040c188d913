// The process group over MPI: distributed.h for CPU tensors. MPI reports errors as return codes
// (MPI_ERRORS_RETURN), which become nabla::Errors naming the collective, the rank and the tensor.
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nabla/core/error.h>
#include <nabla/core/native.h>
#include <nabla/distributed/distributed.h>

namespace nabla::distributed {
namespace {

struct Group {
  bool initialized = false;
  int rank = 0, size = 1, local_rank = 0;
};

Group& group() {
  static Group instance;
  return instance;
}

// Every MPI call of the process group runs on one communication thread, in the order the program
// made them: all_reduce_async's collectives run there while the caller computes (backward goes on
// while a bucket of gradients travels), and a blocking collective waits for its turn. One thread
// and one order keep MPI's rules: no two calls at once (MPI_THREAD_SERIALIZED, which MPI makes
// fast where MPI_THREAD_MULTIPLE tripled the time of a 400 KB all_reduce here) and collectives
// in the same order on every rank. MPI_Iallreduce was no alternative: MPI moves it along only
// while its caller is inside MPI. Where MPI gives no thread support, calls run in the caller.
class CommunicationThread {
 public:
  CommunicationThread() : thread_([this] { loop(); }) {}
  void push(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(task));
    }
    wake_.notify_one();
  }
  // Finishes what was queued, then stops: before MPI_Finalize.
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

 private:
  void loop() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

CommunicationThread* communication = nullptr;  // made by init() when MPI allows it

void stop_communication() {
  if (communication != nullptr) communication->stop();
}

// Runs an MPI call on the communication thread and returns its result code.
int on_mpi_thread(const std::function<int()>& call) {
  if (communication == nullptr) return call();
  std::promise<int> result;
  std::future<int> code = result.get_future();
  communication->push([&] { result.set_value(call()); });
  return code.get();
}

enum class Collective : int32_t { Barrier, AllReduce, Broadcast, AllGather, ReduceScatter };

const char* name(Collective c) {
  switch (c) {
    case Collective::Barrier:
      return "barrier";
    case Collective::AllReduce:
      return "all_reduce";
    case Collective::Broadcast:
      return "broadcast";
    case Collective::AllGather:
      return "all_gather";
    case Collective::ReduceScatter:
      return "reduce_scatter";
  }
  return "?";
}

const char* name(ReduceOp op) {
  return op == ReduceOp::Sum ? "sum" : op == ReduceOp::Average ? "average" : "max";
}

std::string mpi_message(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  return std::string(text, static_cast<size_t>(length));
}

void check(int code, Collective c, const Tensor* tensor) {
  if (code == MPI_SUCCESS) return;
  std::ostringstream on;
  if (tensor != nullptr)
    on << " on a " << tensor->dtype() << " tensor of shape " << tensor->sizes();
  NABLA_FAIL("distributed::", name(c), ": MPI failed on rank ", group().rank, on.str(), ": ",
             mpi_message(code));
}

void require_group(Collective c) {
  NABLA_CHECK(group().initialized, "distributed::", name(c),
              ": call distributed::init() first, in a program started by mpirun or srun");
}

void require_cpu(Collective c, const Tensor& t) {
  NABLA_CHECK(t.defined(), "distributed::", name(c), ": the tensor is undefined");
  NABLA_CHECK(t.device().is_cpu(), "distributed::", name(c), ": ", t.device(),
              " tensors are not supported yet (this build's collectives go through MPI and take "
              "CPU tensors): move the tensor to the CPU first");
}

// What a rank passes to a collective. Every collective first gathers every rank's and compares
// them, so that ranks that disagree all throw, instead of MPI summing mismatched buffers or one
// rank waiting forever for a message of another size. The arguments are checked only after that,
// so that every rank reaches the same verdict: a rank that threw before the exchange would leave
// the others waiting in it.
struct Descriptor {
  int32_t collective;
  int32_t dtype;
  int32_t device_type;
  int32_t dim;
  int64_t argument;  // the reduce op or the broadcast's root
  int64_t sizes[kMaxDims];
};

Descriptor describe(Collective c, const Tensor& t, int64_t argument) {
  Descriptor d{};  // zeroed, padding and unused sizes included: descriptors compare as bytes
  d.collective = static_cast<int32_t>(c);
  d.argument = argument;
  if (!t.defined()) return d;
  d.dtype = static_cast<int32_t>(t.dtype());
  d.device_type = static_cast<int32_t>(t.device().type());
  d.dim = static_cast<int32_t>(t.dim());
  for (int64_t i = 0; i < t.dim(); ++i) d.sizes[i] = t.size(i);
  return d;
}

std::string text(const Descriptor& d) {
  std::ostringstream out;
  const auto c = static_cast<Collective>(d.collective);
  out << name(c);
  if (c == Collective::AllReduce || c == Collective::ReduceScatter) {
    out << "(" << name(static_cast<ReduceOp>(d.argument)) << ")";
  } else if (c == Collective::Broadcast) {
    out << "(root " << d.argument << ")";
  }
  if (c == Collective::Barrier) return out.str();
  out << " of " << static_cast<ScalarType>(d.dtype) << " [";
  for (int32_t i = 0; i < d.dim; ++i) out << (i ? ", " : "") << d.sizes[i];
  out << "]";
  if (d.device_type != static_cast<int32_t>(DeviceType::CPU)) out << " on a GPU";
  return out.str();
}

void agree(Collective c, const Tensor& t, int64_t argument) {
  const Group& g = group();
  const Descriptor mine = describe(c, t, argument);
  std::vector<Descriptor> all(static_cast<size_t>(g.size));
  check(on_mpi_thread([&] {
          return MPI_Allgather(&mine, sizeof(Descriptor), MPI_BYTE, all.data(), sizeof(Descriptor),
                               MPI_BYTE, MPI_COMM_WORLD);
        }),
        c, &t);
  bool same = true;
  for (const Descriptor& d : all) same = same && std::memcmp(&d, &all[0], sizeof(d)) == 0;
  if (same) return;
  std::ostringstream message;
  message << "distributed::" << name(c) << ": the ranks' calls do not match (every rank must make "
          << "the same call with the same dtype and shape):";
  for (size_t r = 0; r < all.size(); ++r)
    message << (r ? ";" : "") << " rank " << r << " " << text(all[r]);
  NABLA_FAIL(message.str());
}

MPI_Datatype mpi_type(Collective c, ScalarType t) {
  switch (t) {
    case kFloat32:
      return MPI_FLOAT;
    case kFloat64:
      return MPI_DOUBLE;
    case kInt64:
      return MPI_INT64_T;
    case kUInt8:
      return MPI_UINT8_T;
    case kBool:
      break;
  }
  NABLA_FAIL("distributed::", name(c), ": cannot reduce ", t,
             " tensors (float32, float64, int64 and uint8 can be reduced)");
}

MPI_Op mpi_op(ReduceOp op) {
  return op == ReduceOp::Max ? MPI_MAX : MPI_SUM;
}

void check_op(Collective c, ReduceOp op, const Tensor& t) {
  NABLA_CHECK(op != ReduceOp::Average || t.is_floating_point(), "distributed::", name(c),
              ": average needs a floating point tensor, got ", t.dtype());
}

// MPI counts are ints: a larger tensor goes in pieces of at most 2^30 elements.
constexpr int64_t kMaxCount = int64_t{1} << 30;

int count_of(Collective c, int64_t n) {
  NABLA_CHECK(n <= INT_MAX, "distributed::", name(c), ": ", n,
              " elements per rank are more than MPI's count can hold (", INT_MAX, ")");
  return static_cast<int>(n);
}

void finalize_at_exit() {
  stop_communication();
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

// The data a collective reads and writes in place: `t` itself when contiguous, else a contiguous
// copy that finish() copies back.
struct InPlace {
  explicit InPlace(Tensor& t) : target(t), work(t.is_contiguous() ? t : native::contiguous(t)) {}
  void finish() {
    if (work.impl() != target.impl()) {
      target.copy_(work);
    } else {
      target.impl()->storage()->bump_version();
    }
  }
  Tensor& target;
  Tensor work;
};

}  // namespace

struct Work::State {
  Tensor tensor;
  ReduceOp op = ReduceOp::Sum;
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  int code = MPI_SUCCESS;

  void run(MPI_Comm comm) {
    const int result =
        MPI_Allreduce(MPI_IN_PLACE, tensor.data_ptr(), static_cast<int>(tensor.numel()),
                      mpi_type(Collective::AllReduce, tensor.dtype()), mpi_op(op), comm);
    if (result == MPI_SUCCESS && op == ReduceOp::Average) {
      native::binary_(BinaryOp::Div, tensor, group().size);
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      code = result;
      done = true;
    }
    finished.notify_all();
  }
};

Work::Work(std::shared_ptr<State> state) : state_(std::move(state)) {}
Work::Work() = default;
Work::Work(Work&&) noexcept = default;
Work& Work::operator=(Work&& other) noexcept {
  if (this != &other) {
    if (state_) {
      std::unique_lock<std::mutex> lock(state_->mutex);
      state_->finished.wait(lock, [&] { return state_->done; });
    }
    state_ = std::move(other.state_);
  }
  return *this;
}
Work::~Work() {
  if (state_) {
    std::unique_lock<std::mutex> lock(state_->mutex);
    state_->finished.wait(lock, [&] { return state_->done; });
  }
}

void Work::wait() {
  if (!state_) return;
  {
    std::unique_lock<std::mutex> lock(state_->mutex);
    state_->finished.wait(lock, [&] { return state_->done; });
  }
  const std::shared_ptr<State> state = std::move(state_);
  check(state->code, Collective::AllReduce, &state->tensor);
  state->tensor.impl()->storage()->bump_version();
}

bool Work::completed() {
  if (!state_) return true;
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->done;
}

Work all_reduce_async(Tensor& tensor, ReduceOp op) {
  const Collective c = Collective::AllReduce;
  require_group(c);
  require_cpu(c, tensor);
  check_op(c, op, tensor);
  NABLA_CHECK(tensor.is_contiguous(), "distributed::all_reduce_async: the tensor must be ",
              "contiguous (MPI writes the result into it), got a strided view of shape ",
              tensor.sizes());
  mpi_type(c, tensor.dtype());  // a dtype MPI cannot reduce is an error here, not on the thread
  count_of(c, tensor.numel());
  auto state = std::make_shared<Work::State>();
  state->tensor = tensor;
  state->op = op;
  if (communication != nullptr) {
    communication->push([state] { state->run(MPI_COMM_WORLD); });
  } else {
    state->run(MPI_COMM_WORLD);
  }
  return Work(std::move(state));
}

bool available() {
  return true;
}

void init() {
  Group& g = group();
  if (g.initialized) return;
  int already = 0, provided = MPI_THREAD_SINGLE;
  MPI_Initialized(&already);
  if (!already) {
    // Serialized: MPI is called from the communication thread (see CommunicationThread).
    const int code = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
    NABLA_CHECK(code == MPI_SUCCESS, "distributed::init: MPI_Init failed: ", mpi_message(code));
    std::atexit(finalize_at_exit);
  } else {
    MPI_Query_thread(&provided);
  }
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  check(MPI_Comm_rank(MPI_COMM_WORLD, &g.rank), Collective::Barrier, nullptr);
  check(MPI_Comm_size(MPI_COMM_WORLD, &g.size), Collective::Barrier, nullptr);
  MPI_Comm node;
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, g.rank, MPI_INFO_NULL, &node),
        Collective::Barrier, nullptr);
  check(MPI_Comm_rank(node, &g.local_rank), Collective::Barrier, nullptr);
  MPI_Comm_free(&node);
  if (provided >= MPI_THREAD_SERIALIZED) communication = new CommunicationThread();
  g.initialized = true;
}

bool is_initialized() {
  return group().initialized;
}

int rank() {
  return group().rank;
}

int world_size() {
  return group().size;
}

int local_rank() {
  return group().local_rank;
}

void barrier() {
  require_group(Collective::Barrier);
  agree(Collective::Barrier, Tensor(), 0);
  check(on_mpi_thread([] { return MPI_Barrier(MPI_COMM_WORLD); }), Collective::Barrier, nullptr);
}

void all_reduce(Tensor& tensor, ReduceOp op) {
  const Collective c = Collective::AllReduce;
  require_group(c);
  agree(c, tensor, static_cast<int64_t>(op));
  require_cpu(c, tensor);
  check_op(c, op, tensor);
  const MPI_Datatype type = mpi_type(c, tensor.dtype());
  InPlace data(tensor);
  char* bytes = static_cast<char*>(data.work.data_ptr());
  const int64_t n = data.work.numel();
  for (int64_t begin = 0; begin < n; begin += kMaxCount) {
    const int count = static_cast<int>(std::min(kMaxCount, n - begin));
    char* at = bytes + begin * static_cast<int64_t>(tensor.element_size());
    check(on_mpi_thread([&] {
            return MPI_Allreduce(MPI_IN_PLACE, at, count, type, mpi_op(op), MPI_COMM_WORLD);
          }),
          c, &tensor);
  }
  if (op == ReduceOp::Average) native::binary_(BinaryOp::Div, data.work, group().size);
  data.finish();
}

void broadcast(Tensor& tensor, int root) {
  const Collective c = Collective::Broadcast;
  require_group(c);
  agree(c, tensor, root);
  require_cpu(c, tensor);
  NABLA_CHECK(root >= 0 && root < group().size, "distributed::broadcast: root ", root,
              " is not a rank of this world of ", group().size);
  InPlace data(tensor);
  char* bytes = static_cast<char*>(data.work.data_ptr());
  const int64_t total = data.work.numel() * static_cast<int64_t>(tensor.element_size());
  for (int64_t begin = 0; begin < total; begin += kMaxCount) {
    const int count = static_cast<int>(std::min(kMaxCount, total - begin));
    check(on_mpi_thread(
              [&] { return MPI_Bcast(bytes + begin, count, MPI_BYTE, root, MPI_COMM_WORLD); }),
          c, &tensor);
  }
  data.finish();
}

Tensor all_gather(const Tensor& tensor) {
  const Collective c = Collective::AllGather;
  require_group(c);
  agree(c, tensor, 0);
  require_cpu(c, tensor);
  const Tensor in = native::contiguous(tensor);
  Shape shape = tensor.sizes();
  shape.insert(0, group().size);
  Tensor out = native::empty(shape, tensor.dtype(), tensor.device());
  const int bytes = count_of(c, in.numel() * static_cast<int64_t>(tensor.element_size()));
  check(on_mpi_thread([&] {
          return MPI_Allgather(in.data_ptr(), bytes, MPI_BYTE, out.data_ptr(), bytes, MPI_BYTE,
                               MPI_COMM_WORLD);
        }),
        c, &tensor);
  return out;
}

Tensor reduce_scatter(const Tensor& input, ReduceOp op) {
  const Collective c = Collective::ReduceScatter;
  require_group(c);
  agree(c, input, static_cast<int64_t>(op));
  require_cpu(c, input);
  check_op(c, op, input);
  const int size = group().size;
  NABLA_CHECK(input.dim() >= 1 && input.size(0) % size == 0,
              "distributed::reduce_scatter: ", "the input's first dim must split evenly over the ",
              size, " ranks, got shape ", input.sizes());
  const MPI_Datatype type = mpi_type(c, input.dtype());
  const Tensor in = native::contiguous(input);
  Shape shape = input.sizes();
  shape[0] /= size;
  Tensor out = native::empty(shape, input.dtype(), input.device());
  const int count = count_of(c, out.numel());
  check(on_mpi_thread([&] {
          return MPI_Reduce_scatter_block(in.data_ptr(), out.data_ptr(), count, type, mpi_op(op),
                                          MPI_COMM_WORLD);
        }),
        c, &input);
  if (op == ReduceOp::Average) native::binary_(BinaryOp::Div, out, size);
  return out;
}

}  // namespace nabla::distributed

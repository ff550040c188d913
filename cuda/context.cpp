// Device contexts, the index-error record, op scopes and the status checks.
#include <nabla/cuda/context.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

#include <nabla/core/error.h>
#include <nabla/cuda/check.h>
#include <nabla/cuda/cublas.h>

namespace nabla::cuda_backend {
namespace {

thread_local const char* tls_op = "cuda";
thread_local int tls_op_device = -1;

// cuBLAS's workspace, taken once from the device pool so that cuBLAS never allocates during a
// step (its default is a cudaMalloc of its own).
constexpr size_t kCublasWorkspaceBytes = size_t{32} << 20;

const char* cublas_status_name(cublasStatus_t status) {
  switch (status) {
    case CUBLAS_STATUS_NOT_INITIALIZED:
      return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED:
      return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE:
      return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH:
      return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR:
      return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED:
      return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR:
      return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED:
      return "CUBLAS_STATUS_NOT_SUPPORTED";
    default:
      return "CUBLAS_STATUS_(unknown)";
  }
}

class MessageRegistry {
 public:
  unsigned int add(const IndexErrorMessage& message) {
    std::string key = message.before;
    key.push_back('\0');
    key += message.after;
    std::lock_guard<std::mutex> lock(mutex_);
    auto [it, inserted] = ids_.emplace(std::move(key), static_cast<unsigned int>(messages_.size()));
    if (inserted) messages_.push_back(message);
    return it->second;
  }
  // The id of index_error_message(op, dim, shape), formatted only the first time: index ops run
  // every training step, and formatting a message costs more than the op's launch.
  unsigned int add_index_op(const char* op, int64_t dim, const Shape& shape) {
    std::string key(reinterpret_cast<const char*>(&op), sizeof op);
    key.append(reinterpret_cast<const char*>(&dim), sizeof dim);
    key.append(reinterpret_cast<const char*>(shape.data()),
               static_cast<size_t>(shape.size()) * sizeof(int64_t));
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = index_ops_.find(key);
      if (it != index_ops_.end()) return it->second;
    }
    const unsigned int id = add(index_error_message(op, dim, shape));
    std::lock_guard<std::mutex> lock(mutex_);
    index_ops_.emplace(std::move(key), id);
    return id;
  }
  IndexErrorMessage get(unsigned int id) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (id < messages_.size()) return messages_[id];
    return {"an index ", " was out of range"};
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, unsigned int> ids_;
  std::unordered_map<std::string, unsigned int> index_ops_;
  std::vector<IndexErrorMessage> messages_;
};

MessageRegistry& registry() {
  static MessageRegistry* instance = new MessageRegistry();  // outlives every static tensor
  return *instance;
}

}  // namespace

void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line) {
  cudaGetLastError();  // clear a non-sticky error so that later calls are not poisoned by it
  NABLA_FAIL(tls_op, ": CUDA error on cuda:", tls_op_device < 0 ? 0 : tls_op_device, ": ",
             cudaGetErrorName(status), " (", cudaGetErrorString(status), ") in ", call, " at ",
             file, ":", line);
}

std::string current_op_context() {
  return std::string(tls_op) + " on cuda:" + std::to_string(tls_op_device < 0 ? 0 : tls_op_device);
}

void throw_cublas_error(cublasStatus_t status, const char* call, const char* file, int line) {
  NABLA_FAIL(tls_op, ": cuBLAS error on cuda:", tls_op_device < 0 ? 0 : tls_op_device, ": ",
             cublas_status_name(status), " in ", call, " at ", file, ":", line);
}

// Asked of the runtime rather than cached: user code and libraries may change it too.
int current_device() {
  int device = 0;
  NABLA_CUDA_CHECK(cudaGetDevice(&device));
  return device;
}

bool sync_every_op() {
  static const bool enabled = [] {
    const char* value = std::getenv("NABLA_CUDA_SYNC");
    return value != nullptr && std::strcmp(value, "1") == 0;
  }();
  return enabled;
}

DeviceSwitch::DeviceSwitch(int device) {
  if (cudaGetDevice(&previous_) == cudaSuccess && previous_ != device) {
    switched_ = cudaSetDevice(device) == cudaSuccess;
  }
  cudaGetLastError();
}

DeviceSwitch::~DeviceSwitch() {
  if (switched_ && cudaSetDevice(previous_) != cudaSuccess) cudaGetLastError();
}

DeviceContext::DeviceContext(int index) : index_(index) {
  const DeviceSwitch on_device(index);
  NABLA_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  allocator_.init(index, stream_);
  void* host = nullptr;
  NABLA_CUDA_CHECK(cudaHostAlloc(&host, sizeof(IndexErrorRecord), cudaHostAllocMapped));
  host_record_ = static_cast<IndexErrorRecord*>(host);
  std::memset(host_record_, 0, sizeof(IndexErrorRecord));
  void* device = nullptr;
  NABLA_CUDA_CHECK(cudaHostGetDevicePointer(&device, host, 0));
  device_record_ = static_cast<IndexErrorRecord*>(device);
  // One word for the life of the process, so outside the pool.
  void* claimed = nullptr;
  NABLA_CUDA_CHECK(cudaMalloc(&claimed, sizeof(unsigned int)));
  claimed_ = static_cast<unsigned int*>(claimed);
  NABLA_CUDA_CHECK(cudaMemsetAsync(claimed_, 0, sizeof(unsigned int), stream_));
}

cublasHandle_t DeviceContext::cublas() {
  std::lock_guard<std::mutex> lock(cublas_mutex_);
  if (cublas_ == nullptr) {
    const CublasApi& api = cublas_api();
    const DeviceSwitch on_device(index_);
    cublasHandle_t handle = nullptr;
    NABLA_CUBLAS_CHECK(api.create(&handle));
    NABLA_CUBLAS_CHECK(api.set_stream(handle, stream_));
    // From the pool but outside the allocator's counters: it is not a tensor.
    NABLA_CUDA_CHECK(cudaMallocAsync(&cublas_workspace_, kCublasWorkspaceBytes, stream_));
    NABLA_CUBLAS_CHECK(api.set_workspace(handle, cublas_workspace_, kCublasWorkspaceBytes));
    cublas_ = handle;
  }
  return cublas_;
}

void DeviceContext::upload(void* device_destination, const void* host_source, size_t bytes) {
  if (bytes == 0) return;
  if (bytes > kStagingLimit) {
    NABLA_CUDA_CHECK(
        cudaMemcpyAsync(device_destination, host_source, bytes, cudaMemcpyHostToDevice, stream_));
    NABLA_CUDA_CHECK(cudaStreamSynchronize(stream_));
    return;
  }
  std::lock_guard<std::mutex> lock(staging_mutex_);
  StagingBlock* block = nullptr;
  for (StagingBlock& candidate : staging_) {
    if (candidate.bytes < bytes) continue;
    const cudaError_t state = cudaEventQuery(candidate.copied);
    if (state == cudaSuccess) {
      block = &candidate;
      break;
    }
    if (state != cudaErrorNotReady) NABLA_CUDA_CHECK(state);
  }
  if (block == nullptr && staging_bytes_ + bytes > kStagingTotal) {
    // Enough is pinned already: wait for the copies in flight, after which every block is free.
    NABLA_CUDA_CHECK(cudaStreamSynchronize(stream_));
    for (StagingBlock& candidate : staging_) {
      if (candidate.bytes >= bytes) {
        block = &candidate;
        break;
      }
    }
  }
  if (block == nullptr) {
    size_t size = size_t{64} << 10;
    while (size < bytes) size *= 2;
    StagingBlock fresh{nullptr, size, nullptr};
    NABLA_CUDA_CHECK(cudaHostAlloc(&fresh.data, size, cudaHostAllocDefault));
    NABLA_CUDA_CHECK(cudaEventCreateWithFlags(&fresh.copied, cudaEventDisableTiming));
    staging_.push_back(fresh);
    staging_bytes_ += size;
    block = &staging_.back();
  }
  std::memcpy(block->data, host_source, bytes);
  NABLA_CUDA_CHECK(
      cudaMemcpyAsync(device_destination, block->data, bytes, cudaMemcpyHostToDevice, stream_));
  NABLA_CUDA_CHECK(cudaEventRecord(block->copied, stream_));
}

void DeviceContext::synchronize() {
  NABLA_CUDA_CHECK(cudaStreamSynchronize(stream_));
  raise_pending_errors();
}

void DeviceContext::raise_pending_errors() {
  // Read only after the stream is idle: no kernel can be writing the record now.
  volatile IndexErrorRecord* record = host_record_;
  if (record->flag == 0) return;
  const IndexErrorMessage message = registry().get(record->message);
  const long long value = record->value;
  record->flag = 0;
  NABLA_CUDA_CHECK(cudaMemsetAsync(claimed_, 0, sizeof(unsigned int), stream_));
  NABLA_FAIL(message.before, value, message.after, " (found on cuda:", index_,
             ", reported at the next synchronization)");
}

DeviceContext& context(int index) {
  // Never destroyed: tensors in static objects may be freed after main returns. Every op looks its
  // context up, so the common case is one atomic load.
  static std::atomic<DeviceContext*> contexts[128] = {};
  static std::mutex mutex;
  DeviceContext* existing = contexts[index].load(std::memory_order_acquire);
  if (existing != nullptr) return *existing;
  std::lock_guard<std::mutex> lock(mutex);
  existing = contexts[index].load(std::memory_order_relaxed);
  if (existing == nullptr) {
    existing = new DeviceContext(index);
    contexts[index].store(existing, std::memory_order_release);
  }
  return *existing;
}

unsigned int register_index_message(const IndexErrorMessage& message) {
  return registry().add(message);
}

unsigned int register_index_message(const char* op, int64_t dim, const Shape& shape) {
  return registry().add_index_op(op, dim, shape);
}

OpScope::OpScope(int device, const char* op)
    : device_(device),
      previous_op_(tls_op),
      previous_op_device_(tls_op_device),
      previous_current_device_(current_device()) {
  tls_op = op;
  tls_op_device = device;
  if (previous_current_device_ != device) {
    const cudaError_t status = cudaSetDevice(device);
    if (status != cudaSuccess) {
      tls_op = previous_op_;  // the destructor will not run
      tls_op_device = previous_op_device_;
      throw_cuda_error(status, "cudaSetDevice", __FILE__, __LINE__);
    }
  }
}

OpScope::~OpScope() {
  tls_op = previous_op_;
  tls_op_device = previous_op_device_;
  // Leave the caller on the device it was on, as a device guard does: an op on cuda:1 nested in a
  // copy to cuda:0 must not leave cuda:0's later launches on the wrong device.
  if (previous_current_device_ != device_ &&
      cudaSetDevice(previous_current_device_) != cudaSuccess) {
    cudaGetLastError();
  }
}

void OpScope::finish() {
  if (sync_every_op()) context(device_).synchronize();
}

}  // namespace nabla::cuda_backend

// Per-device state of the CUDA backend: the one stream all of a device's work is queued on, its
// cuBLAS handle and workspace, its allocator, and the pinned record where kernels report invalid
// indices. Each is created the first time its device is used, never when there is no device.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <nabla/core/backend.h>
#include <nabla/cuda/allocator.h>

namespace nabla::cuda_backend {

// Where a kernel reports the first invalid index it meets: host memory mapped into the device's
// address space, read by the host after a synchronization. flag is 0 while nothing happened.
struct IndexErrorRecord {
  unsigned int flag;
  unsigned int message;  // from register_index_message
  long long value;       // the offending index
};

// What an index kernel needs to report: a word in device memory that the first reporting thread
// claims with atomicCAS (atomics on mapped host memory are not guaranteed), the record that thread
// then fills, and the message of this launch.
struct IndexErrorSink {
  unsigned int* claimed;
  IndexErrorRecord* record;
  unsigned int message;
};

class DeviceContext {
 public:
  explicit DeviceContext(int index);
  DeviceContext(const DeviceContext&) = delete;
  DeviceContext& operator=(const DeviceContext&) = delete;

  int index() const { return index_; }
  cudaStream_t stream() const { return stream_; }
  CudaAllocator& allocator() { return allocator_; }
  // The cuBLAS handle, bound to this device's stream; created on first use. Hold cublas_mutex()
  // while setting its mode and calling it.
  cublasHandle_t cublas();
  std::mutex& cublas_mutex() { return cublas_call_mutex_; }
  // Where a kernel checking indices reports, with `message` (from register_index_message).
  IndexErrorSink error_sink(unsigned int message) const {
    return {claimed_, device_record_, message};
  }

  // Waits for the stream, then throws if a kernel reported an invalid index since the last time.
  void synchronize();

  // Queues a copy of `bytes` from host memory to device memory that does not wait for the device,
  // yet leaves the host memory free to change or go at once: the bytes are first copied into a
  // pinned staging block, reused when the copy out of it has completed. Copies above
  // kStagingLimit (a dataset) wait for the device instead of holding that much pinned memory.
  void upload(void* device_destination, const void* host_source, size_t bytes);

 private:
  void raise_pending_errors();

  struct StagingBlock {
    void* data;
    size_t bytes;
    cudaEvent_t copied;  // recorded after the copy out of the block
  };
  static constexpr size_t kStagingLimit = size_t{16} << 20;
  static constexpr size_t kStagingTotal = size_t{64} << 20;
  std::mutex staging_mutex_;
  std::vector<StagingBlock> staging_;
  size_t staging_bytes_ = 0;

  int index_;
  cudaStream_t stream_ = nullptr;
  CudaAllocator allocator_;
  std::mutex cublas_mutex_;
  std::mutex cublas_call_mutex_;
  cublasHandle_t cublas_ = nullptr;
  void* cublas_workspace_ = nullptr;
  IndexErrorRecord* host_record_ = nullptr;
  IndexErrorRecord* device_record_ = nullptr;
  unsigned int* claimed_ = nullptr;
};

// The context of device `index` (created on first use; `index` must be a valid device).
DeviceContext& context(int index);

// An id for `message`, which kernels store in an IndexErrorRecord; equal messages share an id, so
// a training loop that checks the same shapes every step registers one message.
unsigned int register_index_message(const IndexErrorMessage& message);
// The id of index_error_message(op, dim, shape); `op` must be a string literal.
unsigned int register_index_message(const char* op, int64_t dim, const Shape& shape);

// This thread's current CUDA device.
int current_device();

// Makes `device` current for a scope and restores the caller's device after; never throws (a
// failure shows at the next checked call). Without it, a thread that never chose a device would
// have the runtime create a context on device 0 for work that belongs to another device.
class DeviceSwitch {
 public:
  explicit DeviceSwitch(int device);
  ~DeviceSwitch();
  DeviceSwitch(const DeviceSwitch&) = delete;
  DeviceSwitch& operator=(const DeviceSwitch&) = delete;

 private:
  int previous_ = 0;
  bool switched_ = false;
};

// Whether NABLA_CUDA_SYNC=1: every op then synchronizes, so an asynchronous fault is reported by
// the op that caused it.
bool sync_every_op();

// The scope of one backend op: makes its device current (restoring the caller's at the end), names
// the op for error messages, and with NABLA_CUDA_SYNC=1 synchronizes at finish().
class OpScope {
 public:
  OpScope(int device, const char* op);
  ~OpScope();
  OpScope(const OpScope&) = delete;
  OpScope& operator=(const OpScope&) = delete;
  void finish();

 private:
  int device_;
  const char* previous_op_;
  int previous_op_device_;
  int previous_current_device_;
};

}  // namespace nabla::cuda_backend

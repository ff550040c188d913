// How a kernel reports an invalid index (see IndexErrorSink in context.h): the first thread to
// claim the sink fills its record, and the host throws at its next synchronization.
#pragma once

#include <cstdint>

#include <nabla/cuda/context.h>

namespace nabla::cuda_backend {

__device__ inline void report_invalid_index(const IndexErrorSink& sink, int64_t value) {
  if (atomicCAS(sink.claimed, 0u, 1u) == 0u) {
    sink.record->message = sink.message;
    sink.record->value = static_cast<long long>(value);
    __threadfence_system();
    sink.record->flag = 1;
  }
}

}  // namespace nabla::cuda_backend

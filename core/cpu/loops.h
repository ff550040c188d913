// Strided iteration for CPU kernels. N operands share one shape; dims that are contiguous for every
// operand are merged, so a kernel sees long rows: `row(pointers, byte_strides, count)`. The kernel
// checks whether its row is unit-stride and then runs a loop the compiler vectorizes. Work over
// kParallelElements is split across OpenMP threads by element range.
#pragma once

#include <omp.h>

#include <array>
#include <cstdint>

#include <nabla/core/tensor.h>

namespace nabla::cpu {

// Below this many elements a kernel runs on one thread: waking threads costs more than it saves.
constexpr int64_t kParallelElements = 32768;

inline int thread_count_for(int64_t work) {
  return work >= kParallelElements ? omp_get_max_threads() : 1;
}

template <int N>
struct StridedLoop {
  int64_t ndim = 0;
  int64_t sizes[kMaxDims];
  int64_t strides[N][kMaxDims];  // bytes
  char* base[N];
  int64_t numel = 1;
};

// Builds the loop for `sizes`, with operand k at `data[k]` with element strides `strides[k]` of
// element size `elsize[k]`. Drops size-1 dims and merges dims that are contiguous for all operands.
template <int N>
StridedLoop<N> make_loop(const Shape& sizes, const std::array<void*, N>& data,
                         const std::array<const Strides*, N>& strides,
                         const std::array<int64_t, N>& elsize) {
  StridedLoop<N> loop;
  for (int k = 0; k < N; ++k) loop.base[k] = static_cast<char*>(data[k]);
  for (int64_t d = 0; d < sizes.size(); ++d) {
    loop.numel *= sizes[d];
    if (sizes[d] == 1) continue;
    int64_t i = loop.ndim;
    bool merge = i > 0;
    for (int k = 0; k < N && merge; ++k) {
      merge = loop.strides[k][i - 1] == (*strides[k])[d] * elsize[k] * sizes[d];
    }
    if (merge) {
      loop.sizes[i - 1] *= sizes[d];
      for (int k = 0; k < N; ++k) loop.strides[k][i - 1] = (*strides[k])[d] * elsize[k];
    } else {
      loop.sizes[i] = sizes[d];
      for (int k = 0; k < N; ++k) loop.strides[k][i] = (*strides[k])[d] * elsize[k];
      ++loop.ndim;
    }
  }
  if (loop.ndim == 0) {  // a single element
    loop.sizes[0] = 1;
    for (int k = 0; k < N; ++k) loop.strides[k][0] = elsize[k];
    loop.ndim = 1;
  }
  return loop;
}

// Runs row() over elements [begin, end) in row-major order.
template <int N, typename Row>
void run_range(const StridedLoop<N>& loop, int64_t begin, int64_t end, Row&& row) {
  // An empty range visits nothing; for a tensor with a size-0 dim, the index split below would
  // also divide by zero (zeros({0}) fills through here).
  if (begin >= end) return;
  const int64_t last = loop.ndim - 1;
  int64_t index[kMaxDims];
  int64_t rest = begin;
  for (int64_t d = last; d >= 0; --d) {
    index[d] = rest % loop.sizes[d];
    rest /= loop.sizes[d];
  }
  std::array<char*, N> ptr;
  int64_t inner_strides[N];
  for (int k = 0; k < N; ++k) {
    ptr[k] = loop.base[k];
    for (int64_t d = 0; d <= last; ++d) ptr[k] += index[d] * loop.strides[k][d];
    inner_strides[k] = loop.strides[k][last];
  }
  int64_t pos = begin;
  while (pos < end) {
    int64_t count = std::min(loop.sizes[last] - index[last], end - pos);
    row(ptr.data(), inner_strides, count);
    pos += count;
    if (pos >= end) break;
    // Step to the start of the next row: carry through the outer dims, then recompute pointers.
    index[last] = 0;
    for (int64_t d = last - 1; d >= 0; --d) {
      if (++index[d] < loop.sizes[d]) break;
      index[d] = 0;
    }
    for (int k = 0; k < N; ++k) {
      ptr[k] = loop.base[k];
      for (int64_t d = 0; d < last; ++d) ptr[k] += index[d] * loop.strides[k][d];
    }
  }
}

// Runs row() over the whole loop, on several threads when it is large.
template <int N, typename Row>
void run(const StridedLoop<N>& loop, Row row) {
  const int threads = thread_count_for(loop.numel);
  if (threads <= 1) {
    run_range(loop, 0, loop.numel, row);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    const int64_t chunk = (loop.numel + nt - 1) / nt;
    const int64_t begin = std::min(loop.numel, t * chunk);
    const int64_t end = std::min(loop.numel, begin + chunk);
    Row local = row;
    if (begin < end) run_range(loop, begin, end, local);
  }
}

// Runs body(begin, end) over [0, count), split across threads when `count * cost_per_item` is
// large.
template <typename Body>
void parallel_for(int64_t count, int64_t cost_per_item, Body body) {
  const int threads = count > 1 ? thread_count_for(count * cost_per_item) : 1;
  if (threads <= 1) {
    body(int64_t{0}, count);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    const int64_t chunk = (count + nt - 1) / nt;
    const int64_t begin = std::min(count, t * chunk);
    const int64_t end = std::min(count, begin + chunk);
    if (begin < end) body(begin, end);
  }
}

}  // namespace nabla::cpu

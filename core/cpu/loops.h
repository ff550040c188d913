// Strided iteration for CPU kernels. N operands share one shape, laid out by make_loop_layout (dims
// contiguous for every operand merged), so a kernel sees long rows: `row(pointers, byte_strides,
// count)`. The kernel checks whether its row is unit-stride and then runs a loop the compiler
// vectorizes. The start of each row comes from the offset calculator the CUDA kernels use too.
// Work over kParallelElements is split across OpenMP threads by element range.
#pragma once

#include <omp.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include <nabla/core/cpu/threads.h>
#include <nabla/core/loop_layout.h>
#include <nabla/core/tensor.h>

namespace nabla::cpu {

// Below this many elements a kernel runs on one thread: waking threads costs more than it saves.
constexpr int64_t kParallelElements = 32768;

inline int thread_count_for(int64_t work) {
  return work >= kParallelElements ? usable_threads() : 1;
}

template <int N>
struct StridedLoop {
  LoopLayout<N> layout;
  math::OffsetCalculator<N, int64_t> rows;  // element offsets of each innermost row's start
  char* base[N];
  int64_t elsize[N];
  int64_t numel = 0;
};

// Builds the loop for `sizes`, with operand k at `data[k]` with element strides `strides[k]` of
// element size `elsize[k]`.
template <int N>
StridedLoop<N> make_loop(const Shape& sizes, const std::array<void*, N>& data,
                         const std::array<const Strides*, N>& strides,
                         const std::array<int64_t, N>& elsize) {
  StridedLoop<N> loop;
  loop.layout = make_loop_layout<N>(sizes, strides);
  if (loop.layout.dims > 1) loop.rows = loop.layout.template calculator<int64_t>(1);
  loop.numel = loop.layout.numel;
  for (int k = 0; k < N; ++k) {
    loop.base[k] = static_cast<char*>(data[k]);
    loop.elsize[k] = elsize[k];
  }
  return loop;
}

// Runs row() over elements [begin, end) in row-major order.
template <int N, typename Row>
void run_range(const StridedLoop<N>& loop, int64_t begin, int64_t end, Row&& row) {
  // An empty range visits nothing (and a loop with a size-0 dim has no rows to divide into).
  if (begin >= end) return;
  const int64_t inner = loop.layout.sizes[0];
  int64_t inner_strides[N];
  for (int k = 0; k < N; ++k) inner_strides[k] = loop.layout.strides[0][k] * loop.elsize[k];
  std::array<char*, N> ptr;
  if (loop.layout.dims == 1) {  // one row (every contiguous tensor): no index math at all
    for (int k = 0; k < N; ++k) ptr[k] = loop.base[k] + begin * inner_strides[k];
    row(ptr.data(), inner_strides, end - begin);
    return;
  }
  for (int64_t pos = begin; pos < end;) {
    const int64_t r = pos / inner, column = pos - r * inner;
    const math::Offsets<N, int64_t> start = loop.rows.get(r);
    for (int k = 0; k < N; ++k) {
      ptr[k] = loop.base[k] + (start[k] + column * loop.layout.strides[0][k]) * loop.elsize[k];
    }
    const int64_t count = std::min(inner - column, end - pos);
    row(ptr.data(), inner_strides, count);
    pos += count;
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

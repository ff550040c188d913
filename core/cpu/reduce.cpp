// CPU reductions (sum, max, min) and arg-reductions. The input's dims are split into kept dims (one
// output element each) and reduced dims; each group is merged where contiguous, so the common case,
// reducing the last dims of a contiguous tensor, becomes a unit-stride loop over each output.
#include <algorithm>
#include <type_traits>

#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/cpu/loops.h>
#include <nabla/core/math/reduce.h>

namespace nabla::cpu {
namespace {

// Sizes and element strides of one group of dims, merged where contiguous.
struct DimGroup {
  int64_t ndim = 0;
  int64_t sizes[kMaxDims];
  int64_t in_strides[kMaxDims];
  int64_t out_strides[kMaxDims];
  int64_t numel = 1;

  void push(int64_t size, int64_t in_stride, int64_t out_stride) {
    numel *= size;
    if (size == 1) return;
    if (ndim > 0 && in_strides[ndim - 1] == in_stride * size &&
        out_strides[ndim - 1] == out_stride * size) {
      sizes[ndim - 1] *= size;
      in_strides[ndim - 1] = in_stride;
      out_strides[ndim - 1] = out_stride;
      return;
    }
    sizes[ndim] = size;
    in_strides[ndim] = in_stride;
    out_strides[ndim] = out_stride;
    ++ndim;
  }
  // Offsets (in elements) of the linear position `i` within this group.
  void offsets(int64_t i, int64_t& in_offset, int64_t& out_offset) const {
    in_offset = out_offset = 0;
    for (int64_t d = ndim - 1; d >= 0; --d) {
      int64_t idx = i % sizes[d];
      i /= sizes[d];
      in_offset += idx * in_strides[d];
      out_offset += idx * out_strides[d];
    }
  }
};

// Reduces n contiguous values. Eight independent accumulators let the compiler vectorize and keep
// float32 sums more accurate than one running total.
template <typename T, typename Combine>
T reduce_contiguous(const T* x, int64_t n, Combine combine) {
  constexpr T identity = Combine::template identity<T>();
  T acc[8] = {identity, identity, identity, identity, identity, identity, identity, identity};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) acc[k] = combine(acc[k], x[i + k]);
  }
  for (; i < n; ++i) acc[0] = combine(acc[0], x[i]);
  for (int k = 1; k < 8; ++k) acc[0] = combine(acc[0], acc[k]);
  return acc[0];
}

// Elements per partial result when a reduced dim is strided (see reduce_kernel).
constexpr int64_t kStridedBlock = 4096;

template <typename T, typename Combine>
void reduce_kernel(const Tensor& in, const Tensor& out, Combine combine) {
  DimGroup kept, reduced;
  for (int64_t d = 0; d < in.dim(); ++d) {
    if (out.size(d) == 1 && in.size(d) != 1) {
      reduced.push(in.size(d), in.stride(d), 0);
    } else {
      kept.push(in.size(d), in.stride(d), out.stride(d));
    }
  }
  const T* x = in.data_ptr<T>();
  T* y = out.data_ptr<T>();
  const int64_t outputs = kept.numel, per_output = reduced.numel;
  constexpr T identity = Combine::template identity<T>();
  const bool unit_inner = reduced.ndim == 1 && reduced.in_strides[0] == 1;

  auto reduce_one = [&](int64_t in_offset) -> T {
    if (reduced.ndim == 0) return combine(identity, x[in_offset]);
    if (unit_inner) return reduce_contiguous(x + in_offset, per_output, combine);
    // Blocks of kStridedBlock elements, each reduced on its own and then combined: one running
    // float32 total over the whole strided dim stops growing at 2^24 (the sum of 20M ones came
    // out as 16777216), and its rounding error grows with the length of the dim.
    T acc = identity;
    for (int64_t start = 0; start < per_output; start += kStridedBlock) {
      const int64_t stop = std::min(per_output, start + kStridedBlock);
      T block = identity;
      for (int64_t r = start; r < stop; ++r) {
        int64_t offset, unused;
        reduced.offsets(r, offset, unused);
        block = combine(block, x[in_offset + offset]);
      }
      acc = combine(acc, block);
    }
    return acc;
  };

  if (reduced.ndim == 1 && kept.ndim == 1 && kept.in_strides[0] == 1 && kept.out_strides[0] == 1) {
    // Reducing the leading dims of a contiguous tensor (a bias gradient: a sum over the batch).
    // Whole rows are combined into a strip of outputs, a unit-stride loop over each row, instead
    // of walking each output's strided column.
    const int64_t rows = per_output, row_stride = reduced.in_strides[0];
    constexpr int64_t kStrip = 256;
    parallel_for(outputs, std::max<int64_t>(rows, 1), [&](int64_t begin, int64_t end) {
      T total[kStrip], block[kStrip];
      for (int64_t j0 = begin; j0 < end; j0 += kStrip) {
        const int64_t width = std::min(kStrip, end - j0);
        std::fill(total, total + width, identity);
        // Blocks of rows, as in reduce_one, to bound float32 rounding over a long dim.
        for (int64_t start = 0; start < rows; start += kStridedBlock) {
          std::fill(block, block + width, identity);
          const int64_t stop = std::min(rows, start + kStridedBlock);
          for (int64_t r = start; r < stop; ++r) {
            const T* row = x + r * row_stride + j0;
            for (int64_t k = 0; k < width; ++k) block[k] = combine(block[k], row[k]);
          }
          for (int64_t k = 0; k < width; ++k) total[k] = combine(total[k], block[k]);
        }
        std::copy(total, total + width, y + j0);
      }
    });
    return;
  }
  if (outputs == 1 && unit_inner && thread_count_for(per_output) > 1) {
    // One output over many elements: partial results per thread, combined in thread order.
    T partial[64];
    const int threads = std::min(thread_count_for(per_output), 64);
    for (int t = 0; t < threads; ++t) partial[t] = identity;
#pragma omp parallel num_threads(threads)
    {
      const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
      const int64_t chunk = (per_output + nt - 1) / nt;
      const int64_t begin = std::min(per_output, t * chunk);
      const int64_t end = std::min(per_output, begin + chunk);
      if (begin < end) partial[t] = reduce_contiguous(x + begin, end - begin, combine);
    }
    T acc = identity;
    for (int t = 0; t < threads; ++t) acc = combine(acc, partial[t]);
    *y = acc;
    return;
  }
  parallel_for(outputs, std::max<int64_t>(per_output, 1), [&](int64_t begin, int64_t end) {
    for (int64_t m = begin; m < end; ++m) {
      int64_t in_offset, out_offset;
      kept.offsets(m, in_offset, out_offset);
      y[out_offset] = per_output == 0 ? identity : reduce_one(in_offset);
    }
  });
}

template <typename T, bool IsMax>
void arg_reduce_kernel(const Tensor& in, int64_t dim, const Tensor& out) {
  DimGroup kept;
  for (int64_t d = 0; d < in.dim(); ++d) {
    if (d != dim) kept.push(in.size(d), in.stride(d), out.stride(d));
  }
  const T* x = in.data_ptr<T>();
  int64_t* y = out.data_ptr<int64_t>();
  const int64_t length = in.size(dim), stride = in.stride(dim);
  math::ArgBetter<IsMax> better;
  parallel_for(kept.numel, length, [&](int64_t begin, int64_t end) {
    for (int64_t m = begin; m < end; ++m) {
      int64_t in_offset, out_offset;
      kept.offsets(m, in_offset, out_offset);
      const T* row = x + in_offset;
      int64_t best = 0;
      for (int64_t i = 1; i < length; ++i) {
        if (better(row[i * stride], row[best * stride])) best = i;
      }
      y[out_offset] = best;
    }
  });
}

}  // namespace

void CpuBackend::reduce(ReduceOp op, const Tensor& in, const Tensor& out) {
  dispatch_dtype(in.dtype(), "reduce", [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
      case ReduceOp::Sum:
        if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> ||
                      std::is_same_v<T, int64_t>) {
          return reduce_kernel<T>(in, out, math::SumReduce{});
        }
        NABLA_FAIL("sum: not implemented for ", in.dtype(), " on the CPU");
      case ReduceOp::Max:
        return reduce_kernel<T>(in, out, math::MaxReduce{});
      case ReduceOp::Min:
        return reduce_kernel<T>(in, out, math::MinReduce{});
    }
  });
}

void CpuBackend::arg_reduce(bool is_max, const Tensor& in, int64_t dim, const Tensor& out) {
  dispatch_dtype(in.dtype(), is_max ? "argmax" : "argmin", [&](auto tag) {
    using T = decltype(tag);
    if (is_max) {
      arg_reduce_kernel<T, true>(in, dim, out);
    } else {
      arg_reduce_kernel<T, false>(in, dim, out);
    }
  });
}

}  // namespace nabla::cpu

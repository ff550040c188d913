// Reductions (sum, max, min) and arg-reductions on the GPU, with the combiners of core/math/
// reduce.h (so max and min propagate NaN as on the CPU). A whole contiguous tensor goes through
// cub::DeviceReduce, back-to-back contiguous rows through cub::DeviceSegmentedReduce; other
// layouts reduce with one thread per output when each output folds few elements (a sum over the
// batch: neighbouring threads read neighbouring memory), else one block per output with
// cub::BlockReduce.
#include <thrust/iterator/counting_iterator.h>
#include <thrust/iterator/transform_iterator.h>
#include <cub/block/block_reduce.cuh>
#include <cub/device/device_reduce.cuh>
#include <cub/device/device_segmented_reduce.cuh>

#include <nabla/core/math/reduce.h>
#include <nabla/core/native.h>
#include <nabla/cuda/backend.h>
#include <nabla/cuda/loops.cuh>

namespace nabla::cuda_backend {
namespace {

// Outputs folding at most this many elements each get one thread.
constexpr int64_t kThreadPerOutputLimit = 4096;
constexpr int kReduceBlock = 256;
// A thread folds its elements in chunks of this many, each chunk on its own and then into the
// total: a float32 running sum over thousands of elements loses digits the CPU's blocked sums keep
// (the error grows with the square root of the run instead of the whole count).
constexpr int kChunk = 64;

// combine over r = first, first + step, ... below end of x[base + reduced_at(r)], chunk by chunk.
template <typename T, typename Combine, typename Index>
__device__ T fold(const T* x, Index base, const math::OffsetCalculator<1, Index>& reduced_at,
                  Index first, Index end, Index step, Combine combine) {
  T total = Combine::template identity<T>();
  for (Index start = first; start < end;) {
    T chunk = Combine::template identity<T>();
    for (int k = 0; k < kChunk && start < end; ++k, start += step) {
      chunk = combine(chunk, x[base + reduced_at.get(start)[0]]);
    }
    total = combine(total, chunk);
  }
  return total;
}

template <typename T, typename Combine, typename Index>
__global__ void reduce_thread_per_output_kernel(Index outputs, Index per_output,
                                                math::OffsetCalculator<2, Index> output_at,
                                                math::OffsetCalculator<1, Index> reduced_at,
                                                const T* x, T* y, Combine combine) {
  const Index stride = static_cast<Index>(gridDim.x) * blockDim.x;
  for (Index m = static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; m < outputs;
       m += stride) {
    const math::Offsets<2, Index> at = output_at.get(m);
    y[at[1]] = fold(x, at[0], reduced_at, Index{0}, per_output, Index{1}, combine);
  }
}

template <typename T, typename Combine, typename Index>
__global__ void reduce_block_per_output_kernel(Index outputs, Index per_output,
                                               math::OffsetCalculator<2, Index> output_at,
                                               math::OffsetCalculator<1, Index> reduced_at,
                                               const T* x, T* y, Combine combine) {
  using BlockReduce = cub::BlockReduce<T, kReduceBlock>;
  __shared__ typename BlockReduce::TempStorage temp;
  for (Index m = blockIdx.x; m < outputs; m += gridDim.x) {
    const math::Offsets<2, Index> at = output_at.get(m);
    const T mine = fold(x, at[0], reduced_at, static_cast<Index>(threadIdx.x), per_output,
                        static_cast<Index>(kReduceBlock), combine);
    const T total = BlockReduce(temp).Reduce(mine, combine);
    if (threadIdx.x == 0) y[at[1]] = total;
    __syncthreads();  // temp is reused by the next output
  }
}

// Begin offsets of back-to-back segments of `length` elements: i * length.
struct SegmentStart {
  int64_t length;
  __host__ __device__ int64_t operator()(int64_t i) const { return i * length; }
};

// CUB's two-call protocol: the size of the scratch space, then the run. The scratch space comes
// from the device allocator and goes back to it, stream-ordered, when `scratch` is destroyed.
template <typename Run>
void run_with_scratch(const Device& device, Run run) {
  size_t bytes = 0;
  NABLA_CUDA_CHECK(run(nullptr, bytes));
  const Tensor scratch = native::empty({static_cast<int64_t>(bytes)}, kUInt8, device);
  NABLA_CUDA_CHECK(run(scratch.data_ptr(), bytes));
}

template <typename T, typename Combine>
void reduce_typed(cudaStream_t stream, const Tensor& in, const Tensor& out, Combine combine) {
  const ReduceLayout layout =
      make_reduce_layout(in.sizes(), in.strides(), out.sizes(), out.strides());
  const LoopLayout<2>& kept = layout.kept;
  const LoopLayout<1>& reduced = layout.reduced;
  const int64_t outputs = kept.numel, per_output = reduced.numel;
  constexpr T identity = Combine::template identity<T>();
  if (outputs == 0) return;
  if (per_output == 0) {
    launch_elementwise<T>(stream, math::Constant<T>{identity}, out);
    return;
  }
  const T* x = in.data_ptr<T>();
  T* y = out.data_ptr<T>();
  const bool unit_rows = reduced.dims == 1 && (reduced.strides[0][0] == 1 || per_output == 1);
  if (outputs == 1 && unit_rows) {
    run_with_scratch(in.device(), [&](void* scratch, size_t& bytes) {
      return cub::DeviceReduce::Reduce(scratch, bytes, x, y, per_output, combine, identity, stream);
    });
    return;
  }
  if (unit_rows && kept.dims == 1 && kept.strides[0][0] == per_output && kept.strides[0][1] == 1 &&
      per_output > kThreadPerOutputLimit / 16) {
    // Rows of per_output elements, one after another: a segmented reduction.
    const auto starts = thrust::make_transform_iterator(thrust::counting_iterator<int64_t>(0),
                                                        SegmentStart{per_output});
    run_with_scratch(in.device(), [&](void* scratch, size_t& bytes) {
      return cub::DeviceSegmentedReduce::Reduce(scratch, bytes, x, y, outputs, starts, starts + 1,
                                                combine, identity, stream);
    });
    return;
  }
  const bool use_32bit = kept.fits_32bit() && reduced.fits_32bit() &&
                         std::max(kept.numel, reduced.numel) < (int64_t{1} << 31);
  auto launch = [&](auto index_tag) {
    using Index = decltype(index_tag);
    const auto output_at = kept.calculator<Index>();
    const auto reduced_at = reduced.calculator<Index>();
    if (per_output <= kThreadPerOutputLimit) {
      reduce_thread_per_output_kernel<T><<<blocks_for(outputs), kThreads, 0, stream>>>(
          static_cast<Index>(outputs), static_cast<Index>(per_output), output_at, reduced_at, x, y,
          combine);
    } else {
      const unsigned int blocks = static_cast<unsigned int>(std::min<int64_t>(outputs, 65535 * 8));
      reduce_block_per_output_kernel<T><<<blocks, kReduceBlock, 0, stream>>>(
          static_cast<Index>(outputs), static_cast<Index>(per_output), output_at, reduced_at, x, y,
          combine);
    }
    NABLA_CUDA_CHECK_LAUNCH();
  };
  if (use_32bit) {
    launch(uint32_t{});
  } else {
    launch(int64_t{});
  }
}

template <bool IsMax, typename T, typename Index>
__global__ void arg_reduce_thread_per_line_kernel(Index lines, math::OffsetCalculator<2, Index> at,
                                                  const T* x, int64_t* y, int64_t length,
                                                  int64_t step) {
  const Index stride = static_cast<Index>(gridDim.x) * blockDim.x;
  for (Index m = static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; m < lines;
       m += stride) {
    const math::Offsets<2, Index> o = at.get(m);
    y[o[1]] = math::arg_reduce_line<IsMax>(x + o[0], length, step);
  }
}

template <bool IsMax, typename T, typename Index>
__global__ void arg_reduce_block_per_line_kernel(Index lines, math::OffsetCalculator<2, Index> at,
                                                 const T* x, int64_t* y, int64_t length,
                                                 int64_t step) {
  using Candidate = math::ValueIndex<T>;
  using BlockReduce = cub::BlockReduce<Candidate, kReduceBlock>;
  __shared__ typename BlockReduce::TempStorage temp;
  const math::ArgCombine<IsMax> combine;
  for (Index m = blockIdx.x; m < lines; m += gridDim.x) {
    const math::Offsets<2, Index> o = at.get(m);
    // Each thread's best of its stride of the line, which starts from its first element; a thread
    // with no element starts from element 0, which every other candidate at least ties.
    const int64_t first = threadIdx.x < length ? threadIdx.x : 0;
    Candidate best{x[o[0] + first * step], first};
    for (int64_t i = first + kReduceBlock; i < length; i += kReduceBlock) {
      best = combine(best, Candidate{x[o[0] + i * step], i});
    }
    const Candidate winner = BlockReduce(temp).Reduce(best, combine);
    if (threadIdx.x == 0) y[o[1]] = winner.index;
    __syncthreads();
  }
}

template <bool IsMax, typename T>
void arg_reduce_typed(cudaStream_t stream, const Tensor& in, int64_t dim, const Tensor& out) {
  const LineLayout layout = make_line_layout(in.sizes(), in.strides(), out.strides(), dim);
  const int64_t lines = layout.lines.numel;
  if (lines == 0) return;
  const T* x = in.data_ptr<T>();
  int64_t* y = out.data_ptr<int64_t>();
  auto launch = [&](auto index_tag) {
    using Index = decltype(index_tag);
    const auto at = layout.lines.calculator<Index>();
    if (layout.length <= 256 || lines >= 4096) {
      arg_reduce_thread_per_line_kernel<IsMax, T><<<blocks_for(lines), kThreads, 0, stream>>>(
          static_cast<Index>(lines), at, x, y, layout.length, layout.in_step);
    } else {
      const unsigned int blocks = static_cast<unsigned int>(std::min<int64_t>(lines, 65535 * 8));
      arg_reduce_block_per_line_kernel<IsMax, T><<<blocks, kReduceBlock, 0, stream>>>(
          static_cast<Index>(lines), at, x, y, layout.length, layout.in_step);
    }
    NABLA_CUDA_CHECK_LAUNCH();
  };
  if (layout.lines.fits_32bit()) {
    launch(uint32_t{});
  } else {
    launch(int64_t{});
  }
}

}  // namespace

void CudaBackend::reduce(ReduceOp op, const Tensor& in, const Tensor& out) {
  const char* name = op == ReduceOp::Sum    ? "sum"
                     : op == ReduceOp::Prod ? "prod"
                     : op == ReduceOp::Max  ? "amax"
                                            : "amin";
  OpScope scope(index_, name);
  dispatch_dtype(in.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
      case ReduceOp::Sum:
        if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> ||
                      std::is_same_v<T, int64_t>) {
          return reduce_typed<T>(stream(), in, out, math::SumReduce{});
        }
        NABLA_FAIL("sum: not implemented for ", in.dtype(), " on CUDA");
      case ReduceOp::Prod:
        if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> ||
                      std::is_same_v<T, int64_t>) {
          return reduce_typed<T>(stream(), in, out, math::ProdReduce{});
        }
        NABLA_FAIL("prod: not implemented for ", in.dtype(), " on CUDA");
      case ReduceOp::Max:
        return reduce_typed<T>(stream(), in, out, math::MaxReduce{});
      case ReduceOp::Min:
        return reduce_typed<T>(stream(), in, out, math::MinReduce{});
    }
  });
  scope.finish();
}

void CudaBackend::arg_reduce(bool is_max, const Tensor& in, int64_t dim, const Tensor& out) {
  OpScope scope(index_, is_max ? "argmax" : "argmin");
  dispatch_dtype(in.dtype(), is_max ? "argmax" : "argmin", [&](auto tag) {
    using T = decltype(tag);
    if (is_max) {
      arg_reduce_typed<true, T>(stream(), in, dim, out);
    } else {
      arg_reduce_typed<false, T>(stream(), in, dim, out);
    }
  });
  scope.finish();
}

}  // namespace nabla::cuda_backend

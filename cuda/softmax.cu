// softmax and log_softmax on the GPU: one block per row (the line along `dim` through one position
// of the other dims), with cub::BlockReduce for the row's maximum and its sum of exponentials, and
// the per-element steps of core/math/softmax.h that the CPU runs too.
#include <cub/block/block_reduce.cuh>

#include <nabla/core/math/reduce.h>
#include <nabla/core/math/softmax.h>
#include <nabla/cuda/backend.h>
#include <nabla/cuda/loops.cuh>

namespace nabla::cuda_backend {
namespace {

template <typename T, int Block, typename Index>
__global__ void softmax_kernel(Index rows, math::OffsetCalculator<2, Index> row_at, const T* x,
                               T* y, int64_t length, int64_t in_step, int64_t out_step, bool log) {
  using BlockReduce = cub::BlockReduce<T, Block>;
  __shared__ typename BlockReduce::TempStorage temp;
  __shared__ T shared_shift, shared_total;
  const math::MaxReduce max_of;
  const math::SumReduce sum_of;
  for (Index r = blockIdx.x; r < rows; r += gridDim.x) {
    const math::Offsets<2, Index> at = row_at.get(r);
    const T* xr = x + at[0];
    T* yr = y + at[1];
    T peak = math::MaxReduce::identity<T>();
    for (int64_t i = threadIdx.x; i < length; i += Block) peak = max_of(peak, xr[i * in_step]);
    peak = BlockReduce(temp).Reduce(peak, max_of);
    if (threadIdx.x == 0) shared_shift = math::softmax_shift(peak);
    __syncthreads();
    const T shift = shared_shift;
    T total = 0;
    for (int64_t i = threadIdx.x; i < length; i += Block) {
      const T e = math::exp(xr[i * in_step] - shift);
      if (!log) yr[i * out_step] = e;
      total = sum_of(total, e);
    }
    total = BlockReduce(temp).Reduce(total, sum_of);
    if (threadIdx.x == 0) shared_total = total;
    __syncthreads();
    if (log) {
      const T log_total = math::log(shared_total);
      for (int64_t i = threadIdx.x; i < length; i += Block) {
        yr[i * out_step] = math::log_softmax_value(xr[i * in_step], shift, log_total);
      }
    } else {
      const T inverse = T(1) / shared_total;
      for (int64_t i = threadIdx.x; i < length; i += Block) yr[i * out_step] *= inverse;
    }
    __syncthreads();  // the shared values and temp are reused by the next row
  }
}

template <typename T, int Block>
void launch_softmax(cudaStream_t stream, const LineLayout& layout, const T* x, T* y, bool log) {
  const int64_t rows = layout.lines.numel;
  const unsigned int blocks = static_cast<unsigned int>(std::min<int64_t>(rows, 65535 * 8));
  if (layout.lines.fits_32bit()) {
    softmax_kernel<T, Block><<<blocks, Block, 0, stream>>>(
        static_cast<uint32_t>(rows), layout.lines.calculator<uint32_t>(), x, y, layout.length,
        layout.in_step, layout.out_step, log);
  } else {
    softmax_kernel<T, Block><<<blocks, Block, 0, stream>>>(rows, layout.lines.calculator<int64_t>(),
                                                           x, y, layout.length, layout.in_step,
                                                           layout.out_step, log);
  }
  NABLA_CUDA_CHECK_LAUNCH();
}

}  // namespace

void CudaBackend::softmax(const Tensor& in, int64_t dim, bool log, const Tensor& out) {
  const char* name = log ? "log_softmax" : "softmax";
  OpScope scope(index_, name);
  dispatch_floating(in.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    const LineLayout layout = make_line_layout(in.sizes(), in.strides(), out.strides(), dim);
    if (layout.lines.numel == 0) return;
    // Short rows (a classifier's logits) waste less of a 32-thread block.
    if (layout.length <= 128) {
      launch_softmax<T, 32>(stream(), layout, in.data_ptr<T>(), out.data_ptr<T>(), log);
    } else {
      launch_softmax<T, 256>(stream(), layout, in.data_ptr<T>(), out.data_ptr<T>(), log);
    }
  });
  scope.finish();
}

}  // namespace nabla::cuda_backend

// softmax, log_softmax and softmax cross entropy on the GPU: one block per row (the line along
// `dim` through one position of the other dims), with cub::BlockReduce for the row's maximum and
// its sum of exponentials, and the per-element steps of core/math/softmax.h that the CPU runs too.
#include <cub/block/block_reduce.cuh>

#include <algorithm>

#include <nabla/core/math/indexing.h>
#include <nabla/core/math/reduce.h>
#include <nabla/core/math/softmax.h>
#include <nabla/cuda/backend.h>
#include <nabla/cuda/index_error.cuh>
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

// The target of a row is the same for the whole block, so every thread takes the same branch.
// `probs` (null when not wanted) gets the row's softmax.
template <typename T, int Block>
__global__ void cross_entropy_kernel(int64_t rows, int64_t classes, const T* x,
                                     const int64_t* target, int64_t ignore_index, T smoothing,
                                     T* loss, T* weight, T* probs, IndexErrorSink sink) {
  using BlockReduce = cub::BlockReduce<T, Block>;
  __shared__ typename BlockReduce::TempStorage temp;
  __shared__ T shared_shift, shared_total;
  const math::MaxReduce max_of;
  const math::SumReduce sum_of;
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const int64_t t = target[r];
    T* pr = probs ? probs + r * classes : nullptr;
    if (t == ignore_index || !math::index_in_range(t, classes)) {
      if (threadIdx.x == 0) {
        if (t != ignore_index) report_invalid_index(sink, t);
        loss[r] = weight[r] = 0;
      }
      if (pr) {
        for (int64_t i = threadIdx.x; i < classes; i += Block) pr[i] = 0;
      }
      continue;
    }
    const T* xr = x + r * classes;
    T peak = math::MaxReduce::identity<T>();
    for (int64_t i = threadIdx.x; i < classes; i += Block) peak = max_of(peak, xr[i]);
    peak = BlockReduce(temp).Reduce(peak, max_of);
    if (threadIdx.x == 0) shared_shift = math::softmax_shift(peak);
    __syncthreads();
    const T shift = shared_shift;
    T total = 0, shifted = 0;
    for (int64_t i = threadIdx.x; i < classes; i += Block) {
      const T e = math::exp(xr[i] - shift);
      if (pr) pr[i] = e;
      total = sum_of(total, e);
      shifted = sum_of(shifted, xr[i] - shift);
    }
    total = BlockReduce(temp).Reduce(total, sum_of);
    __syncthreads();  // temp is reused
    if (smoothing > T(0)) shifted = BlockReduce(temp).Reduce(shifted, sum_of);
    if (threadIdx.x == 0) {
      shared_total = total;
      const T mean_shifted = smoothing > T(0) ? shifted / static_cast<T>(classes) : T(0);
      loss[r] = math::cross_entropy_value(xr[t] - shift, mean_shifted, math::log(total), smoothing);
      weight[r] = 1;
    }
    __syncthreads();
    if (pr) {
      const T inverse = T(1) / shared_total;
      for (int64_t i = threadIdx.x; i < classes; i += Block) pr[i] *= inverse;
    }
    __syncthreads();  // the shared values and temp are reused by the next row
  }
}

// One thread per element: factor (p - target distribution), 0 on rows whose factor is 0.
template <typename T>
__global__ void cross_entropy_backward_kernel(int64_t n, int64_t classes, const T* probs,
                                              const int64_t* target, T smoothing,
                                              T smoothing_per_class, const T* factor, T* grad) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    const int64_t r = i / classes;
    const T f = factor[r];
    grad[i] = f == T(0) ? T(0)
                        : math::cross_entropy_grad(probs[i], i - r * classes == target[r],
                                                   smoothing, smoothing_per_class, f);
  }
}

}  // namespace

void CudaBackend::cross_entropy(const Tensor& logits, const Tensor& target, int64_t ignore_index,
                                double smoothing, const Tensor& loss, const Tensor& weight,
                                const Tensor& probs, const IndexErrorMessage& message) {
  OpScope scope(index_, "cross_entropy");
  const IndexErrorSink sink = context_.error_sink(register_index_message(message));
  const int64_t rows = logits.size(0), classes = logits.size(1);
  const unsigned int blocks = static_cast<unsigned int>(std::min<int64_t>(rows, 65535 * 8));
  dispatch_floating(logits.dtype(), "cross_entropy", [&](auto tag) {
    using T = decltype(tag);
    T* p = probs.defined() ? probs.data_ptr<T>() : nullptr;
    // Short rows (a classifier's logits) waste less of a 32-thread block.
    if (classes <= 128) {
      cross_entropy_kernel<T, 32><<<blocks, 32, 0, stream()>>>(
          rows, classes, logits.data_ptr<T>(), target.data_ptr<int64_t>(), ignore_index,
          static_cast<T>(smoothing), loss.data_ptr<T>(), weight.data_ptr<T>(), p, sink);
    } else {
      cross_entropy_kernel<T, 256><<<blocks, 256, 0, stream()>>>(
          rows, classes, logits.data_ptr<T>(), target.data_ptr<int64_t>(), ignore_index,
          static_cast<T>(smoothing), loss.data_ptr<T>(), weight.data_ptr<T>(), p, sink);
    }
    NABLA_CUDA_CHECK_LAUNCH();
  });
  scope.finish();
}

void CudaBackend::cross_entropy_backward(const Tensor& probs, const Tensor& target,
                                         double smoothing, const Tensor& factor,
                                         const Tensor& grad) {
  OpScope scope(index_, "cross_entropy backward");
  const int64_t n = probs.numel(), classes = probs.size(1);
  dispatch_floating(probs.dtype(), "cross_entropy backward", [&](auto tag) {
    using T = decltype(tag);
    cross_entropy_backward_kernel<T><<<blocks_for(n), kThreads, 0, stream()>>>(
        n, classes, probs.data_ptr<T>(), target.data_ptr<int64_t>(), static_cast<T>(smoothing),
        static_cast<T>(smoothing / static_cast<double>(classes)), factor.data_ptr<T>(),
        grad.data_ptr<T>());
    NABLA_CUDA_CHECK_LAUNCH();
  });
  scope.finish();
}

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

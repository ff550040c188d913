// Index ops on the GPU: index checks, gather and index_select (one kernel: index_select is a gather
// whose index is laid along one dim), and scatter (scatter_add with atomics). Invalid indices are
// never followed: the kernel reports the first one (see IndexErrorSink) and the host throws at its
// next synchronization, so a training step never waits for the check.
#include <nabla/core/math/indexing.h>
#include <nabla/cuda/backend.h>
#include <nabla/cuda/index_error.cuh>
#include <nabla/cuda/loops.cuh>

namespace nabla::cuda_backend {
namespace {

template <typename Index>
__global__ void check_index_kernel(Index n, math::OffsetCalculator<1, Index> at,
                                   const int64_t* index, int64_t limit, IndexErrorSink sink) {
  const Index stride = static_cast<Index>(gridDim.x) * blockDim.x;
  for (Index i = static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const int64_t value = index[at.get(i)[0]];
    if (!math::index_in_range(value, limit)) report_invalid_index(sink, value);
  }
}

// Operands: out, in (with the indexed dim's stride 0), index; all over out's shape.
template <typename T, typename Index>
__global__ void gather_kernel(Index n, math::OffsetCalculator<3, Index> at, T* out, const T* in,
                              const int64_t* index, int64_t limit, int64_t dim_stride,
                              IndexErrorSink sink) {
  const Index stride = static_cast<Index>(gridDim.x) * blockDim.x;
  for (Index i = static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const math::Offsets<3, Index> o = at.get(i);
    const int64_t picked = index[o[2]];
    if (math::index_in_range(picked, limit)) {
      out[o[0]] = in[math::indexed_offset(o[1], picked, dim_stride)];
    } else {
      out[o[0]] = T(0);
      report_invalid_index(sink, picked);
    }
  }
}

// atomicAdd for every dtype scatter_add takes. int64 adds as unsigned 64-bit, which wraps as
// two's complement does; uint8 updates its byte inside an aligned 32-bit word with
// compare-and-swap.
__device__ void atomic_add(float* target, float value) {
  atomicAdd(target, value);
}
__device__ void atomic_add(double* target, double value) {
  atomicAdd(target, value);
}
__device__ void atomic_add(int64_t* target, int64_t value) {
  atomicAdd(reinterpret_cast<unsigned long long*>(target), static_cast<unsigned long long>(value));
}
__device__ void atomic_add(uint8_t* target, uint8_t value) {
  const uintptr_t address = reinterpret_cast<uintptr_t>(target);
  unsigned int* word = reinterpret_cast<unsigned int*>(address & ~uintptr_t{3});
  const unsigned int shift = static_cast<unsigned int>(address & 3) * 8;
  unsigned int old = *word, assumed;
  do {
    assumed = old;
    const unsigned int byte = ((assumed >> shift) + value) & 0xffu;
    old = atomicCAS(word, assumed, (assumed & ~(0xffu << shift)) | (byte << shift));
  } while (old != assumed);
}

// Operands: out (with the indexed dim's stride 0), src, index; all over src's shape.
template <typename T, typename Index>
__global__ void scatter_kernel(Index n, math::OffsetCalculator<3, Index> at, T* out, const T* src,
                               const int64_t* index, int64_t limit, int64_t dim_stride,
                               bool accumulate, IndexErrorSink sink) {
  const Index stride = static_cast<Index>(gridDim.x) * blockDim.x;
  for (Index i = static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const math::Offsets<3, Index> o = at.get(i);
    const int64_t picked = index[o[2]];
    if (math::index_in_range(picked, limit)) {
      T* target = out + math::indexed_offset(o[0], picked, dim_stride);
      if constexpr (std::is_same_v<T, bool>) {
        if (accumulate) {
          if (src[o[1]]) *target = true;  // OR: every writer stores the same value
        } else {
          *target = src[o[1]];
        }
      } else {
        if (accumulate) {
          atomic_add(target, src[o[1]]);
        } else {
          *target = src[o[1]];
        }
      }
    } else {
      report_invalid_index(sink, picked);
    }
  }
}

// Copies `strides` with the indexed dim's stride set to 0.
Strides without_dim(const Strides& strides, int64_t dim) {
  Strides result = strides;
  result[dim] = 0;
  return result;
}

template <typename T>
void launch_gather(cudaStream_t stream, const Tensor& in, int64_t dim, const Tensor& index,
                   const Tensor& out, IndexErrorSink sink) {
  const Strides in_strides = without_dim(in.strides(), dim);
  const LoopLayout<3> layout =
      make_loop_layout<3>(out.sizes(), {&out.strides(), &in_strides, &index.strides()});
  const int64_t n = layout.numel;
  T* out_data = static_cast<T*>(out.data_ptr());
  const T* in_data = static_cast<const T*>(in.data_ptr());
  const int64_t* index_data = index.data_ptr<int64_t>();
  if (layout.fits_32bit()) {
    gather_kernel<T, uint32_t><<<blocks_for(n), kThreads, 0, stream>>>(
        static_cast<uint32_t>(n), layout.calculator<uint32_t>(), out_data, in_data, index_data,
        in.size(dim), in.stride(dim), sink);
  } else {
    gather_kernel<T, int64_t>
        <<<blocks_for(n), kThreads, 0, stream>>>(n, layout.calculator<int64_t>(), out_data, in_data,
                                                 index_data, in.size(dim), in.stride(dim), sink);
  }
  NABLA_CUDA_CHECK_LAUNCH();
}

// Gathers any dtype by moving its bytes: bool and uint8 as uint8, float32 as float, 8-byte types
// as int64, so that one kernel per element size serves every dtype.
void gather_any(cudaStream_t stream, const Tensor& in, int64_t dim, const Tensor& index,
                const Tensor& out, IndexErrorSink sink) {
  switch (in.element_size()) {
    case 1:
      return launch_gather<uint8_t>(stream, in, dim, index, out, sink);
    case 4:
      return launch_gather<float>(stream, in, dim, index, out, sink);
    case 8:
      return launch_gather<int64_t>(stream, in, dim, index, out, sink);
    default:
      NABLA_FAIL("gather: unsupported element size ", in.element_size());
  }
}

}  // namespace

void CudaBackend::check_index_range(const Tensor& index, int64_t limit,
                                    const IndexErrorMessage& message) {
  OpScope scope(index_, "check_index_range");
  const IndexErrorSink sink = context_.error_sink(register_index_message(message));
  const LoopLayout<1> layout = make_loop_layout<1>(index.sizes(), {&index.strides()});
  const int64_t n = layout.numel;
  if (layout.fits_32bit()) {
    check_index_kernel<uint32_t><<<blocks_for(n), kThreads, 0, stream()>>>(
        static_cast<uint32_t>(n), layout.calculator<uint32_t>(), index.data_ptr<int64_t>(), limit,
        sink);
  } else {
    check_index_kernel<int64_t><<<blocks_for(n), kThreads, 0, stream()>>>(
        n, layout.calculator<int64_t>(), index.data_ptr<int64_t>(), limit, sink);
  }
  NABLA_CUDA_CHECK_LAUNCH();
  scope.finish();
}

void CudaBackend::gather(const Tensor& in, int64_t dim, const Tensor& index, const Tensor& out) {
  OpScope scope(index_, "gather");
  gather_any(stream(), in, dim, index, out,
             context_.error_sink(register_index_message("gather", dim, in.sizes())));
  scope.finish();
}

void CudaBackend::index_select(const Tensor& in, int64_t dim, const Tensor& index,
                               const Tensor& out) {
  OpScope scope(index_, "index_select");
  // The 1-D index laid along `dim` of out's shape, stride 0 elsewhere: a gather.
  Strides strides = Shape::filled(out.dim(), 0);
  strides[dim] = index.dim() ? index.stride(0) : 0;
  const Tensor laid(std::make_shared<TensorImpl>(index.impl()->storage(), kInt64, out.sizes(),
                                                 strides, index.storage_offset()));
  gather_any(stream(), in, dim, laid, out,
             context_.error_sink(register_index_message("index_select", dim, in.sizes())));
  scope.finish();
}

void CudaBackend::scatter(const Tensor& src, int64_t dim, const Tensor& index, const Tensor& out,
                          bool accumulate) {
  const char* op = accumulate ? "scatter_add" : "scatter";
  OpScope scope(index_, op);
  const IndexErrorSink sink = context_.error_sink(register_index_message(op, dim, out.sizes()));
  dispatch_dtype(out.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    {
      const Strides out_strides = without_dim(out.strides(), dim);
      const LoopLayout<3> layout =
          make_loop_layout<3>(src.sizes(), {&out_strides, &src.strides(), &index.strides()});
      const int64_t n = layout.numel;
      T* out_data = out.data_ptr<T>();
      const T* src_data = src.data_ptr<T>();
      const int64_t* index_data = index.data_ptr<int64_t>();
      if (layout.fits_32bit()) {
        scatter_kernel<T, uint32_t><<<blocks_for(n), kThreads, 0, stream()>>>(
            static_cast<uint32_t>(n), layout.calculator<uint32_t>(), out_data, src_data, index_data,
            out.size(dim), out.stride(dim), accumulate, sink);
      } else {
        scatter_kernel<T, int64_t><<<blocks_for(n), kThreads, 0, stream()>>>(
            n, layout.calculator<int64_t>(), out_data, src_data, index_data, out.size(dim),
            out.stride(dim), accumulate, sink);
      }
      NABLA_CUDA_CHECK_LAUNCH();
    }
  });
  scope.finish();
}

}  // namespace nabla::cuda_backend

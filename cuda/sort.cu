// GPU sort and scans along the rows of contiguous 2-D tensors. Sorting is CUB's segmented stable
// sort, one segment per row, of keys made canonical by math::sort_key (so that its bitwise radix
// order is the CPU's comparison order), carrying each element's column. Scans accumulate in
// math::scan_acc_t as the CPU does: CUB's block scan with one block per row, or CUB's device scan
// for a few long rows.
#include <cub/block/block_scan.cuh>
#include <cub/device/device_scan.cuh>
#include <cub/device/device_segmented_sort.cuh>

#include <nabla/core/math/sorting.h>
#include <nabla/core/native.h>
#include <nabla/cuda/backend.h>
#include <nabla/cuda/loops.cuh>

namespace nabla::cuda_backend {
namespace {

template <typename T>
__global__ void sort_keys_kernel(int64_t total, int64_t n, const T* in, T* keys, int64_t* columns) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += stride) {
    keys[i] = math::sort_key(in[i]);
    columns[i] = i % n;
  }
}

__global__ void row_offsets_kernel(int64_t rows, int64_t n, int64_t* offsets) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i <= rows;
       i += stride) {
    offsets[i] = i * n;
  }
}

// Scratch memory from nabla's caching allocator, freed in stream order.
Tensor scratch(Device device, int64_t count, ScalarType dtype) {
  return native::empty({count}, dtype, device);
}

struct ScanSum {
  template <typename A>
  __host__ __device__ A operator()(A a, A b) const {
    return a + b;
  }
};
struct ScanProd {
  template <typename A>
  __host__ __device__ A operator()(A a, A b) const {
    return a * b;
  }
};

constexpr int kScanThreads = 256;

// One block per row (grid stride over rows), tile by tile, carrying the previous tiles' total.
template <typename T, typename Op>
__global__ void row_scan_kernel(int64_t rows, int64_t n, const T* in, T* out, Op op,
                                math::scan_acc_t<T> identity) {
  using Acc = math::scan_acc_t<T>;
  using BlockScan = cub::BlockScan<Acc, kScanThreads>;
  __shared__ typename BlockScan::TempStorage temp;
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    Acc carry = identity;
    for (int64_t base = 0; base < n; base += kScanThreads) {
      const int64_t j = base + threadIdx.x;
      const Acc x = j < n ? static_cast<Acc>(in[r * n + j]) : identity;
      Acc inclusive, total;
      BlockScan(temp).InclusiveScan(x, inclusive, op, total);
      if (j < n) out[r * n + j] = static_cast<T>(op(carry, inclusive));
      carry = op(carry, total);
      __syncthreads();  // temp is reused by the next tile
    }
  }
}

template <typename From, typename To>
__global__ void convert_kernel(int64_t n, const From* in, To* out) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    out[i] = static_cast<To>(in[i]);
  }
}

}  // namespace

void CudaBackend::sort(const Tensor& in, bool descending, const Tensor& indices) {
  OpScope scope(index_, "sort");
  const int64_t rows = in.size(0), n = in.size(1), total = rows * n;
  if (total == 0) return;
  dispatch_dtype(in.dtype(), "sort", [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      NABLA_FAIL("sort: bool keys reach the backend as uint8");
    } else {
      const Tensor keys = scratch(in.device(), total, in.dtype());
      const Tensor sorted_keys = scratch(in.device(), total, in.dtype());
      const Tensor columns = scratch(in.device(), total, kInt64);
      const Tensor offsets = scratch(in.device(), rows + 1, kInt64);
      sort_keys_kernel<T><<<blocks_for(total), kThreads, 0, stream()>>>(
          total, n, in.data_ptr<T>(), keys.data_ptr<T>(), columns.data_ptr<int64_t>());
      NABLA_CUDA_CHECK_LAUNCH();
      row_offsets_kernel<<<blocks_for(rows + 1), kThreads, 0, stream()>>>(
          rows, n, offsets.data_ptr<int64_t>());
      NABLA_CUDA_CHECK_LAUNCH();
      const int64_t* begin = offsets.data_ptr<int64_t>();
      auto run = [&](void* temp, size_t& bytes) {
        if (descending) {
          return cub::DeviceSegmentedSort::StableSortPairsDescending(
              temp, bytes, keys.data_ptr<T>(), sorted_keys.data_ptr<T>(),
              columns.data_ptr<int64_t>(), indices.data_ptr<int64_t>(), total, rows, begin,
              begin + 1, stream());
        }
        return cub::DeviceSegmentedSort::StableSortPairs(
            temp, bytes, keys.data_ptr<T>(), sorted_keys.data_ptr<T>(), columns.data_ptr<int64_t>(),
            indices.data_ptr<int64_t>(), total, rows, begin, begin + 1, stream());
      };
      size_t bytes = 0;
      NABLA_CUDA_CHECK(run(nullptr, bytes));
      const Tensor temp = scratch(in.device(), static_cast<int64_t>(bytes), kUInt8);
      NABLA_CUDA_CHECK(run(temp.data_ptr(), bytes));
    }
  });
  scope.finish();
}

void CudaBackend::scan(ScanOp op, const Tensor& in, const Tensor& out) {
  const char* name = op == ScanOp::Sum ? "cumsum" : "cumprod";
  OpScope scope(index_, name);
  const int64_t rows = in.size(0), n = in.size(1);
  if (rows * n == 0) return;
  dispatch_dtype(in.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    using Acc = math::scan_acc_t<T>;
    auto launch = [&](auto scan_op, Acc identity) {
      // A few long rows would leave most of the GPU idle with a block each: CUB's device-wide
      // scan takes them one at a time, in the accumulation type.
      if (rows <= 4 && n >= (int64_t{1} << 16)) {
        const ScalarType acc_dtype = std::is_floating_point_v<T> ? kFloat64 : kInt64;
        const Tensor buffer = scratch(in.device(), n, acc_dtype);
        Acc* acc = static_cast<Acc*>(buffer.data_ptr());
        size_t bytes = 0;
        NABLA_CUDA_CHECK(
            cub::DeviceScan::InclusiveScan(nullptr, bytes, acc, acc, scan_op, n, stream()));
        const Tensor temp = scratch(in.device(), static_cast<int64_t>(bytes), kUInt8);
        for (int64_t r = 0; r < rows; ++r) {
          convert_kernel<T, Acc>
              <<<blocks_for(n), kThreads, 0, stream()>>>(n, in.data_ptr<T>() + r * n, acc);
          NABLA_CUDA_CHECK_LAUNCH();
          NABLA_CUDA_CHECK(cub::DeviceScan::InclusiveScan(temp.data_ptr(), bytes, acc, acc, scan_op,
                                                          n, stream()));
          convert_kernel<Acc, T>
              <<<blocks_for(n), kThreads, 0, stream()>>>(n, acc, out.data_ptr<T>() + r * n);
          NABLA_CUDA_CHECK_LAUNCH();
        }
        return;
      }
      const unsigned int blocks = static_cast<unsigned int>(rows < 65535 * 8 ? rows : 65535 * 8);
      row_scan_kernel<T><<<blocks, kScanThreads, 0, stream()>>>(
          rows, n, in.data_ptr<T>(), out.data_ptr<T>(), scan_op, identity);
      NABLA_CUDA_CHECK_LAUNCH();
    };
    if (op == ScanOp::Sum) {
      launch(ScanSum{}, Acc(0));
    } else {
      launch(ScanProd{}, Acc(1));
    }
  });
  scope.finish();
}

}  // namespace nabla::cuda_backend

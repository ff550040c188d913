// CPU sort and scans along the rows of contiguous 2-D tensors; the ops in core/ move the dim they
// work along to the last place first. Rows run in parallel.
#include <algorithm>
#include <numeric>
#include <vector>

#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/cpu/loops.h>
#include <nabla/core/math/sorting.h>

namespace nabla::cpu {

void CpuBackend::sort(const Tensor& in, bool descending, const Tensor& indices) {
  const int64_t rows = in.size(0), n = in.size(1);
  dispatch_dtype(in.dtype(), "sort", [&](auto tag) {
    using T = decltype(tag);
    const T* data = in.data_ptr<T>();
    int64_t* out = indices.data_ptr<int64_t>();
    parallel_for(rows, n * 16, [&](int64_t begin, int64_t end) {
      std::vector<T> keys(static_cast<size_t>(n));
      for (int64_t r = begin; r < end; ++r) {
        for (int64_t j = 0; j < n; ++j) keys[j] = math::sort_key(data[r * n + j]);
        int64_t* row = out + r * n;
        std::iota(row, row + n, int64_t{0});
        if (descending) {
          std::stable_sort(row, row + n,
                           [&](int64_t a, int64_t b) { return math::sort_less(keys[b], keys[a]); });
        } else {
          std::stable_sort(row, row + n,
                           [&](int64_t a, int64_t b) { return math::sort_less(keys[a], keys[b]); });
        }
      }
    });
  });
}

void CpuBackend::scan(ScanOp op, const Tensor& in, const Tensor& out) {
  const int64_t rows = in.size(0), n = in.size(1);
  dispatch_dtype(in.dtype(), op == ScanOp::Sum ? "cumsum" : "cumprod", [&](auto tag) {
    using T = decltype(tag);
    using Acc = math::scan_acc_t<T>;
    const T* src = in.data_ptr<T>();
    T* dst = out.data_ptr<T>();
    parallel_for(rows, n, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        Acc acc = op == ScanOp::Sum ? Acc(0) : Acc(1);
        for (int64_t j = 0; j < n; ++j) {
          const Acc x = static_cast<Acc>(src[r * n + j]);
          acc = op == ScanOp::Sum ? Acc(acc + x) : Acc(acc * x);
          dst[r * n + j] = static_cast<T>(acc);
        }
      }
    });
  });
}

}  // namespace nabla::cpu

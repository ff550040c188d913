// CPU matrix products. float32 goes to oneDNN's sgemm (except long matrix-vector products, below),
// on one thread for tiny products (waking a second thread costs more than it gains) and on all
// threads otherwise. Other dtypes, and float32 in a build without oneDNN, use a plain
// cache-friendly loop; float64 is there for gradient checks, not for speed.
#include <omp.h>

#if defined(NABLA_WITH_ONEDNN)
#include <dnnl.h>
#endif

#include <algorithm>
#include <type_traits>

#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/cpu/loops.h>
#include <nabla/core/gemm_layout.h>

namespace nabla::cpu {
namespace {

#if defined(NABLA_WITH_ONEDNN)
// Products below this many multiply-adds run on one thread. Measured with bench/bench_gemm on the
// 2-core development machine: at 64x128x10 (82K) one thread wins (3.4 us vs 4.5 us); from
// 64x784x128 (6.4M) up, two threads win (66 us vs 98 us; 128x256x256: 71 us vs 109 us).
constexpr int64_t kGemmParallelMacs = int64_t{1} << 20;

void sgemm(const Tensor& a, const Tensor& b, const Tensor& out) {
  const int64_t batch = out.size(0), m = out.size(1), n = out.size(2), k = a.size(2);
  const GemmLayout la = *gemm_layout(a), lb = *gemm_layout(b);  // ops guarantee both
  const float* pa = a.data_ptr<float>();
  const float* pb = b.data_ptr<float>();
  float* pc = out.data_ptr<float>();
  const int64_t macs = m * n * k;
  auto one = [&](int64_t i) {
    dnnl_status_t status = dnnl_sgemm(la.transposed ? 'T' : 'N', lb.transposed ? 'T' : 'N', m, n, k,
                                      1.0f, pa + i * a.stride(0), la.ld, pb + i * b.stride(0),
                                      lb.ld, 0.0f, pc + i * out.stride(0), n);
    return status;
  };
  if (batch > 1 && macs < kGemmParallelMacs) {
    // Many small products: one per thread, each single-threaded.
    bool failed = false;
    const int threads = thread_count_for(batch * macs / 64);
#pragma omp parallel for num_threads(threads) reduction(|| : failed)
    for (int64_t i = 0; i < batch; ++i) failed = failed || one(i) != dnnl_success;
    NABLA_CHECK(!failed, "matmul: oneDNN sgemm failed");
    return;
  }
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(macs < kGemmParallelMacs ? 1 : saved_threads);
  dnnl_status_t status = dnnl_success;
  for (int64_t i = 0; i < batch && status == dnnl_success; ++i) status = one(i);
  omp_set_num_threads(saved_threads);
  NABLA_CHECK(status == dnnl_success, "matmul: oneDNN sgemm failed with status ", status);
}
#endif

template <typename T>
void gemm_loop(const Tensor& a, const Tensor& b, const Tensor& out) {
  const int64_t batch = out.size(0), m = out.size(1), n = out.size(2), k = a.size(2);
  const T* pa = a.data_ptr<T>();
  const T* pb = b.data_ptr<T>();
  T* pc = out.data_ptr<T>();
  const int64_t as0 = a.stride(0), as1 = a.stride(1), as2 = a.stride(2);
  const int64_t bs0 = b.stride(0), bs1 = b.stride(1), bs2 = b.stride(2);
  parallel_for(batch * m, n * k, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t bi = row / m, i = row % m;
      T* c = pc + bi * out.stride(0) + i * n;
      std::fill(c, c + n, T(0));
      for (int64_t p = 0; p < k; ++p) {
        const T av = pa[bi * as0 + i * as1 + p * as2];
        const T* brow = pb + bi * bs0 + p * bs1;
        for (int64_t j = 0; j < n; ++j) c[j] = static_cast<T>(c[j] + av * brow[j * bs2]);
      }
    }
  });
}

// Long float32 dot products (a [1, k] @ [k, n] or [m, k] @ [k, 1] product, which oneDNN runs as a
// matrix-vector product with one running total per output) are summed here instead: leaves of
// kDotLeaf products folded with eight accumulators, the leaves combined pairwise. [1, 10^5] @
// [10^5, 1] of 0.1s gave 1000.665 through sgemm; this gives 1000.0, as PyTorch's BLAS does.
constexpr int64_t kLongDot = 2048;
constexpr int64_t kDotLeaf = 256;

template <bool Contiguous>
double dot_leaf(const float* x, int64_t sx, const float* y, int64_t sy, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) {
      acc[k] += Contiguous ? x[i + k] * y[i + k] : x[(i + k) * sx] * y[(i + k) * sy];
    }
  }
  for (; i < n; ++i) acc[0] += Contiguous ? x[i] * y[i] : x[i * sx] * y[i * sy];
  float total = 0;
  for (float v : acc) total += v;
  return total;
}

// sum x[i sx] y[i sy]: the leaves' results combined pairwise (a binary counter of partial sums).
float dot(const float* x, int64_t sx, const float* y, int64_t sy, int64_t n) {
  float partial[64];
  uint64_t full = 0;
  const bool contiguous = sx == 1 && sy == 1;
  for (int64_t start = 0; start < n; start += kDotLeaf) {
    const int64_t len = std::min(kDotLeaf, n - start);
    float carry = static_cast<float>(
        contiguous ? dot_leaf<true>(x + start, 1, y + start, 1, len)
                   : dot_leaf<false>(x + start * sx, sx, y + start * sy, sy, len));
    int level = 0;
    for (; (full >> level) & 1; ++level) {
      carry = partial[level] + carry;
      full &= ~(uint64_t{1} << level);
    }
    partial[level] = carry;
    full |= uint64_t{1} << level;
  }
  float total = 0;
  for (int level = 0; (full >> level) != 0; ++level) {
    if ((full >> level) & 1) total += partial[level];
  }
  return total;
}

// out[b, i, j] = dot(a[b, i, :], b[b, :, j]) for every output, in parallel.
void long_dots(const Tensor& a, const Tensor& b, const Tensor& out) {
  const int64_t batch = out.size(0), m = out.size(1), n = out.size(2), k = a.size(2);
  const float* pa = a.data_ptr<float>();
  const float* pb = b.data_ptr<float>();
  float* pc = out.data_ptr<float>();
  parallel_for(batch * m * n, k, [&](int64_t begin, int64_t end) {
    for (int64_t e = begin; e < end; ++e) {
      const int64_t bi = e / (m * n), i = (e / n) % m, j = e % n;
      pc[bi * out.stride(0) + i * out.stride(1) + j * out.stride(2)] =
          dot(pa + bi * a.stride(0) + i * a.stride(1), a.stride(2),
              pb + bi * b.stride(0) + j * b.stride(2), b.stride(1), k);
    }
  });
}

}  // namespace

void CpuBackend::matmul(const Tensor& a, const Tensor& b, const Tensor& out) {
  if (out.numel() == 0) return;
  if (a.size(2) == 0) {
    fill(out, 0);
    return;
  }
  switch (out.dtype()) {
    case kFloat32:
      if (a.size(2) >= kLongDot && (out.size(1) == 1 || out.size(2) == 1)) {
        return long_dots(a, b, out);
      }
#if defined(NABLA_WITH_ONEDNN)
      return sgemm(a, b, out);
#else
      return gemm_loop<float>(a, b, out);
#endif
    case kFloat64:
      return gemm_loop<double>(a, b, out);
    case kInt64:
      return gemm_loop<int64_t>(a, b, out);
    case kUInt8:
      return gemm_loop<uint8_t>(a, b, out);
    case kBool:
      break;
  }
  NABLA_FAIL("matmul: not implemented for ", out.dtype());
}

}  // namespace nabla::cpu

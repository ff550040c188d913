// CPU matrix products. float32 goes to oneDNN's sgemm (long matrix-vector products in chunks),
// on one thread for tiny products (waking a second thread costs more than it gains) and on all
// threads otherwise. Other dtypes, and float32 in a build without oneDNN, use a plain
// cache-friendly loop; float64 is there for gradient checks, not for speed.
#include <omp.h>

#if defined(NABLA_WITH_ONEDNN)
#include <dnnl.h>
#endif

#include <algorithm>
#include <type_traits>
#include <vector>

#include <nabla/core/cpu/cascade.h>
#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/cpu/loops.h>
#include <nabla/core/cpu/threads.h>
#include <nabla/core/gemm_layout.h>
#include <nabla/core/math/reduce.h>

namespace nabla::cpu {
namespace {

#if defined(NABLA_WITH_ONEDNN)
// Products below this many multiply-adds run on one thread. Measured with bench/bench_gemm on the
// 2-core development machine: at 64x128x10 (82K) one thread wins (3.4 us vs 4.5 us); from
// 64x784x128 (6.4M) up, two threads win (66 us vs 98 us; 128x256x256: 71 us vs 109 us).
constexpr int64_t kGemmParallelMacs = int64_t{1} << 20;
// Products with at least this many rows per thread are split by rows (see sgemm).
constexpr int64_t kRowsPerThread = 16;

// A matrix-vector shaped product (m or n of 1) with a long k runs in oneDNN as one running total
// per output: [1, 10^5] @ [10^5, 1] of 0.1s gave 1000.665 (PyTorch's BLAS: 1000.003). Such
// products are split along k into chunks of kDotChunk, each an sgemm of its own, and the chunks'
// results are added pairwise, so the error grows with log(k) instead of k. The outputs are
// small, so the partial results cost little; the blocked general case was accurate already.
constexpr int64_t kLongDot = 2048;
constexpr int64_t kDotChunk = 512;      // [1, k] @ [k, n]: as fast chunked as whole
constexpr int64_t kMatvecChunk = 2048;  // [m, k] @ [k, 1]: oneDNN's matvec sums more finely

dnnl_status_t chunked_sgemm(const GemmLayout& la, const float* pa, const GemmLayout& lb,
                            const float* pb, int64_t m, int64_t n, int64_t k, float* pc) {
  const int64_t chunk_length = m == 1 ? kDotChunk : kMatvecChunk;
  Cascade<float, math::SumReduce> cascade(math::SumReduce{}, m * n,
                                          (k + chunk_length - 1) / chunk_length);
  std::vector<float> chunk(static_cast<size_t>(m * n));
  for (int64_t start = 0; start < k; start += chunk_length) {
    const int64_t len = std::min(chunk_length, k - start);
    const float* a_chunk = pa + (la.transposed ? start * la.ld : start);
    const float* b_chunk = pb + (lb.transposed ? start : start * lb.ld);
    const dnnl_status_t status =
        dnnl_sgemm(la.transposed ? 'T' : 'N', lb.transposed ? 'T' : 'N', m, n, len, 1.0f, a_chunk,
                   la.ld, b_chunk, lb.ld, 0.0f, chunk.data(), n);
    if (status != dnnl_success) return status;
    cascade.add(chunk.data());
  }
  cascade.total(pc);
  return dnnl_success;
}

void sgemm(const Tensor& a, const Tensor& b, const Tensor& out) {
  const int64_t batch = out.size(0), m = out.size(1), n = out.size(2), k = a.size(2);
  const GemmLayout la = *gemm_layout(a), lb = *gemm_layout(b);  // ops guarantee both
  const float* pa = a.data_ptr<float>();
  const float* pb = b.data_ptr<float>();
  float* pc = out.data_ptr<float>();
  const int64_t macs = m * n * k;
  if (k >= kLongDot && (m == 1 || n == 1) && out.stride(1) == n && out.stride(2) == 1) {
    dnnl_status_t status = dnnl_success;
    for (int64_t i = 0; i < batch && status == dnnl_success; ++i) {
      status = chunked_sgemm(la, pa + i * a.stride(0), lb, pb + i * b.stride(0), m, n, k,
                             pc + i * out.stride(0));
    }
    NABLA_CHECK(status == dnnl_success, "matmul: oneDNN sgemm failed with status ", status);
    return;
  }
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
  const int threads = macs < kGemmParallelMacs ? 1 : usable_threads();
  dnnl_status_t status = dnnl_success;
  if (threads > 1 && m >= kRowsPerThread * threads) {
    // Rows split across threads here, each block a single-threaded sgemm of its own: faster
    // than oneDNN's own split for training's shapes (64x128x784 with B transposed: 68 us against
    // 92 us on two cores; 128x784x256 with A transposed: 229 us against 455 us), and each row
    // is computed as on one thread, so the bits do not depend on the thread count.
    const int64_t block = (m + threads - 1) / threads;
    bool failed = false;
#pragma omp parallel num_threads(threads) reduction(|| : failed)
    {
      const OmpThreadsGuard single(1);  // oneDNN asks OpenMP how many threads it may use
      const int64_t first = std::min(m, omp_get_thread_num() * block);
      const int64_t rows = std::min(m - first, block);
      for (int64_t i = 0; i < batch && !failed && rows > 0; ++i) {
        const float* a_rows = pa + i * a.stride(0) + first * (la.transposed ? 1 : la.ld);
        failed = dnnl_sgemm(la.transposed ? 'T' : 'N', lb.transposed ? 'T' : 'N', rows, n, k, 1.0f,
                            a_rows, la.ld, pb + i * b.stride(0), lb.ld, 0.0f,
                            pc + i * out.stride(0) + first * n, n) != dnnl_success;
      }
    }
    NABLA_CHECK(!failed, "matmul: oneDNN sgemm failed");
    return;
  }
  // oneDNN's sgemm runs as many threads as OpenMP's setting says.
  const OmpThreadsGuard guard(threads);
  for (int64_t i = 0; i < batch && status == dnnl_success; ++i) status = one(i);
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

}  // namespace

void CpuBackend::matmul(const Tensor& a, const Tensor& b, const Tensor& out) {
  if (out.numel() == 0) return;
  if (a.size(2) == 0) {
    fill(out, 0);
    return;
  }
  switch (out.dtype()) {
    case kFloat32:
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

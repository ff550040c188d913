// CPU random fills: element i is the Philox draw for (seed, call, i) from core/math/philox.h, the
// same function the CUDA backend evaluates, so both devices produce the same tensor for a seed.
#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/cpu/loops.h>
#include <nabla/core/math/philox.h>

namespace nabla::cpu {

namespace {

// Fills y[0, n) with the draws of a call, one Philox block per kPerBlock consecutive elements:
// each block is computed once and all its lanes are used.
template <int kPerBlock, typename T, typename Lane>
void fill_by_blocks(T* y, int64_t n, uint64_t seed, uint64_t call, Lane lane) {
  const int64_t blocks = (n + kPerBlock - 1) / kPerBlock;
  parallel_for(blocks, 16 * kPerBlock, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      const math::Philox4x32 r = math::philox_block(seed, call, static_cast<uint64_t>(b));
      const int64_t first = b * kPerBlock;
      if (first + kPerBlock <= n) {
        for (int k = 0; k < kPerBlock; ++k) y[first + k] = lane(r, k);
      } else {
        for (int k = 0; first + k < n; ++k) y[first + k] = lane(r, k);
      }
    }
  });
}

}  // namespace

void CpuBackend::random(const Tensor& out, RandomKind kind, double a, double b, uint64_t seed,
                        uint64_t call) {
  dispatch_floating(out.dtype(), kind == RandomKind::Uniform ? "rand" : "randn", [&](auto tag) {
    using T = decltype(tag);
    T* y = out.data_ptr<T>();
    const T lo = static_cast<T>(a), hi = static_cast<T>(b);
    if (kind == RandomKind::Uniform) {
      fill_by_blocks<math::kUniformsPerBlock<T>>(
          y, out.numel(), seed, call,
          [&](const math::Philox4x32& r, int k) { return math::uniform_lane(r, k, lo, hi); });
    } else {
      fill_by_blocks<math::kNormalsPerBlock<T>>(
          y, out.numel(), seed, call,
          [&](const math::Philox4x32& r, int k) { return math::normal_lane<T>(r, k, lo, hi); });
    }
  });
}

}  // namespace nabla::cpu

// CPU random fills: element i is the Philox draw for (seed, call, i) from core/math/philox.h, the
// same function the CUDA backend evaluates, so both devices produce the same tensor for a seed.
#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/cpu/loops.h>
#include <nabla/core/math/philox.h>

namespace nabla::cpu {

void CpuBackend::random(const Tensor& out, RandomKind kind, double a, double b, uint64_t seed,
                        uint64_t call) {
  dispatch_floating(out.dtype(), kind == RandomKind::Uniform ? "rand" : "randn", [&](auto tag) {
    using T = decltype(tag);
    T* y = out.data_ptr<T>();
    const T lo = static_cast<T>(a), hi = static_cast<T>(b);
    parallel_for(out.numel(), 16, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        y[i] = kind == RandomKind::Uniform ? math::random_uniform<T>(seed, call, i, lo, hi)
                                           : math::random_normal<T>(seed, call, i, lo, hi);
      }
    });
  });
}

}  // namespace nabla::cpu

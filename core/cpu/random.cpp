// CPU random fills: element i is the Philox draw for (seed, call, i) from core/math/philox.h, the
// same function the CUDA backend evaluates, so both devices produce the same tensor for a seed.
#include <algorithm>

#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/cpu/loops.h>
#include <nabla/core/math/philox.h>

namespace nabla::cpu {

namespace {

// Blocks computed side by side: the rounds run over arrays of counters, which the compiler turns
// into vector instructions (16 blocks in one AVX-512 register). The loop over the blocks is kept
// rolled: GCC vectorizes it, but not the sixteen copies it would otherwise unroll it into.
constexpr int kBlocksAtOnce = 16;

// The Philox blocks first, first + 1, ... first + count - 1 (count <= kBlocksAtOnce) of a call.
void philox_blocks(uint64_t seed, uint64_t call, uint64_t first, int count,
                   math::Philox4x32 (&out)[kBlocksAtOnce]) {
  uint32_t c0[kBlocksAtOnce], c1[kBlocksAtOnce], c2[kBlocksAtOnce], c3[kBlocksAtOnce];
  for (int l = 0; l < kBlocksAtOnce; ++l) {  // counters as philox_block lays them out
    const uint64_t block = first + static_cast<uint64_t>(l);
    c0[l] = static_cast<uint32_t>(block);
    c1[l] = static_cast<uint32_t>(block >> 32);
    c2[l] = static_cast<uint32_t>(call);
    c3[l] = static_cast<uint32_t>(call >> 32);
  }
  uint32_t key0 = static_cast<uint32_t>(seed), key1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < math::kPhiloxRounds; ++round) {
    if (round > 0) math::philox_bump_key(key0, key1);
#pragma GCC unroll 1
    for (int l = 0; l < kBlocksAtOnce; ++l) {
      math::philox_round(c0[l], c1[l], c2[l], c3[l], key0, key1);
    }
  }
  for (int l = 0; l < count; ++l) out[l] = math::Philox4x32{{c0[l], c1[l], c2[l], c3[l]}};
}

// Fills y[0, n) with the draws of a call, one Philox block per kPerBlock consecutive elements:
// each block is computed once and all its lanes are used.
template <int kPerBlock, typename T, typename Lane>
void fill_by_blocks(T* y, int64_t n, uint64_t seed, uint64_t call, Lane lane) {
  const int64_t blocks = (n + kPerBlock - 1) / kPerBlock;
  const int64_t groups = (blocks + kBlocksAtOnce - 1) / kBlocksAtOnce;
  parallel_for(groups, 16 * kPerBlock * kBlocksAtOnce, [&](int64_t begin, int64_t end) {
    math::Philox4x32 r[kBlocksAtOnce];
    for (int64_t g = begin; g < end; ++g) {
      const int64_t first_block = g * kBlocksAtOnce;
      const int count = static_cast<int>(std::min<int64_t>(kBlocksAtOnce, blocks - first_block));
      philox_blocks(seed, call, static_cast<uint64_t>(first_block), count, r);
      T* out = y + first_block * kPerBlock;
      if (count == kBlocksAtOnce && (first_block + kBlocksAtOnce) * kPerBlock <= n) {
        // A whole group: one loop over its elements, without a bounds check per block.
        for (int i = 0; i < kBlocksAtOnce * kPerBlock; ++i) {
          out[i] = lane(r[i / kPerBlock], i % kPerBlock);
        }
        continue;
      }
      for (int j = 0; j < count; ++j) {
        const int64_t first = (first_block + j) * kPerBlock;
        if (first + kPerBlock <= n) {
          for (int k = 0; k < kPerBlock; ++k) y[first + k] = lane(r[j], k);
        } else {
          for (int k = 0; first + k < n; ++k) y[first + k] = lane(r[j], k);
        }
      }
    }
  });
}

}  // namespace

void CpuBackend::random(const Tensor& out, RandomKind kind, double a, double b, uint64_t seed,
                        uint64_t call) {
  dispatch_floating(out.dtype(), random_op_name(kind), [&](auto tag) {
    using T = decltype(tag);
    T* y = out.data_ptr<T>();
    const T lo = static_cast<T>(a), hi = static_cast<T>(b);
    if (kind == RandomKind::Uniform) {
      fill_by_blocks<math::kUniformsPerBlock<T>>(
          y, out.numel(), seed, call,
          [lo, hi](const math::Philox4x32& r, int k) { return math::uniform_lane(r, k, lo, hi); });
    } else if (kind == RandomKind::DropoutMask) {
      fill_by_blocks<math::kUniformsPerBlock<T>>(
          y, out.numel(), seed, call,
          [lo, hi](const math::Philox4x32& r, int k) { return math::dropout_lane(r, k, lo, hi); });
    } else {
      fill_by_blocks<math::kNormalsPerBlock<T>>(y, out.numel(), seed, call,
                                                [lo, hi](const math::Philox4x32& r, int k) {
                                                  return math::normal_lane<T>(r, k, lo, hi);
                                                });
    }
  });
}

}  // namespace nabla::cpu

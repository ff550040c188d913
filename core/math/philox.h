// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a
// counter-based generator. Element i of a random tensor is a pure function of (seed, call counter,
// i), so the CPU and any number of GPU threads draw the same values without sharing state.
#pragma once

#include <nabla/core/math/hostdevice.h>

namespace nabla::math {

struct Philox4x32 {
  uint32_t v[4];
};

NABLA_HD inline void philox_mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
  uint64_t product = static_cast<uint64_t>(a) * b;
  hi = static_cast<uint32_t>(product >> 32);
  lo = static_cast<uint32_t>(product);
}

constexpr uint32_t kPhiloxMultiplier0 = 0xD2511F53u, kPhiloxMultiplier1 = 0xCD9E8D57u;
constexpr uint32_t kPhiloxWeyl0 = 0x9E3779B9u, kPhiloxWeyl1 = 0xBB67AE85u;
constexpr int kPhiloxRounds = 10;

// One round on the counter words c0..c3 with the round's key. Scalar words rather than a struct,
// so that the CPU can run it over arrays of counters, one vector lane per block.
NABLA_HD inline void philox_round(uint32_t& c0, uint32_t& c1, uint32_t& c2, uint32_t& c3,
                                  uint32_t key0, uint32_t key1) {
  uint32_t hi0, lo0, hi1, lo1;
  philox_mulhilo(kPhiloxMultiplier0, c0, hi0, lo0);
  philox_mulhilo(kPhiloxMultiplier1, c2, hi1, lo1);
  const uint32_t next0 = hi1 ^ c1 ^ key0, next2 = hi0 ^ c3 ^ key1;
  c0 = next0;
  c1 = lo1;
  c2 = next2;
  c3 = lo0;
}

// The key of the next round.
NABLA_HD inline void philox_bump_key(uint32_t& key0, uint32_t& key1) {
  key0 += kPhiloxWeyl0;
  key1 += kPhiloxWeyl1;
}

// Ten rounds of Philox over a 128-bit counter with a 64-bit key.
NABLA_HD inline Philox4x32 philox4x32_10(Philox4x32 counter, uint32_t key0, uint32_t key1) {
  for (int round = 0; round < kPhiloxRounds; ++round) {
    if (round > 0) philox_bump_key(key0, key1);
    philox_round(counter.v[0], counter.v[1], counter.v[2], counter.v[3], key0, key1);
  }
  return counter;
}

// The block for (seed, call counter, block index): the counter holds the block index and the call
// counter; the key is the seed.
NABLA_HD inline Philox4x32 philox_block(uint64_t seed, uint64_t call, uint64_t block) {
  Philox4x32 counter{{static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32),
                      static_cast<uint32_t>(call), static_cast<uint32_t>(call >> 32)}};
  return philox4x32_10(counter, static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
}

// Uniform in [0, 1) from 24 (float) or 53 (double) random bits.
NABLA_HD inline float uniform_float(uint32_t bits) {
  return static_cast<float>(bits >> 8) * (1.0f / 16777216.0f);
}
NABLA_HD inline double uniform_double(uint32_t hi_bits, uint32_t lo_bits) {
  uint64_t bits = (static_cast<uint64_t>(hi_bits) << 32 | lo_bits) >> 11;
  return static_cast<double>(bits) * (1.0 / 9007199254740992.0);
}

// How many values of T one Philox block gives: uniform draws take 32 bits (float) or 64 bits
// (double) each; normal draws take two uniforms each.
template <typename T>
constexpr int kUniformsPerBlock = sizeof(T) == 4 ? 4 : 2;
template <typename T>
constexpr int kNormalsPerBlock = sizeof(T) == 4 ? 2 : 1;

// Value `lane` of uniform(lo, hi) from block r. Element i of a call is lane i % kUniformsPerBlock
// of block i / kUniformsPerBlock, so a loop may compute each block once and use all its lanes.
NABLA_HD inline float uniform_lane(const Philox4x32& r, int lane, float lo, float hi) {
  return lo + (hi - lo) * uniform_float(r.v[lane]);
}
NABLA_HD inline double uniform_lane(const Philox4x32& r, int lane, double lo, double hi) {
  return lo + (hi - lo) * uniform_double(r.v[2 * lane], r.v[2 * lane + 1]);
}

// Dropout's scaled keep mask from the same draw as uniform_lane(r, lane, 0, 1): `scale` where it
// is at least p, else 0, so the mask equals (rand() >= p) * scale bit for bit.
template <typename T>
NABLA_HD T dropout_lane(const Philox4x32& r, int lane, T p, T scale) {
  return uniform_lane(r, lane, T(0), T(1)) >= p ? scale : T(0);
}

// Value `lane` of normal(mean, std) from block r, by the Box-Muller transform of two uniforms of
// its own (laid out as uniform_lane's).
template <typename T>
NABLA_HD T normal_lane(const Philox4x32& r, int lane, T mean, T std) {
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  double u1, u2;
  if constexpr (sizeof(T) == 4) {
    u1 = uniform_float(r.v[2 * lane]);
    u2 = uniform_float(r.v[2 * lane + 1]);
  } else {
    u1 = uniform_double(r.v[0], r.v[1]);
    u2 = uniform_double(r.v[2], r.v[3]);
  }
  // 1 - u1 lies in (0, 1], so the logarithm is finite.
  T radius = math::sqrt(T(-2) * math::log(static_cast<T>(1.0 - u1)));
  return mean + std * radius * math::cos(static_cast<T>(kTwoPi * u2));
}

// Element `index` of uniform(lo, hi) or normal(mean, std) for a call.
template <typename T>
NABLA_HD T random_uniform(uint64_t seed, uint64_t call, uint64_t index, T lo, T hi) {
  constexpr uint64_t per_block = kUniformsPerBlock<T>;
  return uniform_lane(philox_block(seed, call, index / per_block),
                      static_cast<int>(index % per_block), lo, hi);
}
template <typename T>
NABLA_HD T random_normal(uint64_t seed, uint64_t call, uint64_t index, T mean, T std) {
  constexpr uint64_t per_block = kNormalsPerBlock<T>;
  return normal_lane(philox_block(seed, call, index / per_block),
                     static_cast<int>(index % per_block), mean, std);
}

}  // namespace nabla::math

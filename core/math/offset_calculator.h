// Strided index arithmetic, written once for the CPU loops and the CUDA kernels: the offsets of
// element `i` (in row-major order over a shape) in each of N operands with their own strides. The
// structs are plain data, so a kernel takes them by value; the CPU tests check them against nested
// loops, which checks the GPU's indexing too.
#pragma once

#include <nabla/core/math/hostdevice.h>

namespace nabla::math {

// The most dims an offset calculator handles; equal to nabla's kMaxDims (core/shape.h checks).
constexpr int kMaxIndexDims = 8;

// The high 32 bits of a 32 x 32-bit product.
NABLA_HD inline uint32_t mulhi32(uint32_t a, uint32_t b) {
#if defined(__CUDA_ARCH__)
  return __umulhi(a, b);
#else
  return static_cast<uint32_t>((static_cast<uint64_t>(a) * b) >> 32);
#endif
}

// Quotient and remainder of one division.
template <typename Index>
struct DivMod {
  Index quotient;
  Index remainder;
};

// Division by a divisor fixed at construction. With 32-bit indices it is a multiply-high, an add
// and a shift instead of a hardware divide, which a GPU does not have (Granlund and Montgomery,
// "Division by invariant integers using multiplication", 1994): for s = ceil(log2 d) and
// m = floor(2^32 (2^s - d) / d) + 1, n / d = (mulhi(n, m) + n) >> s for every n < 2^31.
template <typename Index>
struct IntDivider {
  Index divisor = 1;
  IntDivider() = default;
  explicit IntDivider(Index d) : divisor(d) {}
  NABLA_HD Index divide(Index n) const { return n / divisor; }
  NABLA_HD DivMod<Index> divmod(Index n) const {
    const Index q = n / divisor;
    return {q, n - q * divisor};
  }
};

template <>
struct IntDivider<uint32_t> {
  uint32_t divisor = 1;
  uint32_t magic = 1;
  uint32_t shift = 0;
  IntDivider() = default;
  // d in [1, 2^31); the caller guarantees it (a 32-bit loop has fewer than 2^31 elements).
  explicit IntDivider(uint32_t d) : divisor(d) {
    while ((uint64_t{1} << shift) < d) ++shift;
    magic = static_cast<uint32_t>(((uint64_t{1} << 32) * ((uint64_t{1} << shift) - d)) / d + 1);
  }
  NABLA_HD uint32_t divide(uint32_t n) const { return (mulhi32(n, magic) + n) >> shift; }
  NABLA_HD DivMod<uint32_t> divmod(uint32_t n) const {
    const uint32_t q = divide(n);
    return {q, n - q * divisor};
  }
};

// One offset per operand, in elements of that operand.
template <int N, typename Index>
struct Offsets {
  Index value[N];
  NABLA_HD Index operator[](int k) const { return value[k]; }
};

// The offsets of linear element `i` of a shape in N operands. Dims are stored innermost first, so
// get() peels them off with one divmod each. Index is uint32_t when every element and offset fits
// in 31 bits (the fast divider) and int64_t otherwise.
template <int N, typename Index>
struct OffsetCalculator {
  int dims = 0;
  IntDivider<Index> sizes[kMaxIndexDims];
  Index strides[kMaxIndexDims][N];  // strides[d][k]: operand k's stride at innermost-first dim d

  NABLA_HD Offsets<N, Index> get(Index linear) const {
    Offsets<N, Index> result;
#if defined(__CUDA_ARCH__)
#pragma unroll
#endif
    for (int k = 0; k < N; ++k) result.value[k] = 0;
#if defined(__CUDA_ARCH__)
#pragma unroll
#endif
    for (int d = 0; d < kMaxIndexDims; ++d) {
      if (d == dims) break;
      const DivMod<Index> qr = sizes[d].divmod(linear);
      linear = qr.quotient;
#if defined(__CUDA_ARCH__)
#pragma unroll
#endif
      for (int k = 0; k < N; ++k) result.value[k] += qr.remainder * strides[d][k];
    }
    return result;
  }
};

}  // namespace nabla::math

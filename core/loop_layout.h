// The layout of a loop over N operands that share one shape, as the CPU loops and the CUDA kernels
// both walk it: size-1 dims dropped, and dims that are contiguous for every operand merged, so that
// a contiguous tensor is a single dim. Dims are innermost first. A layout becomes an
// OffsetCalculator (core/math/offset_calculator.h), the index math the kernels run.
#pragma once

#include <array>
#include <cstdint>

#include <nabla/core/math/offset_calculator.h>
#include <nabla/core/shape.h>

namespace nabla {

static_assert(kMaxDims == math::kMaxIndexDims, "offset calculators cover every dim of a tensor");

template <int N>
struct LoopLayout {
  int dims = 0;
  int64_t sizes[kMaxDims] = {};
  int64_t strides[kMaxDims][N] = {};  // in elements of each operand
  int64_t numel = 1;

  // Whether every element index and every operand offset fits in 31 bits, so kernels may use the
  // 32-bit divider.
  bool fits_32bit() const {
    constexpr int64_t kLimit = int64_t{1} << 31;
    if (numel >= kLimit) return false;
    for (int k = 0; k < N; ++k) {
      int64_t furthest = 0;
      for (int d = 0; d < dims; ++d) furthest += (sizes[d] - 1) * strides[d][k];
      if (furthest >= kLimit) return false;
    }
    return true;
  }

  // The calculator over dims [first, dims): with first = 1 it gives the start of each innermost
  // row. An empty loop (numel 0) gets a calculator of no dims: nothing may be divided by a size of
  // 0.
  template <typename Index>
  math::OffsetCalculator<N, Index> calculator(int first = 0) const {
    math::OffsetCalculator<N, Index> calc;
    if (numel == 0) return calc;
    calc.dims = dims > first ? dims - first : 0;
    for (int d = first; d < dims; ++d) {
      calc.sizes[d - first] = math::IntDivider<Index>(static_cast<Index>(sizes[d]));
      for (int k = 0; k < N; ++k) calc.strides[d - first][k] = static_cast<Index>(strides[d][k]);
    }
    return calc;
  }
};

// The layout of `sizes` with operand k's element strides `*strides[k]`. An empty shape (one
// element) or an all-size-1 shape is one dim of size 1; a shape with a 0 has numel 0.
template <int N>
LoopLayout<N> make_loop_layout(const Shape& sizes, const std::array<const Strides*, N>& strides) {
  LoopLayout<N> layout;
  for (int64_t d = sizes.size() - 1; d >= 0; --d) {
    layout.numel *= sizes[d];
    if (sizes[d] == 1) continue;
    const int i = layout.dims;
    // Dim d merges into the dim inside it (i - 1) when, for every operand, stepping d is the same
    // as stepping the inner dim across its whole size.
    bool merge = i > 0;
    for (int k = 0; k < N && merge; ++k) {
      merge = (*strides[k])[d] == layout.strides[i - 1][k] * layout.sizes[i - 1];
    }
    if (merge) {
      layout.sizes[i - 1] *= sizes[d];
    } else {
      layout.sizes[i] = sizes[d];
      for (int k = 0; k < N; ++k) layout.strides[i][k] = (*strides[k])[d];
      ++layout.dims;
    }
  }
  if (layout.dims == 0) {  // a single element
    layout.sizes[0] = 1;
    for (int k = 0; k < N; ++k) layout.strides[0][k] = 1;
    layout.dims = 1;
  }
  return layout;
}

// A reduction of `in` into `out` (in's rank, size 1 at the reduced dims): the kept dims, walked
// with (input, output) strides, one output element each; and the reduced dims, walked with input
// strides, the elements folded into each output.
struct ReduceLayout {
  LoopLayout<2> kept;
  LoopLayout<1> reduced;
};

inline ReduceLayout make_reduce_layout(const Shape& in_sizes, const Strides& in_strides,
                                       const Shape& out_sizes, const Strides& out_strides) {
  Shape kept_sizes, kept_in, kept_out, reduced_sizes, reduced_in;
  for (int64_t d = 0; d < in_sizes.size(); ++d) {
    if (out_sizes[d] == 1 && in_sizes[d] != 1) {
      reduced_sizes.push_back(in_sizes[d]);
      reduced_in.push_back(in_strides[d]);
    } else {
      kept_sizes.push_back(in_sizes[d]);
      kept_in.push_back(in_strides[d]);
      kept_out.push_back(out_strides[d]);
    }
  }
  return {make_loop_layout<2>(kept_sizes, {&kept_in, &kept_out}),
          make_loop_layout<1>(reduced_sizes, {&reduced_in})};
}

// The lines along `dim` of a tensor (for softmax and arg-reductions): the other dims, walked with
// (input, output) strides, give each line's start; the line has `length` elements `step` apart.
struct LineLayout {
  LoopLayout<2> lines;
  int64_t length;
  int64_t in_step;
  int64_t out_step;
};

inline LineLayout make_line_layout(const Shape& sizes, const Strides& in_strides,
                                   const Strides& out_strides, int64_t dim) {
  Shape line_sizes = sizes, in = in_strides, out = out_strides;
  line_sizes.erase(dim);
  in.erase(dim);
  out.erase(dim);
  return {make_loop_layout<2>(line_sizes, {&in, &out}), sizes[dim], in_strides[dim],
          out_strides[dim]};
}

}  // namespace nabla

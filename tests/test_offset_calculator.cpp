// The index math the CPU loops and the CUDA kernels share (core/math/offset_calculator.h and
// core/loop_layout.h), checked on the CPU against plain nested loops over every element.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include <nabla/core/loop_layout.h>
#include <nabla/core/math/indexing.h>
#include <nabla/nabla.h>

namespace nabla {
namespace {

// The element offset of row-major position `linear` in a tensor of `sizes` and `strides`, the slow
// way: unravel the index, then take the dot product with the strides.
int64_t nested_offset(int64_t linear, const Shape& sizes, const Strides& strides) {
  int64_t offset = 0;
  for (int64_t d = sizes.size() - 1; d >= 0; --d) {
    offset += (linear % sizes[d]) * strides[d];
    linear /= sizes[d];
  }
  return offset;
}

TEST(IntDivider, FastDivisionMatchesHardwareDivision) {
  std::vector<uint32_t> numerators = {0, 1, 2, 3, 7, 255, 256, 1000, 65535, 65536, 1u << 20};
  for (uint32_t n = 0x7fffff00u; n <= 0x7fffffffu; ++n) numerators.push_back(n);
  uint32_t state = 12345;
  for (int i = 0; i < 2000; ++i) {
    state = state * 1664525u + 1013904223u;
    numerators.push_back(state >> 1);  // below 2^31
  }
  std::vector<uint32_t> divisors;
  for (uint32_t d = 1; d <= 1100; ++d) divisors.push_back(d);
  for (uint32_t d : {4095u, 4096u, 4097u, 60000u, 65537u, 1u << 24, 0x7fffffffu}) {
    divisors.push_back(d);
  }
  for (uint32_t d : divisors) {
    const math::IntDivider<uint32_t> divider(d);
    for (uint32_t n : numerators) {
      const math::DivMod<uint32_t> qr = divider.divmod(n);
      ASSERT_EQ(qr.quotient, n / d) << n << " / " << d;
      ASSERT_EQ(qr.remainder, n % d) << n << " % " << d;
    }
  }
}

// Checks both calculators (32-bit and 64-bit) of the loop over `view`'s shape with operands `view`
// and a contiguous tensor of the same shape, element by element.
void expect_offsets_match_nested_loops(const Tensor& view) {
  SCOPED_TRACE(::testing::Message() << "shape " << view.sizes() << " strides " << view.strides());
  const Strides contiguous = contiguous_strides(view.sizes());
  const LoopLayout<2> layout = make_loop_layout<2>(view.sizes(), {&view.strides(), &contiguous});
  ASSERT_EQ(layout.numel, view.numel());
  ASSERT_TRUE(layout.fits_32bit());
  const auto calc32 = layout.calculator<uint32_t>();
  const auto calc64 = layout.calculator<int64_t>();
  for (int64_t i = 0; i < view.numel(); ++i) {
    const int64_t expected = nested_offset(i, view.sizes(), view.strides());
    ASSERT_EQ(calc64.get(i)[0], expected) << "element " << i;
    ASSERT_EQ(calc64.get(i)[1], i) << "element " << i;
    ASSERT_EQ(static_cast<int64_t>(calc32.get(static_cast<uint32_t>(i))[0]), expected)
        << "element " << i;
    ASSERT_EQ(static_cast<int64_t>(calc32.get(static_cast<uint32_t>(i))[1]), i) << "element " << i;
  }
}

TEST(OffsetCalculator, ContiguousTensorIsOneMergedDim) {
  const Tensor t = zeros({3, 4, 5});
  const Strides contiguous = contiguous_strides(t.sizes());
  const LoopLayout<2> layout = make_loop_layout<2>(t.sizes(), {&t.strides(), &contiguous});
  EXPECT_EQ(layout.dims, 1);
  EXPECT_EQ(layout.sizes[0], 60);
  expect_offsets_match_nested_loops(t);
}

TEST(OffsetCalculator, PermutedViewsMatchNestedLoops) {
  const Tensor t = zeros({2, 3, 4, 5});
  expect_offsets_match_nested_loops(t.permute({3, 1, 0, 2}));
  expect_offsets_match_nested_loops(t.permute({0, 2, 1, 3}));
  expect_offsets_match_nested_loops(t.transpose(0, 3));
}

TEST(OffsetCalculator, ExpandedViewsHaveStrideZeroDims) {
  expect_offsets_match_nested_loops(zeros({3, 1}).expand({3, 7}));
  expect_offsets_match_nested_loops(zeros({1, 4}).expand({5, 4}));
  expect_offsets_match_nested_loops(zeros({2, 1, 3}).expand({4, 2, 6, 3}));
  expect_offsets_match_nested_loops(zeros({}).expand({2, 3}));
}

TEST(OffsetCalculator, SlicedAndSteppedViewsMatchNestedLoops) {
  const Tensor t = zeros({6, 8, 5});
  expect_offsets_match_nested_loops(t.slice(0, 1, 5).slice(1, 2, 8, 3));
  expect_offsets_match_nested_loops(t.slice(2, 0, 5, 2).select(1, 3));
  expect_offsets_match_nested_loops(t.narrow(1, 1, 6).transpose(0, 2));
}

TEST(OffsetCalculator, SizeOneDimsAndScalarsAreDropped) {
  const Tensor t = zeros({1, 5, 1, 3, 1});
  expect_offsets_match_nested_loops(t);
  expect_offsets_match_nested_loops(t.permute({4, 3, 2, 1, 0}));
  expect_offsets_match_nested_loops(zeros({}));
  expect_offsets_match_nested_loops(zeros({1, 1}));
}

TEST(OffsetCalculator, EightDimsMatchNestedLoops) {
  const Tensor t = zeros({2, 1, 3, 2, 2, 1, 3, 2});
  expect_offsets_match_nested_loops(t.permute({7, 0, 5, 2, 4, 1, 6, 3}));
}

TEST(OffsetCalculator, EmptyShapeHasNoElementsAndNoDims) {
  const Tensor t = zeros({3, 0, 2});
  const Strides contiguous = contiguous_strides(t.sizes());
  const LoopLayout<2> layout = make_loop_layout<2>(t.sizes(), {&t.strides(), &contiguous});
  EXPECT_EQ(layout.numel, 0);
  EXPECT_EQ(layout.calculator<uint32_t>().dims, 0);
}

TEST(OffsetCalculator, HugeOffsetsNeedTheSixtyFourBitPath) {
  Shape sizes{2, 3};
  Strides strides{int64_t{1} << 31, 1};
  const Strides contiguous = contiguous_strides(sizes);
  const LoopLayout<2> layout = make_loop_layout<2>(sizes, {&strides, &contiguous});
  EXPECT_FALSE(layout.fits_32bit());
  const auto calc = layout.calculator<int64_t>();
  EXPECT_EQ(calc.get(4)[0], (int64_t{1} << 31) + 1);
}

// Every (output, reduced element) pair of a reduction reaches the input element a nested loop does.
void expect_reduction_offsets_match(const Tensor& in, const Shape& reduced_dims) {
  SCOPED_TRACE(::testing::Message() << "shape " << in.sizes() << " strides " << in.strides()
                                    << " reducing " << reduced_dims);
  Shape out_sizes = in.sizes();
  for (int64_t d : reduced_dims) out_sizes[d] = 1;
  const Strides out_strides = contiguous_strides(out_sizes);
  const ReduceLayout layout = make_reduce_layout(in.sizes(), in.strides(), out_sizes, out_strides);
  const auto outputs = layout.kept.calculator<uint32_t>();
  const auto reduced = layout.reduced.calculator<uint32_t>();
  ASSERT_EQ(layout.kept.numel, out_sizes.numel());
  // For each output element, the set of input offsets it folds, the slow way.
  for (int64_t m = 0; m < out_sizes.numel(); ++m) {
    std::vector<int64_t> expected, got;
    for (int64_t i = 0; i < in.numel(); ++i) {
      // Input position i belongs to output m when its kept coordinates are m's.
      int64_t rest = i, out_linear = 0, out_scale = 1;
      for (int64_t d = in.dim() - 1; d >= 0; --d) {
        const int64_t coordinate = rest % in.size(d);
        rest /= in.size(d);
        if (out_sizes[d] != 1) out_linear += coordinate * out_scale;
        out_scale *= out_sizes[d];
      }
      if (out_linear == m) expected.push_back(nested_offset(i, in.sizes(), in.strides()));
    }
    const auto at = outputs.get(static_cast<uint32_t>(m));
    ASSERT_EQ(static_cast<int64_t>(at[1]), nested_offset(m, out_sizes, out_strides));
    for (int64_t r = 0; r < layout.reduced.numel; ++r) {
      got.push_back(static_cast<int64_t>(at[0] + reduced.get(static_cast<uint32_t>(r))[0]));
    }
    ASSERT_EQ(got, expected) << "output " << m;
  }
}

TEST(ReduceLayout, ReducedAndKeptDimsReachTheRightElements) {
  const Tensor t = zeros({3, 4, 5});
  expect_reduction_offsets_match(t, {0});
  expect_reduction_offsets_match(t, {2});
  expect_reduction_offsets_match(t, {0, 2});
  expect_reduction_offsets_match(t, {0, 1, 2});
  expect_reduction_offsets_match(t.permute({2, 0, 1}), {1});
  expect_reduction_offsets_match(t.slice(1, 0, 4, 2), {1, 2});
  expect_reduction_offsets_match(zeros({4, 1}).expand({4, 3}), {1});
}

TEST(LineLayout, LinesStartWhereNestedLoopsSay) {
  const Tensor t = zeros({3, 4, 5}).permute({1, 2, 0});  // [4, 5, 3]
  const Strides out = contiguous_strides(t.sizes());
  for (int64_t dim = 0; dim < 3; ++dim) {
    const LineLayout layout = make_line_layout(t.sizes(), t.strides(), out, dim);
    EXPECT_EQ(layout.length, t.size(dim));
    EXPECT_EQ(layout.in_step, t.stride(dim));
    const auto lines = layout.lines.calculator<uint32_t>();
    Shape line_sizes = t.sizes();
    Strides line_in = t.strides(), line_out = out;
    line_sizes.erase(dim);
    line_in.erase(dim);
    line_out.erase(dim);
    for (int64_t m = 0; m < layout.lines.numel; ++m) {
      const auto at = lines.get(static_cast<uint32_t>(m));
      EXPECT_EQ(static_cast<int64_t>(at[0]), nested_offset(m, line_sizes, line_in));
      EXPECT_EQ(static_cast<int64_t>(at[1]), nested_offset(m, line_sizes, line_out));
    }
  }
}

// gather and scatter_add walk (out, in with the indexed dim's stride zeroed, index) and add
// index * that stride: for every element of small cases, the element reached is the one the
// definition names, in[r][index[r][c]] along dim 1 and in[index[r][c]][c] along dim 0.
TEST(IndexedOffsets, GatherReachesTheElementTheIndexNames) {
  const Tensor in = zeros({5, 4}).t();                          // [4, 5], transposed strides {1, 4}
  const std::vector<int64_t> index = {4, 0, 2, 2, 1, 3, 0, 4};  // a [4, 2] index along dim 1
  const Shape index_shape{4, 2};
  for (int64_t dim : {0, 1}) {
    SCOPED_TRACE(::testing::Message() << "dim " << dim);
    const Shape out_shape = index_shape;
    const Strides out_strides = contiguous_strides(out_shape);
    const Strides index_strides = contiguous_strides(index_shape);
    Strides zeroed = in.strides();
    zeroed[dim] = 0;
    const LoopLayout<3> layout =
        make_loop_layout<3>(out_shape, {&out_strides, &zeroed, &index_strides});
    const auto at = layout.calculator<uint32_t>();
    for (int64_t i = 0; i < out_shape.numel(); ++i) {
      const auto o = at.get(static_cast<uint32_t>(i));
      const int64_t r = i / 2, c = i % 2;
      const int64_t picked = index[o[2]];
      ASSERT_EQ(picked, index[r * 2 + c]);
      ASSERT_TRUE(math::index_in_range(picked, in.size(dim)) || dim == 0);
      const int64_t expected = dim == 1 ? r * in.stride(0) + picked * in.stride(1)
                                        : picked * in.stride(0) + c * in.stride(1);
      if (dim == 0 && picked >= in.size(0)) continue;  // out of range for dim 0: never followed
      EXPECT_EQ(math::indexed_offset(o[1], picked, in.stride(dim)), expected) << "element " << i;
      EXPECT_EQ(static_cast<int64_t>(o[0]), i);
    }
  }
}

TEST(IndexedOffsets, IndexInRangeIsHalfOpen) {
  EXPECT_TRUE(math::index_in_range(0, 3));
  EXPECT_TRUE(math::index_in_range(2, 3));
  EXPECT_FALSE(math::index_in_range(3, 3));
  EXPECT_FALSE(math::index_in_range(-1, 3));
  EXPECT_FALSE(math::index_in_range(INT64_MIN, 3));
  EXPECT_FALSE(math::index_in_range(0, 0));
}

}  // namespace
}  // namespace nabla

// CPU reductions (sum, max, min) and arg-reductions. The input's dims are split into kept dims (one
// output element each) and reduced dims; each group is merged where contiguous, so the common case,
// reducing the last dims of a contiguous tensor, becomes a unit-stride loop over each output.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>

#include <nabla/core/cpu/cascade.h>
#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/cpu/loops.h>
#include <nabla/core/math/reduce.h>

namespace nabla::cpu {
namespace {

// Sums are accumulated as a cascade, as NumPy's and PyTorch's are: leaves of kLeaf elements are
// folded on their own, and the leaves' results are combined pairwise. A float32 sum's rounding
// error then grows with log(n) instead of n (10^6 x 0.1 summed to 100060 with eight running
// totals; it is now 100000.0). Max and min are exact in any order; they take the same path.
constexpr int64_t kLeaf = 1024;

// Folds n contiguous values with eight interleaved accumulators, which the compiler vectorizes.
template <typename T, typename Combine>
T fold_leaf(const T* x, int64_t n, Combine combine) {
  constexpr T identity = Combine::template identity<T>();
  T acc[8] = {identity, identity, identity, identity, identity, identity, identity, identity};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) acc[k] = combine(acc[k], x[i + k]);
  }
  for (; i < n; ++i) acc[0] = combine(acc[0], x[i]);
  for (int k = 1; k < 8; ++k) acc[0] = combine(acc[0], acc[k]);
  return acc[0];
}

// Reduces n contiguous values: leaves, then their cascade.
template <typename T, typename Combine>
T reduce_contiguous(const T* x, int64_t n, Combine combine) {
  if (n <= kLeaf) return fold_leaf(x, n, combine);
  Cascade<T, Combine> cascade(combine, 1, (n + kLeaf - 1) / kLeaf);
  for (int64_t start = 0; start < n; start += kLeaf) {
    cascade.add(fold_leaf(x + start, std::min(kLeaf, n - start), combine));
  }
  return cascade.total();
}

// Elements per leaf when a reduced dim is strided (see reduce_kernel).
constexpr int64_t kStridedBlock = 256;

template <typename T, typename Combine>
void reduce_kernel(const Tensor& in, const Tensor& out, Combine combine) {
  const ReduceLayout layout =
      make_reduce_layout(in.sizes(), in.strides(), out.sizes(), out.strides());
  const LoopLayout<2>& kept = layout.kept;
  const LoopLayout<1>& reduced = layout.reduced;
  const math::OffsetCalculator<2, int64_t> outputs_at = kept.calculator<int64_t>();
  const math::OffsetCalculator<1, int64_t> reduced_at = reduced.calculator<int64_t>();
  const T* x = in.data_ptr<T>();
  T* y = out.data_ptr<T>();
  const int64_t outputs = kept.numel, per_output = reduced.numel;
  constexpr T identity = Combine::template identity<T>();
  const bool single_reduced_dim = reduced.dims == 1 && reduced.sizes[0] != 1;
  const bool unit_inner = single_reduced_dim && reduced.strides[0][0] == 1;

  // With several reduced dims of which the innermost is unit-stride (a conv bias gradient: a sum
  // over batch, height and width), each output folds contiguous runs of that dim.
  const bool unit_runs = reduced.dims > 1 && reduced.strides[0][0] == 1;
  const int64_t run_length = reduced.sizes[0];
  const math::OffsetCalculator<1, int64_t> runs_at =
      unit_runs ? reduced.calculator<int64_t>(1) : math::OffsetCalculator<1, int64_t>{};

  auto reduce_one = [&](int64_t in_offset) -> T {
    if (per_output == 1) return combine(identity, x[in_offset]);
    if (unit_inner) return reduce_contiguous(x + in_offset, per_output, combine);
    Cascade<T, Combine> cascade(combine, 1, per_output);
    if (unit_runs) {
      for (int64_t run = 0; run < per_output / run_length; ++run) {
        cascade.add(reduce_contiguous(x + in_offset + runs_at.get(run)[0], run_length, combine));
      }
      return cascade.total();
    }
    // Blocks of kStridedBlock elements, each reduced on its own and then cascaded: one running
    // float32 total over the whole strided dim stops growing at 2^24 (the sum of 20M ones came
    // out as 16777216), and its rounding error grows with the length of the dim.
    for (int64_t start = 0; start < per_output; start += kStridedBlock) {
      const int64_t stop = std::min(per_output, start + kStridedBlock);
      T block = identity;
      for (int64_t r = start; r < stop; ++r)
        block = combine(block, x[in_offset + reduced_at.get(r)[0]]);
      cascade.add(block);
    }
    return cascade.total();
  };

  if (single_reduced_dim && kept.dims == 1 && kept.strides[0][0] == 1 && kept.strides[0][1] == 1 &&
      kept.sizes[0] != 1) {
    // Reducing the leading dims of a contiguous tensor (a bias gradient: a sum over the batch).
    // Whole rows are combined into a strip of outputs, a unit-stride loop over each row, instead
    // of walking each output's strided column.
    const int64_t rows = per_output, row_stride = reduced.strides[0][0];
    constexpr int64_t kStrip = 256;
    parallel_for(outputs, std::max<int64_t>(rows, 1), [&](int64_t begin, int64_t end) {
      T block[kStrip];
      for (int64_t j0 = begin; j0 < end; j0 += kStrip) {
        const int64_t width = std::min(kStrip, end - j0);
        // Blocks of rows cascaded, as in reduce_one, to bound float32 rounding over a long dim.
        Cascade<T, Combine> cascade(combine, width, (rows + kStridedBlock - 1) / kStridedBlock);
        for (int64_t start = 0; start < rows; start += kStridedBlock) {
          std::fill(block, block + width, identity);
          const int64_t stop = std::min(rows, start + kStridedBlock);
          for (int64_t r = start; r < stop; ++r) {
            const T* row = x + r * row_stride + j0;
            for (int64_t k = 0; k < width; ++k) block[k] = combine(block[k], row[k]);
          }
          cascade.add(block);
        }
        cascade.total(y + j0);
      }
    });
    return;
  }
  if (outputs == 1 && unit_inner && thread_count_for(per_output) > 1) {
    // One output over many elements: the leaves of reduce_contiguous folded in parallel, then
    // cascaded in order on one thread, so the result has the same bits at any thread count (the
    // count follows the machine's load, core/cpu/threads.h).
    const int64_t leaves = (per_output + kLeaf - 1) / kLeaf;
    const std::unique_ptr<T[]> folded(new T[static_cast<size_t>(leaves)]);  // T may be bool
    parallel_for(leaves, kLeaf, [&](int64_t begin, int64_t end) {
      for (int64_t leaf = begin; leaf < end; ++leaf) {
        const int64_t start = leaf * kLeaf;
        folded[leaf] = fold_leaf(x + start, std::min(kLeaf, per_output - start), combine);
      }
    });
    Cascade<T, Combine> cascade(combine, 1, leaves);
    for (int64_t leaf = 0; leaf < leaves; ++leaf) cascade.add(folded[leaf]);
    *y = cascade.total();
    return;
  }
  parallel_for(outputs, std::max<int64_t>(per_output, 1), [&](int64_t begin, int64_t end) {
    for (int64_t m = begin; m < end; ++m) {
      const math::Offsets<2, int64_t> at = outputs_at.get(m);
      y[at[1]] = per_output == 0 ? identity : reduce_one(at[0]);
    }
  });
}

template <typename T, bool IsMax>
void arg_reduce_kernel(const Tensor& in, int64_t dim, const Tensor& out) {
  const LineLayout layout = make_line_layout(in.sizes(), in.strides(), out.strides(), dim);
  const math::OffsetCalculator<2, int64_t> lines = layout.lines.calculator<int64_t>();
  const T* x = in.data_ptr<T>();
  int64_t* y = out.data_ptr<int64_t>();
  const int64_t length = layout.length, stride = layout.in_step;
  parallel_for(layout.lines.numel, length, [&](int64_t begin, int64_t end) {
    for (int64_t m = begin; m < end; ++m) {
      const math::Offsets<2, int64_t> at = lines.get(m);
      y[at[1]] = math::arg_reduce_line<IsMax>(x + at[0], length, stride);
    }
  });
}

}  // namespace

void CpuBackend::reduce(ReduceOp op, const Tensor& in, const Tensor& out) {
  dispatch_dtype(in.dtype(), "reduce", [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
      case ReduceOp::Sum:
        if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> ||
                      std::is_same_v<T, int64_t>) {
          return reduce_kernel<T>(in, out, math::SumReduce{});
        }
        NABLA_FAIL("sum: not implemented for ", in.dtype(), " on the CPU");
      case ReduceOp::Prod:
        if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> ||
                      std::is_same_v<T, int64_t>) {
          return reduce_kernel<T>(in, out, math::ProdReduce{});
        }
        NABLA_FAIL("prod: not implemented for ", in.dtype(), " on the CPU");
      case ReduceOp::Max:
        return reduce_kernel<T>(in, out, math::MaxReduce{});
      case ReduceOp::Min:
        return reduce_kernel<T>(in, out, math::MinReduce{});
    }
  });
}

void CpuBackend::arg_reduce(bool is_max, const Tensor& in, int64_t dim, const Tensor& out) {
  dispatch_dtype(in.dtype(), is_max ? "argmax" : "argmin", [&](auto tag) {
    using T = decltype(tag);
    if (is_max) {
      arg_reduce_kernel<T, true>(in, dim, out);
    } else {
      arg_reduce_kernel<T, false>(in, dim, out);
    }
  });
}

}  // namespace nabla::cpu

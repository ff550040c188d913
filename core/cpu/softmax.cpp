// CPU softmax and log-softmax along one dim, numerically stable: each row is shifted by its maximum
// before exponentiation, so large logits neither overflow nor lose the small ones.
#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/cpu/loops.h>
#include <nabla/core/math/reduce.h>
#include <nabla/core/math/softmax.h>
#include <nabla/core/math/unary.h>

namespace nabla::cpu {
namespace {

template <typename T>
void softmax_kernel(const Tensor& in, int64_t dim, bool log, const Tensor& out) {
  const LineLayout layout = make_line_layout(in.sizes(), in.strides(), out.strides(), dim);
  const math::OffsetCalculator<2, int64_t> lines = layout.lines.calculator<int64_t>();
  const int64_t length = layout.length, in_step = layout.in_step, out_step = layout.out_step;
  const T* x = in.data_ptr<T>();
  T* y = out.data_ptr<T>();
  parallel_for(layout.lines.numel, length * 8, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const math::Offsets<2, int64_t> at = lines.get(r);
      const int64_t in_offset = at[0], out_offset = at[1];
      const T* xr = x + in_offset;
      T* yr = y + out_offset;
      T peak = math::MaxReduce::identity<T>();
      for (int64_t i = 0; i < length; ++i) peak = math::MaxReduce{}(peak, xr[i * in_step]);
      peak = math::softmax_shift(peak);
      T total = 0;
      for (int64_t i = 0; i < length; ++i) {
        const T e = math::exp(xr[i * in_step] - peak);
        if (!log) yr[i * out_step] = e;
        total += e;
      }
      if (log) {
        const T log_total = math::log(total);
        for (int64_t i = 0; i < length; ++i) {
          yr[i * out_step] = math::log_softmax_value(xr[i * in_step], peak, log_total);
        }
      } else {
        const T inverse = T(1) / total;
        for (int64_t i = 0; i < length; ++i) yr[i * out_step] *= inverse;
      }
    }
  });
}

}  // namespace

void CpuBackend::softmax(const Tensor& in, int64_t dim, bool log, const Tensor& out) {
  dispatch_floating(in.dtype(), log ? "log_softmax" : "softmax",
                    [&](auto tag) { softmax_kernel<decltype(tag)>(in, dim, log, out); });
}

}  // namespace nabla::cpu

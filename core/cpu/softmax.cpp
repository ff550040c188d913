// CPU softmax and log-softmax along one dim, and softmax cross entropy over rows of logits,
// numerically stable: each row is shifted by its maximum before exponentiation, so large logits
// neither overflow nor lose the small ones.
#include <algorithm>

#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/cpu/loops.h>
#include <nabla/core/math/indexing.h>
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

template <typename T>
void cross_entropy_kernel(const Tensor& logits, const Tensor& target, int64_t ignore_index,
                          double smoothing, const Tensor& loss, const Tensor& weight,
                          const Tensor& probs) {
  const int64_t rows = logits.size(0), classes = logits.size(1);
  const T* x = logits.data_ptr<T>();
  const int64_t* t = target.data_ptr<int64_t>();
  T* out = loss.data_ptr<T>();
  T* w = weight.data_ptr<T>();
  T* p = probs.defined() ? probs.data_ptr<T>() : nullptr;
  const T s = static_cast<T>(smoothing);
  parallel_for(rows, classes * 8, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      T* pr = p ? p + r * classes : nullptr;
      if (t[r] == ignore_index) {
        out[r] = w[r] = 0;
        if (pr) std::fill(pr, pr + classes, T(0));
        continue;
      }
      const T* xr = x + r * classes;
      T peak = math::MaxReduce::identity<T>();
      for (int64_t c = 0; c < classes; ++c) peak = math::MaxReduce{}(peak, xr[c]);
      const T shift = math::softmax_shift(peak);
      T total = 0, shifted_sum = 0;
      for (int64_t c = 0; c < classes; ++c) {
        const T e = math::exp(xr[c] - shift);
        if (pr) pr[c] = e;
        total += e;
        shifted_sum += xr[c] - shift;
      }
      if (pr) {
        const T inverse = T(1) / total;
        for (int64_t c = 0; c < classes; ++c) pr[c] *= inverse;
      }
      out[r] = math::cross_entropy_value(xr[t[r]] - shift, shifted_sum / static_cast<T>(classes),
                                         math::log(total), s);
      w[r] = 1;
    }
  });
}

template <typename T>
void cross_entropy_backward_kernel(const Tensor& probs, const Tensor& target, double smoothing,
                                   const Tensor& factor, const Tensor& grad) {
  const int64_t rows = probs.size(0), classes = probs.size(1);
  const T* p = probs.data_ptr<T>();
  const int64_t* t = target.data_ptr<int64_t>();
  const T* f = factor.data_ptr<T>();
  T* g = grad.data_ptr<T>();
  const T s = static_cast<T>(smoothing), per_class = static_cast<T>(smoothing / classes);
  parallel_for(rows, classes, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const T* pr = p + r * classes;
      T* gr = g + r * classes;
      const T fr = f[r];
      const int64_t tr = t[r];
      if (fr == 0) {  // an ignored row, or no gradient
        std::fill(gr, gr + classes, T(0));
        continue;
      }
      for (int64_t c = 0; c < classes; ++c) {
        gr[c] = math::cross_entropy_grad(pr[c], c == tr, s, per_class, fr);
      }
    }
  });
}

}  // namespace

void CpuBackend::cross_entropy(const Tensor& logits, const Tensor& target, int64_t ignore_index,
                               double smoothing, const Tensor& loss, const Tensor& weight,
                               const Tensor& probs, const IndexErrorMessage& message) {
  // Checked before the parallel loop, which must not throw.
  const int64_t* t = target.data_ptr<int64_t>();
  const int64_t rows = target.numel(), classes = logits.size(1);
  for (int64_t r = 0; r < rows; ++r) {
    NABLA_CHECK(t[r] == ignore_index || math::index_in_range(t[r], classes), message.before, t[r],
                message.after);
  }
  dispatch_floating(logits.dtype(), "cross_entropy", [&](auto tag) {
    cross_entropy_kernel<decltype(tag)>(logits, target, ignore_index, smoothing, loss, weight,
                                        probs);
  });
}

void CpuBackend::cross_entropy_backward(const Tensor& probs, const Tensor& target, double smoothing,
                                        const Tensor& factor, const Tensor& grad) {
  dispatch_floating(probs.dtype(), "cross_entropy backward", [&](auto tag) {
    cross_entropy_backward_kernel<decltype(tag)>(probs, target, smoothing, factor, grad);
  });
}

void CpuBackend::softmax(const Tensor& in, int64_t dim, bool log, const Tensor& out) {
  dispatch_floating(in.dtype(), log ? "log_softmax" : "softmax",
                    [&](auto tag) { softmax_kernel<decltype(tag)>(in, dim, log, out); });
}

}  // namespace nabla::cpu

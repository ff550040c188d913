// CPU pooling: each output element from core/math/pooling.h (the functions the CUDA kernels run),
// planes split across threads. Average pooling's backward adds each output's gradient over its
// window; windows overlap within a plane, so a plane is one thread's.
#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/cpu/loops.h>
#include <nabla/core/math/pooling.h>

namespace nabla::cpu {

namespace {

// The common max pooling (no padding, no dilation), the same result as math::max_pool_element
// computed tap by tap across a whole output row, so that the compiler vectorizes the comparisons
// and selects: which tap wins is unpredictable on real data, and a branch per tap was most of
// the time this took. Without `where` (inference) the positions are not kept.
template <typename T, bool kKeepPositions>
void max_pool_plane_unpadded(const T* plane, const math::Pool2dShape& shape, T* out,
                             int64_t* where) {
  const math::Pool2dShape s = shape;  // a copy: the int64 index stores cannot alias it
  for (int64_t oh = 0; oh < s.out_h; ++oh) {
    T* best = out + oh * s.out_w;
    int64_t* best_at = kKeepPositions ? where + oh * s.out_w : nullptr;
    const int64_t first = oh * s.stride_h * s.in_w;
    for (int64_t ow = 0; ow < s.out_w; ++ow) {
      best[ow] = plane[first + ow * s.stride_w];
      if constexpr (kKeepPositions) best_at[ow] = first + ow * s.stride_w;
    }
    for (int64_t kh = 0; kh < s.kernel_h; ++kh) {
      for (int64_t kw = kh == 0 ? 1 : 0; kw < s.kernel_w; ++kw) {
        const int64_t tap = (oh * s.stride_h + kh) * s.in_w + kw;
        for (int64_t ow = 0; ow < s.out_w; ++ow) {
          const T value = plane[tap + ow * s.stride_w];
          const T current = best[ow];
          const bool take = value > current || math::is_nan(value);
          best[ow] = take ? value : current;
          if constexpr (kKeepPositions) best_at[ow] = take ? tap + ow * s.stride_w : best_at[ow];
        }
      }
    }
  }
}

}  // namespace

void CpuBackend::pool2d(const Tensor& input, const math::Pool2dShape& s, const Tensor& out,
                        const Tensor& indices) {
  dispatch_floating(
      input.dtype(), s.kind == math::PoolKind::Max ? "max_pool2d" : "avg_pool2d", [&](auto tag) {
        using T = decltype(tag);
        const T* x = input.data_ptr<T>();
        T* y = out.data_ptr<T>();
        int64_t* where = indices.defined() ? indices.data_ptr<int64_t>() : nullptr;
        const int64_t in_plane = s.in_h * s.in_w, out_plane = s.out_h * s.out_w;
        const int64_t cost = out_plane * s.kernel_h * s.kernel_w;
        parallel_for(s.planes, cost, [&](int64_t begin, int64_t end) {
          // Windows inside the input (no padding, no dilation, no overhang from ceil_mode) take
          // the vectorized path.
          const bool inside = s.kind == math::PoolKind::Max && s.pad_h == 0 && s.pad_w == 0 &&
                              s.dilation_h == 1 && s.dilation_w == 1 &&
                              (s.out_h - 1) * s.stride_h + s.kernel_h <= s.in_h &&
                              (s.out_w - 1) * s.stride_w + s.kernel_w <= s.in_w;
          for (int64_t p = begin; p < end; ++p) {
            const T* plane = x + p * in_plane;
            if (inside && where != nullptr) {
              max_pool_plane_unpadded<T, true>(plane, s, y + p * out_plane, where + p * out_plane);
              continue;
            }
            if (inside) {
              max_pool_plane_unpadded<T, false>(plane, s, y + p * out_plane, nullptr);
              continue;
            }
            for (int64_t oh = 0; oh < s.out_h; ++oh) {
              for (int64_t ow = 0; ow < s.out_w; ++ow) {
                const int64_t o = p * out_plane + oh * s.out_w + ow;
                if (s.kind == math::PoolKind::Max) {
                  int64_t at = 0;
                  y[o] = math::max_pool_element(plane, s, oh, ow, at);
                  if (where) where[o] = at;
                } else {
                  y[o] = math::average_pool_element(plane, s, oh, ow);
                }
              }
            }
          }
        });
      });
}

void CpuBackend::avg_pool2d_backward(const Tensor& grad_out, const math::Pool2dShape& s,
                                     const Tensor& grad_input) {
  dispatch_floating(grad_out.dtype(), "avg_pool2d backward", [&](auto tag) {
    using T = decltype(tag);
    const T* g = grad_out.data_ptr<T>();
    T* dx = grad_input.data_ptr<T>();
    const int64_t in_plane = s.in_h * s.in_w, out_plane = s.out_h * s.out_w;
    parallel_for(s.planes, in_plane + out_plane * 4, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        T* plane = dx + p * in_plane;
        for (int64_t i = 0; i < in_plane; ++i) plane[i] = 0;
        for (int64_t oh = 0; oh < s.out_h; ++oh) {
          for (int64_t ow = 0; ow < s.out_w; ++ow) {
            const math::PoolWindow window = math::average_window(s, oh, ow);
            const T share = g[p * out_plane + oh * s.out_w + ow] / static_cast<T>(window.divisor);
            for (int64_t h = window.h0; h < window.h1; ++h) {
              for (int64_t w = window.w0; w < window.w1; ++w) plane[h * s.in_w + w] += share;
            }
          }
        }
      }
    });
  });
}

}  // namespace nabla::cpu

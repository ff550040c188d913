// 2-D pooling (NCHW) one output element at a time, for the CPU loops and the CUDA kernels alike:
// the window of an output element, its maximum and where it lies, and its average. Tensors are
// contiguous and seen as planes: plane p = n * channels + c, of in_h x in_w and out_h x out_w.
#pragma once

#include <nabla/core/math/hostdevice.h>

namespace nabla::math {

enum class PoolKind : uint8_t { Max, Avg, AdaptiveAvg };

struct Pool2dShape {
  PoolKind kind;
  int64_t planes, in_h, in_w, out_h, out_w;
  int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
  int64_t dilation_h, dilation_w;  // max pooling only
  bool count_include_pad;          // average pooling: padding counts in the divisor
  int64_t divisor_override;        // average pooling: divide by this when positive
};

// The output size along one dim, as PyTorch's pooling_output_shape: with ceil_mode the last window
// may overhang the input, but must start inside it (or inside the left padding's reach).
NABLA_HD inline int64_t pool_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad,
                                         int64_t dilation, bool ceil_mode) {
  const int64_t span = in + 2 * pad - dilation * (kernel - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  int64_t out = (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// The input window [h0, h1) x [w0, w1) an average-pooling output element reads, clipped to the
// input, and the number it is divided by.
struct PoolWindow {
  int64_t h0, h1, w0, w1;
  int64_t divisor;
};

NABLA_HD inline PoolWindow average_window(const Pool2dShape& s, int64_t oh, int64_t ow) {
  PoolWindow window;
  if (s.kind == PoolKind::AdaptiveAvg) {
    // Windows floor(i * in / out) to ceil((i + 1) * in / out): they cover the input and overlap
    // when out does not divide in.
    window.h0 = (oh * s.in_h) / s.out_h;
    window.h1 = ((oh + 1) * s.in_h + s.out_h - 1) / s.out_h;
    window.w0 = (ow * s.in_w) / s.out_w;
    window.w1 = ((ow + 1) * s.in_w + s.out_w - 1) / s.out_w;
    window.divisor = (window.h1 - window.h0) * (window.w1 - window.w0);
    return window;
  }
  int64_t h0 = oh * s.stride_h - s.pad_h, w0 = ow * s.stride_w - s.pad_w;
  int64_t h1 = h0 + s.kernel_h, w1 = w0 + s.kernel_w;
  // The padded window, which stops at the far padding's edge, for count_include_pad.
  const int64_t padded = ((h1 < s.in_h + s.pad_h ? h1 : s.in_h + s.pad_h) - h0) *
                         ((w1 < s.in_w + s.pad_w ? w1 : s.in_w + s.pad_w) - w0);
  h0 = h0 < 0 ? 0 : h0;
  w0 = w0 < 0 ? 0 : w0;
  h1 = h1 < s.in_h ? h1 : s.in_h;
  w1 = w1 < s.in_w ? w1 : s.in_w;
  window = {h0, h1, w0, w1, 0};
  if (s.divisor_override > 0) {
    window.divisor = s.divisor_override;
  } else {
    window.divisor = s.count_include_pad ? padded : (h1 - h0) * (w1 - w0);
  }
  return window;
}

// The average of plane `x` over an output element's window.
template <typename T>
NABLA_HD T average_pool_element(const T* x, const Pool2dShape& s, int64_t oh, int64_t ow) {
  const PoolWindow window = average_window(s, oh, ow);
  T sum = 0;
  for (int64_t h = window.h0; h < window.h1; ++h) {
    for (int64_t w = window.w0; w < window.w1; ++w) sum += x[h * s.in_w + w];
  }
  return sum / static_cast<T>(window.divisor);
}

// The maximum of plane `x` over an output element's (dilated) window, and its index h * in_w + w
// in the plane: the first of equal values, and a NaN over everything (the last NaN, as PyTorch's
// `value > best || isnan(value)`).
template <typename T>
NABLA_HD T max_pool_element(const T* x, const Pool2dShape& s, int64_t oh, int64_t ow,
                            int64_t& index) {
  T best = lowest<T>();
  index = -1;
  for (int64_t kh = 0; kh < s.kernel_h; ++kh) {
    const int64_t h = oh * s.stride_h - s.pad_h + kh * s.dilation_h;
    if (h < 0 || h >= s.in_h) continue;
    for (int64_t kw = 0; kw < s.kernel_w; ++kw) {
      const int64_t w = ow * s.stride_w - s.pad_w + kw * s.dilation_w;
      if (w < 0 || w >= s.in_w) continue;
      const T value = x[h * s.in_w + w];
      const bool take = index < 0 || value > best || is_nan(value);
      best = take ? value : best;
      index = take ? h * s.in_w + w : index;
    }
  }
  return best;
}

}  // namespace nabla::math

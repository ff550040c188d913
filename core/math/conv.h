// 2-D convolution (NCHW, cross-correlation, as PyTorch's conv2d) one element at a time: an output
// element, an input gradient element, a weight gradient element. The CPU runs these for float64
// (gradient checks) and wherever oneDNN is missing; they are the reference the fast paths (oneDNN,
// cuDNN) are tested against. Tensors are contiguous; the weight is [O, C / groups, KH, KW].
#pragma once

#include <nabla/core/math/hostdevice.h>

namespace nabla::math {

struct Conv2dShape {
  int64_t batch, in_channels, in_h, in_w;
  int64_t out_channels, kernel_h, kernel_w;
  int64_t out_h, out_w;
  int64_t stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w, groups;

  NABLA_HD int64_t in_per_group() const { return in_channels / groups; }
  NABLA_HD int64_t out_per_group() const { return out_channels / groups; }
};

// The output size along one dim: floor((in + 2 pad - dilation (kernel - 1) - 1) / stride) + 1.
NABLA_HD inline int64_t conv_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad,
                                         int64_t dilation) {
  return (in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
}

// out[n, o, oh, ow] without bias: the sum over the group's input channels and the kernel of
// x[n, c, oh * stride - pad + k * dilation, ...] * w[o, c, kh, kw], padding reading as 0.
template <typename T>
NABLA_HD T conv2d_output_element(const T* x, const T* w, const Conv2dShape& s, int64_t n, int64_t o,
                                 int64_t oh, int64_t ow) {
  const int64_t per_group = s.in_per_group();
  const int64_t first_channel = (o / s.out_per_group()) * per_group;
  T acc = 0;
  for (int64_t c = 0; c < per_group; ++c) {
    const T* plane = x + ((n * s.in_channels + first_channel + c) * s.in_h) * s.in_w;
    const T* kernel = w + ((o * per_group + c) * s.kernel_h) * s.kernel_w;
    for (int64_t kh = 0; kh < s.kernel_h; ++kh) {
      const int64_t ih = oh * s.stride_h - s.pad_h + kh * s.dilation_h;
      if (ih < 0 || ih >= s.in_h) continue;
      for (int64_t kw = 0; kw < s.kernel_w; ++kw) {
        const int64_t iw = ow * s.stride_w - s.pad_w + kw * s.dilation_w;
        if (iw < 0 || iw >= s.in_w) continue;
        acc += plane[ih * s.in_w + iw] * kernel[kh * s.kernel_w + kw];
      }
    }
  }
  return acc;
}

// d input[n, c, ih, iw]: the sum over the outputs that read it, of grad_out times the weight that
// multiplied it there.
template <typename T>
NABLA_HD T conv2d_input_grad_element(const T* grad_out, const T* w, const Conv2dShape& s, int64_t n,
                                     int64_t c, int64_t ih, int64_t iw) {
  const int64_t per_group = s.in_per_group(), outs = s.out_per_group();
  const int64_t group = c / per_group, channel = c % per_group;
  T acc = 0;
  for (int64_t o = group * outs; o < (group + 1) * outs; ++o) {
    const T* grad_plane = grad_out + ((n * s.out_channels + o) * s.out_h) * s.out_w;
    const T* kernel = w + ((o * per_group + channel) * s.kernel_h) * s.kernel_w;
    for (int64_t kh = 0; kh < s.kernel_h; ++kh) {
      const int64_t th = ih + s.pad_h - kh * s.dilation_h;  // = oh * stride_h
      if (th < 0 || th % s.stride_h != 0 || th / s.stride_h >= s.out_h) continue;
      const int64_t oh = th / s.stride_h;
      for (int64_t kw = 0; kw < s.kernel_w; ++kw) {
        const int64_t tw = iw + s.pad_w - kw * s.dilation_w;
        if (tw < 0 || tw % s.stride_w != 0 || tw / s.stride_w >= s.out_w) continue;
        acc += grad_plane[oh * s.out_w + tw / s.stride_w] * kernel[kh * s.kernel_w + kw];
      }
    }
  }
  return acc;
}

// d weight[o, c, kh, kw]: the sum over the batch and the output positions of grad_out times the
// input element that weight multiplied.
template <typename T>
NABLA_HD T conv2d_weight_grad_element(const T* grad_out, const T* x, const Conv2dShape& s,
                                      int64_t o, int64_t c, int64_t kh, int64_t kw) {
  const int64_t input_channel = (o / s.out_per_group()) * s.in_per_group() + c;
  T acc = 0;
  for (int64_t n = 0; n < s.batch; ++n) {
    const T* grad_plane = grad_out + ((n * s.out_channels + o) * s.out_h) * s.out_w;
    const T* plane = x + ((n * s.in_channels + input_channel) * s.in_h) * s.in_w;
    for (int64_t oh = 0; oh < s.out_h; ++oh) {
      const int64_t ih = oh * s.stride_h - s.pad_h + kh * s.dilation_h;
      if (ih < 0 || ih >= s.in_h) continue;
      for (int64_t ow = 0; ow < s.out_w; ++ow) {
        const int64_t iw = ow * s.stride_w - s.pad_w + kw * s.dilation_w;
        if (iw < 0 || iw >= s.in_w) continue;
        acc += grad_plane[oh * s.out_w + ow] * plane[ih * s.in_w + iw];
      }
    }
  }
  return acc;
}

}  // namespace nabla::math

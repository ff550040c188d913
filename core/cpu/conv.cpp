// CPU convolution. float32 goes through oneDNN's convolution primitives (forward, backward data,
// backward weights), created once per shape and kept in a bounded cache; the tensors stay in
// nabla's plain NCHW / OIHW layouts, which oneDNN reads directly, so there is no reorder of the
// weights (or anything else) per step. float64, and float32 in a build without oneDNN, run the
// per-element reference of core/math/conv.h.
#include <cstring>
#include <map>
#include <mutex>
#include <tuple>
#include <unordered_map>

#if defined(NABLA_WITH_ONEDNN)
#include <oneapi/dnnl/dnnl.hpp>
#endif

#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/cpu/loops.h>
#include <nabla/core/math/conv.h>

namespace nabla::cpu {
namespace {

// --- the reference: one element at a time
// ---------------------------------------------------------

template <typename T>
void reference_forward(const Tensor& input, const Tensor& weight, const Tensor& bias,
                       const math::Conv2dShape& s, const Tensor& out) {
  const T* x = input.data_ptr<T>();
  const T* w = weight.data_ptr<T>();
  const T* b = bias.defined() ? bias.data_ptr<T>() : nullptr;
  T* y = out.data_ptr<T>();
  const int64_t planes = s.batch * s.out_channels, plane = s.out_h * s.out_w;
  const int64_t cost = plane * s.in_per_group() * s.kernel_h * s.kernel_w;
  parallel_for(planes, cost, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const int64_t n = p / s.out_channels, o = p % s.out_channels;
      for (int64_t oh = 0; oh < s.out_h; ++oh) {
        for (int64_t ow = 0; ow < s.out_w; ++ow) {
          const T value = math::conv2d_output_element(x, w, s, n, o, oh, ow);
          y[p * plane + oh * s.out_w + ow] = b ? static_cast<T>(value + b[o]) : value;
        }
      }
    }
  });
}

template <typename T>
void reference_backward_input(const Tensor& grad_out, const Tensor& weight,
                              const math::Conv2dShape& s, const Tensor& grad_input) {
  const T* g = grad_out.data_ptr<T>();
  const T* w = weight.data_ptr<T>();
  T* dx = grad_input.data_ptr<T>();
  const int64_t planes = s.batch * s.in_channels, plane = s.in_h * s.in_w;
  const int64_t cost = plane * s.out_per_group() * s.kernel_h * s.kernel_w;
  parallel_for(planes, cost, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const int64_t n = p / s.in_channels, c = p % s.in_channels;
      for (int64_t ih = 0; ih < s.in_h; ++ih) {
        for (int64_t iw = 0; iw < s.in_w; ++iw) {
          dx[p * plane + ih * s.in_w + iw] = math::conv2d_input_grad_element(g, w, s, n, c, ih, iw);
        }
      }
    }
  });
}

template <typename T>
void reference_backward_weight(const Tensor& grad_out, const Tensor& input,
                               const math::Conv2dShape& s, const Tensor& grad_weight) {
  const T* g = grad_out.data_ptr<T>();
  const T* x = input.data_ptr<T>();
  T* dw = grad_weight.data_ptr<T>();
  const int64_t per_group = s.in_per_group(), taps = s.kernel_h * s.kernel_w;
  const int64_t cost = s.batch * s.out_h * s.out_w * per_group * taps;
  parallel_for(s.out_channels, cost, [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      for (int64_t c = 0; c < per_group; ++c) {
        for (int64_t kh = 0; kh < s.kernel_h; ++kh) {
          for (int64_t kw = 0; kw < s.kernel_w; ++kw) {
            dw[((o * per_group + c) * s.kernel_h + kh) * s.kernel_w + kw] =
                math::conv2d_weight_grad_element(g, x, s, o, c, kh, kw);
          }
        }
      }
    }
  });
}

#if defined(NABLA_WITH_ONEDNN)
// --- oneDNN -------------------------------------------------------------------------------------

using dnnl::memory;

dnnl::engine& engine() {
  static dnnl::engine cpu(dnnl::engine::kind::cpu, 0);
  return cpu;
}

// The primitives of one convolution geometry, created as they are first needed.
struct ConvPrimitives {
  dnnl::convolution_forward::primitive_desc forward_desc;
  dnnl::convolution_forward forward, forward_with_bias;
  dnnl::convolution_backward_data backward_data;
  dnnl::convolution_backward_weights backward_weights;
  bool has_forward = false, has_forward_with_bias = false, has_backward_data = false,
       has_backward_weights = false;
};

struct ConvDescs {
  memory::desc src, weights, bias, dst;
  memory::dims strides, dilates, padding_l, padding_r;
};

ConvDescs descs_of(const math::Conv2dShape& s) {
  const auto f32 = memory::data_type::f32;
  ConvDescs d;
  d.src = memory::desc({s.batch, s.in_channels, s.in_h, s.in_w}, f32, memory::format_tag::nchw);
  d.dst = memory::desc({s.batch, s.out_channels, s.out_h, s.out_w}, f32, memory::format_tag::nchw);
  d.bias = memory::desc({s.out_channels}, f32, memory::format_tag::x);
  if (s.groups == 1) {
    d.weights = memory::desc({s.out_channels, s.in_channels, s.kernel_h, s.kernel_w}, f32,
                             memory::format_tag::oihw);
  } else {
    d.weights =
        memory::desc({s.groups, s.out_per_group(), s.in_per_group(), s.kernel_h, s.kernel_w}, f32,
                     memory::format_tag::goihw);
  }
  d.strides = {s.stride_h, s.stride_w};
  d.dilates = {s.dilation_h - 1, s.dilation_w - 1};  // oneDNN counts the gaps
  d.padding_l = {s.pad_h, s.pad_w};
  // The right padding that makes the output size come out as computed (it may be less than the
  // left padding when the stride drops the last positions).
  d.padding_r = {
      (s.out_h - 1) * s.stride_h + (s.kernel_h - 1) * s.dilation_h + 1 - s.in_h - s.pad_h,
      (s.out_w - 1) * s.stride_w + (s.kernel_w - 1) * s.dilation_w + 1 - s.in_w - s.pad_w};
  return d;
}

using ConvKey = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                           int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t>;

ConvKey key_of(const math::Conv2dShape& s) {
  return {s.batch,    s.in_channels, s.in_h,       s.in_w,     s.out_channels, s.kernel_h,
          s.kernel_w, s.out_h,       s.out_w,      s.stride_h, s.stride_w,     s.pad_h,
          s.pad_w,    s.dilation_h,  s.dilation_w, s.groups};
}

// A bounded cache: a training loop sees a handful of shapes (one per layer, and the last, smaller
// batch); a program that sees ever new shapes starts over rather than growing without end.
constexpr size_t kMaxCachedShapes = 64;

class PrimitiveCache {
 public:
  // Runs fn(primitives, descs) under the cache's lock, the primitives created for `s` if needed.
  template <typename Fn>
  void with(const math::Conv2dShape& s, Fn&& fn) {
    std::lock_guard<std::mutex> lock(mutex_);
    const ConvKey key = key_of(s);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      if (entries_.size() >= kMaxCachedShapes) entries_.clear();
      it = entries_.emplace(key, ConvPrimitives{}).first;
    }
    const ConvDescs d = descs_of(s);
    ConvPrimitives& p = it->second;
    if (!p.has_forward) {
      p.forward_desc = dnnl::convolution_forward::primitive_desc(
          {dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, d.src, d.weights,
           d.dst, d.strides, d.dilates, d.padding_l, d.padding_r},
          engine());
      p.forward = dnnl::convolution_forward(p.forward_desc);
      p.has_forward = true;
    }
    fn(p, d);
  }

 private:
  std::mutex mutex_;
  std::map<ConvKey, ConvPrimitives> entries_;
};

PrimitiveCache& cache() {
  static PrimitiveCache* instance = new PrimitiveCache();
  return *instance;
}

memory wrap(const memory::desc& desc, const Tensor& t) {
  return memory(desc, engine(), t.data_ptr());
}

void run(dnnl::primitive& primitive, const std::unordered_map<int, memory>& arguments) {
  dnnl::stream stream(engine());
  primitive.execute(stream, arguments);
  stream.wait();
}

// oneDNN reports failures as dnnl::error; nabla's callers expect nabla::Error naming the op.
template <typename Fn>
void guarded(const char* op, const math::Conv2dShape& s, Fn&& fn) {
  try {
    fn();
  } catch (const dnnl::error& e) {
    NABLA_FAIL(op, ": oneDNN failed (", e.what(), ") for input [", s.batch, ", ", s.in_channels,
               ", ", s.in_h, ", ", s.in_w, "] and weight [", s.out_channels, ", ", s.in_per_group(),
               ", ", s.kernel_h, ", ", s.kernel_w, "]");
  }
}

void onednn_forward(const Tensor& input, const Tensor& weight, const Tensor& bias,
                    const math::Conv2dShape& s, const Tensor& out) {
  guarded("conv2d", s, [&] {
    cache().with(s, [&](ConvPrimitives& p, const ConvDescs& d) {
      std::unordered_map<int, memory> arguments = {{DNNL_ARG_SRC, wrap(d.src, input)},
                                                   {DNNL_ARG_WEIGHTS, wrap(d.weights, weight)},
                                                   {DNNL_ARG_DST, wrap(d.dst, out)}};
      if (!bias.defined()) {
        run(p.forward, arguments);
        return;
      }
      if (!p.has_forward_with_bias) {
        p.forward_with_bias = dnnl::convolution_forward(dnnl::convolution_forward::primitive_desc(
            {dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, d.src,
             d.weights, d.bias, d.dst, d.strides, d.dilates, d.padding_l, d.padding_r},
            engine()));
        p.has_forward_with_bias = true;
      }
      arguments.emplace(DNNL_ARG_BIAS, wrap(d.bias, bias));
      run(p.forward_with_bias, arguments);
    });
  });
}

void onednn_backward_input(const Tensor& grad_out, const Tensor& weight, const math::Conv2dShape& s,
                           const Tensor& grad_input) {
  guarded("conv2d backward", s, [&] {
    cache().with(s, [&](ConvPrimitives& p, const ConvDescs& d) {
      if (!p.has_backward_data) {
        p.backward_data =
            dnnl::convolution_backward_data(dnnl::convolution_backward_data::primitive_desc(
                {dnnl::algorithm::convolution_direct, d.src, d.weights, d.dst, d.strides, d.dilates,
                 d.padding_l, d.padding_r},
                engine(), p.forward_desc));
        p.has_backward_data = true;
      }
      run(p.backward_data, {{DNNL_ARG_DIFF_DST, wrap(d.dst, grad_out)},
                            {DNNL_ARG_WEIGHTS, wrap(d.weights, weight)},
                            {DNNL_ARG_DIFF_SRC, wrap(d.src, grad_input)}});
    });
  });
}

void onednn_backward_weight(const Tensor& grad_out, const Tensor& input, const math::Conv2dShape& s,
                            const Tensor& grad_weight) {
  guarded("conv2d backward", s, [&] {
    cache().with(s, [&](ConvPrimitives& p, const ConvDescs& d) {
      if (!p.has_backward_weights) {
        p.backward_weights =
            dnnl::convolution_backward_weights(dnnl::convolution_backward_weights::primitive_desc(
                {dnnl::algorithm::convolution_direct, d.src, d.weights, d.dst, d.strides, d.dilates,
                 d.padding_l, d.padding_r},
                engine(), p.forward_desc));
        p.has_backward_weights = true;
      }
      run(p.backward_weights, {{DNNL_ARG_DIFF_DST, wrap(d.dst, grad_out)},
                               {DNNL_ARG_SRC, wrap(d.src, input)},
                               {DNNL_ARG_DIFF_WEIGHTS, wrap(d.weights, grad_weight)}});
    });
  });
}
#endif

}  // namespace

void CpuBackend::conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        const math::Conv2dShape& shape, const Tensor& out) {
#if defined(NABLA_WITH_ONEDNN)
  if (input.dtype() == kFloat32) return onednn_forward(input, weight, bias, shape, out);
#endif
  dispatch_floating(input.dtype(), "conv2d", [&](auto tag) {
    reference_forward<decltype(tag)>(input, weight, bias, shape, out);
  });
}

void CpuBackend::conv2d_backward_input(const Tensor& grad_out, const Tensor& weight,
                                       const math::Conv2dShape& shape, const Tensor& grad_input) {
#if defined(NABLA_WITH_ONEDNN)
  if (grad_out.dtype() == kFloat32) {
    return onednn_backward_input(grad_out, weight, shape, grad_input);
  }
#endif
  dispatch_floating(grad_out.dtype(), "conv2d backward", [&](auto tag) {
    reference_backward_input<decltype(tag)>(grad_out, weight, shape, grad_input);
  });
}

void CpuBackend::conv2d_backward_weight(const Tensor& grad_out, const Tensor& input,
                                        const math::Conv2dShape& shape, const Tensor& grad_weight) {
#if defined(NABLA_WITH_ONEDNN)
  if (grad_out.dtype() == kFloat32) {
    return onednn_backward_weight(grad_out, input, shape, grad_weight);
  }
#endif
  dispatch_floating(grad_out.dtype(), "conv2d backward", [&](auto tag) {
    reference_backward_weight<decltype(tag)>(grad_out, input, shape, grad_weight);
  });
}

}  // namespace nabla::cpu

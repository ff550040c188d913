// CPU convolution. float32 goes through oneDNN's convolution primitives (forward, backward data,
// backward weights), created once per shape and kept in a bounded cache, in the layouts oneDNN
// chooses (tensors are reordered in and out; the reordered weights are cached while unchanged).
// float64, and float32 in a build without oneDNN, run the per-element reference of
// core/math/conv.h.
#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <unordered_map>

#if defined(NABLA_WITH_ONEDNN)
#include <oneapi/dnnl/dnnl.hpp>
#endif

#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/cpu/loops.h>
#include <nabla/core/cpu/threads.h>
#include <nabla/core/math/conv.h>
#include <nabla/core/native.h>

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

// The primitives of one convolution geometry, created as they are first needed. They are asked
// for with "any" layouts, so oneDNN picks its blocked layouts (several times faster than plain
// NCHW for the direct convolution kernels); tensors are reordered into and out of those.
struct ConvPrimitives {
  dnnl::convolution_forward::primitive_desc forward_desc, forward_with_bias_desc;
  dnnl::convolution_backward_data::primitive_desc backward_data_desc;
  dnnl::convolution_backward_weights::primitive_desc backward_weights_desc;
  dnnl::convolution_forward forward, forward_with_bias;
  dnnl::convolution_backward_data backward_data;
  dnnl::convolution_backward_weights backward_weights;
  bool has_forward = false, has_forward_with_bias = false, has_backward_data = false,
       has_backward_weights = false;
  // A tensor in a primitive's layout, kept while the tensor is unchanged (the same storage,
  // offset and version). The weights: the forward and the backward data pass of a step reorder
  // them once, not twice, and evaluation reorders them once in all. The output gradient: the
  // backward data and weights passes of a step reorder it once. The storage is held weakly and
  // compared by identity, not address: the caching allocator hands a freed block's address to
  // the next tensor, which may even have the same version.
  struct CachedReorder {
    std::weak_ptr<Storage> storage;
    int64_t offset = 0;
    uint64_t version = 0;
    memory::desc layout;
    Tensor data;
  };
  CachedReorder weights_cache, grad_cache;
};

struct ConvDescs {
  memory::desc src, weights, bias, dst;  // nabla's plain layouts
  memory::desc any_src, any_weights, any_dst;
  memory::dims strides, dilates, padding_l, padding_r;
};

ConvDescs descs_of(const math::Conv2dShape& s) {
  const auto f32 = memory::data_type::f32;
  const auto any = memory::format_tag::any;
  ConvDescs d;
  const memory::dims src{s.batch, s.in_channels, s.in_h, s.in_w};
  const memory::dims dst{s.batch, s.out_channels, s.out_h, s.out_w};
  d.src = memory::desc(src, f32, memory::format_tag::nchw);
  d.dst = memory::desc(dst, f32, memory::format_tag::nchw);
  d.any_src = memory::desc(src, f32, any);
  d.any_dst = memory::desc(dst, f32, any);
  d.bias = memory::desc({s.out_channels}, f32, memory::format_tag::x);
  if (s.groups == 1) {
    const memory::dims w{s.out_channels, s.in_channels, s.kernel_h, s.kernel_w};
    d.weights = memory::desc(w, f32, memory::format_tag::oihw);
    d.any_weights = memory::desc(w, f32, any);
  } else {
    const memory::dims w{s.groups, s.out_per_group(), s.in_per_group(), s.kernel_h, s.kernel_w};
    d.weights = memory::desc(w, f32, memory::format_tag::goihw);
    d.any_weights = memory::desc(w, f32, any);
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

using ConvKey =
    std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
               int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int>;

// A primitive splits its work for the thread count it was created with and runs that many
// threads whatever OpenMP says later, so the count is part of the key: when the load on the
// machine changes it (core/cpu/threads.h), the next call gets a primitive made for the new count.
ConvKey key_of(const math::Conv2dShape& s) {
  return {s.batch,    s.in_channels, s.in_h,       s.in_w,     s.out_channels,       s.kernel_h,
          s.kernel_w, s.out_h,       s.out_w,      s.stride_h, s.stride_w,           s.pad_h,
          s.pad_w,    s.dilation_h,  s.dilation_w, s.groups,   omp_get_max_threads()};
}

// A bounded cache: a training loop sees a handful of shapes (one per layer, and the last, smaller
// batch); a program that sees ever new shapes starts over rather than growing without end.
constexpr size_t kMaxCachedShapes = 64;

class PrimitiveCache {
 public:
  // Runs fn(primitives, descs) under the cache's lock, the forward primitive created for `s`.
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
          {dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, d.any_src,
           d.any_weights, d.any_dst, d.strides, d.dilates, d.padding_l, d.padding_r},
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

dnnl::stream& cpu_stream() {
  static thread_local dnnl::stream stream(engine());
  return stream;
}

// `t` (in the plain layout `plain`) as memory in the layout `wanted`: the tensor itself when the
// layouts agree, else a reordered copy in `scratch`.
memory in_layout(const Tensor& t, const memory::desc& plain, const memory::desc& wanted,
                 Tensor& scratch) {
  memory source(plain, engine(), t.data_ptr());
  if (wanted == plain) return source;
  scratch = native::empty({static_cast<int64_t>(wanted.get_size())}, kUInt8, Device(kCPU));
  memory target(wanted, engine(), scratch.data_ptr());
  dnnl::reorder(source, target).execute(cpu_stream(), source, target);
  return target;
}

// Memory in the layout `produced` for a primitive to write, and after it has run, its contents
// in `t`'s plain layout: finish() reorders when the layouts differ.
struct Output {
  Output(const Tensor& t, const memory::desc& plain, const memory::desc& produced)
      : plain_memory(plain, engine(), t.data_ptr()) {
    if (produced == plain) {
      memory_ = plain_memory;
    } else {
      scratch = native::empty({static_cast<int64_t>(produced.get_size())}, kUInt8, Device(kCPU));
      memory_ = memory(produced, engine(), scratch.data_ptr());
    }
  }
  const memory& get() const { return memory_; }
  void finish() {
    if (scratch.defined()) {
      dnnl::reorder(memory_, plain_memory).execute(cpu_stream(), memory_, plain_memory);
    }
  }
  memory plain_memory, memory_;
  Tensor scratch;
};

// `t` in `wanted`, from `cached` when the tensor is unchanged since it was filled.
memory cached_in_layout(ConvPrimitives::CachedReorder& cached, const Tensor& t,
                        const memory::desc& plain, const memory::desc& wanted) {
  if (wanted == plain) return memory(plain, engine(), t.data_ptr());
  const std::shared_ptr<Storage>& storage = t.impl()->storage();
  const bool fresh = cached.data.defined() && cached.storage.lock() == storage &&
                     cached.offset == t.storage_offset() && cached.version == t.version() &&
                     cached.layout == wanted;
  if (!fresh) {
    cached.data = Tensor();
    in_layout(t, plain, wanted, cached.data);
    cached.storage = storage;
    cached.offset = t.storage_offset();
    cached.version = t.version();
    cached.layout = wanted;
  }
  return memory(wanted, engine(), cached.data.data_ptr());
}

void run(dnnl::primitive& primitive, const std::unordered_map<int, memory>& arguments) {
  primitive.execute(cpu_stream(), arguments);
}

// oneDNN reports failures as dnnl::error; nabla's callers expect nabla::Error naming the op.
template <typename Fn>
void guarded(const char* op, const math::Conv2dShape& s, int threads, Fn&& fn) {
  const OmpThreadsGuard guard(threads);  // oneDNN reads OpenMP's count
  try {
    fn();
    cpu_stream().wait();
  } catch (const dnnl::error& e) {
    NABLA_FAIL(op, ": oneDNN failed (", e.what(), ") for input [", s.batch, ", ", s.in_channels,
               ", ", s.in_h, ", ", s.in_w, "] and weight [", s.out_channels, ", ", s.in_per_group(),
               ", ", s.kernel_h, ", ", s.kernel_w, "]");
  }
}

// Images per forward call, in chunks of at most kForwardChunkBytes of input and output. A
// primitive reads and writes oneDNN's blocked copies of its input and output (channels padded to
// 16 or 32), which beside nabla's plain output would more than double a big batch's memory: the
// first convolution of PyTorch's MNIST model over 1000 test images made 37 MB of copies beside its
// 23 MB output. Chunks bound the copies at a few MB, a size the caches favor too. The images are
// split as evenly as possible, so at most two batch sizes (two cached primitives) appear.
constexpr int64_t kForwardChunkBytes = int64_t{2} << 20;

int64_t forward_chunks(const math::Conv2dShape& s) {
  const int64_t per_image = static_cast<int64_t>(sizeof(float)) *
                            (s.in_channels * s.in_h * s.in_w + s.out_channels * s.out_h * s.out_w);
  const int64_t chunks = (s.batch * per_image + kForwardChunkBytes - 1) / kForwardChunkBytes;
  return std::max<int64_t>(1, std::min(chunks, s.batch));
}

// One forward call over all of `input`'s images (s.batch of them).
void onednn_forward_call(const Tensor& input, const Tensor& weight, const Tensor& bias,
                         const math::Conv2dShape& s, const Tensor& out) {
  cache().with(s, [&](ConvPrimitives& p, const ConvDescs& d) {
    if (bias.defined() && !p.has_forward_with_bias) {
      p.forward_with_bias_desc = dnnl::convolution_forward::primitive_desc(
          {dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, d.any_src,
           d.any_weights, d.bias, d.any_dst, d.strides, d.dilates, d.padding_l, d.padding_r},
          engine());
      p.forward_with_bias = dnnl::convolution_forward(p.forward_with_bias_desc);
      p.has_forward_with_bias = true;
    }
    const auto& pd = bias.defined() ? p.forward_with_bias_desc : p.forward_desc;
    Tensor src_scratch;
    const memory src = in_layout(input, d.src, pd.src_desc(), src_scratch);
    const memory weights = cached_in_layout(p.weights_cache, weight, d.weights, pd.weights_desc());
    Output dst(out, d.dst, pd.dst_desc());
    std::unordered_map<int, memory> arguments = {
        {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst.get()}};
    if (bias.defined()) {
      arguments.emplace(DNNL_ARG_BIAS, memory(d.bias, engine(), bias.data_ptr()));
      run(p.forward_with_bias, arguments);
    } else {
      run(p.forward, arguments);
    }
    dst.finish();
  });
}

void onednn_forward(const Tensor& input, const Tensor& weight, const Tensor& bias,
                    const math::Conv2dShape& s, const Tensor& out) {
  guarded("conv2d", s, usable_threads(), [&] {
    const int64_t chunks = forward_chunks(s);
    for (int64_t i = 0; i < chunks; ++i) {
      const int64_t begin = s.batch * i / chunks, end = s.batch * (i + 1) / chunks;
      math::Conv2dShape part = s;
      part.batch = end - begin;
      onednn_forward_call(native::narrow(input, 0, begin, part.batch), weight, bias, part,
                          native::narrow(out, 0, begin, part.batch));
    }
  });
}

void onednn_backward_input(const Tensor& grad_out, const Tensor& weight, const math::Conv2dShape& s,
                           const Tensor& grad_input) {
  guarded("conv2d backward", s, usable_threads(), [&] {
    cache().with(s, [&](ConvPrimitives& p, const ConvDescs& d) {
      if (!p.has_backward_data) {
        p.backward_data_desc = dnnl::convolution_backward_data::primitive_desc(
            {dnnl::algorithm::convolution_direct, d.any_src, d.any_weights, d.any_dst, d.strides,
             d.dilates, d.padding_l, d.padding_r},
            engine(), p.forward_desc);
        p.backward_data = dnnl::convolution_backward_data(p.backward_data_desc);
        p.has_backward_data = true;
      }
      const auto& pd = p.backward_data_desc;
      const memory diff_dst = cached_in_layout(p.grad_cache, grad_out, d.dst, pd.diff_dst_desc());
      const memory weights =
          cached_in_layout(p.weights_cache, weight, d.weights, pd.weights_desc());
      Output diff_src(grad_input, d.src, pd.diff_src_desc());
      run(p.backward_data, {{DNNL_ARG_DIFF_DST, diff_dst},
                            {DNNL_ARG_WEIGHTS, weights},
                            {DNNL_ARG_DIFF_SRC, diff_src.get()}});
      diff_src.finish();
    });
  });
}

void onednn_backward_weight(const Tensor& grad_out, const Tensor& input, const math::Conv2dShape& s,
                            const Tensor& grad_weight) {
  // The weight gradient sums partial results per thread, so its bits depend on the thread count:
  // it always runs on all threads, so that a busy machine cannot change a training run's result.
  guarded("conv2d backward", s, all_threads(), [&] {
    cache().with(s, [&](ConvPrimitives& p, const ConvDescs& d) {
      if (!p.has_backward_weights) {
        p.backward_weights_desc = dnnl::convolution_backward_weights::primitive_desc(
            {dnnl::algorithm::convolution_direct, d.any_src, d.any_weights, d.any_dst, d.strides,
             d.dilates, d.padding_l, d.padding_r},
            engine(), p.forward_desc);
        p.backward_weights = dnnl::convolution_backward_weights(p.backward_weights_desc);
        p.has_backward_weights = true;
      }
      const auto& pd = p.backward_weights_desc;
      Tensor src_scratch;
      const memory diff_dst = cached_in_layout(p.grad_cache, grad_out, d.dst, pd.diff_dst_desc());
      const memory src = in_layout(input, d.src, pd.src_desc(), src_scratch);
      Output diff_weights(grad_weight, d.weights, pd.diff_weights_desc());
      run(p.backward_weights, {{DNNL_ARG_DIFF_DST, diff_dst},
                               {DNNL_ARG_SRC, src},
                               {DNNL_ARG_DIFF_WEIGHTS, diff_weights.get()}});
      diff_weights.finish();
      p.grad_cache = ConvPrimitives::CachedReorder();  // the step's last use: free it now
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

// CPU optimizer updates: math::sgd_step and math::adam_step from core/math/optim.h applied element
// by element, so the CPU and CUDA backends update parameters with the same arithmetic (up to
// denormals, which the CPU flushes to zero here: see denormals.h).
#include <algorithm>
#include <vector>

#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/cpu/denormals.h>
#include <nabla/core/cpu/loops.h>
#include <nabla/core/math/optim.h>

namespace nabla::cpu {

void CpuBackend::sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                          const math::SgdOptions& options) {
  dispatch_floating(param.dtype(), "sgd_step", [&](auto tag) {
    using T = decltype(tag);
    T* p = param.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
    T* m = momentum_buffer.defined() ? momentum_buffer.data_ptr<T>() : nullptr;
    parallel_for(param.numel(), 4, [&](int64_t begin, int64_t end) {
      // A local copy: the compiler cannot otherwise tell that writing a double parameter leaves
      // the options alone, and would reload them every element instead of vectorizing.
      const FlushDenormalsGuard flush_denormals;
      const math::SgdOptions o = options;
      for (int64_t i = begin; i < end; ++i) {
        T unused = 0;
        math::sgd_step(p[i], g[i], m ? m[i] : unused, o);
      }
    });
  });
}

// One loop over the parameters' elements end to end, split across threads by element: the small
// tensors (biases) ride along with the large ones instead of each being a call of its own. Each
// parameter's elements start on a whole cache line in this sequence (the allocator aligns every
// tensor to one), so that a thread's share of a tensor begins on one too: a split in the middle
// of a line made every 64-byte vector access of that thread straddle two lines (2.5 us more for
// mnist_mlp's 100k parameters).
void CpuBackend::adam_step(const std::vector<AdamTensors>& params,
                           const math::AdamOptions& options) {
  dispatch_floating(params.front().param.dtype(), "adam_step", [&](auto tag) {
    using T = decltype(tag);
    constexpr int64_t kLine = 64 / sizeof(T);           // elements per cache line
    std::vector<int64_t> starts(params.size() + 1, 0);  // in lines
    for (size_t k = 0; k < params.size(); ++k) {
      starts[k + 1] = starts[k] + (params[k].param.numel() + kLine - 1) / kLine;
    }
    parallel_for(starts.back(), 8 * kLine, [&](int64_t begin, int64_t end) {
      const FlushDenormalsGuard flush_denormals;
      const math::AdamOptions o = options;  // see sgd_step
      size_t k = std::upper_bound(starts.begin(), starts.end(), begin) - starts.begin() - 1;
      for (; k < params.size() && starts[k] < end; ++k) {
        const AdamTensors& t = params[k];
        const int64_t first = (std::max(begin, starts[k]) - starts[k]) * kLine;
        const int64_t last =
            std::min((std::min(end, starts[k + 1]) - starts[k]) * kLine, t.param.numel());
        T* p = t.param.data_ptr<T>();
        const T* g = t.grad.data_ptr<T>();
        T* m = t.exp_avg.data_ptr<T>();
        T* v = t.exp_avg_sq.data_ptr<T>();
        // Two loops, so that neither chooses per element where max_exp_avg_sq lives.
        if (t.max_exp_avg_sq.defined()) {
          T* vmax = t.max_exp_avg_sq.data_ptr<T>();
          for (int64_t i = first; i < last; ++i) {
            math::adam_step(p[i], g[i], m[i], v[i], vmax[i], o);
          }
        } else {
          for (int64_t i = first; i < last; ++i) {
            T unused = 0;
            math::adam_step(p[i], g[i], m[i], v[i], unused, o);
          }
        }
      }
    });
  });
}

void CpuBackend::rmsprop_step(const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                              const Tensor& grad_avg, const Tensor& momentum_buffer,
                              const math::RmspropOptions& options) {
  dispatch_floating(param.dtype(), "rmsprop_step", [&](auto tag) {
    using T = decltype(tag);
    T* p = param.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
    T* sq = square_avg.data_ptr<T>();
    T* ga = grad_avg.defined() ? grad_avg.data_ptr<T>() : nullptr;
    T* buf = momentum_buffer.defined() ? momentum_buffer.data_ptr<T>() : nullptr;
    parallel_for(param.numel(), 8, [&](int64_t begin, int64_t end) {
      const FlushDenormalsGuard flush_denormals;
      const math::RmspropOptions o = options;  // see sgd_step
      for (int64_t i = begin; i < end; ++i) {
        T unused_avg = 0, unused_buf = 0;
        math::rmsprop_step(p[i], g[i], sq[i], ga ? ga[i] : unused_avg, buf ? buf[i] : unused_buf,
                           o);
      }
    });
  });
}

void CpuBackend::adagrad_step(const Tensor& param, const Tensor& grad, const Tensor& sum,
                              const math::AdagradOptions& options) {
  dispatch_floating(param.dtype(), "adagrad_step", [&](auto tag) {
    using T = decltype(tag);
    T* p = param.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
    T* s = sum.data_ptr<T>();
    parallel_for(param.numel(), 8, [&](int64_t begin, int64_t end) {
      const FlushDenormalsGuard flush_denormals;
      const math::AdagradOptions o = options;
      for (int64_t i = begin; i < end; ++i) math::adagrad_step(p[i], g[i], s[i], o);
    });
  });
}

}  // namespace nabla::cpu

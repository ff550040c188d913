// CPU optimizer updates: math::sgd_step and math::adam_step from core/math/optim.h applied element
// by element, so the CPU and CUDA backends update parameters with the same arithmetic (up to
// denormals, which the CPU flushes to zero here: see denormals.h).
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

void CpuBackend::adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                           const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq,
                           const math::AdamOptions& options) {
  dispatch_floating(param.dtype(), "adam_step", [&](auto tag) {
    using T = decltype(tag);
    T* p = param.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
    T* m = exp_avg.data_ptr<T>();
    T* v = exp_avg_sq.data_ptr<T>();
    T* vmax = max_exp_avg_sq.defined() ? max_exp_avg_sq.data_ptr<T>() : nullptr;
    parallel_for(param.numel(), 8, [&](int64_t begin, int64_t end) {
      const FlushDenormalsGuard flush_denormals;
      const math::AdamOptions o = options;  // see sgd_step
      // Two loops, so that neither chooses per element where max_exp_avg_sq lives.
      if (vmax) {
        for (int64_t i = begin; i < end; ++i) math::adam_step(p[i], g[i], m[i], v[i], vmax[i], o);
      } else {
        for (int64_t i = begin; i < end; ++i) {
          T unused = 0;
          math::adam_step(p[i], g[i], m[i], v[i], unused, o);
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

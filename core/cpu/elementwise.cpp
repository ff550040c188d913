// CPU elementwise kernels: copy with dtype conversion, fill, unary, binary and where. Each applies
// a functor from core/math/ over a StridedLoop, with a unit-stride fast path the compiler
// vectorizes.
#include <cstring>
#include <type_traits>

#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/cpu/loops.h>
#include <nabla/core/op_table.h>

namespace nabla::cpu {
namespace {

template <typename T>
T& at(char* base, int64_t stride, int64_t i) {
  return *reinterpret_cast<T*>(base + i * stride);
}

// No __restrict on the pointers: in-place ops pass one tensor as both input and output.
template <typename Out, typename In, typename F>
void unary_kernel(const Tensor& in, const Tensor& out, F f) {
  auto loop =
      make_loop<2>(out.sizes(), {out.data_ptr(), in.data_ptr()}, {&out.strides(), &in.strides()},
                   {int64_t{sizeof(Out)}, int64_t{sizeof(In)}});
  run(loop, [f](char** p, const int64_t* s, int64_t n) {
    if (s[0] == sizeof(Out) && s[1] == sizeof(In)) {
      Out* o = reinterpret_cast<Out*>(p[0]);
      const In* x = reinterpret_cast<const In*>(p[1]);
      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) at<Out>(p[0], s[0], i) = f(at<In>(p[1], s[1], i));
    }
  });
}

template <typename Out, typename T, typename F>
void binary_kernel(const Tensor& a, const Tensor& b, const Tensor& out, F f) {
  auto loop = make_loop<3>(out.sizes(), {out.data_ptr(), a.data_ptr(), b.data_ptr()},
                           {&out.strides(), &a.strides(), &b.strides()},
                           {int64_t{sizeof(Out)}, int64_t{sizeof(T)}, int64_t{sizeof(T)}});
  run(loop, [f](char** p, const int64_t* s, int64_t n) {
    Out* o = reinterpret_cast<Out*>(p[0]);
    const T* x = reinterpret_cast<const T*>(p[1]);
    const T* y = reinterpret_cast<const T*>(p[2]);
    if (s[0] == sizeof(Out) && s[1] == sizeof(T) && s[2] == sizeof(T)) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
    } else if (s[0] == sizeof(Out) && s[1] == sizeof(T) && s[2] == 0) {
      const T scalar = *y;
      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], scalar);
    } else if (s[0] == sizeof(Out) && s[1] == 0 && s[2] == sizeof(T)) {
      const T scalar = *x;
      for (int64_t i = 0; i < n; ++i) o[i] = f(scalar, y[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) {
        at<Out>(p[0], s[0], i) = f(at<T>(p[1], s[1], i), at<T>(p[2], s[2], i));
      }
    }
  });
}

template <typename T>
void copy_typed(const Tensor& src, const Tensor& dst) {
  dispatch_dtype(dst.dtype(), "copy_", [&](auto out_tag) {
    using Out = decltype(out_tag);
    unary_kernel<Out, T>(src, dst, math::ConvertTo<Out>{});
  });
}

}  // namespace

void CpuBackend::copy(const Tensor& src, const Tensor& dst) {
  if (src.dtype() == dst.dtype() && src.is_contiguous() && dst.is_contiguous() &&
      src.sizes() == dst.sizes()) {
    if (dst.numel() > 0)
      std::memcpy(dst.data_ptr(), src.data_ptr(), dst.numel() * dst.element_size());
    return;
  }
  dispatch_dtype(src.dtype(), "copy_", [&](auto tag) { copy_typed<decltype(tag)>(src, dst); });
}

void CpuBackend::fill(const Tensor& dst, const Scalar& value) {
  dispatch_dtype(dst.dtype(), "fill_", [&](auto tag) {
    using T = decltype(tag);
    const T v = scalar_as<T>(value);
    auto loop = make_loop<1>(dst.sizes(), {dst.data_ptr()}, {&dst.strides()}, {int64_t{sizeof(T)}});
    run(loop, [v](char** p, const int64_t* s, int64_t n) {
      if (s[0] == sizeof(T)) {
        T* o = reinterpret_cast<T*>(p[0]);
        for (int64_t i = 0; i < n; ++i) o[i] = v;
      } else {
        for (int64_t i = 0; i < n; ++i) at<T>(p[0], s[0], i) = v;
      }
    });
  });
}

void CpuBackend::unary(UnaryOp op, const Tensor& in, const Tensor& out, const UnaryArgs& args) {
  dispatch_dtype(in.dtype(), op_name(op), [&](auto tag) {
    using T = decltype(tag);
    const bool found =
        visit_unary_op<T>(op, args, [&](auto f) { unary_kernel<decltype(f(T{})), T>(in, out, f); });
    NABLA_CHECK(found, op_name(op), ": not implemented for ", in.dtype(), " on the CPU");
  });
}

void CpuBackend::binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  dispatch_dtype(a.dtype(), op_name(op), [&](auto tag) {
    using T = decltype(tag);
    const bool found = visit_binary_op<T>(op, [&](auto f) {
      using Out = decltype(f(T{}, T{}));
      binary_kernel<Out, T>(a, b, out, f);
    });
    NABLA_CHECK(found, op_name(op), ": not implemented for ", a.dtype(), " on the CPU");
  });
}

void CpuBackend::binary_scalar(BinaryOp op, const Tensor& a, const Scalar& scalar,
                               bool scalar_first, const Tensor& out) {
  dispatch_dtype(a.dtype(), op_name(op), [&](auto tag) {
    using T = decltype(tag);
    const bool found = visit_binary_scalar_op<T>(
        op, scalar, scalar_first, [&](auto f) { unary_kernel<decltype(f(T{})), T>(a, out, f); });
    NABLA_CHECK(found, op_name(op), ": not implemented for ", a.dtype(), " on the CPU");
  });
}

void CpuBackend::where(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& out) {
  dispatch_dtype(out.dtype(), "where", [&](auto tag) {
    using T = decltype(tag);
    auto loop =
        make_loop<4>(out.sizes(), {out.data_ptr(), cond.data_ptr(), a.data_ptr(), b.data_ptr()},
                     {&out.strides(), &cond.strides(), &a.strides(), &b.strides()},
                     {int64_t{sizeof(T)}, 1, int64_t{sizeof(T)}, int64_t{sizeof(T)}});
    run(loop, [](char** p, const int64_t* s, int64_t n) {
      const math::Where select;
      for (int64_t i = 0; i < n; ++i) {
        at<T>(p[0], s[0], i) =
            select(at<bool>(p[1], s[1], i), at<T>(p[2], s[2], i), at<T>(p[3], s[3], i));
      }
    });
  });
}

}  // namespace nabla::cpu

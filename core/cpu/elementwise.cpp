// CPU elementwise kernels: copy with dtype conversion, fill, unary, binary and where. Each applies
// a functor from core/math/ over a StridedLoop, with a unit-stride fast path the compiler
// vectorizes.
#include <cstring>
#include <type_traits>

#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/cpu/loops.h>
#include <nabla/core/math/binary.h>
#include <nabla/core/math/convert.h>
#include <nabla/core/math/unary.h>

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
    unary_kernel<Out, T>(src, dst, [](T x) { return math::convert<Out>(x); });
  });
}

template <typename T>
void unary_floating(UnaryOp op, const Tensor& in, const Tensor& out, double p0, double p1) {
  switch (op) {
    case UnaryOp::Neg:
      return unary_kernel<T, T>(in, out, math::Neg{});
    case UnaryOp::Exp:
      return unary_kernel<T, T>(in, out, math::Exp{});
    case UnaryOp::Log:
      return unary_kernel<T, T>(in, out, math::Log{});
    case UnaryOp::Sqrt:
      return unary_kernel<T, T>(in, out, math::Sqrt{});
    case UnaryOp::Abs:
      return unary_kernel<T, T>(in, out, math::Abs{});
    case UnaryOp::Relu:
      return unary_kernel<T, T>(in, out, math::Relu{});
    case UnaryOp::Sigmoid:
      return unary_kernel<T, T>(in, out, math::Sigmoid{});
    case UnaryOp::Tanh:
      return unary_kernel<T, T>(in, out, math::Tanh{});
    case UnaryOp::Pow:
      return unary_kernel<T, T>(in, out, math::PowScalar{p0});
    case UnaryOp::Clamp:
      return unary_kernel<T, T>(in, out, math::Clamp<T>{static_cast<T>(p0), static_cast<T>(p1)});
  }
}

template <typename T>
void unary_integral(UnaryOp op, const Tensor& in, const Tensor& out, double p0, double p1) {
  switch (op) {
    case UnaryOp::Neg:
      return unary_kernel<T, T>(in, out, math::Neg{});
    case UnaryOp::Abs:
      return unary_kernel<T, T>(in, out, math::Abs{});
    case UnaryOp::Relu:
      return unary_kernel<T, T>(in, out, math::Relu{});
    case UnaryOp::Pow:
      return unary_kernel<T, T>(in, out, math::PowInteger{static_cast<int64_t>(p0)});
    case UnaryOp::Clamp:
      // An absent bound arrives as +-2^63, which static_cast<T> cannot hold (undefined; on x86 it
      // gave INT64_MIN, so clamp_min clamped everything); convert saturates to T's range instead.
      return unary_kernel<T, T>(in, out,
                                math::Clamp<T>{math::convert<T>(p0), math::convert<T>(p1)});
    default:
      NABLA_FAIL(op_name(op), ": not implemented for ", in.dtype(), " on the CPU");
  }
}

template <typename T>
void binary_typed(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  switch (op) {
    case BinaryOp::Add:
      return binary_kernel<T, T>(a, b, out, math::Add{});
    case BinaryOp::Sub:
      return binary_kernel<T, T>(a, b, out, math::Sub{});
    case BinaryOp::Mul:
      return binary_kernel<T, T>(a, b, out, math::Mul{});
    case BinaryOp::Maximum:
      return binary_kernel<T, T>(a, b, out, math::Maximum{});
    case BinaryOp::Minimum:
      return binary_kernel<T, T>(a, b, out, math::Minimum{});
    case BinaryOp::Eq:
      return binary_kernel<bool, T>(a, b, out, math::Eq{});
    case BinaryOp::Ne:
      return binary_kernel<bool, T>(a, b, out, math::Ne{});
    case BinaryOp::Lt:
      return binary_kernel<bool, T>(a, b, out, math::Lt{});
    case BinaryOp::Le:
      return binary_kernel<bool, T>(a, b, out, math::Le{});
    case BinaryOp::Gt:
      return binary_kernel<bool, T>(a, b, out, math::Gt{});
    case BinaryOp::Ge:
      return binary_kernel<bool, T>(a, b, out, math::Ge{});
    default:
      break;
  }
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case BinaryOp::Div:
        return binary_kernel<T, T>(a, b, out, math::Div{});
      case BinaryOp::ReluBackward:
        return binary_kernel<T, T>(a, b, out, math::ReluBackward{});
      case BinaryOp::SigmoidBackward:
        return binary_kernel<T, T>(a, b, out, math::SigmoidBackward{});
      case BinaryOp::TanhBackward:
        return binary_kernel<T, T>(a, b, out, math::TanhBackward{});
      default:
        break;
    }
  }
  NABLA_FAIL(op_name(op), ": not implemented for ", a.dtype(), " on the CPU");
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
    const T v = value.is_floating_point() ? math::convert<T>(value.to<double>())
                                          : math::convert<T>(value.to<int64_t>());
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

void CpuBackend::unary(UnaryOp op, const Tensor& in, const Tensor& out, double p0, double p1) {
  switch (in.dtype()) {
    case kFloat32:
      return unary_floating<float>(op, in, out, p0, p1);
    case kFloat64:
      return unary_floating<double>(op, in, out, p0, p1);
    case kInt64:
      return unary_integral<int64_t>(op, in, out, p0, p1);
    case kUInt8:
      return unary_integral<uint8_t>(op, in, out, p0, p1);
    case kBool:
      break;
  }
  NABLA_FAIL(op_name(op), ": not implemented for ", in.dtype(), " on the CPU");
}

void CpuBackend::binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  dispatch_dtype(a.dtype(), op_name(op),
                 [&](auto tag) { binary_typed<decltype(tag)>(op, a, b, out); });
}

void CpuBackend::where(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& out) {
  dispatch_dtype(out.dtype(), "where", [&](auto tag) {
    using T = decltype(tag);
    auto loop =
        make_loop<4>(out.sizes(), {out.data_ptr(), cond.data_ptr(), a.data_ptr(), b.data_ptr()},
                     {&out.strides(), &cond.strides(), &a.strides(), &b.strides()},
                     {int64_t{sizeof(T)}, 1, int64_t{sizeof(T)}, int64_t{sizeof(T)}});
    run(loop, [](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        at<T>(p[0], s[0], i) =
            at<bool>(p[1], s[1], i) ? at<T>(p[2], s[2], i) : at<T>(p[3], s[3], i);
      }
    });
  });
}

}  // namespace nabla::cpu

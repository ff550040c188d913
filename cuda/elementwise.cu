// Elementwise ops on the GPU: fill, unary, binary (tensor or scalar operand) and where. Each picks
// its functor from core/op_table.h, the same table and functors the CPU runs, and launches the one
// elementwise kernel template of loops.cuh.
#include <nabla/core/op_table.h>
#include <nabla/cuda/backend.h>
#include <nabla/cuda/loops.cuh>

namespace nabla::cuda_backend {
namespace {

__global__ void probe_kernel() {}

}  // namespace

cudaError_t probe_kernel_image() {
  cudaFuncAttributes attributes;
  return cudaFuncGetAttributes(&attributes, probe_kernel);
}

void CudaBackend::fill(const Tensor& dst, const Scalar& value) {
  OpScope scope(index_, "fill_");
  dispatch_dtype(dst.dtype(), "fill_", [&](auto tag) {
    using T = decltype(tag);
    launch_elementwise<T>(stream(), math::Constant<T>{scalar_as<T>(value)}, dst);
  });
  scope.finish();
}

void CudaBackend::unary(UnaryOp op, const Tensor& in, const Tensor& out, const UnaryArgs& args) {
  OpScope scope(index_, op_name(op));
  dispatch_dtype(in.dtype(), op_name(op), [&](auto tag) {
    using T = decltype(tag);
    const bool found = visit_unary_op<T>(op, args, [&](auto f) {
      launch_elementwise<decltype(f(T{}))>(stream(), f, out, Input<T>{in});
    });
    NABLA_CHECK(found, op_name(op), ": not implemented for ", in.dtype(), " on CUDA");
  });
  scope.finish();
}

void CudaBackend::binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  OpScope scope(index_, op_name(op));
  dispatch_dtype(a.dtype(), op_name(op), [&](auto tag) {
    using T = decltype(tag);
    const bool found = visit_binary_op<T>(op, [&](auto f) {
      using Out = decltype(f(T{}, T{}));
      launch_elementwise<Out>(stream(), f, out, Input<T>{a}, Input<T>{b});
    });
    NABLA_CHECK(found, op_name(op), ": not implemented for ", a.dtype(), " on CUDA");
  });
  scope.finish();
}

void CudaBackend::binary_scalar(BinaryOp op, const Tensor& a, const Scalar& scalar,
                                bool scalar_first, const Tensor& out) {
  OpScope scope(index_, op_name(op));
  dispatch_dtype(a.dtype(), op_name(op), [&](auto tag) {
    using T = decltype(tag);
    const bool found = visit_binary_scalar_op<T>(op, scalar, scalar_first, [&](auto f) {
      launch_elementwise<decltype(f(T{}))>(stream(), f, out, Input<T>{a});
    });
    NABLA_CHECK(found, op_name(op), ": not implemented for ", a.dtype(), " on CUDA");
  });
  scope.finish();
}

void CudaBackend::where(const Tensor& cond, const Tensor& a, const Tensor& b, const Tensor& out) {
  OpScope scope(index_, "where");
  dispatch_dtype(out.dtype(), "where", [&](auto tag) {
    using T = decltype(tag);
    launch_elementwise<T>(stream(), math::Where{}, out, Input<bool>{cond}, Input<T>{a},
                          Input<T>{b});
  });
  scope.finish();
}

}  // namespace nabla::cuda_backend

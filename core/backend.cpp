// backend_for(): the one place that picks a backend by device. The CUDA backend is reached through
// detail::cuda_backend(), which cuda/ defines: the real backend, or a stub in builds without CUDA.
#include <nabla/core/backend.h>
#include <nabla/core/cpu/cpu_backend.h>

namespace nabla {

namespace detail {
Backend& cuda_backend(int device_index);  // defined in cuda/
}  // namespace detail

namespace cpu {
CpuBackend& cpu_backend() {
  static CpuBackend backend;
  return backend;
}
}  // namespace cpu

Backend& backend_for(Device device) {
  if (device.is_cpu()) return cpu::cpu_backend();
  return detail::cuda_backend(device.index());
}

const char* op_name(UnaryOp op) {
  switch (op) {
    case UnaryOp::Neg:
      return "neg";
    case UnaryOp::Exp:
      return "exp";
    case UnaryOp::Log:
      return "log";
    case UnaryOp::Sqrt:
      return "sqrt";
    case UnaryOp::Abs:
      return "abs";
    case UnaryOp::Relu:
      return "relu";
    case UnaryOp::Sigmoid:
      return "sigmoid";
    case UnaryOp::Tanh:
      return "tanh";
    case UnaryOp::Pow:
      return "pow";
    case UnaryOp::Clamp:
      return "clamp";
  }
  return "unary";
}

const char* op_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add:
      return "add";
    case BinaryOp::Sub:
      return "sub";
    case BinaryOp::Mul:
      return "mul";
    case BinaryOp::Div:
      return "div";
    case BinaryOp::Maximum:
      return "maximum";
    case BinaryOp::Minimum:
      return "minimum";
    case BinaryOp::Eq:
      return "eq";
    case BinaryOp::Ne:
      return "ne";
    case BinaryOp::Lt:
      return "lt";
    case BinaryOp::Le:
      return "le";
    case BinaryOp::Gt:
      return "gt";
    case BinaryOp::Ge:
      return "ge";
    case BinaryOp::ReluBackward:
      return "relu_backward";
    case BinaryOp::SigmoidBackward:
      return "sigmoid_backward";
    case BinaryOp::TanhBackward:
      return "tanh_backward";
  }
  return "binary";
}

}  // namespace nabla

// Convolution on the GPU through cuDNN 9's legacy API: forward, backward data and backward filter,
// each with the algorithm cuDNN's heuristics rank first (cudnnGet*_v7), descriptors and choices
// cached per shape, and the workspace taken from nabla's device allocator. TF32 follows
// nabla::cuda::set_allow_tf32, as matrix products do. The bias is added by nabla's elementwise
// kernel. A build without cuDNN's headers says so when a convolution reaches the GPU.
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

#include <nabla/core/native.h>
#include <nabla/cuda/backend.h>
#include <nabla/cuda/cudnn.h>
#include <nabla/cuda/loops.cuh>

namespace nabla::cuda_backend {

#if defined(NABLA_WITH_CUDNN)

void throw_cudnn_error(cudnnStatus_t status, const char* call, const char* file, int line) {
  const char* text = "unknown status";
  try {
    text = cudnn_api().get_error_string(status);
  } catch (const Error&) {
  }
  NABLA_FAIL("cuDNN error ", static_cast<int>(status), " (", text, ") in ", call, " at ", file, ":",
             line);
}

namespace {

// One convolution geometry's descriptors and algorithms.
struct ConvPlan {
  cudnnTensorDescriptor_t input = nullptr, output = nullptr;
  cudnnFilterDescriptor_t filter = nullptr;
  cudnnConvolutionDescriptor_t convolution = nullptr;
  bool have_forward = false, have_backward_data = false, have_backward_filter = false;
  cudnnConvolutionFwdAlgo_t forward_algorithm{};
  cudnnConvolutionBwdDataAlgo_t backward_data_algorithm{};
  cudnnConvolutionBwdFilterAlgo_t backward_filter_algorithm{};
  cudnnMathType_t base_math{};  // what the heuristics are asked under (FMA unless TF32 is allowed)
  cudnnMathType_t forward_math{}, backward_data_math{}, backward_filter_math{};
  size_t forward_workspace = 0, backward_data_workspace = 0, backward_filter_workspace = 0;
};

using PlanKey = std::tuple<int, int, bool, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                           int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t>;

constexpr size_t kMaxCachedPlans = 64;

class CudnnState {
 public:
  // The device's handle, bound to its stream, created on first use.
  cudnnHandle_t handle(int device, cudaStream_t stream) {
    if (handles_[device] == nullptr) {
      const CudnnApi& api = cudnn_api();
      cudnnHandle_t handle = nullptr;
      NABLA_CUDNN_CHECK(api.create(&handle));
      NABLA_CUDNN_CHECK(api.set_stream(handle, stream));
      handles_[device] = handle;
    }
    return handles_[device];
  }

  ConvPlan& plan(int device, ScalarType dtype, const math::Conv2dShape& s) {
    const bool tf32 = dtype == kFloat32 && tf32_enabled();
    const PlanKey key{device,        static_cast<int>(dtype),
                      tf32,          s.batch,
                      s.in_channels, s.in_h,
                      s.in_w,        s.out_channels,
                      s.kernel_h,    s.kernel_w,
                      s.stride_h,    s.stride_w,
                      s.pad_h,       s.pad_w,
                      s.dilation_h,  s.dilation_w,
                      s.groups};
    auto it = plans_.find(key);
    if (it != plans_.end()) return it->second;
    const CudnnApi& api = cudnn_api();
    if (plans_.size() >= kMaxCachedPlans) {
      // A program that keeps meeting new shapes starts over rather than growing without end.
      for (auto& [unused, old] : plans_) destroy(api, old);
      plans_.clear();
    }
    ConvPlan plan;
    try {
      describe(api, plan, dtype, s);
    } catch (...) {
      destroy(api, plan);
      throw;
    }
    // FMA math keeps float32 off TF32 tensor cores unless TF32 was allowed.
    plan.base_math = tf32 ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH;
    return plans_.emplace(key, plan).first->second;
  }

  std::mutex& mutex() { return mutex_; }

 private:
  static void describe(const CudnnApi& api, ConvPlan& plan, ScalarType dtype,
                       const math::Conv2dShape& s) {
    const cudnnDataType_t type = dtype == kFloat64 ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT;
    NABLA_CUDNN_CHECK(api.create_tensor(&plan.input));
    NABLA_CUDNN_CHECK(api.set_tensor_4d(plan.input, CUDNN_TENSOR_NCHW, type, to_int(s.batch),
                                        to_int(s.in_channels), to_int(s.in_h), to_int(s.in_w)));
    NABLA_CUDNN_CHECK(api.create_tensor(&plan.output));
    NABLA_CUDNN_CHECK(api.set_tensor_4d(plan.output, CUDNN_TENSOR_NCHW, type, to_int(s.batch),
                                        to_int(s.out_channels), to_int(s.out_h), to_int(s.out_w)));
    NABLA_CUDNN_CHECK(api.create_filter(&plan.filter));
    NABLA_CUDNN_CHECK(api.set_filter_4d(plan.filter, type, CUDNN_TENSOR_NCHW,
                                        to_int(s.out_channels), to_int(s.in_per_group()),
                                        to_int(s.kernel_h), to_int(s.kernel_w)));
    NABLA_CUDNN_CHECK(api.create_convolution(&plan.convolution));
    NABLA_CUDNN_CHECK(api.set_convolution_2d(
        plan.convolution, to_int(s.pad_h), to_int(s.pad_w), to_int(s.stride_h), to_int(s.stride_w),
        to_int(s.dilation_h), to_int(s.dilation_w), CUDNN_CROSS_CORRELATION, type));
    NABLA_CUDNN_CHECK(api.set_group_count(plan.convolution, to_int(s.groups)));
  }

  static void destroy(const CudnnApi& api, const ConvPlan& plan) {
    if (plan.input) api.destroy_tensor(plan.input);
    if (plan.output) api.destroy_tensor(plan.output);
    if (plan.filter) api.destroy_filter(plan.filter);
    if (plan.convolution) api.destroy_convolution(plan.convolution);
  }

  static int to_int(int64_t v) {
    NABLA_CHECK(v <= INT32_MAX, "conv2d: dimension ", v, " is too large for cuDNN");
    return static_cast<int>(v);
  }

  std::mutex mutex_;
  cudnnHandle_t handles_[128] = {};
  std::map<PlanKey, ConvPlan> plans_;
};

CudnnState& state() {
  static CudnnState* instance = new CudnnState();  // outlives every static tensor
  return *instance;
}

// Algorithms whose workspace is larger than this are passed over while another is usable.
constexpr size_t kMaxWorkspaceBytes = size_t{1} << 30;

// The first of cuDNN's ranked algorithms that it reports as usable, preferring those whose
// workspace fits within kMaxWorkspaceBytes.
template <typename Perf>
const Perf& first_usable(const Perf* results, int count, const char* what) {
  const Perf* any = nullptr;
  for (int i = 0; i < count; ++i) {
    if (results[i].status != CUDNN_STATUS_SUCCESS) continue;
    if (results[i].memory <= kMaxWorkspaceBytes) return results[i];
    if (any == nullptr) any = &results[i];
  }
  NABLA_CHECK(any != nullptr, "conv2d: cuDNN has no usable ", what, " algorithm for this shape");
  return *any;
}

Tensor workspace(Device device, size_t bytes) {
  return bytes == 0 ? Tensor() : native::empty({static_cast<int64_t>(bytes)}, kUInt8, device);
}

void* data_of(const Tensor& t) {
  return t.defined() ? t.data_ptr() : nullptr;
}

// alpha = 1, beta = 0 in the compute type (double for float64 tensors, float otherwise).
struct Scaling {
  explicit Scaling(ScalarType dtype) : is_double(dtype == kFloat64) {}
  const void* one() const { return is_double ? static_cast<const void*>(&one_d) : &one_f; }
  const void* zero() const { return is_double ? static_cast<const void*>(&zero_d) : &zero_f; }
  bool is_double;
  float one_f = 1, zero_f = 0;
  double one_d = 1, zero_d = 0;
};

}  // namespace

void CudaBackend::conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                         const math::Conv2dShape& s, const Tensor& out) {
  OpScope scope(index_, "conv2d");
  {
    const CudnnApi& api = cudnn_api();
    std::lock_guard<std::mutex> lock(state().mutex());
    cudnnHandle_t handle = state().handle(index_, stream());
    ConvPlan& plan = state().plan(index_, input.dtype(), s);
    if (!plan.have_forward) {
      cudnnConvolutionFwdAlgoPerf_t results[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
      int count = 0;
      NABLA_CUDNN_CHECK(api.set_math_type(plan.convolution, plan.base_math));
      NABLA_CUDNN_CHECK(api.forward_algorithms(handle, plan.input, plan.filter, plan.convolution,
                                               plan.output, CUDNN_CONVOLUTION_FWD_ALGO_COUNT,
                                               &count, results));
      const auto& best = first_usable(results, count, "forward");
      plan.forward_algorithm = best.algo;
      plan.forward_math = best.mathType;
      NABLA_CUDNN_CHECK(api.set_math_type(plan.convolution, best.mathType));
      NABLA_CUDNN_CHECK(api.forward_workspace(handle, plan.input, plan.filter, plan.convolution,
                                              plan.output, best.algo, &plan.forward_workspace));
      plan.have_forward = true;
    }
    NABLA_CUDNN_CHECK(api.set_math_type(plan.convolution, plan.forward_math));
    const Tensor scratch = workspace(input.device(), plan.forward_workspace);
    const Scaling scaling(input.dtype());
    NABLA_CUDNN_CHECK(api.forward(handle, scaling.one(), plan.input, input.data_ptr(), plan.filter,
                                  weight.data_ptr(), plan.convolution, plan.forward_algorithm,
                                  data_of(scratch), plan.forward_workspace, scaling.zero(),
                                  plan.output, out.data_ptr()));
  }
  if (bias.defined()) {
    // out += bias[o], bias seen over out's shape with stride 1 along the channels.
    const Tensor over_out(std::make_shared<TensorImpl>(bias.impl()->storage(), bias.dtype(),
                                                       out.sizes(), Strides{0, 1, 0, 0},
                                                       bias.storage_offset()));
    dispatch_floating(out.dtype(), "conv2d", [&](auto tag) {
      using T = decltype(tag);
      launch_elementwise<T>(stream(), math::Add{}, out, Input<T>{out}, Input<T>{over_out});
    });
  }
  scope.finish();
}

void CudaBackend::conv2d_backward_input(const Tensor& grad_out, const Tensor& weight,
                                        const math::Conv2dShape& s, const Tensor& grad_input) {
  OpScope scope(index_, "conv2d backward");
  const CudnnApi& api = cudnn_api();
  std::lock_guard<std::mutex> lock(state().mutex());
  cudnnHandle_t handle = state().handle(index_, stream());
  ConvPlan& plan = state().plan(index_, weight.dtype(), s);
  if (!plan.have_backward_data) {
    cudnnConvolutionBwdDataAlgoPerf_t results[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
    int count = 0;
    NABLA_CUDNN_CHECK(api.set_math_type(plan.convolution, plan.base_math));
    NABLA_CUDNN_CHECK(
        api.backward_data_algorithms(handle, plan.filter, plan.output, plan.convolution, plan.input,
                                     CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &count, results));
    const auto& best = first_usable(results, count, "backward data");
    plan.backward_data_algorithm = best.algo;
    plan.backward_data_math = best.mathType;
    NABLA_CUDNN_CHECK(api.set_math_type(plan.convolution, best.mathType));
    NABLA_CUDNN_CHECK(api.backward_data_workspace(handle, plan.filter, plan.output,
                                                  plan.convolution, plan.input, best.algo,
                                                  &plan.backward_data_workspace));
    plan.have_backward_data = true;
  }
  NABLA_CUDNN_CHECK(api.set_math_type(plan.convolution, plan.backward_data_math));
  const Tensor scratch = workspace(weight.device(), plan.backward_data_workspace);
  const Scaling scaling(weight.dtype());
  NABLA_CUDNN_CHECK(api.backward_data(
      handle, scaling.one(), plan.filter, weight.data_ptr(), plan.output, grad_out.data_ptr(),
      plan.convolution, plan.backward_data_algorithm, data_of(scratch),
      plan.backward_data_workspace, scaling.zero(), plan.input, grad_input.data_ptr()));
  scope.finish();
}

void CudaBackend::conv2d_backward_weight(const Tensor& grad_out, const Tensor& input,
                                         const math::Conv2dShape& s, const Tensor& grad_weight) {
  OpScope scope(index_, "conv2d backward");
  const CudnnApi& api = cudnn_api();
  std::lock_guard<std::mutex> lock(state().mutex());
  cudnnHandle_t handle = state().handle(index_, stream());
  ConvPlan& plan = state().plan(index_, input.dtype(), s);
  if (!plan.have_backward_filter) {
    cudnnConvolutionBwdFilterAlgoPerf_t results[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
    int count = 0;
    NABLA_CUDNN_CHECK(api.set_math_type(plan.convolution, plan.base_math));
    NABLA_CUDNN_CHECK(api.backward_filter_algorithms(
        handle, plan.input, plan.output, plan.convolution, plan.filter,
        CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &count, results));
    const auto& best = first_usable(results, count, "backward filter");
    plan.backward_filter_algorithm = best.algo;
    plan.backward_filter_math = best.mathType;
    NABLA_CUDNN_CHECK(api.set_math_type(plan.convolution, best.mathType));
    NABLA_CUDNN_CHECK(api.backward_filter_workspace(handle, plan.input, plan.output,
                                                    plan.convolution, plan.filter, best.algo,
                                                    &plan.backward_filter_workspace));
    plan.have_backward_filter = true;
  }
  NABLA_CUDNN_CHECK(api.set_math_type(plan.convolution, plan.backward_filter_math));
  const Tensor scratch = workspace(input.device(), plan.backward_filter_workspace);
  const Scaling scaling(input.dtype());
  NABLA_CUDNN_CHECK(api.backward_filter(
      handle, scaling.one(), plan.input, input.data_ptr(), plan.output, grad_out.data_ptr(),
      plan.convolution, plan.backward_filter_algorithm, data_of(scratch),
      plan.backward_filter_workspace, scaling.zero(), plan.filter, grad_weight.data_ptr()));
  scope.finish();
}

#else  // no cuDNN headers at build time

namespace {
[[noreturn]] void no_cudnn() {
  NABLA_FAIL(
      "conv2d: this build of nabla has no cuDNN (its headers were not found when it was "
      "built), so convolutions cannot run on CUDA; rebuild with cuDNN installed (CMake "
      "option CUDNN_ROOT), or run the model on the CPU");
}
}  // namespace

void CudaBackend::conv2d(const Tensor&, const Tensor&, const Tensor&, const math::Conv2dShape&,
                         const Tensor&) {
  no_cudnn();
}
void CudaBackend::conv2d_backward_input(const Tensor&, const Tensor&, const math::Conv2dShape&,
                                        const Tensor&) {
  no_cudnn();
}
void CudaBackend::conv2d_backward_weight(const Tensor&, const Tensor&, const math::Conv2dShape&,
                                         const Tensor&) {
  no_cudnn();
}

#endif

}  // namespace nabla::cuda_backend

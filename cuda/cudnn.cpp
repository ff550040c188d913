// Loads cuDNN on first use (see cudnn.h).
#include <nabla/cuda/cudnn.h>

#if defined(NABLA_WITH_CUDNN)
#include <dlfcn.h>

#include <string>

#include <nabla/core/error.h>
#include <nabla/cuda/library.h>

namespace nabla::cuda_backend {
namespace {

CudnnApi load() {
  const std::string soname = "libcudnn.so." + std::to_string(CUDNN_MAJOR);
  void* library = open_library(soname, NABLA_CUDNN_LIBRARY_DIR, "cuDNN",
                               "convolutions on CUDA need cuDNN " + std::to_string(CUDNN_MAJOR));
  CudnnApi api{};
  const auto find = [&](const char* name, auto& fn) {
    resolve(library, name, soname, "cuDNN", fn);
  };
  find("cudnnGetErrorString", api.get_error_string);
  find("cudnnCreate", api.create);
  find("cudnnSetStream", api.set_stream);
  find("cudnnCreateTensorDescriptor", api.create_tensor);
  find("cudnnSetTensor4dDescriptor", api.set_tensor_4d);
  find("cudnnCreateFilterDescriptor", api.create_filter);
  find("cudnnSetFilter4dDescriptor", api.set_filter_4d);
  find("cudnnCreateConvolutionDescriptor", api.create_convolution);
  find("cudnnDestroyTensorDescriptor", api.destroy_tensor);
  find("cudnnDestroyFilterDescriptor", api.destroy_filter);
  find("cudnnDestroyConvolutionDescriptor", api.destroy_convolution);
  find("cudnnSetConvolution2dDescriptor", api.set_convolution_2d);
  find("cudnnSetConvolutionGroupCount", api.set_group_count);
  find("cudnnSetConvolutionMathType", api.set_math_type);
  find("cudnnGetConvolutionForwardAlgorithm_v7", api.forward_algorithms);
  find("cudnnGetConvolutionBackwardDataAlgorithm_v7", api.backward_data_algorithms);
  find("cudnnGetConvolutionBackwardFilterAlgorithm_v7", api.backward_filter_algorithms);
  find("cudnnGetConvolutionForwardWorkspaceSize", api.forward_workspace);
  find("cudnnGetConvolutionBackwardDataWorkspaceSize", api.backward_data_workspace);
  find("cudnnGetConvolutionBackwardFilterWorkspaceSize", api.backward_filter_workspace);
  find("cudnnConvolutionForward", api.forward);
  find("cudnnConvolutionBackwardData", api.backward_data);
  find("cudnnConvolutionBackwardFilter", api.backward_filter);
  return api;  // the library stays loaded for the life of the process
}

}  // namespace

const CudnnApi& cudnn_api() {
  return load_once(load);
}

}  // namespace nabla::cuda_backend
#endif

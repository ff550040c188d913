// cuDNN, loaded when the first convolution runs on a GPU rather than linked, as cuBLAS is (see
// cublas.h): the legacy convolution API of cuDNN 9, resolved by name from libcudnn.so.<major>.
// Builds without cuDNN's headers have no NABLA_WITH_CUDNN, and convolutions on CUDA then say so.
#pragma once

#if defined(NABLA_WITH_CUDNN)
#include <cudnn.h>

namespace nabla::cuda_backend {

struct CudnnApi {
  decltype(&cudnnGetErrorString) get_error_string;
  decltype(&cudnnCreate) create;
  decltype(&cudnnSetStream) set_stream;
  decltype(&cudnnCreateTensorDescriptor) create_tensor;
  decltype(&cudnnSetTensor4dDescriptor) set_tensor_4d;
  decltype(&cudnnCreateFilterDescriptor) create_filter;
  decltype(&cudnnSetFilter4dDescriptor) set_filter_4d;
  decltype(&cudnnCreateConvolutionDescriptor) create_convolution;
  decltype(&cudnnDestroyTensorDescriptor) destroy_tensor;
  decltype(&cudnnDestroyFilterDescriptor) destroy_filter;
  decltype(&cudnnDestroyConvolutionDescriptor) destroy_convolution;
  decltype(&cudnnSetConvolution2dDescriptor) set_convolution_2d;
  decltype(&cudnnSetConvolutionGroupCount) set_group_count;
  decltype(&cudnnSetConvolutionMathType) set_math_type;
  decltype(&cudnnGetConvolutionForwardAlgorithm_v7) forward_algorithms;
  decltype(&cudnnGetConvolutionBackwardDataAlgorithm_v7) backward_data_algorithms;
  decltype(&cudnnGetConvolutionBackwardFilterAlgorithm_v7) backward_filter_algorithms;
  decltype(&cudnnGetConvolutionForwardWorkspaceSize) forward_workspace;
  decltype(&cudnnGetConvolutionBackwardDataWorkspaceSize) backward_data_workspace;
  decltype(&cudnnGetConvolutionBackwardFilterWorkspaceSize) backward_filter_workspace;
  decltype(&cudnnConvolutionForward) forward;
  decltype(&cudnnConvolutionBackwardData) backward_data;
  decltype(&cudnnConvolutionBackwardFilter) backward_filter;
};

// The loaded functions; throws nabla::Error saying which library or symbol is missing.
const CudnnApi& cudnn_api();

}  // namespace nabla::cuda_backend

#define NABLA_CUDNN_CHECK(call)                                                                \
  do {                                                                                         \
    const cudnnStatus_t nabla_cudnn_status = (call);                                           \
    if (nabla_cudnn_status != CUDNN_STATUS_SUCCESS) {                                          \
      ::nabla::cuda_backend::throw_cudnn_error(nabla_cudnn_status, #call, __FILE__, __LINE__); \
    }                                                                                          \
  } while (false)

namespace nabla::cuda_backend {
[[noreturn]] void throw_cudnn_error(cudnnStatus_t status, const char* call, const char* file,
                                    int line);
}  // namespace nabla::cuda_backend
#endif

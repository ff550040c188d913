// Copies that involve a GPU: within a device (converting dtypes, any strides, broadcast sources),
// from the host, to the host, and between devices. A plain contiguous copy is one cudaMemcpyAsync;
// anything else is staged so that the conversion and the strides are handled by the elementwise
// kernel on the device. Only copies to the host wait for the device.
#include <nabla/core/math/convert.h>
#include <nabla/core/native.h>
#include <nabla/cuda/backend.h>
#include <nabla/cuda/loops.cuh>

namespace nabla::cuda_backend {
namespace {

bool plain_copy(const Tensor& src, const Tensor& dst) {
  return src.dtype() == dst.dtype() && src.is_contiguous() && dst.is_contiguous() &&
         src.sizes() == dst.sizes();
}

size_t bytes_of(const Tensor& t) {
  return static_cast<size_t>(t.numel()) * t.element_size();
}

// dst = src on one device, converting dtype and following both tensors' strides.
void copy_on_device(cudaStream_t stream, const Tensor& src, const Tensor& dst) {
  if (dst.numel() == 0) return;
  if (plain_copy(src, dst)) {
    NABLA_CUDA_CHECK(cudaMemcpyAsync(dst.data_ptr(), src.data_ptr(), bytes_of(dst),
                                     cudaMemcpyDeviceToDevice, stream));
    return;
  }
  dispatch_dtype(src.dtype(), "copy_", [&](auto in_tag) {
    using In = decltype(in_tag);
    dispatch_dtype(dst.dtype(), "copy_", [&](auto out_tag) {
      using Out = decltype(out_tag);
      launch_elementwise<Out>(stream, math::ConvertTo<Out>{}, dst, Input<In>{src});
    });
  });
}

}  // namespace

void CudaBackend::copy(const Tensor& src, const Tensor& dst) {
  OpScope scope(index_, "copy_");
  if (dst.numel() == 0) return;
  if (src.is_cuda() && dst.is_cuda() && src.device() == dst.device()) {
    copy_on_device(stream(), src, dst);
  } else if (src.is_cpu()) {
    // Host to device: the host side is made contiguous in its own dtype and uploaded through
    // pinned staging (the host tensor may change or go as soon as this returns), and whatever
    // conversion or strides dst needs happens on the device.
    const Tensor host = native::contiguous(src);
    if (plain_copy(host, dst)) {
      context_.upload(dst.data_ptr(), host.data_ptr(), bytes_of(dst));
    } else {
      const Tensor staged = native::empty(host.sizes(), host.dtype(), dst.device());
      context_.upload(staged.data_ptr(), host.data_ptr(), bytes_of(staged));
      copy_on_device(stream(), staged, dst);
    }
  } else if (dst.is_cpu()) {
    // Device to host: converted and made contiguous on the device, copied, then the host writes
    // dst's strides. The one place (with synchronize) where the host waits for the device.
    Tensor source = src;
    if (!plain_copy(src, dst)) {
      source = native::empty(dst.sizes(), dst.dtype(), src.device());
      copy_on_device(stream(), src, source);
    }
    const Tensor landing =
        dst.is_contiguous() ? dst : native::empty(dst.sizes(), dst.dtype(), dst.device());
    NABLA_CUDA_CHECK(cudaMemcpyAsync(landing.data_ptr(), source.data_ptr(), bytes_of(landing),
                                     cudaMemcpyDeviceToHost, stream()));
    context_.synchronize();
    if (!landing.is_alias_of(dst)) backend_for(dst.device()).copy(landing, dst);
  } else {
    // Between two GPUs (this backend is dst's): the source, converted and contiguous, is finished
    // on its own device, copied peer to peer, and the copy finished before the source is freed.
    const Tensor source = native::contiguous(native::to(src, dst.dtype()));
    cuda_backend::context(src.device().index()).synchronize();
    const Tensor target =
        dst.is_contiguous() ? dst : native::empty(dst.sizes(), dst.dtype(), dst.device());
    NABLA_CUDA_CHECK(cudaMemcpyPeerAsync(target.data_ptr(), index_, source.data_ptr(),
                                         src.device().index(), bytes_of(target), stream()));
    if (!target.is_alias_of(dst)) copy_on_device(stream(), target, dst);
    context_.synchronize();
  }
  scope.finish();
}

}  // namespace nabla::cuda_backend

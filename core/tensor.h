// Tensor: a cheap, reference-counted handle to a TensorImpl. Copying a Tensor shares its data, as
// in libtorch. The metadata accessors are defined in core; the ops (everything differentiable) are
// declared here for libtorch-style `x.exp()` and defined in autograd/, which records the graph.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <nabla/core/device.h>
#include <nabla/core/dtype.h>
#include <nabla/core/scalar.h>
#include <nabla/core/shape.h>
#include <nabla/core/tensor_impl.h>
#include <nabla/core/tensor_options.h>

namespace nabla {

namespace autograd {
class Node;  // a recorded op of the autograd graph; defined in autograd/node.h
}  // namespace autograd

namespace indexing {
class TensorIndex;  // one entry of t.index({...}); defined in core/indexing.h
}  // namespace indexing

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // --- metadata (core) ---------------------------------------------------------------------------
  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  const Shape& sizes() const { return checked().sizes(); }
  const Shape& shape() const { return sizes(); }
  int64_t size(int64_t dim) const;
  int64_t dim() const { return checked().sizes().size(); }
  int64_t numel() const { return checked().numel(); }
  const Strides& strides() const { return checked().strides(); }
  int64_t stride(int64_t dim) const;
  int64_t storage_offset() const { return checked().storage_offset(); }
  ScalarType dtype() const { return checked().dtype(); }
  ScalarType scalar_type() const { return dtype(); }
  Device device() const { return checked().device(); }
  bool is_cpu() const { return device().is_cpu(); }
  bool is_cuda() const { return device().is_cuda(); }
  bool is_floating_point() const { return nabla::is_floating_point(dtype()); }
  bool is_contiguous() const { return checked().is_contiguous(); }
  size_t element_size() const { return nabla::element_size(dtype()); }
  TensorOptions options() const { return TensorOptions(dtype()).device(device()); }
  // True when both handles view the same storage (like libtorch's is_alias_of).
  bool is_alias_of(const Tensor& other) const;

  void* data_ptr() const { return checked().data(); }
  // Typed pointer to the first element; T must match the dtype.
  template <typename T>
  T* data_ptr() const;
  // The single element, converted to T; an error unless numel() == 1.
  template <typename T>
  T item() const;
  Scalar item() const;
  // All elements in row-major order, converted to T (copies to the CPU if needed). For tests and
  // I/O.
  template <typename T>
  std::vector<T> to_vector() const;
  std::string str() const;
  // Makes this tensor (and every handle to it) refer to `other`'s data; see TensorImpl::set_data.
  void set_data(const Tensor& other) const { impl_->set_data(other.checked()); }

  // --- autograd (defined in autograd/)
  // ------------------------------------------------------------
  bool requires_grad() const;
  // Marks a leaf as requiring grad (floating dtypes only); returns *this, like requires_grad_().
  Tensor& set_requires_grad(bool requires_grad);
  Tensor& requires_grad_(bool requires_grad = true) { return set_requires_grad(requires_grad); }
  // The accumulated gradient of a leaf (or of a non-leaf after retain_grad()); undefined before.
  const Tensor& grad() const;
  Tensor& mutable_grad();
  // A leaf was created by the user, not by an op that recorded a node.
  bool is_leaf() const;
  // The node that produced this tensor, or null for leaves.
  std::shared_ptr<autograd::Node> grad_fn() const;
  // Keeps the gradient of this non-leaf tensor in grad() during backward.
  void retain_grad() const;
  bool retains_grad() const;
  // Reverse-mode backprop from this tensor. A non-scalar needs `gradient` of its shape. The graph
  // is freed afterwards unless retain_graph.
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false) const;
  // A tensor sharing this one's data, outside the graph.
  Tensor detach() const;
  // Calls `hook(grad)` with this tensor's gradient during backward; a hook that returns a defined
  // tensor replaces the gradient. Returns the hook's index.
  template <typename Hook>
  size_t register_hook(Hook&& hook) const {
    if constexpr (std::is_void_v<std::invoke_result_t<Hook, const Tensor&>>) {
      return register_hook_impl([hook = std::forward<Hook>(hook)](const Tensor& grad) {
        hook(grad);
        return Tensor();
      });
    } else {
      return register_hook_impl(std::function<Tensor(const Tensor&)>(std::forward<Hook>(hook)));
    }
  }
  // Calls `hook(*this)` each time backward has accumulated a gradient into this leaf's grad()
  // (PyTorch's register_post_accumulate_grad_hook): the moment the gradient of a step is complete,
  // which is when DistributedDataParallel sends it to the other processes.
  void register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) const;
  // How many times the data was modified in place (shared by all views of the storage).
  uint64_t version() const { return checked().storage()->version(); }

  // --- views and copies (defined in autograd/) ---------------------------------------------------
  Tensor view(const Shape& shape) const;
  Tensor reshape(const Shape& shape) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;
  Tensor permute(const Shape& dims) const;
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor operator[](int64_t index) const { return select(0, index); }
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor expand(const Shape& shape) const;
  Tensor expand_as(const Tensor& other) const { return expand(other.sizes()); }
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;
  std::vector<Tensor> unbind(int64_t dim = 0) const;
  Tensor repeat(const Shape& repeats) const;
  Tensor flip(const Shape& dims) const;
  Tensor movedim(int64_t source, int64_t destination) const;
  Tensor unflatten(int64_t dim, const Shape& sizes) const;
  Tensor contiguous() const;
  Tensor clone() const;
  Tensor to(ScalarType dtype) const;
  Tensor to(Device device) const;
  Tensor to(Device device, ScalarType dtype) const;
  Tensor cpu() const { return to(Device(kCPU)); }
  Tensor cuda() const { return to(Device(kCUDA, 0)); }

  // --- elementwise (defined in autograd/) --------------------------------------------------------
  Tensor neg() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor abs() const;
  Tensor relu() const;
  Tensor sin() const;
  Tensor cos() const;
  Tensor tan() const;
  Tensor log1p() const;
  Tensor expm1() const;
  Tensor log2() const;
  Tensor log10() const;
  Tensor rsqrt() const;
  Tensor reciprocal() const;
  Tensor square() const;
  Tensor erf() const;
  Tensor sign() const;
  Tensor floor() const;
  Tensor ceil() const;
  Tensor round() const;
  Tensor trunc() const;
  Tensor lerp(const Tensor& end, const Scalar& weight) const;
  Tensor lerp(const Tensor& end, const Tensor& weight) const;
  Tensor addcmul(const Tensor& tensor1, const Tensor& tensor2, const Scalar& value = 1) const;
  Tensor addcdiv(const Tensor& tensor1, const Tensor& tensor2, const Scalar& value = 1) const;
  Tensor sigmoid() const;
  Tensor tanh() const;
  Tensor pow(const Scalar& exponent) const;
  Tensor clamp(const Scalar& min, const Scalar& max) const;
  Tensor clamp_min(const Scalar& min) const;
  Tensor clamp_max(const Scalar& max) const;
  Tensor add(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor sub(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor mul(const Tensor& other) const;
  Tensor div(const Tensor& other) const;
  // With a number, as libtorch's methods take one: x.add(1), x.mul(2), x.eq(0).
  Tensor add(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor sub(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor mul(const Scalar& other) const;
  Tensor div(const Scalar& other) const;
  // div with rounding_mode "trunc" or "floor" (no gradient: the result is piecewise constant).
  Tensor div(const Tensor& other, const std::string& rounding_mode) const;
  Tensor remainder(const Tensor& other) const;
  Tensor remainder(const Scalar& other) const;
  Tensor fmod(const Tensor& other) const;
  Tensor fmod(const Scalar& other) const;
  Tensor floor_divide(const Tensor& other) const;
  Tensor floor_divide(const Scalar& other) const;
  Tensor maximum(const Tensor& other) const;
  Tensor minimum(const Tensor& other) const;
  Tensor eq(const Tensor& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor le(const Tensor& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor ge(const Tensor& other) const;
  Tensor eq(const Scalar& other) const;
  Tensor ne(const Scalar& other) const;
  Tensor lt(const Scalar& other) const;
  Tensor le(const Scalar& other) const;
  Tensor gt(const Scalar& other) const;
  Tensor ge(const Scalar& other) const;

  // --- reductions (defined in autograd/) ---------------------------------------------------------
  Tensor sum() const;
  Tensor sum(const Shape& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const Shape& dims, bool keepdim = false) const;
  // In `dtype`: the input is converted first (sum(kInt64) of bools, sum(kFloat64) of float32).
  Tensor sum(ScalarType dtype) const;
  Tensor sum(const Shape& dims, bool keepdim, ScalarType dtype) const;
  Tensor mean(ScalarType dtype) const;
  Tensor mean(const Shape& dims, bool keepdim, ScalarType dtype) const;
  Tensor max() const;
  Tensor min() const;
  // Values and int64 indices of the maximum along `dim` (like torch::max(x, dim)).
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  std::tuple<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor amax(const Shape& dims, bool keepdim = false) const;
  Tensor amin(const Shape& dims, bool keepdim = false) const;
  Tensor prod() const;
  Tensor prod(const Shape& dims, bool keepdim = false) const;
  Tensor var(const Shape& dims = {}, int64_t correction = 1, bool keepdim = false) const;
  Tensor std(const Shape& dims = {}, int64_t correction = 1, bool keepdim = false) const;
  Tensor norm(double p = 2, const Shape& dims = {}, bool keepdim = false) const;
  Tensor logsumexp(const Shape& dims, bool keepdim = false) const;
  Tensor all() const;
  Tensor any() const;
  Tensor logical_not() const;
  Tensor isnan() const;
  Tensor isinf() const;
  Tensor isfinite() const;
  bool allclose(const Tensor& other, double rtol = 1e-5, double atol = 1e-8,
                bool equal_nan = false) const;
  bool equal(const Tensor& other) const;
  Tensor argmax() const;
  Tensor argmax(int64_t dim, bool keepdim = false) const;
  Tensor argmin() const;
  Tensor argmin(int64_t dim, bool keepdim = false) const;

  // --- linear algebra, indexing, softmax (defined in autograd/) ----------------------------------
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& other) const;
  Tensor bmm(const Tensor& other) const;
  Tensor outer(const Tensor& other) const;
  Tensor addmm(const Tensor& mat1, const Tensor& mat2, const Scalar& beta = 1,
               const Scalar& alpha = 1) const;
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor gather(int64_t dim, const Tensor& index) const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;

  // --- indexing as libtorch's (defined in autograd/ops/indexing.cpp)
  // ------------------------------ t.index({Slice(), 0}), t.index({"...", None, mask}):
  // core/indexing.h has the index kinds.
  Tensor index(std::initializer_list<indexing::TensorIndex> indices) const;
  Tensor index(const std::vector<indexing::TensorIndex>& indices) const;
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Tensor& value);
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Scalar& value);
  Tensor& index_put_(const std::vector<indexing::TensorIndex>& indices, const Tensor& value);
  Tensor& index_put_(const std::vector<indexing::TensorIndex>& indices, const Scalar& value);
  // --- masks, scatters and index adds (defined in autograd/ops/index.cpp) ----------------------
  // self where mask is false, value where it is true (mask broadcasts to self).
  Tensor masked_fill(const Tensor& mask, const Scalar& value) const;
  Tensor masked_fill(const Tensor& mask, const Tensor& value) const;
  Tensor& masked_fill_(const Tensor& mask, const Scalar& value);
  Tensor& masked_fill_(const Tensor& mask, const Tensor& value);
  // The elements where mask is true, as a 1-D tensor (mask and self broadcast together).
  Tensor masked_select(const Tensor& mask) const;
  // The int64 coordinates [count, dim] of the nonzero elements, in row-major order.
  Tensor nonzero() const;
  // self with self[..index[..i..]..] along dim replaced by src[..i..] (or value), as torch.scatter.
  Tensor scatter(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Scalar& value) const;
  Tensor& scatter_(int64_t dim, const Tensor& index, const Tensor& src);
  Tensor& scatter_(int64_t dim, const Tensor& index, const Scalar& value);
  Tensor scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor& scatter_add_(int64_t dim, const Tensor& index, const Tensor& src);
  // self with src added at self.index_select(dim, index)'s positions, times alpha.
  Tensor index_add(int64_t dim, const Tensor& index, const Tensor& source,
                   const Scalar& alpha = 1) const;
  Tensor& index_add_(int64_t dim, const Tensor& index, const Tensor& source,
                     const Scalar& alpha = 1);

  // --- sorting and scans (defined in autograd/ops/sort.cpp) --------------------------------------
  std::tuple<Tensor, Tensor> sort(int64_t dim = -1, bool descending = false) const;
  Tensor argsort(int64_t dim = -1, bool descending = false) const;
  std::tuple<Tensor, Tensor> topk(int64_t k, int64_t dim = -1, bool largest = true,
                                  bool sorted = true) const;
  Tensor cumsum(int64_t dim, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor cumprod(int64_t dim, std::optional<ScalarType> dtype = std::nullopt) const;

  // --- in place: these bump the version counter (defined in autograd/) ---------------------------
  Tensor& fill_(const Scalar& value);
  Tensor& zero_() { return fill_(0); }
  Tensor& copy_(const Tensor& src);
  Tensor& add_(const Tensor& other, const Scalar& alpha = 1);
  Tensor& add_(const Scalar& other);
  Tensor& sub_(const Tensor& other, const Scalar& alpha = 1);
  Tensor& mul_(const Tensor& other);
  Tensor& sub_(const Scalar& other);
  Tensor& mul_(const Scalar& other);
  Tensor& div_(const Tensor& other);
  Tensor& div_(const Scalar& other);
  Tensor& neg_();
  Tensor& exp_();
  Tensor& log_();
  Tensor& sqrt_();
  Tensor& abs_();
  Tensor& relu_();
  Tensor& sigmoid_();
  Tensor& tanh_();
  Tensor& pow_(const Scalar& exponent);
  Tensor& clamp_(const std::optional<Scalar>& min, const std::optional<Scalar>& max);
  Tensor& clamp_min_(const Scalar& min);
  Tensor& clamp_max_(const Scalar& max);
  Tensor& remainder_(const Scalar& other);
  Tensor& remainder_(const Tensor& other);
  Tensor& fmod_(const Scalar& other);
  Tensor& fmod_(const Tensor& other);
  Tensor& floor_divide_(const Scalar& other);
  Tensor& floor_divide_(const Tensor& other);
  Tensor& sin_();
  Tensor& cos_();
  Tensor& tan_();
  Tensor& log1p_();
  Tensor& expm1_();
  Tensor& log2_();
  Tensor& log10_();
  Tensor& rsqrt_();
  Tensor& reciprocal_();
  Tensor& square_();
  Tensor& erf_();
  Tensor& sign_();
  Tensor& floor_();
  Tensor& ceil_();
  Tensor& round_();
  Tensor& trunc_();
  Tensor& lerp_(const Tensor& end, const Scalar& weight);
  Tensor& lerp_(const Tensor& end, const Tensor& weight);
  Tensor& addcmul_(const Tensor& tensor1, const Tensor& tensor2, const Scalar& value = 1);
  Tensor& addcdiv_(const Tensor& tensor1, const Tensor& tensor2, const Scalar& value = 1);
  // Refills with draws from the default generator's Philox stream (floating tensors):
  // N(mean, std^2), U[from, to), and Bernoulli(p) as 0 or 1.
  Tensor& normal_(double mean = 0, double std = 1);
  Tensor& uniform_(double from = 0, double to = 1);
  Tensor& bernoulli_(double p = 0.5);

 private:
  const TensorImpl& checked() const {
    if (__builtin_expect(impl_ == nullptr, 0)) throw_undefined();
    return *impl_;
  }
  [[noreturn]] static void throw_undefined();
  size_t register_hook_impl(std::function<Tensor(const Tensor&)> hook) const;
  std::shared_ptr<TensorImpl> impl_;
};

// Prints like PyTorch: tensor([[1., 2.],\n        [3., 4.]], dtype=float64).
std::ostream& operator<<(std::ostream& out, const Tensor& t);

}  // namespace nabla

// The public ops, as free functions and operators named as in libtorch. Each is differentiable
// where its math allows: autograd/ops/*.cpp holds each op family's forward call and backward.
#pragma once

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <nabla/core/indexing.h>
#include <nabla/core/tensor.h>

namespace nabla {

// --- elementwise ---------------------------------------------------------------------------------
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor relu(const Tensor& x);
// Trigonometric, logarithmic and exponential math, reciprocals, rounding (round is half to
// even), sign and erf; floating results for integer inputs where the math needs them.
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor tan(const Tensor& x);
Tensor log1p(const Tensor& x);
Tensor expm1(const Tensor& x);
Tensor log2(const Tensor& x);
Tensor log10(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor reciprocal(const Tensor& x);
Tensor square(const Tensor& x);
Tensor erf(const Tensor& x);
Tensor sign(const Tensor& x);
Tensor floor(const Tensor& x);
Tensor ceil(const Tensor& x);
Tensor round(const Tensor& x);
Tensor trunc(const Tensor& x);
// start + weight * (end - start); self + value * tensor1 * tensor2; self + value * tensor1 /
// tensor2.
Tensor lerp(const Tensor& start, const Tensor& end, const Scalar& weight);
Tensor lerp(const Tensor& start, const Tensor& end, const Tensor& weight);
Tensor addcmul(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
               const Scalar& value = 1);
Tensor addcdiv(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
               const Scalar& value = 1);
// remainder takes the divisor's sign (Python's %), fmod the dividend's (C's %); floor_divide and
// div's rounding_mode ("trunc" or "floor") round the quotient. Integer division by zero is an
// error.
Tensor remainder(const Tensor& a, const Tensor& b);
Tensor remainder(const Tensor& a, const Scalar& b);
Tensor fmod(const Tensor& a, const Tensor& b);
Tensor fmod(const Tensor& a, const Scalar& b);
Tensor floor_divide(const Tensor& a, const Tensor& b);
Tensor floor_divide(const Tensor& a, const Scalar& b);
Tensor div(const Tensor& a, const Tensor& b, const std::string& rounding_mode);
Tensor operator%(const Tensor& a, const Tensor& b);  // remainder, as in libtorch
Tensor operator%(const Tensor& a, const Scalar& b);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor pow(const Tensor& x, const Scalar& exponent);
Tensor clamp(const Tensor& x, const std::optional<Scalar>& min, const std::optional<Scalar>& max);

Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha = 1);
Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha = 1);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, const Scalar& b);
Tensor sub(const Tensor& a, const Scalar& b);
Tensor mul(const Tensor& a, const Scalar& b);
Tensor div(const Tensor& a, const Scalar& b);
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, const Scalar& b);
Tensor ne(const Tensor& a, const Scalar& b);
Tensor lt(const Tensor& a, const Scalar& b);
Tensor le(const Tensor& a, const Scalar& b);
Tensor gt(const Tensor& a, const Scalar& b);
Tensor ge(const Tensor& a, const Scalar& b);
// condition ? a : b, broadcasting all three; condition must be bool.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);

Tensor operator-(const Tensor& x);
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, const Scalar& b);
Tensor operator-(const Tensor& a, const Scalar& b);
Tensor operator*(const Tensor& a, const Scalar& b);
Tensor operator/(const Tensor& a, const Scalar& b);
Tensor operator+(const Scalar& a, const Tensor& b);
Tensor operator-(const Scalar& a, const Tensor& b);
Tensor operator*(const Scalar& a, const Tensor& b);
Tensor operator/(const Scalar& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Scalar& b);
Tensor operator!=(const Tensor& a, const Scalar& b);
Tensor operator<(const Tensor& a, const Scalar& b);
Tensor operator<=(const Tensor& a, const Scalar& b);
Tensor operator>(const Tensor& a, const Scalar& b);
Tensor operator>=(const Tensor& a, const Scalar& b);
Tensor& operator+=(Tensor& a, const Tensor& b);
Tensor& operator-=(Tensor& a, const Tensor& b);
Tensor& operator*=(Tensor& a, const Tensor& b);
Tensor& operator/=(Tensor& a, const Tensor& b);
Tensor& operator+=(Tensor& a, const Scalar& b);
Tensor& operator-=(Tensor& a, const Scalar& b);
Tensor& operator*=(Tensor& a, const Scalar& b);
Tensor& operator/=(Tensor& a, const Scalar& b);

// --- reductions ----------------------------------------------------------------------------------
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, const Shape& dims, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const Shape& dims, bool keepdim = false);
// The same in `dtype`, the input converted first (torch.sum's and torch.mean's dtype=).
Tensor sum(const Tensor& x, ScalarType dtype);
Tensor sum(const Tensor& x, const Shape& dims, bool keepdim, ScalarType dtype);
Tensor mean(const Tensor& x, ScalarType dtype);
Tensor mean(const Tensor& x, const Shape& dims, bool keepdim, ScalarType dtype);
Tensor max(const Tensor& x);
Tensor min(const Tensor& x);
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim = false);
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor amax(const Tensor& x, const Shape& dims, bool keepdim = false);
Tensor amin(const Tensor& x, const Shape& dims, bool keepdim = false);
Tensor argmax(const Tensor& x);
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor argmin(const Tensor& x);
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim = false);

// prod, and the statistics over `dims` (all dims when empty): var and std divide by
// n - correction (1: Bessel's); norm's p is 1, 2, inf, -inf, 0 (the count of nonzeros) or any
// positive p, and "fro" is 2; logsumexp is log(sum(exp(x))) without overflow.
Tensor prod(const Tensor& x);
Tensor prod(const Tensor& x, const Shape& dims, bool keepdim = false);
Tensor var(const Tensor& x, const Shape& dims = {}, int64_t correction = 1, bool keepdim = false);
Tensor std(const Tensor& x, const Shape& dims = {}, int64_t correction = 1, bool keepdim = false);
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, const Shape& dims = {}, int64_t correction = 1,
                                    bool keepdim = false);
Tensor norm(const Tensor& x, double p = 2, const Shape& dims = {}, bool keepdim = false);
Tensor norm(const Tensor& x, const std::string& p, const Shape& dims = {}, bool keepdim = false);
Tensor logsumexp(const Tensor& x, const Shape& dims, bool keepdim = false);
// bool results: whether all (any) elements are nonzero, over dims; and the count of nonzeros.
Tensor all(const Tensor& x);
Tensor all(const Tensor& x, const Shape& dims, bool keepdim = false);
Tensor any(const Tensor& x);
Tensor any(const Tensor& x, const Shape& dims, bool keepdim = false);
Tensor count_nonzero(const Tensor& x, const Shape& dims = {});

// --- logic: bool results, any dtype (nonzero is true); bitwise ops on bool and integers ----------
Tensor logical_not(const Tensor& x);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_xor(const Tensor& a, const Tensor& b);
Tensor bitwise_not(const Tensor& x);
Tensor bitwise_and(const Tensor& a, const Tensor& b);
Tensor bitwise_or(const Tensor& a, const Tensor& b);
Tensor bitwise_xor(const Tensor& a, const Tensor& b);
Tensor operator~(const Tensor& x);
Tensor operator&(const Tensor& a, const Tensor& b);
Tensor operator|(const Tensor& a, const Tensor& b);
Tensor operator^(const Tensor& a, const Tensor& b);
Tensor isnan(const Tensor& x);
Tensor isinf(const Tensor& x);
Tensor isfinite(const Tensor& x);
// NaN becomes `nan` (0), +inf `posinf` and -inf `neginf` (the dtype's extremes by default).
Tensor nan_to_num(const Tensor& x, std::optional<double> nan = std::nullopt,
                  std::optional<double> posinf = std::nullopt,
                  std::optional<double> neginf = std::nullopt);
// Whether |a - b| <= atol + rtol |b| everywhere (broadcasting); reads the answer back.
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8,
              bool equal_nan = false);
// Same shape and the same values (NaN is not equal to itself).
bool equal(const Tensor& a, const Tensor& b);

// --- linear algebra, indexing, softmax -----------------------------------------------------------
// 1-D, 2-D and batched 3-D (or more) products; the batch dims broadcast.
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
// [B, n, k] @ [B, k, m]; the outer product [n] x [m] -> [n, m]; beta * self + alpha * (mat1 @
// mat2), where self broadcasts to the product (with beta 0 self is ignored, NaN included).
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor outer(const Tensor& a, const Tensor& b);
Tensor addmm(const Tensor& self, const Tensor& mat1, const Tensor& mat2, const Scalar& beta = 1,
             const Scalar& alpha = 1);
// input @ weight^T + bias for input [..., in], weight [out, in] and bias [out] (or undefined:
// none), as torch::linear; one graph node.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor());
// Contractions written as in torch.einsum, e.g. "bij,bjk->bik", "ij->ji", "i,i->", "bi,bj->bij":
// one or two operands, each label a dim; labels missing from the output are summed over.
Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);
// self with src (or value) written at index along dim: self[..index[..i..]..] = src[..i..];
// scatter_add adds instead, index_add adds source's slices at index (times alpha).
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index, const Scalar& value);
Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
Tensor index_add(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
                 const Scalar& alpha = 1);
// value where the bool mask (broadcast to self's shape) is true; value is a Scalar or 0-dim.
Tensor masked_fill(const Tensor& self, const Tensor& mask, const Scalar& value);
Tensor masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value);
// The elements where mask is true, 1-D, in row-major order (self and mask broadcast together).
Tensor masked_select(const Tensor& self, const Tensor& mask);
// int64 [count, dim]: the coordinates of x's nonzero elements, row-major. Reads the count back.
Tensor nonzero(const Tensor& x);
// self.index(indices) and a copy of self with value written at indices (differentiable in both);
// core/indexing.h describes the index kinds.
Tensor index(const Tensor& self, const std::vector<indexing::TensorIndex>& indices);
Tensor index_put(const Tensor& self, const std::vector<indexing::TensorIndex>& indices,
                 const Tensor& value);
// int64 labels [...] -> int64 [..., num_classes]; num_classes -1 means labels.max() + 1.
Tensor one_hot(const Tensor& labels, int64_t num_classes = -1);

// --- convolution, pooling, normalization (NCHW; a 3-D input is one unbatched sample)
// ---------------- Stride, padding, dilation and kernel sizes take one value for both dims or
// (height, width). conv2d: weight [out_channels, in_channels / groups, kH, kW], bias [out_channels]
// or undefined.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
              const Shape& stride = {1}, const Shape& padding = {0}, const Shape& dilation = {1},
              int64_t groups = 1);
// An empty stride means the kernel size. The indices give each maximum's position h * W + w in
// its input plane.
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const Shape& kernel_size,
                                                   const Shape& stride = {},
                                                   const Shape& padding = {0},
                                                   const Shape& dilation = {1},
                                                   bool ceil_mode = false);
Tensor max_pool2d(const Tensor& input, const Shape& kernel_size, const Shape& stride = {},
                  const Shape& padding = {0}, const Shape& dilation = {1}, bool ceil_mode = false);
Tensor avg_pool2d(const Tensor& input, const Shape& kernel_size, const Shape& stride = {},
                  const Shape& padding = {0}, bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);
Tensor adaptive_avg_pool2d(const Tensor& input, const Shape& output_size);
// Normalizes each channel (dim 1) over all other dims: with the batch's statistics in training
// (moving running_mean and running_var, when defined, by momentum), else with the running ones.
Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var, bool training,
                  double momentum = 0.1, double eps = 1e-5);

// --- joining, splitting, reshaping
// ---------------------------------------------------------------- cat joins along an existing dim
// (dtypes promote), stack along a new one; split, chunk and unbind return views; repeat tiles; flip
// reverses dims (a copy); movedim moves dims, unflatten splits one dim into `sizes` (one of them
// may be -1).
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& split_sizes,
                          int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim = 0);
std::vector<Tensor> unbind(const Tensor& x, int64_t dim = 0);
Tensor repeat(const Tensor& x, const Shape& repeats);
Tensor flip(const Tensor& x, const Shape& dims);
Tensor movedim(const Tensor& x, const Shape& source, const Shape& destination);
Tensor movedim(const Tensor& x, int64_t source, int64_t destination);
Tensor unflatten(const Tensor& x, int64_t dim, const Shape& sizes);

// --- sorting and scans ---------------------------------------------------------------------------
// A stable sort along dim (NaN last ascending, first descending): the values and their int64
// indices. topk gives the k largest (smallest) with ties in index order; cumsum and cumprod take
// an optional result dtype (integer and bool inputs give int64 by default).
std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim = -1, bool descending = false);
Tensor argsort(const Tensor& x, int64_t dim = -1, bool descending = false);
std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim = -1, bool largest = true,
                                bool sorted = true);
Tensor cumsum(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
Tensor cumprod(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);

// --- random: from the device's Philox stream, as rand and randn --------------------------------
// Integers uniform in [low, high) (int64 unless options say otherwise); a uniform permutation of
// 0..n-1; 0/1 draws with probability p (per element, or one p for all); num_samples category
// indices per row of non-negative weights [n] or [rows, n], with or without replacement.
Tensor randint(int64_t low, int64_t high, const Shape& sizes, const TensorOptions& options = {});
Tensor randint(int64_t high, const Shape& sizes, const TensorOptions& options = {});
Tensor randperm(int64_t n, const TensorOptions& options = {});
Tensor bernoulli(const Tensor& p);
Tensor bernoulli(const Tensor& x, double p);
Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement = false);

// --- views ---------------------------------------------------------------------------------------
Tensor reshape(const Tensor& x, const Shape& shape);
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);
Tensor permute(const Tensor& x, const Shape& dims);
Tensor squeeze(const Tensor& x);
Tensor squeeze(const Tensor& x, int64_t dim);
Tensor unsqueeze(const Tensor& x, int64_t dim);

}  // namespace nabla

// Joining, splitting and reshaping: cat and stack (with their gradient, the matching slice of the
// output's), split, chunk and unbind (views), repeat, flip, movedim and unflatten. All but cat are
// compositions of differentiable views and ops.
#include <algorithm>
#include <numeric>

#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/factory.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

using autograd::Node;
using autograd::record;

// Each input's gradient is its slice of the output's gradient along `dim`.
struct CatBackward final : Node {
  CatBackward(int64_t dim, std::vector<int64_t> lengths) : dim(dim), lengths(std::move(lengths)) {}
  const char* name() const override { return "CatBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    std::vector<Tensor> grads;
    int64_t start = 0;
    for (size_t i = 0; i < lengths.size(); ++i) {
      grads.push_back(needs_input_grad(i) ? native::narrow(grad, dim, start, lengths[i])
                                          : Tensor());
      start += lengths[i];
    }
    return grads;
  }
  int64_t dim;
  std::vector<int64_t> lengths;
};

}  // namespace

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  NABLA_CHECK(!tensors.empty(), "cat: expected at least one tensor");
  for (const Tensor& t : tensors) native::check_defined("cat", t);
  const Tensor& first = tensors[0];
  NABLA_CHECK(first.dim() > 0, "cat: zero-dim tensors cannot be concatenated");
  dim = wrap_dim(dim, first.dim(), "cat");
  ScalarType dtype = first.dtype();
  Shape shape = first.sizes();
  shape[dim] = 0;
  std::vector<int64_t> lengths;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    native::check_same_device("cat", first, t);
    bool fits = t.dim() == first.dim();
    for (int64_t d = 0; fits && d < t.dim(); ++d) fits = d == dim || t.size(d) == first.size(d);
    NABLA_CHECK(fits, "cat: tensor ", i, " has shape ", t.sizes(),
                ", which does not match tensor 0's shape ", first.sizes(), " except in dim ", dim);
    dtype = promote_types(dtype, t.dtype());
    shape[dim] += t.size(dim);
    lengths.push_back(t.size(dim));
  }
  Tensor out = native::empty(shape, dtype, first.device());
  Backend& backend = backend_for(out.device());
  int64_t start = 0;
  for (const Tensor& t : tensors) {
    // Each input into its slice (converted to the promoted dtype on the way).
    if (t.numel() > 0) backend.copy(t, native::narrow(out, dim, start, t.size(dim)));
    start += t.size(dim);
  }
  std::vector<const Tensor*> inputs;
  for (const Tensor& t : tensors) inputs.push_back(&t);
  record<CatBackward>(out, inputs, dim, lengths);
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  NABLA_CHECK(!tensors.empty(), "stack: expected at least one tensor");
  std::vector<Tensor> unsqueezed;
  for (size_t i = 0; i < tensors.size(); ++i) {
    native::check_defined("stack", tensors[i]);
    NABLA_CHECK(tensors[i].sizes() == tensors[0].sizes(), "stack: tensor ", i, " has shape ",
                tensors[i].sizes(), ", but tensor 0 has ", tensors[0].sizes(),
                "; stacked tensors must have one shape");
    unsqueezed.push_back(tensors[i].unsqueeze(wrap_dim(dim, tensors[0].dim() + 1, "stack")));
  }
  return cat(unsqueezed, dim);
}

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim) {
  native::check_defined("split", x);
  NABLA_CHECK(x.dim() > 0, "split: cannot split a zero-dim tensor");
  dim = wrap_dim(dim, x.dim(), "split");
  NABLA_CHECK(split_size > 0 || (split_size == 0 && x.size(dim) == 0),
              "split: split_size must be positive, got ", split_size);
  std::vector<Tensor> parts;
  for (int64_t start = 0; start < x.size(dim); start += split_size) {
    parts.push_back(x.narrow(dim, start, std::min(split_size, x.size(dim) - start)));
  }
  if (parts.empty()) parts.push_back(x);
  return parts;
}

std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& split_sizes, int64_t dim) {
  native::check_defined("split", x);
  NABLA_CHECK(x.dim() > 0, "split: cannot split a zero-dim tensor");
  dim = wrap_dim(dim, x.dim(), "split");
  const int64_t total = std::accumulate(split_sizes.begin(), split_sizes.end(), int64_t{0});
  bool non_negative = true;
  for (int64_t s : split_sizes) non_negative = non_negative && s >= 0;
  NABLA_CHECK(non_negative && total == x.size(dim), "split: sizes that sum to ", total,
              " cannot split dim ", dim, " of size ", x.size(dim), " (input shape ", x.sizes(),
              ")");
  std::vector<Tensor> parts;
  int64_t start = 0;
  for (int64_t s : split_sizes) {
    parts.push_back(x.narrow(dim, start, s));
    start += s;
  }
  return parts;
}

std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim) {
  native::check_defined("chunk", x);
  NABLA_CHECK(chunks > 0, "chunk: the number of chunks must be positive, got ", chunks);
  NABLA_CHECK(x.dim() > 0, "chunk: cannot chunk a zero-dim tensor");
  const int64_t size = x.size(wrap_dim(dim, x.dim(), "chunk"));
  return split(x, std::max<int64_t>((size + chunks - 1) / chunks, size == 0 ? 0 : 1), dim);
}

std::vector<Tensor> unbind(const Tensor& x, int64_t dim) {
  native::check_defined("unbind", x);
  NABLA_CHECK(x.dim() > 0, "unbind: cannot unbind a zero-dim tensor");
  dim = wrap_dim(dim, x.dim(), "unbind");
  std::vector<Tensor> parts;
  for (int64_t i = 0; i < x.size(dim); ++i) parts.push_back(x.select(dim, i));
  return parts;
}

Tensor repeat(const Tensor& x, const Shape& repeats) {
  native::check_defined("repeat", x);
  NABLA_CHECK(repeats.size() >= x.dim(), "repeat: ", repeats.size(), " repeats cannot cover the ",
              x.dim(), " dims of shape ", x.sizes());
  for (int64_t r : repeats)
    NABLA_CHECK(r >= 0, "repeat: repeats must be non-negative, got ", repeats);
  // Each dim d of size s becomes [r_d, s] (a new dim expanded r_d times), then the pairs merge.
  const int64_t lead = repeats.size() - x.dim();
  Shape padded = Shape::filled(lead, 1), expanded, result;
  for (int64_t s : x.sizes()) padded.push_back(s);
  Shape interleaved;
  for (int64_t d = 0; d < repeats.size(); ++d) {
    interleaved.push_back(1);
    interleaved.push_back(padded[d]);
    expanded.push_back(repeats[d]);
    expanded.push_back(padded[d]);
    result.push_back(repeats[d] * padded[d]);
  }
  NABLA_CHECK(interleaved.size() <= kMaxDims, "repeat: ", repeats.size(), " repeated dims need ",
              interleaved.size(), " dims on the way, more than nabla's ", kMaxDims,
              "; repeat in two steps");
  return x.reshape(interleaved).expand(expanded).reshape(result);
}

Tensor flip(const Tensor& x, const Shape& dims) {
  native::check_defined("flip", x);
  Tensor result = x;
  bool seen[kMaxDims] = {};
  for (int64_t dim : dims) {
    const int64_t d = wrap_dim(dim, x.dim(), "flip");
    NABLA_CHECK(!seen[d], "flip: dim ", d, " appears more than once in ", dims);
    seen[d] = true;
    const int64_t size = x.size(d);
    if (size < 2) continue;
    // size - 1, ..., 0: the reversed positions, gathered (and their gradient scattered back).
    const Tensor reversed = arange(size - 1, -1, -1, TensorOptions(kInt64).device(x.device()));
    result = result.index_select(d, reversed);
  }
  return dims.empty() ? x.clone() : result;
}

Tensor movedim(const Tensor& x, const Shape& source, const Shape& destination) {
  native::check_defined("movedim", x);
  NABLA_CHECK(source.size() == destination.size(), "movedim: ", source.size(), " source dims but ",
              destination.size(), " destinations");
  const int64_t n = x.dim();
  std::vector<int64_t> order(n, -1);
  bool from_used[kMaxDims] = {}, to_used[kMaxDims] = {};
  for (int64_t i = 0; i < source.size(); ++i) {
    const int64_t from = wrap_dim(source[i], n, "movedim"),
                  to = wrap_dim(destination[i], n, "movedim");
    NABLA_CHECK(!from_used[from] && !to_used[to], "movedim: repeated dim in source ", source,
                " or destination ", destination);
    from_used[from] = to_used[to] = true;
    order[to] = from;
  }
  // The dims not moved keep their order in the places left.
  int64_t next = 0;
  for (int64_t& slot : order) {
    if (slot >= 0) continue;
    while (from_used[next]) ++next;
    slot = next++;
  }
  return x.permute(Shape(order.begin(), order.end()));
}

Tensor movedim(const Tensor& x, int64_t source, int64_t destination) {
  return movedim(x, Shape{source}, Shape{destination});
}

Tensor unflatten(const Tensor& x, int64_t dim, const Shape& sizes) {
  native::check_defined("unflatten", x);
  NABLA_CHECK(x.dim() > 0, "unflatten: cannot unflatten a zero-dim tensor");
  const int64_t d = wrap_dim(dim, x.dim(), "unflatten");
  const Shape resolved = native::infer_size(sizes, x.size(d), sizes, "unflatten");
  Shape shape;
  for (int64_t i = 0; i < x.dim(); ++i) {
    if (i != d) {
      shape.push_back(x.size(i));
    } else {
      for (int64_t s : resolved) shape.push_back(s);
    }
  }
  return x.reshape(shape);
}

std::vector<Tensor> Tensor::split(int64_t split_size, int64_t dim) const {
  return nabla::split(*this, split_size, dim);
}
std::vector<Tensor> Tensor::chunk(int64_t chunks, int64_t dim) const {
  return nabla::chunk(*this, chunks, dim);
}
std::vector<Tensor> Tensor::unbind(int64_t dim) const {
  return nabla::unbind(*this, dim);
}
Tensor Tensor::repeat(const Shape& repeats) const {
  return nabla::repeat(*this, repeats);
}
Tensor Tensor::flip(const Shape& dims) const {
  return nabla::flip(*this, dims);
}
Tensor Tensor::movedim(int64_t source, int64_t destination) const {
  return nabla::movedim(*this, source, destination);
}
Tensor Tensor::unflatten(int64_t dim, const Shape& sizes) const {
  return nabla::unflatten(*this, dim, sizes);
}

}  // namespace nabla

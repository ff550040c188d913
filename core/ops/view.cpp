// View ops: new sizes, strides and offset over the same storage, never a copy (reshape copies only
// when no view can express the result, as in PyTorch).
#include <algorithm>
#include <optional>

#include <nabla/core/native.h>

namespace nabla::native {
namespace {

// Strides that let `new_sizes` view memory laid out as (sizes, strides), if any exist. Old dims are
// taken in runs that are contiguous with each other; each run must map onto whole new dims.
std::optional<Strides> view_strides(const Shape& sizes, const Strides& strides,
                                    const Shape& new_sizes) {
  Strides result = Shape::filled(new_sizes.size(), 1);
  if (sizes.numel() == 0) return contiguous_strides(new_sizes);
  int64_t view_d = new_sizes.size() - 1;
  int64_t chunk_stride = sizes.empty() ? 1 : strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = sizes.size() - 1; d >= 0; --d) {
    tensor_numel *= sizes[d];
    const bool run_ends =
        d == 0 || (sizes[d - 1] != 1 && strides[d - 1] != tensor_numel * chunk_stride);
    if (!run_ends) continue;
    while (view_d >= 0 && (view_numel < tensor_numel || new_sizes[view_d] == 1)) {
      result[view_d] = view_numel * chunk_stride;
      view_numel *= new_sizes[view_d];
      --view_d;
    }
    if (view_numel != tensor_numel) return std::nullopt;
    if (d > 0) {
      chunk_stride = strides[d - 1];
      tensor_numel = view_numel = 1;
    }
  }
  // Trailing size-1 dims of the new shape (or all of them for a 0-dim source).
  while (view_d >= 0 && new_sizes[view_d] == 1) result[view_d--] = chunk_stride;
  if (view_d != -1) return std::nullopt;
  return result;
}

}  // namespace

Shape infer_size(const Shape& sizes, int64_t numel, const Shape& from, const char* op) {
  Shape result = sizes;
  int64_t known = 1, infer_at = -1;
  for (int64_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == -1) {
      NABLA_CHECK(infer_at < 0, op, ": only one dimension can be -1, got shape ", sizes);
      infer_at = d;
    } else {
      NABLA_CHECK(sizes[d] >= 0, op, ": invalid size ", sizes[d], " in shape ", sizes);
      known *= sizes[d];
    }
  }
  if (infer_at >= 0) {
    NABLA_CHECK(known != 0 && numel % known == 0, op, ": shape ", sizes,
                " is invalid for input of shape ", from, " (", numel, " elements)");
    result[infer_at] = numel / known;
  } else {
    NABLA_CHECK(known == numel, op, ": shape ", sizes, " is invalid for input of shape ", from,
                " (", numel, " elements)");
  }
  return result;
}

// Every view is made here, so this is where a view is checked to stay inside its storage: an op
// whose bounds arithmetic went wrong gets an error rather than reading memory it does not own.
Tensor as_strided(const Tensor& x, const Shape& sizes, const Strides& strides, int64_t offset) {
  NABLA_CHECK(sizes.size() == strides.size(), "as_strided: shape ", sizes, " and strides ", strides,
              " have different lengths");
  int64_t last = offset;  // the furthest element the view reaches
  bool overflow = offset < 0, empty = false;
  for (int64_t d = 0; d < sizes.size(); ++d) {
    NABLA_CHECK(sizes[d] >= 0 && strides[d] >= 0, "as_strided: negative size or stride in shape ",
                sizes, " strides ", strides);
    int64_t reach = 0;
    empty |= sizes[d] == 0;
    if (sizes[d] > 0) {
      overflow |= __builtin_mul_overflow(sizes[d] - 1, strides[d], &reach);
      overflow |= __builtin_add_overflow(last, reach, &last);
    }
  }
  const int64_t elements =
      static_cast<int64_t>(x.impl()->storage()->nbytes() / element_size(x.dtype()));
  NABLA_CHECK(empty || (!overflow && last < elements), "as_strided: a view of shape ", sizes,
              ", strides ", strides, " and offset ", offset, " reaches past its storage of ",
              elements, " elements");
  return Tensor(
      std::make_shared<TensorImpl>(x.impl()->storage(), x.dtype(), sizes, strides, offset));
}

Tensor view(const Tensor& x, const Shape& sizes) {
  Shape target = infer_size(sizes, x.numel(), x.sizes(), "view");
  auto strides = view_strides(x.sizes(), x.strides(), target);
  NABLA_CHECK(strides.has_value(), "view: shape ", sizes, " is not compatible with input of shape ",
              x.sizes(), " and strides ", x.strides(),
              " (at least one dim spans two non-contiguous runs); use reshape() instead");
  return as_strided(x, target, *strides, x.storage_offset());
}

Tensor reshape(const Tensor& x, const Shape& sizes) {
  Shape target = infer_size(sizes, x.numel(), x.sizes(), "reshape");
  if (auto strides = view_strides(x.sizes(), x.strides(), target)) {
    return as_strided(x, target, *strides, x.storage_offset());
  }
  Tensor copy = clone(x);
  return as_strided(copy, target, contiguous_strides(target), 0);
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  if (x.dim() == 0) return reshape(x, {1});
  start_dim = wrap_dim(start_dim, x.dim(), "flatten");
  end_dim = wrap_dim(end_dim, x.dim(), "flatten");
  NABLA_CHECK(start_dim <= end_dim, "flatten: start_dim ", start_dim, " cannot come after end_dim ",
              end_dim);
  Shape sizes;
  for (int64_t d = 0; d < start_dim; ++d) sizes.push_back(x.size(d));
  int64_t merged = 1;
  for (int64_t d = start_dim; d <= end_dim; ++d) merged *= x.size(d);
  sizes.push_back(merged);
  for (int64_t d = end_dim + 1; d < x.dim(); ++d) sizes.push_back(x.size(d));
  return reshape(x, sizes);
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  dim0 = wrap_dim(dim0, x.dim(), "transpose");
  dim1 = wrap_dim(dim1, x.dim(), "transpose");
  if (x.dim() == 0) return as_strided(x, x.sizes(), x.strides(), x.storage_offset());
  Shape sizes = x.sizes();
  Strides strides = x.strides();
  std::swap(sizes[dim0], sizes[dim1]);
  std::swap(strides[dim0], strides[dim1]);
  return as_strided(x, sizes, strides, x.storage_offset());
}

Tensor permute(const Tensor& x, const Shape& dims) {
  NABLA_CHECK(dims.size() == x.dim(), "permute: the number of dims ", dims.size(),
              " does not match the input's ", x.dim(), " (input shape ", x.sizes(), ")");
  Shape sizes, strides;
  bool seen[kMaxDims] = {};
  for (int64_t i = 0; i < dims.size(); ++i) {
    int64_t d = wrap_dim(dims[i], x.dim(), "permute");
    NABLA_CHECK(!seen[d], "permute: dim ", d, " repeats in ", dims);
    seen[d] = true;
    sizes.push_back(x.size(d));
    strides.push_back(x.stride(d));
  }
  return as_strided(x, sizes, strides, x.storage_offset());
}

Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  NABLA_CHECK(x.dim() > 0, "slice: cannot slice a 0-dim tensor");
  dim = wrap_dim(dim, x.dim(), "slice");
  NABLA_CHECK(step > 0, "slice: step must be positive, got ", step);
  const int64_t size = x.size(dim);
  if (start < 0) start += size;
  if (end < 0) end += size;
  start = std::clamp<int64_t>(start, 0, size);
  end = std::clamp<int64_t>(end, start, size);
  Shape sizes = x.sizes();
  Strides strides = x.strides();
  // ceil((end - start) / step), written so that a step near INT64_MAX cannot overflow.
  sizes[dim] = (end - start) / step + ((end - start) % step != 0);
  strides[dim] *= step;
  return as_strided(x, sizes, strides, x.storage_offset() + start * x.stride(dim));
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  NABLA_CHECK(x.dim() > 0, "narrow: cannot narrow a 0-dim tensor");
  dim = wrap_dim(dim, x.dim(), "narrow");
  const int64_t size = x.size(dim);
  if (start < 0) start += size;
  NABLA_CHECK(start >= 0 && length >= 0 && length <= size - start, "narrow: start ", start,
              " and length ", length, " exceed dim ", dim, " of size ", size, " (input shape ",
              x.sizes(), ")");
  return slice(x, dim, start, start + length, 1);
}

Tensor select(const Tensor& x, int64_t dim, int64_t index) {
  NABLA_CHECK(x.dim() > 0, "select: cannot index a 0-dim tensor");
  dim = wrap_dim(dim, x.dim(), "select");
  const int64_t size = x.size(dim);
  NABLA_CHECK(index >= -size && index < size, "select: index ", index, " is out of range for dim ",
              dim, " of size ", size, " (input shape ", x.sizes(), ")");
  if (index < 0) index += size;
  Shape sizes = x.sizes();
  Strides strides = x.strides();
  sizes.erase(dim);
  strides.erase(dim);
  return as_strided(x, sizes, strides, x.storage_offset() + index * x.stride(dim));
}

Tensor squeeze(const Tensor& x) {
  Shape sizes, strides;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (x.size(d) != 1) {
      sizes.push_back(x.size(d));
      strides.push_back(x.stride(d));
    }
  }
  return as_strided(x, sizes, strides, x.storage_offset());
}

Tensor squeeze(const Tensor& x, int64_t dim) {
  dim = wrap_dim(dim, x.dim(), "squeeze");
  Shape sizes = x.sizes();
  Strides strides = x.strides();
  if (x.dim() > 0 && sizes[dim] == 1) {
    sizes.erase(dim);
    strides.erase(dim);
  }
  return as_strided(x, sizes, strides, x.storage_offset());
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  dim = wrap_dim(dim, x.dim() + 1, "unsqueeze");
  Shape sizes = x.sizes();
  Strides strides = x.strides();
  const int64_t stride = dim < x.dim() ? x.size(dim) * x.stride(dim) : 1;
  sizes.insert(dim, 1);
  strides.insert(dim, stride);
  return as_strided(x, sizes, strides, x.storage_offset());
}

Tensor expand(const Tensor& x, const Shape& sizes) {
  NABLA_CHECK(sizes.size() >= x.dim(), "expand: the target shape ", sizes,
              " has fewer dims than the input shape ", x.sizes());
  const int64_t lead = sizes.size() - x.dim();
  Shape out_sizes = sizes;
  Strides out_strides = Shape::filled(sizes.size(), 0);
  for (int64_t d = 0; d < sizes.size(); ++d) {
    if (d < lead) {
      NABLA_CHECK(sizes[d] >= 0, "expand: the new leading dim ", d, " cannot be ", sizes[d],
                  " (target shape ", sizes, ")");
      continue;
    }
    const int64_t have = x.size(d - lead);
    if (sizes[d] == -1 || sizes[d] == have) {
      out_sizes[d] = have;
      out_strides[d] = x.stride(d - lead);
    } else {
      NABLA_CHECK(have == 1 && sizes[d] >= 0, "expand: the input shape ", x.sizes(),
                  " cannot be expanded to ", sizes, " (dim ", d, ": ", have, " vs ", sizes[d], ")");
    }
  }
  return as_strided(x, out_sizes, out_strides, x.storage_offset());
}

}  // namespace nabla::native

// Indexing ops: index_select, gather, scatter and scatter_add, index checks and one_hot.
#include <nabla/core/native.h>

namespace nabla::native {

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  check_defined("index_select", x);
  check_defined("index_select", index);
  check_same_device("index_select", x, index);
  NABLA_CHECK(index.dtype() == kInt64, "index_select: expected an int64 index, got ",
              index.dtype());
  NABLA_CHECK(index.dim() <= 1, "index_select: expected a 1-D index, got shape ", index.sizes());
  NABLA_CHECK(x.dim() >= 1, "index_select: expected an input with at least 1 dim");
  dim = wrap_dim(dim, x.dim(), "index_select");
  Shape shape = x.sizes();
  shape[dim] = index.numel();
  Tensor out = empty(shape, x.dtype(), x.device());
  if (index.numel() > 0) {
    NABLA_CHECK(x.size(dim) > 0, "index_select: cannot index into dim ", dim,
                " of size 0 (input shape ", x.sizes(), ")");
    backend_for(x.device())
        .index_select(x, dim, index.dim() == 0 ? reshape(index, {1}) : index, out);
  }
  return out;
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  check_defined("gather", x);
  check_defined("gather", index);
  check_same_device("gather", x, index);
  NABLA_CHECK(index.dtype() == kInt64, "gather: expected an int64 index, got ", index.dtype());
  NABLA_CHECK(index.dim() == x.dim(), "gather: index shape ", index.sizes(),
              " must have as many dims as the input shape ", x.sizes());
  dim = wrap_dim(dim, x.dim(), "gather");
  for (int64_t d = 0; d < x.dim(); ++d) {
    NABLA_CHECK(d == dim || index.size(d) <= x.size(d), "gather: index shape ", index.sizes(),
                " is larger than the input shape ", x.sizes(), " at dim ", d);
  }
  Tensor out = empty(index.sizes(), x.dtype(), x.device());
  if (out.numel() > 0) {
    if (x.dim() == 0) {
      backend_for(x.device()).gather(reshape(x, {1}), 0, reshape(index, {1}), reshape(out, {1}));
    } else {
      backend_for(x.device()).gather(x, dim, index, out);
    }
  }
  return out;
}

void scatter_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
              bool accumulate, const char* op) {
  check_defined(op, self);
  check_defined(op, index);
  check_defined(op, src);
  check_same_device(op, self, index);
  check_same_device(op, self, src);
  NABLA_CHECK(index.dtype() == kInt64, op, ": expected an int64 index, got ", index.dtype());
  NABLA_CHECK(src.dtype() == self.dtype(), op, ": source dtype ", src.dtype(),
              " differs from the destination's ", self.dtype());
  const int64_t rank = std::max<int64_t>(self.dim(), 1);
  NABLA_CHECK(index.dim() == self.dim() && src.dim() == self.dim(), op, ": index (shape ",
              index.sizes(), ") and source (shape ", src.sizes(), ") must have the destination's ",
              self.dim(), " dims");
  dim = wrap_dim(dim, rank, op);
  for (int64_t d = 0; d < self.dim(); ++d) {
    NABLA_CHECK(index.size(d) <= src.size(d) && (d == dim || index.size(d) <= self.size(d)), op,
                ": index shape ", index.sizes(), " is larger than the source shape ", src.sizes(),
                " or, outside dim ", dim, ", the destination shape ", self.sizes());
  }
  check_no_internal_overlap(op, self);
  if (index.numel() > 0) {
    // The source at index's positions; a 0-dim scatter is a 1-element one.
    Tensor source = src;
    for (int64_t d = 0; d < src.dim(); ++d) source = narrow(source, d, 0, index.size(d));
    if (self.dim() == 0) {
      backend_for(self.device())
          .scatter(reshape(source, {1}), 0, reshape(index, {1}), reshape(self, {1}), accumulate);
    } else {
      backend_for(self.device()).scatter(source, dim, index, self, accumulate);
    }
  }
  self.impl()->storage()->bump_version();
}

void scatter_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  scatter_(self, dim, index, src, /*accumulate=*/true, "scatter_add_");
}

void index_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  check_defined("index_add_", self);
  NABLA_CHECK(index.dtype() == kInt64 && index.dim() <= 1,
              "index_add_: expected a 1-D int64 "
              "index, got ",
              index.dtype(), " of shape ", index.sizes());
  dim = wrap_dim(dim, self.dim(), "index_add_");
  Shape expected = self.sizes();
  expected[dim] = index.numel();
  NABLA_CHECK(src.sizes() == expected, "index_add_: source shape ", src.sizes(),
              " must be the destination shape ", self.sizes(), " with ", index.numel(), " at dim ",
              dim);
  // Checked here so that an error names index_add rather than the scatter it runs on.
  check_index_range(index, self.size(dim), index_error_message("index_add", dim, self.sizes()));
  // Lay the 1-D index along `dim` of the source's shape, with stride 0 elsewhere.
  Strides strides = Shape::filled(src.dim(), 0);
  strides[dim] = index.dim() == 0 ? 0 : index.stride(0);
  scatter_add_(self, dim, as_strided(index, src.sizes(), strides, index.storage_offset()), src);
}

void check_index_range(const Tensor& index, int64_t limit, const IndexErrorMessage& message) {
  check_defined("check_index_range", index);
  NABLA_CHECK(index.dtype() == kInt64, "check_index_range: expected an int64 tensor, got ",
              index.dtype());
  if (index.numel() > 0) backend_for(index.device()).check_index_range(index, limit, message);
}

Tensor one_hot(const Tensor& labels, int64_t num_classes) {
  check_defined("one_hot", labels);
  NABLA_CHECK(labels.dtype() == kInt64, "one_hot: expected int64 class labels, got ",
              labels.dtype());
  if (num_classes < 0) {
    // Inferring the class count reads the largest label back: the one case that waits for a GPU.
    NABLA_CHECK(labels.numel() > 0, "one_hot: cannot infer num_classes from an empty tensor");
    const int64_t low = amin(labels, {}, false).item<int64_t>();
    NABLA_CHECK(low >= 0, "one_hot: class labels must be non-negative, got ", low);
    num_classes = amax(labels, {}, false).item<int64_t>() + 1;
  }
  check_index_range(labels, num_classes,
                    {"one_hot: class label ",
                     " is out of range for num_classes = " + std::to_string(num_classes)});
  // A 1 at each label's position of a row of zeros: a scatter on the labels' device.
  Shape shape = labels.sizes();
  shape.push_back(num_classes);
  Tensor out = full(shape, 0, kInt64, labels.device());
  if (labels.numel() > 0) {
    const Tensor positions = unsqueeze(labels, -1);
    scatter_add_(out, -1, positions, full(positions.sizes(), 1, kInt64, labels.device()));
  }
  return out;
}

}  // namespace nabla::native

// CPU index checks, index_select, gather and scatter_add. They walk the output (the source for
// scatter_add) with the indexed tensor's stride along `dim` zeroed; the index value then picks the
// element along `dim` (core/math/indexing.h, as on the GPU). Indices are validated before anything
// is written.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include <nabla/core/cpu/cpu_backend.h>
#include <nabla/core/cpu/loops.h>
#include <nabla/core/math/indexing.h>

namespace nabla::cpu {
namespace {

// Throws `message` around the first element of `index` outside [0, limit).
void check_range(const Tensor& index, int64_t limit, const IndexErrorMessage& message) {
  auto loop = make_loop<1>(index.sizes(), {index.data_ptr()}, {&index.strides()}, {8});
  run_range(loop, 0, loop.numel, [&](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      const int64_t v = *reinterpret_cast<const int64_t*>(p[0] + i * s[0]);
      NABLA_CHECK(math::index_in_range(v, limit), message.before, v, message.after);
    }
  });
}

void check_indices(const char* op, const Tensor& index, int64_t dim, const Tensor& in) {
  check_range(index, in.size(dim), index_error_message(op, dim, in.sizes()));
}

// out[pos] = in[pos with dim -> index_at(pos)], where `index` has been laid over out's shape.
void indexed_copy(const Tensor& in, int64_t dim, const Tensor& index_over_out, const Tensor& out) {
  Strides in_strides = in.strides();
  const int64_t dim_stride_bytes = in.stride(dim) * static_cast<int64_t>(in.element_size());
  in_strides[dim] = 0;
  const int64_t es = static_cast<int64_t>(out.element_size());
  auto loop = make_loop<3>(out.sizes(), {out.data_ptr(), in.data_ptr(), index_over_out.data_ptr()},
                           {&out.strides(), &in_strides, &index_over_out.strides()}, {es, es, 8});
  run(loop, [=](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      const int64_t idx = *reinterpret_cast<const int64_t*>(p[2] + i * s[2]);
      std::memcpy(p[0] + i * s[0], p[1] + math::indexed_offset(i * s[1], idx, dim_stride_bytes),
                  es);
    }
  });
}

// Scatters along the last dim of contiguous 2-D tensors whose rows pair up (src's and out's row
// r go together): max pooling's backward, [planes, outputs] into [planes, inputs]. Rows touch
// disjoint outputs, so they are split across threads; within a row the order is the one-thread
// order, so repeated indices give the same bits. False when the tensors are not of this form.
template <typename T>
bool scatter_rows(const Tensor& src, int64_t dim, const Tensor& index, const Tensor& out,
                  bool accumulate) {
  if (out.dim() != 2 || dim != 1 || src.size(0) != out.size(0) || !src.is_contiguous() ||
      !index.is_contiguous() || !out.is_contiguous()) {
    return false;
  }
  const int64_t n = src.size(1), width = out.size(1);
  const T* s = src.data_ptr<T>();
  const int64_t* idx = index.data_ptr<int64_t>();
  T* o = out.data_ptr<T>();
  parallel_for(src.size(0), std::max<int64_t>(n, 1), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      T* row = o + r * width;
      for (int64_t j = r * n; j < (r + 1) * n; ++j) {
        T& target = row[idx[j]];
        if constexpr (std::is_same_v<T, bool>) {
          target = accumulate ? (target || s[j]) : s[j];
        } else {
          target = accumulate ? static_cast<T>(target + s[j]) : s[j];
        }
      }
    }
  });
  return true;
}

template <typename T>
void scatter_typed(const Tensor& src, int64_t dim, const Tensor& index, const Tensor& out,
                   bool accumulate) {
  if (scatter_rows<T>(src, dim, index, out, accumulate)) return;
  Strides out_strides = out.strides();
  const int64_t dim_stride = out.stride(dim);
  out_strides[dim] = 0;
  auto loop = make_loop<3>(src.sizes(), {out.data_ptr(), src.data_ptr(), index.data_ptr()},
                           {&out_strides, &src.strides(), &index.strides()},
                           {int64_t{sizeof(T)}, int64_t{sizeof(T)}, 8});
  // One thread: repeated indices make concurrent updates of one element race (and, without
  // accumulate, the last write wins, as on one PyTorch CPU thread).
  run_range(loop, 0, loop.numel, [=](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      const int64_t idx = *reinterpret_cast<const int64_t*>(p[2] + i * s[2]);
      T* target = reinterpret_cast<T*>(p[0]) +
                  math::indexed_offset(i * s[0] / int64_t{sizeof(T)}, idx, dim_stride);
      const T value = *reinterpret_cast<const T*>(p[1] + i * s[1]);
      if constexpr (std::is_same_v<T, bool>) {
        *target = accumulate ? (*target || value) : value;
      } else {
        *target = accumulate ? static_cast<T>(*target + value) : value;
      }
    }
  });
}

}  // namespace

void CpuBackend::check_index_range(const Tensor& index, int64_t limit,
                                   const IndexErrorMessage& message) {
  check_range(index, limit, message);
}

void CpuBackend::scatter(const Tensor& src, int64_t dim, const Tensor& index, const Tensor& out,
                         bool accumulate) {
  const char* op = accumulate ? "scatter_add" : "scatter";
  check_indices(op, index, dim, out);
  dispatch_dtype(out.dtype(), op,
                 [&](auto tag) { scatter_typed<decltype(tag)>(src, dim, index, out, accumulate); });
}

void CpuBackend::index_select(const Tensor& in, int64_t dim, const Tensor& index,
                              const Tensor& out) {
  check_indices("index_select", index, dim, in);
  const int64_t* idx = index.data_ptr<int64_t>();
  const int64_t count = index.numel(), index_stride = index.dim() ? index.stride(0) : 1;
  if (dim == 0 && in.is_contiguous() && out.is_contiguous()) {
    // Whole rows: one memcpy each (the DataLoader's batch gather).
    const size_t row_bytes =
        static_cast<size_t>(in.numel() / std::max<int64_t>(in.size(0), 1)) * in.element_size();
    const char* src = static_cast<const char*>(in.data_ptr());
    char* dst = static_cast<char*>(out.data_ptr());
    parallel_for(count, static_cast<int64_t>(row_bytes), [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        std::memcpy(dst + i * row_bytes, src + idx[i * index_stride] * row_bytes, row_bytes);
      }
    });
    return;
  }
  // Lay the 1-D index along `dim` of out's shape (stride 0 elsewhere).
  Strides strides = Shape::filled(out.dim(), 0);
  strides[dim] = index_stride;
  Tensor laid = Tensor(std::make_shared<TensorImpl>(index.impl()->storage(), kInt64, out.sizes(),
                                                    strides, index.storage_offset()));
  indexed_copy(in, dim, laid, out);
}

void CpuBackend::gather(const Tensor& in, int64_t dim, const Tensor& index, const Tensor& out) {
  check_indices("gather", index, dim, in);
  indexed_copy(in, dim, index, out);
}

}  // namespace nabla::cpu

// Printing tensors as PyTorch does: tensor([[1.0000, 2.5000],\n        [3.0000, 4.0000]]), with
// a common number format and width for all elements, rows wrapped at 80 columns, and "..." for
// large tensors. The rules follow torch/_tensor_str.py; dtypes are named without "torch.".
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <nabla/core/native.h>

namespace nabla {
namespace {

constexpr int64_t kSummarizeAbove = 1000;
constexpr int64_t kEdgeItems = 3;
constexpr int64_t kLineWidth = 80;

struct Formatter {
  enum class Style { Bool, Integer, WholeFloat, Fixed, Scientific } style;
  int width = 1;

  // Integer and bool tensors are formatted from int64 values: a double cannot hold every int64.
  std::string format(int64_t v) const {
    if (style == Style::Bool) return v != 0 ? "True" : "False";
    return std::to_string(v);
  }
  std::string format(double v) const {
    if (!std::isfinite(v)) return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
    char buffer[64];
    const char* spec = style == Style::WholeFloat ? "%.0f."
                       : style == Style::Fixed    ? "%.4f"
                                                  : "%.4e";
    std::snprintf(buffer, sizeof buffer, spec, v);
    return buffer;
  }
  template <typename V>
  std::string padded(V v) const {
    std::string s = format(v);
    return std::string(width > static_cast<int>(s.size()) ? width - s.size() : 0, ' ') + s;
  }
};

// Whether index i of a dim of `size` is shown when summarizing.
bool shown(int64_t i, int64_t size, bool summarize) {
  return !summarize || size <= 2 * kEdgeItems || i < kEdgeItems || i >= size - kEdgeItems;
}

template <typename V>
void collect(const Tensor& t, const std::vector<V>& values, int64_t offset, int64_t dim,
             bool summarize, std::vector<V>& out) {
  if (dim == t.dim()) {
    out.push_back(values[offset]);
    return;
  }
  int64_t inner = 1;
  for (int64_t d = dim + 1; d < t.dim(); ++d) inner *= t.size(d);
  for (int64_t i = 0; i < t.size(dim); ++i) {
    if (shown(i, t.size(dim), summarize))
      collect(t, values, offset + i * inner, dim + 1, summarize, out);
  }
}

// `indent` is the column of this dim's '['; nested dims start one column further right.
template <typename V>
void emit(std::ostream& out, const Tensor& t, const std::vector<V>& values, int64_t offset,
          int64_t dim, bool summarize, const Formatter& f, int64_t indent) {
  if (dim == t.dim()) {
    out << f.padded(values[offset]);
    return;
  }
  const int64_t size = t.size(dim);
  int64_t inner = 1;
  for (int64_t d = dim + 1; d < t.dim(); ++d) inner *= t.size(d);
  out << '[';
  if (dim == t.dim() - 1) {
    // The innermost dim: ", "-separated elements, as many per line as fit in kLineWidth. PyTorch
    // writes the gap as " ..." (an element of its own), so it reads ",  ...,".
    std::vector<std::string> items;
    for (int64_t i = 0; i < size; ++i) {
      if (shown(i, size, summarize)) {
        items.push_back(f.padded(values[offset + i]));
      } else if (i == kEdgeItems) {
        items.push_back(" ...");
      }
    }
    const int64_t per_line = std::max<int64_t>(1, (kLineWidth - indent) / (f.width + 2));
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out << (i % per_line == 0 ? ",\n" + std::string(indent + 1, ' ') : ", ");
      out << items[i];
    }
  } else {
    const std::string separator =
        "," + std::string(t.dim() - dim - 1, '\n') + std::string(indent + 1, ' ');
    bool first = true;
    for (int64_t i = 0; i < size; ++i) {
      if (!shown(i, size, summarize)) {
        if (i == kEdgeItems) out << separator << "...";
        continue;
      }
      if (!first) out << separator;
      first = false;
      emit(out, t, values, offset + i * inner, dim + 1, summarize, f, indent + 1);
    }
  }
  out << ']';
}

Formatter integer_format(ScalarType dtype, const std::vector<int64_t>& shown_values) {
  Formatter f{dtype == kBool ? Formatter::Style::Bool : Formatter::Style::Integer};
  for (int64_t v : shown_values) f.width = std::max<int>(f.width, f.format(v).size());
  return f;
}

// As PyTorch: the style and width come from the nonzero finite values alone. Whole numbers print
// as "3." unless their range calls for scientific notation; so do values below 1e-4.
Formatter floating_format(const std::vector<double>& shown_values) {
  std::vector<double> nonzero_finite;
  for (double v : shown_values) {
    if (std::isfinite(v) && v != 0) nonzero_finite.push_back(v);
  }
  Formatter f{Formatter::Style::WholeFloat};
  if (nonzero_finite.empty()) return f;
  bool whole = true;
  double max_abs = 0, min_abs = INFINITY;
  for (double v : nonzero_finite) {
    whole = whole && v == std::ceil(v);
    max_abs = std::max(max_abs, std::fabs(v));
    min_abs = std::min(min_abs, std::fabs(v));
  }
  const bool scientific = max_abs / min_abs > 1000 || max_abs > 1e8 || (!whole && min_abs < 1e-4);
  f.style = scientific ? Formatter::Style::Scientific
                       : (whole ? Formatter::Style::WholeFloat : Formatter::Style::Fixed);
  for (double v : nonzero_finite) f.width = std::max<int>(f.width, f.format(v).size());
  return f;
}

template <typename V>
void emit_values(std::ostream& out, const Tensor& t, ScalarType host_dtype) {
  Tensor host = native::contiguous(native::to(native::to(t, Device(kCPU)), host_dtype));
  const V* data = host.data_ptr<V>();
  std::vector<V> values(data, data + host.numel());
  const bool summarize = t.numel() > kSummarizeAbove;
  std::vector<V> visible;
  collect(t, values, 0, 0, summarize, visible);
  Formatter f;
  if constexpr (std::is_same_v<V, double>) {
    f = floating_format(visible);
  } else {
    f = integer_format(t.dtype(), visible);
  }
  emit(out, t, values, 0, 0, summarize, f, 7);  // 7: the width of "tensor("
}

}  // namespace

std::ostream& operator<<(std::ostream& out, const Tensor& t) {
  if (!t.defined()) return out << "[ undefined tensor ]";
  out << "tensor(";
  if (t.numel() == 0) {
    out << "[]";
  } else if (t.is_floating_point()) {
    emit_values<double>(out, t, kFloat64);
  } else {
    emit_values<int64_t>(out, t, kInt64);
  }
  if (t.is_cuda()) out << ", device='" << t.device() << "'";
  // An empty tensor shows its shape (unless 1-D) and, having no values to tell it by, any dtype
  // other than the default float32; elsewhere int64 and bool are told apart by their values.
  if (t.numel() == 0 && t.dim() != 1) out << ", size=" << t.sizes();
  const bool shows_dtype = t.numel() == 0 ? t.dtype() != default_float_dtype()
                                          : t.dtype() == kFloat64 || t.dtype() == kUInt8;
  if (shows_dtype) out << ", dtype=" << t.dtype();
  return out << ')';
}

std::string Tensor::str() const {
  std::ostringstream out;
  out << *this;
  return out.str();
}

}  // namespace nabla

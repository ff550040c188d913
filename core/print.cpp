// Printing tensors as PyTorch does: tensor([[1.0000, 2.5000],\n        [3.0000, 4.0000]]), with
// a common number format and width for all elements, and "..." for large tensors.
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <nabla/core/native.h>

namespace nabla {
namespace {

constexpr int64_t kSummarizeAbove = 1000;
constexpr int64_t kEdgeItems = 3;

struct Formatter {
  enum class Style { Bool, Integer, WholeFloat, Fixed, Scientific } style;
  int width = 1;

  std::string format(double v) const {
    char buffer[64];
    switch (style) {
      case Style::Bool:
        return v != 0 ? "True" : "False";
      case Style::Integer:
        std::snprintf(buffer, sizeof buffer, "%lld", static_cast<long long>(v));
        break;
      case Style::WholeFloat:
        if (!std::isfinite(v)) return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
        std::snprintf(buffer, sizeof buffer, "%.0f.", v);
        break;
      case Style::Fixed:
        if (!std::isfinite(v)) return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
        std::snprintf(buffer, sizeof buffer, "%.4f", v);
        break;
      case Style::Scientific:
        if (!std::isfinite(v)) return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
        std::snprintf(buffer, sizeof buffer, "%.4e", v);
        break;
    }
    return buffer;
  }
  std::string padded(double v) const {
    std::string s = format(v);
    return std::string(width > static_cast<int>(s.size()) ? width - s.size() : 0, ' ') + s;
  }
};

// Whether index i of a dim of `size` is shown, and whether "..." goes before it.
bool shown(int64_t i, int64_t size, bool summarize) {
  return !summarize || size <= 2 * kEdgeItems || i < kEdgeItems || i >= size - kEdgeItems;
}

void collect(const Tensor& t, const std::vector<double>& values, int64_t offset, int64_t dim,
             bool summarize, std::vector<double>& out) {
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

void emit(std::ostream& out, const Tensor& t, const std::vector<double>& values, int64_t offset,
          int64_t dim, bool summarize, const Formatter& f, int indent) {
  if (dim == t.dim()) {
    out << f.padded(values[offset]);
    return;
  }
  int64_t inner = 1;
  for (int64_t d = dim + 1; d < t.dim(); ++d) inner *= t.size(d);
  out << '[';
  const int64_t size = t.size(dim);
  const std::string separator = dim == t.dim() - 1 ? ", "
                                                   : "," + std::string(t.dim() - dim - 1, '\n') +
                                                         std::string(indent + dim + 1, ' ');
  bool first = true;
  for (int64_t i = 0; i < size; ++i) {
    if (!shown(i, size, summarize)) {
      if (i == kEdgeItems) out << separator << "...";
      continue;
    }
    if (!first) out << separator;
    first = false;
    emit(out, t, values, offset + i * inner, dim + 1, summarize, f, indent);
  }
  out << ']';
}

Formatter choose_format(ScalarType dtype, const std::vector<double>& shown_values) {
  Formatter f{Formatter::Style::Fixed};
  if (dtype == kBool) {
    f.style = Formatter::Style::Bool;
  } else if (!is_floating_point(dtype)) {
    f.style = Formatter::Style::Integer;
  } else {
    bool whole = true;
    double max_abs = 0, min_abs = INFINITY;
    for (double v : shown_values) {
      if (!std::isfinite(v)) continue;
      whole = whole && v == std::floor(v);
      max_abs = std::max(max_abs, std::fabs(v));
      if (v != 0) min_abs = std::min(min_abs, std::fabs(v));
    }
    if (max_abs >= 1e8 || (min_abs < 1e-4 && min_abs > 0 && !whole) ||
        (std::isfinite(min_abs) && max_abs / min_abs > 1000 && !whole)) {
      f.style = Formatter::Style::Scientific;
    } else {
      f.style = whole ? Formatter::Style::WholeFloat : Formatter::Style::Fixed;
    }
  }
  for (double v : shown_values) f.width = std::max<int>(f.width, f.format(v).size());
  return f;
}

}  // namespace

std::ostream& operator<<(std::ostream& out, const Tensor& t) {
  if (!t.defined()) return out << "[ undefined tensor ]";
  Tensor host = native::contiguous(native::to(native::to(t, Device(kCPU)), kFloat64));
  const double* data = host.data_ptr<double>();
  std::vector<double> values(data, data + host.numel());
  const bool summarize = t.numel() > kSummarizeAbove;
  std::vector<double> visible;
  if (t.numel() > 0) collect(t, values, 0, 0, summarize, visible);
  const Formatter f = choose_format(t.dtype(), visible);
  out << "tensor(";
  if (t.numel() == 0) {
    out << "[]";
    if (t.dim() != 1) out << ", size=" << t.sizes();
  } else {
    emit(out, t, values, 0, 0, summarize, f, 7);
  }
  if (t.is_cuda()) out << ", device='" << t.device() << "'";
  if (t.dtype() == kFloat64 || t.dtype() == kUInt8) out << ", dtype=" << t.dtype();
  return out << ')';
}

std::string Tensor::str() const {
  std::ostringstream out;
  out << *this;
  return out.str();
}

}  // namespace nabla

// Matrix products and their gradients. For C = A @ B: dA = dC @ B^T and dB = A^T @ dC, computed on
// operands where 1-D inputs have regained their missing dim; broadcast batch dims are summed away
// by the engine. bmm, outer, addmm and einsum are compositions of matmul with views and sums, so
// their gradients follow from those.
#include <algorithm>
#include <cctype>
#include <string>

#include <nabla/autograd/ops.h>
#include <nabla/autograd/record.h>
#include <nabla/core/native.h>

namespace nabla {
namespace {

using autograd::Node;
using autograd::record;
using autograd::SavedTensor;

Tensor swap_last_two(const Tensor& t) {
  return native::transpose(t, -1, -2);
}

struct MatmulBackward final : Node {
  const char* name() const override { return "MatmulBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    Tensor a = self.unpack(*this), b = other.unpack(*this), g = grad;
    const bool a_vector = a.dim() == 1, b_vector = b.dim() == 1;
    // Give the gradient back the dims the product dropped: N's first, then M's (a 1-D @ 1-D
    // product is 0-dim, so the order matters).
    if (b_vector) {
      b = native::unsqueeze(b, 1);
      g = native::unsqueeze(g, -1);
    }
    if (a_vector) {
      a = native::unsqueeze(a, 0);
      g = native::unsqueeze(g, -2);
    }
    Tensor grad_a, grad_b;
    if (needs_input_grad(0)) {
      grad_a = native::matmul(g, swap_last_two(b));
      if (a_vector) grad_a = native::squeeze(grad_a, -2);
    }
    if (needs_input_grad(1)) {
      grad_b = native::matmul(swap_last_two(a), g);
      if (b_vector) grad_b = native::squeeze(grad_b, -1);
    }
    return {grad_a, grad_b};
  }
  void release_saved() override {
    self.reset();
    other.reset();
  }
  SavedTensor self, other;
};

// y = x W^T + b as one node. Composed of matmul, t() and an add it would cost a view of the weight
// per step, two nodes, and a gradient for W computed as (x^T g)^T, a transposed view that the
// leaf then copies; here dW = g^T x comes out in W's own layout, db = the sum of g over rows, and
// dx = g W only when the input needs it (never for a first layer fed with data).
struct LinearBackward final : Node {
  const char* name() const override { return "LinearBackward"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor x = input.unpack(*this), w = weight.unpack(*this);
    const Tensor g = native::reshape(grad, {-1, w.size(0)});
    Tensor grad_x, grad_w, grad_b;
    if (needs_input_grad(0)) grad_x = native::reshape(native::matmul(g, w), x.sizes());
    if (needs_input_grad(1)) {
      grad_w = native::matmul(native::transpose(g, 0, 1), native::reshape(x, {-1, w.size(1)}));
    }
    if (needs_input_grad(2)) grad_b = native::sum(g, {0}, false);
    return {grad_x, grad_w, grad_b};
  }
  void release_saved() override {
    input.reset();
    weight.reset();
  }
  SavedTensor input, weight;
};

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  Tensor y = native::matmul(a, b);
  if (auto node = record<MatmulBackward>(y, {&a, &b})) {
    node->self.save(a);
    node->other.save(b);
  }
  return y;
}

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  native::check_defined("linear", input);
  native::check_defined("linear", weight);
  NABLA_CHECK(weight.dim() == 2, "linear: expected a 2-D weight [out, in], got shape ",
              weight.sizes());
  NABLA_CHECK(input.dim() >= 1 && input.size(-1) == weight.size(1), "linear: input shape ",
              input.sizes(), " does not end in the weight's in_features ", weight.size(1),
              " (weight shape ", weight.sizes(), ")");
  NABLA_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == weight.size(0)),
              "linear: expected a bias of shape [", weight.size(0), "] for weight shape ",
              weight.sizes(), ", got ", bias.sizes());
  NABLA_CHECK(
      !bias.defined() || (bias.dtype() == weight.dtype() && bias.device() == weight.device()),
      "linear: the bias (", bias.dtype(), ", ", bias.device(), ") must match the weight (",
      weight.dtype(), ", ", weight.device(), ")");
  Shape out_shape = input.sizes();
  out_shape[out_shape.size() - 1] = weight.size(0);
  const Tensor rows = native::reshape(input, {-1, weight.size(1)});
  Tensor y = native::matmul(rows, native::transpose(weight, 0, 1));  // [rows, out], fresh
  if (bias.defined()) native::binary_(BinaryOp::Add, y, bias);
  y = native::reshape(y, out_shape);
  if (auto node = record<LinearBackward>(y, {&input, &weight, &bias})) {
    node->input.save(input);
    node->weight.save(weight);
  }
  return y;
}

Tensor mm(const Tensor& a, const Tensor& b) {
  NABLA_CHECK(a.dim() == 2 && b.dim() == 2, "mm: expected 2-D operands, got shapes ", a.sizes(),
              " and ", b.sizes());
  return matmul(a, b);
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  NABLA_CHECK(a.dim() == 3 && b.dim() == 3 && a.size(0) == b.size(0) && a.size(2) == b.size(1),
              "bmm: expected [B, n, k] and [B, k, m] operands, got shapes ", a.sizes(), " and ",
              b.sizes());
  return matmul(a, b);
}

Tensor outer(const Tensor& a, const Tensor& b) {
  NABLA_CHECK(a.dim() == 1 && b.dim() == 1, "outer: expected 1-D operands, got shapes ", a.sizes(),
              " and ", b.sizes());
  return reshape(a, {a.size(0), 1}) * reshape(b, {1, b.size(0)});
}

Tensor addmm(const Tensor& self, const Tensor& mat1, const Tensor& mat2, const Scalar& beta,
             const Scalar& alpha) {
  NABLA_CHECK(mat1.dim() == 2 && mat2.dim() == 2, "addmm: expected 2-D matrices, got shapes ",
              mat1.sizes(), " and ", mat2.sizes());
  Tensor product = matmul(mat1, mat2);
  const Shape out_shape = product.sizes();
  NABLA_CHECK(self.dim() <= 2 && broadcast_shapes(self.sizes(), out_shape, "addmm") == out_shape,
              "addmm: self of shape ", self.sizes(), " does not broadcast to the product's ",
              out_shape);
  if (alpha.to_double() != 1.0) product = product * alpha;
  if (beta.to_double() == 0.0) return product;  // PyTorch ignores self then, NaN and inf included
  return beta.to_double() == 1.0 ? self + product : self * beta + product;
}

namespace {

// One operand's labels, checked: letters only, each at most once.
std::string einsum_labels(const std::string& term, const Tensor& operand, size_t which) {
  NABLA_CHECK(term.find('.') == std::string::npos,
              "einsum: '...' is not supported; name every dim with a letter");
  for (size_t i = 0; i < term.size(); ++i) {
    NABLA_CHECK(std::isalpha(static_cast<unsigned char>(term[i])), "einsum: invalid label '",
                term[i], "' in \"", term, "\"");
    NABLA_CHECK(term.find(term[i], i + 1) == std::string::npos, "einsum: label '", term[i],
                "' repeats in operand ", which, " (diagonals are not supported)");
  }
  NABLA_CHECK(static_cast<int64_t>(term.size()) == operand.dim(), "einsum: operand ", which,
              " has ", operand.dim(), " dims but \"", term, "\" names ", term.size());
  return term;
}

// x with the dims labelled in `drop` summed away; `labels` shrinks to match.
Tensor sum_labels(const Tensor& x, std::string& labels, const std::string& drop) {
  Shape dims;
  std::string kept;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (drop.find(labels[i]) != std::string::npos) {
      dims.push_back(static_cast<int64_t>(i));
    } else {
      kept += labels[i];
    }
  }
  labels = kept;
  return dims.empty() ? x : sum(x, dims);
}

// x's dims reordered to `order` (a permutation of `labels`).
Tensor permute_to(const Tensor& x, const std::string& labels, const std::string& order) {
  Shape perm;
  for (char c : order) perm.push_back(static_cast<int64_t>(labels.find(c)));
  return permute(x, perm);
}

}  // namespace

Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands) {
  std::string spec;
  for (char c : equation) {
    if (c != ' ') spec += c;
  }
  const size_t arrow = spec.find("->");
  const std::string lhs = spec.substr(0, arrow);
  const size_t comma = lhs.find(',');
  std::vector<std::string> terms{lhs.substr(0, comma)};
  if (comma != std::string::npos) terms.push_back(lhs.substr(comma + 1));
  NABLA_CHECK(terms.size() == operands.size() && operands.size() <= 2 &&
                  terms.back().find(',') == std::string::npos,
              "einsum: \"", equation, "\" names ", terms.size(), " operands but ", operands.size(),
              " were given (one or two are supported)");
  for (size_t i = 0; i < terms.size(); ++i) terms[i] = einsum_labels(terms[i], operands[i], i);
  std::string out;
  if (arrow != std::string::npos) {
    out = spec.substr(arrow + 2);
  } else {
    // Implicit output: the labels used once, in alphabetical order.
    const std::string all = terms[0] + (terms.size() > 1 ? terms[1] : "");
    for (char c : all) {
      if (std::count(all.begin(), all.end(), c) == 1) out += c;
    }
    std::sort(out.begin(), out.end());
  }
  for (size_t i = 0; i < out.size(); ++i) {
    NABLA_CHECK((terms[0] + (terms.size() > 1 ? terms[1] : "")).find(out[i]) != std::string::npos &&
                    out.find(out[i], i + 1) == std::string::npos,
                "einsum: output label '", out[i], "' must appear in an operand, and only once in ",
                "the output");
  }
  auto in = [](const std::string& s, char c) { return s.find(c) != std::string::npos; };

  if (operands.size() == 1) {
    std::string labels = terms[0], drop;
    for (char c : labels) {
      if (!in(out, c)) drop += c;
    }
    const Tensor x = sum_labels(operands[0], labels, drop);
    return permute_to(x, labels, out);
  }

  // Two operands: labels only one side has and the output lacks are summed first; the rest are
  // batch (both sides and the output), contracted (both sides, not the output) or kept (one side
  // and the output). Then [batch, a_kept, contracted] @ [batch, contracted, b_kept].
  std::string la = terms[0], lb = terms[1], da, db;
  for (char c : la) {
    if (!in(lb, c) && !in(out, c)) da += c;
  }
  for (char c : lb) {
    if (!in(la, c) && !in(out, c)) db += c;
  }
  Tensor a = sum_labels(operands[0], la, da), b = sum_labels(operands[1], lb, db);
  std::string batch, contracted, a_kept, b_kept;
  for (char c : la) {
    if (in(lb, c)) {
      (in(out, c) ? batch : contracted) += c;
    } else {
      a_kept += c;
    }
  }
  for (char c : lb) {
    if (!in(la, c)) b_kept += c;
  }
  // Shared labels must agree in size; a size-1 side broadcasts to the other.
  Shape a_shape = a.sizes(), b_shape = b.sizes();
  for (char c : batch + contracted) {
    const int64_t sa = a.size(static_cast<int64_t>(la.find(c)));
    const int64_t sb = b.size(static_cast<int64_t>(lb.find(c)));
    NABLA_CHECK(sa == sb || sa == 1 || sb == 1, "einsum: label '", c, "' has size ", sa,
                " in operand 0 (shape ", operands[0].sizes(), ") but ", sb, " in operand 1 (shape ",
                operands[1].sizes(), ")");
    a_shape[la.find(c)] = b_shape[lb.find(c)] = std::max(sa, sb);
  }
  a = a.expand(a_shape);
  b = b.expand(b_shape);
  auto sizes_of = [](const Tensor& t, const std::string& labels, const std::string& which) {
    Shape s;
    for (char c : which) s.push_back(t.size(static_cast<int64_t>(labels.find(c))));
    return s;
  };
  const Shape batch_sizes = sizes_of(a, la, batch), m_sizes = sizes_of(a, la, a_kept),
              k_sizes = sizes_of(a, la, contracted), n_sizes = sizes_of(b, lb, b_kept);
  const int64_t nb = batch_sizes.numel(), m = m_sizes.numel(), k = k_sizes.numel(),
                n = n_sizes.numel();
  const Tensor a3 = reshape(permute_to(a, la, batch + a_kept + contracted), {nb, m, k});
  const Tensor b3 = reshape(permute_to(b, lb, batch + contracted + b_kept), {nb, k, n});
  Shape result_shape = batch_sizes;
  for (int64_t v : m_sizes) result_shape.push_back(v);
  for (int64_t v : n_sizes) result_shape.push_back(v);
  const Tensor result = reshape(matmul(a3, b3), result_shape);
  return permute_to(result, batch + a_kept + b_kept, out);
}

Tensor Tensor::bmm(const Tensor& other) const {
  return nabla::bmm(*this, other);
}
Tensor Tensor::outer(const Tensor& other) const {
  return nabla::outer(*this, other);
}
Tensor Tensor::addmm(const Tensor& mat1, const Tensor& mat2, const Scalar& beta,
                     const Scalar& alpha) const {
  return nabla::addmm(*this, mat1, mat2, beta, alpha);
}

Tensor Tensor::matmul(const Tensor& other) const {
  return nabla::matmul(*this, other);
}
Tensor Tensor::mm(const Tensor& other) const {
  return nabla::mm(*this, other);
}

}  // namespace nabla

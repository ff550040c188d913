// nn::Embedding: a lookup table of num_embeddings rows of embedding_dim values, initialized from
// N(0, 1) as PyTorch does; int64 indices of any shape give [..., embedding_dim]. The padding_idx
// row starts at zero and gets no gradient. Embedding::from_pretrained wraps existing rows.
#pragma once

#include <optional>
#include <ostream>

#include <nabla/nn/module.h>

namespace nabla::nn {

struct EmbeddingOptions {
  EmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  EmbeddingOptions& padding_idx(std::optional<int64_t> p) { return padding_idx_ = p, *this; }
  EmbeddingOptions& weight(const Tensor& w) { return weight_ = w, *this; }
  int64_t num_embeddings_, embedding_dim_;
  std::optional<int64_t> padding_idx_;
  Tensor weight_;  // rows to start from instead of N(0, 1)
};

namespace functional {
// weight[indices], with no gradient for the padding_idx row.
Tensor embedding(const Tensor& indices, const Tensor& weight,
                 std::optional<int64_t> padding_idx = std::nullopt);
}  // namespace functional

class EmbeddingImpl : public Module {
 public:
  EmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingImpl(EmbeddingOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingImpl(const EmbeddingOptions& options);
  Tensor forward(const Tensor& indices) const {
    return functional::embedding(indices, weight, options.padding_idx_);
  }
  void reset_parameters();
  void pretty_print(std::ostream& out) const override;

  EmbeddingOptions options;
  Tensor weight;
};

class Embedding : public ModuleHolder<EmbeddingImpl> {
 public:
  using ModuleHolder<EmbeddingImpl>::ModuleHolder;
  // An embedding over `embeddings` [num, dim] (copied), frozen (no gradient) unless freeze is
  // false.
  static Embedding from_pretrained(const Tensor& embeddings, bool freeze = true,
                                   std::optional<int64_t> padding_idx = std::nullopt);
};

}  // namespace nabla::nn

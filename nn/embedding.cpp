// nn::Embedding and functional::embedding.
#include <nabla/nn/embedding.h>

#include <nabla/autograd/grad_mode.h>
#include <nabla/autograd/ops.h>
#include <nabla/core/factory.h>
#include <nabla/core/native.h>
#include <nabla/nn/init.h>

namespace nabla::nn {

namespace functional {
Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx) {
  native::check_defined("embedding", indices);
  native::check_defined("embedding", weight);
  NABLA_CHECK(indices.dtype() == kInt64, "embedding: expected int64 indices, got ",
              indices.dtype());
  NABLA_CHECK(weight.dim() == 2, "embedding: expected a 2-D weight [num_embeddings, dim], got ",
              weight.sizes());
  native::check_index_range(
      indices, weight.size(0),
      {"embedding: index ",
       " is out of range for " + std::to_string(weight.size(0)) + " embeddings"});
  Shape shape = indices.sizes();
  shape.push_back(weight.size(1));
  Tensor rows = index_select(weight, 0, indices.reshape({-1})).reshape(shape);
  if (padding_idx) {
    // The padding row's value, without a path for its gradient.
    const Tensor is_padding = (indices == *padding_idx).unsqueeze(-1);
    rows = where(is_padding, rows.detach(), rows);
  }
  return rows;
}
}  // namespace functional

EmbeddingImpl::EmbeddingImpl(const EmbeddingOptions& options)
    : Module("Embedding"), options(options) {
  NABLA_CHECK(options.num_embeddings_ > 0 && options.embedding_dim_ > 0,
              "Embedding: num_embeddings and embedding_dim must be positive, got ",
              options.num_embeddings_, " and ", options.embedding_dim_);
  if (options.padding_idx_) {
    int64_t& p = *this->options.padding_idx_;
    NABLA_CHECK(p >= -options.num_embeddings_ && p < options.num_embeddings_,
                "Embedding: padding_idx ", p, " is out of range for ", options.num_embeddings_,
                " embeddings");
    if (p < 0) p += options.num_embeddings_;
  }
  if (options.weight_.defined()) {
    NABLA_CHECK(options.weight_.sizes() == Shape({options.num_embeddings_, options.embedding_dim_}),
                "Embedding: the given weight has shape ", options.weight_.sizes(), ", expected [",
                options.num_embeddings_, ", ", options.embedding_dim_, "]");
    weight = register_parameter("weight", options.weight_.detach().clone());
  } else {
    weight = register_parameter("weight", empty({options.num_embeddings_, options.embedding_dim_}));
    reset_parameters();
  }
}

void EmbeddingImpl::reset_parameters() {
  init::normal_(weight);
  if (options.padding_idx_) {
    NoGradGuard no_grad;
    weight[*options.padding_idx_].fill_(0);
  }
}

void EmbeddingImpl::pretty_print(std::ostream& out) const {
  out << "Embedding(" << options.num_embeddings_ << ", " << options.embedding_dim_;
  if (options.padding_idx_) out << ", padding_idx=" << *options.padding_idx_;
  out << ")";
}

Embedding Embedding::from_pretrained(const Tensor& embeddings, bool freeze,
                                     std::optional<int64_t> padding_idx) {
  NABLA_CHECK(embeddings.defined() && embeddings.dim() == 2,
              "Embedding::from_pretrained: expected 2-D embeddings, got ",
              embeddings.defined() ? embeddings.sizes() : Shape{});
  Embedding layer(EmbeddingOptions(embeddings.size(0), embeddings.size(1))
                      .padding_idx(padding_idx)
                      .weight(embeddings));
  layer->weight.requires_grad_(!freeze);
  return layer;
}

}  // namespace nabla::nn

// Loss modules, as in libtorch: each holds its options and calls its nn::functional form;
// forward(input, target) (or forward(input1, input2, target)) returns the loss.
#pragma once

#include <utility>

#include <nabla/nn/functional.h>
#include <nabla/nn/module.h>

namespace nabla::nn {

// A loss of (input, target) whose functional form takes the options: Name##Impl(options).
#define NABLA_LOSS_MODULE(Name, Options, function)                                            \
  class Name##Impl : public Module {                                                          \
   public:                                                                                    \
    explicit Name##Impl(Options options = {}) : Module(#Name), options(std::move(options)) {} \
    Tensor forward(const Tensor& input, const Tensor& target) const {                         \
      return functional::function(input, target, options);                                    \
    }                                                                                         \
    Options options;                                                                          \
  };                                                                                          \
  NABLA_MODULE(Name)

NABLA_LOSS_MODULE(CrossEntropyLoss, CrossEntropyOptions, cross_entropy);
NABLA_LOSS_MODULE(BCELoss, BCELossOptions, binary_cross_entropy);
NABLA_LOSS_MODULE(SmoothL1Loss, SmoothL1LossOptions, smooth_l1_loss);
NABLA_LOSS_MODULE(HuberLoss, HuberLossOptions, huber_loss);
NABLA_LOSS_MODULE(KLDivLoss, KLDivLossOptions, kl_div);

#undef NABLA_LOSS_MODULE

class NLLLossImpl : public Module {
 public:
  explicit NLLLossImpl(NLLLossOptions options = {})
      : Module("NLLLoss"), options(std::move(options)) {}
  explicit NLLLossImpl(Reduction reduction, int64_t ignore_index = -100)
      : NLLLossImpl(NLLLossOptions().reduction(reduction).ignore_index(ignore_index)) {}
  Tensor forward(const Tensor& input, const Tensor& target) const {
    return functional::nll_loss(input, target, options);
  }
  NLLLossOptions options;
};
NABLA_MODULE(NLLLoss);

class BCEWithLogitsLossImpl : public Module {
 public:
  explicit BCEWithLogitsLossImpl(BCEWithLogitsLossOptions options = {})
      : Module("BCEWithLogitsLoss"), options(std::move(options)) {}
  explicit BCEWithLogitsLossImpl(Reduction reduction)
      : BCEWithLogitsLossImpl(BCEWithLogitsLossOptions().reduction(reduction)) {}
  Tensor forward(const Tensor& input, const Tensor& target) const {
    return functional::binary_cross_entropy_with_logits(input, target, options);
  }
  BCEWithLogitsLossOptions options;
};
NABLA_MODULE(BCEWithLogitsLoss);

class MSELossImpl : public Module {
 public:
  explicit MSELossImpl(Reduction reduction = kMean) : Module("MSELoss"), reduction(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) const {
    return functional::mse_loss(input, target, reduction);
  }
  Reduction reduction;
};
NABLA_MODULE(MSELoss);

class L1LossImpl : public Module {
 public:
  explicit L1LossImpl(Reduction reduction = kMean) : Module("L1Loss"), reduction(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) const {
    return functional::l1_loss(input, target, reduction);
  }
  Reduction reduction;
};
NABLA_MODULE(L1Loss);

class MarginRankingLossImpl : public Module {
 public:
  explicit MarginRankingLossImpl(MarginRankingLossOptions options = {})
      : Module("MarginRankingLoss"), options(options) {}
  Tensor forward(const Tensor& input1, const Tensor& input2, const Tensor& target) const {
    return functional::margin_ranking_loss(input1, input2, target, options);
  }
  MarginRankingLossOptions options;
};
NABLA_MODULE(MarginRankingLoss);

class CosineEmbeddingLossImpl : public Module {
 public:
  explicit CosineEmbeddingLossImpl(CosineEmbeddingLossOptions options = {})
      : Module("CosineEmbeddingLoss"), options(options) {}
  Tensor forward(const Tensor& input1, const Tensor& input2, const Tensor& target) const {
    return functional::cosine_embedding_loss(input1, input2, target, options);
  }
  CosineEmbeddingLossOptions options;
};
NABLA_MODULE(CosineEmbeddingLoss);

}  // namespace nabla::nn

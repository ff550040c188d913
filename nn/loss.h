// Loss modules, as in libtorch: nn::CrossEntropyLoss, NLLLoss, MSELoss, BCEWithLogitsLoss, L1Loss.
// Each calls its nn::functional form; forward(input, target) returns the loss.
#pragma once

#include <nabla/nn/functional.h>
#include <nabla/nn/module.h>

namespace nabla::nn {

class CrossEntropyLossImpl : public Module {
 public:
  explicit CrossEntropyLossImpl(CrossEntropyOptions options = {})
      : Module("CrossEntropyLoss"), options(options) {}
  Tensor forward(const Tensor& input, const Tensor& target) const {
    return functional::cross_entropy(input, target, options);
  }
  CrossEntropyOptions options;
};
NABLA_MODULE(CrossEntropyLoss);

class NLLLossImpl : public Module {
 public:
  explicit NLLLossImpl(Reduction reduction = kMean, int64_t ignore_index = -100)
      : Module("NLLLoss"), reduction(reduction), ignore_index(ignore_index) {}
  Tensor forward(const Tensor& input, const Tensor& target) const {
    return functional::nll_loss(input, target, reduction, ignore_index);
  }
  Reduction reduction;
  int64_t ignore_index;
};
NABLA_MODULE(NLLLoss);

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

class BCEWithLogitsLossImpl : public Module {
 public:
  explicit BCEWithLogitsLossImpl(Reduction reduction = kMean)
      : Module("BCEWithLogitsLoss"), reduction(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) const {
    return functional::binary_cross_entropy_with_logits(input, target, reduction);
  }
  Reduction reduction;
};
NABLA_MODULE(BCEWithLogitsLoss);

}  // namespace nabla::nn

// The module and optimizer that the safetensors fuzz targets load checkpoints into, and that
// make_corpus saves the seed checkpoints from: both sides must build exactly the same ones.
#pragma once

#include <memory>

#include <nabla/nabla.h>

namespace nabla::fuzz {

// A Linear for parameters and a BatchNorm1d for buffers, float32 and int64 alike. Built from the
// same seed every time, so that a run is reproducible from its input alone.
inline nn::Sequential checkpoint_model() {
  manual_seed(0);
  return nn::Sequential(nn::Linear(3, 2), nn::BatchNorm1d(2));
}

// The input the model is run on after a checkpoint loads.
inline Tensor checkpoint_input() {
  return tensor({{1.0f, -2.0f, 0.5f}, {0.0f, 3.0f, -1.0f}});
}

// Adam over the model's parameters, with a gradient of ones on each: a step() goes through every
// parameter.
inline std::unique_ptr<optim::Adam> checkpoint_optimizer(const nn::Sequential& model) {
  std::vector<Tensor> parameters = model->parameters();
  for (Tensor& p : parameters) p.mutable_grad() = ones_like(p);
  return std::make_unique<optim::Adam>(parameters, optim::AdamOptions(0.01));
}

}  // namespace nabla::fuzz

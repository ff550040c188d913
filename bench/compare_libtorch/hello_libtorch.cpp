// The smallest libtorch program a user would write: one Linear layer, one forward pass, the sum of
// its output printed. The comparison script times how long it takes to compile, against its twin
// hello_nabla.cpp; built only by that script, never by the project's build or tests.
#include <torch/torch.h>

#include <iostream>

int main() {
  torch::manual_seed(0);
  torch::nn::Linear linear(4, 3);
  const torch::Tensor y = linear(torch::ones({2, 4}));
  std::cout << y.sum().item<float>() << "\n";
  return 0;
}

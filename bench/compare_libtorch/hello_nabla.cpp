// The smallest nabla program a user would write: one Linear layer, one forward pass, the sum of
// its output printed. The comparison script times how long it takes to compile, against its twin
// hello_libtorch.cpp; built only by that script, never by the project's build or tests.
#include <nabla/nabla.h>

#include <iostream>

int main() {
  nabla::manual_seed(0);
  nabla::nn::Linear linear(4, 3);
  const nabla::Tensor y = linear(nabla::ones({2, 4}));
  std::cout << y.sum().item<float>() << "\n";
  return 0;
}

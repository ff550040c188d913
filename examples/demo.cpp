// A first look at nabla: the forward pass of the seed articles' two-layer network, written with
// tensors (inputs 2 and 3, hidden weights (1, 1) and (-1, 1), output weights (2, -1)), on the GPU
// when one is usable.
#include <nabla/nabla.h>

#include <iostream>

int main() {
  using namespace nabla;
  const Device device = cuda::is_available() ? Device(kCUDA, 0) : Device(kCPU);
  DefaultDeviceGuard on_device(device);  // the tensors below are created there
  std::cout << "nabla demo on " << device << "\n";
  Tensor inputs = tensor({2.0, 3.0});
  Tensor hidden_weights = tensor({{1.0, 1.0}, {-1.0, 1.0}});  // one row per hidden node
  Tensor output_weights = tensor({2.0, -1.0});

  Tensor hidden = matmul(hidden_weights, inputs);
  Tensor output = matmul(output_weights, hidden);
  std::cout << "hidden: " << hidden << "\noutput: " << output << "\n";

  Tensor hidden_relu = relu(matmul(hidden_weights, inputs));
  std::cout << "with ReLU, output: " << matmul(output_weights, hidden_relu) << "\n";

  manual_seed(0);
  Tensor logits = randn({2, 3});
  std::cout << "softmax of random logits:\n" << softmax(logits, 1) << "\n";
  return 0;
}

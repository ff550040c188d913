// The seed articles' worked example of forward propagation: inputs 2 and 3, hidden weights (1, 1)
// and (-1, 1), output weights (2, -1) give hidden values 5 and 1 and output 9; then the same
// network with ReLU on the hidden layer.
#include <nabla/nabla.h>

#include <iostream>

int main() {
  using namespace nabla;
  const Tensor inputs = tensor({2.0, 3.0});
  nn::Linear hidden_layer(nn::LinearOptions(2, 2).bias(false));
  nn::Linear output_layer(nn::LinearOptions(2, 1).bias(false));
  {
    NoGradGuard no_grad;  // setting weights by hand is not part of any graph
    hidden_layer->weight.copy_(tensor({{1.0, 1.0}, {-1.0, 1.0}}));
    output_layer->weight.copy_(tensor({{2.0, -1.0}}));
  }

  const Tensor hidden = hidden_layer(inputs);
  const Tensor output = output_layer(hidden);
  std::cout << "hidden layer: " << hidden[0].item<float>() << " and " << hidden[1].item<float>()
            << "\noutput: " << output.item<float>() << "\n";

  const Tensor hidden_relu = nn::functional::relu(hidden_layer(inputs));
  std::cout << "with ReLU on the hidden layer: hidden " << hidden_relu[0].item<float>() << " and "
            << hidden_relu[1].item<float>() << ", output "
            << output_layer(hidden_relu).item<float>() << "\n";
  return 0;
}

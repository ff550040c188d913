// Uses the installed headers and library: prints a product that the install test checks.
#include <nabla/nabla.h>

#include <iostream>

int main() {
  nabla::Tensor a = nabla::tensor({{1.0, 2.0}, {3.0, 4.0}});
  nabla::Tensor b = nabla::tensor({{5.0, 6.0}, {7.0, 8.0}});
  std::cout << nabla::matmul(a, b).sum().item<float>() << "\n";  // 19+22+43+50 = 134
  return 0;
}

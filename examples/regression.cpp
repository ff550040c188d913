// Regression with a small MLP: fits y = sin(3x) + noise on [-1, 1] with MSE and SGD with momentum,
// printing the falling loss.
#include <nabla/nabla.h>

#include <cmath>
#include <cstdio>
#include <vector>

int main() {
  using namespace nabla;
  manual_seed(0);
  constexpr int64_t kSamples = 256;
  const Tensor x = rand({kSamples, 1}) * 2 - 1;
  std::vector<float> targets;
  const std::vector<float> xs = x.to_vector<float>();
  const std::vector<float> noise = (randn({kSamples}) * 0.05).to_vector<float>();
  for (int64_t i = 0; i < kSamples; ++i) targets.push_back(std::sin(3 * xs[i]) + noise[i]);
  const Tensor y = tensor(targets).reshape({kSamples, 1});

  nn::Sequential model(nn::Linear(1, 32), nn::Tanh(), nn::Linear(32, 32), nn::Tanh(),
                       nn::Linear(32, 1));
  optim::SGD optimizer(model->parameters(), optim::SGDOptions(0.1).momentum(0.9));
  for (int step = 0; step <= 1000; ++step) {
    const Tensor loss = nn::functional::mse_loss(model(x), y);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    if (step % 100 == 0) std::printf("step %4d  mse %.5f\n", step, loss.item<double>());
  }
  return 0;
}

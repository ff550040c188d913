// libtorch's side of scripts/compare_libtorch_cnn.sh: the model of PyTorch's C++ MNIST example
// (conv 1->10 5x5, max-pool 2, ReLU, conv 10->20 5x5, max-pool 2, ReLU, Linear 320->50, ReLU,
// Dropout 0.5, Linear 50->10) trained with Adam and cross entropy at batch 64 on MNIST-sized random
// uint8 images normalized per batch, exactly as bench/bench_cnn_training trains it in nabla.
// Built by that script against Debian's libtorch-dev, never by the project's build. Prints
// samples/s and the peak resident memory.
#include <sys/resource.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>

struct Net : torch::nn::Module {
  Net()
      : conv1(torch::nn::Conv2dOptions(1, 10, 5)),
        conv2(torch::nn::Conv2dOptions(10, 20, 5)),
        fc1(320, 50),
        fc2(50, 10) {
    register_module("conv1", conv1);
    register_module("conv2", conv2);
    register_module("fc1", fc1);
    register_module("fc2", fc2);
  }
  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(torch::max_pool2d(conv1->forward(x), 2));
    x = torch::relu(torch::max_pool2d(conv2->forward(x), 2));
    x = torch::relu(fc1->forward(x.view({-1, 320})));
    x = torch::dropout(x, 0.5, is_training());
    return fc2->forward(x);
  }
  torch::nn::Conv2d conv1, conv2;
  torch::nn::Linear fc1, fc2;
};

int main(int argc, char** argv) {
  const int64_t batch = 64, steps = argc > 1 ? std::atoll(argv[1]) : 300, warmup = 20;
  torch::manual_seed(0);
  const torch::Tensor images = (torch::rand({6400, 1, 28, 28}) * 255).to(torch::kUInt8);
  const torch::Tensor labels = (torch::rand({6400}) * 10).to(torch::kInt64);
  Net model;
  torch::optim::Adam optimizer(model.parameters(), torch::optim::AdamOptions(1e-3));
  auto start = std::chrono::steady_clock::now();
  for (int64_t step = 0; step < warmup + steps; ++step) {
    if (step == warmup) start = std::chrono::steady_clock::now();
    const int64_t first = (step * batch) % 6400;
    const torch::Tensor x = images.narrow(0, first, batch).to(torch::kFloat32).div_(255);
    const torch::Tensor loss =
        torch::nn::functional::cross_entropy(model.forward(x), labels.narrow(0, first, batch));
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("libtorch %s: %.0f samples/s, peak RSS %.0f MB (%d threads)\n", TORCH_VERSION,
              static_cast<double>(steps * batch) / seconds,
              static_cast<double>(usage.ru_maxrss) / 1024.0, torch::get_num_threads());
  return 0;
}

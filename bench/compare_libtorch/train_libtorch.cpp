// libtorch's half of the side-by-side training benchmark: trains --model (mlp, cnn or pytorch-cnn)
// on MNIST with Adam and cross entropy, tests it, and prints one JSON line (common.h). Its twin
// train_nabla.cpp does the same step for step in nabla, so the two are meant to be read side by
// side. Built only by the comparison script that runs both (against Debian's libtorch-dev), never
// by the project's build or tests.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common.h"

namespace {

constexpr const char* kVersion = TORCH_VERSION;

// MNIST's pixel mean and standard deviation (after / 255), which the CNNs' inputs are shifted and
// scaled by, as in PyTorch's MNIST example.
constexpr double kMean = 0.1307;
constexpr double kStd = 0.3081;

constexpr int64_t kTestBatch = 1000;

// Both CNNs take [N, 28, 28] images as one-channel [N, 1, 28, 28] ones (Unflatten).
torch::nn::Sequential make_model(const std::string& name) {
  using namespace torch::nn;
  if (name == "mlp") {
    return Sequential(Flatten(), Linear(784, 128), ReLU(), Dropout(0.2), Linear(128, 10));
  }
  if (name == "cnn") {  // examples/mnist_cnn's model
    return Sequential(Unflatten(UnflattenOptions(1, {1, 28})), Conv2d(Conv2dOptions(1, 32, 3)),
                      ReLU(), Conv2d(Conv2dOptions(32, 64, 3)), ReLU(), MaxPool2d(2), Dropout(0.25),
                      Flatten(), Linear(9216, 128), ReLU(), Dropout(0.5), Linear(128, 10));
  }
  // pytorch-cnn: the model of PyTorch's C++ MNIST example.
  return Sequential(Unflatten(UnflattenOptions(1, {1, 28})), Conv2d(Conv2dOptions(1, 10, 5)),
                    MaxPool2d(2), ReLU(), Conv2d(Conv2dOptions(10, 20, 5)), MaxPool2d(2), ReLU(),
                    Flatten(), Linear(320, 50), ReLU(), Dropout(0.5), Linear(50, 10));
}

// The images as a uint8 [count, 28, 28] tensor that owns the bytes read, without copying them: a
// copy would put the 47 MB of training images in the peak memory twice.
torch::Tensor images_tensor(compare::MnistBytes& split) {
  auto bytes = std::make_unique<std::vector<uint8_t>>(std::move(split.images));
  std::vector<uint8_t>* owned = bytes.get();
  torch::Tensor images = torch::from_blob(
      owned->data(), {split.count, split.rows, split.cols}, [owned](void*) { delete owned; },
      torch::TensorOptions(torch::kUInt8));
  bytes.release();  // the tensor's deleter owns them now
  return images;
}

// The labels as int64 [count], the dtype cross entropy takes.
torch::Tensor labels_tensor(compare::MnistBytes& split) {
  return torch::from_blob(split.labels.data(), {split.count}, torch::TensorOptions(torch::kUInt8))
      .to(torch::kInt64);
}

// A uint8 batch as the model's float32 input: pixel / 255, standardized for the CNNs.
torch::Tensor prepare(const torch::Tensor& images, bool standardize) {
  torch::Tensor x = images.to(torch::kFloat32).div_(255);
  if (standardize) {
    x.sub_(kMean);
    x.div_(kStd);
  }
  return x;
}

// Percent of the test images the model classifies correctly.
double test_accuracy(torch::nn::Sequential& model, const torch::Tensor& images,
                     const torch::Tensor& labels, bool standardize) {
  torch::NoGradGuard no_grad;
  model->eval();
  const int64_t count = images.size(0);
  int64_t correct = 0;
  for (int64_t first = 0; first < count; first += kTestBatch) {
    const int64_t length = std::min(kTestBatch, count - first);
    const torch::Tensor logits =
        model->forward(prepare(images.narrow(0, first, length), standardize));
    correct += (logits.argmax(1) == labels.narrow(0, first, length)).sum().item<int64_t>();
  }
  return 100.0 * static_cast<double>(correct) / static_cast<double>(count);
}

int run(const compare::Flags& flags) {
  compare::MnistBytes train_bytes = compare::read_mnist(flags.program, flags.data, true);
  compare::MnistBytes test_bytes = compare::read_mnist(flags.program, flags.data, false);
  const int64_t train_count = compare::training_count(flags, train_bytes.count);
  const torch::Tensor train_images = images_tensor(train_bytes).narrow(0, 0, train_count);
  const torch::Tensor train_labels = labels_tensor(train_bytes).narrow(0, 0, train_count);
  const torch::Tensor test_images = images_tensor(test_bytes);
  const torch::Tensor test_labels = labels_tensor(test_bytes);

  // Seeds the initial weights, the dropout masks and the epochs' orders.
  torch::manual_seed(flags.seed);
  torch::nn::Sequential model = make_model(flags.model);
  const bool standardize = flags.model != "mlp";
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
  torch::nn::CrossEntropyLoss criterion;
  // What nabla's DataLoader does with drop_last: whole batches only.
  const int64_t steps = train_count / flags.batch_size;

  model->train();
  double final_loss = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int64_t epoch = 0; epoch < flags.epochs; ++epoch) {
    double loss_sum = 0;
    const torch::Tensor order = torch::randperm(train_count, torch::kInt64);
    for (int64_t step = 0; step < steps; ++step) {
      const torch::Tensor rows = order.narrow(0, step * flags.batch_size, flags.batch_size);
      const torch::Tensor images = train_images.index_select(0, rows);
      const torch::Tensor labels = train_labels.index_select(0, rows);
      const torch::Tensor loss = criterion(model->forward(prepare(images, standardize)), labels);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<float>();
    }
    final_loss = loss_sum / static_cast<double>(steps);
  }
  const double train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int64_t samples = flags.epochs * steps * flags.batch_size;

  compare::TrainingResult result;
  result.framework = "libtorch";
  result.version = kVersion;
  result.model = flags.model;
  result.batch_size = flags.batch_size;
  result.epochs = flags.epochs;
  result.threads = torch::get_num_threads();
  result.train_seconds = train_seconds;
  result.samples_per_second = static_cast<double>(samples) / train_seconds;
  result.test_accuracy = test_accuracy(model, test_images, test_labels, standardize);
  result.peak_rss_mb = compare::peak_rss_mb();
  result.final_loss = final_loss;
  compare::print_result(result);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const compare::Flags flags = compare::parse_flags("train_libtorch", argc, argv);
  try {
    return run(flags);
  } catch (const c10::Error& e) {
    std::cerr << flags.program << ": " << e.what_without_backtrace() << "\n";
    return 1;
  }
}

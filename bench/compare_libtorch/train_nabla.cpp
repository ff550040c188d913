// nabla's half of the side-by-side training benchmark: trains --model (mlp, cnn or pytorch-cnn) on
// MNIST with Adam and cross entropy, tests it, and prints one JSON line (common.h). Its twin
// train_libtorch.cpp does the same step for step in libtorch, so the two are meant to be read side
// by side. Built only by the comparison script that runs both, never by the project's build or
// tests.
#include <nabla/nabla.h>

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

using namespace nabla;

// nabla's CMake project has a version, but no header exports it.
constexpr const char* kVersion = "dev";

// MNIST's pixel mean and standard deviation (after / 255), which the CNNs' inputs are shifted and
// scaled by, as in PyTorch's MNIST example.
constexpr double kMean = 0.1307;
constexpr double kStd = 0.3081;

constexpr int64_t kTestBatch = 1000;

// Both CNNs take [N, 28, 28] images as one-channel [N, 1, 28, 28] ones (Unflatten).
nn::Sequential make_model(const std::string& name) {
  if (name == "mlp") {
    return nn::Sequential(nn::Flatten(), nn::Linear(784, 128), nn::ReLU(), nn::Dropout(0.2),
                          nn::Linear(128, 10));
  }
  if (name == "cnn") {  // examples/mnist_cnn's model
    return nn::Sequential(nn::Unflatten(1, Shape{1, 28}), nn::Conv2d(1, 32, 3), nn::ReLU(),
                          nn::Conv2d(32, 64, 3), nn::ReLU(), nn::MaxPool2d(2), nn::Dropout(0.25),
                          nn::Flatten(), nn::Linear(9216, 128), nn::ReLU(), nn::Dropout(0.5),
                          nn::Linear(128, 10));
  }
  // pytorch-cnn: the model of PyTorch's C++ MNIST example.
  return nn::Sequential(nn::Unflatten(1, Shape{1, 28}), nn::Conv2d(1, 10, 5), nn::MaxPool2d(2),
                        nn::ReLU(), nn::Conv2d(10, 20, 5), nn::MaxPool2d(2), nn::ReLU(),
                        nn::Flatten(), nn::Linear(320, 50), nn::ReLU(), nn::Dropout(0.5),
                        nn::Linear(50, 10));
}

// The images as a uint8 [count, 28, 28] tensor that owns the bytes read, without copying them: a
// copy would put the 47 MB of training images in the peak memory twice.
Tensor images_tensor(compare::MnistBytes& split) {
  auto bytes = std::make_unique<std::vector<uint8_t>>(std::move(split.images));
  std::vector<uint8_t>* owned = bytes.get();
  Tensor images = from_blob(
      owned->data(), {split.count, split.rows, split.cols}, [owned](void*) { delete owned; },
      TensorOptions(kUInt8));
  bytes.release();  // the tensor's deleter owns them now
  return images;
}

// The labels as int64 [count], the dtype cross entropy takes.
Tensor labels_tensor(compare::MnistBytes& split) {
  return from_blob(split.labels.data(), {split.count}, TensorOptions(kUInt8)).to(kInt64);
}

// A uint8 batch as the model's float32 input: pixel / 255, standardized for the CNNs.
Tensor prepare(const Tensor& images, bool standardize) {
  Tensor x = data::normalize_images(images);
  if (standardize) {
    x -= kMean;
    x /= kStd;
  }
  return x;
}

// Percent of the test images the model classifies correctly.
double test_accuracy(nn::Sequential& model, const Tensor& images, const Tensor& labels,
                     bool standardize) {
  NoGradGuard no_grad;
  model->eval();
  const int64_t count = images.size(0);
  int64_t correct = 0;
  for (int64_t first = 0; first < count; first += kTestBatch) {
    const int64_t length = std::min(kTestBatch, count - first);
    const Tensor logits = model(prepare(images.narrow(0, first, length), standardize));
    correct += (logits.argmax(1) == labels.narrow(0, first, length)).sum().item<int64_t>();
  }
  return 100.0 * static_cast<double>(correct) / static_cast<double>(count);
}

// The per-step breakdown: kBreakdownSteps more training steps, after the timed run and the test,
// with each phase of the step timed by the clock and every kernel and allocation by
// nabla::profile. Returned as JSON members in microseconds per step: the phases, the kernels by
// category, and "host": the step's time outside all kernels and allocations (op dispatch, shape
// logic, autograd bookkeeping). Profiling adds two clock reads per kernel call.
constexpr int64_t kBreakdownSteps = 200;

std::string breakdown(nn::Sequential& model, optim::Optimizer& optimizer,
                      nn::CrossEntropyLoss& criterion, data::DataLoader& loader, bool standardize) {
  using Clock = std::chrono::steady_clock;
  const auto seconds = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };
  model->train();
  double data_s = 0, forward_s = 0, backward_s = 0, optimizer_s = 0;
  int64_t steps = 0;
  profile::reset();
  profile::enable(true);
  auto batch = loader.begin();
  const Clock::time_point start = Clock::now();
  while (steps < kBreakdownSteps) {
    Clock::time_point t0 = Clock::now();
    if (batch == loader.end()) batch = loader.begin();
    const Tensor x = prepare((*batch)[0], standardize);
    const Tensor target = (*batch)[1];
    const Clock::time_point t1 = Clock::now();
    const Tensor loss = criterion(model(x), target);
    const Clock::time_point t2 = Clock::now();
    optimizer.zero_grad();
    loss.backward();
    const Clock::time_point t3 = Clock::now();
    optimizer.step();
    (void)loss.item<float>();
    const Clock::time_point t4 = Clock::now();
    ++batch;  // the next batch is gathered when first read, in the next step's data phase
    const Clock::time_point t5 = Clock::now();
    data_s += seconds(t0, t1) + seconds(t4, t5);
    forward_s += seconds(t1, t2);
    backward_s += seconds(t2, t3);
    optimizer_s += seconds(t3, t4);
    ++steps;
  }
  const double total_s = seconds(start, Clock::now());
  profile::enable(false);
  const profile::Totals totals = profile::totals();
  const double per_step_us = 1e6 / static_cast<double>(steps);
  std::string json =
      ",\"breakdown_us_per_step\":{\"step\":" + compare::json_number(total_s * per_step_us) +
      ",\"phases\":{\"data\":" + compare::json_number(data_s * per_step_us) +
      ",\"forward_and_loss\":" + compare::json_number(forward_s * per_step_us) +
      ",\"backward\":" + compare::json_number(backward_s * per_step_us) +
      ",\"optimizer\":" + compare::json_number(optimizer_s * per_step_us) + "},\"kernels\":{";
  double kernels_s = 0;
  for (int i = 0; i < profile::kCategories; ++i) {
    if (totals.calls[i] == 0) continue;
    kernels_s += totals.seconds[i];
    json += (json.back() == '{' ? "" : ",") +
            compare::json_string(profile::name(static_cast<profile::Category>(i))) + ":" +
            compare::json_number(totals.seconds[i] * per_step_us);
  }
  json += "},\"host\":" + compare::json_number((total_s - kernels_s) * per_step_us) + "}";
  return json;
}

int run(const compare::Flags& flags) {
  compare::MnistBytes train_bytes = compare::read_mnist(flags.program, flags.data, true);
  compare::MnistBytes test_bytes = compare::read_mnist(flags.program, flags.data, false);
  const int64_t train_count = compare::training_count(flags, train_bytes.count);
  const Tensor train_images = images_tensor(train_bytes).narrow(0, 0, train_count);
  const Tensor train_labels = labels_tensor(train_bytes).narrow(0, 0, train_count);
  const Tensor test_images = images_tensor(test_bytes);
  const Tensor test_labels = labels_tensor(test_bytes);

  // Seeds the initial weights and the dropout masks.
  manual_seed(flags.seed);
  nn::Sequential model = make_model(flags.model);
  const bool standardize = flags.model != "mlp";
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(1e-3));
  nn::CrossEntropyLoss criterion;
  // Draws a new order every epoch from the seed and gathers each batch with index_select.
  data::DataLoader loader(data::TensorDataset({train_images, train_labels}),
                          data::DataLoaderOptions()
                              .batch_size(flags.batch_size)
                              .shuffle(true)
                              .seed(flags.seed)
                              .drop_last(true));

  model->train();
  double final_loss = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int64_t epoch = 0; epoch < flags.epochs; ++epoch) {
    double loss_sum = 0;
    for (std::vector<Tensor>& batch : loader) {
      const Tensor loss = criterion(model(prepare(batch[0], standardize)), batch[1]);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<float>();
    }
    final_loss = loss_sum / static_cast<double>(loader.size());
  }
  const double train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int64_t samples = flags.epochs * loader.size() * flags.batch_size;

  compare::TrainingResult result;
  result.framework = "nabla";
  result.version = kVersion;
  result.model = flags.model;
  result.batch_size = flags.batch_size;
  result.epochs = flags.epochs;
  result.threads = get_num_threads();
  result.train_seconds = train_seconds;
  result.samples_per_second = static_cast<double>(samples) / train_seconds;
  result.test_accuracy = test_accuracy(model, test_images, test_labels, standardize);
  result.peak_rss_mb = compare::peak_rss_mb();
  result.final_loss = final_loss;
  result.extra = breakdown(model, optimizer, criterion, loader, standardize);
  compare::print_result(result);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const compare::Flags flags = compare::parse_flags("train_nabla", argc, argv);
  try {
    return run(flags);
  } catch (const nabla::Error& e) {
    std::cerr << flags.program << ": " << e.what() << "\n";
    return 1;
  }
}

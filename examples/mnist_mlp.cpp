// Trains the MLP of the seed tutorial on MNIST: Flatten, Linear 784->128, ReLU, Dropout 0.2,
// Linear 128->10, with Adam and cross entropy. Prints the device, then per epoch the training
// loss, test accuracy, seconds and samples per second (with a progress bar on a terminal). On a
// GPU the whole dataset is copied to the device once and batches are gathered there; the loss is
// summed on the device and read back only every kReadEvery steps, so the GPU never waits.
#include <nabla/nabla.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

namespace {

using namespace nabla;

struct Flags {
  int64_t epochs = 5;
  int64_t batch_size = 64;
  double lr = 1e-3;
  std::string device = "auto";
  std::string data = "data/mnist";
  uint64_t seed = 1;
  std::string save;
  double min_accuracy = -1;  // exit with status 1 if the final test accuracy is lower
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "mnist_mlp: " << problem << "\n"
            << "usage: mnist_mlp [--epochs N] [--batch-size N] [--lr X] [--device auto|cpu|cuda]\n"
            << "                 [--data DIR] [--seed N] [--save PATH] [--min-accuracy PERCENT]\n";
  std::exit(2);
}

Flags parse(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string name = argv[i];
    if (name == "--help" || name == "-h") usage("trains an MLP on MNIST");
    if (i + 1 >= argc) usage("missing value after " + name);
    const std::string value = argv[++i];
    try {
      if (name == "--epochs")
        flags.epochs = std::stoll(value);
      else if (name == "--batch-size")
        flags.batch_size = std::stoll(value);
      else if (name == "--lr")
        flags.lr = std::stod(value);
      else if (name == "--device")
        flags.device = value;
      else if (name == "--data")
        flags.data = value;
      else if (name == "--seed")
        flags.seed = std::stoull(value);
      else if (name == "--save")
        flags.save = value;
      else if (name == "--min-accuracy")
        flags.min_accuracy = std::stod(value);
      else
        usage("unknown flag " + name);
    } catch (const std::logic_error&) {
      usage("invalid value '" + value + "' for " + name);
    }
  }
  if (flags.epochs < 1 || flags.batch_size < 1 || !(flags.lr > 0)) {
    usage("--epochs, --batch-size and --lr must be positive");
  }
  if (flags.device != "auto" && flags.device != "cpu" && flags.device != "cuda") {
    usage("--device must be auto, cpu or cuda");
  }
  return flags;
}

// Steps between reads of the running loss (each read waits for the device).
constexpr int64_t kReadEvery = 50;

Device pick_device(const std::string& choice) {
  if (choice == "cpu") return Device(kCPU);
  if (choice == "cuda") {
    if (!cuda::is_available()) {
      std::cerr << "mnist_mlp: --device cuda, but "
                << (cuda::is_built() ? "no usable CUDA device was found (no GPU, or no driver)"
                                     : "this build of nabla has no CUDA support")
                << "\n";
      std::exit(1);
    }
    return Device(kCUDA, 0);
  }
  return cuda::is_available() ? Device(kCUDA, 0) : Device(kCPU);
}

// "cuda:0 (NVIDIA H200 (sm_90))", or "cpu" with the reason --device auto chose it.
std::string describe(Device device, const std::string& choice) {
  if (device.is_cuda()) return device.str() + " (" + cuda::device_name(device.index()) + ")";
  if (choice != "auto") return "cpu";
  return cuda::is_built() ? "cpu (no usable CUDA device)" : "cpu (built without CUDA)";
}

void draw_progress(int64_t done, int64_t total, double loss) {
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * done / total);
  std::printf("\r  [%s%s] %3d%%  loss %.4f", std::string(filled, '=').c_str(),
              std::string(kWidth - filled, ' ').c_str(), static_cast<int>(100 * done / total),
              loss);
  std::fflush(stdout);
}

double evaluate(nn::Sequential& model, const data::MnistSplit& test) {
  NoGradGuard no_grad;
  model->eval();
  Tensor correct;  // counted on the model's device, read once
  data::DataLoader loader(data::TensorDataset({test.images, test.labels}),
                          data::DataLoaderOptions().batch_size(1000));
  for (const std::vector<Tensor>& batch : loader) {
    const Tensor logits = model(data::normalize_images(batch[0]));
    const Tensor hits = (logits.argmax(1) == batch[1]).sum();
    correct = correct.defined() ? correct + hits : hits;
  }
  return 100.0 * static_cast<double>(correct.item<int64_t>()) /
         static_cast<double>(test.labels.size(0));
}

int run(const Flags& flags) {
  const Device device = pick_device(flags.device);
  std::cout << "device: " << describe(device, flags.device) << "\n";
  manual_seed(flags.seed);

  data::MnistSplit train = data::load_mnist(flags.data, /*train=*/true);
  data::MnistSplit test = data::load_mnist(flags.data, /*train=*/false);
  std::cout << "data: " << train.images.size(0) << " training and " << test.images.size(0)
            << " test images from " << flags.data << "\n";
  // The dataset moves to the device once (uint8 images: 55 MB in all); batches are gathered there.
  for (data::MnistSplit* split : {&train, &test}) {
    split->images = split->images.to(device);
    split->labels = split->labels.to(device);
  }

  nn::Sequential model(nn::Flatten(), nn::Linear(784, 128), nn::ReLU(), nn::Dropout(0.2),
                       nn::Linear(128, 10));
  model->to(device);
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(flags.lr));
  nn::CrossEntropyLoss criterion;
  data::DataLoader loader(
      data::TensorDataset({train.images, train.labels}),
      data::DataLoaderOptions().batch_size(flags.batch_size).shuffle(true).seed(flags.seed));
  const bool show_progress = isatty(fileno(stdout)) != 0;

  double accuracy = 0;
  for (int64_t epoch = 1; epoch <= flags.epochs; ++epoch) {
    model->train();
    const auto start = std::chrono::steady_clock::now();
    Tensor loss_sum = zeros({}, TensorOptions(kFloat32).device(device));  // summed on the device
    int64_t seen = 0, step = 0;
    const int64_t steps = static_cast<int64_t>(loader.size());
    for (const std::vector<Tensor>& batch : loader) {
      const Tensor& labels = batch[1];
      const Tensor loss = criterion(model(data::normalize_images(batch[0])), labels);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      {
        NoGradGuard no_grad;
        loss_sum += loss.detach() * static_cast<double>(labels.size(0));
      }
      seen += labels.size(0);
      ++step;
      if (show_progress && (step % kReadEvery == 0 || step == steps)) {
        draw_progress(step, steps, loss_sum.item<double>() / static_cast<double>(seen));
      }
    }
    const double mean_loss = loss_sum.item<double>() / static_cast<double>(seen);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    accuracy = evaluate(model, test);
    if (show_progress) std::printf("\r%60s\r", "");
    std::printf("epoch %lld/%lld  train loss %.4f  test accuracy %.2f%%  %.2f s  %.0f samples/s\n",
                static_cast<long long>(epoch), static_cast<long long>(flags.epochs), mean_loss,
                accuracy, seconds, static_cast<double>(seen) / seconds);
    std::fflush(stdout);
  }
  if (device.is_cuda()) {
    std::printf(
        "peak device memory: %.1f MiB\n",
        static_cast<double>(cuda::memory_stats(device.index()).peak_allocated_bytes) / (1 << 20));
  }
  if (!flags.save.empty()) {
    nn::save(*model, flags.save);
    std::cout << "saved the model to " << flags.save << "\n";
  }
  if (flags.min_accuracy >= 0 && accuracy < flags.min_accuracy) {
    std::cerr << "mnist_mlp: test accuracy " << accuracy << "% is below the required "
              << flags.min_accuracy << "%\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = parse(argc, argv);
  try {
    return run(flags);
  } catch (const nabla::Error& e) {
    std::cerr << "mnist_mlp: " << e.what() << "\n";  // a missing file's error says how to fetch it
    return 1;
  }
}

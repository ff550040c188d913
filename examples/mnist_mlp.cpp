// Trains the MLP of the seed tutorial on MNIST: Flatten, Linear 784->128, ReLU, Dropout 0.2,
// Linear 128->10, with Adam and cross entropy. Prints the device, then per epoch the training
// loss, test accuracy, seconds and samples per second (with a progress bar on a terminal).
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

Device pick_device(const std::string& choice) {
  if (choice == "cpu") return Device(kCPU);
  if (choice == "cuda") {
    if (!cuda::is_available()) {
      std::cerr << "mnist_mlp: --device cuda, but no usable CUDA device (or no CUDA support in "
                   "this build)\n";
      std::exit(1);
    }
    return Device(kCUDA, 0);
  }
  return cuda::is_available() ? Device(kCUDA, 0) : Device(kCPU);
}

void draw_progress(int64_t done, int64_t total, double loss) {
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * done / total);
  std::printf("\r  [%s%s] %3d%%  loss %.4f", std::string(filled, '=').c_str(),
              std::string(kWidth - filled, ' ').c_str(), static_cast<int>(100 * done / total),
              loss);
  std::fflush(stdout);
}

double evaluate(nn::Sequential& model, const data::MnistSplit& test, Device device) {
  NoGradGuard no_grad;
  model->eval();
  int64_t correct = 0;
  data::DataLoader loader(data::TensorDataset({test.images, test.labels}),
                          data::DataLoaderOptions().batch_size(1000));
  for (const std::vector<Tensor>& batch : loader) {
    const Tensor logits = model(data::normalize_images(batch[0]).to(device));
    correct += (logits.argmax(1) == batch[1].to(device)).sum().item<int64_t>();
  }
  return 100.0 * static_cast<double>(correct) / static_cast<double>(test.labels.size(0));
}

int run(const Flags& flags) {
  const Device device = pick_device(flags.device);
  std::cout << "device: " << device << "\n";
  manual_seed(flags.seed);

  const data::MnistSplit train = data::load_mnist(flags.data, /*train=*/true);
  const data::MnistSplit test = data::load_mnist(flags.data, /*train=*/false);
  std::cout << "data: " << train.images.size(0) << " training and " << test.images.size(0)
            << " test images from " << flags.data << "\n";

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
    double loss_sum = 0;
    int64_t seen = 0, step = 0;
    const int64_t steps = static_cast<int64_t>(loader.size());
    for (const std::vector<Tensor>& batch : loader) {
      const Tensor images = data::normalize_images(batch[0]).to(device);
      const Tensor labels = batch[1].to(device);
      const Tensor loss = criterion(model(images), labels);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>() * static_cast<double>(labels.size(0));
      seen += labels.size(0);
      if (show_progress && (++step % 20 == 0 || step == steps)) {
        draw_progress(step, steps, loss_sum / static_cast<double>(seen));
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    accuracy = evaluate(model, test, device);
    if (show_progress) std::printf("\r%60s\r", "");
    std::printf("epoch %lld/%lld  train loss %.4f  test accuracy %.2f%%  %.2f s  %.0f samples/s\n",
                static_cast<long long>(epoch), static_cast<long long>(flags.epochs),
                loss_sum / static_cast<double>(seen), accuracy, seconds,
                static_cast<double>(seen) / seconds);
    std::fflush(stdout);
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

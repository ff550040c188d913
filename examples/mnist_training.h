// The MNIST training program shared by examples/mnist_mlp and examples/mnist_cnn: flags (--dataset
// picks MNIST or Fashion-MNIST, which share MNIST's file layout), device choice, the training loop
// (Adam and cross entropy; per epoch the training loss, test accuracy, seconds and samples per
// second, with a progress bar on a terminal) and the test evaluation. On a GPU the whole dataset
// is copied to the device once and batches are gathered there; the loss is summed on the device
// and read back only every kReadEvery steps, so the GPU never waits. With --checkpoint the whole
// training state is saved (training_state.h) and --resume continues it bit for bit; a loss that is
// not finite stops the run, naming its step, before anything is saved. With --distributed the
// processes mpirun starts train together (DistributedDataParallel): each takes its share of every
// batch, and only rank 0 prints and saves.
#pragma once

#include <nabla/nabla.h>
#include <unistd.h>

#include <nabla/distributed/data_parallel.h>
#include <nabla/examples/training_state.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace mnist_example {

using namespace nabla;

// A dataset the programs train on. MNIST and Fashion-MNIST have the same files, shapes and ten
// classes, so one loader and one model fit both; what differs is where the files are and the
// statistics that standardized inputs are shifted and scaled by.
struct Dataset {
  const char* flag;       // the value of --dataset
  const char* name;       // as printed
  const char* directory;  // the default --data: where its fetch script puts the files
  double mean;            // pixel mean and standard deviation over the training images, / 255
  double std;
};

// The first is the default.
inline constexpr Dataset kDatasets[] = {
    {"mnist", "MNIST", "data/mnist", 0.1307, 0.3081},
    {"fashion-mnist", "Fashion-MNIST", "data/fashion-mnist", 0.2860, 0.3530},
};

struct Flags {
  int64_t epochs = 5;
  int64_t batch_size = 64;
  double lr = 1e-3;
  std::string device = "auto";
  const Dataset* dataset = &kDatasets[0];
  std::string data;  // the dataset's directory unless --data names another
  uint64_t seed = 1;
  std::string save;
  double min_accuracy = -1;       // exit with status 1 if the final test accuracy is lower
  int64_t train_limit = 0;        // train on the first N images only (0: all)
  bool check_loss_falls = false;  // exit 1 unless the loss falls to half its first value
  std::string checkpoint;         // where the training state goes (training_state.h)
  int64_t save_every = 0;         // steps between checkpoints (0: only at the end of each epoch)
  std::string resume;             // the training state to continue from
  bool detect_anomaly = false;    // backward checks every gradient for NaN and Inf
  bool distributed = false;       // one of the processes mpirun started, which train together
};

// What differs between the programs: their name, a line about the model, the model, and how it
// is trained: inputs standardized with the dataset's mean and standard deviation (PyTorch's MNIST
// example does), and the learning rate multiplied by lr_gamma after every epoch (1: constant).
struct Program {
  const char* name;
  const char* description;
  int64_t default_epochs;
  std::function<nn::Sequential()> make_model;
  bool standardize = false;
  double lr_gamma = 1.0;
};

// A uint8 batch as the model's float32 input: pixel / 255, and standardized when asked.
inline Tensor prepare(const Program& program, const Dataset& dataset, const Tensor& images) {
  Tensor x = data::normalize_images(images);
  if (program.standardize) {
    NoGradGuard no_grad;
    x -= dataset.mean;
    x /= dataset.std;
  }
  return x;
}

// A command line that parse() refuses, or --help; main prints the message and the usage and exits
// with exit_status. An exception rather than an exit, so that the tests can check what parse()
// accepts and with which status the program would end.
struct UsageError : nabla::Error {
  explicit UsageError(std::string message, int exit_status = 2)
      : nabla::Error(std::move(message)), exit_status(exit_status) {}
  int exit_status;  // 2: the command line is wrong; 0: --help asked for the usage
};

[[noreturn]] inline void usage(const Program& program, const std::string& problem, int status) {
  (status == 0 ? std::cout : std::cerr)
      << program.name << ": " << problem << "\n"
      << "usage: " << program.name
      << " [--dataset mnist|fashion-mnist] [--epochs N] [--batch-size N] [--lr X]\n"
      << "       [--device auto|cpu|cuda] [--data DIR] [--seed N] [--save PATH]\n"
      << "       [--min-accuracy PERCENT] [--train-limit N] [--check-loss-falls]\n"
      << "       [--checkpoint PATH] [--save-every N] [--resume PATH] [--detect-anomaly]\n"
      << "       [--distributed]\n"
      << "--data defaults to data/mnist or data/fashion-mnist, where scripts/fetch_mnist.sh and\n"
      << "scripts/fetch_fashion_mnist.sh put the files. --checkpoint writes the whole training\n"
      << "state to PATH at the end of every epoch and, with --save-every N, every N steps;\n"
      << "--resume PATH continues the run it holds (given the same flags) and goes on writing\n"
      << "checkpoints there unless --checkpoint names another file. --distributed: one of the\n"
      << "processes of mpirun -np N, which train together on CPUs, each on 1/N of every batch of\n"
      << "--batch-size; rank 0 prints and saves.\n";
  std::exit(status);
}

// A flag's value as a number of type T: the whole string must be one (std::from_chars: no sign on
// unsigned types, no exponent or fraction on integers, no leading space or trailing junk), it must
// fit T, and a floating point value must be finite. "1e12" is not a batch size and "5e-3junk" not
// a learning rate: a typo should stop the run rather than train with something else.
template <typename T>
T parse_number(const std::string& name, const std::string& value) {
  T result{};
  const char* const last = value.data() + value.size();
  const auto [end, error] = std::from_chars(value.data(), last, result);
  const char* expected = std::is_floating_point_v<T> ? "a number"
                         : std::is_signed_v<T>       ? "a whole number"
                                                     : "a whole number, not negative";
  if (error == std::errc::result_out_of_range) {
    throw UsageError("invalid value '" + value + "' for " + name + ": out of range");
  }
  if (value.empty() || error != std::errc() || end != last) {
    throw UsageError("invalid value '" + value + "' for " + name + ": expected " + expected);
  }
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(result)) {
      throw UsageError("invalid value '" + value + "' for " + name + ": expected a finite number");
    }
  }
  return result;
}

// Refuses a parsed value outside the flag's range, quoting what was given.
inline void require(bool in_range, const std::string& name, const std::string& value,
                    const std::string& range) {
  if (!in_range) throw UsageError("invalid value '" + value + "' for " + name + ": " + range);
}

inline const Dataset& find_dataset(const std::string& flag) {
  for (const Dataset& dataset : kDatasets) {
    if (flag == dataset.flag) return dataset;
  }
  throw UsageError("unknown dataset '" + flag + "': --dataset must be mnist or fashion-mnist");
}

// `args` are the arguments after the program's name.
inline Flags parse(const Program& program, const std::vector<std::string>& args) {
  Flags flags;
  flags.epochs = program.default_epochs;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& name = args[i];
    if (name == "--help" || name == "-h") throw UsageError(program.description, /*exit_status=*/0);
    if (name == "--check-loss-falls") {
      flags.check_loss_falls = true;
      continue;
    }
    if (name == "--detect-anomaly") {
      flags.detect_anomaly = true;
      continue;
    }
    if (name == "--distributed") {
      flags.distributed = true;
      continue;
    }
    if (i + 1 >= args.size()) throw UsageError("missing value after " + name);
    const std::string& value = args[++i];
    if (name == "--epochs") {
      flags.epochs = parse_number<int64_t>(name, value);
      require(flags.epochs >= 1, name, value, "must be at least 1");
    } else if (name == "--batch-size") {
      flags.batch_size = parse_number<int64_t>(name, value);
      require(flags.batch_size >= 1, name, value, "must be at least 1");
    } else if (name == "--lr") {
      flags.lr = parse_number<double>(name, value);
      require(flags.lr > 0, name, value, "must be above 0");
    } else if (name == "--device") {
      flags.device = value;
    } else if (name == "--dataset") {
      flags.dataset = &find_dataset(value);
    } else if (name == "--data") {
      flags.data = value;
    } else if (name == "--seed") {
      flags.seed = parse_number<uint64_t>(name, value);
    } else if (name == "--save") {
      flags.save = value;
    } else if (name == "--min-accuracy") {
      flags.min_accuracy = parse_number<double>(name, value);
      require(flags.min_accuracy >= 0 && flags.min_accuracy <= 100, name, value,
              "must be a percentage from 0 to 100");
    } else if (name == "--train-limit") {
      flags.train_limit = parse_number<int64_t>(name, value);
      require(flags.train_limit >= 0, name, value, "must not be negative (0: all images)");
    } else if (name == "--checkpoint") {
      flags.checkpoint = value;
    } else if (name == "--save-every") {
      flags.save_every = parse_number<int64_t>(name, value);
      require(flags.save_every >= 1, name, value, "must be at least 1");
    } else if (name == "--resume") {
      flags.resume = value;
    } else {
      throw UsageError("unknown flag " + name);
    }
  }
  if (flags.device != "auto" && flags.device != "cpu" && flags.device != "cuda") {
    throw UsageError("--device must be auto, cpu or cuda");
  }
  // After the loop, so that --data wins over --dataset in either order.
  if (flags.data.empty()) flags.data = flags.dataset->directory;
  // A resumed run goes on writing where it resumed from, so that it survives a second crash too.
  if (flags.checkpoint.empty()) flags.checkpoint = flags.resume;
  if (flags.save_every > 0 && flags.checkpoint.empty()) {
    throw UsageError("--save-every needs --checkpoint PATH (or --resume PATH) to write to");
  }
  if (flags.distributed && !flags.checkpoint.empty()) {
    throw UsageError("--distributed does not take --checkpoint or --resume yet");
  }
  if (flags.distributed && flags.device == "cuda") {
    throw UsageError("--distributed trains on CPUs for now (GPU tensors need NCCL, not built yet)");
  }
  if (!flags.save.empty() && flags.save == flags.checkpoint) {
    throw UsageError("--save and --checkpoint name the same file, " + flags.save +
                     ": the model would overwrite the training state");
  }
  return flags;
}

// Steps between reads of the running loss (each read waits for the device).
constexpr int64_t kReadEvery = 50;

inline Device pick_device(const Program& program, const std::string& choice) {
  if (choice == "cpu") return Device(kCPU);
  if (choice == "cuda") {
    if (!cuda::is_available()) {
      std::cerr << program.name << ": --device cuda, but "
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
inline std::string describe(Device device, const std::string& choice) {
  if (device.is_cuda()) return device.str() + " (" + cuda::device_name(device.index()) + ")";
  if (choice != "auto") return "cpu";
  return cuda::is_built() ? "cpu (no usable CUDA device)" : "cpu (built without CUDA)";
}

inline void draw_progress(int64_t done, int64_t total, double loss) {
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * done / total);
  std::printf("\r  [%s%s] %3d%%  loss %.4f", std::string(filled, '=').c_str(),
              std::string(kWidth - filled, ' ').c_str(), static_cast<int>(100 * done / total),
              loss);
  std::fflush(stdout);
}

inline double evaluate(const Program& program, const Dataset& dataset, nn::Sequential& model,
                       const data::MnistSplit& test) {
  NoGradGuard no_grad;
  model->eval();
  Tensor correct;  // counted on the model's device, read once
  data::DataLoader loader(data::TensorDataset({test.images, test.labels}),
                          data::DataLoaderOptions().batch_size(1000));
  for (const std::vector<Tensor>& batch : loader) {
    const Tensor logits = model(prepare(program, dataset, batch[0]));
    const Tensor hits = (logits.argmax(1) == batch[1]).sum();
    correct = correct.defined() ? correct + hits : hits;
  }
  return 100.0 * static_cast<double>(correct.item<int64_t>()) /
         static_cast<double>(test.labels.size(0));
}

// "28x28": the shape of one image of a split's [count, rows, cols].
inline std::string image_shape(const Tensor& images) {
  return std::to_string(images.size(1)) + "x" + std::to_string(images.size(2));
}

// The training and the test split of flags.data, checked to fit together before anything trains:
// test images of another shape than the training images would otherwise fail at the first
// evaluation, after a whole epoch of training.
inline std::pair<data::MnistSplit, data::MnistSplit> load_splits(const Flags& flags) {
  data::MnistSplit train = data::load_mnist(flags.data, /*train=*/true);
  data::MnistSplit test = data::load_mnist(flags.data, /*train=*/false);
  NABLA_CHECK(
      train.images.size(1) == test.images.size(1) && train.images.size(2) == test.images.size(2),
      "the training images are ", image_shape(train.images), " (", flags.data,
      "/train-images-idx3-ubyte) but the test images are ", image_shape(test.images), " (",
      flags.data, "/t10k-images-idx3-ubyte): a model trained on one cannot be tested on ",
      "the other");
  return {std::move(train), std::move(test)};
}

// Runs the model on one training image, so that images it cannot take (a dataset of 27x29 images
// for a model of 28x28 ones) stop the program before training rather than in its first step.
// Evaluation mode: dropout draws nothing, so the generators are as they were.
inline void check_model_takes(const Program& program, const Dataset& dataset, nn::Sequential& model,
                              const Tensor& images) {
  NoGradGuard no_grad;
  model->eval();
  try {
    model(prepare(program, dataset, images.narrow(0, 0, 1)));
  } catch (const nabla::Error& e) {
    NABLA_FAIL("the model does not take the dataset's ", image_shape(images),
               " images: ", e.what());
  }
}

// The settings a resumed run must share with the run it continues (training_state.h).
inline std::map<std::string, std::string> run_settings(const Program& program, const Flags& flags,
                                                       Device device, int64_t training_images) {
  char lr[32];
  std::snprintf(lr, sizeof(lr), "%.17g", flags.lr);  // every bit of the double
  return {{"program", program.name},
          {"--dataset", flags.dataset->flag},
          {"--epochs", std::to_string(flags.epochs)},
          {"--batch-size", std::to_string(flags.batch_size)},
          {"--lr", lr},
          {"--seed", std::to_string(flags.seed)},
          {"training images", std::to_string(training_images)},
          {"device", device.is_cuda() ? "cuda" : "cpu"}};
}

// OpenMP's thread count, as the environment sets it: results are bit-identical only for the same.
inline std::string openmp_threads() {
  const char* threads = std::getenv("OMP_NUM_THREADS");
  return threads ? threads : "(unset)";
}

inline int train(const Program& program, const Flags& flags) {
  if (flags.distributed) distributed::init();
  const int64_t rank = distributed::rank(), world = distributed::world_size();
  NABLA_CHECK(flags.batch_size % world == 0, "--batch-size ", flags.batch_size,
              " does not split evenly over ", world, " processes");
  const int64_t local_batch = flags.batch_size / world;
  // Every rank computes the same figures (its metrics are reduced across the ranks); rank 0
  // prints them.
  if (rank != 0 && std::freopen("/dev/null", "w", stdout) == nullptr) return 1;
  const Device device = flags.distributed ? Device(kCPU) : pick_device(program, flags.device);
  std::cout << "device: " << describe(device, flags.device) << "\n";
  manual_seed(flags.seed);

  auto [train, test] = load_splits(flags);
  std::cout << "data: " << flags.dataset->name << ", " << train.images.size(0) << " training and "
            << test.images.size(0) << " test images from " << flags.data << "\n";
  NABLA_CHECK(train.images.size(0) > 0, "no training images in ", flags.data);
  // The dataset moves to the device once (uint8 images: 55 MB in all); batches are gathered there.
  for (data::MnistSplit* split : {&train, &test}) {
    split->images = split->images.to(device);
    split->labels = split->labels.to(device);
  }

  if (flags.train_limit > 0 && flags.train_limit < train.images.size(0)) {
    train.images = train.images.narrow(0, 0, flags.train_limit);
    train.labels = train.labels.narrow(0, 0, flags.train_limit);
    std::cout << "training on the first " << flags.train_limit << " images\n";
  }
  nn::Sequential model = program.make_model();
  model->to(device);
  check_model_takes(program, *flags.dataset, model, train.images);
  std::unique_ptr<nn::parallel::DistributedDataParallel> data_parallel;
  if (flags.distributed) {
    data_parallel = std::make_unique<nn::parallel::DistributedDataParallel>(model);
    std::cout << "distributed: " << world << " processes, " << local_batch
              << " images of each batch of " << flags.batch_size << " apiece\n";
  }
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(flags.lr));
  // Made before a resumed state is loaded into the optimizer, so that it schedules from --lr.
  optim::StepLR scheduler(optimizer, /*step_size=*/1, program.lr_gamma);
  nn::CrossEntropyLoss criterion;
  data::DataLoader loader(data::TensorDataset({train.images, train.labels}),
                          data::DataLoaderOptions()
                              .batch_size(local_batch)
                              .shuffle(true)
                              .seed(flags.seed)
                              .shard(world, rank));
  const bool show_progress = isatty(fileno(stdout)) != 0;
  std::unique_ptr<autograd::DetectAnomalyGuard> anomaly_mode;
  if (flags.detect_anomaly) anomaly_mode = std::make_unique<autograd::DetectAnomalyGuard>();

  // For --check-loss-falls: the mean loss of the first and of the last kWindow steps of the run.
  constexpr int64_t kWindow = 20;
  const int64_t steps = loader.size();
  const RunShape run{flags.epochs, steps, flags.batch_size, kWindow};
  const std::map<std::string, std::string> settings =
      run_settings(program, flags, device, train.images.size(0));
  auto device_zero = [&] { return zeros({}, TensorOptions(kFloat32).device(device)); };
  Progress progress;
  if (flags.resume.empty()) {
    progress.loss_sum = device_zero();
    progress.first_losses = device_zero();
    progress.last_losses = device_zero();
  } else {
    std::map<std::string, std::string> metadata;
    progress = load_training_state(flags.resume, settings, flags.seed, run, *model, optimizer,
                                   scheduler, device, metadata);
    if (progress.epoch == flags.epochs) {
      std::cout << "resumed from " << flags.resume << ": the run had finished\n";
    } else {
      std::cout << "resumed from " << flags.resume << " at epoch " << progress.epoch + 1
                << ", batch " << progress.batch << " of " << steps << "\n";
    }
    if (metadata["OMP_NUM_THREADS"] != openmp_threads()) {
      std::cerr << program.name << ": note: " << flags.resume
                << " was written with OMP_NUM_THREADS " << metadata["OMP_NUM_THREADS"]
                << ", this run has " << openmp_threads()
                << "; the weights match an uninterrupted run's bit for bit only with the same\n";
    }
  }
  auto save_checkpoint = [&] {
    if (flags.checkpoint.empty()) return;
    std::map<std::string, std::string> metadata = settings;
    metadata["OMP_NUM_THREADS"] = openmp_threads();
    save_training_state(flags.checkpoint, metadata, *model, optimizer, scheduler, device, progress);
  };

  // Steps are counted over the whole run from 1, so that a resumed run numbers them as the
  // uninterrupted one. "step 40 (epoch 2, batch 8 of 32)":
  auto describe_step = [&](int64_t step) {
    return "step " + std::to_string(step) + " (epoch " + std::to_string((step - 1) / steps + 1) +
           ", batch " + std::to_string((step - 1) % steps + 1) + " of " + std::to_string(steps) +
           ")";
  };
  // The NaN guard. Whether every loss so far was finite, and how many steps came before the first
  // that was not, are kept on the device, so that a GPU need not wait for each loss; reading them
  // (on the CPU every step, where it costs nothing; on a GPU every kReadEvery steps, and before
  // anything is saved) names the exact step all the same.
  const int64_t steps_before = progress.epoch * steps + progress.batch;  // by an earlier process
  Tensor all_finite = ones({}, TensorOptions(kInt64).device(device));
  Tensor finite_steps = zeros({}, TensorOptions(kInt64).device(device));
  const int64_t check_every = device.is_cuda() ? kReadEvery : 1;
  auto loss_went_bad = [&] {
    if (all_finite.item<int64_t>() != 0) return false;
    std::cerr << program.name << ": the training loss is not finite (NaN or infinite) at "
              << describe_step(steps_before + finite_steps.item<int64_t>() + 1)
              << "; stopping without saving the model or a checkpoint"
              << (flags.detect_anomaly ? "" : " (--detect-anomaly finds the op that failed)")
              << "\n";
    return true;
  };

  double accuracy = progress.accuracy;
  int64_t step = steps_before;
  for (int64_t epoch = progress.epoch; epoch < flags.epochs; ++epoch) {
    model->train();
    const auto start = std::chrono::steady_clock::now();
    const int64_t seen_before = progress.seen;
    loader.set_epoch(static_cast<uint64_t>(epoch));
    data::DataLoader::Iterator next = loader.begin();
    // Batches are gathered only when read, so passing those done before a resume costs nothing.
    for (int64_t done = 0; done < progress.batch; ++done) ++next;
    for (; next != loader.end(); ++next) {
      const std::vector<Tensor>& batch = *next;
      const Tensor& labels = batch[1];
      const Tensor loss = criterion(model(prepare(program, *flags.dataset, batch[0])), labels);
      ++step;
      {
        NoGradGuard no_grad;
        all_finite.mul_(loss.detach().isfinite());
        finite_steps.add_(all_finite);
      }
      if (step % check_every == 0 && loss_went_bad()) return 1;
      optimizer.zero_grad();
      try {
        loss.backward();
      } catch (const nabla::Error& e) {  // --detect-anomaly's report, say
        NABLA_FAIL(describe_step(step), ": ", e.what());
      }
      optimizer.step();
      {
        NoGradGuard no_grad;
        progress.loss_sum += loss.detach() * static_cast<double>(labels.size(0));
        if (epoch == 0 && progress.batch < kWindow) {
          progress.first_losses += loss.detach();
          ++progress.first_count;
        }
        if (epoch == flags.epochs - 1 && progress.batch >= steps - kWindow) {
          progress.last_losses += loss.detach();
          ++progress.last_count;
        }
      }
      progress.seen += labels.size(0);
      ++progress.batch;
      if (show_progress && (progress.batch % kReadEvery == 0 || progress.batch == steps)) {
        draw_progress(progress.batch, steps,
                      progress.loss_sum.item<double>() / static_cast<double>(progress.seen));
      }
      // The end of an epoch saves after the evaluation below.
      if (flags.save_every > 0 && step % flags.save_every == 0 && progress.batch < steps) {
        if (loss_went_bad()) return 1;
        save_checkpoint();
      }
    }
    if (loss_went_bad()) return 1;
    // The mean loss over every rank's samples; the ranks run the same number of steps.
    Tensor totals =
        tensor({progress.loss_sum.item<double>(), static_cast<double>(progress.seen)}, kFloat64);
    if (flags.distributed) distributed::all_reduce(totals);
    const double mean_loss = totals[0].item<double>() / totals[1].item<double>();
    const double samples = static_cast<double>((progress.seen - seen_before) * world);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    accuracy = evaluate(program, *flags.dataset, model, test);
    scheduler.step();
    if (show_progress) std::printf("\r%60s\r", "");
    std::printf("epoch %lld/%lld  train loss %.4f  test accuracy %.2f%%  %.2f s  %.0f samples/s\n",
                static_cast<long long>(epoch + 1), static_cast<long long>(flags.epochs), mean_loss,
                accuracy, seconds, samples / seconds);
    std::fflush(stdout);
    progress.epoch = epoch + 1;
    progress.batch = 0;
    progress.seen = 0;
    progress.loss_sum = device_zero();
    progress.accuracy = accuracy;
    save_checkpoint();
  }
  if (device.is_cuda()) {
    std::printf(
        "peak device memory: %.1f MiB\n",
        static_cast<double>(cuda::memory_stats(device.index()).peak_allocated_bytes) / (1 << 20));
  }
  if (!flags.save.empty() && rank == 0) {
    nn::save(*model, flags.save);
    std::cout << "saved the model to " << flags.save << "\n";
  }
  if (flags.check_loss_falls) {
    const double first =
        progress.first_losses.item<double>() / static_cast<double>(progress.first_count);
    const double last =
        progress.last_losses.item<double>() / static_cast<double>(progress.last_count);
    std::printf("loss over the first %lld steps %.4f, over the last %lld steps %.4f\n",
                static_cast<long long>(progress.first_count), first,
                static_cast<long long>(progress.last_count), last);
    if (!(last < first / 2)) {
      std::cerr << program.name << ": the training loss did not fall to half its first value\n";
      return 1;
    }
  }
  if (flags.min_accuracy >= 0 && accuracy < flags.min_accuracy) {
    std::cerr << program.name << ": test accuracy " << accuracy << "% is below the required "
              << flags.min_accuracy << "%\n";
    return 1;
  }
  return 0;
}

// The whole program: parse the flags, train, report; nabla errors (a missing dataset file says how
// to fetch it) end it with status 1.
inline int main(const Program& program, int argc, char** argv) {
  Flags flags;
  try {
    flags = parse(program, std::vector<std::string>(argv + 1, argv + argc));
  } catch (const UsageError& e) {
    usage(program, e.what(), e.exit_status);
  }
  try {
    return train(program, flags);
  } catch (const nabla::Error& e) {
    std::cerr << program.name << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace mnist_example

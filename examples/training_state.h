// The whole state of a training run of examples/mnist_training.h in one safetensors file, so that a
// run killed at any step resumes to the weights an uninterrupted run ends with, bit for bit (on the
// same device and thread count). The file (one nn::save_safetensors call, so written atomically):
//   metadata          "format": "nabla training state", "version": "1", and the run's settings
//                     ("program", "--seed", "--batch-size", ...), which a resumed run must share
//   model.<name>      the model's parameters and buffers (nn::state_dict)
//   optimizer.<name>  the optimizer's named_state(): step counts, moments, learning rates
//   scheduler.last_epoch                 int64: the learning-rate schedule's epoch
//   generator.cpu, generator.cuda        uint8 [16]: Generator::get_state() of the CPU's and, on a
//                                        GPU, the training device's generator (dropout's draws)
//   progress.epoch, progress.batch       int64: epochs done, and batches done of the next one; the
//                                        data order follows from the seed and the epoch
//   progress.seen                        int64: the samples of those batches
//   progress.loss_sum                    float32: their loss * batch size, summed as the loop sums
//                                        it, so the resumed epoch prints the uninterrupted loss
//   progress.first_losses, .first_count  the sums --check-loss-falls compares: the losses of the
//   progress.last_losses, .last_count    run's first kWindow steps and of the last epoch's last
//   progress.accuracy                    float64: the test accuracy after the last finished epoch
#pragma once

#include <nabla/nabla.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mnist_example {

using namespace nabla;

// Where a run is, besides its model, optimizer, scheduler and generators.
struct Progress {
  int64_t epoch = 0;  // epochs finished; the run is in epoch `epoch`, counting from 0
  int64_t batch = 0;  // batches of that epoch trained on
  int64_t seen = 0;   // their samples
  Tensor loss_sum;    // float32 0-dim on the training device: their loss * batch size, summed
  Tensor first_losses, last_losses;  // float32 0-dim on the training device
  int64_t first_count = 0, last_count = 0;
  double accuracy = 0;
};

// The shape of a run, which a saved progress must fit.
struct RunShape {
  int64_t epochs;      // in the run
  int64_t steps;       // batches per epoch
  int64_t batch_size;  // samples per batch but the last
  int64_t window;      // steps --check-loss-falls averages at the start and at the end
};

// How many of --check-loss-falls' first and last windows the steps before (epoch, batch) cover.
inline std::pair<int64_t, int64_t> window_counts(const RunShape& run, int64_t epoch,
                                                 int64_t batch) {
  const int64_t first = std::min(epoch == 0 ? batch : run.steps, run.window);
  const int64_t last_start = std::max<int64_t>(run.steps - run.window, 0);
  const int64_t last = epoch < run.epochs - 1    ? 0
                       : epoch == run.epochs - 1 ? std::max<int64_t>(batch - last_start, 0)
                                                 : run.steps - last_start;  // the run is over
  return {first, last};
}

inline Tensor int64_scalar(int64_t value) {
  return scalar_tensor(value, TensorOptions(kInt64).device(kCPU));
}

inline constexpr const char* kStateFormat = "nabla training state";
inline constexpr const char* kStateVersion = "1";

// Writes the state to `path` (atomically: the old file stays whole until the new one replaces it).
// `settings` go into the metadata for load_training_state to compare.
inline void save_training_state(const std::string& path,
                                const std::map<std::string, std::string>& settings,
                                const nn::Module& model, const optim::Optimizer& optimizer,
                                const optim::LRScheduler& scheduler, Device device,
                                const Progress& progress) {
  std::vector<std::pair<std::string, Tensor>> tensors;
  for (auto& [name, tensor] : nn::state_dict(model)) tensors.emplace_back("model." + name, tensor);
  for (auto& [name, tensor] : optimizer.named_state()) {
    tensors.emplace_back("optimizer." + name, tensor);
  }
  tensors.emplace_back("scheduler.last_epoch", int64_scalar(scheduler.last_epoch()));
  tensors.emplace_back("generator.cpu", default_generator(Device(kCPU)).get_state());
  if (device.is_cuda())
    tensors.emplace_back("generator.cuda", default_generator(device).get_state());
  tensors.emplace_back("progress.epoch", int64_scalar(progress.epoch));
  tensors.emplace_back("progress.batch", int64_scalar(progress.batch));
  tensors.emplace_back("progress.seen", int64_scalar(progress.seen));
  tensors.emplace_back("progress.loss_sum", progress.loss_sum);
  tensors.emplace_back("progress.first_losses", progress.first_losses);
  tensors.emplace_back("progress.first_count", int64_scalar(progress.first_count));
  tensors.emplace_back("progress.last_losses", progress.last_losses);
  tensors.emplace_back("progress.last_count", int64_scalar(progress.last_count));
  tensors.emplace_back("progress.accuracy",
                       scalar_tensor(progress.accuracy, TensorOptions(kFloat64).device(kCPU)));
  std::map<std::string, std::string> metadata = settings;
  metadata["format"] = kStateFormat;
  metadata["version"] = kStateVersion;
  nn::save_safetensors(tensors, path, metadata);
}

namespace detail {

// The tensors of a state file by name; each take() checks one and removes it, so that what is
// left at the end is what the file should not hold.
class StateEntries {
 public:
  StateEntries(std::vector<std::pair<std::string, Tensor>> tensors, std::string where)
      : where_(std::move(where)) {
    for (auto& [name, tensor] : tensors) entries_.emplace(std::move(name), std::move(tensor));
  }

  Tensor take(const std::string& name, ScalarType dtype, const Shape& shape) {
    auto it = entries_.find(name);
    NABLA_CHECK(it != entries_.end(), where_, "\"", name, "\" is missing");
    Tensor tensor = std::move(it->second);
    entries_.erase(it);
    NABLA_CHECK(tensor.dtype() == dtype && tensor.sizes() == shape, where_, "\"", name, "\" is ",
                tensor.dtype(), " ", tensor.sizes(), ", expected ", dtype, " ", shape);
    return tensor;
  }
  int64_t take_count(const std::string& name, int64_t min, int64_t max) {
    const int64_t value = take(name, kInt64, {}).item<int64_t>();
    NABLA_CHECK(value >= min && value <= max, where_, "\"", name, "\" is ", value,
                ", outside this run's range ", min, " to ", max);
    return value;
  }
  // A float sum the loop keeps on the device; a checkpoint is written only while it is finite.
  Tensor take_finite(const std::string& name, ScalarType dtype, Device device) {
    Tensor tensor = take(name, dtype, {});
    NABLA_CHECK(std::isfinite(tensor.item<double>()), where_, "\"", name, "\" is ",
                tensor.item<double>(), ", not a finite number");
    return tensor.to(device);
  }
  // Removes and returns every entry whose name starts with `prefix`, without it.
  std::vector<std::pair<std::string, Tensor>> take_prefixed(const std::string& prefix) {
    std::vector<std::pair<std::string, Tensor>> taken;
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->first.compare(0, prefix.size(), prefix) == 0) {
        taken.emplace_back(it->first.substr(prefix.size()), std::move(it->second));
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
    return taken;
  }
  void expect_nothing_left() const {
    if (entries_.empty()) return;
    std::string names;
    for (const auto& [name, tensor] : entries_)
      names += (names.empty() ? "\"" : ", \"") + name + "\"";
    NABLA_FAIL(where_, "unexpected ", names);
  }

 private:
  std::map<std::string, Tensor> entries_;
  std::string where_;
};

}  // namespace detail

// Restores a run from `path`: the model's and the optimizer's tensors, the scheduler's epoch, the
// generators and the progress, which is returned. Everything is checked before any of it is used:
// the file, its format, that it was written with the same `settings` (the same flags), the name,
// dtype and shape of every entry, that nothing is missing or left over, that the counts lie within
// `run` and agree with each other, and that the generators were seeded with the run's seed.
// Problems throw nabla::Error naming the file. `metadata` receives the file's metadata.
inline Progress load_training_state(const std::string& path,
                                    const std::map<std::string, std::string>& settings,
                                    uint64_t seed, const RunShape& run, nn::Module& model,
                                    optim::Optimizer& optimizer, optim::LRScheduler& scheduler,
                                    Device device, std::map<std::string, std::string>& metadata) {
  const std::string where = "cannot resume from " + path + ": ";
  std::vector<std::pair<std::string, Tensor>> tensors = nn::load_safetensors(path, metadata);
  auto meta = [&](const std::string& key) {
    auto it = metadata.find(key);
    return it == metadata.end() ? std::string() : it->second;
  };
  NABLA_CHECK(meta("format") == kStateFormat, where,
              "it is not a training state (its metadata has no \"format\": \"", kStateFormat,
              "\"); --resume takes the file that --checkpoint writes, not a --save model");
  NABLA_CHECK(meta("version") == kStateVersion, where, "version \"", meta("version"),
              "\" of the training state; this program reads version ", kStateVersion);
  for (const auto& [key, value] : settings) {
    NABLA_CHECK(meta(key) == value, where, "it was written with ", key, " ",
                meta(key).empty() ? "(none)" : meta(key), ", this run has ", key, " ", value,
                "; a resumed run must have the settings of the run it continues");
  }

  detail::StateEntries entries(std::move(tensors), where);
  Progress progress;
  progress.epoch = entries.take_count("progress.epoch", 0, run.epochs);
  // A state is saved after a batch that did not end its epoch, or at an epoch's end (batch 0).
  const int64_t last_batch = progress.epoch == run.epochs ? 0 : run.steps - 1;
  progress.batch = entries.take_count("progress.batch", 0, last_batch);
  progress.seen = entries.take_count("progress.seen", 0, progress.batch * run.batch_size);
  NABLA_CHECK(progress.seen == progress.batch * run.batch_size, where, "\"progress.seen\" is ",
              progress.seen, ", but ", progress.batch, " batches of ", run.batch_size, " are ",
              progress.batch * run.batch_size, " samples");
  const auto [first_count, last_count] = window_counts(run, progress.epoch, progress.batch);
  progress.first_count = entries.take_count("progress.first_count", first_count, first_count);
  progress.last_count = entries.take_count("progress.last_count", last_count, last_count);
  progress.loss_sum = entries.take_finite("progress.loss_sum", kFloat32, device);
  progress.first_losses = entries.take_finite("progress.first_losses", kFloat32, device);
  progress.last_losses = entries.take_finite("progress.last_losses", kFloat32, device);
  progress.accuracy =
      entries.take_finite("progress.accuracy", kFloat64, Device(kCPU)).item<double>();
  NABLA_CHECK(progress.accuracy >= 0 && progress.accuracy <= 100, where,
              "\"progress.accuracy\" is ", progress.accuracy, ", not a percentage");
  // The loop steps the schedule once per finished epoch.
  const int64_t last_epoch =
      entries.take_count("scheduler.last_epoch", progress.epoch, progress.epoch);

  // The generators: every one the run draws from, seeded by manual_seed(seed) when the run began.
  std::vector<std::pair<Generator*, Tensor>> generators;
  std::vector<std::string> names{"generator.cpu"};
  if (device.is_cuda()) names.push_back("generator.cuda");
  for (const std::string& name : names) {
    Tensor state = entries.take(name, kUInt8, {16});
    Generator probe;
    probe.set_state(state);
    NABLA_CHECK(probe.seed() == seed, where, "\"", name, "\" holds a generator seeded with ",
                probe.seed(), ", not this run's --seed ", seed);
    generators.emplace_back(&default_generator(name == "generator.cpu" ? Device(kCPU) : device),
                            std::move(state));
  }

  std::vector<std::pair<std::string, Tensor>> model_state = entries.take_prefixed("model.");
  std::vector<std::pair<std::string, Tensor>> optimizer_state = entries.take_prefixed("optimizer.");
  entries.expect_nothing_left();
  // Each checks every entry before it changes anything.
  nn::load_state_dict(model, model_state, path + " (model.*)");
  try {
    optimizer.load_named_state(optimizer_state);
  } catch (const Error& e) {
    NABLA_FAIL(where, "optimizer.*: ", e.what());
  }
  scheduler.set_last_epoch(last_epoch);
  for (auto& [generator, state] : generators) generator->set_state(state);
  return progress;
}

}  // namespace mnist_example

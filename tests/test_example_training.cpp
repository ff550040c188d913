// The MNIST examples' training program (examples/mnist_training.h) on tiny datasets the tests
// write: splits that do not fit together, or a model that cannot take the images, are refused
// before training; a training state (examples/training_state.h) that is corrupt or belongs to
// another run is refused with the problem named; a loss or gradient that is not finite stops the
// run at its step. (tests/resume_test.sh kills and resumes real runs.)
#include "idx_files.h"
#include "temp_dir.h"
#include "test_helpers.h"

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nabla/examples/mnist_training.h>

namespace nabla {
namespace {

using mnist_example::Flags;
using mnist_example::Program;
using nabla::testing::counting_bytes;
using nabla::testing::expect_error;
using nabla::testing::idx_bytes;
using Named = std::vector<std::pair<std::string, Tensor>>;
using Metadata = std::map<std::string, std::string>;

class ExampleTraining : public testing::TempDirTest {
 protected:
  // Writes a split of `count` images of rows x cols (pixels counting up) with labels i % 10.
  void write_split(const std::string& prefix, uint32_t count, uint32_t rows, uint32_t cols) {
    write_bytes(prefix + "-images-idx3-ubyte",
                idx_bytes({count, rows, cols}, counting_bytes(std::size_t{count} * rows * cols)));
    std::vector<uint8_t> labels(count);
    for (uint32_t i = 0; i < count; ++i) labels[i] = static_cast<uint8_t>(i % 10);
    write_bytes(prefix + "-labels-idx1-ubyte", idx_bytes({count}, labels));
  }

  // A program whose model, the MLP of 28x28 images, records that it was made.
  Program mlp_program() {
    return Program{"test_program", "trains a small MLP", 1, [this] {
                     model_made_ = true;
                     return nn::Sequential(nn::Flatten(), nn::Linear(784, 16), nn::ReLU(),
                                           nn::Dropout(0.2), nn::Linear(16, 10));
                   }};
  }

  Flags flags(std::vector<std::string> args = {}) {
    std::vector<std::string> all{"--data", directory_.string(), "--device", "cpu"};
    all.insert(all.end(), args.begin(), args.end());
    return mnist_example::parse(mlp_program(), all);
  }

  // 40 training images (5 batches of 8) and 10 test images, and a finished two-epoch run of
  // mlp_program() that wrote its state to path("run.state"); returns the flags of that run.
  std::vector<std::string> trained_run() {
    write_split("train", 40, 28, 28);
    write_split("t10k", 10, 28, 28);
    std::vector<std::string> args{"--epochs", "2", "--batch-size", "8", "--seed", "3"};
    std::vector<std::string> with_checkpoint = args;
    with_checkpoint.insert(with_checkpoint.end(), {"--checkpoint", path("run.state")});
    EXPECT_EQ(mnist_example::train(mlp_program(), flags(with_checkpoint)), 0);
    return args;
  }

  // Resuming from `file` with `args`.
  int resume(std::vector<std::string> args, const std::string& file) {
    args.insert(args.end(), {"--resume", file});
    return mnist_example::train(mlp_program(), flags(args));
  }

  // A copy of run.state with `change` applied to its tensors and metadata.
  std::string changed_state(const std::string& name,
                            const std::function<void(Named&, Metadata&)>& change) {
    Metadata metadata;
    Named tensors = nn::load_safetensors(path("run.state"), metadata);
    change(tensors, metadata);
    nn::save_safetensors(tensors, path(name), metadata);
    return path(name);
  }

  bool model_made_ = false;
};

Tensor& entry(Named& tensors, const std::string& name) {
  for (auto& [entry_name, tensor] : tensors) {
    if (entry_name == name) return tensor;
  }
  ADD_FAILURE() << "no entry " << name;
  static Tensor none;
  return none;
}

void remove_entry(Named& tensors, const std::string& name) {
  for (auto it = tensors.begin(); it != tensors.end(); ++it) {
    if (it->first == name) {
      tensors.erase(it);
      return;
    }
  }
  ADD_FAILURE() << "no entry " << name;
}

TEST_F(ExampleTraining, TestImagesOfAnotherShapeAreRefusedBeforeTraining) {
  write_split("train", 8, 28, 28);
  write_split("t10k", 4, 27, 29);
  expect_error([&] { mnist_example::load_splits(flags()); },
               {"the training images are 28x28", "the test images are 27x29",
                "train-images-idx3-ubyte", "t10k-images-idx3-ubyte"});
  // The whole program stops before it makes the model, so no epoch is trained and lost.
  expect_error([&] { mnist_example::train(mlp_program(), flags()); }, {"28x28", "27x29"});
  EXPECT_FALSE(model_made_);
}

TEST_F(ExampleTraining, ImagesTheModelCannotTakeAreRefusedBeforeTheFirstStep) {
  write_split("train", 8, 27, 29);
  write_split("t10k", 4, 27, 29);
  expect_error([&] { mnist_example::train(mlp_program(), flags()); },
               {"the model does not take the dataset's 27x29 images"});
}

TEST_F(ExampleTraining, TheTrainingStateHoldsTheWholeRunUnderPrefixes) {
  trained_run();
  Metadata metadata;
  const Named tensors = nn::load_safetensors(path("run.state"), metadata);
  std::map<std::string, Tensor> by_name(tensors.begin(), tensors.end());
  EXPECT_EQ(metadata["format"], "nabla training state");
  EXPECT_EQ(metadata["program"], "test_program");
  EXPECT_EQ(metadata["--batch-size"], "8");
  EXPECT_EQ(metadata["--seed"], "3");
  EXPECT_EQ(metadata["--lr"], "0.001");
  EXPECT_EQ(metadata["training images"], "40");
  EXPECT_EQ(by_name.at("model.1.weight").sizes(), Shape({16, 784}));
  EXPECT_EQ(by_name.at("optimizer.state.0.step").item<int64_t>(), 10);  // 2 epochs of 5 steps
  EXPECT_EQ(by_name.at("optimizer.state.0.exp_avg").sizes(), Shape({16, 784}));
  EXPECT_EQ(by_name.at("scheduler.last_epoch").item<int64_t>(), 2);
  // Seeded with 3; the model's initialization drew from it, then dropout once per step (the
  // evaluations, in eval mode, drew nothing).
  manual_seed(3);
  mlp_program().make_model();
  const int64_t after_init = default_generator(Device(kCPU)).get_state()[8].item<uint8_t>();
  const std::vector<uint8_t> generator = by_name.at("generator.cpu").to_vector<uint8_t>();
  EXPECT_EQ(generator,
            (std::vector<uint8_t>{3, 0, 0, 0, 0, 0, 0, 0, static_cast<uint8_t>(after_init + 10), 0,
                                  0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(by_name.at("progress.epoch").item<int64_t>(), 2);
  EXPECT_EQ(by_name.at("progress.batch").item<int64_t>(), 0);
  EXPECT_EQ(by_name.at("progress.first_count").item<int64_t>(), 5);
  EXPECT_EQ(by_name.at("progress.last_count").item<int64_t>(), 5);

  // Resuming a finished run trains nothing and saves the weights it ended with.
  EXPECT_EQ(resume({"--epochs", "2", "--batch-size", "8", "--seed", "3", "--save",
                    path("model.safetensors")},
                   path("run.state")),
            0);
  const Named saved = nn::load_safetensors(path("model.safetensors"));
  for (const auto& [name, tensor] : saved) {
    EXPECT_TRUE(equal(tensor, by_name.at("model." + name))) << name;
  }
}

TEST_F(ExampleTraining, ResumingWithOtherSettingsIsRefusedNamingThem) {
  const std::vector<std::string> run = trained_run();
  const std::string state = path("run.state");
  expect_error(
      [&] {
        resume({"--epochs", "2", "--batch-size", "4", "--seed", "3"}, state);
      },
      {"cannot resume from", state.c_str(), "written with --batch-size 8",
       "this run has --batch-size 4"});
  expect_error(
      [&] {
        resume({"--epochs", "2", "--batch-size", "8", "--seed", "4"}, state);
      },
      {"written with --seed 3", "this run has --seed 4"});
  expect_error(
      [&] {
        resume({"--epochs", "3", "--batch-size", "8", "--seed", "3"}, state);
      },
      {"--epochs 2", "--epochs 3"});
  std::vector<std::string> other_lr = run;
  other_lr.insert(other_lr.end(), {"--lr", "0.0010000000000000002"});
  expect_error([&] { resume(other_lr, state); }, {"--lr 0.001", "this run has --lr"});
  std::vector<std::string> limited = run;
  limited.insert(limited.end(), {"--train-limit", "32"});
  expect_error([&] { resume(limited, state); }, {"training images 40", "training images 32"});
}

TEST_F(ExampleTraining, ResumingFromWhatIsNoTrainingStateIsRefused) {
  const std::vector<std::string> run = trained_run();
  expect_error([&] { resume(run, path("missing.state")); }, {"missing.state", "no such file"});
  // A --save model is a safetensors file, but not a training state.
  std::vector<std::string> save = run;
  save.insert(save.end(), {"--save", path("model.safetensors")});
  ASSERT_EQ(resume(save, path("run.state")), 0);
  expect_error([&] { resume(run, path("model.safetensors")); },
               {"model.safetensors", "not a training state", "--checkpoint"});
  // Cut short, as a copy interrupted midway would leave it.
  const std::string whole = read(path("run.state"));
  const std::string cut = write("cut.state", whole.substr(0, whole.size() - 100));
  expect_error([&] { resume(run, cut); }, {"cut.state", "truncated"});
  const std::string newer =
      changed_state("newer.state", [](Named&, Metadata& metadata) { metadata["version"] = "2"; });
  expect_error([&] { resume(run, newer); }, {"newer.state", "version \"2\""});
}

TEST_F(ExampleTraining, ACorruptTrainingStateIsRefusedNamingTheEntry) {
  const std::vector<std::string> run = trained_run();
  struct Case {
    const char* name;
    std::function<void(Named&, Metadata&)> change;
    std::vector<const char*> message;
  };
  const std::vector<Case> cases{
      {"batch",
       [](Named& t, Metadata&) { entry(t, "progress.batch") = mnist_example::int64_scalar(99); },
       {"\"progress.batch\" is 99", "outside this run's range 0 to 0"}},
      {"epoch",
       [](Named& t, Metadata&) { entry(t, "progress.epoch") = mnist_example::int64_scalar(-1); },
       {"\"progress.epoch\" is -1"}},
      {"seen",
       [](Named& t, Metadata&) {
         entry(t, "progress.epoch") = mnist_example::int64_scalar(1);
         entry(t, "progress.batch") = mnist_example::int64_scalar(2);
         entry(t, "progress.seen") = mnist_example::int64_scalar(15);
       },
       {"\"progress.seen\" is 15", "2 batches of 8 are 16 samples"}},
      {"schedule",
       [](Named& t, Metadata&) {
         entry(t, "scheduler.last_epoch") = mnist_example::int64_scalar(1);
       },
       {"\"scheduler.last_epoch\" is 1"}},
      {"loss",
       [](Named& t, Metadata&) { entry(t, "progress.loss_sum").fill_(testing::kNan); },
       {"\"progress.loss_sum\" is nan", "not a finite number"}},
      {"generator_shape",
       [](Named& t, Metadata&) { entry(t, "generator.cpu") = zeros({8}, kUInt8); },
       {"\"generator.cpu\" is uint8 [8], expected uint8 [16]"}},
      {"generator_seed",
       [](Named& t, Metadata&) {
         Generator other(5);
         entry(t, "generator.cpu") = other.get_state();
       },
       {"\"generator.cpu\" holds a generator seeded with 5", "--seed 3"}},
      {"missing",
       [](Named& t, Metadata&) { remove_entry(t, "progress.last_losses"); },
       {"\"progress.last_losses\" is missing"}},
      {"unexpected",
       [](Named& t, Metadata&) { t.emplace_back("progress.extra", zeros({1})); },
       {"unexpected \"progress.extra\""}},
      {"model",
       [](Named& t, Metadata&) {
         entry(t, "model.1.weight") = zeros({16, 783});
       },
       {"(model.*)", "\"1.weight\": float32 [16, 783] in the file"}},
      {"model_missing",
       [](Named& t, Metadata&) { remove_entry(t, "model.4.bias"); },
       {"(model.*)", "missing \"4.bias\""}},
      {"optimizer",
       [](Named& t, Metadata&) { entry(t, "optimizer.state.1.exp_avg_sq") = zeros({3}); },
       {"optimizer.*", "state.1.exp_avg_sq", "does not match the parameter's [16]"}},
      {"program",
       [](Named&, Metadata& m) { m["program"] = "mnist_cnn"; },
       {"written with program mnist_cnn", "this run has program test_program"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string file = changed_state(std::string(c.name) + ".state", c.change);
    try {
      resume(run, file);
      ADD_FAILURE() << "resumed from " << file;
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(file), std::string::npos) << message;
      for (const char* part : c.message) {
        EXPECT_NE(message.find(part), std::string::npos)
            << "message \"" << message << "\" lacks \"" << part << "\"";
      }
    }
  }
}

// A model whose loss is finite but whose gradient is not: sqrt(x - x) adds 0 to the logits, and
// its derivative at 0 is infinite.
Program model_with_an_infinite_gradient() {
  return Program{"test_program", "", 1, [] {
                   return nn::Sequential(
                       nn::Flatten(), nn::Linear(784, 10),
                       nn::Functional([](const Tensor& x) { return x + (x - x).sqrt(); }));
                 }};
}

TEST_F(ExampleTraining, DetectAnomalyNamesTheStepOfTheFirstGradientThatIsNotFinite) {
  write_split("train", 40, 28, 28);
  write_split("t10k", 10, 28, 28);
  const Flags anomaly =
      mnist_example::parse(model_with_an_infinite_gradient(),
                           {"--data", directory_.string(), "--device", "cpu", "--batch-size", "8",
                            "--detect-anomaly", "--save", path("model.safetensors")});
  expect_error([&] { mnist_example::train(model_with_an_infinite_gradient(), anomaly); },
               {"step 1 (epoch 1, batch 1 of 5): anomaly detected"});
  EXPECT_FALSE(autograd::is_anomaly_enabled());  // the guard ended with the run

  // Without it the NaN gradient reaches the weights, and the next loss is NaN: the guard stops the
  // run there with status 1, and nothing is saved.
  const Flags plain =
      mnist_example::parse(model_with_an_infinite_gradient(),
                           {"--data", directory_.string(), "--device", "cpu", "--batch-size", "8",
                            "--save", path("model.safetensors")});
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(mnist_example::train(model_with_an_infinite_gradient(), plain), 1);
  const std::string message = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(message.find("the training loss is not finite (NaN or infinite) at step 2 (epoch 1, "
                         "batch 2 of 5); stopping without saving"),
            std::string::npos)
      << message;
  EXPECT_FALSE(std::filesystem::exists(path("model.safetensors")));
}

}  // namespace
}  // namespace nabla

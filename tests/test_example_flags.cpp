// The MNIST examples' command line (examples/mnist_training.h): --dataset picks MNIST or
// Fashion-MNIST, the data directory follows it unless --data names one, and standardized inputs use
// the chosen dataset's statistics. None of it needs the datasets' files.
#include "test_helpers.h"

#include <initializer_list>
#include <string>
#include <vector>

#include <nabla/examples/mnist_training.h>

namespace nabla {
namespace {

using mnist_example::Flags;
using mnist_example::parse;
using mnist_example::Program;
using nabla::testing::expect_error;
using nabla::testing::expect_tensor;

Program test_program(bool standardize = false) {
  return Program{"test_program", "trains nothing", 3, nullptr, standardize};
}

Flags parse_args(const std::vector<std::string>& args) {
  return parse(test_program(), args);
}

TEST(ExampleFlags, DefaultsToMnistInDataMnist) {
  const Flags flags = parse_args({});
  EXPECT_STREQ(flags.dataset->name, "MNIST");
  EXPECT_EQ(flags.data, "data/mnist");
  EXPECT_EQ(flags.epochs, 3);  // the program's default
}

TEST(ExampleFlags, FashionMnistReadsDataFashionMnist) {
  const Flags flags = parse_args({"--dataset", "fashion-mnist", "--epochs", "5"});
  EXPECT_STREQ(flags.dataset->name, "Fashion-MNIST");
  EXPECT_EQ(flags.data, "data/fashion-mnist");
  EXPECT_EQ(flags.epochs, 5);
  EXPECT_EQ(parse_args({"--dataset", "mnist"}).data, "data/mnist");
}

TEST(ExampleFlags, ExplicitDataWinsOverTheDatasetInEitherOrder) {
  EXPECT_EQ(parse_args({"--dataset", "fashion-mnist", "--data", "/srv/fm"}).data, "/srv/fm");
  const Flags flags = parse_args({"--data", "/srv/fm", "--dataset", "fashion-mnist"});
  EXPECT_EQ(flags.data, "/srv/fm");
  EXPECT_STREQ(flags.dataset->name, "Fashion-MNIST");
}

TEST(ExampleFlags, RejectsAnUnknownDatasetNamingTheChoices) {
  expect_error(
      [] {
        parse_args({"--dataset", "cifar10"});
      },
      {"unknown dataset 'cifar10'", "mnist or fashion-mnist"});
  expect_error([] { parse_args({"--dataset", "Fashion-MNIST"}); }, {"'Fashion-MNIST'"});
  expect_error([] { parse_args({"--dataset"}); }, {"missing value after --dataset"});
}

TEST(ExampleFlags, OtherProblemsAreUsageErrorsToo) {
  // Each used to end the process; as exceptions, main reports them and the tests can see them.
  expect_error([] { parse_args({"--epochs", "many"}); }, {"invalid value 'many' for --epochs"});
  expect_error([] { parse_args({"--device", "tpu"}); }, {"--device must be auto, cpu or cuda"});
  expect_error([] { parse_args({"--colour", "red"}); }, {"unknown flag --colour"});
  expect_error([] { parse_args({"--help"}); }, {"trains nothing"});
  EXPECT_THROW(parse_args({"--lr", "0"}), mnist_example::UsageError);
}

// Expects parse() to refuse `args` as a usage error (exit status 2) whose message has `parts`.
void expect_refused(const std::vector<std::string>& args,
                    std::initializer_list<const char*> parts) {
  try {
    parse_args(args);
    ADD_FAILURE() << "accepted " << ::testing::PrintToString(args);
  } catch (const mnist_example::UsageError& e) {
    EXPECT_EQ(e.exit_status, 2) << e.what();
    const std::string message = e.what();
    for (const char* part : parts) {
      EXPECT_NE(message.find(part), std::string::npos)
          << "message \"" << message << "\" lacks \"" << part << "\"";
    }
  }
}

// Each of these used to be read as something else (issue 10): the number's prefix (1e12 as 1,
// 1.9 as 1, 5e-3junk as 0.005), an infinite rate that trained to NaN, a NaN threshold that
// disabled the check, and -1 wrapped to 2^64 - 1.
TEST(ExampleFlags, NumbersAreParsedWholeAndStrictly) {
  expect_refused({"--batch-size", "1e12"}, {"invalid value '1e12' for --batch-size", "whole"});
  expect_refused({"--epochs", "1.9"}, {"invalid value '1.9' for --epochs", "whole number"});
  expect_refused({"--lr", "5e-3junk"}, {"invalid value '5e-3junk' for --lr", "a number"});
  expect_refused({"--lr", "inf"}, {"'inf' for --lr", "finite"});
  expect_refused({"--lr", "nan"}, {"'nan' for --lr", "finite"});
  expect_refused({"--lr", "1e999"}, {"'1e999' for --lr", "out of range"});
  expect_refused({"--min-accuracy", "nan"}, {"'nan' for --min-accuracy", "finite"});
  expect_refused({"--seed", "-1"}, {"invalid value '-1' for --seed", "not negative"});
  expect_refused({"--seed", "18446744073709551616"}, {"--seed", "out of range"});
  expect_refused({"--train-limit", " 5"}, {"' 5' for --train-limit"});
  expect_refused({"--train-limit", "5 "}, {"'5 ' for --train-limit"});
  expect_refused({"--epochs", ""}, {"'' for --epochs"});
  expect_refused({"--epochs", "0x10"}, {"'0x10' for --epochs"});
}

TEST(ExampleFlags, NumbersOutsideTheFlagsRangeAreRefused) {
  expect_refused({"--epochs", "0"}, {"'0' for --epochs", "at least 1"});
  expect_refused({"--batch-size", "-64"}, {"'-64' for --batch-size", "at least 1"});
  expect_refused({"--lr", "0"}, {"'0' for --lr", "above 0"});
  expect_refused({"--lr", "-1e-3"}, {"'-1e-3' for --lr", "above 0"});
  expect_refused({"--min-accuracy", "100.5"}, {"'100.5' for --min-accuracy", "0 to 100"});
  expect_refused({"--min-accuracy", "-1"}, {"'-1' for --min-accuracy", "0 to 100"});
  expect_refused({"--train-limit", "-1"}, {"'-1' for --train-limit", "not be negative"});
}

TEST(ExampleFlags, ValidNumbersKeepTheirExactValues) {
  const Flags flags =
      parse_args({"--epochs", "12", "--batch-size", "1000000000000", "--lr", "5e-3", "--seed",
                  "18446744073709551615", "--min-accuracy", "97.5", "--train-limit", "0"});
  EXPECT_EQ(flags.epochs, 12);
  EXPECT_EQ(flags.batch_size, 1000000000000);  // larger than the dataset: one batch per epoch
  EXPECT_EQ(flags.lr, 0.005);
  EXPECT_EQ(flags.seed, 18446744073709551615ull);
  EXPECT_EQ(flags.min_accuracy, 97.5);
  EXPECT_EQ(flags.train_limit, 0);
  EXPECT_EQ(parse_args({"--min-accuracy", "0"}).min_accuracy, 0);
  EXPECT_EQ(parse_args({"--lr", "1"}).lr, 1);
}

// --help is what was asked for, so the program prints the usage to stdout and exits with 0; a
// wrong command line exits with 2. (tests/CMakeLists.txt also runs mnist_mlp --help.)
TEST(ExampleFlags, HelpExitsWithZeroAndMistakesWithTwo) {
  for (const char* help : {"--help", "-h"}) {
    try {
      parse_args({"--epochs", "2", help});
      ADD_FAILURE() << help << " was accepted";
    } catch (const mnist_example::UsageError& e) {
      EXPECT_EQ(e.exit_status, 0) << help;
      EXPECT_STREQ(e.what(), "trains nothing");
    }
  }
  expect_refused({"--colour", "red"}, {"unknown flag --colour"});
  expect_refused({"--epochs"}, {"missing value after --epochs"});
}

TEST(ExampleFlags, CheckpointsGoWhereTheRunResumedFromUnlessNamed) {
  const Flags resumed = parse_args({"--resume", "run.state", "--save-every", "7"});
  EXPECT_EQ(resumed.resume, "run.state");
  EXPECT_EQ(resumed.checkpoint, "run.state");
  EXPECT_EQ(resumed.save_every, 7);
  const Flags elsewhere = parse_args({"--resume", "run.state", "--checkpoint", "next.state"});
  EXPECT_EQ(elsewhere.resume, "run.state");
  EXPECT_EQ(elsewhere.checkpoint, "next.state");
  const Flags fresh = parse_args({"--checkpoint", "run.state"});
  EXPECT_EQ(fresh.save_every, 0);  // only at the end of each epoch
  EXPECT_TRUE(fresh.resume.empty());
  EXPECT_FALSE(fresh.detect_anomaly);
  EXPECT_TRUE(parse_args({"--detect-anomaly"}).detect_anomaly);

  expect_refused({"--save-every", "7"}, {"--save-every needs --checkpoint PATH"});
  expect_refused({"--checkpoint", "run.state", "--save-every", "0"}, {"'0' for --save-every"});
  expect_refused({"--checkpoint", "run.state", "--save-every", "7.5"}, {"whole number"});
  expect_refused({"--resume", "run.state", "--save", "run.state"}, {"the same file, run.state"});
}

TEST(ExampleFlags, StandardizesWithTheChosenDatasetsStatistics) {
  const Tensor pixels = tensor({0, 255}, kUInt8);
  for (const mnist_example::Dataset& dataset : mnist_example::kDatasets) {
    const float mean = static_cast<float>(dataset.mean), std = static_cast<float>(dataset.std);
    expect_tensor<float>(
        mnist_example::prepare(test_program(/*standardize=*/true), dataset, pixels), {2},
        {(0 - mean) / std, (1 - mean) / std}, 1e-6);
  }
  // Without standardization the dataset does not matter: pixels / 255.
  expect_tensor<float>(mnist_example::prepare(test_program(), mnist_example::kDatasets[1], pixels),
                       {2}, {0, 1});
}

}  // namespace
}  // namespace nabla

// The MNIST examples' command line (examples/mnist_training.h): --dataset picks MNIST or
// Fashion-MNIST, the data directory follows it unless --data names one, and standardized inputs use
// the chosen dataset's statistics. None of it needs the datasets' files.
#include "test_helpers.h"

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

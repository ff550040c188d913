// The MNIST examples' training program (examples/mnist_training.h) on tiny datasets the tests
// write: splits that do not fit together, or a model that cannot take the images, are refused
// before training.
#include "idx_files.h"
#include "temp_dir.h"
#include "test_helpers.h"

#include <string>
#include <vector>

#include <nabla/examples/mnist_training.h>

namespace nabla {
namespace {

using mnist_example::Flags;
using mnist_example::Program;
using nabla::testing::counting_bytes;
using nabla::testing::expect_error;
using nabla::testing::idx_bytes;

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

  bool model_made_ = false;
};

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

}  // namespace
}  // namespace nabla

// MNIST loading: reads the IDX pair of a split and checks that the two files describe one dataset.
// Nothing here is specific to MNIST's digits, so Fashion-MNIST loads through it too.
#include <nabla/data/mnist.h>

#include <filesystem>

#include <nabla/core/error.h>
#include <nabla/data/idx.h>

namespace nabla::data {
namespace {

// Checked before reading so that a missing dataset gets a hint on how to fetch it, rather than
// read_idx's bare "no such file".
std::string existing_file(const std::filesystem::path& root, const std::string& name) {
  const std::filesystem::path path = root / name;
  std::error_code error;
  NABLA_CHECK(std::filesystem::exists(path, error), "load_mnist: ", path.string(),
              " not found; scripts/fetch_mnist.sh fetches MNIST (into data/mnist by default) and "
              "scripts/fetch_fashion_mnist.sh Fashion-MNIST (into data/fashion-mnist)");
  return path.string();
}

}  // namespace

MnistSplit load_mnist(const std::string& root, bool train) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string images_path = existing_file(root, prefix + "-images-idx3-ubyte");
  const std::string labels_path = existing_file(root, prefix + "-labels-idx1-ubyte");

  Tensor images = read_idx(images_path);
  NABLA_CHECK(images.dim() == 3, "load_mnist: ", images_path,
              ": expected images of shape [count, rows, cols], got shape ", images.sizes());
  Tensor labels = read_idx(labels_path);
  NABLA_CHECK(labels.dim() == 1, "load_mnist: ", labels_path,
              ": expected labels of shape [count], got shape ", labels.sizes());
  NABLA_CHECK(images.size(0) == labels.size(0), "load_mnist: ", images_path, " holds ",
              images.size(0), " images but ", labels_path, " holds ", labels.size(0), " labels");

  const uint8_t* label_values = labels.data_ptr<uint8_t>();
  for (int64_t i = 0; i < labels.numel(); ++i) {
    NABLA_CHECK(label_values[i] < 10, "load_mnist: ", labels_path, ": label ", i, " is ",
                static_cast<int>(label_values[i]), ", not a class 0 to 9");
  }
  // int64, because that is what index-taking ops (gather, one_hot, the losses) expect.
  return MnistSplit{images, labels.to(kInt64)};
}

Tensor normalize_images(const Tensor& uint8_batch) {
  NABLA_CHECK(uint8_batch.defined(), "normalize_images: the batch is an undefined tensor");
  NABLA_CHECK(uint8_batch.dtype() == kUInt8, "normalize_images: expected a uint8 batch, got ",
              uint8_batch.dtype());
  Tensor scaled = uint8_batch.to(kFloat32);
  scaled.div_(255);  // in place: the converted copy is ours, so no second allocation
  return scaled;
}

}  // namespace nabla::data

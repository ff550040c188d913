// MNIST: loading the handwritten-digit dataset from its four IDX files, and turning a batch of its
// uint8 images into float32 inputs for a model. Fashion-MNIST (Zalando's clothing images) ships in
// the same files, names and shapes, so it loads the same way.
#pragma once

#include <string>

#include <nabla/core/tensor.h>

namespace nabla::data {

// One split of MNIST: images uint8 [N, 28, 28] (pixel values 0 to 255, kept as bytes so the whole
// training set takes 47 MB rather than 188 MB as float32) and labels int64 [N] (classes 0 to 9:
// digits for MNIST, kinds of clothing for Fashion-MNIST).
struct MnistSplit {
  Tensor images;
  Tensor labels;
};

// Reads train-images-idx3-ubyte and train-labels-idx1-ubyte (train) or the t10k- pair (test) from
// the directory `root`, as scripts/fetch_mnist.sh or scripts/fetch_fashion_mnist.sh leaves them.
// Throws nabla::Error naming the file when one is missing or malformed, when the counts of images
// and labels differ, or when a label is not a class 0 to 9.
MnistSplit load_mnist(const std::string& root, bool train);

// A uint8 batch of images as float32 scaled to [0, 1] (x / 255), of the same shape. The training
// loop calls it per batch, so the dataset itself stays uint8.
Tensor normalize_images(const Tensor& uint8_batch);

}  // namespace nabla::data

// Convolution, pooling and batch normalization: forward values of small hand-computed cases and
// finite-difference gradients in float64 on every device; the fast paths (oneDNN on the CPU,
// cuDNN on CUDA) against the float64 reference; errors; and the layers.
#include "device_test.h"
#include "test_helpers.h"

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace nabla {
namespace {

using testing::expect_error;
using testing::expect_tensor;
using Inputs = std::vector<Tensor>;
using testing::gradients_match;

NABLA_DEVICE_SUITE(Conv2d);
NABLA_DEVICE_SUITE(Pool2d);
NABLA_DEVICE_SUITE(BatchNorm);
NABLA_DEVICE_SUITE(ConvGradcheck);
NABLA_DEVICE_SUITE(ConvLayers);

// 0, 1, 2, ... as a [1, 1, h, w] image.
Tensor ramp_image(int64_t h, int64_t w, ScalarType dtype = kFloat32) {
  return arange(h * w, TensorOptions(dtype)).reshape({1, 1, h, w});
}

Tensor leaf(const Shape& shape) {
  return randn(shape, kFloat64).requires_grad_();
}

// --- conv2d: hand-computed values ----------------------------------------------------------------

TEST_P(Conv2d, TwoByTwoKernelWithBias) {
  // [[1,2,3],[4,5,6],[7,8,9]] with kernel [[1,0],[0,-1]]: x[i][j] - x[i+1][j+1] = -4, plus 0.5.
  const Tensor x = (ramp_image(3, 3) + 1);
  const Tensor w = tensor({1.0, 0.0, 0.0, -1.0}).reshape({1, 1, 2, 2});
  expect_tensor<float>(conv2d(x, w, tensor({0.5})), {1, 1, 2, 2}, {-3.5f, -3.5f, -3.5f, -3.5f});
}

TEST_P(Conv2d, PaddingAndStride) {
  // A 3x3 box sum over the zero-padded 5x5 image, every second position.
  const Tensor x = ramp_image(3, 3) + 1;
  expect_tensor<float>(conv2d(x, ones({1, 1, 3, 3}), Tensor(), {2}, {1}), {1, 1, 2, 2},
                       {12.0f, 16.0f, 24.0f, 28.0f});
}

TEST_P(Conv2d, Dilation) {
  // x[r][c] = 5r + c; a 2x2 kernel of ones dilated by 2 sums x at (i, j), (i, j+2), (i+2, j) and
  // (i+2, j+2): 20i + 4j + 24.
  expect_tensor<float>(conv2d(ramp_image(5, 5), ones({1, 1, 2, 2}), Tensor(), {1}, {0}, {2}),
                       {1, 1, 3, 3}, {24, 28, 32, 44, 48, 52, 64, 68, 72});
}

TEST_P(Conv2d, GroupsConvolveTheirOwnChannels) {
  // Channel 0 all 1, channel 1 all 2.
  const Tensor x = tensor({1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0}).reshape({1, 2, 2, 2});
  // Two groups: output 0 sees channel 0 (sum 4), output 1 sees channel 1 times 10 (sum 80).
  const Tensor w = tensor({1.0, 1.0, 1.0, 1.0, 10.0, 10.0, 10.0, 10.0}).reshape({2, 1, 2, 2});
  expect_tensor<float>(conv2d(x, w, Tensor(), {1}, {0}, {1}, 2), {1, 2, 1, 1}, {4.0f, 80.0f});
  // One group: one output sees both channels, 4 + 8.
  expect_tensor<float>(conv2d(x, ones({1, 2, 2, 2})), {1, 1, 1, 1}, {12.0f});
}

TEST_P(Conv2d, AnUnbatchedSampleGivesAnUnbatchedResult) {
  const Tensor y = conv2d(ramp_image(3, 3).squeeze(0), ones({2, 1, 2, 2}));
  expect_tensor<float>(y, {2, 2, 2}, {8, 12, 20, 24, 8, 12, 20, 24});
}

// A fresh weight tensor of the same shape often takes the memory (and version) of the one freed
// before it, and a non-contiguous weight is copied to a new tensor every call: neither may be
// mistaken for weights seen before.
TEST_P(Conv2d, NewWeightsAreNeverTakenForOldOnes) {
  manual_seed(3);
  const Tensor x = randn({2, 3, 7, 7});
  const Tensor x64 = x.to(kFloat64);
  for (int i = 0; i < 3; ++i) {
    const Tensor w = randn({16, 3, 3, 3});
    expect_tensor<float>(conv2d(x, w), {2, 16, 5, 5},
                         conv2d(x64, w.to(kFloat64)).to_vector<float>(), 1e-4);
  }
  Tensor base = randn({3, 16, 3, 3});
  const Tensor w = base.transpose(0, 1);  // a non-contiguous weight [16, 3, 3, 3]
  const std::vector<float> before = conv2d(x, w).to_vector<float>();
  base.mul_(2);
  expect_tensor<float>(conv2d(x, w), {2, 16, 5, 5}, conv2d(x64, w.to(kFloat64)).to_vector<float>(),
                       1e-4);
  EXPECT_NE(conv2d(x, w).to_vector<float>(), before);
}

// The fast path (oneDNN for float32 on the CPU, cuDNN on CUDA) against the float64 reference on
// the CPU, forward and both gradients, over strides, paddings, dilations, groups and odd shapes.
TEST_P(Conv2d, FastPathMatchesTheReference) {
  struct Case {
    Shape input, weight;
    Shape stride, padding, dilation;
    int64_t groups;
  };
  const std::vector<Case> cases = {
      {{2, 3, 9, 8}, {4, 3, 3, 3}, {1}, {0}, {1}, 1},
      {{3, 4, 11, 10}, {6, 2, 3, 2}, {2, 1}, {1, 2}, {1}, 2},
      {{1, 2, 12, 12}, {3, 2, 3, 3}, {3}, {2}, {2, 1}, 1},
      {{2, 6, 7, 7}, {6, 1, 5, 5}, {1}, {2}, {1}, 6},
      {{64, 1, 28, 28}, {10, 1, 5, 5}, {1}, {0}, {1}, 1},
      // 4 MB of input and output: the CPU's forward runs it in two chunks, of 50 and 51 images.
      {{101, 3, 32, 32}, {8, 3, 3, 3}, {1}, {0}, {1}, 1},
  };
  manual_seed(42);
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << "input " << c.input << " weight " << c.weight);
    const Tensor x64 = randn(c.input, TensorOptions(kFloat64).device(kCPU));
    const Tensor w64 = randn(c.weight, TensorOptions(kFloat64).device(kCPU));
    const Tensor b64 = randn({c.weight[0]}, TensorOptions(kFloat64).device(kCPU));
    auto run = [&](const Tensor& x, const Tensor& w, const Tensor& b) {
      const Tensor xl = x.detach().requires_grad_();
      const Tensor wl = w.detach().requires_grad_();
      const Tensor y = conv2d(xl, wl, b, c.stride, c.padding, c.dilation, c.groups);
      (y * y).sum().backward();
      return std::vector<Tensor>{y, xl.grad(), wl.grad()};
    };
    const std::vector<Tensor> expected = run(x64, w64, b64);
    const std::vector<Tensor> got =
        run(x64.to(kFloat32).to(device()), w64.to(kFloat32).to(device()),
            b64.to(kFloat32).to(device()));
    for (size_t k = 0; k < 3; ++k) {
      const std::vector<double> e = expected[k].to_vector<double>();
      const std::vector<double> g = got[k].to_vector<double>();
      ASSERT_EQ(e.size(), g.size());
      double scale = 1;
      for (double v : e) scale = std::max(scale, std::fabs(v));
      for (size_t i = 0; i < e.size(); ++i) {
        ASSERT_NEAR(g[i], e[i], 1e-4 * scale) << "output " << k << " element " << i;
      }
    }
  }
}

// --- pooling: hand-computed values ---------------------------------------------------------------

TEST_P(Pool2d, MaxPoolPicksEachWindowsMaximumAndWhereItWas) {
  auto [y, indices] = max_pool2d_with_indices(ramp_image(4, 4), {2});
  expect_tensor<float>(y, {1, 1, 2, 2}, {5, 7, 13, 15});
  expect_tensor<int64_t>(indices, {1, 1, 2, 2}, {5, 7, 13, 15});
  // Padding never wins (it reads as -inf): kernel 3, stride 2, padding 1.
  expect_tensor<float>(max_pool2d(ramp_image(4, 4) - 100, {3}, {2}, {1}), {1, 1, 2, 2},
                       {-95, -93, -87, -85});
  // Dilation 2: each window is x at (i, j), (i, j+2), (i+2, j), (i+2, j+2).
  expect_tensor<float>(max_pool2d(ramp_image(4, 4), {2}, {1}, {0}, {2}), {1, 1, 2, 2},
                       {10, 11, 14, 15});
}

TEST_P(Pool2d, MaxPoolTakesTheFirstOfEqualValuesAndPropagatesNan) {
  auto [y, indices] = max_pool2d_with_indices(ones({1, 1, 2, 2}), {2});
  expect_tensor<int64_t>(indices, {1, 1, 1, 1}, {0});
  const Tensor with_nan = tensor({1.0, testing::kNan, 3.0, 2.0}).reshape({1, 1, 2, 2});
  auto [ny, nindices] = max_pool2d_with_indices(with_nan, {2});
  expect_tensor<float>(ny, {1, 1, 1, 1}, {testing::kNanF});
  expect_tensor<int64_t>(nindices, {1, 1, 1, 1}, {1});
}

TEST_P(Pool2d, MaxPoolIndexGoesToTheLastNanAsInPyTorch) {
  const Tensor x = tensor({testing::kNan, 1.0, testing::kNan, 2.0}).reshape({1, 1, 2, 2});
  auto [y, indices] = max_pool2d_with_indices(x, {2});
  expect_tensor<int64_t>(indices, {1, 1, 1, 1}, {2});
  auto [padded_y, padded_indices] = max_pool2d_with_indices(x, {2}, {1}, {1});
  EXPECT_EQ(padded_indices.to_vector<int64_t>()[4], 2);  // the window of all four elements
}

TEST_P(Pool2d, CeilModeKeepsTheLastPartialWindow) {
  EXPECT_EQ(max_pool2d(ramp_image(5, 5), {2}).sizes(), Shape({1, 1, 2, 2}));
  expect_tensor<float>(max_pool2d(ramp_image(5, 5), {2}, {2}, {0}, {1}, /*ceil_mode=*/true),
                       {1, 1, 3, 3}, {6, 8, 9, 16, 18, 19, 21, 23, 24});
}

TEST_P(Pool2d, MaxPoolGradientGoesToTheMaxima) {
  Tensor x = ramp_image(4, 4).requires_grad_();
  max_pool2d(x, {2}).sum().backward();
  expect_tensor<float>(x.grad(), {1, 1, 4, 4}, {0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1});
  // Overlapping windows that share a maximum send it both gradients.
  Tensor z = tensor({0.0, 0.0, 0.0, 0.0, 9.0, 0.0, 0.0, 0.0, 0.0}).reshape({1, 1, 3, 3});
  z.requires_grad_();
  max_pool2d(z, {2}, {1}).sum().backward();
  expect_tensor<float>(z.grad(), {1, 1, 3, 3}, {0, 0, 0, 0, 4, 0, 0, 0, 0});
}

TEST_P(Pool2d, AveragePoolWithAndWithoutPaddingInTheCount) {
  expect_tensor<float>(avg_pool2d(ramp_image(4, 4), {2}), {1, 1, 2, 2}, {2.5, 4.5, 10.5, 12.5});
  // Kernel 2, stride 2, padding 1 on 4x4: a 3x3 output whose corner windows are one element.
  expect_tensor<float>(avg_pool2d(ramp_image(4, 4), {2}, {2}, {1}), {1, 1, 3, 3},
                       {0.0f, 0.75f, 0.75f, 3.0f, 7.5f, 4.5f, 3.0f, 6.75f, 3.75f});
  expect_tensor<float>(avg_pool2d(ramp_image(4, 4), {2}, {2}, {1}, false, false), {1, 1, 3, 3},
                       {0.0f, 1.5f, 3.0f, 6.0f, 7.5f, 9.0f, 12.0f, 13.5f, 15.0f});
  expect_tensor<float>(avg_pool2d(ramp_image(4, 4), {2}, {2}, {0}, false, true, 1), {1, 1, 2, 2},
                       {10, 18, 42, 50});
}

TEST_P(Pool2d, AdaptiveAveragePoolUsesOverlappingWindows) {
  // 5 -> 3: rows (and columns) {0, 1}, {1, 2, 3}, {3, 4}, means 0.5, 2, 3.5; x = 5r + c.
  expect_tensor<float>(adaptive_avg_pool2d(ramp_image(5, 5), {3}), {1, 1, 3, 3},
                       {3.0f, 4.5f, 6.0f, 10.5f, 12.0f, 13.5f, 18.0f, 19.5f, 21.0f});
  expect_tensor<float>(adaptive_avg_pool2d(ramp_image(5, 5), {1}), {1, 1, 1, 1}, {12.0f});
  expect_tensor<float>(adaptive_avg_pool2d(ramp_image(2, 3), {4, 6}).sum({2, 3}), {1, 1},
                       {2.5f * 24});
}

TEST_P(Pool2d, AveragePoolGradientSpreadsOverTheWindow) {
  Tensor x = ramp_image(4, 4).requires_grad_();
  avg_pool2d(x, {2}).sum().backward();
  expect_tensor<float>(x.grad(), {1, 1, 4, 4}, std::vector<float>(16, 0.25f));
  Tensor y = ramp_image(5, 5).requires_grad_();
  adaptive_avg_pool2d(y, {3}).sum().backward();
  // Rows (and columns) 1 and 3 lie in two windows each; every window (wr, wc) a position lies in
  // gives it 1 / (the window's height * width).
  std::vector<float> expected;
  for (int r = 0; r < 5; ++r) {
    for (int c = 0; c < 5; ++c) {
      // Each (window row, window col) pair contributes 1 / (its height * width).
      const std::vector<std::vector<int>> rows_of = {{0}, {0, 1}, {1}, {1, 2}, {2}};
      const std::vector<int> size = {2, 3, 2};
      float g = 0;
      for (int wr : rows_of[r]) {
        for (int wc : rows_of[c]) g += 1.0f / static_cast<float>(size[wr] * size[wc]);
      }
      expected.push_back(g);
    }
  }
  expect_tensor<float>(y.grad(), {1, 1, 5, 5}, expected, 1e-6);
}

// --- batch_norm ----------------------------------------------------------------------------------

TEST_P(BatchNorm, TrainingNormalizesWithTheBatchAndMovesTheRunningStatistics) {
  // Channel 0: 1, 2, 3, 4 (mean 2.5, biased variance 1.25); channel 1: 0, 4, 0, 4 (mean 2, 4).
  const Tensor x = tensor({{1.0, 0.0}, {2.0, 4.0}, {3.0, 0.0}, {4.0, 4.0}});
  Tensor running_mean = zeros({2}), running_var = ones({2});
  const Tensor y = batch_norm(x, Tensor(), Tensor(), running_mean, running_var, true, 0.1, 1e-5);
  const double s0 = std::sqrt(1.25 + 1e-5), s1 = std::sqrt(4 + 1e-5);
  expect_tensor<float>(
      y, {4, 2},
      {static_cast<float>(-1.5 / s0), static_cast<float>(-2 / s1), static_cast<float>(-0.5 / s0),
       static_cast<float>(2 / s1), static_cast<float>(0.5 / s0), static_cast<float>(-2 / s1),
       static_cast<float>(1.5 / s0), static_cast<float>(2 / s1)},
      1e-6);
  // running = 0.9 running + 0.1 batch, with the unbiased variance (x 4/3).
  expect_tensor<float>(running_mean, {2}, {0.25f, 0.2f}, 1e-7);
  expect_tensor<float>(running_var, {2}, {0.9f + 0.1f * 1.25f * 4 / 3, 0.9f + 0.1f * 4.0f * 4 / 3},
                       1e-6);
}

TEST_P(BatchNorm, EvaluationUsesTheRunningStatisticsWeightAndBias) {
  const Tensor x = tensor({{1.0, 2.0}, {3.0, 4.0}}).reshape({2, 2, 1, 1});
  const Tensor y = batch_norm(x, tensor({2.0, 1.0}), tensor({0.5, -1.0}), tensor({1.0, 2.0}),
                              tensor({4.0, 1.0}), false, 0.1, 0.0001);
  const double s0 = std::sqrt(4.0001), s1 = std::sqrt(1.0001);
  expect_tensor<float>(y, {2, 2, 1, 1},
                       {static_cast<float>(0 / s0 * 2 + 0.5), static_cast<float>(0 / s1 - 1),
                        static_cast<float>(2 / s0 * 2 + 0.5), static_cast<float>(2 / s1 - 1)},
                       1e-6);
}

// --- gradients -----------------------------------------------------------------------------------

TEST_P(ConvGradcheck, Conv2dOverStridePaddingDilationAndGroups) {
  manual_seed(7);
  struct Case {
    Shape input, weight, stride, padding, dilation;
    int64_t groups;
  };
  for (const Case& c : std::vector<Case>{{{2, 2, 5, 4}, {3, 2, 2, 3}, {1}, {0}, {1}, 1},
                                         {{1, 4, 6, 7}, {4, 2, 3, 3}, {2, 1}, {1}, {1}, 2},
                                         {{1, 1, 7, 7}, {2, 1, 2, 2}, {2}, {1, 0}, {2}, 1},
                                         {{2, 3, 4, 4}, {3, 1, 3, 1}, {1}, {1, 0}, {1}, 3}}) {
    SCOPED_TRACE(::testing::Message() << "input " << c.input << " weight " << c.weight);
    EXPECT_TRUE(gradients_match(
        [&](const Inputs& in) {
          return conv2d(in[0], in[1], in[2], c.stride, c.padding, c.dilation, c.groups);
        },
        {leaf(c.input), leaf(c.weight), leaf({c.weight[0]})}));
  }
}

TEST_P(ConvGradcheck, Pooling) {
  manual_seed(8);
  const Tensor x = leaf({2, 2, 6, 5});  // normal draws: no ties within a window
  EXPECT_TRUE(gradients_match([](const Inputs& in) { return max_pool2d(in[0], {2}); }, {x}));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return max_pool2d(in[0], {3, 2}, {2, 1}, {1}, {1, 2}, true);
      },
      {x}));
  EXPECT_TRUE(
      gradients_match([](const Inputs& in) { return avg_pool2d(in[0], {3}, {2}, {1}); }, {x}));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return avg_pool2d(in[0], {2, 3}, {1, 2}, {1}, true, false);
      },
      {x}));
  EXPECT_TRUE(gradients_match(
      [](const Inputs& in) {
        return adaptive_avg_pool2d(in[0], {4, 3});
      },
      {x}));
}

TEST_P(ConvGradcheck, BatchNormInTrainingAndEvaluation) {
  manual_seed(9);
  const Tensor running_mean = randn({3}, kFloat64), running_var = rand({3}, kFloat64) + 0.5;
  EXPECT_TRUE(gradients_match(
      [&](const Inputs& in) {
        return batch_norm(in[0], in[1], in[2], Tensor(), Tensor(), true, 0.1, 1e-5);
      },
      {leaf({4, 3, 2, 2}), leaf({3}), leaf({3})}));
  EXPECT_TRUE(gradients_match(
      [&](const Inputs& in) {
        return batch_norm(in[0], in[1], in[2], running_mean, running_var, false, 0.1, 1e-5);
      },
      {leaf({5, 3}), leaf({3}), leaf({3})}));
}

// --- layers --------------------------------------------------------------------------------------

TEST_P(ConvLayers, Conv2dHasPyTorchsShapesAndInitialization) {
  manual_seed(1);
  nn::Conv2d conv(nn::Conv2dOptions(4, 8, {3, 5}).stride(2).padding({1, 2}).groups(2));
  EXPECT_EQ(conv->weight.sizes(), Shape({8, 2, 3, 5}));
  EXPECT_EQ(conv->bias.sizes(), Shape({8}));
  EXPECT_EQ(conv->weight.device(), device());
  // Kaiming-uniform with a = sqrt(5) and the bias both give U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
  // fan_in = 2 * 3 * 5 = 30.
  const double bound = 1 / std::sqrt(30.0);
  EXPECT_LE(conv->weight.abs().max().item<float>(), bound);
  EXPECT_GT(conv->weight.abs().max().item<float>(), 0.8 * bound);
  EXPECT_LE(conv->bias.abs().max().item<float>(), bound);
  EXPECT_EQ(conv(zeros({2, 4, 9, 9})).sizes(), Shape({2, 8, 5, 5}));
  EXPECT_EQ(conv(zeros({4, 9, 9})).sizes(), Shape({8, 5, 5}));
  const Tensor x = randn({1, 4, 6, 6});
  expect_tensor<float>(conv(x), {1, 8, 3, 3},
                       conv2d(x, conv->weight, conv->bias, {2}, {1, 2}, {1}, 2).to_vector<float>());
  nn::Conv2d no_bias(nn::Conv2dOptions(1, 2, 3).bias(false));
  EXPECT_FALSE(no_bias->bias.defined());
  EXPECT_EQ(no_bias->parameters().size(), 1u);
}

TEST_P(ConvLayers, LayersPrintAsPyTorchDoes) {
  std::ostringstream out;
  out << *nn::Conv2d(nn::Conv2dOptions(1, 32, 3)) << "\n"
      << *nn::Conv2d(nn::Conv2dOptions(4, 8, {3, 5}).stride(2).padding(1).groups(2).bias(false))
      << "\n"
      << *nn::MaxPool2d(2) << "\n"
      << *nn::AvgPool2d(nn::AvgPool2dOptions(3).stride(1).padding(1)) << "\n"
      << *nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions({7, 7})) << "\n"
      << *nn::BatchNorm2d(16);
  EXPECT_EQ(out.str(),
            "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))\n"
            "Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1), groups=2, "
            "bias=false)\n"
            "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0), dilation=(1, 1), "
            "ceil_mode=false)\n"
            "AvgPool2d(kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
            "AdaptiveAvgPool2d(output_size=(7, 7))\n"
            "BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true)");
}

TEST_P(ConvLayers, PoolingLayersMatchTheirFunctions) {
  const Tensor x = ramp_image(6, 6);
  expect_tensor<float>(nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1))(x), {1, 1, 3, 3},
                       max_pool2d(x, {3}, {2}, {1}).to_vector<float>());
  auto [values, indices] = nn::MaxPool2d(2)->forward_with_indices(x);
  expect_tensor<int64_t>(indices, {1, 1, 3, 3}, {7, 9, 11, 19, 21, 23, 31, 33, 35});
  expect_tensor<float>(nn::AvgPool2d(nn::AvgPool2dOptions(2).count_include_pad(false))(x),
                       {1, 1, 3, 3}, avg_pool2d(x, {2}).to_vector<float>());
  expect_tensor<float>(nn::AdaptiveAvgPool2d(1)(x), {1, 1, 1, 1}, {17.5f});
  expect_tensor<float>(nn::functional::max_pool2d(x, nn::functional::MaxPool2dFuncOptions(6)),
                       {1, 1, 1, 1}, {35.0f});
}

TEST_P(ConvLayers, BatchNormKeepsItsStatisticsAsBuffers) {
  nn::BatchNorm2d bn(3);
  std::vector<std::string> names;
  for (const auto& [name, t] : bn->named_buffers()) names.push_back(name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"}));
  EXPECT_EQ(bn->parameters().size(), 2u);
  expect_tensor<float>(bn->weight, {3}, {1, 1, 1});
  expect_tensor<float>(bn->running_var, {3}, {1, 1, 1});
  manual_seed(2);
  const Tensor x = randn({4, 3, 5, 5}) * 3 + 1;
  const Tensor y = bn(x);
  // In training every channel comes out with mean 0 and (biased) variance 1.
  expect_tensor<float>(y.mean({0, 2, 3}), {3}, {0, 0, 0}, 1e-5);
  expect_tensor<float>((y * y).mean({0, 2, 3}), {3}, {1, 1, 1}, 1e-3);
  expect_tensor<int64_t>(bn->num_batches_tracked, {}, {1});
  expect_tensor<float>(bn->running_mean, {3}, (x.mean({0, 2, 3}) * 0.1).to_vector<float>(), 1e-6);
  // In evaluation the running statistics normalize, and nothing moves.
  bn->eval();
  const Tensor running_mean = bn->running_mean.clone();
  const Tensor expected = (x - bn->running_mean.reshape({1, 3, 1, 1})) /
                          (bn->running_var.reshape({1, 3, 1, 1}) + 1e-5).sqrt();
  expect_tensor<float>(bn(x), {4, 3, 5, 5}, expected.to_vector<float>(), 1e-5);
  expect_tensor<float>(bn->running_mean, {3}, running_mean.to_vector<float>());
  expect_tensor<int64_t>(bn->num_batches_tracked, {}, {1});
  // to(float64) converts the statistics but keeps the count an integer.
  bn->to(kFloat64);
  EXPECT_EQ(bn->running_var.dtype(), kFloat64);
  EXPECT_EQ(bn->num_batches_tracked.dtype(), kInt64);
}

TEST_P(ConvLayers, BatchNormWithoutMomentumAveragesEveryBatch) {
  nn::BatchNorm1d bn(nn::BatchNormOptions(2).momentum(std::nullopt).affine(false));
  EXPECT_EQ(bn->parameters().size(), 0u);
  bn(tensor({{1.0, 10.0}, {3.0, 30.0}}));  // means 2, 20
  bn(tensor({{5.0, 50.0}, {7.0, 70.0}}));  // means 6, 60
  expect_tensor<float>(bn->running_mean, {2}, {4.0f, 40.0f}, 1e-5);
  expect_error([&] { bn(zeros({2, 3})); }, {"BatchNorm1d", "2 channels", "[2, 3]"});
  expect_error([&] { bn(zeros({2, 2, 2, 2})); }, {"BatchNorm1d", "2-D or 3-D"});
}

TEST_P(ConvLayers, ASmallCnnLearns) {
  // The model of PyTorch's C++ MNIST example on a fixed batch of random images and labels: thirty
  // Adam steps memorize most of it, on every device.
  manual_seed(5);
  nn::Sequential model(nn::Conv2d(1, 10, 5), nn::MaxPool2d(2), nn::ReLU(), nn::Conv2d(10, 20, 5),
                       nn::MaxPool2d(2), nn::ReLU(), nn::Flatten(), nn::Linear(320, 50), nn::ReLU(),
                       nn::Linear(50, 10));
  optim::Adam optimizer(model->parameters(), optim::AdamOptions(1e-2));
  const Tensor images = rand({32, 1, 28, 28});
  const Tensor labels = (rand({32}) * 9.99).to(kInt64);
  double first = 0, last = 0;
  for (int step = 0; step < 30; ++step) {
    const Tensor loss = nn::functional::cross_entropy(model(images), labels);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, first / 2);
}

// --- errors --------------------------------------------------------------------------------------

TEST(ConvErrors, BadArgumentsNameTheOpAndShapes) {
  const Tensor x = zeros({1, 3, 5, 5});
  expect_error([&] { conv2d(x, zeros({4, 2, 3, 3})); }, {"conv2d", "3 channels", "[4, 2, 3, 3]"});
  expect_error([&] { conv2d(x, zeros({4, 3, 7, 3})); }, {"conv2d", "larger than the padded input"});
  expect_error(
      [&] {
        conv2d(x, zeros({3, 1, 3, 3}), Tensor(), {1}, {0}, {1}, 2);
      },
      {"conv2d", "groups"});
  expect_error([&] { conv2d(x, zeros({4, 3, 3, 3}), Tensor(), {0}); }, {"conv2d", "stride"});
  expect_error([&] { conv2d(x, zeros({4, 3, 3, 3}), Tensor(), {1}, {-1}); }, {"conv2d", "padding"});
  expect_error([&] { conv2d(x, zeros({4, 3, 3, 3}), zeros({3})); }, {"conv2d", "bias", "[4]"});
  expect_error([&] { conv2d(zeros({3, 5}), zeros({4, 3, 3, 3})); }, {"conv2d", "4-D"});
  expect_error([&] { conv2d(x, zeros({4, 3, 3, 3}, kFloat64)); }, {"conv2d", "float32", "float64"});
  expect_error(
      [&] {
        conv2d(x, zeros({4, 3, 3, 3}), Tensor(), {1, 2, 3});
      },
      {"conv2d", "stride", "one or two values"});
  expect_error([&] { max_pool2d(x, {2}, {2}, {2}); }, {"max_pool2d", "half the kernel"});
  expect_error([&] { max_pool2d(x, {7}); }, {"max_pool2d", "too small"});
  expect_error([&] { avg_pool2d(x, {0}); }, {"avg_pool2d", "kernel_size"});
  expect_error([&] { adaptive_avg_pool2d(x, {0, 2}); }, {"adaptive_avg_pool2d", "output_size"});
  expect_error(
      [&] {
        batch_norm(zeros({1, 3}), Tensor(), Tensor(), Tensor(), Tensor(), true);
      },
      {"batch_norm", "more than 1 value per channel"});
  expect_error(
      [&] {
        conv2d(zeros({1, 0, 5, 5}), zeros({4, 0, 3, 3}));
      },
      {"conv2d", "non-empty", "[1, 0, 5, 5]"});
  expect_error([&] { max_pool2d(zeros({1, 1, 0, 4}), {1}); }, {"max_pool2d", "non-empty"});
  expect_error(
      [&] {
        max_pool2d(zeros({1, 1, 4, 4}), {2}, {1}, {1}, {5});
      },
      {"max_pool2d", "entirely in the padding"});
  EXPECT_EQ(batch_norm(zeros({0, 3}), Tensor(), Tensor(), zeros({3}), ones({3}), true).sizes(),
            Shape({0, 3}));
  expect_error([&] { batch_norm(x, ones({2}), Tensor(), Tensor(), Tensor(), true); },
               {"batch_norm", "weight", "[3]"});
}

}  // namespace
}  // namespace nabla

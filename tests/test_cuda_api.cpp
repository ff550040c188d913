// The nabla::cuda API and the default device: what a program sees on a machine with or without a
// GPU, and the training pieces (data on the device, optimizer state following its parameters)
// that run on every device.
#include "device_test.h"
#include "test_helpers.h"

#include <cmath>
#include <vector>

#include <nabla/core/native.h>

namespace nabla {
namespace {

using testing::expect_error;
using testing::expect_tensor;

TEST(DefaultDevice, IsTheCpuUnlessAGuardSaysOtherwise) {
  EXPECT_TRUE(default_device().is_cpu());
  EXPECT_TRUE(zeros({2}).is_cpu());
  {
    DefaultDeviceGuard outer(Device(kCUDA, 1));
    EXPECT_EQ(default_device(), Device(kCUDA, 1));
    {
      DefaultDeviceGuard inner(kCPU);
      EXPECT_TRUE(default_device().is_cpu());
      EXPECT_TRUE(ones({2}).is_cpu());
    }
    EXPECT_EQ(default_device(), Device(kCUDA, 1));
  }
  EXPECT_TRUE(default_device().is_cpu());
}

TEST(DefaultDevice, FromBlobStaysOnTheCpuAndOptionsWin) {
  DefaultDeviceGuard on_gpu(Device(kCUDA, 0));
  float host[2] = {1, 2};
  EXPECT_TRUE(from_blob(host, {2}).is_cpu());  // the memory is the caller's, on the host
  EXPECT_TRUE(zeros({2}, TensorOptions().device(kCPU)).is_cpu());
}

TEST(DefaultDevice, ACudaDefaultWithoutAGpuIsAClearError) {
  if (cuda::is_available()) GTEST_SKIP() << "a CUDA device is present";
  DefaultDeviceGuard on_gpu(Device(kCUDA, 0));
  expect_error([] { zeros({2}); }, {"cuda:0"});
  expect_error([] { nn::Linear(3, 2); }, {"cuda:0"});
}

TEST(CudaApi, WithoutAGpuEveryCallSaysWhy) {
  if (cuda::is_available()) GTEST_SKIP() << "a CUDA device is present";
  const char* reason = cuda::is_built() ? "no CUDA device" : "without CUDA";
  expect_error([] { cuda::synchronize(); }, {"cuda", reason});
  expect_error([] { cuda::memory_stats(); }, {"cuda", reason});
  expect_error([] { cuda::device_name(); }, {"cuda", reason});
  expect_error([] { cuda::empty_cache(); }, {"cuda", reason});
}

TEST(CudaApi, Tf32IsOffByDefaultAndCanBeTurnedOn) {
  EXPECT_FALSE(cuda::allow_tf32());
  cuda::set_allow_tf32(true);
  EXPECT_TRUE(cuda::allow_tf32());
  cuda::set_allow_tf32(false);
  EXPECT_FALSE(cuda::allow_tf32());
}

TEST(CudaApi, MemoryStatsCountLiveTensorsAndThePeak) {
  if (!cuda::is_available()) GTEST_SKIP() << "no usable CUDA device on this machine";
  cuda::synchronize();
  cuda::reset_peak_memory_stats();
  const AllocatorStats before = cuda::memory_stats();
  {
    const Tensor t = zeros({1 << 20}, TensorOptions().device(Device(kCUDA, 0)));
    const AllocatorStats during = cuda::memory_stats();
    EXPECT_EQ(during.allocated_bytes, before.allocated_bytes + (size_t{4} << 20));
    EXPECT_GE(during.reserved_bytes, during.allocated_bytes);
  }
  const AllocatorStats after = cuda::memory_stats();
  EXPECT_EQ(after.allocated_bytes, before.allocated_bytes);
  EXPECT_GE(after.peak_allocated_bytes, before.allocated_bytes + (size_t{4} << 20));
}

TEST(CudaApi, AnIndexErrorIsReportedAtTheNextSynchronization) {
  if (!cuda::is_available()) GTEST_SKIP() << "no usable CUDA device on this machine";
  const Device gpu(kCUDA, 0);
  const Tensor logits = zeros({2, 3}, TensorOptions().device(gpu));
  const Tensor bad = tensor({0, 7}, TensorOptions().device(gpu));
  // Queued without waiting; the check's verdict arrives with the next read from the device.
  Tensor picked = logits.gather(1, bad.unsqueeze(1));
  expect_error([] { cuda::synchronize(); }, {"gather", "index 7", "out of range", "cuda:0"});
  // Reported once: the device is usable again.
  EXPECT_EQ(ones({2}, TensorOptions().device(gpu)).sum().item<float>(), 2.0f);
}

NABLA_DEVICE_SUITE(DeviceTraining);

TEST_P(DeviceTraining, CheckIndexRangeNamesTheValueAndTheLimit) {
  native::check_index_range(tensor({0, 2, 1}), 3, {"test: value ", " is too big"});
  expect_error(
      [] {
        native::check_index_range(tensor({0, 3, 1}), 3, {"test: value ", " is bad"});
      },
      {"test: value 3 is bad"});
  expect_error(
      [] {
        native::check_index_range(tensor({-1}), 3, {"test: value ", " is bad"});
      },
      {"test: value -1 is bad"});
}

TEST_P(DeviceTraining, CrossEntropyReportsAnOutOfRangeClass) {
  const Tensor logits = zeros({2, 3});
  expect_error(
      [&] {
        nn::functional::cross_entropy(logits, tensor({1, 5}));
      },
      {"cross_entropy", "target class 5", "3 classes"});
  // Negative classes too, unless they are the ignore_index.
  expect_error(
      [&] {
        nn::functional::cross_entropy(logits, tensor({-1, 0}));
      },
      {"cross_entropy", "target class -1", "3 classes"});
  const Tensor loss = nn::functional::cross_entropy(logits, tensor({-1, 0}),
                                                    nn::CrossEntropyOptions().ignore_index(-1));
  EXPECT_NEAR(loss.item<float>(), std::log(3.0), 1e-6);
}

TEST_P(DeviceTraining, ClampOfInt64AboveTwoToThe53IsExact) {
  const int64_t big = (int64_t{1} << 53) + 1;  // not a double
  expect_tensor<int64_t>(tensor({big - 5, big, big + 9}).clamp(big - 1, big + 3), {3},
                         {big - 1, big, big + 3});
  expect_tensor<int64_t>(tensor({INT64_MIN, INT64_MAX}).clamp_min(INT64_MIN + 1), {2},
                         {INT64_MIN + 1, INT64_MAX});
}

TEST_P(DeviceTraining, TotalNormAndClippingStayOnTheDevice) {
  Tensor a = zeros({2}).requires_grad_();
  Tensor b = zeros({1}).requires_grad_();
  (a * tensor({3.0, -4.0}) + 0).sum().backward();
  (b * 12.0).sum().backward();
  const Tensor total = nn::utils::get_total_norm({a.grad(), b.grad()});
  EXPECT_EQ(total.device(), device());
  EXPECT_EQ(total.dtype(), kFloat64);
  EXPECT_DOUBLE_EQ(total.item<double>(), 13.0);
  EXPECT_DOUBLE_EQ(nn::utils::get_total_norm({a.grad(), b.grad()}, INFINITY).item<double>(), 12.0);
  nn::utils::clip_grads_with_norm_({a, b}, 6.5, total);
  const double scale = 6.5 / (13.0 + 1e-6);
  expect_tensor<float>(a.grad(), {2},
                       {static_cast<float>(3 * scale), static_cast<float>(-4 * scale)}, 1e-6);
  expect_tensor<float>(b.grad(), {1}, {static_cast<float>(12 * scale)}, 1e-6);
}

TEST_P(DeviceTraining, OneHotWithAKnownClassCountNeedsNoRead) {
  expect_tensor<int64_t>(one_hot(tensor({2, 0}), 3), {2, 3}, {0, 0, 1, 1, 0, 0});
  expect_error([] { one_hot(tensor({0, 3}), 3); }, {"one_hot", "class label 3"});
}

TEST_P(DeviceTraining, DataLoaderGathersBatchesOnTheDatasetsDevice) {
  const Tensor features = arange(20, TensorOptions(kFloat32).device(kCPU)).reshape({10, 2});
  const Tensor labels = arange(10, TensorOptions(kInt64).device(kCPU));
  data::DataLoaderOptions options = data::DataLoaderOptions().batch_size(4).shuffle(true).seed(3);
  data::DataLoader on_cpu(data::TensorDataset({features, labels}), options);
  data::DataLoader here(data::TensorDataset({features.to(device()), labels.to(device())}), options);
  for (int epoch = 0; epoch < 2; ++epoch) {
    auto expected = on_cpu.begin();
    for (auto got = here.begin(); got != here.end(); ++got, ++expected) {
      ASSERT_EQ((*got)[0].device(), device());
      ASSERT_EQ((*got)[1].device(), device());
      EXPECT_EQ((*got)[0].to_vector<float>(), (*expected)[0].to_vector<float>());
      EXPECT_EQ((*got)[1].to_vector<int64_t>(), (*expected)[1].to_vector<int64_t>());
    }
  }
}

TEST_P(DeviceTraining, OptimizerStateFollowsItsParametersToTheDevice) {
  // One Adam step on the CPU, then the model moves and steps again: the state moves with it, and
  // the result is the same as two steps on the CPU.
  auto train = [](Device second_step_device) {
    manual_seed(3);
    nn::Linear layer(nn::LinearOptions(3, 2));
    layer->to(Device(kCPU));
    optim::Adam adam(layer->parameters(), optim::AdamOptions(0.1));
    const Tensor x = tensor({{1.0, -2.0, 0.5}}, TensorOptions().device(kCPU));
    for (int step = 0; step < 2; ++step) {
      if (step == 1) layer->to(second_step_device);
      adam.zero_grad();
      layer(x.to(layer->weight.device())).sum().backward();
      adam.step();
    }
    for (const auto& [key, state] : adam.state_of(layer->weight).tensors) {
      EXPECT_EQ(state.device(), layer->weight.device()) << key;
    }
    return layer->weight.to(Device(kCPU));
  };
  const std::vector<float> on_cpu = train(Device(kCPU)).to_vector<float>();
  const Tensor moved = train(device());
  expect_tensor<float>(moved, {2, 3}, on_cpu, 1e-6);
}

}  // namespace
}  // namespace nabla

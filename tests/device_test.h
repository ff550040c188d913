// Device-parametrized tests, in the manner of ggml's test-backend-ops: one test body, run on the
// CPU always and on CUDA wherever a device exists. On a machine without one the CUDA cases report
// as skipped (never as passed). Inside a body, factories and modules create their tensors on the
// case's device (a DefaultDeviceGuard), and device() names it.
//
//   NABLA_DEVICE_SUITE(Unary);
//   TEST_P(Unary, ExpOfKnownValues) { expect_tensor<float>(tensor({0.0}).exp(), {1}, {1.0f}); }
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include <nabla/nabla.h>

namespace nabla::testing {

class DeviceTest : public ::testing::TestWithParam<Device> {
 protected:
  void SetUp() override {
    if (GetParam().is_cuda() && !cuda::is_available()) {
      GTEST_SKIP() << "no usable CUDA device on this machine";
    }
    on_device_.emplace(GetParam());
  }
  void TearDown() override {
    // Report a kernel's asynchronous error in the test that caused it, not in a later one.
    if (GetParam().is_cuda() && cuda::is_available()) cuda::synchronize(GetParam().index());
    on_device_.reset();
  }
  Device device() const { return GetParam(); }
  bool on_cuda() const { return GetParam().is_cuda(); }

 private:
  std::optional<DefaultDeviceGuard> on_device_;
};

inline std::string device_case_name(const ::testing::TestParamInfo<Device>& info) {
  return info.param.is_cuda() ? "cuda" : "cpu";
}

}  // namespace nabla::testing

// Runs the TEST_P cases of a fixture derived from DeviceTest on cpu and cuda:0.
#define NABLA_INSTANTIATE_DEVICE_SUITE(Suite)                                                \
  INSTANTIATE_TEST_SUITE_P(                                                                  \
      Devices, Suite,                                                                        \
      ::testing::Values(::nabla::Device(::nabla::kCPU), ::nabla::Device(::nabla::kCUDA, 0)), \
      ::nabla::testing::device_case_name)

// Declares the fixture of a device-parametrized suite and runs its TEST_P cases on cpu and cuda:0.
#define NABLA_DEVICE_SUITE(Suite)                       \
  class Suite : public ::nabla::testing::DeviceTest {}; \
  NABLA_INSTANTIATE_DEVICE_SUITE(Suite)

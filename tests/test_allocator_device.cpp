// The CPU caching allocator (alignment, reuse) and the device abstraction (queries without a GPU,
// the CUDA stub's errors, ops across devices).
#include "test_helpers.h"

#include <cstdint>

#include <nabla/core/native.h>

namespace nabla {
namespace {

TEST(CpuAllocator, BlocksAreSixtyFourByteAligned) {
  for (int64_t n : {1, 3, 17, 1000, 4097, 100000}) {
    Tensor t = empty({n}, kUInt8);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data_ptr()) % 64, 0u) << n << " bytes";
  }
}

TEST(CpuAllocator, SteadyStateLoopReusesCachedBlocks) {
  Tensor a = ones({64, 128}), b = ones({128});
  for (int i = 0; i < 3; ++i) Tensor warmup = (a + b).relu().sum({1});
  const uint64_t before = cpu_allocator().stats().system_allocations;
  for (int i = 0; i < 100; ++i) Tensor c = (a + b).relu().sum({1});
  EXPECT_EQ(cpu_allocator().stats().system_allocations, before);
}

TEST(CpuAllocator, FreedBlockIsHandedOutAgain) {
  void* first;
  {
    Tensor t = empty({333}, kFloat32);
    first = t.data_ptr();
  }
  Tensor again = empty({333}, kFloat32);
  EXPECT_EQ(again.data_ptr(), first);
}

TEST(CpuAllocator, StatsTrackLiveBytesAndPeak) {
  const AllocatorStats before = cpu_allocator().stats();
  {
    Tensor t = empty({1 << 20}, kUInt8);  // 1 MiB: a size class of its own
    const AllocatorStats during = cpu_allocator().stats();
    EXPECT_EQ(during.allocated_bytes, before.allocated_bytes + (1u << 20));
    EXPECT_GE(during.peak_allocated_bytes, during.allocated_bytes);
  }
  EXPECT_EQ(cpu_allocator().stats().allocated_bytes, before.allocated_bytes);
}

TEST(CpuAllocator, EmptyCacheReturnsCachedBlocks) {
  { Tensor t = empty({12345}, kFloat64); }
  EXPECT_GT(cpu_allocator().stats().reserved_bytes, cpu_allocator().stats().allocated_bytes);
  cpu_allocator().empty_cache();
  EXPECT_EQ(cpu_allocator().stats().reserved_bytes, cpu_allocator().stats().allocated_bytes);
}

TEST(CpuAllocator, LargeBlocksGoBackToTheSystemWhenFreed) {
  { Tensor warm = ones({8}).sum(); }  // the scalar sum's block is cached from here on
  const AllocatorStats before = cpu_allocator().stats();
  for (int i = 0; i < 2; ++i) {
    Tensor t = full({int64_t{5} << 20}, 1.5f);  // 20 MiB: above the cached sizes
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data_ptr()) % 64, 0u);
    EXPECT_FLOAT_EQ(t.sum().item<float>(), 1.5f * (5 << 20));
    EXPECT_EQ(cpu_allocator().stats().allocated_bytes, before.allocated_bytes + (20u << 20));
  }
  const AllocatorStats after = cpu_allocator().stats();
  EXPECT_EQ(after.allocated_bytes, before.allocated_bytes);
  EXPECT_EQ(after.reserved_bytes, before.reserved_bytes);  // nothing kept
  EXPECT_EQ(after.system_allocations, before.system_allocations + 2);
}

TEST(Device, ParsesAndPrintsDeviceStrings) {
  EXPECT_TRUE(Device("cpu").is_cpu());
  EXPECT_EQ(Device("cuda").type(), kCUDA);
  EXPECT_EQ(Device("cuda:3").index(), 3);
  EXPECT_EQ(Device("cuda:3").str(), "cuda:3");
  EXPECT_EQ(Device(kCUDA), Device("cuda:0"));
  EXPECT_NE(Device(kCUDA, 1), Device(kCUDA, 0));
  testing::expect_error([] { Device("gpu"); }, {"Device", "gpu"});
  testing::expect_error([] { Device("cuda:x"); }, {"Device", "cuda:x"});
}

TEST(Device, QueriesNeverThrowAndAgree) {
  // Without CUDA support, or without a device and driver, both say "none".
  const int count = cuda::device_count();
  EXPECT_GE(count, 0);
  if (!cuda::is_built()) {
    EXPECT_EQ(count, 0);
  }
  if (count == 0) {
    EXPECT_FALSE(cuda::is_available());
  }
}

TEST(Device, CudaTensorWithoutDeviceIsAClearError) {
  if (cuda::is_available()) GTEST_SKIP() << "a CUDA device is present";
  testing::expect_error([] { zeros({2}, Device(kCUDA)); }, {"cuda:0"});
  testing::expect_error([] { ones({2}).to(Device(kCUDA, 1)); }, {"cuda:1"});
}

TEST(Device, OpOnTensorsOfTwoDevicesNamesBoth) {
  // from_blob labels memory with a device without touching it, which lets this test build a
  // "CUDA" tensor on any machine; the op must refuse before reading it.
  float host[2] = {1, 2};
  Tensor on_cuda = from_blob(host, {2}, TensorOptions().device(Device(kCUDA, 0)));
  Tensor on_cpu = ones({2});
  testing::expect_error([&] { on_cpu + on_cuda; }, {"add", "cpu", "cuda:0"});
  testing::expect_error([&] { matmul(on_cpu, on_cuda); }, {"matmul", "cpu", "cuda:0"});
  testing::expect_error([&] { where(on_cpu > 0, on_cpu, on_cuda); }, {"where", "cpu", "cuda:0"});
}

}  // namespace
}  // namespace nabla

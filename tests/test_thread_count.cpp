// The CPU kernels' thread count: the load-following choice, the libtorch-style setter, and results
// that keep their bits when the count changes (it follows the machine's load by default). In the
// main suite, not tests/threads: it runs OpenMP teams, which ThreadSanitizer cannot see into.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <nabla/core/cpu/threads.h>
#include <nabla/nabla.h>

namespace nabla {
namespace {

TEST(ThreadCount, FollowsTheCpusOtherProcessesLeaveFree) {
  EXPECT_EQ(cpu::threads_for_load(2, 0.0), 2);
  EXPECT_EQ(cpu::threads_for_load(2, 0.25), 2);  // 1.75 CPUs free: the second is mostly ours
  EXPECT_EQ(cpu::threads_for_load(2, 0.5), 1);   // half of the second core taken: not worth it
  EXPECT_EQ(cpu::threads_for_load(2, 1.0), 1);   // a busy loop on one core
  EXPECT_EQ(cpu::threads_for_load(2, 3.0), 1);   // overloaded: still one thread
  EXPECT_EQ(cpu::threads_for_load(16, 3.2), 13);
  EXPECT_EQ(cpu::threads_for_load(16, 0.0), 16);
}

TEST(ThreadCount, SetNumThreadsFixesTheCountAndRefusesZero) {
  EXPECT_THROW(set_num_threads(0), Error);
  set_num_threads(1);
  EXPECT_EQ(get_num_threads(), 1);
  set_num_threads(3);
  EXPECT_EQ(get_num_threads(), 3);
}

// Bitwise equality of two float32 tensors.
bool same_bits(const Tensor& a, const Tensor& b) {
  return a.sizes() == b.sizes() &&
         std::memcmp(a.data_ptr<float>(), b.data_ptr<float>(), a.numel() * sizeof(float)) == 0;
}

TEST(ThreadCount, ReductionsProductsAndElementwiseKernelsGiveTheSameBitsAtAnyCount) {
  manual_seed(3);
  const Tensor x = randn({1 << 20});  // large enough to be split across threads
  const Tensor m = randn({300, 1000});
  const Tensor x64 = randn({64, 784}), w = randn({128, 784}), g = randn({64, 128});
  const Tensor pool_grad = randn({640, 144}), pool_index = (rand({640, 144}) * 576).to(kInt64);
  const Tensor image = randn({64, 10, 12, 12}), kernel = randn({20, 10, 5, 5});
  const Tensor conv_grad = randn({64, 20, 8, 8});
  std::vector<Tensor> results[2];
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    // A convolution's output and input gradient (its weight gradient runs on all threads always).
    Tensor input = image.clone().requires_grad_();
    (conv2d(input, kernel) * conv_grad).sum().backward();
    results[threads - 1] = {conv2d(image, kernel),
                            input.grad(),
                            x.sum(),
                            m.sum(0),
                            m.sum(1),
                            (x * 3 + 1).exp(),
                            m.softmax(1),
                            matmul(x64, w.t()),  // mnist_mlp's products
                            matmul(g.t(), x64),
                            zeros({640, 576}).scatter_add(1, pool_index, pool_grad)};
  }
  for (size_t i = 0; i < results[0].size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(same_bits(results[0][i].contiguous(), results[1][i].contiguous()));
  }
  // The one-output sum folds the same leaves in the same order as a single thread does.
  EXPECT_NEAR(results[0][2].item<float>(), x.to(kFloat64).sum().item<double>(), 1e-2);
  set_num_threads(2);
}

}  // namespace
}  // namespace nabla

// A first check that the build links and a tensor computes.
#include "test_helpers.h"

namespace nabla {
namespace {

TEST(Smoke, AddsTwoVectors) {
  testing::expect_tensor<float>(tensor({1.0, 2.0}) + tensor({3.0, 4.5}), {2}, {4.0f, 6.5f});
}

}  // namespace
}  // namespace nabla

// nabla::distributed in a program that never joins a process group: a world of one whose
// collectives say what is missing. (The collectives themselves run under mpirun:
// tests/distributed.)
#include "test_helpers.h"

#include <nabla/distributed/distributed.h>

namespace nabla {
namespace {

TEST(DistributedWithoutInit, IsAWorldOfOneWhoseCollectivesSayWhatIsMissing) {
  EXPECT_FALSE(distributed::is_initialized());
  EXPECT_EQ(distributed::rank(), 0);
  EXPECT_EQ(distributed::world_size(), 1);
  EXPECT_EQ(distributed::local_rank(), 0);
  Tensor t = ones({2});
  const char* missing = distributed::available() ? "distributed::init() first" : "without MPI";
  testing::expect_error([&] { distributed::all_reduce(t); }, {"distributed::all_reduce", missing});
  testing::expect_error([&] { distributed::barrier(); }, {"distributed::barrier", missing});
  if (!distributed::available()) {
    testing::expect_error([] { distributed::init(); },
                          {"distributed::init", "libopenmpi-dev", "openmpi-bin"});
  }
  // The tensor is untouched.
  testing::expect_tensor<float>(t, {2}, {1.0f, 1.0f});
}

}  // namespace
}  // namespace nabla

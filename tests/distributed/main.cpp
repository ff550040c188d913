// The distributed tests run as several processes under mpirun (see tests/CMakeLists.txt): each
// joins the process group before GoogleTest runs, and every rank runs every test, so that each
// collective is matched on all ranks.
#include <gtest/gtest.h>

#include <nabla/distributed/distributed.h>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  nabla::distributed::init();
  return RUN_ALL_TESTS();
}

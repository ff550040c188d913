// The process group of a build without MPI: one process, a world of one; init() and the
// collectives say how to get MPI.
#include <nabla/core/error.h>
#include <nabla/distributed/distributed.h>

namespace nabla::distributed {
namespace {

[[noreturn]] void no_mpi(const char* what) {
  NABLA_FAIL("distributed::", what,
             ": nabla was built without MPI. Install it (apt-get install libopenmpi-dev "
             "openmpi-bin, which scripts/setup.sh does) and rebuild, or run in one process "
             "without distributed::init()");
}

}  // namespace

struct Work::State {};
Work::Work() = default;
Work::Work(std::shared_ptr<State> state) : state_(std::move(state)) {}
Work::Work(Work&&) noexcept = default;
Work& Work::operator=(Work&&) noexcept = default;
Work::~Work() = default;
void Work::wait() {}
bool Work::completed() {
  return true;
}
Work all_reduce_async(Tensor&, ReduceOp) {
  no_mpi("all_reduce_async");
}

bool available() {
  return false;
}
void init() {
  no_mpi("init");
}
bool is_initialized() {
  return false;
}
int rank() {
  return 0;
}
int world_size() {
  return 1;
}
int local_rank() {
  return 0;
}
void barrier() {
  no_mpi("barrier");
}
void all_reduce(Tensor&, ReduceOp) {
  no_mpi("all_reduce");
}
void broadcast(Tensor&, int) {
  no_mpi("broadcast");
}
Tensor all_gather(const Tensor&) {
  no_mpi("all_gather");
}
Tensor reduce_scatter(const Tensor&, ReduceOp) {
  no_mpi("reduce_scatter");
}

}  // namespace nabla::distributed

// Data-parallel training across processes: the process group and its collectives. Processes are
// started by an MPI launcher (mpirun, srun), one per CPU socket or GPU; init() joins them.
// Collectives on CPU tensors go through MPI. Every collective first checks that all ranks called
// it with the same kind of tensor (op, dtype, device and shape): a mismatch is a nabla::Error on
// every rank, naming each rank's tensor, never a hang or a silently wrong sum.
//
// This is its own library, nabla::distributed, so that programs that train in one process never
// load MPI. Built without MPI (NABLA_DISTRIBUTED=OFF, or AUTO where no MPI is installed), init()
// throws and everything else runs as one process of a world of one.
#pragma once

#include <memory>

#include <nabla/core/tensor.h>

namespace nabla::distributed {

enum class ReduceOp { Sum, Average, Max };

// Whether this build has an MPI process group.
bool available();

// Joins the process group of the MPI launcher that started this process: MPI_Init, unless the
// program already called it, and MPI_Finalize at exit. Calling it again does nothing.
void init();
bool is_initialized();

// This process's rank in [0, world_size()), the number of processes, and the rank among the
// processes on this machine (which GPU to use). Before init(): 0, 1 and 0.
int rank();
int world_size();
int local_rank();

// Waits until every rank has called it.
void barrier();

// `tensor` replaced, on every rank, by the elementwise sum, average or maximum over the ranks'
// tensors. Average needs a floating point tensor.
void all_reduce(Tensor& tensor, ReduceOp op = ReduceOp::Sum);
// `tensor` replaced by rank `root`'s on every rank.
void broadcast(Tensor& tensor, int root = 0);
// A collective in flight, from all_reduce_async. wait() blocks until it has completed (the tensor
// then holds the result) and throws what it failed with; destroying the handle waits too, since
// MPI is still writing into the tensor until then.
class Work {
 public:
  struct State;
  Work();
  explicit Work(std::shared_ptr<State> state);
  Work(Work&&) noexcept;
  Work& operator=(Work&&) noexcept;
  ~Work();
  void wait();
  // Whether it has completed, without blocking; asking also lets MPI move it along.
  bool completed();

 private:
  std::shared_ptr<State> state_;
};

// all_reduce of a contiguous CPU tensor that returns at once: the sum travels, on a communication
// thread, while the caller computes (DistributedDataParallel sends a bucket of gradients while
// backward goes on). Collectives started this way run in the order they were started, which must
// be the same on every rank. Unlike the blocking collectives it does not first check that the
// ranks agree, which would wait for all of them; DistributedDataParallel checks the model's
// shapes once, when it is built.
Work all_reduce_async(Tensor& tensor, ReduceOp op = ReduceOp::Sum);

// Every rank's `tensor`, stacked in rank order: [world_size(), ...tensor's shape].
Tensor all_gather(const Tensor& tensor);
// `input` ([world_size() * n, ...]) reduced elementwise over the ranks, and split along dim 0:
// rank r gets rows [r * n, (r + 1) * n) of the result.
Tensor reduce_scatter(const Tensor& input, ReduceOp op = ReduceOp::Sum);

}  // namespace nabla::distributed

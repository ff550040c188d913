// The thread count the CPU kernels run with (see core/threads.h for the policy), and a guard that
// hands it to oneDNN, which reads OpenMP's setting when it is called.
#pragma once

#include <omp.h>

namespace nabla::cpu {

// Threads for a large kernel now: the fixed count, or the CPUs that other processes leave free.
int usable_threads();
// The fixed count, or every CPU: for kernels whose results depend on the thread count (oneDNN's
// convolution weight gradient sums per-thread partials), so that the machine's load cannot
// change their bits.
int all_threads();

// Threads to run on `cpus` CPUs of which other processes keep `others_busy` busy (in CPUs, e.g.
// 1.0 for one busy loop): the CPUs left, rounded down unless at least 0.7 of the last one is
// free, and at least 1. A thread on a core that is mostly taken costs every loop it is part of
// more than it adds.
int threads_for_load(int cpus, double others_busy);

// Sets OpenMP's thread count for the calling thread while in scope.
class OmpThreadsGuard {
 public:
  explicit OmpThreadsGuard(int threads) : saved_(omp_get_max_threads()) {
    omp_set_num_threads(threads);
  }
  ~OmpThreadsGuard() { omp_set_num_threads(saved_); }
  OmpThreadsGuard(const OmpThreadsGuard&) = delete;
  OmpThreadsGuard& operator=(const OmpThreadsGuard&) = delete;

 private:
  int saved_;
};

}  // namespace nabla::cpu

// How many threads the CPU kernels use, with libtorch's names. By default nabla follows the
// machine: it uses every CPU it may run on (its affinity mask, or OMP_NUM_THREADS when that is
// set), minus those that other processes keep busy, measured from /proc/stat every few tenths of
// a second. A training step is a chain of short parallel loops, each ending when its slowest
// thread does; a thread that shares its core with another process waits for its time slice, and
// every loop waits with it (a busy loop on one of two cores made training 4x slower). With
// OMP_NUM_THREADS set, or after set_num_threads(), the count is fixed. Either way the load never
// changes a result: kernels give the same bits at any thread count, and the one that would not
// (oneDNN's convolution weight gradient) always runs on all threads (see cpu::all_threads).
#pragma once

namespace nabla {

// Fixes the number of threads the CPU kernels use (n >= 1), as torch::set_num_threads does.
void set_num_threads(int n);
// The number of threads a large CPU kernel would use now.
int get_num_threads();

}  // namespace nabla

// The thread count of the CPU kernels. Unless it is fixed, it follows the load on the CPUs this
// process may run on: every kRefreshNanoseconds, the CPU time those CPUs spent busy (from
// /proc/stat) minus this process's own CPU time gives how many of them other processes keep
// busy, and threads_for_load() turns that into a count. Until the first interval is measured,
// every CPU is used. The check on the hot path is one coarse clock read; the refresh, a few tens
// of microseconds, runs on whichever thread finds it due.
#include <nabla/core/cpu/threads.h>

#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <nabla/core/error.h>
#include <nabla/core/threads.h>

namespace nabla {
namespace cpu {
namespace {

constexpr int64_t kRefreshNanoseconds = 250'000'000;
// The first measurement comes sooner: a training epoch of a small model can be over in 300 ms.
// Not much sooner: /proc/stat counts in ticks of 10 ms, so a short interval misjudges the load.
constexpr int64_t kFirstRefreshNanoseconds = 100'000'000;

int64_t nanoseconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// What the load estimate is computed from: busy time of our CPUs and our own CPU time, both in
// seconds, at a wall-clock time in nanoseconds.
struct LoadSample {
  double busy_seconds = 0;
  double own_seconds = 0;
  int64_t wall = 0;
};

// The CPUs in this process's affinity mask (all of /proc/stat's when the mask cannot be read).
std::vector<int> allowed_cpus() {
  std::vector<int> cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
    }
  }
  return cpus;
}

// Sums the busy time (user, nice, system, irq, softirq, steal; guest time is part of user) of
// `cpus` from /proc/stat. False when the file is missing or not in the expected form.
bool read_busy_seconds(const std::vector<int>& cpus, double& seconds) {
  std::ifstream file("/proc/stat");
  if (!file) return false;
  static const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  uint64_t busy_ticks = 0;
  size_t found = 0;
  std::string line;
  while (std::getline(file, line)) {
    if (line.compare(0, 3, "cpu") != 0 || line.size() < 4 || line[3] < '0' || line[3] > '9') {
      continue;
    }
    std::istringstream fields(line.substr(3));
    int cpu = -1;
    uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    fields >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
    if (!fields || !std::binary_search(cpus.begin(), cpus.end(), cpu)) continue;
    busy_ticks += user + nice + system + irq + softirq + steal;
    ++found;
  }
  if (found != cpus.size() || ticks_per_second <= 0) return false;
  seconds = static_cast<double>(busy_ticks) / ticks_per_second;
  return true;
}

class ThreadPolicy {
 public:
  ThreadPolicy() : cpus_(allowed_cpus()) {
    most_ = std::max(1, omp_get_max_threads());
    const char* env = std::getenv("OMP_NUM_THREADS");
    if (env != nullptr && *env != '\0') fixed_ = most_;
    current_ = most_;
    if (cpus_.empty()) measurable_ = false;
  }

  int threads() {
    const int fixed = fixed_.load(std::memory_order_relaxed);
    if (fixed > 0) return fixed;
    if (measurable_.load(std::memory_order_relaxed) &&
        nanoseconds(CLOCK_MONOTONIC_COARSE) >= next_refresh_.load(std::memory_order_relaxed)) {
      refresh();
    }
    return current_.load(std::memory_order_relaxed);
  }

  int all_threads() const {
    const int fixed = fixed_.load(std::memory_order_relaxed);
    return fixed > 0 ? fixed : most_;
  }

  void fix(int n) { fixed_.store(n, std::memory_order_relaxed); }

 private:
  void refresh() {
    std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock()) return;  // another thread is refreshing; use the current count
    next_refresh_.store(nanoseconds(CLOCK_MONOTONIC_COARSE) +
                            (have_last_ ? kRefreshNanoseconds : kFirstRefreshNanoseconds),
                        std::memory_order_relaxed);
    LoadSample now;
    if (!read_busy_seconds(cpus_, now.busy_seconds)) {
      measurable_.store(false, std::memory_order_relaxed);
      current_.store(most_, std::memory_order_relaxed);
      return;
    }
    now.own_seconds = static_cast<double>(nanoseconds(CLOCK_PROCESS_CPUTIME_ID)) * 1e-9;
    now.wall = nanoseconds(CLOCK_MONOTONIC);
    if (have_last_) {
      const int cpus = static_cast<int>(cpus_.size());
      const double wall = static_cast<double>(now.wall - last_.wall) * 1e-9;
      const double others =
          ((now.busy_seconds - last_.busy_seconds) - (now.own_seconds - last_.own_seconds)) / wall;
      current_.store(std::min(most_, threads_for_load(cpus, std::max(0.0, others))),
                     std::memory_order_relaxed);
    }
    last_ = now;
    have_last_ = true;
  }

  const std::vector<int> cpus_;  // sorted, as sched_getaffinity's mask lists them
  int most_ = 1;                 // OpenMP's thread count when nabla first ran a kernel
  std::atomic<int> fixed_{0};    // 0: follow the load
  std::atomic<int> current_{1};
  std::atomic<bool> measurable_{true};
  std::atomic<int64_t> next_refresh_{0};
  std::mutex mutex_;
  LoadSample last_;  // guarded by mutex_
  bool have_last_ = false;
};

ThreadPolicy& policy() {
  static ThreadPolicy* instance = new ThreadPolicy();  // never destroyed: kernels may run at exit
  return *instance;
}

}  // namespace

int threads_for_load(int cpus, double others_busy) {
  const double free_cpus = static_cast<double>(cpus) - others_busy;
  return std::clamp(static_cast<int>(std::floor(free_cpus + 0.3)), 1, std::max(cpus, 1));
}

int usable_threads() {
  return policy().threads();
}

int all_threads() {
  return policy().all_threads();
}

}  // namespace cpu

void set_num_threads(int n) {
  NABLA_CHECK(n >= 1, "set_num_threads: expected at least 1 thread, got ", n);
  cpu::policy().fix(n);
}

int get_num_threads() {
  return cpu::usable_threads();
}

}  // namespace nabla

// What the nabla and libtorch twins of bench/compare_libtorch share, in plain C++17 so that neither
// side depends on the other framework: the trainers' flags, an MNIST IDX reader, peak memory, the
// JSON result lines, and the repeat-and-take-the-median timer of the overhead programs. Keeping
// this outside both frameworks means both read the same bytes and report in the same format, so
// any difference in the results comes from the frameworks themselves.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace compare {

// ---- Flags -------------------------------------------------------------------------------------

struct Flags {
  std::string program;  // as messages name it: "train_nabla" or "train_libtorch"
  std::string model;    // mlp, cnn or pytorch-cnn (no default: a benchmark says what it runs)
  int64_t batch_size = 64;
  int64_t epochs = 1;
  uint64_t seed = 1;
  std::string data = "data/mnist";
  int64_t train_limit = 0;  // train on the first N images (0: all)
};

inline const char* const kModels[] = {"mlp", "cnn", "pytorch-cnn"};

inline void print_usage(std::ostream& out, const std::string& program) {
  out << "usage: " << program
      << " --model mlp|cnn|pytorch-cnn [--batch-size N] [--epochs N] [--seed N]\n"
      << "       [--data DIR] [--train-limit N]\n"
      << "Trains the model on MNIST from DIR (default data/mnist; --batch-size 64, --epochs 1,\n"
      << "--seed 1, --train-limit 0: all images) and prints one JSON line with the results.\n";
}

// A benchmark whose flags were mistyped must not run with something else and publish the figures,
// so every problem ends the program with status 2 before anything is read or trained.
[[noreturn]] inline void usage_error(const std::string& program, const std::string& problem) {
  std::cerr << program << ": " << problem << "\n";
  print_usage(std::cerr, program);
  std::exit(2);
}

// `value` as a T: the whole string must be one number (std::from_chars takes no sign on unsigned
// types, no leading space, no trailing junk) that fits T and is at least `minimum`.
template <typename T>
T parse_number(const std::string& program, const std::string& name, const std::string& value,
               T minimum) {
  T result{};
  const char* const last = value.data() + value.size();
  const auto [end, error] = std::from_chars(value.data(), last, result);
  if (value.empty() || error != std::errc() || end != last || result < minimum) {
    const std::string expected = minimum == 0
                                     ? "a whole number, not negative"
                                     : "a whole number of at least " + std::to_string(minimum);
    usage_error(program, "invalid value '" + value + "' for " + name + ": expected " + expected);
  }
  return result;
}

inline Flags parse_flags(const std::string& program, int argc, char** argv) {
  Flags flags;
  flags.program = program;
  for (int i = 1; i < argc; ++i) {
    const std::string name = argv[i];
    if (name == "--help" || name == "-h") {
      print_usage(std::cout, program);
      std::exit(0);
    }
    if (name != "--model" && name != "--batch-size" && name != "--epochs" && name != "--seed" &&
        name != "--data" && name != "--train-limit") {
      usage_error(program, "unknown flag " + name);
    }
    if (i + 1 >= argc) usage_error(program, "missing value after " + name);
    const std::string value = argv[++i];
    if (name == "--model") {
      flags.model = value;
    } else if (name == "--batch-size") {
      flags.batch_size = parse_number<int64_t>(program, name, value, 1);
    } else if (name == "--epochs") {
      flags.epochs = parse_number<int64_t>(program, name, value, 1);
    } else if (name == "--seed") {
      flags.seed = parse_number<uint64_t>(program, name, value, 0);
    } else if (name == "--data") {
      flags.data = value;
    } else {
      flags.train_limit = parse_number<int64_t>(program, name, value, 0);
    }
  }
  if (flags.model.empty()) usage_error(program, "--model is required");
  if (std::find(std::begin(kModels), std::end(kModels), flags.model) == std::end(kModels)) {
    usage_error(program, "unknown model '" + flags.model + "': --model must be mlp, cnn or " +
                             "pytorch-cnn");
  }
  return flags;
}

// The number of training images after --train-limit. Batches that do not fill --batch-size are
// dropped, so a run needs at least one full batch; fewer images would train nothing and time
// nothing, which is a mistake in the command line (status 2).
inline int64_t training_count(const Flags& flags, int64_t available) {
  const int64_t count = flags.train_limit > 0 ? std::min(flags.train_limit, available) : available;
  if (count < flags.batch_size) {
    usage_error(flags.program, std::to_string(count) +
                                   " training images do not make one batch of --batch-size " +
                                   std::to_string(flags.batch_size));
  }
  return count;
}

// ---- MNIST -------------------------------------------------------------------------------------

// One split of MNIST as its files hold it: images row after row (count x rows x cols bytes, pixel
// values 0 to 255) and one byte per label (a class 0 to 9).
struct MnistBytes {
  std::vector<uint8_t> images;
  std::vector<uint8_t> labels;
  int64_t count = 0;
  int64_t rows = 0;
  int64_t cols = 0;
};

// A file that is not what the benchmark expects ends the program (status 1) naming it, before any
// training: a truncated download would otherwise show up as a strange accuracy, or not at all.
[[noreturn]] inline void bad_file(const std::string& program, const std::string& path,
                                  const std::string& problem) {
  std::cerr << program << ": " << path << ": " << problem << "\n";
  std::exit(1);
}

// An IDX file opened for reading, with its size, its header's words, and its data read straight
// into the vector the split keeps (no second copy of the 47 MB of training images, which would
// count in the peak memory both programs report).
class IdxFile {
 public:
  IdxFile(const std::string& program, std::string path)
      : program_(program), path_(std::move(path)), file_(path_, std::ios::binary | std::ios::ate) {
    if (!file_) fail("cannot open it (scripts/fetch_mnist.sh fetches MNIST)");
    const std::streamoff size = file_.tellg();
    if (size < 0) fail("cannot read it");  // a directory opens, but has no size
    size_ = static_cast<uint64_t>(size);
    file_.seekg(0);
  }

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }

  // The header: `words` big-endian 32-bit words (IDX's magic number, then one per dim).
  std::vector<uint32_t> header(size_t words) {
    if (size_ < 4 * words)
      fail("too short for an IDX header of " + std::to_string(words) + " words");
    std::vector<uint32_t> result(words);
    for (uint32_t& word : result) {
      uint8_t bytes[4];
      read(bytes, 4);
      word = uint32_t{bytes[0]} << 24 | uint32_t{bytes[1]} << 16 | uint32_t{bytes[2]} << 8 |
             uint32_t{bytes[3]};
    }
    return result;
  }

  // The rest of the file, which must be exactly `count` bytes.
  std::vector<uint8_t> data(uint64_t count, const std::string& what) {
    const uint64_t expected = static_cast<uint64_t>(file_.tellg()) + count;
    if (size_ != expected) {
      fail(std::to_string(size_) + " bytes, but its header promises " + std::to_string(expected) +
           " (" + what + ")");
    }
    std::vector<uint8_t> bytes(count);
    read(bytes.data(), count);
    return bytes;
  }

  [[noreturn]] void fail(const std::string& problem) const { bad_file(program_, path_, problem); }

 private:
  void read(uint8_t* destination, uint64_t count) {
    if (!file_.read(reinterpret_cast<char*>(destination), static_cast<std::streamsize>(count))) {
      fail("read failed");
    }
  }

  std::string program_;
  std::string path_;
  std::ifstream file_;
  uint64_t size_ = 0;
};

// Reads train-images-idx3-ubyte and train-labels-idx1-ubyte (train) or the t10k- pair from
// `directory`, checking each file's magic number (0x803: unsigned bytes in 3 dims; 0x801: in 1),
// that the images are 28x28 (all three models are built for that size), that each file's size is
// exactly its header plus its data, that the two files count the same images, and that every label
// is a class 0 to 9.
inline MnistBytes read_mnist(const std::string& program, const std::string& directory, bool train) {
  const std::string prefix = directory + "/" + (train ? "train" : "t10k");
  MnistBytes split;

  IdxFile images(program, prefix + "-images-idx3-ubyte");
  const std::vector<uint32_t> image_header = images.header(4);
  if (image_header[0] != 0x803) {
    images.fail("not an IDX file of unsigned bytes in 3 dims (magic 0x803)");
  }
  split.count = image_header[1];
  split.rows = image_header[2];
  split.cols = image_header[3];
  if (split.rows != 28 || split.cols != 28) {
    images.fail("its images are " + std::to_string(split.rows) + "x" + std::to_string(split.cols) +
                ", the models take 28x28");
  }
  if (split.count == 0) images.fail("it holds no images");
  split.images = images.data(static_cast<uint64_t>(split.count) * 28 * 28,
                             std::to_string(split.count) + " images of 28x28");

  IdxFile labels(program, prefix + "-labels-idx1-ubyte");
  const std::vector<uint32_t> label_header = labels.header(2);
  if (label_header[0] != 0x801) {
    labels.fail("not an IDX file of unsigned bytes in 1 dim (magic 0x801)");
  }
  if (label_header[1] != split.count) {
    labels.fail(std::to_string(label_header[1]) + " labels for the " + std::to_string(split.count) +
                " images of " + images.path());
  }
  split.labels = labels.data(label_header[1], std::to_string(label_header[1]) + " labels");
  for (size_t i = 0; i < split.labels.size(); ++i) {
    if (split.labels[i] > 9) {
      labels.fail("label " + std::to_string(i) + " is " + std::to_string(split.labels[i]) +
                  ", not a class 0 to 9");
    }
  }
  return split;
}

// ---- Results -----------------------------------------------------------------------------------

// The process's peak resident memory so far, in MB (Linux reports ru_maxrss in KiB).
inline double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// A JSON string. The values are names and version strings, but a quote or backslash in one must
// still not break the line the driver parses.
inline std::string json_string(const std::string& text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;  // no control characters in our values
    quoted += c;
  }
  return quoted + "\"";
}

// A JSON number; NaN and infinity (a diverged loss) have no JSON spelling, so they become null.
inline std::string json_number(double value) {
  if (!std::isfinite(value)) return "null";
  char text[32];
  std::snprintf(text, sizeof(text), "%.6g", value);
  return text;
}

struct TrainingResult {
  std::string framework;  // "nabla" or "libtorch"
  std::string version;
  std::string model;
  int64_t batch_size = 0;
  int64_t epochs = 0;
  int threads = 0;                // the CPU threads the framework's kernels may use
  double train_seconds = 0;       // the training loop, all epochs; no file reading, no testing
  double samples_per_second = 0;  // training samples stepped through per second
  double test_accuracy = 0;       // percent of the test images classified correctly
  double peak_rss_mb = 0;         // the process's peak, after testing
  double final_loss = 0;          // the mean training loss of the last epoch
  std::string extra;              // more JSON members, each starting with a comma, or nothing
};

inline void print_result(const TrainingResult& result) {
  std::cout << "{\"framework\":" << json_string(result.framework)
            << ",\"version\":" << json_string(result.version)
            << ",\"model\":" << json_string(result.model) << ",\"batch_size\":" << result.batch_size
            << ",\"epochs\":" << result.epochs << ",\"threads\":" << result.threads
            << ",\"train_seconds\":" << json_number(result.train_seconds)
            << ",\"samples_per_second\":" << json_number(result.samples_per_second)
            << ",\"test_accuracy\":" << json_number(result.test_accuracy)
            << ",\"peak_rss_mb\":" << json_number(result.peak_rss_mb)
            << ",\"final_loss\":" << json_number(result.final_loss) << result.extra << "}"
            << std::endl;
}

// ---- Host overhead -----------------------------------------------------------------------------

// The time of one call of `body` in nanoseconds: the median of 15 repetitions, each running it
// often enough to last about 50 ms, so that the clock's resolution does not matter and a
// repetition that the busy machine interrupted does not move the result. The calibration runs
// first also warm up the caches and the frameworks' allocators.
template <typename Body>
double median_ns_per_call(Body&& body) {
  using Clock = std::chrono::steady_clock;
  constexpr double kRepetitionSeconds = 0.05;
  constexpr int kRepetitions = 15;
  auto seconds_for = [&](int64_t calls) {
    const Clock::time_point start = Clock::now();
    for (int64_t i = 0; i < calls; ++i) body();
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  // Doubles the count until a run is long enough to extrapolate from (a tenth of a repetition).
  int64_t calls = 1;
  double seconds = seconds_for(calls);
  while (seconds < kRepetitionSeconds / 10) {
    calls *= 2;
    seconds = seconds_for(calls);
  }
  calls = std::max<int64_t>(1, static_cast<int64_t>(calls * kRepetitionSeconds / seconds));
  std::vector<double> per_call(kRepetitions);
  for (double& ns : per_call) ns = seconds_for(calls) * 1e9 / static_cast<double>(calls);
  std::nth_element(per_call.begin(), per_call.begin() + kRepetitions / 2, per_call.end());
  return per_call[kRepetitions / 2];
}

inline void print_overhead(const std::string& framework, double mul_ns, double mul_autograd_ns,
                           double chain_op_ns) {
  std::cout << "{\"framework\":" << json_string(framework) << ",\"mul_ns\":" << json_number(mul_ns)
            << ",\"mul_autograd_ns\":" << json_number(mul_autograd_ns)
            << ",\"chain_op_ns\":" << json_number(chain_op_ns) << "}" << std::endl;
}

}  // namespace compare

// A main for a fuzz target without libFuzzer, so that any compiler builds it: it feeds the target
// each input of the given files and returns 0 when all pass; a failing input aborts, crashes or
// lets an exception escape, as under the fuzzer. The files are text, as tests/fuzz/regressions
// keeps them: lines starting with '#' are comments, the rest are the input's bytes in hex.
// Usage: TARGET_replay FILE.hex...
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

bool read_hex_file(const char* path, std::vector<uint8_t>& bytes) {
  std::ifstream in(path);
  if (!in) return false;
  std::string digits;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] == '#') continue;
    for (const char c : line) {
      if (std::isxdigit(static_cast<unsigned char>(c))) {
        digits += c;
      } else if (!std::isspace(static_cast<unsigned char>(c))) {
        return false;
      }
    }
  }
  if (digits.size() % 2 != 0) return false;
  for (size_t i = 0; i < digits.size(); i += 2) {
    bytes.push_back(static_cast<uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::vector<uint8_t> bytes;
    if (!read_hex_file(argv[i], bytes)) {
      std::cerr << argv[i] << ": not a readable hex file\n";
      return 2;
    }
    std::cout << "replaying " << argv[i] << " (" << bytes.size() << " bytes)" << std::endl;
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  }
  return 0;
}

// Writes the seed corpus of each fuzz target: valid inputs, made by nabla's own writers where it
// has them, and each one slightly broken in the ways a real file breaks (truncated, a wrong field,
// one flipped byte). libFuzzer starts from these instead of from nothing, so that a 60-second run
// spends its time past the first header check. The seeds are generated, never stored: the
// repository holds no binary blobs.
// Usage: make_corpus DIR  (writes DIR/fuzz_idx/, DIR/fuzz_json/, ...)
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nabla/nabla.h>

#include "fuzz_models.h"

namespace {

namespace fs = std::filesystem;
using nabla::Tensor;
using Bytes = std::string;

Bytes read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("make_corpus: cannot write " + path.string());
}

// Writes `valid` as NAME and its broken variants: cut short, cut in the middle, one byte flipped
// in the middle, and a trailing byte.
void write_with_variants(const fs::path& dir, const std::string& name, const Bytes& valid) {
  write_file(dir / name, valid);
  if (valid.size() > 1) {
    write_file(dir / (name + ".truncated"), valid.substr(0, valid.size() - 1));
    write_file(dir / (name + ".half"), valid.substr(0, valid.size() / 2));
    Bytes flipped = valid;
    flipped[valid.size() / 2] = static_cast<char>(flipped[valid.size() / 2] ^ 0x5A);
    write_file(dir / (name + ".flipped"), flipped);
  }
  write_file(dir / (name + ".trailing"), valid + '\0');
}

// --- IDX ---------------------------------------------------------------------------------------

Bytes idx_file(uint8_t type, const std::vector<uint32_t>& dims) {
  Bytes bytes{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  size_t count = 1;
  for (const uint32_t dim : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>(dim >> shift & 0xFF);
    count *= dim;
  }
  for (size_t i = 0; i < count; ++i) bytes += static_cast<char>(i * 37 % 256);
  return bytes;
}

void write_idx_seeds(const fs::path& dir) {
  write_with_variants(dir, "labels.idx1", idx_file(0x08, {10}));
  write_with_variants(dir, "images.idx3", idx_file(0x08, {3, 4, 5}));
  write_file(dir / "four_dims.idx4", idx_file(0x08, {2, 1, 3, 2}));
  write_file(dir / "float32_type.idx1", idx_file(0x0D, {4}));
  write_file(dir / "zero_dim.idx2", idx_file(0x08, {0, 3}));
  write_file(dir / "five_dims.idx5", idx_file(0x08, {1, 1, 1, 1, 1}));
  Bytes huge = idx_file(0x08, {});
  huge[3] = 3;
  huge += Bytes(12, '\xFF');
  write_file(dir / "huge_dims.idx3", huge);
  write_file(dir / "gzip_magic", Bytes("\x1F\x8B\x08\x00", 4));
}

// --- JSON --------------------------------------------------------------------------------------

void write_json_seeds(const fs::path& dir, const std::vector<std::pair<std::string, Bytes>>& more) {
  const std::vector<std::pair<std::string, Bytes>> documents = {
      {"empty_object", "{}"},
      {"tensor_entry", R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})"},
      {"metadata", R"({"__metadata__":{"format":"pt","note":"a \"quoted\" \\ value"}})"},
      {"literals", R"([true,false,null,0,-0,1.5e-3,-2E+10,123456789012345678901234567890])"},
      {"escapes", R"(["\b\f\n\r\t\/\\\"","\u0041\u00e9\u4e2d\ud83d\ude00","\u0000"])"},
      {"utf8", "[\"h\xC3\xA9llo \xE4\xB8\xAD \xF0\x9F\x98\x80\"]"},
      {"whitespace", " \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } } \n"},
      {"nested", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"},
      {"too_deep", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"},
      {"trailing_comma", "[1,2,]"},
      {"duplicate_key", R"({"a":1,"a":2})"},
      {"lone_high_surrogate", R"(["\ud83d"])"},
      {"lone_low_surrogate", R"(["\ude00x"])"},
      {"bad_escape", R"(["\x41"])"},
      {"control_character", "[\"a\x01\"]"},
      {"leading_zero", "[01]"},
      {"bare_minus", "[-]"},
      {"nan", "[NaN]"},
      {"unterminated", R"({"a":"b)"},
      {"overlong_utf8", "[\"\xC0\xAF\"]"},
  };
  for (const auto& [name, text] : documents) write_file(dir / (name + ".json"), text);
  for (const auto& [name, text] : more) write_file(dir / (name + ".json"), text);
}

// --- safetensors -------------------------------------------------------------------------------

// The JSON header of a safetensors file.
Bytes header_of(const Bytes& file) {
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = length << 8 | static_cast<uint8_t>(file[i]);
  return file.substr(8, length);
}

// `file` with its header's first `from` replaced by `to` (the header length adjusted).
Bytes with_header_edit(const Bytes& file, const std::string& from, const std::string& to) {
  Bytes header = header_of(file);
  const size_t at = header.find(from);
  if (at == Bytes::npos) throw std::runtime_error("make_corpus: no \"" + from + "\" in " + header);
  header.replace(at, from.size(), to);
  Bytes out;
  for (int i = 0; i < 8; ++i) out += static_cast<char>(uint64_t{header.size()} >> (8 * i) & 0xFF);
  return out + header + file.substr(8 + header_of(file).size());
}

Bytes saved(const std::vector<std::pair<std::string, Tensor>>& tensors, const fs::path& scratch,
            const std::map<std::string, std::string>& metadata = {}) {
  nabla::nn::save_safetensors(tensors, scratch.string(), metadata);
  return read_file(scratch);
}

void write_module_seeds(const fs::path& dir, const fs::path& scratch) {
  nabla::nn::Sequential model = nabla::fuzz::checkpoint_model();
  nabla::nn::save(model, scratch.string());
  const Bytes valid = read_file(scratch);
  write_with_variants(dir, "model.safetensors", valid);

  std::vector<std::pair<std::string, Tensor>> tensors = model->named_parameters();
  for (const auto& buffer : model->named_buffers()) tensors.push_back(buffer);
  write_file(dir / "with_metadata.safetensors",
             saved(tensors, scratch, {{"format", "pt"}, {"epoch", "3"}}));
  write_file(dir / "missing_entry.safetensors",
             saved({tensors.begin() + 1, tensors.end()}, scratch));
  auto extra = tensors;
  extra.emplace_back("2.weight", nabla::tensor({true, false}));
  write_file(dir / "unexpected_bool_entry.safetensors", saved(extra, scratch));
  auto wrong_dtype = tensors;
  wrong_dtype[0].second = wrong_dtype[0].second.to(nabla::kFloat64);
  write_file(dir / "wrong_dtype.safetensors", saved(wrong_dtype, scratch));
  auto wrong_shape = tensors;
  wrong_shape[0].second = wrong_shape[0].second.reshape({3, 2});
  write_file(dir / "wrong_shape.safetensors", saved(wrong_shape, scratch));

  write_file(dir / "unknown_dtype.safetensors", with_header_edit(valid, "\"F32\"", "\"F16\""));
  write_file(dir / "offsets_overlap.safetensors",
             with_header_edit(valid, "\"data_offsets\":[0,", "\"data_offsets\":[4,"));
  write_file(dir / "extra_field.safetensors",
             with_header_edit(valid, "\"dtype\"", "\"x\":1,\"dtype\""));
  write_file(dir / "huge_shape.safetensors",
             with_header_edit(valid, "\"shape\":[2,3]", "\"shape\":[4294967296,4294967296]"));
  Bytes long_header = valid;
  long_header[7] = '\x7F';
  write_file(dir / "header_length_too_large.safetensors", long_header);
}

void write_optimizer_seeds(const fs::path& dir, const fs::path& scratch) {
  nabla::nn::Sequential model = nabla::fuzz::checkpoint_model();
  auto optimizer = nabla::fuzz::checkpoint_optimizer(model);
  nabla::nn::save(*optimizer, scratch.string());
  write_file(dir / "before_any_step.safetensors", read_file(scratch));
  optimizer->step();
  optimizer->step();
  nabla::nn::save(*optimizer, scratch.string());
  const Bytes valid = read_file(scratch);
  write_with_variants(dir, "after_two_steps.safetensors", valid);

  const auto state = optimizer->named_state();
  auto negative_step = state;
  for (auto& [name, tensor] : negative_step) {
    if (name == "state.0.step") tensor = nabla::scalar_tensor(-1, nabla::kInt64);
  }
  write_file(dir / "negative_step.safetensors", saved(negative_step, scratch));
  auto negative_lr = state;
  negative_lr[0].second = nabla::scalar_tensor(-0.5, nabla::kFloat64);
  write_file(dir / "negative_lr.safetensors", saved(negative_lr, scratch));
  auto amsgrad = state;
  amsgrad.emplace_back("state.0.max_exp_avg_sq", state[3].second);
  write_file(dir / "unexpected_key.safetensors", saved(amsgrad, scratch));
  write_file(dir / "missing_state.safetensors", saved({state.begin(), state.end() - 1}, scratch));
  write_file(dir / "index_out_of_range.safetensors",
             with_header_edit(valid, "\"state.0.step\"", "\"state.99.step\""));
  write_file(dir / "step_as_float.safetensors", with_header_edit(valid, "\"I64\"", "\"F64\""));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_corpus DIR\n";
    return 2;
  }
  const fs::path root = argv[1];
  const std::vector<std::string> targets = {"fuzz_idx", "fuzz_json", "fuzz_safetensors_module",
                                            "fuzz_safetensors_optimizer"};
  for (const std::string& target : targets) fs::create_directories(root / target);
  const fs::path scratch = root / "scratch.safetensors";

  write_idx_seeds(root / "fuzz_idx");
  write_module_seeds(root / "fuzz_safetensors_module", scratch);
  write_optimizer_seeds(root / "fuzz_safetensors_optimizer", scratch);
  // Real headers are the JSON the parser meets most: one of each kind of checkpoint.
  std::vector<std::pair<std::string, Bytes>> headers;
  for (const char* name : {"model.safetensors", "with_metadata.safetensors"}) {
    headers.emplace_back(std::string("header_") + name,
                         header_of(read_file(root / "fuzz_safetensors_module" / name)));
  }
  headers.emplace_back("header_optimizer", header_of(read_file(root / "fuzz_safetensors_optimizer" /
                                                               "after_two_steps.safetensors")));
  write_json_seeds(root / "fuzz_json", headers);
  fs::remove(scratch);

  for (const std::string& target : targets) {
    const auto count = std::distance(fs::directory_iterator(root / target), {});
    std::cout << "make_corpus: " << count << " seeds in " << (root / target).string() << "\n";
  }
  return 0;
}

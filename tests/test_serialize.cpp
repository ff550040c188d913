// Checkpoints: the safetensors writer byte for byte, round trips of every dtype, the reader on
// corrupt files the tests write, module and optimizer save/load, and the atomic write.
#include "temp_dir.h"
#include "test_helpers.h"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nabla/nn/serialize.h>

namespace nabla {
namespace {

namespace fs = std::filesystem;
using nabla::testing::expect_error;
using nabla::testing::expect_tensor;
using Named = std::vector<std::pair<std::string, Tensor>>;

using testing::TempDirTest;

class Safetensors : public TempDirTest {};
class Checkpoint : public TempDirTest {};

// A safetensors file from a header written by hand: the little-endian length (or `length`, to
// corrupt it), the header, then `data`.
std::string file_bytes(const std::string& header, const std::string& data,
                       uint64_t length = UINT64_MAX) {
  if (length == UINT64_MAX) length = header.size();
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes += static_cast<char>(length >> (8 * i));
  return bytes + header + data;
}

std::string zero_bytes(size_t count) {
  return std::string(count, '\0');
}

std::map<std::string, Tensor> by_name(const Named& tensors) {
  return std::map<std::string, Tensor>(tensors.begin(), tensors.end());
}

// --- the writer, byte for byte -------------------------------------------------------------------

TEST_F(Safetensors, WritesTheExactBytesOfTheFormat) {
  const std::string file = path("exact.safetensors");
  nn::save_safetensors(
      {{"a", tensor({{1.0f, 2.0f}, {3.0f, 4.0f}})}, {"b", tensor<int64_t>({-1, 0, 7})}}, file,
      {{"format", "pt"}});

  // 143 bytes of JSON and one space of padding make a 144-byte (0x90) header.
  std::string expected("\x90\0\0\0\0\0\0\0", 8);
  expected +=
      "{\"__metadata__\":{\"format\":\"pt\"},"
      "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
      "\"b\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[16,40]}} ";
  // 1.0f, 2.0f, 3.0f and 4.0f are 0x3F800000, 0x40000000, 0x40400000 and 0x40800000.
  expected += std::string("\0\0\x80\x3F\0\0\0\x40\0\0\x40\x40\0\0\x80\x40", 16);
  expected += std::string("\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 8);
  expected += std::string(8, '\0');
  expected += std::string("\x07\0\0\0\0\0\0\0", 8);
  ASSERT_EQ(expected.size(), 8u + 144u + 40u);
  EXPECT_EQ(read(file), expected);
}

TEST_F(Safetensors, WritesNoMetadataKeyWithoutMetadataAndPadsAnEmptyFile) {
  const std::string file = path("empty.safetensors");
  nn::save_safetensors({}, file);
  EXPECT_EQ(read(file), std::string("\x08\0\0\0\0\0\0\0{}      ", 16));
  std::map<std::string, std::string> metadata{{"stale", "entry"}};
  EXPECT_TRUE(nn::load_safetensors(file, metadata).empty());
  EXPECT_TRUE(metadata.empty());
}

TEST_F(Safetensors, EscapesNamesAndMetadataInTheJson) {
  const std::string file = path("escaped.safetensors");
  nn::save_safetensors({{"q\"b\\n\n", tensor({true})}}, file, {{"k", "tab\there"}});
  const std::string header =
      "{\"__metadata__\":{\"k\":\"tab\\u0009here\"},"
      "\"q\\\"b\\\\n\\u000a\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[0,1]}}";
  const std::string padded = header + std::string((8 - header.size() % 8) % 8, ' ');
  EXPECT_EQ(read(file), file_bytes(padded, std::string("\x01", 1)));
}

// --- round trips ---------------------------------------------------------------------------------

TEST_F(Safetensors, RoundTripsEveryDtypeAndLayoutInOrder) {
  const std::string file = path("all.safetensors");
  const Tensor transposed = arange(6, kFloat32).reshape({2, 3}).t();  // [3, 2], not contiguous
  ASSERT_FALSE(transposed.is_contiguous());
  const Tensor sliced = tensor({1.5, -2.25, 3.0, 1e300}, kFloat64).slice(0, 0, 4, 2);
  const std::map<std::string, std::string> metadata{
      {"format", "pt"}, {"quote\"and\\slash", "caf\xC3\xA9 \xF0\x9F\x99\x82"}, {"empty", ""}};
  nn::save_safetensors({{"transposed", transposed},
                        {"zero_dim", scalar_tensor(2.5, kFloat64)},
                        {"sliced", sliced},
                        {"longs", tensor<int64_t>({INT64_MIN, -1, INT64_MAX})},
                        {"bytes", tensor<uint8_t>({0, 7, 255})},
                        {"flags", tensor({true, false, true})},
                        {"no_elements", zeros({0, 3}, kInt64)}},
                       file, metadata);

  std::map<std::string, std::string> read_metadata;
  const Named loaded = nn::load_safetensors(file, read_metadata);
  EXPECT_EQ(read_metadata, metadata);
  ASSERT_EQ(loaded.size(), 7u);
  const std::vector<std::string> order{"transposed", "zero_dim", "sliced",     "longs",
                                       "bytes",      "flags",    "no_elements"};
  for (size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(loaded[i].first, order[i]);
    EXPECT_TRUE(loaded[i].second.is_cpu());
    EXPECT_TRUE(loaded[i].second.is_contiguous());
  }
  expect_tensor<float>(loaded[0].second, {3, 2}, {0, 3, 1, 4, 2, 5});
  expect_tensor<double>(loaded[1].second, {}, {2.5});
  expect_tensor<double>(loaded[2].second, {2}, {1.5, 3.0});
  expect_tensor<int64_t>(loaded[3].second, {3}, {INT64_MIN, -1, INT64_MAX});
  expect_tensor<uint8_t>(loaded[4].second, {3}, {0, 7, 255});
  expect_tensor<bool>(loaded[5].second, {3}, {true, false, true});
  expect_tensor<int64_t>(loaded[6].second, {0, 3}, {});
}

TEST_F(Safetensors, ReadsAnyValidJsonLayoutOfTheHeader) {
  // Whitespace, another field order, escapes and a surrogate pair, as other writers may produce.
  const std::string header =
      "{ \"w\\u00e9\\ud83d\\ude42\" : {\"data_offsets\": [0, 8], \"shape\": [2],\n"
      "  \"dtype\": \"F32\"}, \"__metadata__\": {\"a\\/b\": \"c\\b\\f\\n\\r\\t\\\"\\\\\"} }\t\r\n";
  const std::string data("\0\0\x80\x3F\0\0\0\xC0", 8);  // 1.0f, -2.0f
  const std::string file = write("layout.safetensors", file_bytes(header, data));
  std::map<std::string, std::string> metadata;
  const Named loaded = nn::load_safetensors(file, metadata);
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].first, "w\xC3\xA9\xF0\x9F\x99\x82");
  expect_tensor<float>(loaded[0].second, {2}, {1.0f, -2.0f});
  EXPECT_EQ(metadata, (std::map<std::string, std::string>{{"a/b", "c\b\f\n\r\t\"\\"}}));
}

TEST_F(Safetensors, SaveRejectsBadNamesAndUndefinedTensorsAndWritesNothing) {
  const std::string file = path("bad.safetensors");
  expect_error(
      [&] {
        nn::save_safetensors({{"x", ones({1})}, {"x", ones({2})}}, file);
      },
      {file.c_str(), "duplicate", "\"x\""});
  expect_error(
      [&] {
        nn::save_safetensors({{"__metadata__", ones({1})}}, file);
      },
      {file.c_str(), "reserved"});
  expect_error(
      [&] {
        nn::save_safetensors({{"u", Tensor()}}, file);
      },
      {file.c_str(), "\"u\"", "undefined"});
  expect_error(
      [&] {
        nn::save_safetensors({{"bad\xFF", ones({1})}}, file);
      },
      {file.c_str(), "UTF-8"});
  EXPECT_TRUE(listing().empty());
}

// --- corrupt files -------------------------------------------------------------------------------

TEST_F(Safetensors, RejectsTruncatedFilesAndBadHeaderLengths) {
  const std::string good = path("good.safetensors");
  nn::save_safetensors({{"x", tensor({1.0f, 2.0f, 3.0f})}}, good);
  const std::string bytes = read(good);

  const std::string short_file = write("short.safetensors", bytes.substr(0, 5));
  expect_error([&] { nn::load_safetensors(short_file); }, {short_file.c_str(), "5 bytes"});
  const std::string cut = write("cut.safetensors", bytes.substr(0, bytes.size() - 4));
  expect_error([&] { nn::load_safetensors(cut); }, {cut.c_str(), "cover 12", "has 8"});
  const std::string extra = write("extra.safetensors", bytes + "junk");
  expect_error([&] { nn::load_safetensors(extra); }, {extra.c_str(), "cover 12", "has 16"});

  const std::string header = "{\"x\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
  const std::string too_long = write("too_long.safetensors", file_bytes(header, "a", 1000));
  expect_error([&] { nn::load_safetensors(too_long); },
               {too_long.c_str(), "header length 1000", "exceeds"});
  const std::string huge = write("huge.safetensors", file_bytes(header, "a", UINT64_MAX - 1));
  expect_error([&] { nn::load_safetensors(huge); }, {huge.c_str(), "exceeds"});
  const std::string missing = path("missing.safetensors");
  expect_error([&] { nn::load_safetensors(missing); }, {missing.c_str(), "no such file"});
  expect_error([&] { nn::load_safetensors(directory_.string()); },
               {directory_.string().c_str(), "not a regular file"});
}

TEST_F(Safetensors, RejectsInvalidJson) {
  const std::vector<std::pair<std::string, const char*>> cases{
      {"{\"x\":{\"dtype\":\"F32\",", "unexpected end"},
      {"{\"x\":1,}", "expected a string key"},
      {"{\"x\" 1}", "expected ':'"},
      {"{'x':1}", "expected a string key"},
      {"{\"x\":01}", "expected ','"},
      {"{\"x\":tru}", "expected a JSON value"},
      {"{\"x\":\"a\nb\"}", "control character"},
      {"{\"x\":\"\\q\"}", "invalid escape"},
      {"{\"x\":\"\\ud800\"}", "unpaired high surrogate"},
      {"{} {}", "after the JSON object"},
      {"[1, 2]", "does not start with a JSON object"},
      {"{\"x\":\"\xC3\x28\"}", "not valid UTF-8"},
      {std::string(40, '[') + "{", "does not start"},
      {"{\"x\":" + std::string(40, '['), "nested too deeply"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].first);
    const std::string file =
        write("json" + std::to_string(i) + ".safetensors", file_bytes(cases[i].first, ""));
    expect_error([&] { nn::load_safetensors(file); }, {file.c_str(), cases[i].second});
  }
}

TEST_F(Safetensors, RejectsBadEntries) {
  auto entry = [](const std::string& name, const std::string& dtype, const std::string& shape,
                  const std::string& offsets) {
    return "\"" + name + "\":{\"dtype\":" + dtype + ",\"shape\":" + shape +
           ",\"data_offsets\":" + offsets + "}";
  };
  const std::vector<std::tuple<std::string, std::string, const char*>> cases{
      {"{" + entry("x", "\"F16\"", "[2]", "[0,4]") + "}", zero_bytes(4), "unknown dtype \"F16\""},
      {"{" + entry("x", "7", "[2]", "[0,4]") + "}", zero_bytes(4), "dtype must be a string"},
      {"{" + entry("x", "\"F32\"", "[-1]", "[0,4]") + "}", zero_bytes(4), "non-negative"},
      {"{" + entry("x", "\"F32\"", "[1.5]", "[0,4]") + "}", zero_bytes(4), "non-negative"},
      {"{" + entry("x", "\"F32\"", "2", "[0,8]") + "}", zero_bytes(8), "shape must be an array"},
      {"{" + entry("x", "\"U8\"", "[1,1,1,1,1,1,1,1,1]", "[0,1]") + "}", zero_bytes(1),
       "9 dimensions"},
      {"{" + entry("x", "\"F64\"", "[4294967296,4294967296]", "[0,8]") + "}", zero_bytes(8),
       "too large at dim 1"},
      // No bytes, but the strides of [0, 2^62, 4] overflow (it once passed and crashed later).
      {"{" + entry("x", "\"F32\"", "[0,4611686018427387904,4]", "[0,0]") + "}", "",
       "too large at dim 1 of size 4611686018427387904"},
      {"{" + entry("x", "\"F32\"", "[2]", "[0,4]") + "}", zero_bytes(4), "do not span the 8"},
      {"{" + entry("x", "\"F32\"", "[1]", "[4,0]") + "}", zero_bytes(4), "do not span"},
      {"{" + entry("x", "\"F32\"", "[1]", "[0]") + "}", zero_bytes(4), "[begin, end]"},
      {"{" + entry("x", "\"F32\"", "[1]", "[0,99999999999999999999]") + "}", zero_bytes(4),
       "too large"},
      {"{" + entry("x", "\"F32\"", "[1]", "[4,8]") + "}", zero_bytes(8), "gap after byte 0"},
      {"{" + entry("x", "\"F32\"", "[2]", "[0,8]") + "," + entry("y", "\"F32\"", "[1]", "[4,8]") +
           "}",
       zero_bytes(8), "overlap"},
      {"{" + entry("x", "\"U8\"", "[1]", "[0,1]") + "," + entry("x", "\"U8\"", "[1]", "[1,2]") +
           "}",
       zero_bytes(2), "duplicate key \"x\""},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}", zero_bytes(4),
       "missing field \"data_offsets\""},
      {"{\"x\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"more\":1}}", zero_bytes(1),
       "unexpected field \"more\""},
      {"{\"x\":[]}", "", "expected an object"},
      {"{\"__metadata__\":{\"k\":1}}", "", "metadata \"k\" must be a string"},
      {"{\"__metadata__\":[]}", "", "must be an object"},
      {"{" + entry("x", "\"BOOL\"", "[2]", "[0,2]") + "}", std::string("\x01\x02", 2),
       "other than 0 and 1"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& [header, data, expected] = cases[i];
    SCOPED_TRACE(header);
    const std::string file =
        write("entry" + std::to_string(i) + ".safetensors", file_bytes(header, data));
    expect_error([&] { nn::load_safetensors(file); }, {file.c_str(), expected});
  }
}

TEST_F(Safetensors, NeverCrashesOnAnyTruncationOrByteFlipOfAValidFile) {
  const std::string good = path("good.safetensors");
  nn::save_safetensors({{"w", ones({2, 3})}, {"n", tensor<int64_t>({4})}}, good, {{"k", "v"}});
  const std::string bytes = read(good);
  const std::string file = path("mutated.safetensors");
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (const std::string& mutated :
         {bytes.substr(0, i),
          bytes.substr(0, i) + static_cast<char>(bytes[i] ^ 0x5A) + bytes.substr(i + 1)}) {
      write("mutated.safetensors", mutated);
      try {
        nn::load_safetensors(file);
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
      }
    }
  }
}

// --- modules -------------------------------------------------------------------------------------

// A module with buffers of other dtypes, and an undefined one that checkpoints skip.
class StatsImpl : public nn::Module {
 public:
  StatsImpl() : nn::Module("Stats") {
    scale = register_parameter("scale", ones({2}));
    mean = register_buffer("mean", zeros({2}, kFloat64));
    count = register_buffer("count", scalar_tensor(0, kInt64));
    register_buffer("unused", Tensor());
  }
  Tensor forward(const Tensor& x) const { return x * scale; }
  Tensor scale, mean, count;
};
NABLA_MODULE(Stats);

nn::Sequential make_model(int64_t hidden) {
  return nn::Sequential(nn::Linear(3, hidden), nn::ReLU(), nn::Linear(hidden, 2), Stats());
}

std::map<std::string, std::vector<double>> values_of(const nn::Module& module) {
  std::map<std::string, std::vector<double>> values;
  for (const auto& [name, t] : module.named_parameters()) values[name] = t.to_vector<double>();
  for (const auto& [name, t] : module.named_buffers()) {
    if (t.defined()) values[name] = t.to_vector<double>();
  }
  return values;
}

TEST_F(Checkpoint, ModuleRoundTripCopiesIntoTheExistingTensors) {
  const std::string file = path("model.safetensors");
  manual_seed(1);
  nn::Sequential saved = make_model(4);
  auto* stats = dynamic_cast<StatsImpl*>(saved->children()[3].get());
  ASSERT_NE(stats, nullptr);
  stats->mean.copy_(tensor({0.25, -0.5}, kFloat64));
  stats->count.fill_(42);
  nn::save(saved, file);
  const Named on_disk = nn::load_safetensors(file);
  std::vector<std::string> names;
  for (const auto& [name, t] : on_disk) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias", "3.scale",
                                             "3.mean", "3.count"}));

  manual_seed(2);
  nn::Sequential restored = make_model(4);
  const Named handles = restored->named_parameters();
  std::vector<const TensorImpl*> impls;
  for (const auto& [name, t] : handles) impls.push_back(t.impl());
  ASSERT_NE(values_of(*restored), values_of(*saved));

  nn::load(restored, file);
  EXPECT_EQ(values_of(*restored), values_of(*saved));
  const Named after = restored->named_parameters();
  for (size_t i = 0; i < handles.size(); ++i) {
    EXPECT_EQ(after[i].second.impl(), impls[i]) << after[i].first;
    EXPECT_EQ(handles[i].second.to_vector<float>(),
              by_name(on_disk)[handles[i].first].to_vector<float>())
        << handles[i].first;
    EXPECT_TRUE(handles[i].second.requires_grad()) << handles[i].first;
    EXPECT_TRUE(handles[i].second.is_leaf()) << handles[i].first;
  }
  const Tensor x = randn({5, 3});
  EXPECT_EQ(restored(x).to_vector<float>(), saved(x).to_vector<float>());
  expect_tensor<int64_t>(by_name(restored->named_buffers())["3.count"], {}, {42});
}

TEST_F(Checkpoint, MismatchesAreAllReportedAndTheModuleIsUnchanged) {
  const std::string file = path("model.safetensors");
  nn::save(nn::Sequential(nn::Linear(3, 4), nn::ReLU(), nn::Linear(4, 2)), file);

  // Other widths, no bias on the second layer, and a third layer the file lacks.
  nn::Sequential other(nn::Linear(3, 5), nn::ReLU(),
                       nn::Linear(nn::LinearOptions(5, 2).bias(false)), nn::Linear(2, 2));
  const auto before = values_of(*other);
  try {
    nn::load(other, file);
    ADD_FAILURE() << "expected nabla::Error";
  } catch (const Error& e) {
    const std::string message = e.what();
    for (const std::string& part : {
             file,
             std::string("6 problems"),
             std::string("\"0.weight\": float32 [4, 3] in the file, float32 [5, 3] in the module"),
             std::string("\"0.bias\": float32 [4] in the file, float32 [5] in the module"),
             std::string("\"2.weight\": float32 [2, 4] in the file, float32 [2, 5] in the module"),
             std::string("unexpected \"2.bias\" (float32 [2])"),
             std::string("missing \"3.weight\" (float32 [2, 2])"),
             std::string("missing \"3.bias\" (float32 [2])"),
         }) {
      EXPECT_NE(message.find(part), std::string::npos) << message << "\nlacks: " << part;
    }
  }
  EXPECT_EQ(values_of(*other), before);

  nn::Sequential wider_dtype(nn::Linear(3, 4), nn::ReLU(), nn::Linear(4, 2));
  wider_dtype->to(kFloat64);
  const auto before_dtype = values_of(*wider_dtype);
  expect_error([&] { nn::load(wider_dtype, file); },
               {file.c_str(), "4 problems",
                "\"0.weight\": float32 [4, 3] in the file, float64 [4, 3] in the module"});
  EXPECT_EQ(values_of(*wider_dtype), before_dtype);
}

// state_dict() is what nn::save writes; load_state_dict() is nn::load on named tensors from
// anywhere, such as one file that holds a training run's model and optimizer under prefixes.
TEST_F(Checkpoint, StateDictRoundTripsWithoutAFileOfItsOwn) {
  manual_seed(3);
  nn::Sequential saved = make_model(4);
  const Named state = nn::state_dict(*saved);
  std::vector<std::string> names;
  for (const auto& [name, t] : state) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias", "3.scale",
                                             "3.mean", "3.count"}));
  manual_seed(4);
  nn::Sequential restored = make_model(4);
  ASSERT_NE(values_of(*restored), values_of(*saved));
  nn::load_state_dict(*restored, state, "run.safetensors (model.*)");
  EXPECT_EQ(values_of(*restored), values_of(*saved));

  Named twice = state;
  twice.push_back(state[0]);
  twice.emplace_back("extra", Tensor());
  nn::Sequential untouched = make_model(4);
  const auto before = values_of(*untouched);
  expect_error(
      [&] { nn::load_state_dict(*untouched, twice, "run.safetensors"); },
      {"run.safetensors", "\"0.weight\": appears more than once", "\"extra\": undefined tensor"});
  expect_error([&] { nn::load_state_dict(*untouched, Named(state.begin() + 1, state.end()), "X"); },
               {"X: the checkpoint does not match the module", "missing \"0.weight\""});
  EXPECT_EQ(values_of(*untouched), before);
}

TEST_F(Checkpoint, ACnnsBatchNormStatisticsTravelWithIt) {
  const std::string file = path("cnn.safetensors");
  manual_seed(6);
  nn::Sequential saved(nn::Conv2d(1, 4, 3), nn::BatchNorm2d(4), nn::ReLU(), nn::MaxPool2d(2));
  saved(randn({8, 1, 6, 6}));  // training mode: the running statistics move
  nn::save(*saved, file);
  std::vector<std::string> names;
  for (const auto& [name, tensor] : nn::load_safetensors(file)) names.push_back(name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                                      "1.running_var", "1.num_batches_tracked"}));
  nn::Sequential restored(nn::Conv2d(1, 4, 3), nn::BatchNorm2d(4), nn::ReLU(), nn::MaxPool2d(2));
  nn::load(*restored, file);
  for (const auto& [name, tensor] : saved->named_buffers()) {
    bool found = false;
    for (const auto& [other_name, other] : restored->named_buffers()) {
      if (other_name != name) continue;
      found = true;
      EXPECT_EQ(other.to_vector<double>(), tensor.to_vector<double>()) << name;
    }
    EXPECT_TRUE(found) << name;
  }
  saved->eval();
  restored->eval();
  const Tensor x = randn({2, 1, 6, 6});
  EXPECT_EQ(restored(x).to_vector<float>(), saved(x).to_vector<float>());
}

TEST_F(Checkpoint, LoadKeepsEachTensorsDevice) {
  if (!cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const std::string file = path("cuda.safetensors");
  manual_seed(3);
  nn::Linear saved(3, 2);
  saved->to(Device(kCUDA));
  nn::save(saved, file);
  nn::save_safetensors({{"t", saved->weight.t()}}, path("transposed.safetensors"));
  expect_tensor<float>(nn::load_safetensors(path("transposed.safetensors"))[0].second, {3, 2},
                       saved->weight.t().to_vector<float>());

  nn::Linear restored(3, 2);
  restored->to(Device(kCUDA));
  const Tensor weight = restored->weight;
  nn::load(restored, file);
  EXPECT_TRUE(weight.is_cuda());
  EXPECT_EQ(weight.to_vector<float>(), saved->weight.to_vector<float>());
}

// --- optimizers ----------------------------------------------------------------------------------

void train_step(nn::Linear& model, optim::Optimizer& optimizer, const Tensor& x, const Tensor& y) {
  optimizer.zero_grad();
  nn::functional::mse_loss(model(x), y).backward();
  optimizer.step();
}

TEST_F(Checkpoint, AdamResumesExactlyFromASavedState) {
  manual_seed(4);
  const Tensor x = randn({8, 3});
  const Tensor y = randn({8, 2});
  nn::Linear model(3, 2);
  optim::Adam adam(model->parameters(), optim::AdamOptions(0.05));
  train_step(model, adam, x, y);
  train_step(model, adam, x, y);
  nn::save(model, path("model.safetensors"));
  nn::save(adam, path("adam.safetensors"));
  const Named state = nn::load_safetensors(path("adam.safetensors"));
  EXPECT_EQ(by_name(state).count("state.0.exp_avg_sq"), 1u);
  expect_tensor<int64_t>(by_name(state)["state.1.step"], {}, {2});
  train_step(model, adam, x, y);

  nn::Linear resumed(3, 2);
  optim::Adam resumed_adam(resumed->parameters(), optim::AdamOptions(1.0));
  nn::load(resumed, path("model.safetensors"));
  nn::load(resumed_adam, path("adam.safetensors"));
  EXPECT_EQ(resumed_adam.param_groups()[0].options().get_lr(), 0.05);
  train_step(resumed, resumed_adam, x, y);
  EXPECT_EQ(values_of(*resumed), values_of(*model));
  EXPECT_EQ(resumed_adam.state_of(resumed->weight).step, 3);

  // A state for other parameter shapes is refused with the file named.
  nn::Linear other(4, 2);
  optim::Adam other_adam(other->parameters());
  expect_error([&] { nn::load(other_adam, path("adam.safetensors")); },
               {path("adam.safetensors").c_str(), "state.0.exp_avg", "[2, 3]"});
}

// --- atomic writes -------------------------------------------------------------------------------

TEST_F(Safetensors, SavingOverAFileReplacesItAndLeavesNoTemporaryFile) {
  const std::string file = write("x.safetensors", "old content");
  nn::save_safetensors({{"v", tensor({5.0f})}}, file);
  EXPECT_EQ(listing(), std::vector<std::string>{"x.safetensors"});
  expect_tensor<float>(nn::load_safetensors(file)[0].second, {1}, {5.0f});
  nn::save_safetensors({{"v", tensor({6.0f, 7.0f})}}, file);
  EXPECT_EQ(listing(), std::vector<std::string>{"x.safetensors"});
  expect_tensor<float>(nn::load_safetensors(file)[0].second, {2}, {6.0f, 7.0f});
}

TEST_F(Safetensors, FailedSavesThrowAndLeaveNothingBehind) {
  const std::string nowhere = path("no_such_dir/x.safetensors");
  expect_error(
      [&] {
        nn::save_safetensors({{"v", ones({2})}}, nowhere);
      },
      {nowhere.c_str(), "No such file or directory"});
  EXPECT_TRUE(listing().empty());

  // A directory in the way is refused before anything is written.
  fs::create_directory(path("occupied"));
  expect_error(
      [&] {
        nn::save_safetensors({{"v", ones({2})}}, path("occupied"));
      },
      {path("occupied").c_str(), "not a regular file (a directory)"});
  EXPECT_EQ(listing(), std::vector<std::string>{"occupied"});
  EXPECT_TRUE(fs::is_empty(path("occupied")));
}

}  // namespace
}  // namespace nabla

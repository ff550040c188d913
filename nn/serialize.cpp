// The safetensors writer and reader, and module and optimizer checkpoints on top of them. The JSON
// of the header is handled by nn/json.h.
#include <nabla/nn/serialize.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string_view>

#include <nabla/autograd/grad_mode.h>
#include <nabla/core/error.h>
#include <nabla/core/native.h>
#include <nabla/nn/json.h>

namespace nabla::nn {
namespace {

using detail::append_json_string;
using detail::Json;
using detail::kind_name;
using detail::parse_json;
using detail::valid_utf8;

// Tensor bytes go to and from the file as they lie in memory, which is the format's byte order only
// on little-endian hosts.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors I/O assumes little-endian");

constexpr const char* kMetadataKey = "__metadata__";
// The reference reader refuses headers above 100 MB; a larger length is a corrupt file, and the
// bound keeps a bad length from allocating gigabytes.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

struct DtypeName {
  const char* name;
  ScalarType dtype;
};
constexpr DtypeName kDtypeNames[] = {
    {"F32", kFloat32}, {"F64", kFloat64}, {"I64", kInt64}, {"U8", kUInt8}, {"BOOL", kBool}};

const char* safetensors_dtype(ScalarType dtype) {
  for (const DtypeName& entry : kDtypeNames) {
    if (entry.dtype == dtype) return entry.name;
  }
  NABLA_FAIL("safetensors: dtype ", dtype, " has no safetensors name");
}

// --- JSON writing
// ---------------------------------------------------------------------------------

void append_tensor_entry(std::string& out, const std::string& name, const Tensor& tensor,
                         uint64_t begin, uint64_t end) {
  append_json_string(out, name);
  out += ":{\"dtype\":\"";
  out += safetensors_dtype(tensor.dtype());
  out += "\",\"shape\":[";
  for (int64_t d = 0; d < tensor.dim(); ++d) {
    if (d > 0) out += ',';
    out += std::to_string(tensor.size(d));
  }
  out += "],\"data_offsets\":[" + std::to_string(begin) + "," + std::to_string(end) + "]}";
}

// --- reading -------------------------------------------------------------------------------------

struct Entry {
  std::string name;
  ScalarType dtype;
  Shape shape;
  uint64_t begin, end;
};

// A shape entry or data offset: a plain non-negative integer that fits int64.
uint64_t as_count(const Json& value, const std::string& where, const std::string& name,
                  const char* field) {
  const std::string& text = value.text;
  const bool digits_only =
      value.kind == Json::Kind::Number && text.find_first_not_of("0123456789") == std::string::npos;
  NABLA_CHECK(digits_only, where, "tensor \"", name, "\": ", field,
              " must hold non-negative integers, got ",
              value.kind == Json::Kind::Number ? text : kind_name(value.kind));
  uint64_t result = 0;
  for (const char c : text) {
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    NABLA_CHECK(result <= (std::numeric_limits<int64_t>::max() - digit) / 10, where, "tensor \"",
                name, "\": ", field, " value ", text, " is too large");
    result = result * 10 + digit;
  }
  return result;
}

Entry parse_entry(const std::string& name, const Json& info, const std::string& where) {
  NABLA_CHECK(info.kind == Json::Kind::Object, where, "tensor \"", name,
              "\": expected an object, got ", kind_name(info.kind));
  const Json* dtype = nullptr;
  const Json* shape = nullptr;
  const Json* offsets = nullptr;
  for (const auto& [key, value] : info.members) {
    if (key == "dtype") {
      dtype = &value;
    } else if (key == "shape") {
      shape = &value;
    } else if (key == "data_offsets") {
      offsets = &value;
    } else {
      NABLA_FAIL(where, "tensor \"", name, "\": unexpected field \"", key, "\"");
    }
  }
  NABLA_CHECK(dtype && shape && offsets, where, "tensor \"", name, "\": missing field \"",
              !dtype   ? "dtype"
              : !shape ? "shape"
                       : "data_offsets",
              "\"");

  Entry entry{name, kFloat32, {}, 0, 0};
  NABLA_CHECK(dtype->kind == Json::Kind::String, where, "tensor \"", name,
              "\": dtype must be a string, got ", kind_name(dtype->kind));
  const DtypeName* known = std::find_if(std::begin(kDtypeNames), std::end(kDtypeNames),
                                        [&](const DtypeName& d) { return dtype->text == d.name; });
  NABLA_CHECK(known != std::end(kDtypeNames), where, "tensor \"", name, "\": unknown dtype \"",
              dtype->text, "\" (nabla reads F32, F64, I64, U8 and BOOL)");
  entry.dtype = known->dtype;

  NABLA_CHECK(shape->kind == Json::Kind::Array, where, "tensor \"", name,
              "\": shape must be an array, got ", kind_name(shape->kind));
  NABLA_CHECK(static_cast<int64_t>(shape->items.size()) <= kMaxDims, where, "tensor \"", name,
              "\": ", shape->items.size(), " dimensions, more than nabla's ", kMaxDims);
  // Overflow is checked against int64 because numel, strides and byte counts are int64 in nabla.
  // Dims of size 0 count as 1 in the check: [0, 2^62, 4] holds no bytes, but its strides overflow.
  uint64_t span = element_size(entry.dtype);
  bool empty = false;
  for (const Json& item : shape->items) {
    const uint64_t size = as_count(item, where, name, "shape");
    const uint64_t factor = std::max<uint64_t>(size, 1);
    NABLA_CHECK(span <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / factor, where,
                "tensor \"", name, "\": the shape is too large at dim ", entry.shape.size(),
                " of size ", size, " (its byte count or strides overflow int64)");
    span *= factor;
    empty |= size == 0;
    entry.shape.push_back(static_cast<int64_t>(size));
  }
  const uint64_t bytes = empty ? 0 : span;

  NABLA_CHECK(offsets->kind == Json::Kind::Array && offsets->items.size() == 2, where, "tensor \"",
              name, "\": data_offsets must be an array [begin, end]");
  entry.begin = as_count(offsets->items[0], where, name, "data_offsets");
  entry.end = as_count(offsets->items[1], where, name, "data_offsets");
  NABLA_CHECK(entry.begin <= entry.end && entry.end - entry.begin == bytes, where, "tensor \"",
              name, "\": data_offsets [", entry.begin, ", ", entry.end, "] do not span the ", bytes,
              " bytes of ", known->name, " ", entry.shape);
  return entry;
}

// The data of all tensors, ordered by offset, must tile [0, data_bytes) exactly: a gap or overlap
// means a corrupt header or a truncated or padded file.
void check_coverage(std::vector<const Entry*> entries, uint64_t data_bytes,
                    const std::string& where) {
  std::sort(entries.begin(), entries.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t covered = 0;
  for (const Entry* e : entries) {
    NABLA_CHECK(e->begin >= covered, where, "tensor \"", e->name, "\": data_offsets [", e->begin,
                ", ", e->end, "] overlap the previous tensor's data, which ends at ", covered);
    NABLA_CHECK(e->begin == covered, where, "tensor \"", e->name, "\": data_offsets [", e->begin,
                ", ", e->end, "] leave a gap after byte ", covered);
    covered = e->end;
  }
  NABLA_CHECK(covered == data_bytes, where, "the tensors cover ", covered,
              " bytes, but the data section after the header has ", data_bytes,
              " bytes (truncated file or offsets not covering the data)");
}

uint64_t little_endian_u64(const unsigned char* bytes) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = value << 8 | bytes[i];
  return value;
}

// --- writing -------------------------------------------------------------------------------------

struct Chunk {
  const void* data;
  size_t size;
};

// The file a save to `path` replaces: `path` itself, or where a symlink at `path` leads, so that
// the link stays a link to the new file. Anything but a regular file or nothing there is refused:
// renaming over a device such as /dev/full would replace it with a regular file.
std::string save_target(const std::string& path, const std::string& where) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::file_status link = fs::symlink_status(path, error);
  if (!fs::exists(link)) return path;
  // Follow the chain of links by hand: the last one may lead to a file that does not exist yet, in
  // a directory that does (canonical() would refuse it).
  fs::path target = path;
  for (int hops = 0; fs::is_symlink(fs::symlink_status(target, error)); ++hops) {
    NABLA_CHECK(hops < 40, where, "too many levels of symlinks");
    const fs::path next = fs::read_symlink(target, error);
    NABLA_CHECK(!error, where, "cannot read the symlink ", target.string(), ": ", error.message());
    target = next.is_absolute() ? next : target.parent_path() / next;
  }
  NABLA_CHECK(fs::is_directory(target.has_parent_path() ? target.parent_path() : ".", error), where,
              "the symlink leads to ", target.string(), ", whose directory does not exist");
  const fs::file_status status = fs::status(target, error);
  NABLA_CHECK(!fs::exists(status) || fs::is_regular_file(status), where,
              target == path ? "" : target.string() + ": ", "not a regular file (",
              fs::is_directory(status) ? "a directory" : "a device, socket or pipe",
              "); checkpoints are written to regular files only");
  return target.string();
}

// Temporary files of earlier saves to `target` whose writer died (killed during a save): the name
// carries the writer's pid, and a pid that no longer runs will never finish or remove its file.
void remove_stale_temporaries(const std::string& target) {
  namespace fs = std::filesystem;
  const fs::path full(target);
  const std::string prefix = full.filename().string() + ".tmp.";
  std::error_code error;
  fs::directory_iterator it(full.parent_path().empty() ? fs::path(".") : full.parent_path(), error);
  for (; !error && it != fs::directory_iterator(); it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    // <prefix><pid>.<n>: a pid of at most 9 digits (so it fits a pid_t) and a counter.
    const std::string rest = name.substr(prefix.size());
    const size_t dot = rest.find('.');
    auto digits = [](const std::string& text) {
      return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
    };
    if (dot == std::string::npos || dot > 9 || !digits(rest.substr(0, dot)) ||
        !digits(rest.substr(dot + 1))) {
      continue;
    }
    const pid_t pid = static_cast<pid_t>(std::stol(rest.substr(0, dot)));
    std::error_code ignored;
    if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH && it->is_regular_file(ignored)) {
      fs::remove(it->path(), ignored);
    }
  }
}

// Writes `chunks` to a new file beside `path` and renames it over `path` once it is on disk, so a
// crash or a full disk never leaves `path` half-written.
void write_atomically(const std::string& requested, const std::vector<Chunk>& chunks,
                      const std::string& where) {
  const std::string path = save_target(requested, where);
  remove_stale_temporaries(path);
  // The counter keeps threads of one process that save to the same path apart.
  static std::atomic<uint64_t> counter{0};
  const std::string temp =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  std::FILE* file = std::fopen(temp.c_str(), "wbx");
  NABLA_CHECK(file != nullptr, where, "cannot create the temporary file ", temp, ": ",
              std::strerror(errno));
  const char* failed_step = nullptr;
  int error = 0;
  auto check = [&](bool ok, const char* step) {
    if (ok || failed_step != nullptr) return;
    failed_step = step;
    error = errno;
  };
  for (const Chunk& chunk : chunks) {
    if (failed_step) break;
    check(chunk.size == 0 || std::fwrite(chunk.data, 1, chunk.size, file) == chunk.size, "write");
  }
  if (!failed_step) check(std::fflush(file) == 0, "flush");
  if (!failed_step) check(::fsync(::fileno(file)) == 0, "fsync");
  check(std::fclose(file) == 0, "close");
  if (!failed_step) check(std::rename(temp.c_str(), path.c_str()) == 0, "rename");
  if (failed_step) {
    std::remove(temp.c_str());
    NABLA_FAIL(where, failed_step, " of the temporary file ", temp,
               " failed: ", std::strerror(error));
  }
  // Makes the rename itself durable. Best effort: the new file is complete either way, and some
  // file systems refuse to sync a directory.
  std::string directory = std::filesystem::path(path).parent_path().string();
  const int dir_fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    (void)::fsync(dir_fd);
    ::close(dir_fd);
  }
}

std::string mismatch_message(const std::string& path, const std::vector<std::string>& problems) {
  std::ostringstream message;
  message << "nn::load: " << path << ": the checkpoint does not match the module ("
          << problems.size() << " problem" << (problems.size() == 1 ? "" : "s") << "):";
  for (const std::string& p : problems) message << "\n  " << p;
  return message.str();
}

}  // namespace

void save_safetensors(const std::vector<std::pair<std::string, Tensor>>& tensors,
                      const std::string& path, const std::map<std::string, std::string>& metadata) {
  const std::string where = "save_safetensors: " + path + ": ";
  std::string header = "{";
  if (!metadata.empty()) {
    append_json_string(header, kMetadataKey);
    header += ":{";
    for (const auto& [key, value] : metadata) {
      NABLA_CHECK(valid_utf8(key) && valid_utf8(value), where, "metadata \"", key,
                  "\" is not valid UTF-8");
      if (header.back() != '{') header += ',';
      append_json_string(header, key);
      header += ':';
      append_json_string(header, value);
    }
    header += '}';
  }
  std::set<std::string> names;
  std::vector<Tensor> host;  // keeps the CPU copies alive until they are written
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    NABLA_CHECK(name != kMetadataKey, where, "the name \"", kMetadataKey,
                "\" is reserved for the file's metadata");
    NABLA_CHECK(names.insert(name).second, where, "duplicate tensor name \"", name, "\"");
    NABLA_CHECK(valid_utf8(name), where, "tensor name \"", name, "\" is not valid UTF-8");
    NABLA_CHECK(tensor.defined(), where, "tensor \"", name, "\" is undefined");
    host.push_back(native::to(native::contiguous(tensor), Device(kCPU)));
    const uint64_t bytes = host.back().numel() * host.back().element_size();
    if (header.size() > 1) header += ',';
    append_tensor_entry(header, name, tensor, offset, offset + bytes);
    offset += bytes;
  }
  header += '}';
  header.append((8 - header.size() % 8) % 8, ' ');

  unsigned char length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(header.size() >> (8 * i));
  std::vector<Chunk> chunks{{length, sizeof(length)}, {header.data(), header.size()}};
  for (const Tensor& t : host) chunks.push_back({t.data_ptr(), t.numel() * t.element_size()});
  write_atomically(path, chunks, where);
}

std::vector<std::pair<std::string, Tensor>> load_safetensors(
    const std::string& path, std::map<std::string, std::string>& metadata) {
  namespace fs = std::filesystem;
  const std::string where = "load_safetensors: " + path + ": ";
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  NABLA_CHECK(status.type() != fs::file_type::not_found, where, "no such file");
  NABLA_CHECK(!error, where, "cannot be accessed: ", error.message());
  NABLA_CHECK(fs::is_regular_file(status), where, "not a regular file");
  const uint64_t file_bytes = fs::file_size(path, error);
  NABLA_CHECK(!error, where, "cannot read its size: ", error.message());
  std::ifstream in(path, std::ios::binary);
  NABLA_CHECK(in.is_open(), where, "cannot be opened: ", std::strerror(errno));
  auto read = [&](void* destination, uint64_t count, const char* what) {
    in.read(static_cast<char*>(destination), static_cast<std::streamsize>(count));
    NABLA_CHECK(static_cast<uint64_t>(in.gcount()) == count, where, "reading the ", what,
                " failed after ", in.gcount(), " of ", count, " bytes");
  };

  NABLA_CHECK(file_bytes >= 8, where, "the file has ", file_bytes,
              " bytes, too few for the 8-byte header length");
  unsigned char length_bytes[8];
  read(length_bytes, 8, "header length");
  const uint64_t header_bytes = little_endian_u64(length_bytes);
  NABLA_CHECK(header_bytes <= file_bytes - 8, where, "the header length ", header_bytes,
              " exceeds the ", file_bytes - 8, " bytes after it");
  NABLA_CHECK(header_bytes <= kMaxHeaderBytes, where, "the header length ", header_bytes,
              " exceeds the limit of ", kMaxHeaderBytes, " bytes");
  std::string header(header_bytes, '\0');
  read(header.data(), header_bytes, "header");
  NABLA_CHECK(valid_utf8(header), where, "the header is not valid UTF-8");
  NABLA_CHECK(!header.empty() && header[0] == '{', where,
              "the header does not start with a JSON object");

  const Json root = parse_json(header, where);
  metadata.clear();
  std::vector<Entry> entries;
  for (const auto& [name, value] : root.members) {
    if (name != kMetadataKey) {
      entries.push_back(parse_entry(name, value, where));
      continue;
    }
    NABLA_CHECK(value.kind == Json::Kind::Object, where, "\"", kMetadataKey,
                "\" must be an object, got ", kind_name(value.kind));
    for (const auto& [key, text] : value.members) {
      NABLA_CHECK(text.kind == Json::Kind::String, where, "metadata \"", key,
                  "\" must be a string, got ", kind_name(text.kind));
      metadata[key] = text.text;
    }
  }
  std::vector<const Entry*> by_offset;
  for (const Entry& e : entries) by_offset.push_back(&e);
  const uint64_t data_start = 8 + header_bytes;
  check_coverage(by_offset, file_bytes - data_start, where);

  std::vector<std::pair<std::string, Tensor>> result;
  for (const Entry& e : entries) {
    Tensor t = native::empty(e.shape, e.dtype, Device(kCPU));
    const uint64_t bytes = e.end - e.begin;
    if (bytes > 0) {
      in.seekg(static_cast<std::streamoff>(data_start + e.begin));
      read(t.data_ptr(), bytes, ("data of \"" + e.name + "\"").c_str());
    }
    if (e.dtype == kBool) {
      const auto* values = static_cast<const unsigned char*>(t.data_ptr());
      NABLA_CHECK(std::all_of(values, values + bytes, [](unsigned char v) { return v <= 1; }),
                  where, "tensor \"", e.name, "\": BOOL data holds bytes other than 0 and 1");
    }
    result.emplace_back(e.name, std::move(t));
  }
  return result;
}

std::vector<std::pair<std::string, Tensor>> load_safetensors(const std::string& path) {
  std::map<std::string, std::string> metadata;
  return load_safetensors(path, metadata);
}

std::vector<std::pair<std::string, Tensor>> state_dict(const Module& module) {
  std::vector<std::pair<std::string, Tensor>> tensors = module.named_parameters();
  for (auto& [name, buffer] : module.named_buffers()) {
    if (buffer.defined()) tensors.emplace_back(std::move(name), std::move(buffer));
  }
  return tensors;
}

void save(const Module& module, const std::string& path) {
  save_safetensors(state_dict(module), path);
}

void load(Module& module, const std::string& path) {
  load_state_dict(module, load_safetensors(path), path);
}

void load_state_dict(Module& module, const std::vector<std::pair<std::string, Tensor>>& state,
                     const std::string& source) {
  std::vector<std::pair<std::string, Tensor>> targets = state_dict(module);
  std::map<std::string, Tensor> loaded;
  std::vector<std::string> problems;
  for (const auto& [name, tensor] : state) {
    if (!tensor.defined()) {
      problems.push_back("\"" + name + "\": undefined tensor");
    } else if (!loaded.emplace(name, tensor).second) {
      problems.push_back("\"" + name + "\": appears more than once");
    }
  }
  std::set<std::string> expected;
  for (const auto& [name, target] : targets) {
    expected.insert(name);
    auto it = loaded.find(name);
    std::ostringstream problem;
    if (it == loaded.end()) {
      problem << "missing \"" << name << "\" (" << target.dtype() << " " << target.sizes() << ")";
    } else if (it->second.dtype() != target.dtype() || it->second.sizes() != target.sizes()) {
      problem << "\"" << name << "\": " << it->second.dtype() << " " << it->second.sizes()
              << " in the file, " << target.dtype() << " " << target.sizes() << " in the module";
    }
    if (!problem.str().empty()) problems.push_back(problem.str());
  }
  for (const auto& [name, tensor] : loaded) {
    if (!expected.count(name)) {
      std::ostringstream problem;
      problem << "unexpected \"" << name << "\" (" << tensor.dtype() << " " << tensor.sizes()
              << ")";
      problems.push_back(problem.str());
    }
  }
  if (!problems.empty()) NABLA_FAIL(mismatch_message(source, problems));

  NoGradGuard no_grad;
  for (auto& [name, target] : targets) target.copy_(loaded.at(name));
}

void save(const optim::Optimizer& optimizer, const std::string& path) {
  save_safetensors(optimizer.named_state(), path);
}

void load(optim::Optimizer& optimizer, const std::string& path) {
  const std::vector<std::pair<std::string, Tensor>> state = load_safetensors(path);
  try {
    optimizer.load_named_state(state);
  } catch (const Error& e) {
    NABLA_FAIL("optim load: ", path, ": ", e.what());
  }
}

}  // namespace nabla::nn

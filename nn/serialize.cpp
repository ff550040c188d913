// The safetensors writer and reader, and module and optimizer checkpoints on top of them. The JSON
// header is written and parsed here: the format needs only a small, strict subset of a JSON
// library.
#include <nabla/nn/serialize.h>

#include <fcntl.h>
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

namespace nabla::nn {
namespace {

// Tensor bytes go to and from the file as they lie in memory, which is the format's byte order only
// on little-endian hosts.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors I/O assumes little-endian");

constexpr const char* kMetadataKey = "__metadata__";
// The reference reader refuses headers above 100 MB; a larger length is a corrupt file, and the
// bound keeps a bad length from allocating gigabytes.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
// Deep enough for any real header (which nests three levels), shallow enough that the recursive
// parser cannot exhaust the stack on "[[[[...".
constexpr int kMaxJsonDepth = 32;

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

// Rejects overlong forms, surrogates and code points past U+10FFFF, as the reference reader's
// UTF-8 decoding does.
bool valid_utf8(std::string_view text) {
  static constexpr uint32_t kSmallest[] = {0, 0x80, 0x800, 0x10000};
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    int extra = 0;
    uint32_t code = lead;
    if (lead >= 0x80) {
      if ((lead & 0xE0) == 0xC0) {
        extra = 1, code = lead & 0x1F;
      } else if ((lead & 0xF0) == 0xE0) {
        extra = 2, code = lead & 0x0F;
      } else if ((lead & 0xF8) == 0xF0) {
        extra = 3, code = lead & 0x07;
      } else {
        return false;
      }
    }
    if (text.size() - i <= static_cast<size_t>(extra)) return false;
    for (int k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = code << 6 | (next & 0x3F);
    }
    if (code < kSmallest[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

// --- JSON writing
// ---------------------------------------------------------------------------------

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  out += '"';
}

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

// --- JSON parsing
// ---------------------------------------------------------------------------------

struct Json {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  std::string text;  // a string's value, a number's literal, "true" or "false"
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;  // in the document's order
};

const char* kind_name(Json::Kind kind) {
  switch (kind) {
    case Json::Kind::Null:
      return "null";
    case Json::Kind::Bool:
      return "a boolean";
    case Json::Kind::Number:
      return "a number";
    case Json::Kind::String:
      return "a string";
    case Json::Kind::Array:
      return "an array";
    case Json::Kind::Object:
      return "an object";
  }
  return "?";
}

// RFC 8259 JSON, nothing more: no comments, trailing commas, NaN or duplicate object keys. Errors
// give the byte offset in the header, prefixed by `where` (which names the file).
class JsonParser {
 public:
  JsonParser(std::string_view text, const std::string& where) : text_(text), where_(where) {}

  Json parse_document() {
    Json value = parse_value(0);
    skip_whitespace();
    if (pos_ != text_.size()) fail("unexpected text after the JSON object");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    NABLA_FAIL(where_, "invalid JSON header at byte ", pos_, ": ",
               at_end() ? "unexpected end of the header, " : "", what);
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_whitespace() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
      ++pos_;
    }
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  bool consume_literal(std::string_view literal) {
    if (text_.substr(pos_, literal.size()) != literal) return false;
    pos_ += literal.size();
    return true;
  }

  Json parse_value(int depth) {
    if (depth > kMaxJsonDepth) fail("nested too deeply");
    skip_whitespace();
    Json value;
    const char c = peek();
    if (at_end()) {
      fail("unexpected end of the header");
    } else if (c == '{') {
      value.kind = Json::Kind::Object;
      parse_object(value, depth);
    } else if (c == '[') {
      value.kind = Json::Kind::Array;
      parse_array(value, depth);
    } else if (c == '"') {
      value.kind = Json::Kind::String;
      value.text = parse_string();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      value.kind = Json::Kind::Number;
      value.text = parse_number();
    } else if (consume_literal("true") || consume_literal("false")) {
      value.kind = Json::Kind::Bool;
      value.text = c == 't' ? "true" : "false";
    } else if (!consume_literal("null")) {
      fail("expected a JSON value");
    }
    return value;
  }

  void parse_object(Json& object, int depth) {
    expect('{');
    skip_whitespace();
    if (peek() == '}') {
      ++pos_;
      return;
    }
    std::set<std::string> keys;
    while (true) {
      skip_whitespace();
      if (peek() != '"') fail("expected a string key");
      const size_t key_pos = pos_;
      std::string key = parse_string();
      if (!keys.insert(key).second) {
        pos_ = key_pos;
        fail("duplicate key \"" + key + "\"");
      }
      skip_whitespace();
      expect(':');
      object.members.emplace_back(std::move(key), parse_value(depth + 1));
      skip_whitespace();
      if (peek() == '}') break;
      expect(',');
    }
    ++pos_;
  }

  void parse_array(Json& array, int depth) {
    expect('[');
    skip_whitespace();
    if (peek() == ']') {
      ++pos_;
      return;
    }
    while (true) {
      array.items.push_back(parse_value(depth + 1));
      skip_whitespace();
      if (peek() == ']') break;
      expect(',');
    }
    ++pos_;
  }

  uint32_t parse_hex4() {
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i, ++pos_) {
      const char c = peek();
      int digit = -1;
      if (c >= '0' && c <= '9') digit = c - '0';
      if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
      if (digit < 0) fail("expected four hex digits after \\u");
      value = value << 4 | static_cast<uint32_t>(digit);
    }
    return value;
  }

  static void append_utf8(std::string& out, uint32_t code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | code >> 6);
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | code >> 12);
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | code >> 18);
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  // After "\u": one code point, from a surrogate pair when it lies above U+FFFF.
  uint32_t parse_escaped_code_point() {
    const uint32_t code = parse_hex4();
    if (code >= 0xDC00 && code <= 0xDFFF) fail("unpaired low surrogate");
    if (code < 0xD800 || code > 0xDBFF) return code;
    if (!consume_literal("\\u")) fail("unpaired high surrogate");
    const uint32_t low = parse_hex4();
    if (low < 0xDC00 || low > 0xDFFF) fail("unpaired high surrogate");
    return 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
  }

  // The header was checked to be UTF-8 as a whole, so bytes outside escapes are copied as they are.
  std::string parse_string() {
    expect('"');
    std::string out;
    while (true) {
      if (at_end()) fail("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) {
        --pos_;
        fail("control character in a string");
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      const char escape = peek();
      if (escape == 'u') {
        ++pos_;
        append_utf8(out, parse_escaped_code_point());
        continue;
      }
      // Each escape letter followed by the character it stands for.
      static constexpr std::string_view kEscapes = "\"\"\\\\//b\bf\fn\nr\rt\t";
      size_t found = std::string_view::npos;
      for (size_t i = 0; i < kEscapes.size() && found == std::string_view::npos; i += 2) {
        if (kEscapes[i] == escape) found = i;
      }
      if (found == std::string_view::npos) fail("invalid escape in a string");
      out += kEscapes[found + 1];
      ++pos_;
    }
  }

  std::string parse_number() {
    const size_t start = pos_;
    auto digits = [this] {
      const size_t first = pos_;
      while (!at_end() && peek() >= '0' && peek() <= '9') ++pos_;
      if (pos_ == first) fail("expected a digit");
    };
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
    } else {
      digits();
    }
    if (peek() == '.') {
      ++pos_;
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      digits();
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string_view text_;
  const std::string& where_;
  size_t pos_ = 0;
};

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
  // Overflow is checked against int64 because numel and byte counts are int64 in nabla.
  uint64_t bytes = element_size(entry.dtype);
  for (const Json& item : shape->items) {
    const uint64_t size = as_count(item, where, name, "shape");
    NABLA_CHECK(
        size == 0 || bytes <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / size,
        where, "tensor \"", name, "\": the shape's byte count overflows");
    bytes *= size;
    entry.shape.push_back(static_cast<int64_t>(size));
  }

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

// Writes `chunks` to a new file beside `path` and renames it over `path` once it is on disk, so a
// crash or a full disk never leaves `path` half-written.
void write_atomically(const std::string& path, const std::vector<Chunk>& chunks,
                      const std::string& where) {
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

  const Json root = JsonParser(header, where).parse_document();
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

void save(const Module& module, const std::string& path) {
  std::vector<std::pair<std::string, Tensor>> tensors = module.named_parameters();
  for (auto& [name, buffer] : module.named_buffers()) {
    if (buffer.defined()) tensors.emplace_back(std::move(name), std::move(buffer));
  }
  save_safetensors(tensors, path);
}

void load(Module& module, const std::string& path) {
  std::vector<std::pair<std::string, Tensor>> targets = module.named_parameters();
  for (auto& [name, buffer] : module.named_buffers()) {
    if (buffer.defined()) targets.emplace_back(std::move(name), std::move(buffer));
  }
  std::map<std::string, Tensor> loaded;
  for (auto& [name, tensor] : load_safetensors(path)) loaded.emplace(name, std::move(tensor));

  std::vector<std::string> problems;
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
  if (!problems.empty()) NABLA_FAIL(mismatch_message(path, problems));

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

// The JSON subset of safetensors headers: UTF-8 validation, string escaping and a recursive-descent
// parser with a depth limit.
#include <nabla/nn/json.h>

#include <cstdint>
#include <cstdio>
#include <set>
#include <string>

#include <nabla/core/error.h>

namespace nabla::nn::detail {
namespace {

// Deep enough for any real header (which nests three levels), shallow enough that the recursive
// parser cannot exhaust the stack on "[[[[...".
constexpr int kMaxJsonDepth = 32;

}  // namespace

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

namespace {

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

}  // namespace

Json parse_json(std::string_view text, const std::string& where) {
  return JsonParser(text, where).parse_document();
}

}  // namespace nabla::nn::detail

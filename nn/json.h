// The small, strict JSON subset that safetensors headers need: a value tree, a parser that
// accepts RFC 8259 and nothing more, and the writer's string escaping. Internal to nn/serialize.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nabla::nn::detail {

struct Json {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  std::string text;  // a string's value, a number's literal, "true" or "false"
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;  // in the document's order
};

// "null", "a number", ...: for error messages.
const char* kind_name(Json::Kind kind);

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF), as the reference safetensors reader requires.
bool valid_utf8(std::string_view text);

// Appends `text` to `out` as a JSON string literal.
void append_json_string(std::string& out, std::string_view text);

// Parses one JSON document. Errors throw nabla::Error with the byte offset, prefixed by `where`
// (which names the file).
Json parse_json(std::string_view text, const std::string& where);

}  // namespace nabla::nn::detail

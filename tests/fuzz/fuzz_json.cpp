// Fuzzes the JSON parser of safetensors headers (nn/json.h). Besides not crashing, a document it
// accepts must survive a round trip: written back as JSON (strings escaped by the writer's own
// append_json_string) and parsed again, it gives the same tree. From UTF-8 input every string it
// returns is UTF-8 too (escapes cannot smuggle in surrogates).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nabla/core/error.h>
#include <nabla/nn/json.h>

namespace {

using nabla::nn::detail::Json;

void write(std::string& out, const Json& value) {
  switch (value.kind) {
    case Json::Kind::Null:
      out += "null";
      break;
    case Json::Kind::Bool:
    case Json::Kind::Number:
      out += value.text;
      break;
    case Json::Kind::String:
      nabla::nn::detail::append_json_string(out, value.text);
      break;
    case Json::Kind::Array:
      out += '[';
      for (size_t i = 0; i < value.items.size(); ++i) {
        if (i > 0) out += ',';
        write(out, value.items[i]);
      }
      out += ']';
      break;
    case Json::Kind::Object:
      out += '{';
      for (size_t i = 0; i < value.members.size(); ++i) {
        if (i > 0) out += ',';
        nabla::nn::detail::append_json_string(out, value.members[i].first);
        out += ':';
        write(out, value.members[i].second);
      }
      out += '}';
      break;
  }
}

bool all_strings_utf8(const Json& value) {
  if (value.kind == Json::Kind::String && !nabla::nn::detail::valid_utf8(value.text)) return false;
  for (const Json& item : value.items) {
    if (!all_strings_utf8(item)) return false;
  }
  for (const auto& [key, member] : value.members) {
    if (!nabla::nn::detail::valid_utf8(key) || !all_strings_utf8(member)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string where = "fuzz: ";
  Json parsed;
  try {
    parsed = nabla::nn::detail::parse_json(text, where);
  } catch (const nabla::Error&) {
    return 0;
  }
  if (nabla::nn::detail::valid_utf8(text) && !all_strings_utf8(parsed)) std::abort();
  std::string written;
  write(written, parsed);
  std::string rewritten;
  // What the parser accepted and the writer wrote must parse: an Error here escapes, a finding.
  write(rewritten, nabla::nn::detail::parse_json(written, where));
  if (rewritten != written) std::abort();
  return 0;
}

// nabla::Error, the one exception type nabla throws, and NABLA_CHECK, which builds its message only
// when a check fails so that the happy path costs a branch.
#pragma once

#include <exception>
#include <sstream>
#include <string>
#include <utility>

namespace nabla {

class Error : public std::exception {
 public:
  explicit Error(std::string message) : message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

namespace detail {
template <typename... Parts>
[[noreturn]] void throw_error(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  throw Error(out.str());
}
}  // namespace detail

}  // namespace nabla

// NABLA_CHECK(cond, "op: ", shape, " is bad") throws nabla::Error with the concatenated parts.
#define NABLA_CHECK(cond, ...)                   \
  do {                                           \
    if (__builtin_expect(!(cond), 0)) {          \
      ::nabla::detail::throw_error(__VA_ARGS__); \
    }                                            \
  } while (false)

#define NABLA_FAIL(...) ::nabla::detail::throw_error(__VA_ARGS__)

// Helpers for the tests: compare a tensor's shape, dtype and values with expectations.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include <nabla/nabla.h>

namespace nabla::testing {

constexpr float kNanF = std::numeric_limits<float>::quiet_NaN();
constexpr float kInfF = std::numeric_limits<float>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Expects `t` to have `shape` and, elementwise within `tolerance`, `values` (row-major).
template <typename T>
void expect_tensor(const Tensor& t, const Shape& shape, const std::vector<T>& values,
                   double tolerance = 0) {
  ASSERT_TRUE(t.defined());
  EXPECT_EQ(t.sizes(), shape) << "shape";
  EXPECT_EQ(t.dtype(), dtype_of_v<T>) << "dtype";
  std::vector<T> got = t.to_vector<T>();
  ASSERT_EQ(got.size(), values.size()) << "element count";
  for (size_t i = 0; i < values.size(); ++i) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(values[i])) {
        EXPECT_TRUE(std::isnan(got[i])) << "element " << i << " is " << got[i] << ", expected nan";
      } else if (tolerance == 0) {
        EXPECT_EQ(got[i], values[i]) << "element " << i;
      } else {
        EXPECT_NEAR(got[i], values[i], tolerance) << "element " << i;
      }
    } else {
      EXPECT_EQ(got[i], values[i]) << "element " << i;
    }
  }
}

// Expects `fn` to throw nabla::Error whose message contains every one of `parts`.
template <typename Fn>
void expect_error(Fn&& fn, std::initializer_list<const char*> parts) {
  try {
    fn();
    // A GPU reports some errors (an index out of range) at its next synchronization.
    if (default_device().is_cuda()) cuda::synchronize(default_device().index());
    ADD_FAILURE() << "expected nabla::Error, nothing was thrown";
  } catch (const Error& e) {
    const std::string message = e.what();
    for (const char* part : parts) {
      EXPECT_NE(message.find(part), std::string::npos)
          << "message \"" << message << "\" lacks \"" << part << "\"";
    }
  }
}

// Whether fn's gradients at `inputs` match central differences in float64 (autograd::gradcheck),
// with gradcheck's report of the worst element on failure: EXPECT_TRUE(gradients_match(...)).
inline ::testing::AssertionResult gradients_match(const autograd::GradcheckFunction& fn,
                                                  const std::vector<Tensor>& inputs) {
  const autograd::GradcheckResult r = autograd::gradcheck(fn, inputs);
  if (r.ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << r.report;
}

}  // namespace nabla::testing

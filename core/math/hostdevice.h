// NABLA_HD marks functions that nvcc compiles for both host and device; for the host compiler it is
// empty. Every per-element formula in nabla lives in a header under core/math/ marked this way, so
// the CPU backend runs the very code the CUDA kernels launch.
#pragma once

#include <math.h>
#include <stdint.h>

#if defined(__CUDACC__)
#define NABLA_HD __host__ __device__
#else
#define NABLA_HD
#endif

namespace nabla::math {

// Overloads that resolve to the float or double C function on host and device alike.
NABLA_HD inline float exp(float x) {
  return ::expf(x);
}
NABLA_HD inline double exp(double x) {
  return ::exp(x);
}
NABLA_HD inline float log(float x) {
  return ::logf(x);
}
NABLA_HD inline double log(double x) {
  return ::log(x);
}
NABLA_HD inline float log1p(float x) {
  return ::log1pf(x);
}
NABLA_HD inline double log1p(double x) {
  return ::log1p(x);
}
NABLA_HD inline float sqrt(float x) {
  return ::sqrtf(x);
}
NABLA_HD inline double sqrt(double x) {
  return ::sqrt(x);
}
NABLA_HD inline float tanh(float x) {
  return ::tanhf(x);
}
NABLA_HD inline double tanh(double x) {
  return ::tanh(x);
}
NABLA_HD inline float pow(float x, float y) {
  return ::powf(x, y);
}
NABLA_HD inline double pow(double x, double y) {
  return ::pow(x, y);
}
NABLA_HD inline float cos(float x) {
  return ::cosf(x);
}
NABLA_HD inline double cos(double x) {
  return ::cos(x);
}
NABLA_HD inline float fabs(float x) {
  return ::fabsf(x);
}
NABLA_HD inline double fabs(double x) {
  return ::fabs(x);
}

template <typename T>
NABLA_HD constexpr bool is_nan(T x) {
  return x != x;  // false for integers, true only for NaN
}

// Largest and smallest finite-or-infinite values, usable in device code (std::numeric_limits is
// not).
template <typename T>
NABLA_HD constexpr T highest();
template <typename T>
NABLA_HD constexpr T lowest();
template <>
NABLA_HD constexpr float highest<float>() {
  return __builtin_huge_valf();
}
template <>
NABLA_HD constexpr float lowest<float>() {
  return -__builtin_huge_valf();
}
template <>
NABLA_HD constexpr double highest<double>() {
  return __builtin_huge_val();
}
template <>
NABLA_HD constexpr double lowest<double>() {
  return -__builtin_huge_val();
}
template <>
NABLA_HD constexpr int64_t highest<int64_t>() {
  return INT64_MAX;
}
template <>
NABLA_HD constexpr int64_t lowest<int64_t>() {
  return INT64_MIN;
}
template <>
NABLA_HD constexpr uint8_t highest<uint8_t>() {
  return 255;
}
template <>
NABLA_HD constexpr uint8_t lowest<uint8_t>() {
  return 0;
}
template <>
NABLA_HD constexpr bool highest<bool>() {
  return true;
}
template <>
NABLA_HD constexpr bool lowest<bool>() {
  return false;
}

}  // namespace nabla::math

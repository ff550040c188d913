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

NABLA_HD inline float sin(float x) {
  return ::sinf(x);
}
NABLA_HD inline double sin(double x) {
  return ::sin(x);
}
NABLA_HD inline float tan(float x) {
  return ::tanf(x);
}
NABLA_HD inline double tan(double x) {
  return ::tan(x);
}
NABLA_HD inline float expm1(float x) {
  return ::expm1f(x);
}
NABLA_HD inline double expm1(double x) {
  return ::expm1(x);
}
NABLA_HD inline float log2(float x) {
  return ::log2f(x);
}
NABLA_HD inline double log2(double x) {
  return ::log2(x);
}
NABLA_HD inline float log10(float x) {
  return ::log10f(x);
}
NABLA_HD inline double log10(double x) {
  return ::log10(x);
}
NABLA_HD inline float erf(float x) {
  return ::erff(x);
}
NABLA_HD inline double erf(double x) {
  return ::erf(x);
}
NABLA_HD inline float fmod(float x, float y) {
  return ::fmodf(x, y);
}
NABLA_HD inline double fmod(double x, double y) {
  return ::fmod(x, y);
}
NABLA_HD inline float copysign(float x, float y) {
  return ::copysignf(x, y);
}
NABLA_HD inline double copysign(double x, double y) {
  return ::copysign(x, y);
}
NABLA_HD inline float floor(float x) {
  return ::floorf(x);
}
NABLA_HD inline double floor(double x) {
  return ::floor(x);
}
NABLA_HD inline float ceil(float x) {
  return ::ceilf(x);
}
NABLA_HD inline double ceil(double x) {
  return ::ceil(x);
}
NABLA_HD inline float trunc(float x) {
  return ::truncf(x);
}
NABLA_HD inline double trunc(double x) {
  return ::trunc(x);
}
// Rounds half to even (the default rounding mode), as torch.round does.
NABLA_HD inline float rint(float x) {
  return ::rintf(x);
}
NABLA_HD inline double rint(double x) {
  return ::rint(x);
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

// CUDA against the CPU, op by op, in the manner of ggml's test-backend-ops: every case builds its
// inputs on the CPU from a fixed seed, runs the op there and on cuda:0 from copies of the same
// inputs, and compares within the tolerance stated for the op: exact where the math is exact
// (data movement, comparisons, integer arithmetic, the shared functors of additions and products,
// compiled without fused multiply-adds), a few ulps where CUDA's exp, log, tanh and pow differ
// from glibc's, and a relative bound where a reduction or a GEMM sums in another order. Shapes
// cover contiguous, broadcast, transposed, sliced (unaligned), empty and large (vectorized) cases.
// Without a GPU every case reports as skipped.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <nabla/core/native.h>
#include <nabla/nabla.h>

namespace nabla {
namespace {

struct Tolerance {
  double absolute = 0;
  double relative = 0;
};
constexpr Tolerance kExact{};
constexpr Tolerance kUlps{1e-6, 1e-6};  // transcendental functions, float32 and float64
constexpr Tolerance kSums{1e-5, 1e-5};  // reductions and GEMM in another order

// An input of a case: its shape and dtype, and how it is laid out.
enum class Layout { Contiguous, Transposed, Sliced, Expanded };
struct InputSpec {
  Shape shape;
  ScalarType dtype = kFloat32;
  Layout layout = Layout::Contiguous;
  bool positive = false;  // for log, sqrt, pow of fractional exponents
};

struct ParityCase {
  std::string name;
  std::vector<InputSpec> inputs;
  std::function<Tensor(const std::vector<Tensor>&)> op;
  Tolerance tolerance;
};

// How gtest names a case in its output (instead of dumping its bytes).
void PrintTo(const ParityCase& c, std::ostream* out) {
  *out << c.name;
}

// Deterministic inputs on `device`: normal draws on the CPU from a seed fixed per input (integers,
// bools and unsigned bytes derived from them), moved to the device, then viewed there as the spec
// says, so that both devices see the same values in the same layout.
Tensor make_input(const InputSpec& spec, int64_t index, Device device) {
  manual_seed(1234 + static_cast<uint64_t>(index));
  const TensorOptions on_cpu = TensorOptions(kFloat64).device(kCPU);
  Shape storage_shape = spec.shape;
  if (spec.layout == Layout::Transposed && storage_shape.size() >= 2) {
    std::swap(storage_shape[storage_shape.size() - 1], storage_shape[storage_shape.size() - 2]);
  }
  if (spec.layout == Layout::Sliced) storage_shape[storage_shape.size() - 1] += 1;
  if (spec.layout == Layout::Expanded) storage_shape[0] = 1;
  Tensor values = randn(storage_shape, on_cpu) * 3;
  if (spec.positive) values = values.abs() + 0.1;
  Tensor typed;
  switch (spec.dtype) {
    case kBool:
      typed = values > 0;
      break;
    case kUInt8:
      typed = (values.abs() * 20).to(kUInt8);
      break;
    case kInt64:
      typed = values.to(kInt64);
      break;
    default:
      typed = values.to(spec.dtype);
  }
  typed = typed.to(device);
  switch (spec.layout) {
    case Layout::Contiguous:
      return typed;
    case Layout::Transposed:
      return typed.transpose(-1, -2);
    case Layout::Sliced:
      return typed.slice(-1, 1, storage_shape.back());
    case Layout::Expanded:
      return typed.expand(spec.shape);
  }
  return typed;
}

// Expects `gpu` (copied back) to match `cpu` elementwise within `tolerance`; NaNs must coincide.
void expect_match(const Tensor& cpu, const Tensor& gpu, const Tolerance& tolerance) {
  ASSERT_EQ(cpu.sizes(), gpu.sizes());
  ASSERT_EQ(cpu.dtype(), gpu.dtype());
  const std::vector<double> expected = cpu.to_vector<double>();
  const std::vector<double> got = gpu.to_vector<double>();
  int reported = 0;
  for (size_t i = 0; i < expected.size() && reported < 5; ++i) {
    const double e = expected[i], g = got[i];
    bool ok;
    if (std::isnan(e) || std::isnan(g)) {
      ok = std::isnan(e) && std::isnan(g);
    } else if (std::isinf(e) || std::isinf(g)) {
      ok = e == g;
    } else {
      ok = std::fabs(e - g) <= tolerance.absolute + tolerance.relative * std::fabs(e);
    }
    if (!ok) {
      ++reported;
      ADD_FAILURE() << "element " << i << ": cpu " << e << ", cuda " << g;
    }
  }
}

std::vector<ParityCase> parity_cases() {
  std::vector<ParityCase> cases;
  auto add = [&](std::string name, std::vector<InputSpec> inputs,
                 std::function<Tensor(const std::vector<Tensor>&)> op, Tolerance tolerance) {
    cases.push_back({std::move(name), std::move(inputs), std::move(op), tolerance});
  };
  const Shape matrix{17, 33};
  const Shape large{1 << 20};
  const std::vector<std::pair<std::string, ScalarType>> floating = {{"f32", kFloat32},
                                                                    {"f64", kFloat64}};
  const std::vector<std::pair<std::string, Layout>> layouts = {{"contiguous", Layout::Contiguous},
                                                               {"transposed", Layout::Transposed},
                                                               {"sliced", Layout::Sliced}};

  // Unary math, over float32 and float64, in three layouts.
  using Unary = std::function<Tensor(const Tensor&)>;
  const std::vector<std::tuple<std::string, Unary, Tolerance, bool>> unary = {
      {"neg", [](const Tensor& x) { return -x; }, kExact, false},
      {"abs", [](const Tensor& x) { return x.abs(); }, kExact, false},
      {"relu", [](const Tensor& x) { return x.relu(); }, kExact, false},
      {"sqrt", [](const Tensor& x) { return x.sqrt(); }, kExact, true},
      {"exp", [](const Tensor& x) { return x.exp(); }, kUlps, false},
      {"log", [](const Tensor& x) { return x.log(); }, kUlps, true},
      {"sigmoid", [](const Tensor& x) { return x.sigmoid(); }, kUlps, false},
      {"tanh", [](const Tensor& x) { return x.tanh(); }, kUlps, false},
      {"square", [](const Tensor& x) { return x.pow(2); }, kExact, false},
      {"pow_2_5", [](const Tensor& x) { return x.pow(2.5); }, kUlps, true},
      {"clamp", [](const Tensor& x) { return x.clamp(-1.5, 2.0); }, kExact, false},
      {"scale", [](const Tensor& x) { return x * 0.5 + 1; }, kExact, false},
      {"reverse_sub", [](const Tensor& x) { return 1 - x; }, kExact, false},
      {"reverse_div", [](const Tensor& x) { return 2 / x; }, kExact, true},
      {"sin", [](const Tensor& x) { return x.sin(); }, kUlps, false},
      {"cos", [](const Tensor& x) { return x.cos(); }, kUlps, false},
      {"tan", [](const Tensor& x) { return (x * 0.3).tan(); }, kUlps, false},
      {"log1p", [](const Tensor& x) { return x.log1p(); }, kUlps, true},
      {"expm1", [](const Tensor& x) { return x.expm1(); }, kUlps, false},
      {"log2", [](const Tensor& x) { return x.log2(); }, kUlps, true},
      {"log10", [](const Tensor& x) { return x.log10(); }, kUlps, true},
      {"rsqrt", [](const Tensor& x) { return x.rsqrt(); }, kExact, true},
      {"reciprocal", [](const Tensor& x) { return x.reciprocal(); }, kExact, true},
      {"square_op", [](const Tensor& x) { return x.square(); }, kExact, false},
      {"erf", [](const Tensor& x) { return x.erf(); }, kUlps, false},
      {"sign", [](const Tensor& x) { return x.sign(); }, kExact, false},
      {"floor", [](const Tensor& x) { return x.floor(); }, kExact, false},
      {"ceil", [](const Tensor& x) { return x.ceil(); }, kExact, false},
      {"round", [](const Tensor& x) { return x.round(); }, kExact, false},
      {"trunc", [](const Tensor& x) { return x.trunc(); }, kExact, false},
  };
  for (const auto& [op_name, fn, tolerance, positive] : unary) {
    for (const auto& [dtype_name, dtype] : floating) {
      for (const auto& [layout_name, layout] : layouts) {
        add(
            op_name + "_" + dtype_name + "_" + layout_name, {{matrix, dtype, layout, positive}},
            [fn = fn](const std::vector<Tensor>& in) { return fn(in[0]); }, tolerance);
      }
    }
    add(
        op_name + "_f32_large", {{large, kFloat32, Layout::Contiguous, positive}},
        [fn = fn](const std::vector<Tensor>& in) { return fn(in[0]); }, tolerance);
    add(
        op_name + "_f32_empty", {{Shape{0, 5}, kFloat32, Layout::Contiguous, positive}},
        [fn = fn](const std::vector<Tensor>& in) { return fn(in[0]); }, tolerance);
  }
  // Integer unary ops wrap and clamp exactly.
  for (const auto& [dtype_name, dtype] :
       std::vector<std::pair<std::string, ScalarType>>{{"i64", kInt64}, {"u8", kUInt8}}) {
    add(
        "neg_" + dtype_name, {{matrix, dtype}}, [](const auto& in) { return -in[0]; }, kExact);
    add(
        "abs_" + dtype_name, {{matrix, dtype}}, [](const auto& in) { return in[0].abs(); }, kExact);
    add(
        "pow_3_" + dtype_name, {{matrix, dtype}}, [](const auto& in) { return in[0].pow(3); },
        kExact);
    add(
        "clamp_" + dtype_name, {{matrix, dtype}}, [](const auto& in) { return in[0].clamp(2, 9); },
        kExact);
  }
  add(
      "clamp_i64_above_2_53", {{matrix, kInt64}},
      [](const auto& in) {
        const int64_t big = (int64_t{1} << 53) + 1;
        return (in[0] + big).clamp(big + 1, big + 3);
      },
      kExact);

  // Binary ops, broadcasting, in every dtype that has them.
  using Binary = std::function<Tensor(const Tensor&, const Tensor&)>;
  const std::vector<std::pair<std::string, Binary>> binary = {
      {"add", [](const Tensor& a, const Tensor& b) { return a + b; }},
      {"sub", [](const Tensor& a, const Tensor& b) { return a - b; }},
      {"mul", [](const Tensor& a, const Tensor& b) { return a * b; }},
      {"maximum", [](const Tensor& a, const Tensor& b) { return a.maximum(b); }},
      {"minimum", [](const Tensor& a, const Tensor& b) { return a.minimum(b); }},
      {"eq", [](const Tensor& a, const Tensor& b) { return a == b; }},
      {"lt", [](const Tensor& a, const Tensor& b) { return a < b; }},
      {"ge", [](const Tensor& a, const Tensor& b) { return a >= b; }},
  };
  const std::vector<std::pair<std::string, ScalarType>> all_numeric = {
      {"f32", kFloat32}, {"f64", kFloat64}, {"i64", kInt64}, {"u8", kUInt8}};
  for (const auto& [op_name, fn] : binary) {
    for (const auto& [dtype_name, dtype] : all_numeric) {
      add(
          op_name + "_" + dtype_name + "_same_shape", {{matrix, dtype}, {matrix, dtype}},
          [fn = fn](const auto& in) { return fn(in[0], in[1]); }, kExact);
      add(
          op_name + "_" + dtype_name + "_broadcast", {{Shape{17, 1}, dtype}, {Shape{1, 33}, dtype}},
          [fn = fn](const auto& in) { return fn(in[0], in[1]); }, kExact);
      add(
          op_name + "_" + dtype_name + "_expanded_transposed",
          {{Shape{4, 17, 33}, dtype, Layout::Expanded}, {matrix, dtype, Layout::Transposed}},
          [fn = fn](const auto& in) { return fn(in[0], in[1]); }, kExact);
    }
    add(
        op_name + "_f32_large", {{large, kFloat32}, {large, kFloat32}},
        [fn = fn](const auto& in) { return fn(in[0], in[1]); }, kExact);
  }
  add(
      "div_f32", {{matrix, kFloat32}, {matrix, kFloat32, Layout::Contiguous, true}},
      [](const auto& in) { return in[0] / in[1]; }, kExact);
  add(
      "div_i64_gives_f32", {{matrix, kInt64}, {matrix, kInt64, Layout::Contiguous, true}},
      [](const auto& in) { return in[0] / (in[1].abs() + 1); }, kExact);
  add(
      "bool_and_or", {{matrix, kBool}, {matrix, kBool}},
      [](const auto& in) { return (in[0] * in[1]) + in[0]; }, kExact);
  add(
      "where_broadcast", {{matrix, kBool}, {Shape{17, 1}, kFloat32}, {Shape{33}, kFloat32}},
      [](const auto& in) { return where(in[0], in[1], in[2]); }, kExact);
  add(
      "relu_backward", {{matrix, kFloat32}, {matrix, kFloat32}},
      [](const auto& in) {
        Tensor x = in[0].clone().requires_grad_();
        x.relu().backward(in[1]);
        return x.grad();
      },
      kExact);

  // Conversions and copies between every pair of dtypes, from strided sources.
  const std::vector<std::pair<std::string, ScalarType>> all = {
      {"bool", kBool}, {"u8", kUInt8}, {"i64", kInt64}, {"f32", kFloat32}, {"f64", kFloat64}};
  for (const auto& [from_name, from] : all) {
    for (const auto& [to_name, to] : all) {
      add(
          "convert_" + from_name + "_to_" + to_name, {{matrix, from, Layout::Transposed}},
          [to = to](const auto& in) { return in[0].to(to); }, kExact);
    }
  }
  add(
      "contiguous_of_expanded", {{Shape{5, 17, 33}, kFloat64, Layout::Expanded}},
      [](const auto& in) { return in[0].contiguous(); }, kExact);
  add(
      "copy_into_strided", {{matrix, kFloat32}, {matrix, kFloat64, Layout::Transposed}},
      [](const auto& in) {
        Tensor target = in[1].clone().t();  // a transposed destination
        target.copy_(in[0].t());
        return target;
      },
      kExact);

  // Reductions over each dim, several dims and everything.
  const Shape cube{6, 7, 300};
  const std::vector<std::pair<std::string, Shape>> dim_sets = {
      {"dim0", {0}}, {"dim1", {1}}, {"dim2", {2}}, {"dims02", {0, 2}}, {"all", {}}};
  for (const auto& [dtype_name, dtype] : floating) {
    for (const auto& [dims_name, dims] : dim_sets) {
      add(
          "sum_" + dtype_name + "_" + dims_name, {{cube, dtype}},
          [dims = dims](const auto& in) { return in[0].sum(dims); }, kSums);
      add(
          "mean_" + dtype_name + "_" + dims_name, {{cube, dtype, Layout::Transposed}},
          [dims = dims](const auto& in) { return in[0].mean(dims); }, kSums);
      add(
          "amax_" + dtype_name + "_" + dims_name, {{cube, dtype}},
          [dims = dims](const auto& in) { return in[0].amax(dims); }, kExact);
      add(
          "amin_" + dtype_name + "_" + dims_name, {{cube, dtype, Layout::Sliced}},
          [dims = dims](const auto& in) { return in[0].amin(dims); }, kExact);
    }
  }
  add(
      "sum_i64_all", {{cube, kInt64}}, [](const auto& in) { return in[0].sum(); }, kExact);
  add(
      "sum_u8_dim1_gives_i64", {{cube, kUInt8}}, [](const auto& in) { return in[0].sum({1}); },
      kExact);
  add(
      "sum_f32_large", {{Shape{1 << 22}, kFloat32}}, [](const auto& in) { return in[0].sum(); },
      Tolerance{1e-3, 1e-5});
  add(
      "sum_f32_long_rows", {{Shape{8, 100000}, kFloat32}},
      [](const auto& in) { return in[0].sum({1}); }, Tolerance{1e-3, 1e-5});
  add(
      "sum_f32_over_batch", {{Shape{64, 128}, kFloat32}},
      [](const auto& in) { return in[0].sum({0}); }, kSums);
  add(
      "sum_f32_over_long_batch", {{Shape{60000, 10}, kFloat32}},
      [](const auto& in) { return in[0].sum({0}); }, Tolerance{1e-3, 1e-5});
  add(
      "amax_with_nan", {{matrix, kFloat32}},
      [](const auto& in) { return where(in[0] > 2, full_like(in[0], NAN), in[0]).amax({1}); },
      kExact);
  for (const auto& [dtype_name, dtype] : all_numeric) {
    for (int64_t dim = 0; dim < 3; ++dim) {
      add(
          "argmax_" + dtype_name + "_dim" + std::to_string(dim), {{cube, dtype}},
          [dim](const auto& in) { return in[0].argmax(dim); }, kExact);
      add(
          "argmin_" + dtype_name + "_dim" + std::to_string(dim), {{cube, dtype, Layout::Sliced}},
          [dim](const auto& in) { return in[0].argmin(dim); }, kExact);
    }
  }
  add(
      "argmax_long_line", {{Shape{3, 5000}, kFloat32}},
      [](const auto& in) { return in[0].argmax(1); }, kExact);
  add(
      "argmax_ties_take_the_first", {{Shape{40, 1000}, kInt64}},
      [](const auto& in) { return (in[0] / 4).argmax(1); }, kExact);
  add(
      "max_values_and_indices", {{matrix, kFloat64}},
      [](const auto& in) {
        auto [values, indices] = in[0].max(1);
        return values + indices.to(kFloat64);
      },
      kExact);

  // Matrix products: plain, transposed operands, batched, broadcast batch, integers.
  for (const auto& [dtype_name, dtype] : floating) {
    add(
        "mm_" + dtype_name, {{Shape{37, 29}, dtype}, {Shape{29, 41}, dtype}},
        [](const auto& in) { return in[0].mm(in[1]); }, kSums);
    add(
        "mm_" + dtype_name + "_transposed",
        {{Shape{37, 29}, dtype, Layout::Transposed}, {Shape{29, 41}, dtype, Layout::Transposed}},
        [](const auto& in) { return in[0].mm(in[1]); }, kSums);
    add(
        "matmul_" + dtype_name + "_batched", {{Shape{5, 8, 9}, dtype}, {Shape{5, 9, 7}, dtype}},
        [](const auto& in) { return in[0].matmul(in[1]); }, kSums);
    add(
        "matmul_" + dtype_name + "_broadcast_batch",
        {{Shape{3, 1, 8, 9}, dtype}, {Shape{4, 9, 7}, dtype, Layout::Transposed}},
        [](const auto& in) { return in[0].matmul(in[1]); }, kSums);
    add(
        "matmul_" + dtype_name + "_vector", {{Shape{9}, dtype}, {Shape{6, 9, 7}, dtype}},
        [](const auto& in) { return in[0].matmul(in[1]); }, kSums);
    add(
        "matmul_" + dtype_name + "_sliced",
        {{Shape{8, 9}, dtype, Layout::Sliced}, {Shape{9, 7}, dtype}},
        [](const auto& in) { return in[0].matmul(in[1]); }, kSums);
  }
  add(
      "matmul_f32_linear_layer", {{Shape{256, 784}, kFloat32}, {Shape{128, 784}, kFloat32}},
      [](const auto& in) { return in[0].matmul(in[1].t()); }, Tolerance{1e-4, 1e-5});
  add(
      "matmul_i64", {{Shape{4, 6, 5}, kInt64}, {Shape{5, 3}, kInt64}},
      [](const auto& in) { return in[0].matmul(in[1]); }, kExact);
  add(
      "matmul_u8_wraps", {{Shape{7, 5}, kUInt8}, {Shape{5, 3}, kUInt8}},
      [](const auto& in) { return in[0].matmul(in[1]); }, kExact);
  add(
      "matmul_empty_inner", {{Shape{3, 0}, kFloat32}, {Shape{0, 4}, kFloat32}},
      [](const auto& in) { return in[0].matmul(in[1]); }, kExact);

  // Indexing.
  // count indices below limit, repeating, in a scrambled order: (7 i + 3) mod limit.
  auto indices = [](int64_t count, int64_t limit) {
    std::vector<int64_t> values(count);
    for (int64_t i = 0; i < count; ++i) values[i] = (7 * i + 3) % limit;
    return tensor(values, TensorOptions(kInt64).device(kCPU));
  };
  for (const auto& [dtype_name, dtype] : all) {
    add(
        "index_select_dim0_" + dtype_name, {{matrix, dtype}},
        [indices](const auto& in) {
          return in[0].index_select(0, indices(25, 17).to(in[0].device()));
        },
        kExact);
    add(
        "index_select_dim1_" + dtype_name, {{matrix, dtype, Layout::Transposed}},
        [indices](const auto& in) {
          return in[0].index_select(1, indices(9, 33).to(in[0].device()));
        },
        kExact);
    add(
        "gather_" + dtype_name, {{matrix, dtype}},
        [indices](const auto& in) {
          return in[0].gather(1, indices(17 * 5, 33).reshape({17, 5}).to(in[0].device()));
        },
        kExact);
  }
  for (const auto& [dtype_name, dtype] : all_numeric) {
    add(
        "scatter_add_repeated_" + dtype_name, {{Shape{17, 5}, dtype}},
        [indices](const auto& in) {
          Tensor out = zeros({17, 3}, TensorOptions(in[0].dtype()).device(in[0].device()));
          const Tensor index = indices(17 * 5, 3).reshape({17, 5}).to(in[0].device());
          native::scatter_add_(out, 1, index, in[0]);
          return out;
        },
        dtype == kFloat32 ? kSums : kExact);
  }
  add(
      "one_hot", {{Shape{64}, kInt64}},
      [](const auto& in) { return one_hot(in[0].abs().clamp(0, 9), 10); }, kExact);

  // Softmax along each dim.
  for (const auto& [dtype_name, dtype] : floating) {
    for (int64_t dim = 0; dim < 3; ++dim) {
      add(
          "softmax_" + dtype_name + "_dim" + std::to_string(dim), {{cube, dtype}},
          [dim](const auto& in) { return in[0].softmax(dim); }, kUlps);
      add(
          "log_softmax_" + dtype_name + "_dim" + std::to_string(dim),
          {{cube, dtype, Layout::Transposed}},
          [dim](const auto& in) { return in[0].log_softmax(dim); }, kUlps);
    }
  }
  add(
      "log_softmax_large_logits", {{Shape{4, 10}, kFloat32}},
      [](const auto& in) { return (in[0] * 1000).log_softmax(1); }, kUlps);

  // Convolution (oneDNN against cuDNN), pooling and batch normalization, with their gradients.
  for (const auto& [dtype_name, dtype] : floating) {
    add(
        "conv2d_" + dtype_name, {{Shape{4, 6, 13, 11}, dtype}, {Shape{8, 3, 3, 2}, dtype}},
        [](const auto& in) {
          Tensor x = in[0].clone().requires_grad_(), w = in[1].clone().requires_grad_();
          const Tensor y = conv2d(x, w, Tensor(), {2, 1}, {1}, {1, 2}, 2);
          (y * y).sum().backward();
          return y.sum() + x.grad().sum() * 3 + w.grad().abs().sum() * 7;
        },
        Tolerance{1e-4, 1e-4});
    add(
        "conv2d_" + dtype_name + "_mnist",
        {{Shape{64, 1, 28, 28}, dtype}, {Shape{32, 1, 3, 3}, dtype}},
        [](const auto& in) { return conv2d(in[0], in[1]); }, Tolerance{1e-4, 1e-4});
    add(
        "max_pool2d_" + dtype_name, {{Shape{3, 4, 11, 10}, dtype}},
        [](const auto& in) {
          Tensor x = in[0].clone().requires_grad_();
          auto [y, indices] = max_pool2d_with_indices(x, {3, 2}, {2}, {1}, {1, 2}, true);
          y.sum().backward();
          return x.grad() + indices.sum().to(x.dtype());
        },
        kExact);
    add(
        "avg_pool2d_" + dtype_name, {{Shape{3, 4, 11, 10}, dtype}},
        [](const auto& in) {
          Tensor x = in[0].clone().requires_grad_();
          const Tensor y = avg_pool2d(x, {3}, {2}, {1}, true, false);
          (y * y).sum().backward();
          return x.grad();
        },
        kSums);
    add(
        "adaptive_avg_pool2d_" + dtype_name, {{Shape{2, 3, 13, 9}, dtype}},
        [](const auto& in) {
          return adaptive_avg_pool2d(in[0], {5, 4});
        },
        kSums);
    add(
        "batch_norm_" + dtype_name, {{Shape{8, 5, 6, 6}, dtype}},
        [](const auto& in) {
          Tensor x = in[0].clone().requires_grad_();
          const Tensor y = batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5);
          (y * y * y).sum().backward();
          return x.grad();
        },
        Tolerance{1e-4, 1e-4});
  }

  // Layers composed from the ops above, forward and backward.
  add(
      "activations_backward", {{Shape{8, 33}, kFloat64}},
      [](const auto& in) {
        Tensor x = in[0].clone().requires_grad_();
        const Tensor y = nn::functional::gelu(x) + nn::functional::gelu(x, "tanh") +
                         nn::functional::mish(x) + nn::functional::elu(x) +
                         nn::functional::softplus(x, 2.0, 3.0) + nn::functional::silu(x);
        (y * y).sum().backward();
        return cat({y.detach(), x.grad()});
      },
      kUlps);
  add(
      "layer_norm_backward", {{Shape{6, 4, 5}, kFloat32}, {Shape{4, 5}, kFloat32}},
      [](const auto& in) {
        Tensor x = in[0].clone().requires_grad_();
        const Tensor y = nn::functional::layer_norm(x, {4, 5}, in[1], in[1]);
        (y * y * y).sum().backward();
        return cat({y.detach().flatten(), x.grad().flatten()});
      },
      Tolerance{1e-4, 1e-4});
  add(
      "embedding_backward", {{Shape{50, 7}, kFloat32}, {Shape{40}, kInt64}},
      [](const auto& in) {
        Tensor w = in[0].clone().requires_grad_();
        const Tensor rows = nn::functional::embedding(in[1].abs().clamp(0, 49), w, 0);
        (rows * rows).sum().backward();
        return w.grad();
      },
      kSums);

  // The losses with their options, loss and input gradient together.
  add(
      "weighted_spatial_cross_entropy_backward",
      {{Shape{4, 5, 3, 3}, kFloat32},
       {Shape{4, 3, 3}, kInt64},
       {Shape{5}, kFloat32, Layout::Contiguous, true}},
      [](const auto& in) {
        Tensor x = in[0].clone().requires_grad_();
        const Tensor loss = nn::functional::cross_entropy(
            x, in[1].abs().clamp(0, 4),
            nn::CrossEntropyOptions().weight(in[2]).label_smoothing(0.1));
        loss.backward();
        return x.grad() + loss;
      },
      kSums);
  add(
      "soft_cross_entropy_backward", {{Shape{16, 10}, kFloat64}, {Shape{16, 10}, kFloat64}},
      [](const auto& in) {
        Tensor x = in[0].clone().requires_grad_();
        const Tensor loss = nn::functional::cross_entropy(x, softmax(in[1], 1));
        loss.backward();
        return x.grad() + loss;
      },
      kSums);
  add(
      "binary_cross_entropy_losses_backward",
      {{Shape{8, 6}, kFloat32},
       {Shape{8, 6}, kFloat32},
       {Shape{6}, kFloat32, Layout::Contiguous, true}},
      [](const auto& in) {
        Tensor x = in[0].clone().requires_grad_();
        const Tensor y = sigmoid(in[1]);
        const Tensor loss =
            nn::functional::binary_cross_entropy_with_logits(
                x, y, nn::BCEWithLogitsLossOptions().pos_weight(in[2])) +
            nn::functional::binary_cross_entropy(sigmoid(x), y, nn::BCELossOptions().weight(in[2]));
        loss.backward();
        return x.grad() + loss;
      },
      kSums);
  add(
      "regression_losses_backward", {{Shape{7, 9}, kFloat64}, {Shape{7, 9}, kFloat64}},
      [](const auto& in) {
        Tensor x = in[0].clone().requires_grad_();
        const Tensor loss =
            nn::functional::smooth_l1_loss(x, in[1], nn::SmoothL1LossOptions().beta(0.5)) +
            nn::functional::huber_loss(x, in[1], nn::HuberLossOptions().delta(2)) +
            nn::functional::kl_div(log_softmax(x, 1), softmax(in[1], 1),
                                   nn::KLDivLossOptions().reduction(nn::kBatchMean)) +
            nn::functional::cosine_embedding_loss(x, in[1],
                                                  (in[1].select(1, 0) > 0).to(kInt64) * 2 - 1);
        loss.backward();
        return x.grad() + loss;
      },
      kSums);

  // Random draws: the same Philox stream on both devices.
  for (const auto& [dtype_name, dtype] : floating) {
    add(
        "rand_" + dtype_name, {{Shape{1001}, dtype}},
        [dtype = dtype](const auto& in) {
          manual_seed(7);
          return rand({1001}, TensorOptions(dtype).device(in[0].device()));
        },
        kExact);
    add(
        "randn_" + dtype_name, {{Shape{1001}, dtype}},
        [dtype = dtype](const auto& in) {
          manual_seed(7);
          return randn({1001}, TensorOptions(dtype).device(in[0].device()));
        },
        kUlps);
  }
  add(
      "dropout_mask", {{Shape{64, 128}, kFloat32}},
      [](const auto& in) {
        manual_seed(11);
        return nn::functional::dropout(ones_like(in[0]), 0.3, true);
      },
      kExact);

  // Optimizer steps: the shared update, element for element.
  add(
      "adam_three_steps", {{Shape{300}, kFloat32}, {Shape{300}, kFloat32}},
      [](const auto& in) {
        Tensor p = in[0].clone().requires_grad_();
        optim::Adam adam({p}, optim::AdamOptions(1e-2).weight_decay(0.1).amsgrad(true));
        for (int step = 0; step < 3; ++step) {
          adam.zero_grad();
          (p * in[1]).sum().backward();
          adam.step();
        }
        return p.detach();
      },
      kSums);
  add(
      "sgd_nesterov_three_steps", {{Shape{300}, kFloat64}, {Shape{300}, kFloat64}},
      [](const auto& in) {
        Tensor p = in[0].clone().requires_grad_();
        optim::SGD sgd({p}, optim::SGDOptions(0.1).momentum(0.9).nesterov(true));
        for (int step = 0; step < 3; ++step) {
          sgd.zero_grad();
          (p * p * in[1]).sum().backward();
          sgd.step();
        }
        return p.detach();
      },
      kSums);

  // Sorting and scans: CUB's segmented sort and scans against the CPU's.
  for (const auto& [dtype_name, dtype] : floating) {
    add(
        "sort_rows_" + dtype_name, {{Shape{37, 300}, dtype, Layout::Transposed}},
        [](const auto& in) {
          auto [values, indices] = in[0].sort(1, true);
          return values + indices.to(values.dtype());
        },
        kExact);
    add(
        "argsort_long_row_" + dtype_name, {{Shape{70000}, dtype}},
        [](const auto& in) { return in[0].argsort(); }, kExact);
    add(
        "topk_backward_" + dtype_name, {{Shape{16, 50}, dtype}},
        [](const auto& in) {
          Tensor x = in[0].clone().requires_grad_();
          std::get<0>(x.topk(5, 1)).sum().backward();
          return x.grad();
        },
        kExact);
    add(
        "cumsum_cumprod_" + dtype_name, {{Shape{9, 300}, dtype, Layout::Sliced}},
        [](const auto& in) { return in[0].cumsum(1) + (in[0] / 3).cumprod(0); }, kSums);
    add(
        "cumsum_long_row_" + dtype_name, {{Shape{200000}, dtype}},
        [](const auto& in) { return in[0].cumsum(0); }, kSums);
    add(
        "cumprod_backward_" + dtype_name, {{Shape{6, 40}, dtype}},
        [](const auto& in) {
          Tensor x = in[0].clamp(-1, 1).masked_fill(in[0].abs() < 0.5, 0).requires_grad_();
          x.cumprod(1).sum().backward();
          return x.grad();
        },
        kSums);
    add(
        "remainder_fmod_floor_divide_" + dtype_name, {{matrix, dtype}, {matrix, dtype}},
        [](const auto& in) {
          return in[0].remainder(in[1]) + in[0].fmod(in[1]) * 3 + in[0].floor_divide(in[1]) * 7;
        },
        kUlps);
  }
  add(
      "sort_int64", {{Shape{5, 1000}, kInt64}},
      [](const auto& in) { return std::get<1>(in[0].sort(1)); }, kExact);
  add(
      "cumsum_bool_to_int64", {{Shape{4, 3000}, kBool}},
      [](const auto& in) { return in[0].cumsum(1); }, kExact);
  add(
      "integer_division_ops", {{matrix, kInt64}, {matrix, kInt64}},
      [](const auto& in) {
        const Tensor b = in[1].masked_fill(in[1] == 0, 3);
        return in[0].remainder(b) + in[0].fmod(b) * 100 + in[0].div(b, "trunc") * 10000 +
               in[0].floor_divide(b) * 1000000;
      },
      kExact);

  // Scatter, index_add, masks and nonzero.
  add(
      "scatter_src_and_value", {{Shape{12, 30}, kFloat32}, {Shape{4, 30}, kFloat32}},
      [](const auto& in) {
        const Tensor index = arange(120, TensorOptions(kInt64).device(in[0].device()))
                                 .reshape({4, 30})
                                 .remainder(12);
        return in[0].scatter(0, index, in[1]).scatter(1, index.slice(0, 0, 1) % 30, -2.0);
      },
      kExact);
  add(
      "index_add_alpha_backward", {{Shape{10, 7}, kFloat64}, {Shape{6, 7}, kFloat64}},
      [](const auto& in) {
        Tensor source = in[1].clone().requires_grad_();
        const Tensor index = tensor({1, 3, 1, 9, 0, 3}, TensorOptions().device(in[0].device()));
        const Tensor out = in[0].index_add(0, index, source, 0.5);
        (out * out).sum().backward();
        return out.sum() + source.grad().sum({0});
      },
      kSums);
  add(
      "masked_select_nonzero", {{Shape{40, 50}, kFloat32}},
      [](const auto& in) {
        const Tensor mask = in[0] > 0.5;
        return cat({in[0].masked_select(mask), mask.nonzero().to(kFloat32).reshape({-1})});
      },
      kExact);

  // Indexing with every index kind, reading and writing, and its gradient.
  add(
      "index_and_index_put", {{Shape{6, 7, 5}, kFloat32}, {Shape{6, 7, 5}, kFloat32}},
      [](const auto& in) {
        using namespace indexing;  // NOLINT
        const TensorOptions on(in[0].device());
        Tensor x = in[0].clone().requires_grad_();
        const Tensor rows = tensor({4, 0, -1, 2}, on);
        const Tensor read = x.index({rows, Slice(1, None, 2), in[1].index({0, 0}) > 0});
        Tensor y = in[1].clone();
        y.index_put_({Slice(), tensor({1, 3}, on), tensor({0, 4}, on)}, -1.5);
        y.index_put_({"...", 2}, read.sum());
        (read * read).sum().backward();
        return cat({read.reshape({-1}).detach(), y.reshape({-1}), x.grad().reshape({-1})});
      },
      kSums);
  add(
      "in_place_on_graph", {{Shape{300}, kFloat64}, {Shape{300}, kFloat64}},
      [](const auto& in) {
        Tensor x = in[0].clone().requires_grad_(), w = in[1].clone().requires_grad_();
        Tensor y = x * 1;
        y.mul_(w).add_(x).tanh_().masked_fill_(y > 0.5, 0.25);
        y.sum().backward();
        return cat({y.detach(), x.grad(), w.grad()});
      },
      kUlps);

  // einsum and the products built on matmul.
  add(
      "einsum_batched_contraction", {{Shape{3, 5, 7}, kFloat32}, {Shape{3, 7, 4}, kFloat32}},
      [](const auto& in) {
        return cat({einsum("bij,bjk->bki", {in[0], in[1]}).reshape({-1}),
                    einsum("bij->bj", {in[0]}).reshape({-1})});
      },
      kSums);

  // Random ops on the same Philox stream.
  add(
      "randint_randperm_multinomial", {{Shape{1}, kFloat32}},
      [](const auto& in) {
        const TensorOptions on(in[0].device());
        manual_seed(21);
        const Tensor r = randint(-5, 9, {500}, on);
        const Tensor p = randperm(300, on);
        const Tensor weights = arange(1, 11, 1, TensorOptions(kFloat64).device(in[0].device()));
        return cat({r, p, multinomial(weights, 6), multinomial(weights, 50, true)});
      },
      kExact);
  add(
      "bernoulli_normal_uniform_in_place", {{Shape{3000}, kFloat64}},
      [](const auto& in) {
        manual_seed(22);
        Tensor t = in[0].clone();
        t.normal_(1, 2);
        Tensor u = in[0].clone();
        u.uniform_(-3, 3);
        return t + u * 10 + bernoulli(in[0].sigmoid()) * 100;
      },
      kUlps);

  // RMSprop (centered, momentum) and Adagrad: the shared updates.
  add(
      "rmsprop_adagrad_three_steps", {{Shape{300}, kFloat32}, {Shape{300}, kFloat32}},
      [](const auto& in) {
        Tensor p = in[0].clone().requires_grad_(), q = in[0].clone().requires_grad_();
        optim::RMSprop rmsprop(
            {p}, optim::RMSpropOptions(1e-2).centered(true).momentum(0.9).weight_decay(0.1));
        optim::Adagrad adagrad({q}, optim::AdagradOptions(0.1).lr_decay(0.01));
        for (int step = 0; step < 3; ++step) {
          rmsprop.zero_grad();
          adagrad.zero_grad();
          ((p * p + q * q) * in[1]).sum().backward();
          rmsprop.step();
          adagrad.step();
        }
        return p.detach() + q.detach() * 10;
      },
      kSums);

  // A small MLP's loss and input gradient: forward, cross entropy and the whole backward.
  add(
      "mlp_cross_entropy_backward", {{Shape{32, 20}, kFloat64}, {Shape{32}, kInt64}},
      [](const auto& in) {
        manual_seed(5);
        nn::Sequential model(nn::Linear(20, 16), nn::Tanh(), nn::Linear(16, 10));
        model->to(kFloat64);
        model->to(in[0].device());
        Tensor x = in[0].clone().requires_grad_();
        const Tensor loss = nn::functional::cross_entropy(model(x), in[1].abs().clamp(0, 9));
        loss.backward();
        return x.grad() + loss;
      },
      kSums);
  return cases;
}

class DeviceParity : public ::testing::TestWithParam<ParityCase> {};

// The case itself is sound: its inputs build and its op runs on the CPU, twice alike. This runs
// everywhere, so that a broken case is found here and not in the short time on a GPU machine.
TEST_P(DeviceParity, CaseRunsOnTheCpu) {
  const ParityCase& c = GetParam();
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    inputs.push_back(make_input(c.inputs[i], static_cast<int64_t>(i), Device(kCPU)));
    EXPECT_EQ(inputs.back().sizes(), c.inputs[i].shape);
  }
  const Tensor first = c.op(inputs);
  const Tensor second = c.op(inputs);
  ASSERT_TRUE(first.defined());
  EXPECT_TRUE(first.is_cpu());
  EXPECT_EQ(first.to_vector<double>().size(), static_cast<size_t>(first.numel()));
  expect_match(first, second, kExact);
}

TEST_P(DeviceParity, CudaMatchesCpu) {
  if (!cuda::is_available()) GTEST_SKIP() << "no usable CUDA device on this machine";
  const ParityCase& c = GetParam();
  std::vector<Tensor> cpu_inputs, gpu_inputs;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    cpu_inputs.push_back(make_input(c.inputs[i], static_cast<int64_t>(i), Device(kCPU)));
    gpu_inputs.push_back(make_input(c.inputs[i], static_cast<int64_t>(i), Device(kCUDA, 0)));
  }
  const Tensor expected = c.op(cpu_inputs);
  const Tensor got = c.op(gpu_inputs);
  cuda::synchronize();
  ASSERT_TRUE(got.is_cuda());
  expect_match(expected, got, c.tolerance);
}

INSTANTIATE_TEST_SUITE_P(Ops, DeviceParity, ::testing::ValuesIn(parity_cases()),
                         [](const ::testing::TestParamInfo<ParityCase>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace nabla

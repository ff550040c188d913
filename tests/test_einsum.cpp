// bmm, outer, addmm and einsum: values against hand results and matmul, implicit outputs,
// broadcasting size-1 labels, errors and gradients, on every device.
#include "device_test.h"
#include "test_helpers.h"

#include <vector>

namespace nabla {
namespace {

using testing::expect_error;
using testing::expect_tensor;
using testing::kNan;
using Inputs = std::vector<Tensor>;

NABLA_DEVICE_SUITE(Einsum);

TEST_P(Einsum, BmmOuterAddmm) {
  const Tensor a = arange(12, kFloat32).reshape({2, 2, 3});
  const Tensor b = ones({2, 3, 1});
  expect_tensor<float>(a.bmm(b), {2, 2, 1}, {3, 12, 21, 30});
  expect_tensor<int64_t>(tensor({1, 2}).outer(tensor({3, 4, 5})), {2, 3}, {3, 4, 5, 6, 8, 10});
  const Tensor m1 = tensor({{1.0, 2.0}, {3.0, 4.0}}, kFloat64);
  const Tensor eye = tensor({{1.0, 0.0}, {0.0, 1.0}}, kFloat64);
  expect_tensor<double>(tensor({{1.0}}, kFloat64).addmm(m1, eye, 2, 3), {2, 2}, {5, 8, 11, 14});
  expect_tensor<double>(addmm(tensor({10.0, 20.0}, kFloat64), m1, eye), {2, 2}, {11, 22, 13, 24});
  // beta = 0 ignores self entirely, NaN included.
  expect_tensor<double>(tensor({kNan}, kFloat64).addmm(m1, eye, 0, 1), {2, 2}, {1, 2, 3, 4});
  expect_error([&] { m1.bmm(m1); }, {"bmm", "[2, 2]"});
  expect_error([&] { a.bmm(ones({3, 3, 1})); }, {"bmm", "[2, 2, 3]", "[3, 3, 1]"});
  expect_error([&] { m1.outer(tensor({1.0})); }, {"outer", "1-D"});
  expect_error([&] { ones({3, 3}).addmm(m1, eye); }, {"addmm", "[3, 3]", "[2, 2]"});
}

TEST_P(Einsum, CommonFormsMatchTheirOps) {
  manual_seed(8);
  const Tensor a = randn({3, 4}, kFloat64), b = randn({4, 5}, kFloat64);
  const Tensor x = randn({2, 3, 4}, kFloat64), y = randn({2, 4, 5}, kFloat64);
  const Tensor v = randn({4}, kFloat64), w = randn({4}, kFloat64);
  EXPECT_TRUE(allclose(einsum("ij,jk->ik", {a, b}), a.matmul(b)));
  EXPECT_TRUE(allclose(einsum("ij,jk", {a, b}), a.matmul(b)));  // implicit output "ik"
  EXPECT_TRUE(allclose(einsum("bij,bjk->bik", {x, y}), x.bmm(y)));
  EXPECT_TRUE(allclose(einsum("bij,bjk->bki", {x, y}), x.bmm(y).transpose(1, 2)));
  EXPECT_TRUE(allclose(einsum("ij->ji", {a}), a.t()));
  EXPECT_TRUE(allclose(einsum("ij->", {a}), a.sum()));
  EXPECT_TRUE(allclose(einsum("ij->j", {a}), a.sum({0})));
  EXPECT_TRUE(allclose(einsum("i,i->", {v, w}), (v * w).sum()));
  EXPECT_TRUE(allclose(einsum("i,j->ij", {v, w}), v.outer(w)));
  EXPECT_TRUE(allclose(einsum("ij,ij->i", {a, a}), (a * a).sum({1})));
  EXPECT_TRUE(allclose(einsum("ij, kj -> ik", {a, a}), a.matmul(a.t())));
  EXPECT_TRUE(allclose(einsum("bi,bj->bij", {a, a}), a.unsqueeze(2) * a.unsqueeze(1)));
  // A label only one side has and the output lacks is summed first.
  EXPECT_TRUE(allclose(einsum("ij,k->i", {a, v}), a.sum({1}) * v.sum()));
  // A size-1 label broadcasts to the other side's size.
  EXPECT_TRUE(allclose(einsum("ij,jk->ik", {a.slice(1, 0, 1), b}), a.slice(1, 0, 1) * b.sum({0})));
  expect_tensor<int64_t>(einsum("i,i->", {tensor({1, 2}), tensor({3, 4})}), {}, {11});
}

TEST_P(Einsum, Errors) {
  const Tensor a = ones({2, 3});
  expect_error([&] { einsum("ii->i", {ones({2, 2})}); }, {"einsum", "'i'", "repeats"});
  expect_error([&] { einsum("ij,jk->ik", {a, ones({4, 2})}); }, {"einsum", "'j'", "size 3", "4"});
  expect_error([&] { einsum("ijk->i", {a}); }, {"einsum", "2 dims", "ijk"});
  expect_error([&] { einsum("ij->iz", {a}); }, {"einsum", "'z'"});
  expect_error([&] { einsum("ij,jk->ik", {a}); }, {"einsum", "2 operands", "1"});
  expect_error([&] { einsum("...ij->ij", {a}); }, {"einsum", "'...'"});
}

TEST_P(Einsum, GradientsMatchFiniteDifferences) {
  manual_seed(9);
  const Tensor x = randn({2, 3, 4}, kFloat64).requires_grad_();
  const Tensor y = randn({2, 4, 3}, kFloat64).requires_grad_();
  const Tensor m = randn({3, 3}, kFloat64).requires_grad_();
  auto check = [](const autograd::GradcheckFunction& fn, const Inputs& inputs) {
    const autograd::GradcheckResult r = autograd::gradcheck(fn, inputs);
    EXPECT_TRUE(r.ok) << r.report;
  };
  check([](const Inputs& in) { return einsum("bij,bjk->bki", {in[0], in[1]}); }, {x, y});
  check([](const Inputs& in) { return einsum("bij,bji->b", {in[0], in[1]}); }, {x, y});
  check([](const Inputs& in) { return in[0].bmm(in[1]); }, {x, y});
  check(
      [](const Inputs& in) { return in[2].addmm(in[0].select(0, 0), in[1].select(0, 1), 0.5, 2); },
      {x, y, m});
  check(
      [](const Inputs& in) {
        return in[0].select(0, 0).select(0, 1).outer(in[1].select(1, 0).select(1, 2));
      },
      {x, y});
}

}  // namespace
}  // namespace nabla

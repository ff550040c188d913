// nabla's half of the side-by-side host-overhead benchmark: what one op costs on 8-element tensors,
// where dispatch, shape logic, allocation and graph recording are all there is to time. Measures
// c = a * b without autograd, the same with `a` requiring grad (the graph is recorded, no
// backward), and forward plus backward of a 100-op chain per op, and prints one JSON line
// (common.h). Its twin overhead_libtorch.cpp measures the same in libtorch. Built only by the
// comparison script that runs both, never by the project's build or tests.
#include <nabla/nabla.h>

#include "common.h"

int main() {
  using namespace nabla;
  const Tensor a = ones({8}), b = full({8}, 1.5);
  const Tensor a_recorded = ones({8}, requires_grad());
  Tensor c;  // each call's result replaces the last, as a loop's would
  const double mul_ns = compare::median_ns_per_call([&] { c = a * b; });
  const double mul_autograd_ns = compare::median_ns_per_call([&] { c = a_recorded * b; });

  // Alternating * and + keeps the values finite however long the chain (1.001 stays near 1).
  constexpr int kChainOps = 100;
  Tensor leaf = ones({8}, requires_grad());
  const Tensor factor = full({8}, 1.001);
  const double chain_ns = compare::median_ns_per_call([&] {
    Tensor y = leaf;
    for (int i = 0; i < kChainOps; ++i) y = i % 2 == 0 ? y * factor : y + factor;
    y.sum().backward();
    leaf.mutable_grad() = Tensor();  // a fresh gradient each time, not an accumulation
  });

  compare::print_overhead("nabla", mul_ns, mul_autograd_ns, chain_ns / kChainOps);
  return 0;
}

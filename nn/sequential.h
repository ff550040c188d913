// nn::Sequential: runs its modules in order, each taking and returning one tensor. The modules
// are registered as children "0", "1", ..., so parameters are named "1.weight" as in PyTorch.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <nabla/nn/module.h>

namespace nabla::nn {

class SequentialImpl : public Module {
 public:
  SequentialImpl() : Module("Sequential") {}
  template <typename... Holders>
  explicit SequentialImpl(Holders&&... holders) : Module("Sequential") {
    (push_back(std::forward<Holders>(holders)), ...);
  }

  template <typename Holder>
  void push_back(Holder holder) {
    auto impl = holder.ptr();
    register_module(std::to_string(steps_.size()), holder);
    steps_.push_back([impl](const Tensor& x) { return impl->forward(x); });
  }
  Tensor forward(const Tensor& input) const {
    Tensor x = input;
    for (const auto& step : steps_) x = step(x);
    return x;
  }
  size_t size() const { return steps_.size(); }
  void pretty_print(std::ostream& out) const override { out << "Sequential"; }

 private:
  std::vector<std::function<Tensor(const Tensor&)>> steps_;
};
NABLA_MODULE(Sequential);

}  // namespace nabla::nn

// Module's registration and tree walks.
#include <nabla/nn/module.h>

#include <nabla/autograd/grad_mode.h>
#include <nabla/core/native.h>

namespace nabla::nn {
namespace {

void check_name(const std::string& name, const char* what) {
  NABLA_CHECK(!name.empty() && name.find('.') == std::string::npos, "Module: ", what, " name \"",
              name, "\" must be non-empty and contain no '.'");
}

template <typename Entries>
void check_unique(const Entries& entries, const std::string& name, const char* what) {
  for (const auto& entry : entries) {
    NABLA_CHECK(entry.first != name, "Module: a ", what, " named \"", name,
                "\" is already registered");
  }
}

}  // namespace

Tensor& Module::register_parameter(std::string name, Tensor tensor, bool requires_grad) {
  check_name(name, "parameter");
  check_unique(parameters_, name, "parameter");
  NABLA_CHECK(tensor.defined(), "Module: parameter \"", name, "\" is undefined");
  tensor.set_requires_grad(requires_grad);
  parameters_.emplace_back(std::move(name), std::move(tensor));
  return parameters_.back().second;
}

Tensor& Module::register_buffer(std::string name, Tensor tensor) {
  check_name(name, "buffer");
  check_unique(buffers_, name, "buffer");
  buffers_.emplace_back(std::move(name), std::move(tensor));
  return buffers_.back().second;
}

void Module::add_child(std::string name, std::shared_ptr<Module> module) {
  check_name(name, "submodule");
  check_unique(children_, name, "submodule");
  NABLA_CHECK(module != nullptr, "Module: submodule \"", name, "\" is empty");
  children_.emplace_back(std::move(name), std::move(module));
}

std::shared_ptr<Module> Module::remove_child(const std::string& name) {
  for (auto it = children_.begin(); it != children_.end(); ++it) {
    if (it->first == name) {
      std::shared_ptr<Module> module = std::move(it->second);
      children_.erase(it);
      return module;
    }
  }
  return nullptr;
}

std::vector<std::pair<std::string, Tensor>> Module::named_tensors(
    std::vector<std::pair<std::string, Tensor>> Module::*own, bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> result = this->*own;
  if (recurse) {
    for (const auto& [child_name, child] : children_) {
      for (auto& [name, tensor] : child->named_tensors(own, true)) {
        result.emplace_back(child_name + "." + name, std::move(tensor));
      }
    }
  }
  return result;
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  return named_tensors(&Module::parameters_, recurse);
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> result;
  for (auto& [name, tensor] : named_parameters(recurse)) result.push_back(std::move(tensor));
  return result;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool recurse) const {
  return named_tensors(&Module::buffers_, recurse);
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> result;
  for (auto& [name, tensor] : named_buffers(recurse)) result.push_back(std::move(tensor));
  return result;
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> result;
  for (const auto& [name, child] : children_) result.push_back(child);
  return result;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_children() const {
  return children_;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::to(Device device) {
  NoGradGuard no_grad;
  for (const Tensor& t : parameters()) {
    t.set_data(native::to(t, device));
    // An accumulated gradient follows its parameter, as in PyTorch's Module.to.
    if (const Tensor& grad = t.grad(); grad.defined()) grad.set_data(native::to(grad, device));
  }
  for (const Tensor& t : buffers()) t.set_data(native::to(t, device));
}

void Module::to(ScalarType dtype) {
  NoGradGuard no_grad;
  for (const Tensor& t : parameters()) {
    t.set_data(native::to(t, dtype));
    if (const Tensor& grad = t.grad(); grad.defined()) grad.set_data(native::to(grad, dtype));
  }
  for (const Tensor& t : buffers()) {
    if (t.is_floating_point()) t.set_data(native::to(t, dtype));
  }
}

void Module::zero_grad(bool set_to_none) {
  for (Tensor& t : parameters()) {
    Tensor& grad = t.mutable_grad();
    if (!grad.defined()) continue;
    if (set_to_none) {
      grad = Tensor();
    } else {
      native::fill_(grad, 0);
    }
  }
}

void Module::print_tree(std::ostream& out, int indent) const {
  pretty_print(out);
  if (children_.empty()) return;
  out << "(\n";
  for (const auto& [name, child] : children_) {
    out << std::string(indent + 2, ' ') << "(" << name << "): ";
    child->print_tree(out, indent + 2);
    out << "\n";
  }
  out << std::string(indent, ' ') << ")";
}

namespace {

// 1234567 -> "1,234,567", as model summaries print counts.
std::string grouped(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::ostream& operator<<(std::ostream& out, const Module& module) {
  module.print_tree(out, 0);
  if (!module.children_.empty()) {
    int64_t total = 0, trainable = 0;
    for (const Tensor& p : module.parameters()) {
      total += p.numel();
      if (p.requires_grad()) trainable += p.numel();
    }
    out << "\nParameters: " << grouped(total);
    if (trainable != total) out << " (" << grouped(trainable) << " trainable)";
  }
  return out;
}

}  // namespace nabla::nn

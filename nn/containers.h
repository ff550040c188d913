// Module containers, as in libtorch: ModuleList holds modules by position ("0", "1", ...) and
// ModuleDict by name, registering them so that parameters(), to() and checkpoints see them; the
// user's forward decides how they are called. Functional makes a module from a callable, so that
// a plain function can sit in a Sequential.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <nabla/nn/module.h>

namespace nabla::nn {

namespace detail {
// The shared_ptr<Module> of a holder (nn::Linear) or of a shared_ptr to a module.
template <typename M>
std::shared_ptr<Module> module_ptr(const std::shared_ptr<M>& module) {
  return module;
}
template <typename Holder, typename = decltype(std::declval<Holder>().ptr())>
std::shared_ptr<Module> module_ptr(const Holder& holder) {
  return holder.ptr();
}
}  // namespace detail

class ModuleListImpl : public Module {
 public:
  ModuleListImpl() : Module("ModuleList") {}
  template <typename... Modules>
  explicit ModuleListImpl(Modules&&... modules) : Module("ModuleList") {
    (push_back(std::forward<Modules>(modules)), ...);
  }

  template <typename M>
  void push_back(const M& module) {
    std::shared_ptr<Module> ptr = detail::module_ptr(module);
    register_module(std::to_string(modules_.size()), ptr);
    modules_.push_back(std::move(ptr));
  }
  template <typename Container>
  void extend(const Container& modules) {
    for (const auto& m : modules) push_back(m);
  }

  // The module at `index` (negative counts from the end); as<T>() gives its own type.
  const std::shared_ptr<Module>& operator[](int64_t index) const { return modules_[wrap(index)]; }
  template <typename T>
  auto* at(int64_t index) const {
    auto* module = modules_[wrap(index)]->template as<T>();
    NABLA_CHECK(module != nullptr, "ModuleList: module ", index, " is a ",
                modules_[wrap(index)]->name(), ", not the type asked for");
    return module;
  }
  size_t size() const { return modules_.size(); }
  bool is_empty() const { return modules_.empty(); }
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }
  void pretty_print(std::ostream& out) const override { out << "ModuleList"; }

 private:
  size_t wrap(int64_t index) const {
    const auto n = static_cast<int64_t>(modules_.size());
    NABLA_CHECK(index >= -n && index < n, "ModuleList: index ", index,
                " is out of range for a list of ", n, " modules");
    return static_cast<size_t>(index < 0 ? index + n : index);
  }
  std::vector<std::shared_ptr<Module>> modules_;
};
NABLA_MODULE(ModuleList);

class ModuleDictImpl : public Module {
 public:
  ModuleDictImpl() : Module("ModuleDict") {}
  // From (name, module) pairs, in order.
  template <typename M>
  explicit ModuleDictImpl(const std::vector<std::pair<std::string, M>>& items)
      : Module("ModuleDict") {
    update(items);
  }

  // Adds `module` under `key`, or replaces the module there (keeping its position).
  template <typename M>
  void insert(const std::string& key, const M& module) {
    set(key, detail::module_ptr(module));
  }
  template <typename M>
  void update(const std::vector<std::pair<std::string, M>>& items) {
    for (const auto& [key, module] : items) insert(key, module);
  }
  // Removes the module under `key` and returns it.
  std::shared_ptr<Module> pop(const std::string& key);
  void clear();

  const std::shared_ptr<Module>& operator[](const std::string& key) const;
  template <typename T>
  auto* at(const std::string& key) const {
    auto* module = (*this)[key]->template as<T>();
    NABLA_CHECK(module != nullptr, "ModuleDict: module \"", key, "\" is a ", (*this)[key]->name(),
                ", not the type asked for");
    return module;
  }
  bool contains(const std::string& key) const;
  size_t size() const { return items_.size(); }
  bool is_empty() const { return items_.empty(); }
  std::vector<std::string> keys() const;
  std::vector<std::shared_ptr<Module>> values() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& items() const {
    return items_;
  }
  void pretty_print(std::ostream& out) const override { out << "ModuleDict"; }

 private:
  void set(const std::string& key, std::shared_ptr<Module> module);
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> items_;
};
NABLA_MODULE(ModuleDict);

class FunctionalImpl : public Module {
 public:
  using Function = std::function<Tensor(const Tensor&)>;
  explicit FunctionalImpl(Function function);
  // f(input, args...), e.g. Functional(nabla::softmax, /*dim=*/1).
  template <typename F, typename First, typename... Rest>
  FunctionalImpl(F f, First first, Rest... rest)
      : FunctionalImpl(Function(
            [f, first, rest...](const Tensor& x) -> Tensor { return f(x, first, rest...); })) {}
  Tensor forward(const Tensor& input) const { return function_(input); }
  void pretty_print(std::ostream& out) const override { out << "Functional()"; }

 private:
  Function function_;
};
NABLA_MODULE(Functional);

}  // namespace nabla::nn

// nn::Module, the base of every layer and model: it registers parameters, buffers and submodules by
// name, and walks them for parameters(), named_parameters() ("fc1.weight"), train()/eval(), to()
// and zero_grad(). ModuleHolder gives modules libtorch's value-like handles: nn::Linear fc{784,
// 128}; fc->weight, fc(x).
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nabla/core/tensor.h>

namespace nabla::nn {

class Module : public std::enable_shared_from_this<Module> {
 public:
  explicit Module(std::string name = "Module") : name_(std::move(name)) {}
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const std::string& name() const { return name_; }

  // Parameters of this module and, with recurse, of all submodules, in registration order.
  std::vector<Tensor> parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const;

  // Training mode matters to Dropout; train(false) is eval().
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Moves (or converts) every parameter and buffer in place: handles the user holds stay valid.
  void to(Device device);
  void to(ScalarType dtype);
  // Clears the gradients of all parameters (undefined when set_to_none, else zero-filled).
  void zero_grad(bool set_to_none = true);

  // This module as the implementation type T (LinearImpl, or its holder nn::Linear), or nullptr
  // when it is another kind of module: list[0]->as<nn::Linear>()->weight.
  template <typename T>
  auto* as() {
    if constexpr (has_impl_type<T>::value) {
      return dynamic_cast<typename T::ImplType*>(this);
    } else {
      return dynamic_cast<T*>(this);
    }
  }

  // Prints this module's line of the tree (its name and options); operator<< prints the whole
  // tree, and for a module with submodules the parameter count below it.
  virtual void pretty_print(std::ostream& out) const { out << name_; }

 protected:
  Tensor& register_parameter(std::string name, Tensor tensor, bool requires_grad = true);
  Tensor& register_buffer(std::string name, Tensor tensor);
  template <typename M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    add_child(std::move(name), module);
    return module;
  }
  template <typename Holder, typename = decltype(std::declval<Holder>().ptr())>
  Holder register_module(std::string name, Holder holder) {
    add_child(std::move(name), holder.ptr());
    return holder;
  }
  // Removes and returns the submodule `name` (nullptr when there is none).
  std::shared_ptr<Module> remove_child(const std::string& name);

 private:
  template <typename T, typename = void>
  struct has_impl_type : std::false_type {};
  template <typename T>
  struct has_impl_type<T, std::void_t<typename T::ImplType>> : std::true_type {};

  void add_child(std::string name, std::shared_ptr<Module> module);
  // This module's `own` list (parameters_ or buffers_) and, with recurse, its children's, named
  // "child.name".
  std::vector<std::pair<std::string, Tensor>> named_tensors(
      std::vector<std::pair<std::string, Tensor>> Module::*own, bool recurse) const;
  void print_tree(std::ostream& out, int indent) const;
  friend std::ostream& operator<<(std::ostream& out, const Module& module);

  std::string name_;
  std::vector<std::pair<std::string, Tensor>> parameters_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

std::ostream& operator<<(std::ostream& out, const Module& module);

// A shared handle to a module implementation, so that layers are passed around as values:
// nn::Linear(784, 128) makes a LinearImpl; fc->forward(x) and fc(x) call it.
template <typename Impl>
class ModuleHolder {
 public:
  using ImplType = Impl;
  // An empty holder, to be assigned later (nn::Linear fc{nullptr}).
  ModuleHolder(std::nullptr_t) {}  // NOLINT: implicit, as in libtorch
  ModuleHolder(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}  // NOLINT
  template <
      typename First, typename... Rest,
      typename = std::enable_if_t<!std::is_same_v<std::decay_t<First>, ModuleHolder> &&
                                  !std::is_same_v<std::decay_t<First>, std::nullptr_t> &&
                                  !std::is_same_v<std::decay_t<First>, std::shared_ptr<Impl>>>>
  explicit ModuleHolder(First&& first, Rest&&... rest)
      : impl_(std::make_shared<Impl>(std::forward<First>(first), std::forward<Rest>(rest)...)) {}
  ModuleHolder() : impl_(default_impl()) {}

  Impl* operator->() const { return checked(); }
  Impl& operator*() const { return *checked(); }
  const std::shared_ptr<Impl>& ptr() const { return impl_; }
  bool is_empty() const { return impl_ == nullptr; }
  // list[0] on a ModuleList, dict["key"] on a ModuleDict.
  template <typename Key>
  decltype(auto) operator[](Key&& key) const {
    return (*checked())[std::forward<Key>(key)];
  }
  template <typename... Args>
  auto operator()(Args&&... args) const {
    return checked()->forward(std::forward<Args>(args)...);
  }

 private:
  static std::shared_ptr<Impl> default_impl() {
    if constexpr (std::is_default_constructible_v<Impl>) {
      return std::make_shared<Impl>();
    } else {
      return nullptr;
    }
  }
  Impl* checked() const {
    NABLA_CHECK(impl_ != nullptr, "nn: this module holder is empty (constructed from nullptr)");
    return impl_.get();
  }
  std::shared_ptr<Impl> impl_;
};

// Declares `Name` as the holder of `NameImpl`, as libtorch's TORCH_MODULE does.
#define NABLA_MODULE(Name)                                     \
  class Name : public ::nabla::nn::ModuleHolder<Name##Impl> {  \
   public:                                                     \
    using ::nabla::nn::ModuleHolder<Name##Impl>::ModuleHolder; \
  }

}  // namespace nabla::nn

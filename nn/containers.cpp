// ModuleDict's bookkeeping and Functional's check; ModuleList lives in its header.
#include <nabla/nn/containers.h>

namespace nabla::nn {

void ModuleDictImpl::set(const std::string& key, std::shared_ptr<Module> module) {
  NABLA_CHECK(module != nullptr, "ModuleDict: the module for \"", key, "\" is empty");
  for (auto& item : items_) {
    if (item.first != key) continue;
    // Replaced in place: the submodule keeps its position in parameters() and the printout.
    std::vector<std::pair<std::string, std::shared_ptr<Module>>> after;
    bool seen = false;
    for (auto& [name, child] : items_) {
      if (seen) after.emplace_back(name, remove_child(name));
      if (name == key) seen = true;
    }
    remove_child(key);
    register_module(key, module);
    for (auto& [name, child] : after) register_module(name, child);
    item.second = std::move(module);
    return;
  }
  register_module(key, module);
  items_.emplace_back(key, std::move(module));
}

std::shared_ptr<Module> ModuleDictImpl::pop(const std::string& key) {
  for (auto it = items_.begin(); it != items_.end(); ++it) {
    if (it->first != key) continue;
    std::shared_ptr<Module> module = std::move(it->second);
    items_.erase(it);
    remove_child(key);
    return module;
  }
  NABLA_FAIL("ModuleDict: no module named \"", key, "\"");
}

void ModuleDictImpl::clear() {
  for (const auto& [key, module] : items_) remove_child(key);
  items_.clear();
}

const std::shared_ptr<Module>& ModuleDictImpl::operator[](const std::string& key) const {
  for (const auto& [name, module] : items_) {
    if (name == key) return module;
  }
  NABLA_FAIL("ModuleDict: no module named \"", key, "\"");
}

bool ModuleDictImpl::contains(const std::string& key) const {
  for (const auto& item : items_) {
    if (item.first == key) return true;
  }
  return false;
}

std::vector<std::string> ModuleDictImpl::keys() const {
  std::vector<std::string> result;
  for (const auto& item : items_) result.push_back(item.first);
  return result;
}

std::vector<std::shared_ptr<Module>> ModuleDictImpl::values() const {
  std::vector<std::shared_ptr<Module>> result;
  for (const auto& item : items_) result.push_back(item.second);
  return result;
}

FunctionalImpl::FunctionalImpl(Function function)
    : Module("Functional"), function_(std::move(function)) {
  NABLA_CHECK(function_ != nullptr, "Functional: the function is empty");
}

}  // namespace nabla::nn

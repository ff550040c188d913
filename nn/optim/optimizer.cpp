// The optimizer base, SGD, Adam and AdamW. Each step hands whole tensors to the backend, which
// applies the shared per-element update from core/math/optim.h.
#include <nabla/nn/optim/adam.h>
#include <nabla/nn/optim/optimizer.h>
#include <nabla/nn/optim/sgd.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>
#include <system_error>

#include <nabla/autograd/grad_mode.h>
#include <nabla/autograd/ops.h>
#include <nabla/core/native.h>

namespace nabla::optim {

namespace {

// Loaded step counts must be below this (see load_named_state).
constexpr int64_t kMaxStep = int64_t{1} << 53;

// State tensors that are running means of squares, which the updates take square roots of: a
// checkpoint with a negative value in one would make the weights NaN.
bool is_second_moment(const std::string& key) {
  return key == "exp_avg_sq" || key == "max_exp_avg_sq" || key == "square_avg" || key == "sum";
}

}  // namespace

Optimizer::Optimizer(std::vector<OptimizerParamGroup> groups,
                     std::unique_ptr<OptimizerOptions> defaults)
    : defaults_(std::move(defaults)) {
  for (OptimizerParamGroup& group : groups) add_param_group(std::move(group));
}

void Optimizer::add_param_group(OptimizerParamGroup group) {
  const std::vector<Tensor>& params = group.params();
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& p = params[i];
    NABLA_CHECK(p.defined() && p.is_leaf() && p.is_floating_point(),
                "optimizer: parameters must "
                "be defined floating point leaf tensors");
    // A parameter listed twice would be stepped twice per step().
    for (size_t j = 0; j < i; ++j) {
      NABLA_CHECK(params[j].impl() != p.impl(), "optimizer: a parameter appears twice in a group");
    }
    for (const OptimizerParamGroup& existing : groups_) {
      for (const Tensor& q : existing.params()) {
        NABLA_CHECK(q.impl() != p.impl(), "optimizer: a parameter appears in two groups");
      }
    }
  }
  if (!group.has_options()) group.set_options(defaults_->clone());
  groups_.push_back(std::move(group));
}

void Optimizer::zero_grad(bool set_to_none) {
  for (OptimizerParamGroup& group : groups_) {
    for (Tensor& p : group.params()) {
      Tensor& grad = p.mutable_grad();
      if (!grad.defined()) continue;
      if (set_to_none) {
        grad = Tensor();
      } else {
        native::fill_(grad, 0);
      }
    }
  }
}

std::vector<std::pair<std::string, Tensor>> Optimizer::named_state() const {
  std::vector<std::pair<std::string, Tensor>> result;
  size_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    result.emplace_back("param_groups." + std::to_string(g) + ".lr",
                        native::scalar_tensor(groups_[g].options().get_lr(), kFloat64, kCPU));
    for (const Tensor& p : groups_[g].params()) {
      auto it = state_.find(p.impl());
      // state_of() makes an empty entry for a parameter it is asked about; one that was never
      // stepped has no state to save.
      if (it != state_.end() && (it->second.step != 0 || !it->second.tensors.empty())) {
        const std::string prefix = "state." + std::to_string(index) + ".";
        result.emplace_back(prefix + "step", native::scalar_tensor(it->second.step, kInt64, kCPU));
        for (const auto& [key, tensor] : it->second.tensors)
          result.emplace_back(prefix + key, tensor);
      }
      ++index;
    }
  }
  return result;
}

namespace {

// An index as named_state() writes it: decimal digits without a sign or leading zeros, small
// enough for size_t. Anything else (including "99999999999999999999999") is not an index.
bool parse_index(const std::string& text, size_t& index) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
  const char* last = text.data() + text.size();
  const auto [end, error] = std::from_chars(text.data(), last, index);
  return error == std::errc() && end == last;
}

}  // namespace

void Optimizer::load_named_state(const std::vector<std::pair<std::string, Tensor>>& state) {
  // Index the expected entries: lr per group, and for every parameter its step and state keys.
  std::vector<const Tensor*> params;
  std::vector<const OptimizerOptions*> param_options;
  for (const OptimizerParamGroup& group : groups_) {
    for (const Tensor& p : group.params()) {
      params.push_back(&p);
      param_options.push_back(&group.options());
    }
  }
  // What the entries named, valid or not: a named entry that is wrong is reported as wrong, not
  // also as missing.
  struct Loaded {
    bool named = false;  // some entry names this parameter
    std::set<std::string> keys;
    ParamState state;
  };
  std::vector<std::string> problems;
  std::set<std::string> seen;
  std::vector<Loaded> loaded(params.size());
  std::vector<bool> lr_named(groups_.size(), false);
  std::vector<double> learning_rates(groups_.size(), 0);
  for (const auto& [name, tensor] : state) {
    if (!seen.insert(name).second) {
      problems.push_back(name + ": appears more than once");
      continue;
    }
    if (!tensor.defined()) {
      problems.push_back(name + ": undefined tensor");
      continue;
    }
    std::istringstream parts(name);
    std::string head, number, key;
    std::getline(parts, head, '.');
    std::getline(parts, number, '.');
    std::getline(parts, key);
    size_t index = 0;
    const bool numeric = parse_index(number, index);
    if (head == "param_groups" && numeric && index < groups_.size() && key == "lr") {
      lr_named[index] = true;
      if (tensor.dim() != 0 || !tensor.is_floating_point()) {
        std::ostringstream message;
        message << name << ": expected a 0-dim floating point learning rate, got shape "
                << tensor.sizes() << " " << tensor.dtype();
        problems.push_back(message.str());
        continue;
      }
      const double lr = tensor.item<double>();
      if (!valid_nonnegative(lr)) {
        std::ostringstream message;
        message << name << ": invalid learning rate " << lr;
        problems.push_back(message.str());
      } else {
        learning_rates[index] = lr;
      }
    } else if (head == "state" && numeric && index < params.size()) {
      const Tensor& param = *params[index];
      Loaded& target = loaded[index];
      target.named = true;
      target.keys.insert(key);
      if (key == "step") {
        std::ostringstream message;
        if (tensor.dim() != 0 || tensor.dtype() != kInt64) {
          message << name << ": expected a 0-dim int64 step count, got shape " << tensor.sizes()
                  << " " << tensor.dtype();
        } else if (tensor.item<int64_t>() < 0 || tensor.item<int64_t>() >= kMaxStep) {
          // Beyond 2^53 the count is no longer exact as the double that bias corrections use,
          // and INT64_MAX would overflow on the next step.
          message << name << ": step count " << tensor.item<int64_t>() << " is out of range [0, "
                  << kMaxStep << ")";
        } else {
          target.state.step = tensor.item<int64_t>();
        }
        if (!message.str().empty()) problems.push_back(message.str());
        continue;
      }
      const std::vector<std::string> keys = state_keys(*param_options[index]);
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        problems.push_back(name + ": unexpected state key \"" + key + "\"");
      } else if (tensor.sizes() != param.sizes() || tensor.dtype() != param.dtype()) {
        std::ostringstream message;
        message << name << ": shape " << tensor.sizes() << " " << tensor.dtype()
                << " does not match the parameter's " << param.sizes() << " " << param.dtype();
        problems.push_back(message.str());
      } else if (!tensor.isfinite().all().item<bool>()) {
        problems.push_back(name + ": holds NaN or infinite values");
      } else if (is_second_moment(key) && (tensor < 0).any().item<bool>()) {
        problems.push_back(name + ": holds negative values (it is a running mean of squares)");
      } else {
        target.state.tensors[key] = native::clone(native::to(tensor, param.device()));
      }
    } else {
      problems.push_back(name + ": not a state entry of this optimizer");
    }
  }
  for (size_t g = 0; g < groups_.size(); ++g) {
    if (!lr_named[g]) problems.push_back("param_groups." + std::to_string(g) + ".lr: missing");
  }
  // A parameter's state is all or nothing: its step count and every state tensor.
  for (size_t index = 0; index < params.size(); ++index) {
    if (!loaded[index].named) continue;
    std::vector<std::string> keys = state_keys(*param_options[index]);
    keys.insert(keys.begin(), "step");
    for (const std::string& key : keys) {
      if (!loaded[index].keys.count(key)) {
        problems.push_back("state." + std::to_string(index) + "." + key + ": missing");
      }
    }
  }
  if (!problems.empty()) {
    std::ostringstream message;
    message << "optimizer: cannot load the state (" << problems.size() << " problem"
            << (problems.size() == 1 ? "" : "s") << "):";
    for (const std::string& p : problems) message << "\n  " << p;
    NABLA_FAIL(message.str());
  }
  for (size_t g = 0; g < groups_.size(); ++g) groups_[g].options().set_lr(learning_rates[g]);
  state_.clear();
  for (size_t index = 0; index < params.size(); ++index) {
    if (loaded[index].named) state_[params[index]->impl()] = std::move(loaded[index].state);
  }
}

Tensor& state_tensor(std::map<std::string, Tensor>& tensors, const std::string& key,
                     const Tensor& p, double initial) {
  Tensor& slot = tensors[key];
  if (!slot.defined()) {
    slot = native::full(p.sizes(), initial, p.dtype(), p.device());
  } else if (slot.device() != p.device() || slot.dtype() != p.dtype()) {
    slot = native::to(native::to(slot, p.dtype()), p.device());
  }
  return slot;
}

namespace {

Tensor& zeros_state(std::map<std::string, Tensor>& tensors, const std::string& key,
                    const Tensor& p) {
  return state_tensor(tensors, key, p, 0.0);
}

}  // namespace

// --- SGD ---------------------------------------------------------------------------------------

SGD::SGD(std::vector<OptimizerParamGroup> groups, const SGDOptions& options)
    : Optimizer(std::move(groups), options.clone()) {
  NABLA_CHECK(valid_nonnegative(options.lr()), "SGD: invalid learning rate ", options.lr());
  NABLA_CHECK(valid_nonnegative(options.momentum()), "SGD: invalid momentum ", options.momentum());
  NABLA_CHECK(valid_nonnegative(options.dampening()), "SGD: invalid dampening ",
              options.dampening());
  NABLA_CHECK(valid_nonnegative(options.weight_decay()), "SGD: invalid weight_decay ",
              options.weight_decay());
  NABLA_CHECK(!options.nesterov() || (options.momentum() > 0 && options.dampening() == 0),
              "SGD: Nesterov momentum needs momentum > 0 and zero dampening");
}

std::vector<std::string> SGD::state_keys(const OptimizerOptions& options) const {
  const auto& o = static_cast<const SGDOptions&>(options);
  return o.momentum() != 0 ? std::vector<std::string>{"momentum_buffer"}
                           : std::vector<std::string>{};
}

void SGD::step() {
  NoGradGuard no_grad;
  for (OptimizerParamGroup& group : param_groups()) {
    const auto& o = static_cast<const SGDOptions&>(group.options());
    for (Tensor& p : group.params()) {
      const Tensor& grad = p.grad();
      if (!grad.defined()) continue;
      ParamState& state = state_of(p);
      const bool first = state.step == 0 || !state.tensors.count("momentum_buffer");
      Tensor buffer;
      if (o.momentum() != 0) {
        buffer = zeros_state(state.tensors, "momentum_buffer", p);
      }
      ++state.step;
      native::sgd_step_(p, native::contiguous(grad), buffer,
                        math::SgdOptions{o.lr(), o.momentum(), o.dampening(), o.weight_decay(),
                                         o.nesterov(), first});
    }
  }
}

// --- Adam and AdamW ------------------------------------------------------------------------------

namespace {

std::vector<std::string> adam_keys(bool amsgrad) {
  if (amsgrad) return {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
  return {"exp_avg", "exp_avg_sq"};
}

template <typename Options>
void check_adam_options(const char* name, const Options& o) {
  NABLA_CHECK(valid_nonnegative(o.lr()) && valid_nonnegative(o.eps()) && o.betas().first >= 0 &&
                  o.betas().first < 1 && o.betas().second >= 0 && o.betas().second < 1 &&
                  valid_nonnegative(o.weight_decay()),
              name, ": invalid options (lr ", o.lr(), ", betas (", o.betas().first, ", ",
              o.betas().second, "), eps ", o.eps(), ", weight_decay ", o.weight_decay(), ")");
}

// One Adam or AdamW step over every group; `decoupled` selects AdamW's weight decay. The
// parameters of a group that share an update count (all of them, unless some had no gradient in
// earlier steps) and a device and dtype are updated by one backend call.
template <typename Options>
void adam_family_step(Optimizer& optimizer, bool decoupled) {
  NoGradGuard no_grad;
  struct Batch {
    int64_t step;
    Device device;
    ScalarType dtype;
    std::vector<AdamTensors> params;
  };
  for (OptimizerParamGroup& group : optimizer.param_groups()) {
    const auto& o = static_cast<const Options&>(group.options());
    std::vector<Batch> batches;
    for (Tensor& p : group.params()) {
      const Tensor& grad = p.grad();
      if (!grad.defined()) continue;
      Optimizer::ParamState& state = optimizer.state_of(p);
      ++state.step;
      AdamTensors tensors{p, native::contiguous(grad), zeros_state(state.tensors, "exp_avg", p),
                          zeros_state(state.tensors, "exp_avg_sq", p),
                          o.amsgrad() ? zeros_state(state.tensors, "max_exp_avg_sq", p) : Tensor()};
      auto batch = std::find_if(batches.begin(), batches.end(), [&](const Batch& b) {
        return b.step == state.step && b.device == p.device() && b.dtype == p.dtype();
      });
      if (batch == batches.end()) {
        batches.push_back({state.step, p.device(), p.dtype(), {}});
        batch = batches.end() - 1;
      }
      batch->params.push_back(std::move(tensors));
    }
    for (const Batch& batch : batches) {
      native::adam_step_(batch.params,
                         math::AdamOptions{o.lr(), o.betas().first, o.betas().second, o.eps(),
                                           o.weight_decay(), decoupled, o.amsgrad(), batch.step});
    }
  }
}

}  // namespace

Adam::Adam(std::vector<OptimizerParamGroup> groups, const AdamOptions& options)
    : Optimizer(std::move(groups), options.clone()) {
  check_adam_options("Adam", options);
}

std::vector<std::string> Adam::state_keys(const OptimizerOptions& options) const {
  return adam_keys(static_cast<const AdamOptions&>(options).amsgrad());
}

void Adam::step() {
  adam_family_step<AdamOptions>(*this, false);
}

AdamW::AdamW(std::vector<OptimizerParamGroup> groups, const AdamWOptions& options)
    : Optimizer(std::move(groups), options.clone()) {
  check_adam_options("AdamW", options);
}

std::vector<std::string> AdamW::state_keys(const OptimizerOptions& options) const {
  return adam_keys(static_cast<const AdamWOptions&>(options).amsgrad());
}

void AdamW::step() {
  adam_family_step<AdamWOptions>(*this, true);
}

}  // namespace nabla::optim

// Regression tests for inputs that once overflowed, wrapped silently or were accepted when they
// should not have been: shape arithmetic, integer arithmetic, values that do not fit a dtype,
// gradient hooks, optimizer state and options, and where checkpoints may be saved.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <limits>

#include <nabla/core/native.h>

#include "temp_dir.h"
#include "test_helpers.h"

namespace nabla {
namespace {

using testing::expect_error;
using testing::expect_tensor;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// --- shape arithmetic ----------------------------------------------------------------------------

TEST(ShapeOverflow, AnEmptyShapeWhoseStridesOverflowIsAnError) {
  // Holds no elements, but its contiguous strides would be 4 * 2^62.
  expect_error([] { zeros({0, int64_t{1} << 62, 4}); }, {"[0, 4611686018427387904, 4]", "strides"});
  expect_tensor<float>(zeros({0, int64_t{1} << 40, 4}), {0, int64_t{1} << 40, 4}, {});
}

TEST(ShapeOverflow, ElementCountsBeyondInt64AreErrors) {
  expect_error(
      [] {
        (void)Shape({int64_t{1} << 40, int64_t{1} << 40}).numel();
      },
      {"more elements than int64"});
  EXPECT_EQ(Shape({int64_t{1} << 62, 4, 0}).numel(), 0);  // a 0 anywhere: no elements
  // A view that would count more elements than int64 holds.
  expect_error(
      [] {
        ones({1, 1}).expand({int64_t{1} << 40, int64_t{1} << 40});
      },
      {"more elements than int64"});
}

TEST(ShapeOverflow, ExpandRefusesNegativeSizesOtherThanMinusOne) {
  expect_error([] { ones({1}).expand({-5}); }, {"expand", "[-5]"});
  expect_error([] { ones({2, 1}).expand({2, -2}); }, {"expand", "[2, -2]"});
  expect_tensor<float>(ones({1}).expand({-1}), {1}, {1});
}

TEST(ShapeOverflow, NarrowAndSliceBoundsDoNotOverflow) {
  const Tensor x = arange(5, kInt64);
  expect_error([&] { x.narrow(0, kMax, 2); }, {"narrow", "start 9223372036854775807"});
  expect_error([&] { x.narrow(0, 3, kMax); }, {"narrow", "length 9223372036854775807"});
  expect_tensor<int64_t>(x.slice(0, 0, 5, kMax), {1}, {0});
  expect_tensor<int64_t>(x.slice(0, 1, kMax, kMax), {1}, {1});
  expect_tensor<int64_t>(x.slice(0, kMin, kMax, 2), {3}, {0, 2, 4});
}

TEST(ShapeOverflow, EveryViewStaysInsideItsStorage) {
  const Tensor x = arange(6, kFloat32);
  expect_error([&] { native::as_strided(x, {4}, {2}, 0); },
               {"as_strided", "reaches past its storage of 6"});
  expect_error([&] { native::as_strided(x, {2}, {1}, 5); }, {"as_strided", "offset 5"});
  expect_error([&] { native::as_strided(x, {2}, {kMax}, 0); }, {"as_strided"});
  expect_tensor<float>(native::as_strided(x, {3}, {2}, 1), {3}, {1, 3, 5});
}

TEST(ArangeRange, CountsIntegerRangesExactly) {
  // [INT64_MIN, INT64_MAX) in steps of INT64_MAX: INT64_MIN, -1, INT64_MAX - 1.
  expect_tensor<int64_t>(arange(kMin, kMax, kMax), {3}, {kMin, -1, kMax - 1});
  expect_tensor<int64_t>(arange(kMax, kMin, kMin), {2}, {kMax, -1});
  expect_tensor<int64_t>(arange(10, 0, -3), {4}, {10, 7, 4, 1});
}

TEST(ArangeRange, TooManyElementsIsAClearError) {
  expect_error([] { arange(0.0, 1e30); }, {"arange", "more than a tensor can hold"});
  expect_error([] { arange(0.0, 1e18, 1.0); }, {"too large"});  // fits int64, not memory
}

// --- integer arithmetic wraps, as PyTorch's does -------------------------------------------------

TEST(IntegerWrap, AddMulNegAbsAndSumWrapAround) {
  const Tensor big = tensor({kMax, kMin}, kInt64);
  expect_tensor<int64_t>(big + 1, {2}, {kMin, kMin + 1});
  expect_tensor<int64_t>(big * 2, {2}, {-2, 0});
  expect_tensor<int64_t>(big - tensor({-1, 1}, kInt64), {2}, {kMin, kMax});
  expect_tensor<int64_t>(-big, {2}, {kMin + 1, kMin});
  expect_tensor<int64_t>(big.abs(), {2}, {kMax, kMin});
  expect_tensor<int64_t>(big.square(), {2}, {1, 0});
  expect_tensor<int64_t>(tensor({kMax, int64_t{1}}, kInt64).sum(), {}, {kMin});
  expect_tensor<int64_t>(tensor({kMax, int64_t{3}}, kInt64).prod(), {}, {kMax - 2});
  expect_tensor<int64_t>(tensor({kMax, int64_t{1}, int64_t{1}}, kInt64).cumsum(0), {3},
                         {kMax, kMin, kMin + 1});
  // uint8 wraps modulo 256 (as it always did): 200 + 100 = 44, 16 * 16 = 0.
  expect_tensor<uint8_t>(tensor({200, 16}, kUInt8) + tensor({100, 16}, kUInt8), {2}, {44, 32});
  expect_tensor<uint8_t>(tensor({200, 16}, kUInt8) * tensor({2, 16}, kUInt8), {2}, {144, 0});
}

// --- values that do not fit a dtype
// ---------------------------------------------------------------

TEST(ValueFits, FullAndFillRefuseValuesTheDtypeCannotHold) {
  expect_error([] { full({2}, std::nan(""), TensorOptions(kInt64)); },
               {"full", "nan", "int64", "overflow"});
  expect_error([] { full({2}, 1000, TensorOptions(kUInt8)); }, {"full", "1000", "uint8"});
  expect_error([] { full({2}, -1, TensorOptions(kUInt8)); }, {"full", "-1", "uint8"});
  expect_error([] { full({2}, 1e300, TensorOptions(kFloat32)); }, {"full", "float32"});
  expect_error([] { full({1}, 1e19, TensorOptions(kInt64)); }, {"full", "int64"});
  expect_error([] { zeros({2}, kUInt8).fill_(256); }, {"fill_", "256", "uint8"});
  // What fits: the range's ends, floating values truncated into range, infinities in floats.
  expect_tensor<uint8_t>(full({2}, 255, TensorOptions(kUInt8)), {2}, {255, 255});
  expect_tensor<uint8_t>(full({1}, 255.9, TensorOptions(kUInt8)), {1}, {255});
  expect_tensor<int64_t>(full({1}, kMin, TensorOptions(kInt64)), {1}, {kMin});
  expect_tensor<int64_t>(full({1}, -2.5, TensorOptions(kInt64)), {1}, {-2});
  expect_tensor<float>(full({1}, testing::kInf, TensorOptions(kFloat32)), {1}, {testing::kInfF});
  expect_tensor<bool>(full({1}, 7, TensorOptions(kBool)), {1}, {true});
}

// --- gradient hooks
// --------------------------------------------------------------------------------

TEST(HookResult, AHookReturningAnotherShapeOrDtypeIsRefusedWhereItReturns) {
  const Tensor leaf = ones({2, 2}).requires_grad_();
  leaf.register_hook([](const Tensor&) { return ones({3}); });
  expect_error([&] { (leaf * 2).sum().backward(); },
               {"register_hook", "shape [3]", "[2, 2]", "a hook must return"});

  const Tensor x = ones({2}).requires_grad_();
  const Tensor y = x * 3;
  y.register_hook([](const Tensor& g) { return g.to(kFloat64); });
  expect_error([&] { y.sum().backward(); }, {"register_hook", "float64", "float32"});

  // A replacement of the gradient's own shape and dtype is used.
  const Tensor z = ones({2}).requires_grad_();
  z.register_hook([](const Tensor& g) { return g * 10; });
  (z * 3).sum().backward();
  expect_tensor<float>(z.grad(), {2}, {30, 30});
}

// --- optimizer options and loaded state
// ------------------------------------------------------------

class OptimizerStateChecks : public testing::TempDirTest {};

TEST_F(OptimizerStateChecks, OptionsMustBeFinite) {
  const Tensor w = ones({2}).requires_grad_();
  const double inf = testing::kInf, nan = testing::kNan;
  expect_error([&] { optim::Adam({w}, optim::AdamOptions(inf)); }, {"Adam", "lr inf"});
  expect_error([&] { optim::Adam({w}, optim::AdamOptions(1e-3).eps(nan)); }, {"Adam", "eps"});
  expect_error([&] { optim::AdamW({w}, optim::AdamWOptions(1e-3).weight_decay(inf)); }, {"AdamW"});
  expect_error([&] { optim::SGD({w}, optim::SGDOptions(nan)); }, {"SGD", "learning rate"});
  expect_error([&] { optim::RMSprop({w}, optim::RMSpropOptions(inf)); }, {"RMSprop"});
  expect_error([&] { optim::Adagrad({w}, optim::AdagradOptions(1e-2).lr_decay(inf)); },
               {"Adagrad"});
}

TEST_F(OptimizerStateChecks, LoadedStepCountsLearningRatesAndMomentsAreValidated) {
  const Tensor w = ones({2}).requires_grad_();
  optim::Adam adam({w}, optim::AdamOptions(0.1));
  (w * 2).sum().backward();
  adam.step();
  const auto state = adam.named_state();
  auto with = [&](const std::string& name, const Tensor& value) {
    auto changed = state;
    for (auto& [key, tensor] : changed) {
      if (key == name) tensor = value;
    }
    return changed;
  };
  expect_error([&] { adam.load_named_state(with("state.0.step", tensor({kMax}).reshape({}))); },
               {"state.0.step", "9223372036854775807", "out of range"});
  expect_error(
      [&] { adam.load_named_state(with("param_groups.0.lr", scalar_tensor(testing::kInf))); },
      {"param_groups.0.lr", "invalid learning rate inf"});
  expect_error(
      [&] {
        adam.load_named_state(with("state.0.exp_avg_sq", tensor({1.0f, -1.0f})));
      },
      {"state.0.exp_avg_sq", "negative"});
  expect_error(
      [&] {
        adam.load_named_state(with("state.0.exp_avg", tensor({1.0f, testing::kNanF})));
      },
      {"state.0.exp_avg", "NaN"});
  // Refused state leaves the optimizer as it was; valid state loads, also through a file.
  const std::string file = path("adam.safetensors");
  nn::save(adam, file);
  nn::load(adam, file);
  adam.step();
  EXPECT_EQ(adam.named_state()[1].second.item<int64_t>(), 2);  // state.0.step after two steps
}

// --- where checkpoints may be saved
// ----------------------------------------------------------------

class SaveTarget : public testing::TempDirTest {};

TEST_F(SaveTarget, ASymlinkIsFollowedAndStaysALink) {
  namespace fs = std::filesystem;
  fs::create_directory(path("real"));
  const std::string target = path("real/model.safetensors");
  fs::create_symlink(target, path("link.safetensors"));
  nn::Linear model(2, 1);
  nn::save(model, path("link.safetensors"));
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(path("link.safetensors"))));
  EXPECT_TRUE(fs::is_regular_file(target));
  nn::Linear loaded(2, 1);
  nn::load(loaded, path("link.safetensors"));
  EXPECT_TRUE(loaded->weight.equal(model->weight));
  // The temporary file went beside the target, and nothing was left behind.
  EXPECT_EQ(listing(), (std::vector<std::string>{"link.safetensors", "real"}));
}

TEST_F(SaveTarget, AnythingButARegularFileIsRefusedAndLeftAlone) {
  namespace fs = std::filesystem;
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  nn::Linear model(2, 1);
  expect_error([&] { nn::save(model, path("fifo")); }, {"fifo", "not a regular file"});
  EXPECT_TRUE(fs::is_fifo(path("fifo")));
  fs::create_directory(path("dir"));
  expect_error([&] { nn::save(model, path("dir")); }, {"a directory"});
  fs::create_symlink(path("fifo"), path("link_to_fifo"));
  expect_error([&] { nn::save(model, path("link_to_fifo")); }, {"not a regular file"});
  EXPECT_TRUE(fs::is_fifo(path("fifo")));
  fs::create_symlink(path("missing/x"), path("dangling"));
  expect_error([&] { nn::save(model, path("dangling")); }, {"whose directory does not exist"});
  EXPECT_EQ(listing(), (std::vector<std::string>{"dangling", "dir", "fifo", "link_to_fifo"}));
}

// The pid of a process that has exited (and been reaped), as a writer killed mid-save leaves.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

TEST_F(SaveTarget, TemporariesOfDeadWritersAreRemovedByTheNextSave) {
  const std::string file = path("model.safetensors");
  const std::string dead = file + ".tmp." + std::to_string(dead_pid()) + ".0";
  const std::string alive = file + ".tmp." + std::to_string(::getpid()) + ".999999";
  const std::string other = path("other.safetensors.tmp.1.0");  // another file's: not touched
  for (const std::string& name : {dead, alive, other}) write(name, std::string(64, 'x'));
  nn::Linear model(2, 1);
  nn::save(model, file);
  EXPECT_FALSE(std::filesystem::exists(dead));
  EXPECT_TRUE(std::filesystem::exists(alive));  // a writer that is still running
  EXPECT_TRUE(std::filesystem::exists(other));
  EXPECT_TRUE(std::filesystem::exists(file));
}

}  // namespace
}  // namespace nabla

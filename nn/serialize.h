// Checkpoints in the safetensors format: save and load a module's parameters and buffers or an
// optimizer's state, and the reader and writer of named tensors underneath them.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nabla/core/tensor.h>
#include <nabla/nn/module.h>
#include <nabla/nn/optim/optimizer.h>

namespace nabla::nn {

// The file layout (https://github.com/huggingface/safetensors), which PyTorch's safetensors package
// reads and writes:
//   8 bytes   N, the header's length, a little-endian uint64
//   N bytes   a JSON object: {"__metadata__": {"key": "value", ...},
//                             "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
//                             ...}
//   the rest  every tensor's bytes, row-major and little-endian, at its data_offsets (relative to
//             the end of the header); together they cover this section exactly
//
// nabla writes compact JSON (no spaces), "__metadata__" first and only when there is metadata, then
// the tensors in the order given, their data back to back in that order, and pads the header with
// spaces to a multiple of 8 bytes so that the data starts 8-byte aligned, as the reference writer
// does. dtypes: F32, F64, I64, U8 and BOOL.

// Writes `tensors` (any device, any strides: they are written as contiguous CPU data) to `path`.
// The write is atomic: the data goes to a temporary file beside `path` (path + ".tmp.<pid>.<n>")
// that is flushed to disk and then renamed over it, so `path` holds either its old content or the
// whole new file, and no temporary file is left behind on failure; temporary files that writers
// killed during a save left behind are removed by the next save to the same path. A symlink at
// `path` is followed (the file it leads to is replaced, the link stays); a `path` that is neither a
// regular file nor absent (a directory, a device such as /dev/full) is refused. Throws nabla::Error
// naming the path on duplicate or reserved names, undefined tensors and I/O errors.
void save_safetensors(const std::vector<std::pair<std::string, Tensor>>& tensors,
                      const std::string& path,
                      const std::map<std::string, std::string>& metadata = {});

// Reads every tensor of a safetensors file, as CPU tensors, in the header's order. The whole file
// is validated first (header length, at most 100 MB of strict UTF-8 JSON, dtypes, shapes, offsets
// that cover the data exactly, no duplicate names, BOOL bytes 0 or 1); anything wrong throws
// nabla::Error naming the file.
std::vector<std::pair<std::string, Tensor>> load_safetensors(const std::string& path);
// The same, also giving the file's "__metadata__" (empty when it has none).
std::vector<std::pair<std::string, Tensor>> load_safetensors(
    const std::string& path, std::map<std::string, std::string>& metadata);

// Saves every parameter and (defined) buffer of `module` under its named_parameters() and
// named_buffers() name, as in PyTorch's state_dict ("0.weight", "fc1.bias").
void save(const Module& module, const std::string& path);
// Copies a checkpoint into the module's existing tensors, in place: handles to them stay valid, and
// each keeps its device. Every name, dtype and shape is checked first, and all mismatches (missing
// and unexpected entries, other dtypes or shapes) are reported in one nabla::Error; then nothing
// has been changed.
void load(Module& module, const std::string& path);

// The tensors nn::save writes, for a checkpoint that holds more than a module (a training state
// with the optimizer's too: prefix the names to keep them apart), as PyTorch's state_dict().
std::vector<std::pair<std::string, Tensor>> state_dict(const Module& module);
// What nn::load does with a file's tensors, with named tensors from anywhere: every name, dtype and
// shape is checked first and all problems are reported in one nabla::Error naming `source` (the
// file they came from); then each is copied into the module's tensor in place.
void load_state_dict(Module& module, const std::vector<std::pair<std::string, Tensor>>& state,
                     const std::string& source);

// nn::save(model, path) with a module holder such as nn::Sequential, as torch::save takes one.
template <typename Impl>
void save(const ModuleHolder<Impl>& module, const std::string& path) {
  save(static_cast<const Module&>(*module), path);
}
template <typename Impl>
void load(const ModuleHolder<Impl>& module, const std::string& path) {
  load(static_cast<Module&>(*module), path);
}

// Saves an optimizer's named_state() (per-parameter step counts and tensors, learning rates).
void save(const optim::Optimizer& optimizer, const std::string& path);
// Restores it with load_named_state(), which checks it against the optimizer's parameters first.
void load(optim::Optimizer& optimizer, const std::string& path);

}  // namespace nabla::nn

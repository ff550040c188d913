// The umbrella header: #include <nabla/nabla.h> brings in the whole public API.
#pragma once

#include <nabla/core/allocator.h>
#include <nabla/core/device.h>
#include <nabla/core/dtype.h>
#include <nabla/core/error.h>
#include <nabla/core/factory.h>
#include <nabla/core/generator.h>
#include <nabla/core/indexing.h>
#include <nabla/core/profile.h>
#include <nabla/core/scalar.h>
#include <nabla/core/shape.h>
#include <nabla/core/tensor.h>
#include <nabla/core/tensor_options.h>
#include <nabla/core/threads.h>

#include <nabla/autograd/engine.h>
#include <nabla/autograd/function.h>
#include <nabla/autograd/grad_mode.h>
#include <nabla/autograd/gradcheck.h>
#include <nabla/autograd/ops.h>

#include <nabla/data/dataloader.h>
#include <nabla/data/dataset.h>
#include <nabla/data/idx.h>
#include <nabla/data/mnist.h>

#include <nabla/nn/nn.h>

// Everything in nn/: modules, layers, losses, init, functional forms and optimizers.
#pragma once

#include <nabla/nn/activation.h>
#include <nabla/nn/batchnorm.h>
#include <nabla/nn/containers.h>
#include <nabla/nn/conv.h>
#include <nabla/nn/dropout.h>
#include <nabla/nn/embedding.h>
#include <nabla/nn/flatten.h>
#include <nabla/nn/functional.h>
#include <nabla/nn/init.h>
#include <nabla/nn/layernorm.h>
#include <nabla/nn/linear.h>
#include <nabla/nn/loss.h>
#include <nabla/nn/module.h>
#include <nabla/nn/optim/adam.h>
#include <nabla/nn/optim/optimizer.h>
#include <nabla/nn/optim/rmsprop.h>
#include <nabla/nn/optim/scheduler.h>
#include <nabla/nn/optim/sgd.h>
#include <nabla/nn/pooling.h>
#include <nabla/nn/sequential.h>
#include <nabla/nn/serialize.h>
#include <nabla/nn/utils.h>

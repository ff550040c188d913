#include <nabla/autograd/in_place.h>

#include <nabla/autograd/grad_mode.h>
#include <nabla/autograd/meta.h>
#include <nabla/core/native.h>

namespace nabla::autograd {

void check_in_place(const char* op, const Tensor& self,
                    std::initializer_list<const Tensor*> others) {
  if (!is_grad_enabled()) return;
  NABLA_CHECK(!needs_grad(self), op, ": cannot modify in place a tensor that ",
              self.is_leaf() ? "is a leaf requiring grad" : "is part of the autograd graph",
              "; use the out-of-place op, or wrap the update in NoGradGuard");
  for (const Tensor* other : others) {
    NABLA_CHECK(other == nullptr || !other->defined() || !needs_grad(*other), op,
                ": an in-place op cannot take an operand that requires grad; use the out-of-place "
                "op");
  }
}

Tensor& apply_in_place(const char* op, Tensor& self, std::initializer_list<const Tensor*> others,
                       const std::function<Tensor(const Tensor&)>& functional) {
  native::check_defined(op, self);
  check_in_place(op, self, others);
  Tensor value;
  {
    NoGradGuard no_grad;
    value = functional(self);
  }
  NABLA_CHECK(value.sizes() == self.sizes(), op, ": the result's shape ", value.sizes(),
              " differs from the shape ", self.sizes(), " of the tensor modified in place");
  const ScalarType from = value.dtype(), to = self.dtype();
  NABLA_CHECK((!is_floating_point(from) || is_floating_point(to)) && (to != kBool || from == kBool),
              op, ": the result type ", from, " cannot be cast to the ", to,
              " tensor modified in place");
  native::copy_(self, value);
  return self;
}

}  // namespace nabla::autograd

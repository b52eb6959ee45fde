"""What the executor plans at bind time: which steps run backward (none below a BlockGrad)
and how much memory a pass needs at most (``debug_str``'s ``Total N MB allocated``, whose
values here are MXNet 1.9.1's for the same graphs)."""
import re

import numpy as np
import pytest

import teachmod as mx
from teachmod.base import MXNetError


def _total_mb(executor):
    return int(re.search(r"Total (\d+) MB allocated", executor.debug_str()).group(1))


def _chain():
    data = mx.sym.Variable("data")
    for _ in range(10):
        data = data * data
    return data


def test_memory_of_a_training_and_an_inference_pass():
    shape = (10, 3, 256, 256)  # 7.5 MB a tensor
    assert _total_mb(_chain().simple_bind(mx.cpu(), data=shape)) == 90  # as MXNet 1.9.1
    assert _total_mb(_chain().simple_bind(mx.cpu(), data=shape, grad_req="null")) == 15
    blocked = mx.sym.stop_gradient(_chain())
    assert _total_mb(blocked.simple_bind(mx.cpu(), data=shape)) == 15


def test_no_backward_runs_below_a_blockgrad():
    x = mx.sym.Variable("x")
    y = mx.sym.Variable("y")
    net = mx.sym.stop_gradient(mx.sym.exp(x, name="e")) * y
    ex = net.simple_bind(mx.cpu(), x=(3,), y=(3,))
    assert [s.name for s in ex.plan if s.needs_backward] == [net.name]
    ex.arg_dict["x"][:] = 1.0
    ex.grad_dict["x"][:] = 5.0  # written as zeros: no gradient reaches x
    ex.forward(is_train=True)
    ex.backward(mx.nd.ones((3,)))
    np.testing.assert_array_equal(ex.grad_dict["x"].asnumpy(), np.zeros(3))
    np.testing.assert_allclose(ex.grad_dict["y"].asnumpy(), np.full(3, np.e), rtol=1e-6)


def test_bind_ignores_arrays_the_symbol_does_not_use():
    y = mx.sym.Variable("x") * 2
    ex = y.bind(mx.cpu(), {"x": mx.nd.ones((2,)), "extra": mx.nd.ones((3,))},
                args_grad={"x": mx.nd.zeros((2,)), "other": mx.nd.zeros((1,))})
    np.testing.assert_array_equal(ex.forward()[0].asnumpy(), [2.0, 2.0])


def test_an_operator_without_backward_is_refused_at_bind_unless_blocked():
    from teachmod.ops.registry import Operator, register

    @register
    class _NoGradient(Operator):  # a test-only operator: forward, and no backward
        name = "_test_no_gradient"

        def forward(self, is_train, inputs, aux):
            return [inputs[0] + 1]

    x = mx.sym.Variable("x")
    y = mx.sym._internal._test_no_gradient(x, name="ng")
    try:
        with pytest.raises(MXNetError, match="'ng' is not differentiable.*stop_gradient"):
            y.simple_bind(mx.cpu(), x=(2,))
        mx.sym.stop_gradient(y).simple_bind(mx.cpu(), x=(2,)).forward()
        y.simple_bind(mx.cpu(), x=(2,), grad_req="null").forward()
    finally:
        from teachmod.ops import registry
        del registry._REGISTRY["_test_no_gradient"]

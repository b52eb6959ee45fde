"""Module.bind's grad_req as MXNet 1.9.1 spreads it over parameters and data inputs."""
from __future__ import annotations

import numpy as np

import teachmod as mx


def bound(grad_req):
    weight = mx.sym.Variable("a", shape=(1,), init=mx.init.One())
    net = mx.sym.make_loss(mx.sym.broadcast_mul(mx.sym.Variable("data"), weight))
    mod = mx.mod.Module(net, label_names=None)
    mod.bind([("data", (2,))], inputs_need_grad=True, grad_req=grad_req)
    mod.init_params()
    return mod


def step(mod):
    mod.forward_backward(mx.io.DataBatch([mx.nd.array([1.0, 3.0])], None))


def test_a_string_applies_to_the_data_too():
    mod = bound("null")
    step(mod)
    assert mod.get_input_grads() == [None]  # as MXNet: no gradient array for 'null'
    assert mod._grad_req == "null"
    mod = bound("add")
    step(mod)
    step(mod)
    np.testing.assert_array_equal(mod.get_input_grads()[0].asnumpy(), [2.0, 2.0])


def test_a_dict_overrides_the_defaults_by_name():
    mod = bound({"data": "add", "parameters": "null"})  # unknown names are ignored
    step(mod)
    step(mod)
    np.testing.assert_array_equal(mod.get_input_grads()[0].asnumpy(), [2.0, 2.0])
    grad_a = mod._exec_group.execs[0].grad_dict["a"]
    np.testing.assert_array_equal(grad_a.asnumpy(), [4.0])  # 'write': the last batch only

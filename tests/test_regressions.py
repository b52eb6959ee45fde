"""Cases found by the fuzzers or by users, kept with MXNet 1.9.1's answer."""
from __future__ import annotations

import numpy as np

import teachmod as mx


def test_fully_connected_without_flatten_on_a_single_vector():
    """MXNet 1.9.1: data (1,) gives output (2,), and backward works (values from MXNet)."""
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, flatten=False, name="fc")
    assert net.infer_shape(data=(1,)) == ([(1,), (2, 1), (2,)], [(2,)], [])
    ex = net.simple_bind(mx.cpu(), data=(1,))
    ex.arg_dict["data"][:] = 2
    ex.arg_dict["fc_weight"][:] = mx.nd.array([[1], [3]])
    ex.arg_dict["fc_bias"][:] = 0.5
    np.testing.assert_array_equal(ex.forward(is_train=True)[0].asnumpy(), [2.5, 6.5])
    ex.backward(mx.nd.array([1, 10]))
    np.testing.assert_array_equal(ex.grad_dict["data"].asnumpy(), [31])
    np.testing.assert_array_equal(ex.grad_dict["fc_weight"].asnumpy(), [[2], [20]])
    np.testing.assert_array_equal(ex.grad_dict["fc_bias"].asnumpy(), [1, 10])

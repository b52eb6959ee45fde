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


def test_batch_norm_fix_gamma_writes_one_into_gamma_when_training():
    """MXNet 1.9.1: gamma set to 0.5 reads 1.0 after a training step with lr=0 (not after an
    inference pass), so weight decay never moves it and checkpoints hold 1."""
    net = mx.sym.BatchNorm(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=3,
                                                 name="fc"), name="bn")
    net = mx.sym.SoftmaxOutput(net, name="softmax")
    mod = mx.mod.Module(net)
    mod.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))])
    mod.init_params()
    mod.init_optimizer(optimizer_params={"learning_rate": 0.0, "wd": 0.1})
    arg, aux = mod.get_params()
    arg["bn_gamma"][:] = 0.5
    mod.set_params(arg, aux)
    batch = mx.io.DataBatch([mx.nd.ones((4, 5))], [mx.nd.zeros(4)])
    mod.forward(batch, is_train=False)
    np.testing.assert_array_equal(mod.get_params()[0]["bn_gamma"].asnumpy(), [0.5] * 3)
    mod.forward(batch, is_train=True)
    mod.backward()
    mod.update()
    np.testing.assert_array_equal(mod.get_params()[0]["bn_gamma"].asnumpy(), [1.0] * 3)


def test_running_a_notebook_cell_that_registers_an_operator_twice_replaces_it():
    import pytest

    from teachmod.ops import registry

    def define(scale: float) -> type:
        class Twice(registry.Operator):  # the same qualified name each time, as a re-run cell
            name = "_test_rerun_twice"

            def forward(self, is_train, inputs, aux):
                return [inputs[0] * scale]

        return Twice

    try:
        registry.register(define(2.0))
        assert mx.nd._test_rerun_twice(mx.nd.ones(2)).asnumpy().tolist() == [2, 2]
        with pytest.warns(UserWarning, match="'_test_rerun_twice'.*defined again.*replaces"):
            registry.register(define(3.0))
        assert mx.nd._test_rerun_twice(mx.nd.ones(2)).asnumpy().tolist() == [3, 3]
        net = mx.sym._test_rerun_twice(mx.sym.Variable("x"))
        executor = net.bind(mx.cpu(), {"x": mx.nd.ones(1)})
        assert executor.forward()[0].asnumpy().tolist() == [3]

        class Other(registry.Operator):  # another class claiming the name is refused
            name = "_test_rerun_twice"

        with pytest.raises(RuntimeError, match="registered twice.*Twice.*Other"):
            registry.register(Other)
    finally:
        registry._REGISTRY.pop("_test_rerun_twice", None)

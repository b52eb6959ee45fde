"""Operators written in Python (mx.operator.CustomOp): gradients, training, JSON, bad input."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import teachmod as mx
from teachmod.base import MXNetError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mod_cases import custom_graph, define_custom_ops, graph_inputs  # noqa: E402

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "mod"
define_custom_ops(mx)


class Square(mx.operator.CustomOp):
    def forward(self, is_train, req, in_data, out_data, aux):
        self.assign(out_data[0], req[0], in_data[0] * in_data[0])

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        self.assign(in_grad[0], req[0], 2 * in_data[0] * out_grad[0])


@mx.operator.register("test_square")
class SquareProp(mx.operator.CustomOpProp):
    def create_operator(self, ctx, shapes, dtypes):
        return Square()


def test_custom_op_in_a_graph_matches_mxnet():
    net = custom_graph(mx)
    inputs = graph_inputs()
    exe = net.simple_bind(mx.cpu(), **{k: v.shape for k, v in inputs.items()})
    for name, value in inputs.items():
        exe.arg_dict[name][:] = value
    exe.forward(is_train=True)
    exe.backward()
    golden = json.loads((GOLDEN / "custom_grads.json").read_text())
    np.testing.assert_allclose(exe.outputs[0].asnumpy(), golden["outputs"][0], rtol=1e-5,
                               atol=1e-7)
    for name, grad in golden["grads"].items():
        np.testing.assert_allclose(exe.grad_dict[name].asnumpy(), grad, rtol=1e-5, atol=1e-7,
                                   err_msg=name)


def test_custom_op_gradient_matches_finite_differences():
    x = mx.sym.Variable("x")
    net = mx.sym.Custom(x, op_type="tm_scaled_tanh", scale=2.0, name="act")
    net = mx.sym.Custom(net, op_type="test_square", name="sq")
    mx.test_utils.check_numeric_gradient(net, [np.random.RandomState(0).uniform(-1, 1, (3, 4))])


def test_custom_op_names_shapes_json_and_ndarray():
    x = mx.sym.Variable("x")
    y = mx.sym.Custom(x, op_type="tm_scaled_tanh", scale=3, name="act")
    assert y.list_arguments() == ["x"] and y.list_outputs() == ["act_output"]
    assert y.infer_shape(x=(2, 5))[1] == [(2, 5)]
    node = json.loads(y.tojson())["nodes"][-1]
    assert node["op"] == "Custom" and node["attrs"] == {"op_type": "tm_scaled_tanh", "scale": "3"}
    assert mx.sym.load_json(y.tojson()).tojson() == y.tojson()
    out = mx.nd.Custom(mx.nd.array([[0.5, -1.0]]), op_type="tm_scaled_tanh", scale=3)
    np.testing.assert_allclose(out.asnumpy(), 3 * np.tanh([[0.5, -1.0]]), rtol=1e-6)
    assert mx.sym.Custom(x, op_type="test_square").name == "custom0"


def test_numpy_op_is_the_identity_by_default():
    x = mx.sym.Variable("X")
    s = mx.operator.NumpyOp().get_symbol(x, name="numpy_op")
    dx = mx.nd.zeros((4,))
    exe = s.bind(mx.cpu(), args=[mx.nd.ones((4,)) * 10], args_grad={"X": dx})
    np.testing.assert_array_equal(exe.forward(is_train=True)[0].asnumpy(), [10] * 4)
    exe.backward(mx.nd.array([1, 2, 3, 4]))
    np.testing.assert_array_equal(dx.asnumpy(), [1, 2, 3, 4])


def _train_letters(loss: str) -> tuple[float, dict]:
    data, label = mx.test_utils.get_letters()
    mx.random.seed(0)
    np.random.seed(0)
    train = mx.io.NDArrayIter(data[:3000], label[:3000], 32, shuffle=True)
    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=64)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=26)
    if loss == "custom":
        net = mx.sym.Custom(net, mx.sym.Variable("softmax_label"), op_type="tm_softmax",
                            name="softmax")
    else:
        net = mx.sym.SoftmaxOutput(net, name="softmax")
    mod = mx.mod.Module(net)
    mod.fit(train, optimizer="sgd", optimizer_params={"learning_rate": 0.1}, num_epoch=2)
    val = mx.io.NDArrayIter(data[16000:17000], label[16000:17000], 100)
    return mod.score(val, "acc")[0][1], mod.get_params()[0]


def test_custom_softmax_trains_the_seed_mlp_as_softmax_output():
    custom_acc, custom_params = _train_letters("custom")
    builtin_acc, builtin_params = _train_letters("builtin")
    assert custom_acc > 0.3  # chance is 1/26; two short epochs
    assert abs(custom_acc - builtin_acc) <= 1e-5
    for name, value in builtin_params.items():
        np.testing.assert_allclose(custom_params[name].asnumpy(), value.asnumpy(), atol=1e-5,
                                   err_msg=name)


# ---- bad input ----------------------------------------------------------------------------
class _WrongShapes(mx.operator.CustomOpProp):
    def list_outputs(self):
        return ["a", "b"]

    def infer_shape(self, in_shape):
        return in_shape, [in_shape[0]]  # one shape for two outputs

    def create_operator(self, ctx, shapes, dtypes):
        return Square()


class _Forgetful(mx.operator.CustomOp):
    def forward(self, is_train, req, in_data, out_data, aux):
        self.assign(out_data[0], req[0], in_data[0])

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        pass  # never assigns in_grad


class _ForgetfulProp(mx.operator.CustomOpProp):
    def create_operator(self, ctx, shapes, dtypes):
        return _Forgetful()


def test_infer_shape_with_the_wrong_number_of_shapes_is_an_error():
    mx.operator.register("test_wrong_shapes")(_WrongShapes)
    y = mx.sym.Custom(mx.sym.Variable("x"), op_type="test_wrong_shapes", name="bad")
    with pytest.raises(MXNetError, match=r"Custom 'bad' \(op_type 'test_wrong_shapes'\): "
                                         r"_WrongShapes.infer_shape returned 1 outputs"):
        y.infer_shape(x=(2, 3))


def test_backward_that_never_assigns_is_an_error():
    mx.operator.register("test_forgetful")(_ForgetfulProp)
    y = mx.sym.Custom(mx.sym.Variable("x"), op_type="test_forgetful", name="lazy")
    exe = y.simple_bind(mx.cpu(), x=(2, 3))
    exe.forward(is_train=True)
    with pytest.raises(MXNetError, match=r"Custom 'lazy' \(op_type 'test_forgetful'\): "
                                         r"backward\(\) did not write any gradient"):
        exe.backward([mx.nd.ones((2, 3))])


def test_unregistered_op_type_is_an_error_naming_it():
    with pytest.raises(MXNetError, match="op_type 'no_such_op' is not registered"):
        mx.sym.Custom(mx.sym.Variable("x"), op_type="no_such_op")
    document = mx.sym.Custom(mx.sym.Variable("x"), op_type="test_square").tojson()
    with pytest.raises(MXNetError, match="op_type 'renamed' is not registered.*register"):
        mx.sym.load_json(document.replace('"test_square"', '"renamed"'))


def test_assign_rejects_an_unknown_req():
    with pytest.raises(MXNetError, match="req must be"):
        Square().assign(mx.nd.zeros((1,)), "overwrite", mx.nd.ones((1,)))

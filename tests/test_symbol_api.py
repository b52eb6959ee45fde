"""Symbol API behaviour: names, attributes, inference, and clear errors for misuse."""
from __future__ import annotations

import numpy as np
import pytest

import teachmod as mx
from teachmod.base import MXNetError


def mlp():
    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=64)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=26)
    return mx.sym.SoftmaxOutput(net, name="softmax")


def test_automatic_names_follow_mxnet():
    with mx.name.NameManager():
        a = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=3)
        b = mx.sym.FullyConnected(a, num_hidden=3)
        c = mx.sym.Activation(b, act_type="relu")
        assert (a.name, b.name, c.name) == ("fullyconnected0", "fullyconnected1", "activation0")
        assert b.list_arguments()[-2:] == ["fullyconnected1_weight", "fullyconnected1_bias"]
    with mx.name.Prefix("net_"):
        d = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=3, name="fc")
    assert d.name == "net_fc" and "data" in d.list_arguments()


def test_structure_queries():
    net = mlp()
    assert net.list_arguments() == ["data", "fc1_weight", "fc1_bias", "fc2_weight",
                                    "fc2_bias", "softmax_label"]
    assert net.list_outputs() == ["softmax_output"]
    internals = net.get_internals()
    assert "fc1_output" in internals.list_outputs()
    fc1 = internals["fc1_output"]
    assert fc1.name == "fc1"
    assert fc1.get_children().list_outputs() == ["data", "fc1_weight", "fc1_bias"]
    group = mx.sym.Group([fc1, net])
    assert group.list_outputs() == ["fc1_output", "softmax_output"]
    assert repr(group) == "<Symbol group [fc1, softmax]>" and repr(net) == "<Symbol softmax>"
    assert net.attr_dict()["fc1"] == {"num_hidden": "64"}
    assert net.get_internals()["fc1_weight"].attr("num_hidden") == "64"


def test_infer_shape_type_and_partial():
    net = mlp()
    args, outs, aux = net.infer_shape(data=(32, 16))
    assert args == [(32, 16), (64, 16), (64,), (26, 64), (26,), (32,)]
    assert outs == [(32, 26)] and aux == []
    with pytest.warns(UserWarning, match="Cannot decide shape"):
        assert net.infer_shape() == (None, None, None)
    partial = net.infer_shape_partial()
    assert partial[0][0] == () and partial[1] == [()]
    types = net.infer_type(data=np.float32)
    assert types[0] == [np.float32] * 6 and types[1] == [np.float32]


def test_variable_attributes_and_hidden_keys():
    w = mx.sym.Variable("w", shape=(3, 4), lr_mult=2, wd_mult=0.0, dtype="float32")
    assert w.attr("__shape__") == "(3, 4)" and w.attr("__lr_mult__") == "2"
    assert w.list_attr()["lr_mult"] == "2" and w.attr("__dtype__") == "0"
    with mx.AttrScope(ctx_group="dev1"):
        fc = mx.sym.FullyConnected(w, num_hidden=2, name="fc", attr={"lr_mult": "0.5"})
    assert fc.attr("__ctx_group__") == "dev1" and fc.attr("__lr_mult__") == "0.5"
    with pytest.raises(ValueError, match="__note__"):
        mx.sym.Variable("x", note="plain")
    with pytest.raises(MXNetError, match="'foo' is not an operator parameter"):
        mx.sym.FullyConnected(w, num_hidden=2, attr={"foo": "bar"})


def test_arithmetic_builds_mxnet_operators():
    a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
    expr = 1 - (a + b) * 2 / 4
    ex = expr.bind(mx.cpu(), {"a": mx.nd.array([1.0, 2.0]), "b": mx.nd.array([3.0, 4.0])})
    np.testing.assert_allclose(ex.forward()[0].asnumpy(), [-1.0, -2.0])
    assert (2 ** a).name == "_rpower_scalar0" or (2 ** a).name.startswith("_rpower_scalar")


@pytest.mark.parametrize("build, message", [
    (lambda x: mx.sym.FullyConnected(x, num_hiden=64), r"FullyConnected 'fullyconnected\d+': "
     r"unknown parameter 'num_hiden'.*accepts: flatten, no_bias, num_hidden"),
    (lambda x: mx.sym.FullyConnected(x), r"required parameter 'num_hidden' is missing"),
    (lambda x: mx.sym.Activation(x, act_type="relux"),
     r"parameter 'act_type' expects one of 'relu', 'sigmoid'.*got 'relux'"),
    (lambda x: mx.sym.FullyConnected(x, num_hidden="many"),
     r"parameter 'num_hidden' expects an integer, got 'many'"),
])
def test_bad_parameters_name_the_node_and_argument(build, message):
    with pytest.raises(MXNetError, match=message):
        build(mx.sym.Variable("data"))


def test_inconsistent_shapes_name_the_node():
    a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
    with pytest.raises(MXNetError, match=r"elemwise_add '_plus\d+'.*\(2, 3\).*\(3, 2\)"):
        (a + b).infer_shape(a=(2, 3), b=(3, 2))
    with pytest.raises(MXNetError, match=r"FullyConnected 'fc1': .*weight.*\(64, 10\).*"
                                         r"\(64, 16\)"):
        mlp().infer_shape(data=(32, 16), fc1_weight=(64, 10))
    with pytest.raises(MXNetError, match="'label' is not an input"):
        mlp().infer_shape(label=(32,))


def test_json_save_load_files(tmp_path):
    net = mlp()
    net.save(tmp_path / "net.json")
    again = mx.sym.load(tmp_path / "net.json")
    assert again.tojson() == net.tojson()
    with pytest.raises(MXNetError, match="not an MXNet symbol JSON"):
        mx.sym.load_json('{"hello": 1}')
    with pytest.raises(MXNetError, match="no such file"):
        mx.sym.load(tmp_path / "missing.json")

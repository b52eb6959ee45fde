"""The symbol graphs of the JSON fixtures, shared by MXNet and teachmod.

Every builder takes the framework module (``mxnet`` or ``teachmod``), so
``tests/golden/generate_json.py`` (under MXNet 1.9.1) and ``tests/test_symbol_json.py`` (under
teachmod) build exactly the same graphs. ``GRAPHS`` maps each fixture name to its builder and the
input shapes its ``.meta.json`` records.
"""

import numpy as np


def mlp(mx):
    """The seed tutorial MLP."""
    with mx.name.NameManager():
        data = mx.sym.Variable("data")
        fc1 = mx.sym.FullyConnected(data, name="fc1", num_hidden=64)
        act1 = mx.sym.Activation(fc1, name="relu1", act_type="relu")
        fc2 = mx.sym.FullyConnected(act1, name="fc2", num_hidden=26)
        return mx.sym.SoftmaxOutput(fc2, name="softmax")


def cnn(mx):
    with mx.name.NameManager():
        data = mx.sym.Variable("data")
        net = mx.sym.Convolution(data, num_filter=128, kernel=(3, 3), pad=(1, 1), name="conv")
        net = mx.sym.BatchNorm(net, name="bn")
        net = mx.sym.Activation(net, act_type="relu")
        net = mx.sym.Pooling(net, kernel=(2, 2), stride=(2, 2), pool_type="max")
        net = mx.sym.Flatten(net)
        net = mx.sym.FullyConnected(net, num_hidden=2)
        return mx.sym.SoftmaxOutput(net)


def autonames(mx):
    """No explicit names except the data variable; two uses of several ops."""
    with mx.name.NameManager():
        data = mx.sym.Variable("data")
        branch1 = mx.sym.Convolution(data, num_filter=4, kernel=(3, 3), pad=(1, 1))
        branch1 = mx.sym.BatchNorm(branch1)
        branch1 = mx.sym.Activation(branch1, act_type="relu")
        branch2 = mx.sym.Convolution(data, num_filter=4, kernel=(1, 1), no_bias=True)
        branch2 = mx.sym.LeakyReLU(branch2, act_type="prelu")
        net = mx.sym.Concat(branch1, branch2, dim=1)
        net = mx.sym.Pooling(net, kernel=(2, 2), stride=(2, 2), pool_type="max")
        halves = mx.sym.SliceChannel(net, num_outputs=2)
        net = halves[0] + halves[1]
        net = net * 2 + 1
        net = 1 - net / 4
        net = mx.sym.Flatten(net)
        net = mx.sym.FullyConnected(net, num_hidden=10)
        net = mx.sym.Activation(net, act_type="tanh")
        net = mx.sym.FullyConnected(net, num_hidden=3)
        return mx.sym.SoftmaxOutput(net)


def prefix(mx):
    """Inside ``mx.name.Prefix``: both automatic and explicit names get the prefix."""
    with mx.name.Prefix("stage1_"):
        data = mx.sym.Variable("data")
        net = mx.sym.FullyConnected(data, num_hidden=8)
        net = mx.sym.Activation(net, act_type="relu", name="relu")
        net = mx.sym.FullyConnected(net, num_hidden=2, name="fc")
        return mx.sym.SoftmaxOutput(net)


def attrs(mx):
    """Variable attributes, AttrScope and per-op attr dicts.

    An op's ``attr`` keys must be dunder names (``__foo__``) or one of MXNet's hidden keys
    (ctx_group, lr_mult, wd_mult, ...): ``attr={"foo": "bar"}`` is rejected as an unknown
    operator parameter (see errors.json, "op_attr_plain_key").
    """
    with mx.name.NameManager():
        data = mx.sym.Variable("data", shape=(4, 10), dtype="float32")
        weight = mx.sym.Variable(
            "fc1_weight", shape=(16, 10), lr_mult=2.0, wd_mult=0.0, init=mx.init.Xavier()
        )
        bias = mx.sym.Variable("fc1_bias", dtype=np.float32, init=mx.init.Zero(), lr_mult=1)
        with mx.AttrScope(ctx_group="dev1"):
            net = mx.sym.FullyConnected(data, weight=weight, bias=bias, num_hidden=16, name="fc1")
            net = mx.sym.Activation(net, act_type="relu", name="relu1", attr={"__foo__": "bar"})
            net = mx.sym.FullyConnected(
                net, num_hidden=4, name="fc2", attr={"lr_mult": "0.5", "wd_mult": "0"}
            )
        label = mx.sym.Variable("label", attr={"note": "user attr on a variable"})
        return mx.sym.SoftmaxOutput(net, label=label, name="softmax", attr={"__foo__": "baz"})


def group(mx):
    """Two heads sharing a trunk."""
    with mx.name.NameManager():
        data = mx.sym.Variable("data")
        trunk = mx.sym.FullyConnected(data, num_hidden=8, name="trunk")
        trunk = mx.sym.Activation(trunk, act_type="relu", name="trunk_relu")
        cls = mx.sym.FullyConnected(trunk, num_hidden=3, name="cls_fc")
        cls = mx.sym.SoftmaxOutput(cls, name="cls")
        reg = mx.sym.FullyConnected(trunk, num_hidden=1, name="reg_fc")
        reg = mx.sym.LinearRegressionOutput(reg, name="reg")
        return mx.sym.Group([cls, reg])


def internals(mx):
    return mlp(mx).get_internals()


# name -> (builder, input shapes for infer_shape)
GRAPHS = {
    "mlp": (mlp, {"data": (32, 784)}),
    "cnn": (cnn, {"data": (2, 3, 8, 8)}),
    "autonames": (autonames, {"data": (2, 3, 8, 8)}),
    "prefix": (prefix, {"data": (5, 20)}),
    "attrs": (attrs, {"data": (4, 10)}),
    "group": (group, {"data": (6, 5)}),
    "internals": (internals, {"data": (32, 784)}),
}

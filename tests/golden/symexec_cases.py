"""Symbol behaviours recorded from MXNet 1.9.1 and checked on teachmod (attributes,
composition, arithmetic node names, partial shape and type inference).

Every case takes the framework module (``mxnet`` or ``teachmod``) and returns plain data, so
``tests/golden/generate_symexec.py`` (under MXNet 1.9.1) and ``tests/test_symbol_compose.py``
(under teachmod) run exactly the same code. ``plain`` turns results into JSON values.
"""
import json

import numpy as np


def plain(value):
    """Tuples become lists and numpy types their names, so results compare as JSON."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, type) and issubclass(value, np.generic):
        return np.dtype(value).name
    if isinstance(value, np.dtype):
        return value.name
    if isinstance(value, np.integer):
        return int(value)
    return value


def ops_of(symbol):
    """The operator names of a symbol's nodes, in graph order."""
    return [node["op"] for node in json.loads(symbol.tojson())["nodes"]]


def attrs_on_operator_calls(mx):
    with mx.name.NameManager():
        data = mx.sym.Variable("data", attr={"mood": "angry"})
        with mx.AttrScope(ctx_group="dev1"):
            conv = mx.sym.Convolution(data=data, name="conv", kernel=(1, 1), num_filter=1,
                                      attr={"__mood__": "so so", "wd_mult": "x"}, lr_mult=1)
        fc = mx.sym.FullyConnected(conv, num_hidden=2, name="fc", lr_mult=0, __note__="n")
    return {"attr_dict": fc.attr_dict(), "list_attr": conv.list_attr(),
            "lr_mult": conv.attr("lr_mult"), "__lr_mult__": conv.attr("__lr_mult__"),
            "ctx_group": conv.attr("ctx_group"), "json": fc.tojson()}


def attrs_on_variables(mx):
    with mx.AttrScope(group="4", data="great"):
        data = mx.sym.Variable("data", attr={"dtype": "data", "group": "1",
                                             "force_mirroring": "True"}, lr_mult=1)
        other = mx.sym.Variable("data2")
    with mx.AttrScope(__group__="4"):
        with mx.AttrScope(__init_bias__="0.0"):
            act = mx.sym.Activation(other, act_type="relu", name="act")
    copied = mx.sym.Variable("w")
    copy = copied.__copy__()
    copy._set_attr(mirror_stage="1")
    return {"data": data.list_attr(), "data2": other.list_attr(), "act": act.list_attr(),
            "group": other.attr("group"), "force_mirroring": data.attr("force_mirroring"),
            "copy": copy.list_attr(), "original": copied.list_attr()}


def composition(mx):
    with mx.name.NameManager():
        data = mx.sym.Variable("data")
        net1 = mx.sym.FullyConnected(data=data, name="fc1", num_hidden=10)
        net1 = mx.sym.FullyConnected(data=net1, name="fc2", num_hidden=100)
        net2 = mx.sym.FullyConnected(name="fc3", num_hidden=10)
        net2 = mx.sym.Activation(data=net2, act_type="relu")
        net2 = mx.sym.FullyConnected(data=net2, name="fc4", num_hidden=20)
        composed = net2(fc3_data=net1, name="composed")
        x = mx.sym.Variable("x")
        y = mx.sym.sin(x * 2, name="s")
        z = y(x=mx.sym.Variable("q"))
    return {"composed": composed.list_arguments(), "name": composed.name,
            "net2": net2.list_arguments(), "net2_name": net2.name, "json": composed.tojson(),
            "group": mx.sym.Group([composed, net1]).list_outputs(),
            "z": z.list_arguments(), "y": y.list_arguments(), "z_json": z.tojson()}


def arithmetic_names(mx):
    with mx.name.NameManager():
        x = mx.sym.Variable("x")
        y = mx.sym.Variable("y")
        made = [x + y, x + 1, 1 + x, x - y, x - 1, 1 - x, x * y, 2 * x, x / y, x / 2, 2 / x,
                x % y, x % 3, 3 % x, x ** y, x ** 2, 2 ** x, -x, abs(x),
                x == y, x == 1, x != y, x != 1, x > y, x > 1, 1 > x, x >= y, x >= 1,
                x < y, x < 1, x <= y, x <= 1]
    return [[s.name, ops_of(s), s.list_arguments()] for s in made]


def partial_shapes(mx):
    """Shapes with 0 for unknown dimensions, completed from both directions."""
    var = mx.sym.Variable
    results = {}
    with mx.name.NameManager():
        c = var("a", shape=(0, 10)) + var("b", shape=(12, 0))
        results["elemwise"] = c.infer_shape()
        d = mx.sym.FullyConnected(var("a", shape=(0, 10)), num_hidden=21) + var("c", shape=(5, 0))
        results["fc"] = d.infer_shape()
        e = mx.sym.FullyConnected(var("a", shape=(0, 3, 0)), num_hidden=4, flatten=False)
        results["fc_no_flatten"] = (e + var("c", shape=(2, 0, 4))).infer_shape_partial()
        parts = mx.sym.SliceChannel(var("a", shape=(0, 15, 0)), num_outputs=3)
        results["slice"] = (parts[1] + var("c", shape=(3, 5, 2))).infer_shape()
        parts = mx.sym.SliceChannel(var("a", shape=(0, 10)), num_outputs=10, axis=1,
                                    squeeze_axis=True)
        results["slice_squeeze"] = (parts[1] + var("c", shape=(5,))).infer_shape()
        conv = mx.sym.Convolution(var("a", shape=(0, 10, 0, 0)), num_filter=21, kernel=(3, 3),
                                  pad=(1, 1))
        results["conv"] = (conv + var("c", shape=(5, 21, 32, 32))).infer_shape()
        strided = mx.sym.Convolution(var("a", shape=(0, 3, 0, 0)), num_filter=4, kernel=(3, 3),
                                     stride=(2, 2))
        results["conv_strided"] = (strided + var("c", shape=(5, 4, 7, 7))).infer_shape_partial()
        joined = mx.sym.Concat(var("a", shape=(0, 10)), var("b", shape=(0, 5)), dim=1)
        results["concat"] = (var("d", shape=(2, 0)) + joined).infer_shape()
        prev = var("prev")
        x2h = mx.sym.FullyConnected(var("data"), name="x2h", num_hidden=8)
        h2h = mx.sym.FullyConnected(prev, name="h2h", num_hidden=8)
        out = mx.sym.Activation(x2h + h2h, act_type="relu")
        results["unknown"] = out.infer_shape_partial(data=(3, 5))
        weight = mx.sym.cast(var("weight"), dtype="float16")
        cdata = mx.sym.cast(var("data", shape=(1, 0, 0, 0)), dtype="float16")
        conv = mx.sym.Convolution(cdata, weight, pad=(3, 3), num_filter=64, stride=(2, 2),
                                  no_bias=True, kernel=(7, 7))
        results["given_zeros"] = conv.infer_shape_partial()
        results["sin"] = mx.sym.sin(var("data")).infer_shape_partial()
    return results


def partial_types(mx):
    with mx.name.NameManager():
        data = mx.sym.Variable("data")
        fc = mx.sym.FullyConnected(mx.sym.Cast(data, dtype="float32"), num_hidden=4)
        net = mx.sym.SoftmaxOutput(fc, name="softmax")
        # the types given on the output's side come back to the inputs
        y = mx.sym.Variable("y")
        backward = (y * 2) + mx.sym.Variable("z", dtype="float64")
        return {"full": net.infer_type(data=np.float16), "partial": net.infer_type_partial(),
                "incomplete": net.infer_type(), "backward": backward.infer_type_partial()}


CASES = {f.__name__: f for f in (attrs_on_operator_calls, attrs_on_variables, composition,
                                 arithmetic_names, partial_shapes, partial_types)}

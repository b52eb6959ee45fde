"""Symbol features against MXNet 1.9.1: attributes on operator calls and variables,
composition by call, the nodes Python operators make, partial shape and type inference.

The cases are in tests/golden/symexec_cases.py; their MXNet results in
tests/golden/symexec/cases.json (made by tests/golden/generate_symexec.py).
"""
import importlib.util
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import teachmod as mx
from teachmod.base import MXNetError, NotImplementedForSymbol

_spec = importlib.util.spec_from_file_location(
    "symexec_cases", Path(__file__).parent / "golden" / "symexec_cases.py")
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)
GOLDEN = json.loads((Path(__file__).parent / "golden" / "symexec" / "cases.json").read_text())


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_same_as_mxnet(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = cases.plain(cases.CASES[name](mx))
    assert result == GOLDEN[name]


def test_partial_shapes_fill_unknown_dimensions_from_both_sides():
    a = mx.sym.Variable("a", shape=(0, 10))
    b = mx.sym.FullyConnected(a, num_hidden=21, name="fc")
    c = mx.sym.Variable("c", shape=(5, 0))
    args, outs, _ = (b + c).infer_shape()
    assert dict(zip((b + c).list_arguments(), args))["a"] == (5, 10)  # from c, through fc
    assert outs == [(5, 21)]


def test_infer_shape_warns_and_gives_none_when_undecided():
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=3, name="fc")
    with pytest.warns(UserWarning, match="fc_weight: \\(3, 0\\)"):
        assert net.infer_shape(data=(2, 0)) == (None, None, None)
    assert net.infer_shape_partial(data=(2, 0))[0] == [(2, 0), (3, 0), (3,)]


def test_contradicting_shapes_name_the_node():
    a = mx.sym.Variable("a", shape=(2, 3))
    b = mx.sym.Variable("b", shape=(3, 2))
    with pytest.raises(MXNetError, match="_plus"):
        (a + b).infer_shape()


def test_contradicting_types_name_the_node():
    y = mx.sym.Cast(mx.sym.Variable("y"), dtype="float32", name="cast")
    z = mx.sym.Variable("z", dtype="float64")
    with pytest.raises(MXNetError, match="_plus.*float32.*float64|_plus.*float64.*float32"):
        (y + z).infer_type()


def test_composition_leaves_the_original_alone():
    x = mx.sym.Variable("x")
    y = mx.sym.exp(x, name="e")
    z = y(x=mx.sym.Variable("q") * 3, name="renamed")
    assert z.name == "renamed" and y.name == "e"
    assert z.list_arguments() == ["q"] and y.list_arguments() == ["x"]
    out = z.eval(q=mx.nd.array([0.0, 1.0]))[0].asnumpy()
    np.testing.assert_allclose(out, np.exp([0.0, 3.0]), rtol=1e-6)


def test_composition_errors():
    y = mx.sym.exp(mx.sym.Variable("x"))
    with pytest.raises(MXNetError, match="'nope' not among the inputs.*'x'"):
        y(nope=mx.sym.Variable("q"))
    with pytest.raises(TypeError, match="keywords"):
        y(mx.sym.Variable("q"))
    with pytest.raises(TypeError, match="must be a Symbol"):
        y(x=3)
    with pytest.raises(MXNetError, match="variable cannot be composed"):
        mx.sym.Variable("v")(v=mx.sym.Variable("w"))


def test_copy_has_its_own_nodes():
    fc = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc")
    twin = fc.__copy__()
    twin._set_attr(lr_mult="0.5")
    assert twin.attr("__lr_mult__") == "0.5" and fc.attr("lr_mult") is None
    assert twin.tojson() != fc.tojson() and twin.list_arguments() == fc.list_arguments()


def test_symbols_have_no_truth_value_and_no_in_place_arithmetic():
    x = mx.sym.Variable("x")
    with pytest.raises(NotImplementedForSymbol, match="__bool__"):
        bool(x)
    with pytest.raises(NotImplementedForSymbol, match="\\+="):
        x += 1
    with pytest.raises(TypeError, match="str"):
        x + "1"


def test_deprecated_variable_attribute_keywords_are_refused():
    with pytest.raises(MXNetError, match="weight_lr_mult.*Variable"):
        mx.sym.FullyConnected(mx.sym.Variable("d"), num_hidden=2, weight_lr_mult=2)


def test_operator_lr_mult_reaches_its_weights():
    fc = mx.sym.FullyConnected(mx.sym.Variable("d"), num_hidden=2, name="fc", lr_mult=0)
    attrs = fc.attr_dict()
    assert attrs["fc_weight"]["__lr_mult__"] == "0" and attrs["fc_bias"]["lr_mult"] == "0"
    assert "lr_mult" not in json.loads(fc.tojson())["nodes"][-1]["attrs"]  # only __lr_mult__


def test_internal_operators_and_backward_inference_through_a_shape_constraint():
    w = mx.sym.Variable("weight")
    shifted = mx.sym.broadcast_add(w, mx.sym.Variable("wshift", shape=(1,)))
    like_w = mx.sym._internal._identity_with_attr_like_rhs(shifted, w)
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), weight=like_w, num_hidden=11,
                                no_bias=True)
    args, _, _ = net.infer_shape(data=(7, 100))
    assert dict(zip(net.list_arguments(), args))["weight"] == (11, 100)
    with pytest.raises(AttributeError):
        mx.sym._internal.FullyConnected  # noqa: B018  (only names with an underscore)

"""The legacy element operators and slice assignment: MXNet 1.9.1's values (tests/golden/
generate_conf.py) and finite-difference gradients."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from opcheck import check_gradient

import teachmod as mx

GOLDEN = json.loads((Path(__file__).resolve().parents[1] / "golden" / "conf" / "values.json")
                    .read_text())
INPUTS = {k: np.array(v, np.float32) for k, v in GOLDEN["inputs"].items()}
SLICE = {k: tuple(v) for k, v in GOLDEN["slice"].items()}


def test_values_match_mxnet():
    nd = {k: mx.nd.array(v) for k, v in INPUTS.items()}
    np.testing.assert_array_equal(mx.nd.choose_element_0index(nd["lhs"], nd["idx"]).asnumpy(),
                                  GOLDEN["choose"])
    np.testing.assert_array_equal(
        mx.nd.fill_element_0index(nd["lhs"], nd["mhs"], nd["idx"]).asnumpy(), GOLDEN["fill"])
    for name in ("slice_assign", "crop_assign"):
        out = getattr(mx.nd._internal, "_" + name)(nd["x"], nd["part"], **SLICE)
        np.testing.assert_array_equal(out.asnumpy(), GOLDEN[name])
    out = mx.nd._internal._slice_assign_scalar(nd["x"], scalar=5.0, begin=(0, 1), end=(2, 3))
    np.testing.assert_array_equal(out.asnumpy(), GOLDEN["slice_assign_scalar"])


def test_out_writes_in_place_as_the_tests_of_mxnet_use_it():
    x = mx.nd.ones((2, 3))
    mx.nd._internal._crop_assign(x, mx.nd.zeros((1, 2)), begin=(0, 0), end=(1, 2), out=x)
    assert x.asnumpy().tolist() == [[0, 0, 1], [1, 1, 1]]


def test_gradients():
    check_gradient("_slice_assign", SLICE, [INPUTS["x"], INPUTS["part"]])
    check_gradient("_slice_assign_scalar", {"scalar": 2.0, "begin": (0,), "end": (2,)},
                   [INPUTS["x"]])
    check_gradient("choose_element_0index", {}, [INPUTS["lhs"], INPUTS["idx"]], check=(0,))
    check_gradient("fill_element_0index", {}, [INPUTS["lhs"], INPUTS["mhs"], INPUTS["idx"]],
                   check=(0, 1))


def test_bad_shapes_and_indices_are_named():
    with pytest.raises(mx.MXNetError, match=r"'rhs' has shape \(2, 2\).*\(1, 2\)"):
        mx.nd._internal._slice_assign(mx.nd.ones((2, 3)), mx.nd.ones((2, 2)), begin=(0, 0),
                                      end=(1, 2))
    with pytest.raises(ValueError, match="choose_element_0index.*outside 0..4"):
        mx.nd.choose_element_0index(mx.nd.ones((2, 5)), mx.nd.array([0, 5]))


def test_split_v2_on_arrays_and_symbols():
    x = mx.nd.array(np.arange(12).reshape(6, 2))
    parts = mx.nd.split_v2(x, (1, 4))
    assert [p.shape for p in parts] == [(1, 2), (3, 2), (2, 2)]
    assert [p.shape for p in x.split_v2(3)] == [(2, 2)] * 3
    net = mx.sym.split_v2(mx.sym.Variable("x"), 2, axis=1, squeeze_axis=True)
    assert net.infer_shape(x=(6, 2))[1] == [(6,), (6,)]


def test_backward_before_any_forward_runs_the_forward_and_says_so():
    net = mx.sym.repeat(mx.sym.Variable("x"), repeats=2, axis=0)
    grad = mx.nd.zeros((2, 2))
    ex = net.bind(mx.cpu(), {"x": mx.nd.ones((2, 2))}, args_grad={"x": grad})
    with pytest.warns(UserWarning, match="no forward pass has run"):
        ex.backward(mx.nd.ones((4, 2)))
    assert grad.asnumpy().tolist() == [[2, 2], [2, 2]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex.forward(is_train=True)
        ex.backward(mx.nd.ones((4, 2)))


def test_json_says_when_numpy_shape_semantics_were_on():
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2)
    assert "is_np_shape" not in json.loads(net.tojson())["attrs"]
    with mx.util.np_shape(True):
        attrs = json.loads(net.tojson())["attrs"]
    assert attrs == {"is_np_shape": ["int", 1], "mxnet_version": ["int", 10901]}


def test_softmax_length_keeps_its_integer_type():
    net = mx.sym.softmax(mx.sym.Variable("data"), mx.sym.Variable("length"), use_length=True,
                         axis=1)
    args, outs, _ = net.infer_type(data=np.float16, length=np.int32)
    assert args == [np.float16, np.int32] and outs == [np.float16]
    args, outs, _ = net.infer_type(data=np.float64, length=np.float32)
    assert args == [np.float64, np.float32] and outs == [np.float64]

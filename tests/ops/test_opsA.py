"""Tests of the elementwise, scalar, reduction and casting operators added on branch opsA.

Finite differences (``opcheck.check_gradient``) for the new gradients, golden values from
MXNet 1.9.1 (``tests/golden/generate_opsA.py`` writes ``tests/golden/opsA/``), and the
``mx.nd`` / ``mx.sym`` functions that choose an operator by their arguments.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import opcheck  # noqa: E402

import teachmod as mx  # noqa: E402
from teachmod.base import MXNetError  # noqa: E402

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden" / "opsA"
GOLDEN = opcheck.golden_cases(GOLDEN_DIR)
VALUES = json.loads((GOLDEN_DIR / "values.json").read_text())


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def away(shape, points, low, high, eps=0.1, seed=0) -> np.ndarray:
    """Uniform values at least ``eps`` from every kink."""
    x = rng(seed).uniform(low, high, shape)
    for p in points:
        x = np.where(np.abs(x - p) < eps, p + 2 * eps, x)
    return x


# ---- golden values from MXNet 1.9.1 ----------------------------------------------------------
def test_golden_cases_were_generated():
    assert {c["op"] for c in GOLDEN} >= {"hard_sigmoid", "gamma", "gammaln", "erfinv",
                                         "smooth_l1", "moments", "LeakyReLU", "_rmod_scalar"}


@pytest.mark.parametrize("case", GOLDEN, ids=[c["id"] for c in GOLDEN])
def test_golden(case):
    opcheck.check_golden(case, GOLDEN_DIR)


def test_histogram_matches_mxnet():
    x = mx.nd.array([-1.5, 0.1, 0.5, 1.0, 2.0, 2.5, 3.0, 7.0])
    counts, edges = mx.nd.histogram(x, bins=3, range=(0, 3))
    expected_counts, expected_edges, dtype = VALUES["histogram_bin_cnt"]
    assert counts.asnumpy().tolist() == expected_counts and counts.dtype.__name__ == dtype
    np.testing.assert_allclose(edges.asnumpy(), expected_edges)
    counts, edges = mx.nd.histogram(x, bins=mx.nd.array([-2.0, 0.5, 1.0, 4.0]))
    assert counts.asnumpy().tolist() == VALUES["histogram_edges"][0]
    np.testing.assert_allclose(edges.asnumpy(), VALUES["histogram_edges"][1])


def test_histogram_symbol_needs_a_range_and_takes_edges():
    data, bins = mx.sym.Variable("data"), mx.sym.Variable("bins")
    with pytest.raises(ValueError, match="range"):
        mx.sym.histogram(a=data, bins=3)
    h = mx.sym.histogram(a=data, bins=bins)
    assert h.list_arguments() == ["data", "bins"]
    assert h.infer_shape(data=(5,), bins=(4,))[1] == [(3,), (4,)]
    exe = h.bind(mx.cpu(), {"data": mx.nd.array([0.1, 1.5, 9]), "bins": mx.nd.array([0, 1, 2])})
    assert exe.forward()[0].asnumpy().tolist() == [1, 1]


def test_integer_division_and_modulo_match_mxnet():
    ints = mx.nd.array([-7, -3, 5, 7], dtype="int32")
    div = mx.nd.array([[2], [2], [-3]], dtype="int32")
    for name, got in [("int_div", mx.nd.broadcast_div(ints, div)),
                      ("int_mod", mx.nd.broadcast_mod(ints, div)),
                      ("int_div_scalar", mx.nd._div_scalar(ints, scalar=2)),
                      ("int_mod_scalar", mx.nd._mod_scalar(ints, scalar=3)),
                      ("int_rdiv_scalar", mx.nd._rdiv_scalar(ints, scalar=7))]:
        assert got.dtype == np.int32 and got.asnumpy().tolist() == VALUES[name], name


def test_integer_data_take_the_scalar_in_their_type_as_mxnet():
    positive = mx.nd.array([1, 2, 3, 7], dtype="int32")
    for name, expected in VALUES["int_scalar_2p5"].items():
        got = mx.nd.op_function(name)(positive, scalar=2.5)
        assert got.dtype == np.int32 and got.asnumpy().tolist() == expected, name
    ints = mx.nd.array([-7, -3, 5, 7], dtype="int32")
    assert mx.nd.clip(ints, -3.5, 2.5).asnumpy().tolist() == VALUES["int_clip"]
    assert mx.nd.mean(ints).asnumpy().tolist() == VALUES["int_mean"]
    assert mx.nd.sum(mx.nd.array([100, 100], dtype="int8")).asnumpy().tolist() == \
        VALUES["int8_sum"]
    power = mx.nd.broadcast_power(ints, mx.nd.array([2, -1, 3, 1], dtype="int32"))
    assert power.asnumpy().tolist() == VALUES["int_power"]


def test_integer_mod_has_no_gradient_and_integer_gradients_truncate():
    a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
    as_int = [mx.sym.cast(a, dtype="int32"), mx.sym.cast(b, dtype="int32")]
    head = mx.nd.array([0.5, 1.0, 2.7, 3.5])
    for symbol, expected in [(mx.sym.broadcast_mod(*as_int), [[0, 0, 0, 0]] * 2),
                             (mx.sym.broadcast_add(*as_int), [[0, 1, 2, 3]] * 2)]:
        grads = [mx.nd.zeros((4,)), mx.nd.zeros((4,))]
        exe = symbol.bind(mx.cpu(), {"a": mx.nd.array([5, 7, 9, 3]),
                                     "b": mx.nd.array([2, 3, 4, 1])}, args_grad=grads)
        exe.forward(is_train=True)
        exe.backward([head])
        assert [g.asnumpy().tolist() for g in grads] == expected


def test_casts_match_mxnet():
    half = mx.nd.array([1.0, 65504.0, 70000.0, 1e-8])
    np.testing.assert_array_equal(mx.nd.cast(half, "float16").asnumpy(), VALUES["cast_float16"])
    ints = mx.nd.array([1, 2], dtype="int32")
    assert mx.nd.amp_cast(ints, dtype="float16").dtype.__name__ == VALUES["amp_cast_int"]
    small = mx.nd.array([1.0, 2.0], dtype="float16")
    outs = mx.nd.amp_multicast(small, half, ints, num_outputs=3)
    assert [o.dtype.__name__ for o in outs] == VALUES["amp_multicast"]
    outs = mx.nd.amp_multicast(small, half, num_outputs=2, cast_narrow=True)
    assert [o.dtype.__name__ for o in outs] == VALUES["amp_multicast_narrow"]


# ---- finite differences ----------------------------------------------------------------------
@pytest.mark.parametrize("op_name, attrs, inputs", [
    ("hard_sigmoid", {}, [away((3, 4), (-2.5, 2.5), -4, 4)]),
    ("hard_sigmoid", {"alpha": 1.0, "beta": 0.2}, [away((3, 4), (-0.2, 0.8), -1, 2)]),
    ("smooth_l1", {"scalar": 2.0}, [away((3, 4), (-0.25, 0.25), -1, 1, eps=0.05)]),
    ("smooth_l1", {}, [away((3, 4), (-1, 1), -3, 3)]),
    ("moments", {"axes": (1,)}, [rng().standard_normal((2, 3, 4))]),
    ("moments", {"axes": (0, 2), "keepdims": True}, [rng().standard_normal((2, 3, 4))]),
    ("LeakyReLU", {"act_type": "prelu"}, [away((3, 4), (0,), -1, 1), rng(1).uniform(0, 1, 4)]),
    ("LeakyReLU", {"act_type": "prelu"}, [away((3, 4), (0,), -1, 1),
                                          rng(1).uniform(0, 1, (3, 4))]),
    ("LeakyReLU", {"act_type": "prelu"}, [away((2, 3, 2), (0,), -1, 1),
                                          rng(1).uniform(0, 1, 1)]),
    ("amp_multicast", {"num_outputs": 2}, [rng().standard_normal(3),
                                           rng(1).standard_normal((2, 2))]),
    ("amp_cast", {"dtype": "float32"}, [rng().standard_normal(3)]),
    ("_grad_add", {}, [rng().standard_normal(3), rng(1).standard_normal(3)]),
])
def test_gradient(op_name, attrs, inputs):
    opcheck.check_gradient(op_name, attrs, inputs)


def test_yes_no_operators_have_no_gradient():
    for name, attrs, inputs in [("all_finite", {}, [np.ones(3)]),
                                ("multi_all_finite", {"num_arrays": 2}, [np.ones(2), np.ones(1)]),
                                ("_contrib_allclose", {}, [np.ones(2), np.ones(2)]),
                                ("_histogram", {"bin_cnt": 2, "range": (0, 1)}, [np.ones(2)])]:
        op = opcheck.make_op(name, attrs)
        outputs = op.forward(True, inputs, [])
        assert op.backward([np.ones_like(o) for o in outputs], inputs, outputs, []) == \
            [None] * len(inputs)


# ---- special functions -----------------------------------------------------------------------
def test_special_functions_at_known_points():
    from teachmod.ops import _special

    np.testing.assert_allclose(_special.gamma(np.array([0.5, 1, 5])), [np.pi ** 0.5, 1, 24])
    np.testing.assert_allclose(_special.digamma(np.array([1.0, 0.5, -0.5])),
                               [-0.5772156649015329, -1.9635100260214235, 0.03648997397857652])
    y = np.array([-0.99, -0.3, 0, 0.5, 0.9999])
    np.testing.assert_allclose(_special.erf(_special.erfinv(y)), y, rtol=1e-12, atol=1e-15)
    edges = _special.erfinv(np.array([-1.0, 1.0, 1.5]))
    assert edges[0] == -np.inf and edges[1] == np.inf and np.isnan(edges[2])
    poles = _special.gamma(np.array([0.0, -0.0, -2.0]))
    assert poles[0] == np.inf and poles[1] == -np.inf and np.isnan(poles[2])
    assert np.all(_special.lgamma(np.array([0.0, -3.0])) == np.inf)


# ---- functions that pick the operator -------------------------------------------------------
def test_nd_functions_pick_broadcast_or_scalar_operators():
    a = mx.nd.array([[1.0, 2.0, 3.0]])
    b = mx.nd.array([[1.0], [5.0]])
    np.testing.assert_array_equal(mx.nd.add(a, b).asnumpy(), a.asnumpy() + b.asnumpy())
    np.testing.assert_array_equal(mx.nd.subtract(2, a).asnumpy(), [[1, 0, -1]])
    np.testing.assert_array_equal(mx.nd.greater(2, a).asnumpy(), [[1, 0, 0]])
    np.testing.assert_array_equal(mx.nd.lesser_equal(a, 2).asnumpy(), [[1, 1, 0]])
    np.testing.assert_array_equal(mx.nd.modulo(7, a).asnumpy(), [[0, 1, 1]])
    assert mx.nd.maximum(3, 4) == 4 and mx.nd.equal(2, 2) == 1.0
    with pytest.raises(TypeError, match="maximum: expected NDArrays or numbers, got NDArray"):
        mx.nd.maximum(a, "1")


def test_sym_functions_pick_elementwise_or_scalar_operators():
    x, y = mx.sym.Variable("x"), mx.sym.Variable("y")
    ops = [json.loads(s.tojson())["nodes"][-1]["op"] for s in
           (mx.sym.pow(x, y), mx.sym.power(2, x), mx.sym.maximum(3, x), mx.sym.hypot(x, y))]
    assert ops == ["_power", "_rpower_scalar", "_maximum_scalar", "_hypot"]
    assert mx.sym.pow(2, 3) == 8 and mx.sym.hypot(3, 4) == 5.0
    exe = mx.sym.minimum(x, 2).bind(mx.cpu(), {"x": mx.nd.array([1, 3])})
    assert exe.forward()[0].asnumpy().tolist() == [1, 2]


def test_parameters_may_follow_the_inputs_positionally():
    x = mx.nd.array([1.5, 2.5])
    assert mx.nd.cast(x, "float16").dtype == np.float16
    assert mx.nd.Cast(x, np.int32).dtype == np.int32
    assert mx.nd.clip(x, 0, 2).asnumpy().tolist() == [1.5, 2.0]
    with pytest.raises(TypeError, match="parameter 'a_min' given twice"):
        mx.nd.clip(x, 0, a_min=1)
    with pytest.raises(TypeError, match="3 positional parameters given, but it has only 2"):
        mx.nd.clip(x, 0, 1, 2)


def test_cast_writes_the_type_name_into_json():
    node = json.loads(mx.sym.Cast(mx.sym.Variable("x"), dtype=np.float16).tojson())["nodes"][1]
    assert node["attrs"] == {"dtype": "float16"}
    with pytest.raises(MXNetError, match="Cast.*'dtype' expects one of"):
        mx.sym.Cast(mx.sym.Variable("x"), dtype="float8")


def test_prelu_gamma_must_fit_the_data():
    data = mx.sym.Variable("data")
    prelu = mx.sym.LeakyReLU(data, act_type="prelu", name="p")
    assert prelu.infer_shape(data=(2, 3, 4))[0][1] == (3,)
    assert prelu.infer_shape(data=(2, 3, 4), p_gamma=(2, 3))[0][1] == (2, 3)
    with pytest.raises(MXNetError, match=r"'p'.*gamma' has shape \(4,\), expected \(3,\)"):
        prelu.infer_shape(data=(2, 3, 4), p_gamma=(4,))


def test_moments_need_axes():
    with pytest.raises(MXNetError, match="moments.*axes is empty"):
        mx.nd.moments(mx.nd.ones((2, 2)))


def test_contrib_namespace_and_allclose():
    a = mx.nd.array([1.0, np.nan])
    close = mx.nd.contrib.allclose(a, a)
    assert close.shape == () and close.dtype == np.uint8 and close.asnumpy() == 1
    assert mx.nd.contrib.allclose(a, a, equal_nan=False).asnumpy() == 0
    assert mx.nd.contrib.allclose(a, a + 1e-3, rtol=0, atol=1e-2).asnumpy() == 1
    assert "allclose" in dir(mx.sym.contrib)
    with pytest.raises(AttributeError, match="contrib' has no attribute 'nonsense'"):
        mx.nd.contrib.nonsense  # noqa: B018


def test_operator_module_describes_the_registry():
    from teachmod.operator import get_all_registered_operators, get_operator_arguments

    names = get_all_registered_operators()
    assert {"Activation", "broadcast_plus", "ElementWiseSum", "_histogram"} <= set(names)
    args = get_operator_arguments("Activation")
    assert args.names == ["data", "act_type"] and args.narg == 2
    assert args.types == ["NDArray-or-Symbol",
                          "{'relu', 'sigmoid', 'softrelu', 'softsign', 'tanh'}, required"]
    assert get_operator_arguments("clip").types[1:] == ["float, required"] * 2
    assert get_operator_arguments("sum").types[2] == "boolean, optional, default=0"
    assert get_operator_arguments("add_n").types[0] == "NDArray-or-Symbol[]"


def test_ndarray_operators_run_the_operators():
    ints = mx.nd.array([1, 2, 3, 7], dtype="int32")
    # x + 2.5 is _plus_scalar, so integer data see the scalar as 2, as MXNet does
    assert (ints + 2.5).asnumpy().tolist() == VALUES["int_scalar_2p5"]["_plus_scalar"]
    assert (2.5 ** ints).asnumpy().tolist() == VALUES["int_scalar_2p5"]["_rpower_scalar"]
    assert (ints % 2.5).asnumpy().tolist() == VALUES["int_scalar_2p5"]["_mod_scalar"]
    assert (-ints).dtype == np.int32 and (-ints).asnumpy().tolist() == [-1, -2, -3, -7]
    x = mx.nd.array([[1.0, -2.0]])
    assert (x > mx.nd.array([[0.0], [-5.0]])).asnumpy().tolist() == [[1, 0], [1, 1]]
    assert (x == np.array([1.0, 0.0])).asnumpy().tolist() == [[1, 0]]
    assert abs(x).asnumpy().tolist() == [[1, 2]] and (x == None) is False  # noqa: E711
    y = x.copy()
    y -= 1
    y *= mx.nd.array([[2.0, 3.0]])
    assert y.asnumpy().tolist() == [[0, -9]]
    with pytest.raises(TypeError):
        x + "1"


def test_contrib_isinf_isnan_isfinite_and_internal():
    x = mx.nd.array([1.0, np.inf, -np.inf, np.nan])
    assert mx.nd.contrib.isinf(x).asnumpy().tolist() == [0, 1, 1, 0]
    assert mx.nd.contrib.isnan(x).asnumpy().tolist() == [0, 0, 0, 1]
    assert mx.nd.contrib.isfinite(x).asnumpy().tolist() == [1, 0, 0, 0]
    assert mx.nd._internal._rminus_scalar(x[0:1], scalar=3).asnumpy().tolist() == [2]
    node = json.loads(mx.sym._internal._Plus(mx.sym.var("a"), mx.sym.var("b")).tojson())
    assert node["nodes"][-1]["op"] == "elemwise_add"

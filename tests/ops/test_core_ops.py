"""Tests of the core operators: finite differences, shapes, types, errors, MXNet 1.9.1 goldens.

The gradient cases run in float64 through ``opcheck.check_gradient``; the same cases run again
in float32 to check that no operator silently promotes to float64.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import opcheck  # noqa: E402

from teachmod.base import MXNetError  # noqa: E402
from teachmod.ops import registry  # noqa: E402
from teachmod.ops.binary import BROADCAST_OPS, ELEMWISE_OPS, unbroadcast  # noqa: E402
from teachmod.ops.binary_scalar import SCALAR_OPS  # noqa: E402
from teachmod.ops.leaky_relu import SELU_ALPHA, SELU_LAMBDA  # noqa: E402
from teachmod.ops.unary_math import UNARY  # noqa: E402

# the modules of the "core" issue: every golden case whose operator lives in one of them is ours
CORE_MODULES = {
    "fully_connected", "activation", "softmax_output", "regression_output", "reshape",
    "softmax", "flatten", "concat", "slice_channel", "transpose", "expand_dims", "block_grad",
    "make_loss", "embedding", "leaky_relu", "clip", "dot", "reduce", "unary_math", "binary",
    "binary_scalar", "add_n", "fill_like", "identity", "where", "one_hot", "argmax", "cast",
    "topk",
}


def _is_core(op_name: str) -> bool:
    try:
        module = registry.get(op_name).__module__
    except MXNetError:
        return False
    return module.rsplit(".", 1)[-1] in CORE_MODULES


GOLDEN = [c for c in opcheck.golden_cases() if _is_core(c["op"])]


# ---- input generators (float64; seeded, so every run sees the same numbers) -----------------
def normal(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def uniform(low: float, high: float, *shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(low, high, shape)


def away(*shape: int, points=(0.0,), low=-2.0, high=2.0, eps=0.1, seed: int = 0) -> np.ndarray:
    """Uniform values at least ``eps`` from every kink in ``points``."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, shape)
    while True:
        bad = np.zeros(shape, bool)
        for p in points:
            bad |= np.abs(x - p) < eps
        if not bad.any():
            return x
        x[bad] = rng.uniform(low, high, int(bad.sum()))


def distinct(*shape: int, seed: int = 0) -> np.ndarray:
    """Shuffled multiples of 0.1, all different: no ties for max, min, argmax, topk."""
    n = int(np.prod(shape))
    return ((np.random.default_rng(seed).permutation(n) - n // 2) * 0.1).reshape(shape)


def between_integers(*shape: int, seed: int = 0) -> np.ndarray:
    """Values whose fractional part stays in [0.1, 0.4] or [0.6, 0.9]: rounding is flat there."""
    rng = np.random.default_rng(seed)
    whole = rng.integers(-3, 3, shape)
    frac = rng.uniform(0.1, 0.4, shape) + 0.5 * rng.integers(0, 2, shape)
    return whole + frac


# ---- finite-difference cases: (op, attrs, inputs, options for check_gradient) ---------------
UNARY_INPUTS = {
    "log": uniform(0.3, 3, 3, 4), "log2": uniform(0.3, 3, 3, 4), "log10": uniform(0.3, 3, 3, 4),
    "sqrt": uniform(0.3, 3, 3, 4), "rsqrt": uniform(0.3, 3, 3, 4),
    "log1p": uniform(-0.5, 2, 3, 4), "reciprocal": away(3, 4, eps=0.3),
    "cbrt": away(3, 4, eps=0.3), "rcbrt": away(3, 4, eps=0.3),
    "abs": away(3, 4), "sign": away(3, 4), "relu": away(3, 4), "logical_not": away(3, 4),
    "arcsin": uniform(-0.9, 0.9, 3, 4), "arccos": uniform(-0.9, 0.9, 3, 4),
    "arctanh": uniform(-0.9, 0.9, 3, 4), "arccosh": uniform(1.2, 3, 3, 4),
    "tan": uniform(-1.2, 1.2, 3, 4), "erfinv": uniform(-0.9, 0.9, 3, 4),
    "gamma": uniform(0.3, 4, 3, 4), "gammaln": uniform(0.3, 4, 3, 4),
    **{name: between_integers(3, 4) for name in ("floor", "ceil", "round", "rint", "fix",
                                                  "trunc")},
}
UNARY_CASES = [(name, {}, [UNARY_INPUTS.get(name, normal(3, 4))], {}) for name in UNARY]

def binary_inputs(math: str, lhs_shape, rhs_shape) -> list[np.ndarray]:
    """Inputs away from the kinks of each function: no ties, no zero divisors, positive bases."""
    if math == "power":
        return [uniform(0.5, 2, *lhs_shape), normal(*rhs_shape, seed=1)]
    if math == "mod":  # a / b stays away from integers: a in (k+0.1, k+0.9), b in (1.5, 1.6)
        return [uniform(0.1, 0.9, *lhs_shape) + 1, uniform(1.5, 1.6, *rhs_shape, seed=1)]
    if math in ("div", "hypot"):
        return [away(*lhs_shape, eps=0.3), away(*rhs_shape, eps=0.3, seed=1)]
    # distinct values on a 0.1 grid, shifted by 0.05: lhs and rhs never tie
    return [distinct(*lhs_shape), distinct(*rhs_shape, seed=1) + 0.05]


BROADCAST_SHAPES = [((2, 3, 4), (1, 3, 1)), ((2, 1, 4), (2, 3, 1)), ((3, 1), (4,))]
BROADCAST_CASES = [
    (name, {}, binary_inputs(math, *BROADCAST_SHAPES[i % 3]), {})
    for i, (name, math, _) in enumerate(BROADCAST_OPS)
]
ELEMWISE_CASES = [(name, {}, binary_inputs(math, (3, 4), (3, 4)), {})
                  for name, math, _ in ELEMWISE_OPS]

SCALAR_VALUES = {"add": 2, "sub": 2.5, "mul": -1.0, "div": 2, "mod": 1.5, "power": 2,
                 "maximum": 0.05, "minimum": 0.05, "hypot": 1.0}


def scalar_input(math: str, scalar_first: bool) -> np.ndarray:
    if math == "mod":  # scalar / x or x / scalar stays away from integers
        return uniform(0.7, 0.9, 3, 4) if scalar_first else uniform(0.1, 1.4, 3, 4)
    if math == "div" and scalar_first:
        return away(3, 4, eps=0.3)
    return distinct(3, 4)  # on a 0.1 grid: never equal to a scalar ending in 5


SCALAR_CASES = [
    (name, {"scalar": SCALAR_VALUES.get(math, 0.05)}, [scalar_input(math, first)], {})
    for name, math, first, _ in SCALAR_OPS
] + [("_power_scalar", {"scalar": 0.5}, [uniform(0.3, 2, 3, 4)], {}),
     ("_rpower_scalar", {"scalar": 2}, [normal(3, 4)], {})]

REDUCE_CASES = [
    (op, attrs, [distinct(2, 3, 4) + 0.05], {})  # + 0.05: no zero, so prod's y / x is defined
    for op in ("sum", "mean", "max", "min", "prod", "nansum", "nanprod", "_square_sum")
    for attrs in ({}, {"axis": 1}, {"axis": (0, 2), "keepdims": True}, {"axis": -1},
                  {"axis": 1, "exclude": True})
] + [("norm", attrs, [away(2, 3, 4)], {})
     for attrs in ({}, {"ord": 1}, {"axis": 1}, {"axis": (0, 2), "keepdims": True})]

LEAKY_CASES = [
    ("LeakyReLU", attrs, inputs, options) for attrs, inputs, options in [
        ({}, [away(3, 4)], {}),
        ({"act_type": "leaky", "slope": 0.1}, [away(3, 4)], {}),
        ({"act_type": "elu", "slope": 0.5}, [away(3, 4)], {}),
        ({"act_type": "gelu"}, [normal(3, 4)], {}),
        ({"act_type": "prelu"}, [away(2, 3, 4), uniform(0.1, 0.3, 3)], {}),
        ({"act_type": "prelu"}, [away(2, 3, 2, 2), np.array([0.2])], {}),
        ({"act_type": "rrelu"}, [away(3, 4)], {"is_train": False}),
    ]
]

SHAPE_CASES = [
    ("Flatten", {}, [normal(2, 3, 2, 2)], {}),
    ("flatten", {}, [normal(4)], {}),
    ("Concat", {"num_args": 3, "dim": 0}, [normal(1, 3), normal(2, 3, seed=1), normal(3, 3)], {}),
    ("concat", {"num_args": 2, "dim": -1}, [normal(2, 1), normal(2, 2, seed=1)], {}),
    ("SliceChannel", {"num_outputs": 3}, [normal(2, 6, 2)], {}),
    ("split", {"num_outputs": 2, "axis": -1, "squeeze_axis": True}, [normal(2, 3, 2)], {}),
    ("transpose", {}, [normal(2, 3, 4)], {}),
    ("transpose", {"axes": (1, 0, 2)}, [normal(2, 3, 4)], {}),
    ("expand_dims", {"axis": 0}, [normal(2, 3)], {}),
    ("expand_dims", {"axis": -1}, [normal(2, 3)], {}),
    ("Reshape", {"shape": (0, -4, -1, 1, 0)}, [normal(2, 3, 4)], {}),
    ("_copy", {}, [normal(3, 4)], {}),
    ("identity", {}, [normal(3, 4)], {}),
    ("_identity_with_attr_like_rhs", {}, [normal(3, 4), normal(3, 4, seed=1)], {}),
    ("add_n", {"num_args": 3}, [normal(2, 3), normal(2, 3, seed=1), normal(2, 3, seed=2)], {}),
    ("ElementWiseSum", {"num_args": 1}, [normal(2, 3)], {}),
    ("zeros_like", {}, [normal(2, 3)], {}),
    ("ones_like", {}, [normal(2, 3)], {}),
    ("clip", {"a_min": -0.5, "a_max": 0.5}, [away(3, 4, points=(-0.5, 0.5))], {}),
    ("Cast", {"dtype": "float64"}, [normal(3, 4)], {}),
    ("where", {}, [np.array([[1.0, 0, 1], [0, 0, 1]]), normal(2, 3), normal(2, 3, seed=1)],
     {"check": (1, 2)}),
    ("where", {}, [np.array([1.0, 0]), normal(2, 3), normal(2, 3, seed=1)], {"check": (1, 2)}),
    ("one_hot", {"depth": 4}, [np.array([[0.3, 2.3], [3.3, 5.3]])], {}),
    ("argmax", {"axis": 1}, [distinct(3, 4)], {}),
    ("argmax_channel", {}, [distinct(3, 4)], {}),
    ("argmin", {}, [distinct(3, 4)], {}),
    ("topk", {"k": 2, "ret_typ": "value"}, [distinct(3, 4)], {}),
    ("topk", {"k": 2, "ret_typ": "both", "axis": 0, "is_ascend": True}, [distinct(3, 4)], {}),
    ("topk", {"k": 3, "ret_typ": "mask", "axis": None}, [distinct(3, 4)], {}),
    ("Embedding", {"input_dim": 5, "output_dim": 3},
     [np.array([[0.0, 2, 4], [2, 2, 1]]), normal(5, 3)], {"check": (1,)}),
    ("Embedding", {"input_dim": 4, "output_dim": 2},
     [np.array([3.0, 0, 3, 1]), normal(4, 2)], {"check": (1,)}),
]

SOFTMAX_CASES = [
    ("softmax", {}, [normal(3, 4)], {}),
    ("softmax", {"axis": 1, "temperature": 2.0}, [normal(2, 3, 4)], {}),
    ("softmax", {"use_length": True}, [normal(3, 4), np.array([1.0, 4, 2])], {"check": (0,)}),
    ("log_softmax", {}, [normal(3, 4)], {}),
    ("log_softmax", {"axis": 0, "temperature": 0.5}, [normal(3, 4)], {}),
    ("log_softmax", {"axis": 0, "use_length": True}, [normal(3, 4), np.array([1.0, 3, 2, 3])],
     {"check": (0,)}),
    ("softmin", {"axis": 0}, [normal(3, 4)], {}),
    ("SoftmaxActivation", {}, [normal(2, 3, 2)], {}),
    ("SoftmaxActivation", {"mode": "channel"}, [normal(2, 3, 2, 2)], {}),
]

DOT_CASES = [
    ("dot", attrs, [normal(*ls), normal(*rs, seed=1)], {}) for attrs, ls, rs in [
        ({}, (3, 4), (4, 2)),
        ({"transpose_a": True}, (4, 3), (4, 2)),
        ({"transpose_b": True}, (3, 4), (2, 4)),
        ({"transpose_a": True, "transpose_b": True}, (4, 3), (2, 4)),
        ({}, (2, 3, 4), (4, 2, 2)),
        ({"transpose_a": True}, (4, 2, 3), (4, 5)),
        ({}, (4,), (4,)),
        ({}, (4,), (4, 3)),
        ({}, (3, 4), (4,)),
    ]
] + [
    ("batch_dot", attrs, [normal(*ls), normal(*rs, seed=1)], {}) for attrs, ls, rs in [
        ({}, (2, 3, 4), (2, 4, 5)),
        ({"transpose_a": True, "transpose_b": True}, (2, 4, 3), (2, 5, 4)),
    ]
]

GRADIENT_CASES = (UNARY_CASES + BROADCAST_CASES + ELEMWISE_CASES + SCALAR_CASES + REDUCE_CASES
                  + LEAKY_CASES + SHAPE_CASES + SOFTMAX_CASES + DOT_CASES)


def _case_id(case) -> str:
    op_name, attrs, inputs, _ = case
    shapes = "x".join(str(tuple(x.shape)) for x in inputs)
    return f"{op_name}-{attrs}-{shapes}".replace(" ", "")


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=[_case_id(c) for c in GRADIENT_CASES])
def test_gradient(case):
    op_name, attrs, inputs, options = case
    opcheck.check_gradient(op_name, attrs, inputs, **options)


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=[_case_id(c) for c in GRADIENT_CASES])
def test_float32_stays_float32(case):
    op_name, attrs, inputs, options = case
    op = opcheck.make_op(op_name, attrs)
    inputs32 = [x.astype(np.float32) for x in inputs]
    outputs = op.forward(options.get("is_train", True), inputs32, [])
    expected = op.infer_type([np.dtype(np.float32)] * len(inputs))[1]
    assert [o.dtype for o in outputs] == expected, f"{op_name} outputs"
    heads = [np.ones_like(o) for o in outputs]
    for i, grad in enumerate(op.backward(heads, inputs32, outputs, [])):
        assert grad is None or grad.dtype == np.float32, f"{op_name} gradient of input {i}"


def test_every_core_operator_has_a_gradient_case():
    tested = {registry.get(op_name) for op_name, *_ in GRADIENT_CASES}
    special = {"BlockGrad", "MakeLoss", "make_loss", "SoftmaxOutput", "LinearRegressionOutput",
               "LogisticRegressionOutput", "MAERegressionOutput", "FullyConnected", "Activation"}
    for name in registry.all_names():
        cls = registry.get(name)
        if _is_core(name) and cls.name not in special:
            assert cls in tested, f"no finite-difference case for {name}"


# ---- operators whose backward is not the derivative of their forward ------------------------
def test_block_grad_stops_the_gradient():
    x = normal(3, 4)
    op = opcheck.make_op("stop_gradient")
    (y,) = op.forward(True, [x], [])
    np.testing.assert_array_equal(y, x)
    np.testing.assert_array_equal(op.backward([normal(3, 4, seed=1)], [x], [y], [])[0], 0)


@pytest.mark.parametrize("attrs, count", [
    ({}, 1), ({"grad_scale": 0.5}, 1), ({"normalization": "batch"}, 3),
    ({"normalization": "valid"}, 5), ({"normalization": "valid", "valid_thresh": 0.5}, 4),
])
def test_make_loss_is_the_gradient_of_a_sum(attrs, count):
    data = np.array([[0.0, 1, 2, 0], [0.3, 0, 1.5, 0.7], [0, 0, 0, 0]])
    scale = attrs.get("grad_scale", 1.0) / count
    opcheck.check_gradient("MakeLoss", attrs, [data],
                           loss=lambda outs, ins: np.sum(outs[0]) * scale)


def test_make_loss_lowercase():
    op = opcheck.make_op("make_loss")
    assert op.list_outputs() == ["loss"]
    opcheck.check_gradient("make_loss", {}, [normal(2, 3)], loss=lambda outs, ins: outs[0].sum())


def _cross_entropy(label: np.ndarray, axis: int, scale: float):
    def loss(outs, ins):
        logp = np.log(np.moveaxis(outs[0], axis, -1))
        picked = np.take_along_axis(logp, label.astype(int)[..., None], axis=-1)
        return -picked.sum() * scale
    return loss


@pytest.mark.parametrize("attrs, data, label, scale", [
    ({}, normal(4, 5), np.array([0.0, 4, 2, 2]), 1.0),
    ({"normalization": "batch", "grad_scale": 2.0}, normal(4, 5), np.array([0.0, 4, 2, 2]),
     0.5),
    ({"multi_output": True}, normal(2, 4, 3), np.array([[0.0, 3, 1], [2, 2, 0]]), 1 / 3),
    ({"multi_output": True, "normalization": "valid"}, normal(2, 4, 3),
     np.array([[0.0, 3, 1], [2, 2, 0]]), 1 / 6),
    ({"preserve_shape": True}, normal(2, 3, 4), np.array([[0.0, 3, 1], [2, 2, 0]]), 1.0),
])
def test_softmax_output_is_the_cross_entropy_gradient(attrs, data, label, scale):
    axis = 1 if attrs.get("multi_output") else -1
    opcheck.check_gradient("SoftmaxOutput", attrs, [data, label],
                           loss=_cross_entropy(label, axis, scale))


def test_softmax_output_ignore_and_valid_count():
    data, label = normal(4, 3), np.array([1.0, -1, 2, -1])
    attrs = {"use_ignore": True, "normalization": "valid"}
    op = opcheck.make_op("SoftmaxOutput", attrs)
    (prob,) = op.forward(True, [data, label], [])
    grad = op.backward([np.ones_like(prob)], [data, label], [prob], [])[0]
    np.testing.assert_array_equal(grad[[1, 3]], 0)  # ignored rows
    expected = (prob - np.eye(3)[[1, 0, 2, 0]]) / 2  # two valid labels
    np.testing.assert_allclose(grad[[0, 2]], expected[[0, 2]])


def test_softmax_output_probability_labels_are_not_normalized():
    data, label = normal(4, 3), np.full((4, 3), 1 / 3)
    op = opcheck.make_op("SoftmaxOutput", {"normalization": "batch"})
    (prob,) = op.forward(True, [data, label], [])
    grad = op.backward([np.ones_like(prob)], [data, label], [prob], [])[0]
    np.testing.assert_allclose(grad, prob - label)


def test_selu_gradient_is_mxnets():
    """MXNet 1.9.1 computes lambda * (y + alpha) for x <= 0, not the true y + lambda * alpha."""
    x = away(3, 4)
    op = opcheck.make_op("LeakyReLU", {"act_type": "selu"})
    (y,) = op.forward(True, [x], [])
    np.testing.assert_allclose(y, SELU_LAMBDA * np.where(x > 0, x, SELU_ALPHA * np.expm1(x)))
    (grad,) = op.backward([np.ones_like(y)], [x], [y], [])
    np.testing.assert_allclose(grad, np.where(x > 0, SELU_LAMBDA, SELU_LAMBDA * (y + SELU_ALPHA)))
    # where x > 0 it is the true derivative
    positive = x > 0
    opcheck.check_gradient("LeakyReLU", {"act_type": "selu"}, [np.abs(x) + 0.1])
    assert positive.any()


def test_rrelu_training_draws_slopes_in_range():
    op = opcheck.make_op("LeakyReLU", {"act_type": "rrelu"})
    assert op.list_outputs() == ["output", "mask"]
    x = -np.ones((50, 4))
    out, mask = op.forward(True, [x], [])
    assert ((mask >= 0.125) & (mask <= 0.334)).all() and mask.std() > 0
    np.testing.assert_allclose(out, -mask)
    grad = op.backward([np.ones_like(out), np.zeros_like(mask)], [x], [out, mask], [])[0]
    np.testing.assert_allclose(grad, mask)


# ---- forward values worth pinning down -------------------------------------------------------
def test_rounding_conventions():
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.7, 1.7])
    assert opcheck.make_op("round").forward(False, [x], [])[0].tolist() == [
        -3, -2, -1, 1, 2, 3, -2, 2]
    assert opcheck.make_op("rint").forward(False, [x], [])[0].tolist() == [
        -3, -2, -1, 0, 1, 2, -2, 2]
    assert opcheck.make_op("fix").forward(False, [x], [])[0].tolist() == [
        -2, -1, -0, 0, 1, 2, -1, 1]


def test_comparisons_give_ones_and_zeros_in_the_input_type():
    a, b = np.array([1.0, 2, 3], np.float32), np.array([2.0, 2, 2], np.float32)
    out = opcheck.make_op("broadcast_greater_equal").forward(False, [a, b], [])[0]
    assert out.dtype == np.float32 and out.tolist() == [0, 1, 1]
    out = opcheck.make_op("_lesser_scalar", {"scalar": 2}).forward(False, [a], [])[0]
    assert out.dtype == np.float32 and out.tolist() == [1, 0, 0]


def test_mod_follows_the_divisor_sign_and_gives_zero_for_zero():
    a, b = np.array([5.0, -5, 5, -5, 3]), np.array([3.0, 3, -3, -3, 0])
    assert opcheck.make_op("broadcast_mod").forward(False, [a, b], [])[0].tolist() == [
        2, 1, -1, -2, 0]


def test_maximum_ties_send_the_gradient_to_lhs():
    a, b = np.array([1.0, 2.0]), np.array([1.0, 3.0])
    op = opcheck.make_op("_maximum")
    (y,) = op.forward(True, [a, b], [])
    ga, gb = op.backward([np.ones(2)], [a, b], [y], [])
    assert ga.tolist() == [1, 0] and gb.tolist() == [0, 1]


def test_reductions_of_everything_give_shape_1():
    x = distinct(2, 3)
    for name in ("sum", "mean", "max", "min", "prod", "norm", "argmax", "argmin"):
        assert opcheck.make_op(name).forward(False, [x], [])[0].shape == (1,), name


def test_max_ties_all_receive_the_gradient():
    x = np.array([[1.0, 3.0, 3.0]])
    op = opcheck.make_op("max", {"axis": 1})
    (y,) = op.forward(True, [x], [])
    assert op.backward([np.array([2.0])], [x], [y], [])[0].tolist() == [[0, 2, 2]]


def test_embedding_scatter_adds_repeated_indices_and_clips():
    weight = np.arange(8.0).reshape(4, 2)
    data = np.array([1.0, 1.0, 7.0, -2.0])
    op = opcheck.make_op("Embedding", {"input_dim": 4, "output_dim": 2})
    (out,) = op.forward(True, [data, weight], [])
    np.testing.assert_array_equal(out, weight[[1, 1, 3, 0]])
    grad_data, grad_weight = op.backward([np.ones((4, 2))], [data, weight], [out], [])
    assert grad_data is None
    np.testing.assert_array_equal(grad_weight, [[1, 1], [2, 2], [0, 0], [1, 1]])


def test_one_hot_values_and_out_of_range():
    op = opcheck.make_op("one_hot", {"depth": 3, "on_value": 5.0, "off_value": -1.0})
    out = op.forward(False, [np.array([0.0, 2, 3, -1])], [])[0]
    assert out.dtype == np.float32
    assert out.tolist() == [[5, -1, -1], [-1, -1, 5], [-1, -1, -1], [-1, -1, -1]]


def test_topk_indices_and_mask():
    x = np.array([[0.1, 0.5, 0.3], [0.9, 0.2, 0.4]])
    indices = opcheck.make_op("topk", {"k": 2}).forward(False, [x], [])[0]
    assert indices.tolist() == [[1, 2], [0, 2]] and indices.dtype == np.float32
    mask = opcheck.make_op("topk", {"k": 1, "ret_typ": "mask"}).forward(False, [x], [])[0]
    assert mask.tolist() == [[0, 1, 0], [1, 0, 0]]


def test_topk_index_type():
    op = opcheck.make_op("topk", {"k": 1, "ret_typ": "both", "dtype": "int32"})
    x = distinct(2, 3).astype(np.float64)
    values, indices = op.forward(False, [x], [])
    assert values.dtype == np.float64 and indices.dtype == np.int32
    assert op.infer_type([np.dtype(np.float64)])[1] == [np.dtype(np.float64), np.dtype(np.int32)]


def test_cast_changes_the_type_and_casts_the_gradient_back():
    x = np.array([1.5, -2.25], np.float32)
    op = opcheck.make_op("cast", {"dtype": "float16"})
    (y,) = op.forward(True, [x], [])
    assert y.dtype == np.float16
    assert op.backward([np.ones(2, np.float16)], [x], [y], [])[0].dtype == np.float32
    assert op.infer_type([np.dtype(np.float32)]) == (
        [np.dtype(np.float32)], [np.dtype(np.float16)], [])


def test_unbroadcast_sums_over_the_copies():
    grad = np.ones((2, 3, 4))
    assert unbroadcast(grad, (2, 3, 4)).tolist() == grad.tolist()
    assert unbroadcast(grad, (1, 3, 1)).tolist() == np.full((1, 3, 1), 8.0).tolist()
    assert unbroadcast(grad, (4,)).tolist() == [6.0] * 4
    assert unbroadcast(grad, (3, 1)).tolist() == [[8.0]] * 3


# ---- names of inputs and outputs -------------------------------------------------------------
@pytest.mark.parametrize("op_name, attrs, arguments, outputs", [
    ("Concat", {"num_args": 3}, ["arg0", "arg1", "arg2"], ["output"]),
    ("add_n", {"num_args": 2}, ["arg0", "arg1"], ["output"]),
    ("SliceChannel", {"num_outputs": 3}, ["data"], ["output0", "output1", "output2"]),
    ("LeakyReLU", {"act_type": "prelu"}, ["data", "gamma"], ["output"]),
    ("LeakyReLU", {}, ["data"], ["output"]),
    ("Embedding", {"input_dim": 3, "output_dim": 2}, ["data", "weight"], ["output"]),
    ("broadcast_add", {}, ["lhs", "rhs"], ["output"]),
    ("elemwise_mul", {}, ["lhs", "rhs"], ["output"]),
    ("dot", {}, ["lhs", "rhs"], ["output"]),
    ("where", {}, ["condition", "x", "y"], ["output"]),
    ("one_hot", {"depth": 2}, ["indices"], ["output"]),
    ("softmax", {"use_length": True}, ["data", "length"], ["output"]),
    ("topk", {"ret_typ": "both"}, ["data"], ["output0", "output1"]),
    ("make_loss", {}, ["data"], ["loss"]),
])
def test_argument_and_output_names(op_name, attrs, arguments, outputs):
    op = opcheck.make_op(op_name, attrs)
    assert op.list_arguments() == arguments
    assert op.list_outputs() == outputs


@pytest.mark.parametrize("alias, name", [
    ("flatten", "Flatten"), ("concat", "Concat"), ("split", "SliceChannel"),
    ("stop_gradient", "BlockGrad"), ("cast", "Cast"), ("identity", "_copy"),
    ("ElementWiseSum", "add_n"), ("broadcast_plus", "broadcast_add"),
    ("broadcast_minus", "broadcast_sub"), ("_plus", "elemwise_add"), ("_Plus", "elemwise_add"),
    ("_add", "elemwise_add"), ("_minus", "elemwise_sub"), ("_Minus", "elemwise_sub"),
    ("_sub", "elemwise_sub"), ("_mul", "elemwise_mul"), ("_Mul", "elemwise_mul"),
    ("_div", "elemwise_div"), ("_Div", "elemwise_div"), ("_Power", "_power"),
    ("_Maximum", "_maximum"), ("_Minimum", "_minimum"), ("_PlusScalar", "_plus_scalar"),
    ("_RMinusScalar", "_rminus_scalar"), ("_RDivScalar", "_rdiv_scalar"),
    ("_RPowerScalar", "_rpower_scalar"), ("sum_axis", "sum"), ("max_axis", "max"),
])
def test_aliases(alias, name):
    assert registry.get(alias) is registry.get(name)
    assert registry.get(alias).name == name


# ---- shape inference -------------------------------------------------------------------------
S = None  # an unknown shape
SHAPE_INFERENCE = [
    ("softmax", {"axis": 1}, [(2, 3, 4)], [(2, 3, 4)], [(2, 3, 4)]),
    ("softmax", {"axis": 1, "use_length": True}, [(2, 3, 4), S], [(2, 3, 4), (2, 4)],
     [(2, 3, 4)]),
    ("Flatten", {}, [(2, 3, 4)], [(2, 3, 4)], [(2, 12)]),
    ("Concat", {"num_args": 2, "dim": 1}, [(2, 3), (2, 5)], [(2, 3), (2, 5)], [(2, 8)]),
    # as in MXNet, an unknown input gets the shared axes (0: its size along dim is not known)
    ("Concat", {"num_args": 2}, [(2, 3), S], [(2, 3), (2, 0)], [(2, 0)]),
    ("SliceChannel", {"num_outputs": 2, "axis": 0}, [(4, 3)], [(4, 3)], [(2, 3), (2, 3)]),
    ("SliceChannel", {"num_outputs": 3, "axis": 2, "squeeze_axis": True}, [(2, 1, 3)],
     [(2, 1, 3)], [(2, 1)] * 3),
    ("transpose", {}, [(2, 3, 4)], [(2, 3, 4)], [(4, 3, 2)]),
    ("transpose", {"axes": (0, 2, 1)}, [(2, 3, 4)], [(2, 3, 4)], [(2, 4, 3)]),
    ("expand_dims", {"axis": 2}, [(2, 3)], [(2, 3)], [(2, 3, 1)]),
    ("expand_dims", {"axis": -3}, [(2, 3)], [(2, 3)], [(1, 2, 3)]),
    ("Embedding", {"input_dim": 10, "output_dim": 4}, [(2, 5), S], [(2, 5), (10, 4)],
     [(2, 5, 4)]),
    ("LeakyReLU", {"act_type": "prelu"}, [(2, 3, 4), S], [(2, 3, 4), (3,)], [(2, 3, 4)]),
    ("LeakyReLU", {"act_type": "prelu"}, [(2, 3, 4), (1,)], [(2, 3, 4), (1,)], [(2, 3, 4)]),
    ("LeakyReLU", {"act_type": "rrelu"}, [(2, 3)], [(2, 3)], [(2, 3), (2, 3)]),
    ("dot", {}, [(2, 3, 4), (4, 5)], [(2, 3, 4), (4, 5)], [(2, 3, 5)]),
    ("dot", {"transpose_a": True}, [(4, 2, 3), (4, 5)], [(4, 2, 3), (4, 5)], [(2, 3, 5)]),
    ("dot", {}, [(4,), (4,)], [(4,), (4,)], [(1,)]),
    ("batch_dot", {"transpose_b": True}, [(2, 3, 4), (2, 5, 4)], [(2, 3, 4), (2, 5, 4)],
     [(2, 3, 5)]),
    ("sum", {}, [(2, 3, 4)], [(2, 3, 4)], [(1,)]),
    ("sum", {"keepdims": True}, [(2, 3, 4)], [(2, 3, 4)], [(1, 1, 1)]),
    ("mean", {"axis": (0, 2)}, [(2, 3, 4)], [(2, 3, 4)], [(3,)]),
    ("max", {"axis": 1, "exclude": True}, [(2, 3, 4)], [(2, 3, 4)], [(3,)]),
    ("min", {"axis": 1, "exclude": True, "keepdims": True}, [(2, 3, 4)], [(2, 3, 4)],
     [(1, 3, 1)]),
    ("norm", {"axis": -1, "keepdims": True}, [(2, 3)], [(2, 3)], [(2, 1)]),
    ("broadcast_add", {}, [(2, 1, 4), (3, 1)], [(2, 1, 4), (3, 1)], [(2, 3, 4)]),
    ("broadcast_mul", {}, [(2, 3), S], [(2, 3), S], [S]),
    ("elemwise_add", {}, [S, (2, 3)], [(2, 3), (2, 3)], [(2, 3)]),
    ("_plus_scalar", {"scalar": 1}, [(2, 3)], [(2, 3)], [(2, 3)]),
    ("add_n", {"num_args": 3}, [S, (2, 3), S], [(2, 3)] * 3, [(2, 3)]),
    ("where", {}, [(2,), (2, 3), S], [(2,), (2, 3), (2, 3)], [(2, 3)]),
    ("one_hot", {"depth": 5}, [(2, 3)], [(2, 3)], [(2, 3, 5)]),
    ("argmax", {"axis": 1}, [(2, 3, 4)], [(2, 3, 4)], [(2, 4)]),
    ("argmin", {"axis": 1, "keepdims": True}, [(2, 3, 4)], [(2, 3, 4)], [(2, 1, 4)]),
    ("argmax", {}, [(2, 3)], [(2, 3)], [(1,)]),
    ("topk", {"k": 2, "ret_typ": "both", "axis": 0}, [(3, 4)], [(3, 4)], [(2, 4), (2, 4)]),
    ("topk", {"k": 2, "ret_typ": "mask"}, [(3, 4)], [(3, 4)], [(3, 4)]),
    ("topk", {"k": 2, "axis": None}, [(3, 4)], [(3, 4)], [(2,)]),
    ("Cast", {"dtype": "int32"}, [(3,)], [(3,)], [(3,)]),
    ("SoftmaxOutput", {}, [(4, 5), S], [(4, 5), (4,)], [(4, 5)]),
    ("SoftmaxOutput", {"multi_output": True}, [(2, 4, 3, 3), S], [(2, 4, 3, 3), (2, 9)],
     [(2, 4, 3, 3)]),
    ("SoftmaxOutput", {"multi_output": True}, [(2, 4, 3, 3), (2, 3, 3)],
     [(2, 4, 3, 3), (2, 3, 3)], [(2, 4, 3, 3)]),
    ("SoftmaxOutput", {"preserve_shape": True}, [(2, 3, 4), S], [(2, 3, 4), (2, 3)],
     [(2, 3, 4)]),
    ("SoftmaxOutput", {}, [(4, 5), (4, 5)], [(4, 5), (4, 5)], [(4, 5)]),
]


@pytest.mark.parametrize("op_name, attrs, given, arg_shapes, out_shapes", SHAPE_INFERENCE)
def test_infer_shape(op_name, attrs, given, arg_shapes, out_shapes):
    args, outs, aux = opcheck.make_op(op_name, attrs).infer_shape(list(given))
    assert [None if s is None else tuple(s) for s in args] == arg_shapes
    assert [None if s is None else tuple(s) for s in outs] == out_shapes
    assert aux == []


@pytest.mark.parametrize("case", GOLDEN, ids=[c["id"] for c in GOLDEN])
def test_infer_shape_agrees_with_mxnet(case):
    """Inference gives MXNet's output shapes, and infers the parameters MXNet created."""
    arrays = np.load(opcheck.GOLDEN / f"{case['id']}.npz")
    shapes = [arrays[f"arg:{name}"].shape for name in case["arguments"]]
    op = opcheck.make_op(case["op"], case["attrs"])
    args, outs, _ = op.infer_shape(shapes)
    assert [tuple(s) for s in args] == shapes
    visible = outs[:case["num_outputs"]]
    assert [tuple(s) for s in visible] == [arrays[f"out:{i}"].shape for i in range(len(visible))]
    auto_created = [name.startswith("op_") for name in case["arguments"]]
    if not any(auto_created) or case["id"] == "linreg_label_1d":
        return  # the other inputs are the user's; a (batch,) label is accepted, not inferred
    # the weights, biases, gammas and labels MXNet created are inferred from the data
    args, _, _ = op.infer_shape([shapes[0]] + [None] * (len(shapes) - 1))
    assert [tuple(s) for s in args] == shapes


@pytest.mark.parametrize("op_name, attrs, given, pattern", [
    ("elemwise_add", {}, [(2, 3), (3, 2)], r"lhs has shape \(2, 3\) but rhs has shape \(3, 2\)"),
    ("broadcast_add", {}, [(2, 3), (4,)], r"lhs \(2, 3\) and rhs \(4,\) cannot be broadcast"),
    ("Concat", {"num_args": 2}, [(2, 3), (3, 3)], r"'arg1' has shape \(3, 3\).*dim=1"),
    ("Concat", {"num_args": 2, "dim": 2}, [(2, 3), (2, 3)], r"dim 2 is out of range"),
    ("SliceChannel", {"num_outputs": 4}, [(2, 6)], r"size 6 on axis 1.*num_outputs=4"),
    ("SliceChannel", {"num_outputs": 2, "squeeze_axis": True}, [(2, 4)], r"squeeze_axis"),
    ("transpose", {"axes": (0, 0, 1)}, [(2, 3, 4)], r"axes \(0, 0, 1\) is not a permutation"),
    ("expand_dims", {"axis": 3}, [(2, 3)], r"axis 3 is out of range"),
    ("sum", {"axis": 3}, [(2, 3, 4)], r"axis 3 is out of range"),
    ("mean", {"axis": (1, -2)}, [(2, 3, 4)], r"names axis 1 twice"),
    ("Embedding", {"input_dim": 10, "output_dim": 4}, [(2, 5), (10, 3)],
     r"argument 'weight' has shape \(10, 3\), expected \(10, 4\)"),
    ("LeakyReLU", {"act_type": "prelu"}, [(2, 3, 4), (4,)],
     r"argument 'gamma' has shape \(4,\), expected \(3,\)"),
    ("dot", {}, [(2, 3), (4, 5)], r"lhs \(2, 3\) and rhs \(4, 5\) do not match"),
    ("dot", {"transpose_a": True}, [(3,), (3,)], r"cannot transpose vectors"),
    ("batch_dot", {}, [(2, 3, 4), (3, 4, 5)], r"same leading"),
    ("where", {}, [(3,), (2, 3), (2, 3)], r"argument 'condition' has shape \(3,\)"),
    ("softmax", {"axis": 2}, [(2, 3)], r"axis 2 is out of range"),
    ("argmax", {"axis": -3}, [(2, 3)], r"axis -3 is out of range"),
    ("topk", {"k": 5}, [(2, 3)], r"k=5 is larger than the 3 elements"),
    ("SoftmaxOutput", {}, [(4, 5), (5,)], r"argument 'label' has shape \(5,\), expected \(4,\)"),
    ("SoftmaxOutput", {"multi_output": True}, [(2, 4, 3), (2, 4)],
     r"argument 'label' has shape \(2, 4\), expected one of"),
])
def test_shape_errors_name_the_node(op_name, attrs, given, pattern):
    with pytest.raises(MXNetError, match=f"{op_name} 'test_node'.*{pattern}"):
        opcheck.make_op(op_name, attrs).infer_shape(list(given))


# ---- parameter errors ------------------------------------------------------------------------
@pytest.mark.parametrize("op_name, attrs, pattern", [
    ("softmax", {"axes": 1}, r"unknown parameter 'axes'"),
    ("softmax", {"dtype": "int8"}, r"parameter 'dtype' expects one of"),
    ("softmax", {"temperature": 0}, r"temperature must not be 0"),
    ("SoftmaxActivation", {"mode": "spatial"}, r"parameter 'mode' expects one of"),
    ("Concat", {}, r"required parameter 'num_args' is missing"),
    ("Concat", {"num_args": "two"}, r"parameter 'num_args' expects an integer"),
    ("SliceChannel", {}, r"required parameter 'num_outputs' is missing"),
    ("SliceChannel", {"num_outputs": 0}, r"num_outputs must be >= 1"),
    ("expand_dims", {}, r"required parameter 'axis' is missing"),
    ("transpose", {"axes": "x"}, r"parameter 'axes' expects a shape tuple"),
    ("MakeLoss", {"normalization": "mean"}, r"parameter 'normalization' expects one of"),
    ("Embedding", {"input_dim": 3}, r"required parameter 'output_dim' is missing"),
    ("Embedding", {"input_dim": 3, "output_dim": 2, "dtype": "complex64"},
     r"parameter 'dtype' expects one of"),
    ("LeakyReLU", {"act_type": "swish"}, r"parameter 'act_type' expects one of"),
    ("LeakyReLU", {"alpha": 0.1}, r"unknown parameter 'alpha'"),
    ("clip", {"a_min": 0}, r"required parameter 'a_max' is missing"),
    ("dot", {"transpose_a": "maybe"}, r"parameter 'transpose_a' expects a boolean"),
    ("sum", {"axis": "all"}, r"parameter 'axis' expects"),
    ("sum", {"keepdim": True}, r"unknown parameter 'keepdim'"),
    ("norm", {"ord": 3}, r"parameter 'ord' expects one of"),
    ("norm", {"exclude": True}, r"unknown parameter 'exclude'"),
    ("exp", {"scalar": 2}, r"unknown parameter 'scalar'"),
    ("broadcast_add", {"axis": 0}, r"unknown parameter 'axis'"),
    ("_plus_scalar", {"scalar": True}, r"parameter 'scalar' expects a number"),
    ("_plus_scalar", {"scalar": "two"}, r"parameter 'scalar' expects a number"),
    ("add_n", {}, r"required parameter 'num_args' is missing"),
    ("one_hot", {}, r"required parameter 'depth' is missing"),
    ("one_hot", {"depth": 3, "dtype": "str"}, r"parameter 'dtype' expects one of"),
    ("argmax", {"axis": 1.5}, r"parameter 'axis' expects"),
    ("topk", {"ret_typ": "values"}, r"parameter 'ret_typ' expects one of"),
    ("Cast", {}, r"required parameter 'dtype' is missing"),
    ("Cast", {"dtype": "bfloat16"}, r"parameter 'dtype' expects one of"),
    ("SoftmaxOutput", {"normalization": "none"}, r"parameter 'normalization' expects one of"),
])
def test_parameter_errors_name_the_node(op_name, attrs, pattern):
    with pytest.raises(MXNetError, match=f"{re.escape(op_name)} 'test_node'.*{pattern}"):
        opcheck.make_op(op_name, attrs)


def test_parameters_read_from_symbol_json_strings():
    """Attributes arrive as the strings MXNet writes: 'True', '(0, 2)', '2.5', 'None'."""
    op = opcheck.make_op("sum", {"axis": "(0, 2)", "keepdims": "True"})
    assert op.axis == (0, 2) and op.keepdims is True
    op = opcheck.make_op("_plus_scalar", {"scalar": "2.5", "is_int": "False"})
    assert op.scalar == 2.5 and op.is_int is False
    assert opcheck.make_op("argmax", {"axis": "None"}).axis is None
    assert opcheck.make_op("softmax", {"temperature": "2.0"}).temperature == 2.0


# ---- golden values from MXNet 1.9.1 ----------------------------------------------------------
@pytest.mark.skipif(not GOLDEN, reason="tests/golden/ops/cases.json not generated yet")
@pytest.mark.parametrize("case", GOLDEN, ids=[c["id"] for c in GOLDEN])
def test_golden(case):
    opcheck.check_golden(case)


def test_golden_covers_the_core_cases():
    if not opcheck.golden_cases():
        pytest.skip("tests/golden/ops/cases.json not generated yet")
    ops = {c["op"] for c in GOLDEN}
    for name in ("softmax", "Concat", "SliceChannel", "LeakyReLU", "dot", "sum",
                 "broadcast_add", "_plus_scalar", "SoftmaxOutput", "FullyConnected"):
        assert name in ops

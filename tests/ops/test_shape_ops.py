"""Tests of the shape, indexing and creation operators (branch opsB): finite differences,
values against numpy, shape inference (partial and backwards), errors, and MXNet 1.9.1 goldens
(tests/golden/opsB, written by tests/golden/generate_opsB.py)."""
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

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden" / "opsB"


def normal(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def distinct(*shape: int, seed: int = 0) -> np.ndarray:
    """All different (no ties for sort)."""
    n = int(np.prod(shape))
    return ((np.random.default_rng(seed).permutation(n) - n // 2) * 0.1).reshape(shape)


def forward(op_name: str, attrs: dict, *inputs: np.ndarray) -> list[np.ndarray]:
    return opcheck.make_op(op_name, attrs).forward(True, list(inputs), [])


# ---- finite differences: (op, attrs, inputs, check) -----------------------------------------
GRADIENT_CASES = [
    ("reshape_like", {}, [normal(2, 6), normal(3, 4)], (0,)),
    ("reshape_like", {"lhs_begin": 1, "rhs_begin": 1, "rhs_end": 3},
     [normal(2, 6), normal(5, 2, 3)], (0,)),
    ("Reshape", {"target_shape": (0, 3)}, [normal(4, 6)], None),
    ("squeeze", {"axis": (0, 2)}, [normal(1, 3, 1, 2)], None),
    ("stack", {"axis": 1, "num_args": 3},
     [normal(2, 3), normal(2, 3, seed=1), normal(2, 3, seed=2)], None),
    ("repeat", {"repeats": 3, "axis": 1}, [normal(2, 3, 2)], None),
    ("repeat", {"repeats": 2}, [normal(2, 3)], None),
    ("tile", {"reps": (2, 1, 3)}, [normal(2, 3)], None),
    ("reverse", {"axis": (0, 2)}, [normal(2, 3, 4)], None),
    ("depth_to_space", {"block_size": 2}, [normal(2, 8, 2, 3)], None),
    ("space_to_depth", {"block_size": 2}, [normal(2, 3, 4, 6)], None),
    ("diag", {"k": 1}, [normal(3, 4)], None),
    ("diag", {"k": -1}, [normal(4)], None),
    ("diag", {"k": -1, "axis1": 2, "axis2": 0}, [normal(3, 2, 4)], None),
    ("_split_v2", {"indices": (0, 1, 4), "axis": 1}, [normal(2, 5)], None),
    ("_split_v2", {"indices": (), "sections": 3, "axis": 0, "squeeze_axis": True},
     [normal(3, 2)], None),
    ("take", {"axis": 1, "mode": "wrap"}, [normal(2, 3, 4), np.array([[0, 4], [2, 2]])], (0,)),
    ("batch_take", {}, [normal(3, 4), np.array([3, 0, 3])], (0,)),
    ("pick", {"axis": 0, "keepdims": True}, [normal(3, 4), np.array([2, 0, 1, 2])], (0,)),
    ("gather_nd", {}, [normal(3, 4, 2), np.array([[0, 2, 0], [1, -1, 1]])], (0,)),
    ("scatter_nd", {"shape": (3, 4, 2)}, [normal(2, 2), np.array([[0, 2], [1, 3]])], (0,)),
    ("slice_like", {"axes": (0, -1)}, [normal(4, 3, 5), normal(2, 9, 3)], (0,)),
    ("broadcast_to", {"shape": (2, 0, 4)}, [normal(1, 3, 1)], None),
    ("broadcast_axis", {"axis": (0, 2), "size": (3, 2)}, [normal(1, 3, 1)], None),
    ("broadcast_like", {"lhs_axes": (1,), "rhs_axes": (0,)}, [normal(2, 1), normal(5, 7)], (0,)),
    ("sort", {"axis": 0, "is_ascend": False}, [distinct(3, 4)], None),
    ("sort", {"axis": None}, [distinct(3, 4)], None),
    ("transpose", {"axes": (1, 2, 0)}, [normal(2, 3, 4)], None),
    ("_linalg_gemm2", {"transpose_a": True, "alpha": 2.0}, [normal(2, 4, 3), normal(2, 4, 5)],
     None),
    ("_linalg_gemm", {"transpose_b": True, "beta": -0.5, "axis": 0},
     [normal(3, 2, 4), normal(5, 2, 4), normal(3, 2, 5)], None),
]


@pytest.mark.parametrize("op_name, attrs, inputs, check", GRADIENT_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GRADIENT_CASES)])
def test_gradient(op_name, attrs, inputs, check):
    opcheck.check_gradient(op_name, attrs, inputs, check=check)


@pytest.mark.parametrize("op_name, attrs, inputs, check", GRADIENT_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GRADIENT_CASES)])
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_float_types_are_kept(op_name, attrs, inputs, check, dtype):
    op = opcheck.make_op(op_name, attrs)
    inputs = [x.astype(dtype) if x.dtype.kind == "f" else x for x in inputs]
    outputs = op.forward(True, inputs, [])
    assert all(o.dtype == dtype for o in outputs), f"{op_name} outputs"
    grads = op.backward([np.ones_like(o) for o in outputs], inputs, outputs, [])
    for x, grad in zip(inputs, grads):
        assert grad is None or x.dtype.kind != "f" or grad.dtype == dtype, f"{op_name} grads"


# ---- values against numpy -------------------------------------------------------------------
def test_shape_codes_and_legacy_target_shape():
    x = normal(2, 3, 4)
    assert forward("Reshape", {"shape": (-3, -4, 2, -1)}, x)[0].shape == (6, 2, 2)
    assert forward("Reshape", {"target_shape": (0, 4)}, x)[0].shape == (6, 4)
    assert forward("Reshape", {"target_shape": (5, 4, 0), "keep_highest": True}, x)[0].shape \
        == (2, 4, 3)


def test_reshape_like_ranges():
    op = opcheck.make_op("reshape_like", {"lhs_begin": 1, "lhs_end": -1, "rhs_begin": 1})
    assert op.infer_shape([(1, 1, 7, 3, 1, 1), (81, 1, 1, 21)])[1] == [(1, 1, 1, 21, 1)]
    with pytest.raises(MXNetError, match="number of elements differs"):
        opcheck.make_op("reshape_like", {}).infer_shape([(2, 3), (4, 2)])


def test_shape_and_size_array_are_int64():
    x = np.zeros((2, 3, 5), np.float32)
    shape, = forward("shape_array", {}, x)
    size, = forward("size_array", {}, x)
    assert shape.dtype == size.dtype == np.int64
    assert shape.tolist() == [2, 3, 5] and size.tolist() == [30]


def test_squeeze_everything_leaves_one():
    assert forward("squeeze", {}, np.ones((1, 1, 1)))[0].shape == (1,)
    with pytest.raises(MXNetError, match="only axes of size 1"):
        forward("squeeze", {"axis": 1}, np.ones((1, 2)))


def test_repeat_tile_reverse_match_numpy():
    x = normal(2, 3)
    np.testing.assert_array_equal(forward("repeat", {"repeats": 2, "axis": -1}, x)[0],
                                  np.repeat(x, 2, axis=-1))
    np.testing.assert_array_equal(forward("tile", {"reps": (3,)}, x)[0], np.tile(x, 3))
    np.testing.assert_array_equal(forward("tile", {"reps": ()}, x)[0], x)
    np.testing.assert_array_equal(forward("flip", {"axis": (1,)}, x)[0], x[:, ::-1])


def test_tile_rejects_non_positive_reps():
    with pytest.raises(MXNetError, match=r"reps \(1, 0, 3\) must all be >= 1"):
        mx.nd.tile(mx.nd.zeros((2, 2)), (1, 0, 3))


def test_depth_to_space_inverts_space_to_depth():
    x = normal(1, 2, 4, 6)
    deep, = forward("space_to_depth", {"block_size": 2}, x)
    assert deep.shape == (1, 8, 2, 3)
    np.testing.assert_array_equal(forward("depth_to_space", {"block_size": 2}, deep)[0], x)
    with pytest.raises(MXNetError, match="channels"):
        mx.nd.depth_to_space(mx.nd.zeros((1, 3, 2, 2)), 2)
    with mx.util.np_shape(True):  # a zero-size array needs NumPy shape semantics
        empty = mx.nd.zeros((1, 0, 2, 2))
    with pytest.raises(MXNetError, match="no empty axis"):
        mx.nd.space_to_depth(empty, 2)


def test_diag_matches_numpy():
    a = normal(3, 5)
    for k in (-2, 0, 3):
        np.testing.assert_array_equal(forward("diag", {"k": k}, a)[0], np.diag(a, k))
    np.testing.assert_array_equal(forward("diag", {"k": 2}, a[0])[0], np.diag(a[0], 2))
    with pytest.raises(MXNetError, match="outside the 3x5 planes"):
        mx.nd.diag(mx.nd.array(a), k=6)


def test_ravel_and_unravel_round_trip():
    coords = np.array([[0, 2, 1], [3, 0, 4]])
    flat, = forward("ravel_multi_index", {"shape": (3, 5)}, coords.astype(np.float32))
    np.testing.assert_array_equal(flat, np.ravel_multi_index(coords, (3, 5)))
    back, = forward("unravel_index", {"shape": (-1, 5)}, flat)
    np.testing.assert_array_equal(back, coords)


def test_split_v2_sections_and_indices():
    x = normal(2, 6)
    parts = forward("_split_v2", {"indices": (), "sections": 3, "axis": -1}, x)
    for got, want in zip(parts, np.split(x, 3, axis=-1)):
        np.testing.assert_array_equal(got, want)
    sym = mx.sym.split_v2(mx.sym.var("data"), (1, 4), axis=1)
    assert sym.infer_shape(data=(2, 6))[1] == [(2, 1), (2, 3), (2, 2)]
    with pytest.raises(MXNetError, match="either sections > 0 or indices"):
        opcheck.make_op("_split_v2", {"indices": (0, 2), "sections": 2})


def test_take_modes():
    a = np.arange(12.0).reshape(3, 4)
    index = np.array([-1, 1, 5])
    np.testing.assert_array_equal(forward("take", {"mode": "clip"}, a, index)[0],
                                  np.take(a, index, axis=0, mode="clip"))
    np.testing.assert_array_equal(forward("take", {"mode": "wrap", "axis": 1}, a, index)[0],
                                  np.take(a, index, axis=1, mode="wrap"))
    with pytest.raises(MXNetError, match="mode='raise'"):
        forward("take", {"mode": "raise"}, a, index)


def test_take_gradient_adds_repeated_indices():
    op = opcheck.make_op("take", {})
    grad, _ = op.backward([np.ones((3, 2))], [np.zeros((2, 2)), np.array([1, 1, 0])], [], [])
    np.testing.assert_array_equal(grad, [[1, 1], [2, 2]])


def test_pick_and_batch_take():
    a = normal(3, 4)
    index = np.array([3, 0, 2.0])
    expected = a[np.arange(3), [3, 0, 2]]
    np.testing.assert_array_equal(forward("batch_take", {}, a, index)[0], expected)
    np.testing.assert_array_equal(forward("pick", {"axis": 1}, a, index)[0], expected)
    np.testing.assert_array_equal(forward("pick", {"mode": "wrap"}, a, index + 4)[0], expected)


def test_gather_nd_bounds_and_negative_indices():
    data = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(forward("gather_nd", {}, data, np.array([[0, 1], [-1, -2]]))[0],
                                  [2, 4])
    with pytest.raises(IndexError, match="index 3 is out of bounds for axis 1 with size 3"):
        mx.nd.gather_nd(mx.nd.array(data), mx.nd.array([[0, 1], [0, 3]]))


def test_scatter_nd_writes_into_zeros():
    out, = forward("scatter_nd", {"shape": (2, 3)}, np.array([5.0, 7.0]),
                   np.array([[0, 1], [2, 0]]))
    np.testing.assert_array_equal(out, [[0, 0, 5], [7, 0, 0]])


def test_slice_like_keeps_rhs_type_and_gives_it_no_gradient():
    x = mx.nd.array(np.arange(12.0).reshape(3, 4))
    y = mx.nd.zeros((2, 3)).astype("int32")
    np.testing.assert_array_equal(mx.nd.slice_like(x, y).asnumpy(), [[0, 1, 2], [4, 5, 6]])
    np.testing.assert_array_equal(mx.nd.slice_like(x, y, axes=(1,)).asnumpy(),
                                  np.arange(12.0).reshape(3, 4)[:, :3])


def test_broadcasts_check_the_sizes():
    with pytest.raises(MXNetError, match="only axes of size 1 can grow"):
        mx.nd.broadcast_to(mx.nd.zeros((2, 3)), shape=(4, 3))
    assert mx.nd.broadcast_axes(mx.nd.zeros((1, 3)), axis=0, size=5).shape == (5, 3)


def test_sort_and_argsort():
    x = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    np.testing.assert_array_equal(forward("sort", {}, x)[0], np.sort(x, axis=-1))
    order, = forward("argsort", {"is_ascend": False, "dtype": np.int32}, x)
    assert order.dtype == np.int32
    np.testing.assert_array_equal(order, [[0, 2, 1], [1, 2, 0]])


def test_stack_checks_shapes():
    with pytest.raises(MXNetError, match="arg1"):
        forward("stack", {"num_args": 2}, np.zeros((2, 3)), np.zeros((3, 2)))


def test_where_checks_condition_shape_imperatively():
    with pytest.raises(MXNetError, match="condition"):
        mx.nd.where(mx.nd.array([1, 0]), mx.nd.zeros((3, 2)), mx.nd.ones((3, 2)))


def test_one_hot_takes_numpy_dtypes_and_zero_depth():
    out = mx.nd.one_hot(mx.nd.array([1, 0]), depth=3, dtype=np.int32)
    assert out.dtype == np.int32
    assert mx.nd.one_hot(mx.nd.array([1, 0]), depth=0).shape == (2, 0)
    assert json.loads(mx.sym.one_hot(mx.sym.var("i"), depth=3, dtype=np.int32).tojson()
                      )["nodes"][1]["attrs"]["dtype"] == "int32"


def test_positional_parameters_follow_the_inputs():
    x = mx.nd.array(normal(2, 3))
    assert mx.nd.repeat(x, 2, 0).shape == (4, 3)
    assert mx.sym.var("x").reshape((3, 2)).infer_shape(x=(2, 3))[1] == [(3, 2)]
    with pytest.raises(TypeError, match="only 2"):
        mx.nd.repeat(x, 2, 0, 1)


# ---- creation operators -----------------------------------------------------------------------
def test_creation_symbols():
    values = {
        "zeros": (mx.sym.zeros((2, 3)), np.zeros((2, 3))),
        "ones": (mx.sym.ones((2,), dtype="int32"), np.ones(2, np.int32)),
        "full": (mx.sym.full((2, 2), 7), np.full((2, 2), 7.0)),
        "arange": (mx.sym.arange(2, 8, 2, repeat=2), np.array([2, 2, 4, 4, 6, 6.0])),
        "arange(5)": (mx.sym.arange(5), np.arange(5.0)),
        "linspace": (mx.sym.linspace(0, 1, 5, endpoint=False), np.linspace(0, 1, 5, False)),
        "eye": (mx.sym.eye(3, 4, k=-1), np.eye(3, 4, -1)),
    }
    for what, (sym, expected) in values.items():
        out = sym.eval()[0].asnumpy()
        assert out.dtype == expected.dtype or expected.dtype == np.float64, what
        np.testing.assert_allclose(out, expected, err_msg=what)
        assert sym.infer_shape()[1] == [expected.shape], what


def test_creation_operator_json_round_trip():
    sym = mx.sym.full((2, 3), 1.5, dtype="float64")
    attrs = json.loads(sym.tojson())["nodes"][0]["attrs"]
    assert attrs == {"dtype": "float64", "shape": "(2, 3)", "value": "1.5"}
    np.testing.assert_array_equal(mx.sym.load_json(sym.tojson()).eval()[0].asnumpy(),
                                  np.full((2, 3), 1.5))


# ---- partial and backward shape inference (rules called directly) -----------------------------
@pytest.mark.parametrize("op_name, attrs, in_shapes, out_shapes, expected_in, expected_out", [
    ("transpose", {"axes": (0, 3, 2, 1)}, [(0, 3, 224, 224)], None, [(0, 3, 224, 224)],
     [(0, 224, 224, 3)]),
    ("transpose", {}, [None], [(2, 3)], [(3, 2)], [(2, 3)]),
    ("transpose", {}, [(3, 0)], [(0, 3)], [(3, 0)], [(0, 3)]),
    ("Reshape", {"shape": (0, -1)}, [(0, 3, 5, 5)], [(2, 75)], [(2, 3, 5, 5)], [(2, 75)]),
    ("dot", {}, [(0, 3, 4), (4, 5)], None, [(0, 3, 4), (4, 5)], [(0, 3, 5)]),
    ("batch_dot", {}, [(0, 3, 4), (0, 0, 5)], None, [(0, 3, 4), (0, 0, 5)], [None]),
    ("batch_dot", {}, [(0, 3, 4), (2, 4, 5)], None, [(0, 3, 4), (2, 4, 5)], [(2, 3, 5)]),
    ("_ones", {"shape": (2, -1)}, [], [(2, 3)], [], [(2, 3)]),
    ("_ones", {"shape": (-1, -1)}, [], None, [], [(0, 0)]),
    ("pick", {"axis": 1}, [(2, 3, 3), (0, 3)], None, [(2, 3, 3), (2, 3)], [(2, 3)]),
    ("slice", {"begin": (2, 3), "end": (None, 10), "step": (None, 2)}, [(0, 20)], None,
     [(0, 20)], [(0, 4)]),
    ("slice_axis", {"axis": 1, "begin": 0, "end": 5}, [(10, 0)], None, [(10, 0)], [(10, 0)]),
    ("Embedding", {"input_dim": 100, "output_dim": 10}, [(0, 5), None], None,
     [(0, 5), (100, 10)], [(0, 5, 10)]),
])
def test_partial_and_backward_inference(op_name, attrs, in_shapes, out_shapes, expected_in,
                                        expected_out):
    op = opcheck.make_op(op_name, attrs)
    ins, outs, _ = op.infer_shape(in_shapes, out_shapes)
    assert [None if s is None else tuple(s) for s in ins] == expected_in
    assert outs == expected_out


def test_filled_uses_the_shape_learnt_from_the_graph():
    op = opcheck.make_op("_ones", {"shape": (2, -1)})
    with pytest.raises(MXNetError, match="not fully known"):
        op.forward(False, [], [])
    op.infer_shape([], [(2, 3)])
    assert op.forward(False, [], [])[0].shape == (2, 3)


def test_where_needs_a_known_condition():
    op = opcheck.make_op("where", {})
    assert op.infer_shape([(0, 2), (0, 2), (0, 2)])[1] == [None]
    assert op.infer_shape([(2,), (2, 2), (2, 2)])[1] == [(2, 2)]


# ---- MXNet 1.9.1 goldens ------------------------------------------------------------------------
def _golden_cases() -> list[dict]:
    path = GOLDEN_DIR / "cases.json"
    return json.loads(path.read_text()) if path.exists() else []


@pytest.mark.parametrize("case", _golden_cases(), ids=lambda c: c["id"])
def test_agrees_with_mxnet(case):
    arrays = np.load(GOLDEN_DIR / f"{case['id']}.npz", allow_pickle=False)
    op = opcheck.make_op(case["op"], case["attrs"])
    inputs = [arrays[f"in{i}"] for i in range(case["num_inputs"])]
    outputs = op.forward(True, inputs, [])
    for i in range(case["num_outputs"]):
        opcheck.assert_close(outputs[i], arrays[f"out{i}"], f"{case['id']} output {i}")
    heads = [arrays[f"head{i}"] for i in range(case["num_outputs"])]
    grads = op.backward(heads + [np.zeros_like(o) for o in outputs[case["num_outputs"]:]],
                        inputs, outputs, [])
    for i in case["grads"]:
        opcheck.assert_close(grads[i], arrays[f"grad{i}"], f"{case['id']} gradient of input {i}")


def test_linalg_namespace_and_row_axis():
    a, b = normal(3, 2, 4), normal(4, 2, 5)
    sym = mx.sym.linalg.gemm2(mx.sym.var("a"), mx.sym.var("b"), axis=0)
    out = sym.eval(a=mx.nd.array(a), b=mx.nd.array(b))[0].asnumpy()
    expected = np.einsum("ibk,kbj->ibj", a, b)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    assert sym.name.startswith("gemm2")  # as MXNet names it, without the _linalg_ prefix
    with pytest.raises(AttributeError):
        mx.sym.linalg.no_such_function  # noqa: B018


def _graphs() -> dict:
    path = GOLDEN_DIR / "graphs.json"
    return json.loads(path.read_text()) if path.exists() else {}


@pytest.mark.parametrize("name", sorted(_graphs()))
def test_reads_mxnet_json(name):
    graph = _graphs()[name]
    sym = mx.sym.load_json(graph["json"])
    shapes = {k: tuple(v) for k, v in graph["shapes"].items()}
    expected = [tuple(s) for s in graph["out_shapes"]]
    assert sym.infer_shape(**shapes)[1] == expected
    # and what teachmod writes reads back the same
    assert mx.sym.load_json(sym.tojson()).infer_shape(**shapes)[1] == expected

"""Tests of the convolutional operators: finite differences, shapes, errors, MXNet goldens."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import opcheck  # noqa: E402

from teachmod.base import MXNetError  # noqa: E402
from teachmod.ops import dropout  # noqa: E402

CNN_OPS = {"Convolution", "Deconvolution", "Pooling", "BatchNorm", "Dropout", "LRN",
           "InstanceNorm", "LayerNorm", "UpSampling", "Pad", "Crop", "crop", "slice",
           "slice_axis", "SwapAxis", "swapaxes", "L2Normalization"}
CASES = [c for c in opcheck.golden_cases() if c["op"] in CNN_OPS]


def rand(*shape: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def first_output_loss(op_name: str, attrs: dict, inputs: list, aux=None, is_train=True,
                      seed: int = 0):
    """A loss on the first output only, with the head gradient ``check_gradient`` draws for it.

    Operators with hidden outputs (BatchNorm's mean, LRN's norm, ...) ignore the head gradients
    of those outputs, as in MXNet, so the objective must ignore them too.
    """
    op = opcheck.make_op(op_name, attrs)
    args = [np.asarray(x, np.float64) for x in inputs]
    auxs = [np.asarray(a, np.float64).copy() for a in (aux or [])]
    shapes = [o.shape for o in op.forward(is_train, args, auxs)]
    rng = np.random.default_rng(seed)
    head = [rng.standard_normal(s) for s in shapes][0]
    return lambda outs, ins: float(np.sum(outs[0] * head))


def check(op_name: str, attrs: dict, inputs: list, aux=None, hidden: bool = False, **kw):
    loss = first_output_loss(op_name, attrs, inputs, aux) if hidden else None
    opcheck.check_gradient(op_name, attrs, inputs, aux=aux, loss=loss, **kw)


# ---- finite differences (float64) ------------------------------------------------------------
CONV_CASES = [
    ({"kernel": (3, 3), "num_filter": 3, "pad": (1, 1)}, (2, 2, 4, 4)),
    ({"kernel": (3, 2), "num_filter": 2, "stride": (2, 1), "dilate": (1, 2)}, (1, 2, 6, 5)),
    ({"kernel": (3, 3), "num_filter": 4, "num_group": 2, "no_bias": True}, (2, 4, 4, 4)),
    ({"kernel": (3,), "num_filter": 2, "pad": (2,), "stride": (2,)}, (2, 3, 7)),
    ({"kernel": (2, 2, 2), "num_filter": 2, "pad": (1, 0, 1)}, (1, 2, 3, 3, 3)),
]


@pytest.mark.parametrize("attrs, shape", CONV_CASES)
def test_convolution_gradient(attrs, shape):
    op = opcheck.make_op("Convolution", attrs)
    arg_shapes, _, _ = op.infer_shape([shape] + [None] * (len(op.list_arguments()) - 1))
    check("Convolution", attrs, [rand(*s, seed=i) for i, s in enumerate(arg_shapes)])


DECONV_CASES = [
    ({"kernel": (3, 3), "num_filter": 2}, (2, 3, 3, 3)),
    ({"kernel": (3, 3), "num_filter": 2, "stride": (2, 2), "pad": (1, 1), "adj": (1, 1),
      "no_bias": False}, (1, 2, 3, 3)),
    ({"kernel": (3, 3), "num_filter": 4, "stride": (2, 2), "num_group": 2}, (1, 4, 2, 2)),
    ({"kernel": (3, 3), "num_filter": 2, "stride": (2, 2), "target_shape": (6, 6)},
     (1, 2, 3, 3)),
    ({"kernel": (4,), "num_filter": 2, "stride": (2,), "pad": (1,), "dilate": (2,)}, (2, 1, 4)),
]


@pytest.mark.parametrize("attrs, shape", DECONV_CASES)
def test_deconvolution_gradient(attrs, shape):
    op = opcheck.make_op("Deconvolution", attrs)
    arg_shapes, _, _ = op.infer_shape([shape] + [None] * (len(op.list_arguments()) - 1))
    check("Deconvolution", attrs, [rand(*s, seed=i) for i, s in enumerate(arg_shapes)])


POOL_CASES = [
    ({"kernel": (2, 2), "stride": (2, 2)}, (2, 2, 4, 4)),
    ({"kernel": (3, 3), "pad": (1, 1), "pool_type": "max"}, (1, 2, 4, 5)),
    ({"kernel": (3, 3), "stride": (2, 2), "pool_type": "max", "pooling_convention": "full"},
     (1, 2, 6, 6)),
    ({"kernel": (3, 3), "pad": (1, 1), "pool_type": "avg"}, (1, 2, 4, 4)),
    ({"kernel": (3, 3), "pad": (1, 1), "stride": (2, 2), "pool_type": "avg",
      "count_include_pad": False, "pooling_convention": "full"}, (1, 2, 5, 5)),
    ({"kernel": (2, 2), "pool_type": "sum"}, (1, 2, 3, 3)),
    ({"kernel": (2, 2), "stride": (2, 2), "pool_type": "lp", "p_value": 2}, (1, 2, 4, 4)),
    ({"kernel": (2, 2), "pool_type": "lp", "p_value": 3}, (1, 1, 3, 3)),
    ({"kernel": (2, 2), "pool_type": "lp", "p_value": 1}, (1, 1, 3, 3)),
    ({"global_pool": True, "pool_type": "avg"}, (2, 3, 3, 2)),
    ({"global_pool": True, "pool_type": "max"}, (2, 3, 3, 2)),
    ({"kernel": (3,), "stride": (2,), "pool_type": "max", "pooling_convention": "same"},
     (2, 2, 7)),
    ({"kernel": (2, 2, 2), "pool_type": "avg"}, (1, 1, 3, 3, 3)),
]


@pytest.mark.parametrize("attrs, shape", POOL_CASES)
def test_pooling_gradient(attrs, shape):
    check("Pooling", attrs, [rand(*shape)])


def max_pool_gradient_by_loops(grad, data, kernel, stride):
    """Max pooling's input gradient written as loops: each window's gradient goes to its
    first maximum in row-major order (no padding, 'valid' windows)."""
    result = np.zeros_like(data)
    (kh, kw), (sh, sw) = kernel, stride
    for n, c, i, j in np.ndindex(*grad.shape):
        window = data[n, c, i * sh:i * sh + kh, j * sw:j * sw + kw]
        r, s = np.unravel_index(np.argmax(window), window.shape)  # argmax: the first maximum
        result[n, c, i * sh + r, j * sw + s] += grad[n, c, i, j]
    return result


@pytest.mark.parametrize("shape, kernel, stride", [
    ((2, 3, 6, 8), (2, 2), (2, 2)),    # windows tile the input: the row-wise fast path
    ((2, 3, 7, 5), (2, 2), (2, 2)),    # a row and a column left over: the tap loop
    ((1, 2, 6, 6), (3, 3), (2, 2)),    # overlapping windows
])
def test_max_pooling_gradient_goes_to_the_first_maximum(shape, kernel, stride):
    rng = np.random.default_rng(3)
    # few distinct values (and many zeros, as after relu): most windows hold ties
    data = np.maximum(rng.integers(-2, 3, shape), 0).astype(np.float32)
    op = opcheck.make_op("Pooling", {"kernel": kernel, "stride": stride, "pool_type": "max"})
    (out,) = op.forward(True, [data], [])
    grad = rng.standard_normal(out.shape).astype(np.float32)
    (got,) = op.backward([grad], [data], [out], [])
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, max_pool_gradient_by_loops(grad, data, kernel, stride))


@pytest.mark.parametrize("attrs, shape", [
    ({"fix_gamma": False}, (4, 3, 2, 2)),
    ({}, (4, 3, 2, 2)),  # fix_gamma: gamma is 1 and its gradient 0
    ({"fix_gamma": False, "axis": -1}, (3, 2, 4)),
    ({"fix_gamma": False}, (5, 3)),
    ({"fix_gamma": False, "use_global_stats": True}, (4, 3, 2, 2)),
])
def test_batch_norm_gradient(attrs, shape):
    channels = shape[attrs.get("axis", 1)]
    inputs = [rand(*shape) * 2 + 0.5, rand(channels, seed=2) + 1.5, rand(channels, seed=3)]
    aux = [rand(channels, seed=4) * 0.1, np.abs(rand(channels, seed=5)) + 0.5]
    check("BatchNorm", attrs, inputs, aux=aux, hidden=True)


def test_dropout_gradient(monkeypatch):
    # a fixed mask for every forward pass, so that finite differences see one function
    monkeypatch.setattr(dropout, "generator", lambda: np.random.default_rng(7))
    check("Dropout", {"p": 0.4}, [rand(3, 4)], hidden=True)
    check("Dropout", {"p": 0.5, "axes": (0,), "mode": "always"}, [rand(3, 4)], hidden=True,
          is_train=False)


NORM_CASES = [
    ("LRN", {"nsize": 3, "alpha": 0.5, "beta": 0.75, "knorm": 2.0}, [(2, 5, 2, 2)]),
    ("InstanceNorm", {}, [(2, 3, 2, 2), (3,), (3,)]),
    ("InstanceNorm", {"eps": 0.01}, [(2, 3, 5), (3,), (3,)]),
    ("LayerNorm", {}, [(2, 3, 4), (4,), (4,)]),
    ("LayerNorm", {"axis": 1, "output_mean_var": True}, [(2, 3, 4), (3,), (3,)]),
    ("L2Normalization", {}, [(3, 4)]),
    ("L2Normalization", {"mode": "channel"}, [(2, 3, 2, 2)]),
    ("L2Normalization", {"mode": "spatial"}, [(2, 3, 2, 2)]),
]


@pytest.mark.parametrize("op_name, attrs, shapes", NORM_CASES)
def test_normalization_gradient(op_name, attrs, shapes):
    inputs = [rand(*s, seed=i) + (1.0 if i == 1 else 0.0) for i, s in enumerate(shapes)]
    check(op_name, attrs, inputs, hidden=True)


SHAPE_OP_CASES = [
    ("UpSampling", {"scale": 2, "sample_type": "nearest", "num_args": 1}, [(1, 2, 2, 3)]),
    ("UpSampling", {"scale": 2, "sample_type": "nearest", "num_args": 2},
     [(1, 2, 2, 2), (1, 1, 4, 4)]),
    ("UpSampling", {"scale": 2, "sample_type": "nearest", "num_args": 2,
                    "multi_input_mode": "sum"}, [(1, 2, 2, 2), (1, 2, 1, 1)]),
    ("UpSampling", {"scale": 2, "sample_type": "bilinear", "num_args": 2, "num_filter": 2},
     [(1, 2, 2, 2), (2, 1, 4, 4)]),
    ("Pad", {"mode": "constant", "pad_width": (0, 0, 0, 0, 1, 2, 0, 1),
             "constant_value": 3.0}, [(1, 2, 3, 3)]),
    ("Pad", {"mode": "edge", "pad_width": (0, 0, 0, 0, 2, 1, 1, 2)}, [(1, 2, 3, 3)]),
    ("Pad", {"mode": "reflect", "pad_width": (0, 0, 0, 0, 2, 1, 1, 2, 1, 0)},
     [(1, 1, 3, 3, 2)]),
    ("Crop", {"num_args": 1, "h_w": (2, 3), "offset": (1, 0)}, [(2, 2, 4, 4)]),
    ("Crop", {"num_args": 2, "center_crop": True}, [(1, 2, 5, 6), (1, 1, 2, 3)]),
    ("slice", {"begin": (None, 1), "end": (None, -1), "step": (-1, 2)}, [(3, 5, 2)]),
    ("crop", {"begin": (1,), "end": (3,)}, [(4, 2)]),
    ("slice_axis", {"axis": -1, "begin": 1, "end": None}, [(2, 3, 4)]),
    ("SwapAxis", {"dim1": 0, "dim2": 2}, [(2, 3, 4)]),
    ("swapaxes", {"dim1": 1, "dim2": -1}, [(2, 3, 4)]),
]


@pytest.mark.parametrize("op_name, attrs, shapes", SHAPE_OP_CASES)
def test_shape_op_gradient(op_name, attrs, shapes):
    check(op_name, attrs, [rand(*s, seed=i) for i, s in enumerate(shapes)], check=(0,))


# ---- behaviour ----------------------------------------------------------------------------------
def test_batch_norm_moving_statistics_and_outputs():
    op = opcheck.make_op("BatchNorm", {"momentum": 0.8, "output_mean_var": True})
    data = (rand(6, 2, 3) * 3 + 1).astype(np.float32)
    gamma, beta = np.full(2, 5.0, np.float32), np.zeros(2, np.float32)
    moving = [np.zeros(2, np.float32), np.ones(2, np.float32)]
    out, mean, inv_std = op.forward(True, [data, gamma, beta], moving)
    assert out.dtype == np.float32 and op.num_visible_outputs() == 3
    np.testing.assert_allclose(mean, data.mean(axis=(0, 2)), rtol=1e-5)
    np.testing.assert_allclose(inv_std, 1 / np.sqrt(data.var(axis=(0, 2)) + 1e-3), rtol=1e-5)
    np.testing.assert_allclose(out.std(axis=(0, 2)), 1, rtol=1e-3)  # fix_gamma: gamma is 1
    np.testing.assert_allclose(moving[0], 0.2 * data.mean(axis=(0, 2)), rtol=1e-5)
    np.testing.assert_allclose(moving[1], 0.8 + 0.2 * data.var(axis=(0, 2)), rtol=1e-5)
    before = [m.copy() for m in moving]
    op.forward(False, [data, gamma, beta], moving)  # inference leaves them alone
    assert all(np.array_equal(a, b) for a, b in zip(before, moving))
    assert opcheck.make_op("BatchNorm").num_visible_outputs() == 1


def test_dropout_training_and_inference():
    op = opcheck.make_op("Dropout", {"p": 0.25})
    data = np.ones((200, 100), np.float32)
    out, mask = op.forward(True, [data], [])
    assert out.dtype == np.float32
    assert set(np.unique(out)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((out == 0).mean() - 0.25) < 0.02
    (grad,) = op.backward([data], [data], [out, mask], [])
    np.testing.assert_array_equal(grad, out)
    np.testing.assert_array_equal(op.forward(False, [data], [])[0], data)
    shared = opcheck.make_op("Dropout", {"p": 0.5, "axes": (1,)}).forward(True, [data], [])
    assert shared[1].shape == (200, 1)
    assert (shared[0] == shared[0][:, :1]).all()


def test_dropout_uses_teachmod_seed():
    from teachmod import random

    op, data = opcheck.make_op("Dropout", {}), np.ones((4, 5), np.float32)
    random.seed(3)
    first = op.forward(True, [data], [])[0]
    random.seed(3)
    np.testing.assert_array_equal(first, op.forward(True, [data], [])[0])


def all_operator_cases() -> list[tuple[str, dict, list, list]]:
    """(op, attrs, argument shapes, aux shapes) for every finite-difference case above."""
    cases = []
    for op_name, table in (("Convolution", CONV_CASES), ("Deconvolution", DECONV_CASES)):
        for attrs, shape in table:
            op = opcheck.make_op(op_name, attrs)
            arg_shapes = op.infer_shape([shape] + [None] * (len(op.list_arguments()) - 1))[0]
            cases.append((op_name, attrs, arg_shapes, []))
    cases += [("Pooling", attrs, [shape], []) for attrs, shape in POOL_CASES]
    cases += [(op, attrs, shapes, []) for op, attrs, shapes in NORM_CASES + SHAPE_OP_CASES]
    cases += [("BatchNorm", {"fix_gamma": False}, [(4, 3, 2, 2), (3,), (3,)], [(3,), (3,)]),
              ("Dropout", {"p": 0.3}, [(4, 3)], [])]
    return cases


def test_float32_stays_float32():
    for op_name, attrs, shapes, aux_shapes in all_operator_cases():
        op = opcheck.make_op(op_name, attrs)
        inputs = [rand(*s).astype(np.float32) for s in shapes]
        aux = [np.ones(s, np.float32) for s in aux_shapes]
        outputs = op.forward(True, inputs, aux)
        grads = op.backward([np.ones_like(o) for o in outputs], inputs, outputs, aux)
        arrays = [*outputs, *aux, *(g for g in grads if g is not None)]
        assert {a.dtype for a in arrays} == {np.dtype(np.float32)}, (op_name, attrs)


# ---- shape inference ---------------------------------------------------------------------------
@pytest.mark.parametrize("op_name, attrs, data, arg_shapes, out_shapes, aux_shapes", [
    ("Convolution", {"kernel": (3, 3), "num_filter": 128, "pad": (1, 1)}, (8, 3, 224, 224),
     [(8, 3, 224, 224), (128, 3, 3, 3), (128,)], [(8, 128, 224, 224)], []),
    ("Convolution", {"kernel": (3, 3), "num_filter": 4, "num_group": 2, "stride": (2, 2),
                     "dilate": (2, 2), "no_bias": True}, (1, 6, 9, 10),
     [(1, 6, 9, 10), (4, 3, 3, 3)], [(1, 4, 3, 3)], []),
    ("Convolution", {"kernel": (3,), "num_filter": 2}, (1, 3, 5),
     [(1, 3, 5), (2, 3, 3), (2,)], [(1, 2, 3)], []),
    ("Deconvolution", {"kernel": (4, 4), "num_filter": 6, "num_group": 2, "stride": (2, 2),
                       "pad": (1, 1)}, (1, 4, 5, 5),
     [(1, 4, 5, 5), (4, 3, 4, 4)], [(1, 6, 10, 10)], []),
    ("Deconvolution", {"kernel": (3, 3), "num_filter": 1, "stride": (2, 2),
                       "target_shape": (8, 7)}, (1, 1, 4, 4),
     [(1, 1, 4, 4), (1, 1, 3, 3)], [(1, 1, 8, 7)], []),
    ("Pooling", {"kernel": (3, 3), "stride": (2, 2)}, (1, 2, 6, 6),
     [(1, 2, 6, 6)], [(1, 2, 2, 2)], []),
    ("Pooling", {"kernel": (3, 3), "stride": (2, 2), "pooling_convention": "full"},
     (1, 2, 6, 6), [(1, 2, 6, 6)], [(1, 2, 3, 3)], []),
    ("Pooling", {"kernel": (3,), "stride": (2,), "pooling_convention": "same"}, (1, 2, 7),
     [(1, 2, 7)], [(1, 2, 4)], []),
    ("Pooling", {"global_pool": True}, (2, 3, 5, 4), [(2, 3, 5, 4)], [(2, 3, 1, 1)], []),
    ("BatchNorm", {}, (2, 3, 4, 4), [(2, 3, 4, 4), (3,), (3,)],
     [(2, 3, 4, 4), (3,), (3,)], [(3,), (3,)]),
    ("BatchNorm", {"axis": -1}, (2, 5), [(2, 5), (5,), (5,)], [(2, 5), (5,), (5,)],
     [(5,), (5,)]),
    ("Dropout", {"axes": (2, 3)}, (2, 3, 4, 4), [(2, 3, 4, 4)], [(2, 3, 4, 4), (2, 3, 1, 1)],
     []),
    ("LayerNorm", {"axis": 1}, (2, 3, 4), [(2, 3, 4), (3,), (3,)],
     [(2, 3, 4), (2, 1, 4), (2, 1, 4)], []),
    ("InstanceNorm", {}, (2, 3, 4), [(2, 3, 4), (3,), (3,)], [(2, 3, 4), (2, 3), (2, 3)], []),
    ("L2Normalization", {"mode": "channel"}, (2, 3, 4, 5), [(2, 3, 4, 5)],
     [(2, 3, 4, 5), (2, 1, 4, 5)], []),
    ("UpSampling", {"scale": 3, "sample_type": "bilinear", "num_args": 2}, (1, 2, 4, 4),
     [(1, 2, 4, 4), (2, 1, 5, 5)], [(1, 2, 12, 12)], []),
    ("Pad", {"mode": "edge", "pad_width": (0, 0, 0, 0, 1, 2, 3, 4)}, (1, 2, 3, 3),
     [(1, 2, 3, 3)], [(1, 2, 6, 10)], []),
    ("slice", {"begin": (1, None), "end": (None, 0), "step": (2, -1)}, (5, 4),
     [(5, 4)], [(2, 3)], []),
    ("slice_axis", {"axis": 1, "begin": -3, "end": -1}, (2, 5), [(2, 5)], [(2, 2)], []),
    ("SwapAxis", {"dim1": 1, "dim2": 3}, (1, 2, 3, 4), [(1, 2, 3, 4)], [(1, 4, 3, 2)], []),
])
def test_infer_shape(op_name, attrs, data, arg_shapes, out_shapes, aux_shapes):
    op = opcheck.make_op(op_name, attrs)
    shapes = [data] + [None] * (len(op.list_arguments()) - 1)
    assert op.infer_shape(shapes) == (arg_shapes, out_shapes, aux_shapes)


def test_symbol_shapes_of_the_book_network():
    import teachmod as mx

    net = mx.sym.Convolution(mx.sym.Variable("data"), kernel=(3, 3), pad=(1, 1),
                             num_filter=128, name="conv1")
    net = mx.sym.BatchNorm(net, name="bn1")
    net = mx.sym.Pooling(net, kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool1")
    assert net.list_arguments() == ["data", "conv1_weight", "conv1_bias", "bn1_gamma",
                                    "bn1_beta"]
    assert net.list_auxiliary_states() == ["bn1_moving_mean", "bn1_moving_var"]
    _, out_shapes, aux_shapes = net.infer_shape(data=(8, 3, 224, 224))
    assert out_shapes == [(8, 128, 112, 112)] and aux_shapes == [(128,), (128,)]


# ---- errors name the layer ---------------------------------------------------------------------
def test_kernel_does_not_fit():
    op = opcheck.make_op("Convolution", {"kernel": (3, 3), "num_filter": 4})
    with pytest.raises(MXNetError) as err:
        op.infer_shape([(1, 3, 2, 2), None, None])
    message = str(err.value)
    for part in ("Convolution 'test_node'", "kernel 3x3", "2x2", "pad 0x0", "at least 3x3"):
        assert part in message, message
    pool = opcheck.make_op("Pooling", {"kernel": (3, 3)})
    with pytest.raises(MXNetError, match="Pooling 'test_node'.*kernel 3x3 does not fit"):
        pool.forward(True, [np.zeros((1, 1, 2, 2), np.float32)], [])


def test_kernel_does_not_fit_through_symbol():
    import teachmod as mx

    net = mx.sym.Convolution(mx.sym.Variable("data"), kernel=(3, 3), num_filter=2, name="c1")
    with pytest.raises(MXNetError, match="Convolution 'c1'"):
        net.infer_shape(data=(1, 1, 2, 2))


@pytest.mark.parametrize("op_name, attrs, pattern", [
    ("Convolution", {"kernel": (3, 3)}, "required parameter 'num_filter' is missing"),
    ("Convolution", {"num_filter": 2}, "required parameter 'kernel' is missing"),
    ("Convolution", {"kernel": (3, 3), "num_filter": 2, "layout": "NHWC"}, "layout 'NHWC'"),
    ("Convolution", {"kernel": (3,), "num_filter": 2, "layout": "NCHW"}, "layout 'NCHW'"),
    ("Convolution", {"kernel": (3, 3), "num_filter": 2, "stride": (1,)}, "stride"),
    ("Convolution", {"kernel": (3, 3), "num_filter": 3, "num_group": 2}, "num_group"),
    ("Convolution", {"kernel": (3, 3), "num_filter": 2, "cudnn_tune": "slow"}, "cudnn_tune"),
    ("Convolution", {"kernel": (3, 3), "num_filter": 2, "bogus": 1}, "unknown parameter"),
    ("Deconvolution", {"kernel": (3, 3), "num_filter": 2, "stride": (2, 2), "adj": (2, 2)},
     None),
    ("Pooling", {"kernel": (2, 2), "pool_type": "median"}, "pool_type"),
    ("Pooling", {"kernel": (2, 2), "pool_type": "lp"}, "p_value"),
    ("Pooling", {}, "kernel"),
    ("Pooling", {"kernel": (2, 2), "layout": "NHWC"}, "layout"),
    ("BatchNorm", {"momentum": "fast"}, "momentum"),
    ("Dropout", {"p": 1.5}, r"p must be in \[0, 1\]"),
    ("Dropout", {"mode": "sometimes"}, "mode"),
    ("LRN", {"nsize": 4}, "odd"),
    ("LRN", {}, "nsize"),
    ("L2Normalization", {"mode": "pixel"}, "mode"),
    ("UpSampling", {"scale": 2, "sample_type": "bilinear", "num_args": 1}, "2 inputs"),
    ("Pad", {"mode": "wrap", "pad_width": (0, 0, 0, 0, 1, 1, 1, 1)}, "mode"),
    ("Crop", {"num_args": 3}, "num_args"),
    ("slice", {"begin": (0, 1), "end": (2,)}, "same length"),
    ("slice", {"begin": (0,), "end": (2,), "step": (0,)}, "cannot contain 0"),
])
def test_parameter_errors_name_the_layer(op_name, attrs, pattern):
    with pytest.raises(MXNetError) as err:
        op = opcheck.make_op(op_name, attrs)
        if op_name == "Deconvolution":
            op.infer_shape([(1, 1, 3, 3), None])
    assert f"{op_name} 'test_node'" in str(err.value)
    if pattern:
        assert re.search(pattern, str(err.value)), str(err.value)


@pytest.mark.parametrize("op_name, attrs, shapes, pattern", [
    ("Convolution", {"kernel": (3, 3), "num_filter": 2}, [(1, 3, 5)], "4 dimensions"),
    ("Convolution", {"kernel": (1, 1), "num_filter": 2, "num_group": 2}, [(1, 3, 5, 5)],
     "not divisible"),
    ("Convolution", {"kernel": (1, 1), "num_filter": 2}, [(1, 3, 5, 5), (2, 4, 1, 1)],
     "weight"),
    ("Pooling", {"kernel": (2,), "pooling_convention": "same"}, [(1, 1, 4, 4)], "kernel"),
    ("Pooling", {"kernel": (2, 2), "pooling_convention": "same"}, [(1, 1, 4, 4)], "1-D"),
    ("BatchNorm", {"axis": 4}, [(1, 2, 3, 4)], "axis 4"),
    ("LRN", {"nsize": 3}, [(2, 3, 4)], "4-D"),
    ("Pad", {"mode": "constant", "pad_width": (1, 1, 0, 0, 0, 0, 0, 0)}, [(1, 2, 3, 3)],
     "axes N and C"),
    ("Pad", {"mode": "reflect", "pad_width": (0, 0, 0, 0, 3, 0, 0, 0)}, [(1, 2, 3, 3)],
     "smaller"),
    ("Crop", {"num_args": 1, "h_w": (4, 4), "offset": (1, 1)}, [(1, 1, 4, 4)], "not fit"),
    ("SwapAxis", {"dim1": 0, "dim2": 3}, [(2, 3)], "out of range"),
    ("slice_axis", {"axis": 0, "begin": 3, "end": 2}, [(4, 2)], "select nothing"),
])
def test_shape_errors_name_the_layer(op_name, attrs, shapes, pattern):
    op = opcheck.make_op(op_name, attrs)
    shapes = shapes + [None] * (len(op.list_arguments()) - len(shapes))
    with pytest.raises(MXNetError, match=f"{op_name} 'test_node'.*{pattern}"):
        op.infer_shape(shapes)


# ---- golden values from MXNet 1.9.1 ------------------------------------------------------------
@pytest.mark.skipif(not CASES, reason="tests/golden/ops/cases.json not generated yet")
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden(case):
    opcheck.check_golden(case)


def test_golden_covers_every_operator():
    if not CASES:
        pytest.skip("tests/golden/ops/cases.json not generated yet")
    expected = {"Convolution", "Deconvolution", "Pooling", "BatchNorm", "Dropout", "LRN",
                "InstanceNorm", "LayerNorm", "UpSampling", "Pad", "Crop", "slice", "SwapAxis",
                "L2Normalization"}
    assert expected <= {c["op"] for c in CASES}

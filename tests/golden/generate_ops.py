"""Generate golden operator data from the real Apache MXNet 1.9.1.

This script runs under MXNet 1.9.1 only; the teachmod tests never import it.
Run it from the repository root::

    python -m venv /tmp/mxvenv && /tmp/mxvenv/bin/pip install mxnet==1.9.1 numpy==1.23.5 \
        && /tmp/mxvenv/bin/python tests/golden/generate_ops.py

It writes ``tests/golden/ops/cases.json`` and one ``tests/golden/ops/<case_id>.npz`` per
case (see ``tests/golden/README.md`` for the format).  Every case builds a one-operator
symbol, binds it on the CPU in float32, runs ``forward`` (and ``backward`` when
``is_train``) and stores inputs, outputs, head gradients, input gradients and auxiliary
states.  Inputs come from ``np.random.RandomState`` seeded with the CRC32 of the case id,
so the output is deterministic and adding a case does not change the others.

The oneDNN (MKLDNN) kernels of the pip wheel are switched off (``MXNET_MKLDNN_ENABLED=0``)
so the data come from MXNet's reference CPU kernels: they do not depend on the CPU's
instruction set, and oneDNN rejects some valid cases (Deconvolution with ``target_shape``).
Set ``MXNET_MKLDNN_ENABLED=1`` in the environment to compare with the oneDNN kernels.
"""

import json
import os
import shutil
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import mxnet as mx
import numpy as np

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ops")
F32 = np.float32

Gen = Callable[[np.random.RandomState], np.ndarray]


# ---------------------------------------------------------------------------
# Input generators: each returns a function of the case's RandomState.
# ---------------------------------------------------------------------------


def normal(*shape, scale=1.0, loc=0.0) -> Gen:
    return lambda rs: (loc + scale * rs.randn(*shape)).astype(F32)


def uniform(low, high, *shape) -> Gen:
    return lambda rs: rs.uniform(low, high, size=shape).astype(F32)


def away_from(*shape, points=(0.0,), low=-2.0, high=2.0, eps=0.05) -> Gen:
    """Uniform values in [low, high) that stay at least eps away from every kink point."""

    def gen(rs):
        x = rs.uniform(low, high, size=shape)
        while True:
            bad = np.zeros(shape, dtype=bool)
            for p in points:
                bad |= np.abs(x - p) < eps
            if not bad.any():
                return x.astype(F32)
            x[bad] = rs.uniform(low, high, size=int(bad.sum()))

    return gen


def distinct(*shape, spacing=0.1) -> Gen:
    """Shuffled values with pairwise gaps >= spacing/2 (no ties for max/min/max-pooling)."""

    def gen(rs):
        n = int(np.prod(shape))
        grid = (rs.permutation(n) - n / 2.0) * spacing
        return (grid + rs.uniform(0, spacing / 2, size=n)).reshape(shape).astype(F32)

    return gen


def labels(num_classes, *shape, low=0) -> Gen:
    """Integer class labels in [low, num_classes), stored as float32 like MXNet does."""
    return lambda rs: rs.randint(low, num_classes, size=shape).astype(F32)


def const(values) -> Gen:
    return lambda rs: np.asarray(values, dtype=F32)


def default_fill(name: str, shape, rs: np.random.RandomState) -> np.ndarray:
    """Values for auto-created parameters / aux states that a case does not set itself."""
    if name.endswith(("_gamma", "_moving_var")):
        return rs.uniform(0.5, 1.5, size=shape).astype(F32)
    if name.endswith(("_beta", "_bias", "_moving_mean")):
        return (0.1 * rs.randn(*shape)).astype(F32)
    if name.endswith("_weight"):
        return (0.5 * rs.randn(*shape)).astype(F32)
    raise ValueError(f"no default generator for {name!r}")


# ---------------------------------------------------------------------------
# Case description
# ---------------------------------------------------------------------------


@dataclass
class Case:
    """One operator case.

    ``inputs`` maps variable names to generators.  Names starting with ``op_`` are the
    variables MXNet auto-creates for the op node (named ``op``): they are not passed to the
    operator, only given values.  Other names become ``mx.sym.Variable`` inputs passed by
    keyword (or positionally, in order, when ``positional`` is set, for variadic ops).
    Auto-created arguments not listed get ``default_fill`` values.  ``build`` replaces the
    ``getattr(mx.sym, op)`` call (used for Python scalar arithmetic).  Arguments in
    ``no_grad`` are bound with grad_req 'null' because MXNet refuses to compute their
    gradient (Embedding indices); all others use 'write'.
    """

    id: str
    op: str
    inputs: dict[str, Gen]
    params: dict[str, object] = field(default_factory=dict)
    positional: bool = False
    is_train: bool = True
    loss: bool = False
    steps: int = 1
    build: Callable[[dict[str, mx.sym.Symbol]], mx.sym.Symbol] | None = None
    no_grad: tuple[str, ...] = ()


CASES: list[Case] = []


def add(case_id, op, inputs, **kwargs):
    """Register a case; keyword arguments that are not Case fields become op params."""
    fields = {"positional", "is_train", "loss", "steps", "build", "no_grad"}
    opts = {k: v for k, v in kwargs.items() if k in fields}
    params = {k: v for k, v in kwargs.items() if k not in fields}
    CASES.append(Case(case_id, op, inputs, params, **opts))


# ---------------------------------------------------------------------------
# Issue "core"
# ---------------------------------------------------------------------------


def core_cases():
    # FullyConnected
    add("fc_bias", "FullyConnected", {"data": normal(4, 5)}, num_hidden=3)
    add("fc_no_bias", "FullyConnected", {"data": normal(4, 5)}, num_hidden=3, no_bias=True)
    add("fc_flatten_4d", "FullyConnected", {"data": normal(2, 3, 2, 2)}, num_hidden=4)
    add(
        "fc_flatten_false_3d",
        "FullyConnected",
        {"data": normal(2, 3, 5)},
        num_hidden=4,
        flatten=False,
    )

    # Activation
    add("act_relu", "Activation", {"data": away_from(3, 4)}, act_type="relu")
    for act in ("sigmoid", "tanh", "softrelu", "softsign"):
        add("act_" + act, "Activation", {"data": normal(3, 4, scale=1.5)}, act_type=act)

    # SoftmaxOutput (the label variable is auto-created as op_label)
    add(
        "softmax_output_default",
        "SoftmaxOutput",
        {"data": normal(4, 5), "op_label": labels(5, 4)},
        loss=True,
    )
    add(
        "softmax_output_grad_scale",
        "SoftmaxOutput",
        {"data": normal(4, 5), "op_label": labels(5, 4)},
        grad_scale=0.5,
        loss=True,
    )
    ignored = const([1, -1, 3, 0, -1, 2])
    add(
        "softmax_output_norm_null_ignore",
        "SoftmaxOutput",
        {"data": normal(6, 4), "op_label": ignored},
        normalization="null",
        use_ignore=True,
        ignore_label=-1,
        loss=True,
    )
    add(
        "softmax_output_norm_batch_ignore",
        "SoftmaxOutput",
        {"data": normal(6, 4), "op_label": ignored},
        normalization="batch",
        use_ignore=True,
        ignore_label=-1,
        loss=True,
    )
    add(
        "softmax_output_norm_valid_ignore",
        "SoftmaxOutput",
        {"data": normal(6, 4), "op_label": ignored},
        normalization="valid",
        use_ignore=True,
        ignore_label=-1,
        loss=True,
    )
    add(
        "softmax_output_norm_valid_ignore0",
        "SoftmaxOutput",
        {"data": normal(6, 4), "op_label": const([1, 0, 3, 0, 2, 2])},
        normalization="valid",
        use_ignore=True,
        ignore_label=0,
        grad_scale=2.0,
        loss=True,
    )
    add(
        "softmax_output_multi_output",
        "SoftmaxOutput",
        {"data": normal(2, 4, 3), "op_label": labels(4, 2, 3)},
        multi_output=True,
        loss=True,
    )
    add(
        "softmax_output_multi_output_valid_ignore",
        "SoftmaxOutput",
        {"data": normal(2, 4, 3), "op_label": const([[0, -1, 3], [2, 1, -1]])},
        multi_output=True,
        use_ignore=True,
        ignore_label=-1,
        normalization="valid",
        loss=True,
    )
    add(
        "softmax_output_preserve_shape",
        "SoftmaxOutput",
        {"data": normal(2, 3, 4), "op_label": labels(4, 2, 3)},
        preserve_shape=True,
        loss=True,
    )
    add(
        "softmax_output_out_grad",
        "SoftmaxOutput",
        {"data": normal(4, 5), "op_label": labels(5, 4)},
        out_grad=True,
    )
    add(
        "softmax_output_smooth_alpha",
        "SoftmaxOutput",
        {"data": normal(4, 5), "op_label": labels(5, 4)},
        smooth_alpha=0.1,
        loss=True,
    )

    # Regression outputs
    add(
        "linreg",
        "LinearRegressionOutput",
        {"data": normal(4, 3), "op_label": normal(4, 3)},
        loss=True,
    )
    add(
        "linreg_grad_scale",
        "LinearRegressionOutput",
        {"data": normal(4, 3), "op_label": normal(4, 3)},
        grad_scale=0.5,
        loss=True,
    )
    add(
        "linreg_label_1d",
        "LinearRegressionOutput",
        {"data": normal(4, 1), "op_label": normal(4)},
        loss=True,
    )
    add(
        "logreg",
        "LogisticRegressionOutput",
        {"data": normal(4, 3), "op_label": labels(2, 4, 3)},
        loss=True,
    )
    add(
        "maereg_grad_scale",
        "MAERegressionOutput",
        {"data": normal(4, 3), "op_label": normal(4, 3)},
        grad_scale=2.0,
        loss=True,
    )

    # softmax family
    add("softmax_axis_last", "softmax", {"data": normal(3, 4)})
    add("softmax_axis1", "softmax", {"data": normal(2, 3, 4)}, axis=1)
    add("softmax_temperature", "softmax", {"data": normal(3, 4)}, temperature=2.0)
    add("log_softmax_axis_last", "log_softmax", {"data": normal(3, 4)})
    add("log_softmax_axis0", "log_softmax", {"data": normal(3, 4)}, axis=0)
    add("softmax_activation_instance", "SoftmaxActivation", {"data": normal(3, 4)})
    add(
        "softmax_activation_channel",
        "SoftmaxActivation",
        {"data": normal(2, 3, 2, 2)},
        mode="channel",
    )

    # Shape manipulation
    add("flatten_4d", "Flatten", {"data": normal(2, 3, 2, 2)})
    add("reshape_plain", "Reshape", {"data": normal(2, 3, 4)}, shape=(4, 6))
    add("reshape_0_m1", "Reshape", {"data": normal(2, 3, 4)}, shape=(0, -1))
    add("reshape_0_m2", "Reshape", {"data": normal(2, 3, 4)}, shape=(0, -2))
    add("reshape_m3", "Reshape", {"data": normal(2, 3, 4)}, shape=(-3, 4))
    add("reshape_m4", "Reshape", {"data": normal(2, 3, 4)}, shape=(-4, 1, 2, -2))
    add("reshape_0_m4_m1", "Reshape", {"data": normal(2, 3, 4)}, shape=(0, -4, -1, 1, 0))
    add("reshape_reverse", "Reshape", {"data": normal(2, 3, 4)}, shape=(-1, 0), reverse=True)
    add(
        "concat_dim0",
        "Concat",
        {"data0": normal(1, 3), "data1": normal(2, 3), "data2": normal(3, 3)},
        dim=0,
        positional=True,
    )
    add(
        "concat_dim1",
        "Concat",
        {"data0": normal(2, 1), "data1": normal(2, 2), "data2": normal(2, 3)},
        dim=1,
        positional=True,
    )
    add("slice_channel_axis1", "SliceChannel", {"data": normal(2, 6, 2)}, num_outputs=3)
    add("slice_channel_axis0", "SliceChannel", {"data": normal(4, 3)}, num_outputs=2, axis=0)
    add(
        "slice_channel_squeeze",
        "SliceChannel",
        {"data": normal(2, 3, 2)},
        num_outputs=2,
        axis=2,
        squeeze_axis=True,
    )
    add("transpose_default", "transpose", {"data": normal(2, 3, 4)})
    add("transpose_axes", "transpose", {"data": normal(2, 3, 4)}, axes=(0, 2, 1))
    add("expand_dims_1", "expand_dims", {"data": normal(2, 3)}, axis=1)
    add("expand_dims_m1", "expand_dims", {"data": normal(2, 3)}, axis=-1)

    # Gradient control
    add("block_grad", "BlockGrad", {"data": normal(3, 4)})
    make_loss_data = uniform(0.1, 2.0, 3, 4)
    add("make_loss_default", "MakeLoss", {"data": make_loss_data}, loss=True)
    add(
        "make_loss_null_grad_scale",
        "MakeLoss",
        {"data": make_loss_data},
        normalization="null",
        grad_scale=0.5,
        loss=True,
    )
    add("make_loss_batch", "MakeLoss", {"data": make_loss_data}, normalization="batch", loss=True)
    add(
        "make_loss_valid",
        "MakeLoss",
        {"data": const([[0.0, 1.0, 2.0, 0.0], [0.3, 0.0, 1.5, 0.7], [0.0, 0.0, 0.0, 2.5]])},
        normalization="valid",
        loss=True,
    )
    add(
        "make_loss_valid_thresh",
        "MakeLoss",
        {"data": const([[0.0, 1.0, 2.0, 0.0], [0.3, 0.0, 1.5, 0.7], [0.0, 0.0, 0.0, 2.5]])},
        normalization="valid",
        valid_thresh=0.5,
        loss=True,
    )

    # Embedding (indices stored as float32)
    # (MXNet raises "Embedding layer doesn't support calculate data gradient" unless the
    # indices have grad_req 'null'.)
    add(
        "embedding",
        "Embedding",
        {"data": const([[0, 2, 4], [2, 2, 1]])},
        input_dim=5,
        output_dim=4,
        no_grad=("data",),
    )
    add(
        "embedding_1d",
        "Embedding",
        {"data": const([3, 0, 3, 1])},
        input_dim=4,
        output_dim=2,
        no_grad=("data",),
    )

    # LeakyReLU
    add("leaky_relu_leaky", "LeakyReLU", {"data": away_from(3, 4)}, act_type="leaky", slope=0.1)
    add("leaky_relu_default", "LeakyReLU", {"data": away_from(3, 4)})
    add("leaky_relu_elu", "LeakyReLU", {"data": away_from(3, 4)}, act_type="elu", slope=0.5)
    add("leaky_relu_selu", "LeakyReLU", {"data": away_from(3, 4)}, act_type="selu")
    add(
        "leaky_relu_prelu",
        "LeakyReLU",
        {"data": away_from(2, 3, 4), "op_gamma": uniform(0.1, 0.3, 3)},
        act_type="prelu",
    )
    add("leaky_relu_gelu", "LeakyReLU", {"data": normal(3, 4, scale=1.5)}, act_type="gelu")

    add("clip", "clip", {"data": away_from(3, 4, points=(-0.5, 0.5))}, a_min=-0.5, a_max=0.5)

    # dot
    add("dot", "dot", {"lhs": normal(3, 4), "rhs": normal(4, 2)})
    add("dot_transpose_a", "dot", {"lhs": normal(4, 3), "rhs": normal(4, 2)}, transpose_a=True)
    add("dot_transpose_b", "dot", {"lhs": normal(3, 4), "rhs": normal(2, 4)}, transpose_b=True)
    add(
        "dot_transpose_ab",
        "dot",
        {"lhs": normal(4, 3), "rhs": normal(2, 4)},
        transpose_a=True,
        transpose_b=True,
    )

    # Reductions
    for op in ("sum", "mean", "max", "min"):
        data = {"data": distinct(2, 3, 4)}
        add(op + "_all", op, data)
        add(op + "_axis1", op, data, axis=1)
        add(op + "_axis_m1", op, data, axis=-1)
        add(op + "_axis_tuple", op, data, axis=(0, 2))
        add(op + "_keepdims", op, data, axis=1, keepdims=True)
        add(op + "_tuple_keepdims", op, data, axis=(0, 2), keepdims=True)
        add(op + "_exclude", op, data, axis=1, exclude=True)
        add(op + "_all_keepdims", op, data, keepdims=True)

    # Unary math
    add("exp", "exp", {"data": normal(3, 4, scale=0.7)})
    add("log", "log", {"data": uniform(0.3, 3.0, 3, 4)})
    add("sqrt", "sqrt", {"data": uniform(0.3, 3.0, 3, 4)})
    add("square", "square", {"data": normal(3, 4)})
    add("abs", "abs", {"data": away_from(3, 4)})

    # Broadcasting binary ops
    shapes = {"a": ((2, 3, 4), (1, 3, 1)), "b": ((2, 1, 4), (2, 3, 1)), "c": ((3, 1), (4,))}
    for op in ("add", "sub", "mul", "div", "maximum", "minimum", "power"):
        for tag, (ls, rs_) in shapes.items():
            lhs, rhs = normal(*ls), normal(*rs_)
            if op == "div":
                rhs = away_from(*rs_, eps=0.3)
            if op == "power":
                lhs, rhs = uniform(0.5, 2.0, *ls), normal(*rs_)
            add(f"broadcast_{op}_{tag}", "broadcast_" + op, {"lhs": lhs, "rhs": rhs})
    add("broadcast_add_same_shape", "broadcast_add", {"lhs": normal(2, 3), "rhs": normal(2, 3)})

    # Element-wise binary ops
    for op in ("add", "sub", "mul", "div"):
        rhs = away_from(3, 4, eps=0.3) if op == "div" else normal(3, 4)
        add("elemwise_" + op, "elemwise_" + op, {"lhs": normal(3, 4), "rhs": rhs})

    # Scalar ops produced by Python arithmetic on symbols
    x = {"data": normal(3, 4)}
    x_nz = {"data": away_from(3, 4, eps=0.3)}
    x_pos = {"data": uniform(0.3, 2.0, 3, 4)}
    scalar = [
        ("scalar_x_plus_2", "_plus_scalar", x, lambda v: v["data"] + 2),
        ("scalar_2_plus_x", "_plus_scalar", x, lambda v: 2 + v["data"]),
        ("scalar_x_plus_2p5", "_plus_scalar", x, lambda v: v["data"] + 2.5),
        ("scalar_x_minus_2", "_minus_scalar", x, lambda v: v["data"] - 2),
        ("scalar_2_minus_x", "_rminus_scalar", x, lambda v: 2 - v["data"]),
        ("scalar_x_mul_2", "_mul_scalar", x, lambda v: v["data"] * 2),
        ("scalar_2_mul_x", "_mul_scalar", x, lambda v: 2 * v["data"]),
        ("scalar_neg_x", "_mul_scalar", x, lambda v: -v["data"]),
        ("scalar_x_div_2", "_div_scalar", x, lambda v: v["data"] / 2),
        ("scalar_2_div_x", "_rdiv_scalar", x_nz, lambda v: 2 / v["data"]),
        ("scalar_x_pow_2", "_power_scalar", x, lambda v: v["data"] ** 2),
        ("scalar_x_pow_0p5", "_power_scalar", x_pos, lambda v: v["data"] ** 0.5),
        ("scalar_2_pow_x", "_rpower_scalar", x, lambda v: 2 ** v["data"]),
    ]
    for case_id, op, inputs, build in scalar:
        add(case_id, op, inputs, build=build)


# ---------------------------------------------------------------------------
# Issue "CNN"
# ---------------------------------------------------------------------------


def cnn_cases():
    # Convolution
    add(
        "conv_k3_p1",
        "Convolution",
        {"data": normal(2, 3, 5, 5)},
        kernel=(3, 3),
        pad=(1, 1),
        num_filter=4,
    )
    add(
        "conv_k3_stride2",
        "Convolution",
        {"data": normal(2, 3, 5, 5)},
        kernel=(3, 3),
        stride=(2, 2),
        num_filter=4,
    )
    add(
        "conv_k3_dilate2",
        "Convolution",
        {"data": normal(2, 3, 7, 7)},
        kernel=(3, 3),
        dilate=(2, 2),
        num_filter=2,
    )
    add(
        "conv_group2",
        "Convolution",
        {"data": normal(2, 4, 5, 5)},
        kernel=(3, 3),
        pad=(1, 1),
        num_filter=4,
        num_group=2,
    )
    add(
        "conv_no_bias",
        "Convolution",
        {"data": normal(2, 3, 5, 5)},
        kernel=(3, 3),
        num_filter=4,
        no_bias=True,
    )
    add(
        "conv_rect_stride_pad",
        "Convolution",
        {"data": normal(2, 3, 5, 6)},
        kernel=(2, 3),
        stride=(1, 2),
        pad=(1, 0),
        num_filter=3,
    )
    add("conv_1x1", "Convolution", {"data": normal(2, 3, 4, 4)}, kernel=(1, 1), num_filter=5)
    add("conv_1d", "Convolution", {"data": normal(2, 3, 8)}, kernel=(3,), pad=(1,), num_filter=4)
    add(
        "conv_1d_stride2",
        "Convolution",
        {"data": normal(2, 3, 9)},
        kernel=(3,),
        stride=(2,),
        num_filter=2,
    )

    # Deconvolution (no_bias defaults to True)
    add("deconv_k3", "Deconvolution", {"data": normal(2, 3, 4, 4)}, kernel=(3, 3), num_filter=2)
    add(
        "deconv_stride2_pad1",
        "Deconvolution",
        {"data": normal(2, 3, 4, 4)},
        kernel=(3, 3),
        stride=(2, 2),
        pad=(1, 1),
        num_filter=2,
    )
    add(
        "deconv_adj",
        "Deconvolution",
        {"data": normal(2, 3, 4, 4)},
        kernel=(3, 3),
        stride=(2, 2),
        pad=(1, 1),
        adj=(1, 1),
        num_filter=2,
    )
    add(
        "deconv_target_shape",
        "Deconvolution",
        {"data": normal(2, 3, 4, 4)},
        kernel=(3, 3),
        stride=(2, 2),
        target_shape=(8, 8),
        num_filter=2,
    )
    add(
        "deconv_group2",
        "Deconvolution",
        {"data": normal(2, 4, 3, 3)},
        kernel=(3, 3),
        stride=(2, 2),
        num_filter=4,
        num_group=2,
    )
    add(
        "deconv_bias",
        "Deconvolution",
        {"data": normal(2, 3, 3, 3)},
        kernel=(2, 2),
        stride=(2, 2),
        num_filter=2,
        no_bias=False,
    )
    add(
        "deconv_k4_s2_p1",
        "Deconvolution",
        {"data": normal(1, 2, 3, 3)},
        kernel=(4, 4),
        stride=(2, 2),
        pad=(1, 1),
        num_filter=2,
    )

    # Pooling (distinct values: no ties for max pooling)
    img = {"data": distinct(2, 2, 5, 5)}
    add("pool_max_k2_s2", "Pooling", img, kernel=(2, 2), stride=(2, 2), pool_type="max")
    add("pool_max_k3_s1_p1", "Pooling", img, kernel=(3, 3), pad=(1, 1), pool_type="max")
    add(
        "pool_max_full",
        "Pooling",
        img,
        kernel=(2, 2),
        stride=(2, 2),
        pool_type="max",
        pooling_convention="full",
    )
    add(
        "pool_max_valid_explicit",
        "Pooling",
        img,
        kernel=(3, 3),
        stride=(2, 2),
        pool_type="max",
        pooling_convention="valid",
    )
    add("pool_avg_k2_s2", "Pooling", img, kernel=(2, 2), stride=(2, 2), pool_type="avg")
    add("pool_avg_k3_p1", "Pooling", img, kernel=(3, 3), pad=(1, 1), pool_type="avg")
    add(
        "pool_avg_k3_p1_exclude_pad",
        "Pooling",
        img,
        kernel=(3, 3),
        pad=(1, 1),
        pool_type="avg",
        count_include_pad=False,
    )
    add(
        "pool_avg_full",
        "Pooling",
        img,
        kernel=(2, 2),
        stride=(2, 2),
        pool_type="avg",
        pooling_convention="full",
    )
    add(
        "pool_avg_full_exclude_pad",
        "Pooling",
        img,
        kernel=(2, 2),
        stride=(2, 2),
        pool_type="avg",
        pooling_convention="full",
        count_include_pad=False,
    )
    add("pool_sum_k2_s1", "Pooling", img, kernel=(2, 2), pool_type="sum")
    add("pool_lp2_k2_s2", "Pooling", img, kernel=(2, 2), stride=(2, 2), pool_type="lp", p_value=2)
    add("pool_global_max", "Pooling", img, kernel=(1, 1), global_pool=True, pool_type="max")
    add("pool_global_avg", "Pooling", img, kernel=(1, 1), global_pool=True, pool_type="avg")
    add("pool_global_avg_no_kernel", "Pooling", img, global_pool=True, pool_type="avg")
    add("pool_max_default_stride", "Pooling", img, kernel=(2, 2))
    add(
        "pool_1d_max",
        "Pooling",
        {"data": distinct(2, 3, 7)},
        kernel=(3,),
        stride=(2,),
        pool_type="max",
    )
    # pooling_convention 'same' is not covered: MXNet 1.9.1 rejects it for 2-D input ("Currently
    # 'same' supports Max Pooling 1-D") and its 1-D shape inference fails ("index = 1 must be
    # in range [0, 1)").
    add(
        "pool_1d_avg",
        "Pooling",
        {"data": normal(2, 3, 7)},
        kernel=(2,),
        stride=(2,),
        pool_type="avg",
    )

    # BatchNorm
    bn_data = {"data": normal(4, 3, 2, 2, scale=2.0, loc=0.5)}
    add("bn_train_fix_gamma", "BatchNorm", bn_data, steps=3)
    add("bn_train_no_fix_gamma", "BatchNorm", bn_data, fix_gamma=False, steps=3)
    add(
        "bn_train_momentum_eps",
        "BatchNorm",
        bn_data,
        fix_gamma=False,
        momentum=0.8,
        eps=1e-3,
        steps=3,
    )
    add(
        "bn_use_global_stats", "BatchNorm", bn_data, fix_gamma=False, use_global_stats=True, steps=2
    )
    add("bn_output_mean_var", "BatchNorm", bn_data, fix_gamma=False, output_mean_var=True)
    add("bn_eval", "BatchNorm", bn_data, fix_gamma=False, is_train=False)
    add("bn_eval_fix_gamma", "BatchNorm", bn_data, is_train=False)
    add("bn_2d", "BatchNorm", {"data": normal(5, 3, loc=1.0)}, fix_gamma=False, steps=3)
    add("bn_3d", "BatchNorm", {"data": normal(3, 2, 4)}, fix_gamma=False)
    add(
        "bn_axis_m1",
        "BatchNorm",
        {"data": normal(4, 2, 2, 3, loc=0.5)},
        fix_gamma=False,
        axis=-1,
        steps=3,
    )
    add(
        "bn_axis_3",
        "BatchNorm",
        {"data": normal(4, 2, 2, 3, loc=0.5)},
        fix_gamma=False,
        axis=3,
        steps=3,
    )

    # Dropout: only inference (identity); training masks are random.
    add("dropout_eval", "Dropout", {"data": normal(3, 4)}, p=0.5, is_train=False)

    # Normalisation layers
    add("lrn", "LRN", {"data": normal(2, 5, 3, 3)}, nsize=3, alpha=0.1, beta=0.75, knorm=2.0)
    add("lrn_default", "LRN", {"data": normal(2, 5, 2, 2)}, nsize=5)
    add("instance_norm", "InstanceNorm", {"data": normal(2, 3, 2, 2, loc=0.5)})
    add("instance_norm_3d_eps", "InstanceNorm", {"data": normal(2, 3, 5)}, eps=0.01)
    add("layer_norm", "LayerNorm", {"data": normal(2, 3, 4, loc=0.5)})
    add("layer_norm_axis1", "LayerNorm", {"data": normal(2, 3, 4)}, axis=1)
    add(
        "layer_norm_output_mean_var",
        "LayerNorm",
        {"data": normal(2, 5)},
        output_mean_var=True,
        eps=1e-3,
    )
    add("l2norm_instance", "L2Normalization", {"data": normal(3, 4)})
    add("l2norm_instance_4d", "L2Normalization", {"data": normal(2, 3, 2, 2)})
    add("l2norm_channel", "L2Normalization", {"data": normal(2, 3, 2, 2)}, mode="channel")
    add("l2norm_spatial", "L2Normalization", {"data": normal(2, 3, 2, 2)}, mode="spatial")

    # Resizing, padding, cropping, slicing
    add(
        "upsampling_nearest_2",
        "UpSampling",
        {"data": normal(2, 3, 2, 3)},
        scale=2,
        sample_type="nearest",
        positional=True,
    )
    add(
        "upsampling_nearest_3",
        "UpSampling",
        {"data": normal(1, 2, 2, 2)},
        scale=3,
        sample_type="nearest",
        positional=True,
    )
    pad4 = {"data": normal(1, 2, 3, 3)}
    add(
        "pad_constant",
        "Pad",
        pad4,
        mode="constant",
        pad_width=(0, 0, 0, 0, 1, 1, 2, 2),
        constant_value=1.5,
    )
    add("pad_constant_default", "Pad", pad4, mode="constant", pad_width=(0, 0, 0, 0, 1, 0, 0, 2))
    add("pad_edge", "Pad", pad4, mode="edge", pad_width=(0, 0, 0, 0, 1, 1, 2, 2))
    add("pad_reflect", "Pad", pad4, mode="reflect", pad_width=(0, 0, 0, 0, 1, 2, 2, 1))
    add(
        "pad_constant_5d",
        "Pad",
        {"data": normal(1, 1, 2, 2, 2)},
        mode="constant",
        pad_width=(0, 0, 0, 0, 1, 0, 0, 1, 1, 1),
        constant_value=-1.0,
    )
    crop_in = {"data": normal(2, 2, 5, 6)}
    add("crop_h_w_offset", "Crop", crop_in, h_w=(2, 3), offset=(1, 2), positional=True)
    add("crop_h_w", "Crop", crop_in, h_w=(3, 3), positional=True)
    add("crop_center", "Crop", crop_in, h_w=(3, 2), center_crop=True, positional=True)
    add(
        "crop_like",
        "Crop",
        {"data": normal(2, 2, 5, 6), "like": normal(2, 2, 3, 4)},
        offset=(1, 1),
        positional=True,
    )
    add("slice_begin_end", "slice", {"data": normal(3, 4)}, begin=(0, 1), end=(2, 3))
    add("slice_step", "slice", {"data": normal(3, 5)}, begin=(None, 0), end=(None, 5), step=(1, 2))
    add("slice_negative_step", "slice", {"data": normal(4, 3)}, begin=(3,), end=(0,), step=(-1,))
    add("slice_negative_index", "slice", {"data": normal(3, 4, 2)}, begin=(-2, 1), end=(None, -1))
    add("swap_axis", "SwapAxis", {"data": normal(2, 3, 4)}, dim1=0, dim2=2)
    add("swap_axis_default", "SwapAxis", {"data": normal(2, 3)})


# ---------------------------------------------------------------------------
# Running a case
# ---------------------------------------------------------------------------


def build_symbol(case: Case) -> mx.sym.Symbol:
    with mx.name.NameManager():
        variables = {
            name: mx.sym.Variable(name) for name in case.inputs if not name.startswith("op_")
        }
        if case.build is not None:
            return case.build(variables)
        fn = getattr(mx.sym, case.op)
        if case.positional:
            return fn(*variables.values(), name="op", **case.params)
        return fn(name="op", **variables, **case.params)


def run_case(case: Case):
    """Return (cases.json entry, npz dict) for one case."""
    rs = np.random.RandomState(zlib.crc32(case.id.encode()))
    sym = build_symbol(case)
    arg_names = sym.list_arguments()
    aux_names = sym.list_auxiliary_states()
    given = {name: gen(rs) for name, gen in case.inputs.items()}
    unknown = set(given) - set(arg_names) - set(aux_names)
    assert not unknown, f"{case.id}: inputs {unknown} are not arguments of the symbol"

    arg_shapes, out_shapes, aux_shapes = sym.infer_shape(
        **{k: v.shape for k, v in given.items() if k in arg_names}
    )
    values = {}
    for name, shape in zip(arg_names + aux_names, arg_shapes + aux_shapes, strict=True):
        values[name] = given[name] if name in given else default_fill(name, shape, rs)
        assert values[name].shape == tuple(shape), (case.id, name, values[name].shape, shape)

    if case.loss:
        ograds = [np.ones(s, dtype=F32) for s in out_shapes]
    else:
        ograds = [rs.randn(*s).astype(F32) for s in out_shapes]

    ctx = mx.cpu()
    args = {n: mx.nd.array(values[n], ctx=ctx, dtype=F32) for n in arg_names}
    grad_names = [n for n in arg_names if n not in case.no_grad]
    grads = {n: mx.nd.zeros(values[n].shape, ctx=ctx, dtype=F32) for n in grad_names}
    grad_req = {n: "null" if n in case.no_grad else "write" for n in arg_names}
    aux = {n: mx.nd.array(values[n], ctx=ctx, dtype=F32) for n in aux_names}
    exe = sym.bind(ctx, args=args, args_grad=grads, grad_req=grad_req, aux_states=aux)
    for _ in range(case.steps):
        exe.forward(is_train=case.is_train)
        if case.is_train:
            exe.backward([mx.nd.array(g, ctx=ctx, dtype=F32) for g in ograds])
    mx.nd.waitall()

    arrays = {}
    for n in arg_names:
        arrays["arg:" + n] = values[n]
    for n in aux_names:
        arrays["aux:" + n] = values[n]
    for i, out in enumerate(exe.outputs):
        arrays[f"out:{i}"] = out.asnumpy()
    if case.is_train:
        for i, g in enumerate(ograds):
            arrays[f"ograd:{i}"] = g
        for n in grad_names:
            arrays["grad:" + n] = exe.grad_dict[n].asnumpy()
    for n in aux_names:
        arrays["aux_after:" + n] = exe.aux_dict[n].asnumpy()
    for n in arg_names:
        if not np.array_equal(exe.arg_dict[n].asnumpy(), values[n]):
            print(f"  note: {case.id} modified argument {n} in place")

    symbol_json = sym.tojson()
    graph = json.loads(symbol_json)
    head = graph["nodes"][graph["heads"][0][0]]
    assert head["op"] == case.op, f"{case.id}: expected op {case.op}, got {head['op']}"
    entry = {
        "id": case.id,
        "op": head["op"],
        "attrs": head.get("attrs", {}),
        "arguments": arg_names,
        "aux": aux_names,
        "num_outputs": len(sym.list_outputs()),
        "is_train": case.is_train,
        "loss": case.loss,
        "steps": case.steps,
        "no_grad": list(case.no_grad),
        "symbol_json": symbol_json,
    }
    for key, arr in arrays.items():
        assert arr.dtype == F32, (case.id, key, arr.dtype)
    return entry, arrays


def main():
    # MXNet reads these lazily, at the first operator call.
    os.environ.setdefault("MXNET_MKLDNN_ENABLED", "0")
    os.environ.setdefault("MXNET_STORAGE_FALLBACK_LOG_VERBOSE", "0")
    os.environ.setdefault("MXNET_SUBGRAPH_VERBOSE", "0")
    core_cases()
    cnn_cases()
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), "duplicate case ids"

    if os.path.isdir(OUT_DIR):
        shutil.rmtree(OUT_DIR)
    os.makedirs(OUT_DIR)
    entries, rejected = [], []
    for case in CASES:
        try:
            entry, arrays = run_case(case)
        except mx.base.MXNetError as err:
            message = " | ".join(str(err).strip().splitlines()[:3])
            rejected.append((case.id, message))
            print(f"REJECTED {case.id}: {message}")
            continue
        np.savez_compressed(os.path.join(OUT_DIR, case.id + ".npz"), **arrays)
        entries.append(entry)
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump(entries, f, indent=1, sort_keys=False)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT_DIR, e["id"] + ".npz")) for e in entries)
    print(f"{len(entries)} cases written ({total} bytes of npz), {len(rejected)} rejected")


if __name__ == "__main__":
    main()

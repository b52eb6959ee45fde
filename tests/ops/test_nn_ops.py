"""Tests of the sequence, loss and normalisation operators of opsC: finite differences,
shapes, errors and hand-computed values."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import opcheck  # noqa: E402

import teachmod as mx  # noqa: E402
from teachmod.base import MXNetError  # noqa: E402


def rand(*shape: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def head_loss(seed: int = 0):
    """A loss on the first output only: ``sum(output * head)`` with a fixed random head."""
    def loss(outs, inputs):
        return float(np.sum(outs[0] * np.random.default_rng(seed).standard_normal(outs[0].shape)))
    return loss


# ---- SequenceMask / SequenceLast / SequenceReverse --------------------------------------------
LENGTHS = np.array([2.0, 3.0, 1.0])  # three sequences of at most 3 steps, time axis first


def test_sequence_mask_values_and_axis_1():
    data = np.arange(18, dtype=np.float64).reshape(3, 3, 2)
    out = opcheck.make_op("SequenceMask", {"use_sequence_length": True, "value": -1}).forward(
        False, [data, LENGTHS], [])[0]
    for b, n in enumerate(LENGTHS.astype(int)):
        assert np.array_equal(out[:n, b], data[:n, b]) and np.all(out[n:, b] == -1)
    batch_first = opcheck.make_op("SequenceMask", {"use_sequence_length": True, "axis": 1})
    out = batch_first.forward(False, [data.swapaxes(0, 1), LENGTHS], [])[0]
    assert np.array_equal(out.swapaxes(0, 1), np.where(
        np.arange(3)[:, None, None] < LENGTHS[None, :, None], data, 0))


def test_sequence_last_and_reverse_values():
    data = np.arange(18, dtype=np.float64).reshape(3, 3, 2)
    last = opcheck.make_op("SequenceLast", {"use_sequence_length": True})
    assert np.array_equal(last.forward(False, [data, LENGTHS], [])[0],
                          [data[1, 0], data[2, 1], data[0, 2]])
    assert np.array_equal(opcheck.make_op("SequenceLast").forward(False, [data], [])[0], data[-1])
    reverse = opcheck.make_op("SequenceReverse", {"use_sequence_length": True})
    out = reverse.forward(False, [data, LENGTHS], [])[0]
    assert np.array_equal(out[:, 0], data[[1, 0, 2], 0])  # length 2: the padding stays
    assert np.array_equal(out[:, 1], data[::-1, 1])
    assert np.array_equal(out[:, 2], data[:, 2])


@pytest.mark.parametrize("op, attrs", [
    ("SequenceMask", {"use_sequence_length": True, "value": 0.5}),
    ("SequenceMask", {"use_sequence_length": True, "axis": 1}),
    ("SequenceLast", {"use_sequence_length": True}),
    ("SequenceLast", {"use_sequence_length": True, "axis": 1}),
    ("SequenceReverse", {"use_sequence_length": True}),
    ("SequenceReverse", {}),
])
def test_sequence_gradients(op, attrs):
    inputs = [rand(3, 3, 2)] + ([LENGTHS] if attrs.get("use_sequence_length") else [])
    opcheck.check_gradient(op, attrs, inputs, check=(0,))


def test_sequence_shapes_and_errors():
    x = mx.sym.SequenceLast(mx.sym.Variable("x"), mx.sym.Variable("n"),
                            use_sequence_length=True, axis=1)
    assert x.list_arguments() == ["x", "n"]
    assert x.infer_shape(x=(4, 5, 6))[0:2] == ([(4, 5, 6), (4,)], [(4, 6)])
    with pytest.raises(MXNetError, match="sequence_length must be in 1..3"):
        opcheck.make_op("SequenceLast", {"use_sequence_length": True}).forward(
            False, [rand(3, 2), np.array([0.0, 2.0])], [])
    with pytest.raises(MXNetError, match="'axis' expects one of 0"):
        opcheck.make_op("SequenceReverse", {"axis": 1})


# ---- SVMOutput, softmax_cross_entropy --------------------------------------------------------
@pytest.mark.parametrize("use_linear", [True, False])
def test_svm_output_gradient_is_the_hinge_loss_gradient(use_linear):
    margin, coef = 0.7, 0.5
    data, label = rand(4, 5) * 0.5, np.array([0.0, 3.0, 4.0, 1.0])
    sign = np.where(np.arange(5) == label[:, None], 1.0, -1.0)

    def hinge(outs, inputs):
        violation = np.maximum(margin - sign * inputs[0], 0)
        return float(coef * (violation if use_linear else violation ** 2).sum())

    attrs = {"margin": margin, "regularization_coefficient": coef, "use_linear": use_linear}
    op = opcheck.make_op("SVMOutput", attrs)
    assert np.array_equal(op.forward(True, [data, label], [])[0], data)
    opcheck.check_gradient("SVMOutput", attrs, [data, label], loss=hinge, check=(0,), atol=1e-6)


def test_softmax_cross_entropy_value_and_gradient():
    data, label = rand(5, 4), np.array([0.0, 3.0, 1.0, 1.0, 2.0])
    p = np.exp(data) / np.exp(data).sum(axis=1, keepdims=True)
    out = opcheck.make_op("softmax_cross_entropy").forward(False, [data, label], [])[0]
    assert out.shape == (1,)
    assert np.isclose(out[0], -np.log(p[np.arange(5), label.astype(int)]).sum())
    opcheck.check_gradient("softmax_cross_entropy", {}, [data, label], check=(0,))


# ---- GroupNorm -------------------------------------------------------------------------------
def test_group_norm_statistics_and_gradients():
    data, gamma, beta = rand(2, 6, 3, 2), rand(3, seed=2), rand(3, seed=3)
    op = opcheck.make_op("GroupNorm", {"num_groups": 3, "eps": 1e-5})
    out, mean, std = op.forward(True, [data, gamma, beta], [])
    groups = data.reshape(2, 3, -1)
    assert np.allclose(mean, groups.mean(axis=2))
    assert np.allclose(std, np.sqrt(groups.var(axis=2) + 1e-5))
    xhat = (groups - mean[..., None]) / std[..., None]
    assert np.allclose(out, (xhat * gamma[:, None] + beta[:, None]).reshape(data.shape))
    opcheck.check_gradient("GroupNorm", {"num_groups": 3}, [data, gamma, beta],
                           loss=head_loss(), rtol=1e-5, atol=1e-6)


def test_group_norm_shapes_and_errors():
    sym = mx.sym.GroupNorm(mx.sym.Variable("x"), num_groups=2, output_mean_var=True)
    args, outs, _ = sym.infer_shape(x=(4, 6, 5))
    assert args == [(4, 6, 5), (2,), (2,)] and outs == [(4, 6, 5), (4, 2), (4, 2)]
    with pytest.raises(MXNetError, match="not divisible by num_groups=4"):
        sym = mx.sym.GroupNorm(mx.sym.Variable("x"), num_groups=4)
        sym.infer_shape(x=(4, 6, 5))


# ---- small API rules ------------------------------------------------------------------------
def test_a_none_input_is_left_out_and_extra_zero_pads_are_ignored():
    conv = mx.sym.Convolution(mx.sym.Variable("x"), mx.sym.Variable("w"), None, num_filter=2,
                              kernel=(3,), no_bias=True)
    assert conv.list_arguments() == ["x", "w"]
    x = mx.nd.array(np.arange(10.0).reshape(1, 1, 10))
    out = mx.nd.Pooling(x, kernel=2, stride=2, pad=(0, 0, 0), pooling_convention="same")
    assert out.asnumpy().ravel().tolist() == [1, 3, 5, 7, 9]
    with pytest.raises(MXNetError, match="pad"):
        mx.nd.Pooling(x, kernel=2, stride=2, pad=(0, 1))


# ---- GridGenerator, BilinearSampler, SpatialTransformer ---------------------------------------
def test_identity_affine_grid_samples_the_image_unchanged():
    data = rand(2, 3, 4, 5)
    grid = opcheck.make_op("GridGenerator", {"transform_type": "affine", "target_shape": (4, 5)}
                           ).forward(False, [np.tile([1.0, 0, 0, 0, 1, 0], (2, 1))], [])[0]
    assert grid.shape == (2, 2, 4, 5)
    assert np.allclose(grid[0, 0, 0], np.linspace(-1, 1, 5))  # x along the columns
    assert np.allclose(grid[0, 1, :, 0], np.linspace(-1, 1, 4))  # y along the rows
    out = opcheck.make_op("BilinearSampler").forward(False, [data, grid], [])[0]
    assert np.allclose(out, data)
    stn = opcheck.make_op("SpatialTransformer", {"target_shape": (4, 5), "transform_type":
                                                 "affine", "sampler_type": "bilinear"})
    assert np.allclose(stn.forward(False, [data, np.tile([1.0, 0, 0, 0, 1, 0], (2, 1))], [])[0],
                       data)


def test_bilinear_sampler_mixes_neighbours_and_reads_zero_outside():
    data = np.arange(6.0).reshape(1, 1, 2, 3)
    # half-way between columns 0 and 1 of row 0; then a position left of the image
    grid = np.array([-0.5, -2.0, -1.0, -1.0]).reshape(1, 2, 1, 2)
    out = opcheck.make_op("BilinearSampler").forward(False, [data, grid], [])[0]
    assert np.allclose(out.ravel(), [0.5, 0.0])


def test_warp_grid_adds_the_flow_in_pixels():
    flow = np.zeros((1, 2, 3, 4))
    flow[0, 0] = 1.0  # one pixel to the right
    grid = opcheck.make_op("GridGenerator", {"transform_type": "warp"}).forward(
        False, [flow], [])[0]
    assert np.allclose(grid[0, 0, 0], (np.arange(4) + 1) / 1.5 - 1)
    assert np.allclose(grid[0, 1, :, 0], np.arange(3) - 1.0)


@pytest.mark.parametrize("op, attrs, inputs", [
    ("BilinearSampler", {}, [rand(2, 2, 4, 5), rand(2, 2, 3, 3, seed=4) * 0.8]),
    ("GridGenerator", {"transform_type": "affine", "target_shape": (3, 4)}, [rand(2, 6)]),
    ("GridGenerator", {"transform_type": "warp"}, [rand(1, 2, 3, 4)]),
    ("SpatialTransformer", {"target_shape": (3, 3), "transform_type": "affine",
                            "sampler_type": "bilinear"},
     [rand(1, 2, 4, 4), np.array([[0.9, 0.1, 0.05, -0.1, 0.8, 0.07]])]),
])
def test_spatial_transformer_family_gradients(op, attrs, inputs):
    # positions away from pixel boundaries, where bilinear sampling is differentiable
    opcheck.check_gradient(op, attrs, inputs, loss=head_loss(), rtol=1e-4, atol=1e-6)


# ---- ROIPooling, Correlation -----------------------------------------------------------------
def test_roi_pooling_values_and_gradient():
    data = np.arange(2 * 1 * 4 * 4, dtype=np.float64).reshape(2, 1, 4, 4)
    rois = np.array([[1, 0, 0, 3, 3], [0, 1.2, 0.6, 2.4, 1.4], [5, 0, 0, 1, 1]])
    op = opcheck.make_op("ROIPooling", {"pooled_size": (2, 2), "spatial_scale": 1.0})
    out, maxidx = op.forward(True, [data, rois], [])
    assert np.array_equal(out[0, 0], [[21, 23], [29, 31]])  # the maxima of 2x2 quarters
    # box (x 1..2, y 1..1): rows 1..1 give 1 bin, shared by both output rows
    assert np.array_equal(out[1, 0], [[5, 6], [5, 6]])
    assert np.array_equal(out[2], np.zeros((1, 2, 2))) and np.all(maxidx[2] == -1)
    noisy = data + rand(*data.shape) * 0.01  # distinct values: the max is differentiable
    opcheck.check_gradient("ROIPooling", {"pooled_size": (2, 2), "spatial_scale": 1.0},
                           [noisy, rois], loss=head_loss(), check=(0,))


def test_correlation_of_an_image_with_itself_peaks_at_zero_displacement():
    data = rand(1, 3, 6, 6)
    op = opcheck.make_op("Correlation", {"kernel_size": 3, "max_displacement": 1,
                                         "pad_size": 1})
    out = op.forward(False, [data, data], [])[0]
    assert out.shape == (1, 9, 4, 4)
    padded = np.pad(data, ((0, 0), (0, 0), (1, 1), (1, 1)))
    centre = (padded[0, :, 1:4, 1:4] ** 2).sum() / 27  # output (0, 0): the patch at (1, 1)
    assert np.isclose(out[0, 4, 0, 0], centre)


@pytest.mark.parametrize("attrs", [
    {"kernel_size": 3, "max_displacement": 1, "pad_size": 2, "stride1": 2},
    {"kernel_size": 1, "max_displacement": 2, "stride2": 2, "pad_size": 2},
    {"kernel_size": 3, "max_displacement": 1, "is_multiply": False},
])
def test_correlation_gradients(attrs):
    opcheck.check_gradient("Correlation", attrs, [rand(2, 2, 5, 5), rand(2, 2, 5, 5, seed=7)],
                           loss=head_loss(), rtol=1e-5, atol=1e-7)


def test_correlation_errors():
    with pytest.raises(MXNetError, match="odd"):
        opcheck.make_op("Correlation", {"kernel_size": 2})
    with pytest.raises(MXNetError, match="do not fit the input 28x28"):
        mx.nd.Correlation(mx.nd.zeros((1, 1, 28, 28)), mx.nd.zeros((1, 1, 28, 28)),
                          kernel_size=29)


# ---- im2col / col2im -------------------------------------------------------------------------
IM2COL = {"kernel": (3, 2), "stride": (2, 1), "dilate": (1, 2), "pad": (1, 0)}


def test_im2col_columns_times_weights_is_the_convolution():
    data, weight = rand(2, 3, 7, 6), rand(4, 3, 3, 2, seed=5)
    cols = mx.nd.im2col(mx.nd.array(data), **IM2COL).asnumpy()
    conv = mx.nd.Convolution(mx.nd.array(data), mx.nd.array(weight), num_filter=4,
                             no_bias=True, **IM2COL).asnumpy()
    assert cols.shape == (2, 18, conv.shape[2] * conv.shape[3])
    assert np.allclose(np.einsum("fk,nkl->nfl", weight.reshape(4, -1), cols).reshape(conv.shape),
                       conv, atol=1e-5)


def test_col2im_counts_how_often_each_pixel_is_read_and_takes_positional_parameters():
    ones = mx.nd.ones((1, 6, 6))  # 2 x 3 windows of 3 x 2
    counts = mx.nd.col2im(ones, (4, 4), kernel=(3, 2), stride=(1, 1)).asnumpy()
    assert counts.shape == (1, 1, 4, 4)
    assert counts[0, 0, 0].tolist() == [1, 2, 2, 1] and counts[0, 0, 1].tolist() == [2, 4, 4, 2]


@pytest.mark.parametrize("op, shape, attrs", [
    ("im2col", (2, 2, 5, 4), IM2COL),
    ("col2im", (2, 12, 6), {**IM2COL, "output_size": (5, 4)}),
])
def test_im2col_and_col2im_gradients(op, shape, attrs):
    opcheck.check_gradient(op, attrs, [rand(*shape)])


# ---- CTCLoss ---------------------------------------------------------------------------------
def brute_force_ctc(scores: np.ndarray, label: list[int], blank: int) -> float:
    """-log of the summed probability of every alignment that collapses to ``label``."""
    import itertools
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    total = 0.0
    for path in itertools.product(range(scores.shape[1]), repeat=scores.shape[0]):
        merged = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
        if [k for k in merged if k != blank] == label:
            total += np.prod(probs[np.arange(len(path)), path])
    return -np.log(total)


@pytest.mark.parametrize("blank_label", ["first", "last"])
def test_ctc_loss_sums_every_alignment(blank_label):
    scores = rand(4, 2, 4)
    if blank_label == "first":
        label, rows, blank = np.array([[1, 1, 0], [3, 2, 1]]), [[1, 1], [3, 2, 1]], 0
    else:
        label, rows, blank = np.array([[0, 0, -1], [2, 1, 0]]), [[0, 0], [2, 1, 0]], 3
    op = opcheck.make_op("CTCLoss", {"blank_label": blank_label})
    loss = op.forward(True, [scores, label], [])[0]
    expected = [brute_force_ctc(scores[:, b], rows[b], blank) for b in range(2)]
    assert np.allclose(loss, expected)


def test_ctc_loss_lengths_and_gradient():
    scores, label = rand(5, 2, 4), np.array([[1.0, 2.0, 3.0], [2.0, 2.0, 1.0]])
    attrs = {"use_data_lengths": True, "use_label_lengths": True}
    inputs = [scores, label, np.array([5.0, 3.0]), np.array([3.0, 1.0])]
    loss = opcheck.make_op("CTCLoss", attrs).forward(True, inputs, [])[0]
    assert np.isclose(loss[1], brute_force_ctc(scores[:3, 1], [2], 0))
    opcheck.check_gradient("CTCLoss", attrs, inputs, loss=head_loss(), check=(0,))
    sym = mx.sym.ctc_loss(mx.sym.Variable("x"), mx.sym.Variable("y"))
    assert sym.infer_shape(x=(5, 2, 4), y=(2, 3))[1] == [(2,)]


# ---- image.normalize -------------------------------------------------------------------------
def test_image_normalize_per_channel_and_scalar():
    image = rand(3, 2, 2)
    out = mx.nd.image.normalize(mx.nd.array(image), mean=(0, 1, 2), std=(1, 2, 4)).asnumpy()
    expected = (image - np.array([0, 1, 2])[:, None, None]) / np.array([1, 2, 4])[:, None, None]
    assert np.allclose(out, expected, atol=1e-6)
    batch = mx.nd.array(rand(2, 3, 2, 2))
    assert np.allclose(mx.sym.image.normalize(mx.sym.Variable("d"), mean=1.0, std=2.0)
                       .eval(d=batch)[0].asnumpy(), (batch.asnumpy() - 1) / 2, atol=1e-6)
    opcheck.check_gradient("_image_normalize", {"mean": (0.5, 1, 2), "std": (3, 2, 1)},
                           [rand(2, 3, 2, 2)])
    with pytest.raises(MXNetError, match="one per channel"):
        mx.nd.image.normalize(batch, mean=(1, 2), std=1.0)


# ---- interleaved multi-head attention products -----------------------------------------------
def test_interleaved_self_attention_matches_per_head_attention():
    length, batch, heads, dim = 4, 2, 3, 5
    qkv = rand(length, batch, heads * 3 * dim)
    scores = mx.nd.contrib.interleaved_matmul_selfatt_qk(mx.nd.array(qkv), heads=heads).asnumpy()
    att = np.exp(scores) / np.exp(scores).sum(axis=2, keepdims=True)
    out = mx.nd.contrib.interleaved_matmul_selfatt_valatt(
        mx.nd.array(qkv), mx.nd.array(att), heads=heads).asnumpy()
    parts = qkv.reshape(length, batch, heads, 3, dim)
    for b, h in np.ndindex(batch, heads):
        q, k, v = (parts[:, b, h, i] for i in range(3))
        assert np.allclose(scores[b * heads + h], q @ k.T / np.sqrt(dim), atol=1e-5)
        assert np.allclose(out[:, b, h * dim:(h + 1) * dim], att[b * heads + h] @ v, atol=1e-5)


def test_interleaved_encdec_shapes():
    q = mx.sym.Variable("q")
    kv = mx.sym.Variable("kv")
    scores = mx.sym.contrib.interleaved_matmul_encdec_qk(q, kv, heads=2)
    out = mx.sym.contrib.interleaved_matmul_encdec_valatt(kv, scores, heads=2)
    assert out.infer_shape(q=(3, 4, 6), kv=(5, 4, 12))[1] == [(3, 4, 6)]


@pytest.mark.parametrize("op, inputs", [
    ("_contrib_interleaved_matmul_selfatt_qk", [rand(3, 2, 12)]),
    ("_contrib_interleaved_matmul_selfatt_valatt", [rand(3, 2, 12), rand(4, 3, 3, seed=2)]),
    ("_contrib_interleaved_matmul_encdec_qk", [rand(3, 2, 4), rand(5, 2, 8, seed=2)]),
    ("_contrib_interleaved_matmul_encdec_valatt", [rand(5, 2, 8), rand(4, 3, 5, seed=2)]),
])
def test_interleaved_matmul_gradients(op, inputs):
    opcheck.check_gradient(op, {"heads": 2}, inputs)


# ---- golden values from MXNet 1.9.1 (tests/golden/generate_opsC.py) --------------------------
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "opsC"
CASES = opcheck.golden_cases(GOLDEN)


def test_golden_cases_are_there():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_mxnet(case):
    opcheck.check_golden(case, GOLDEN)

"""NDArray: creation, arithmetic, printing, contexts, and MXNet's .params file format."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import teachmod as mx
from teachmod.base import MXNetError
from teachmod.context import Context

CHECKPOINTS = Path(__file__).parent / "fixtures" / "checkpoints"


def test_defaults_and_printed_form():
    x = mx.nd.array([[1, 2], [3, 4]])
    assert x.dtype == np.float32 and x.shape == (2, 2) and x.context == mx.cpu(0)
    assert repr(x) == "\n[[1. 2.]\n [3. 4.]]\n<NDArray 2x2 @cpu(0)>"
    assert mx.nd.zeros((3,)).dtype == np.float32
    assert mx.nd.array(np.arange(3)).dtype == np.float32  # numpy input becomes float32
    assert mx.nd.array(mx.nd.array([1], dtype="int32")).dtype == np.int32


def test_gpu_context_computes_on_cpu_and_warns_once():
    Context._gpu_warned = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        a = mx.nd.ones((8, 2), ctx=mx.gpu(0))
        b = mx.nd.zeros((1,), ctx=mx.gpu(0))
    assert len([w for w in caught if "CPU" in str(w.message)]) == 1
    assert repr(a).endswith("<NDArray 8x2 @gpu(0)>")
    assert (a + 1).context == mx.gpu(0) and b.context.device_type == "gpu"


def test_arithmetic_inplace_slicing_and_scalars():
    x = mx.nd.arange(6).reshape((2, 3))
    y = x * 2 + 1
    np.testing.assert_array_equal(y.asnumpy(), np.arange(6).reshape(2, 3) * 2 + 1)
    assert (1 - x).dtype == np.float32 and (x / 2.0).dtype == np.float32
    x += 1
    x[0] = 0
    x[1, 1:] = mx.nd.array([7, 8])
    np.testing.assert_array_equal(x.asnumpy(), [[0, 0, 0], [4, 7, 8]])
    assert x[1].shape == (3,) and x[1][0].shape == (1,)  # MXNet 1.x has no 0-d arrays
    assert x[1][2].asscalar() == 8
    assert (x > 3).asnumpy().tolist() == [[0, 0, 0], [1, 1, 1]]
    with pytest.raises(ValueError, match="exactly one element"):
        x.asscalar()


def test_reshape_special_codes_and_copies():
    x = mx.nd.zeros((2, 3, 4))
    assert x.reshape((0, -1)).shape == (2, 12)
    assert x.reshape((-3, 4)).shape == (6, 4)
    assert x.reshape((-4, 1, 2, -2)).shape == (1, 2, 3, 4)
    assert x.reshape((-1, 0), reverse=True).shape == (6, 4)
    with pytest.raises(MXNetError, match="cannot reshape"):
        x.reshape((5, -1))
    y = x.copyto(mx.cpu(1))
    assert y.context == mx.cpu(1) and y is not x
    assert x.as_in_context(mx.cpu(0)) is x
    z = mx.nd.ones((2, 3, 4))
    z.copyto(x)
    assert x.asnumpy().sum() == 24
    assert x.astype("int32").dtype == np.int32


def test_operators_are_functions_and_methods():
    x = mx.nd.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(mx.nd.exp(x).asnumpy(), np.exp(x.asnumpy()), rtol=1e-6)
    assert x.sum().asnumpy().tolist() == [10.0]
    assert x.sum(axis=1).asnumpy().tolist() == [3.0, 7.0]
    np.testing.assert_allclose(mx.nd.dot(x, x).asnumpy(), x.asnumpy() @ x.asnumpy())
    out = mx.nd.FullyConnected(x, mx.nd.ones((3, 2)), mx.nd.zeros((3,)), num_hidden=3)
    assert out.shape == (2, 3) and out.asnumpy()[1, 0] == 7.0
    assert mx.nd.softmax(x).asnumpy().sum(axis=1) == pytest.approx([1, 1])


def test_random_is_seeded_by_mx_random_seed():
    mx.random.seed(7)
    a = mx.nd.random.uniform(-1, 1, shape=(3, 4))
    mx.random.seed(7)
    b = mx.nd.random.uniform(-1, 1, shape=(3, 4))
    np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())
    assert a.dtype == np.float32 and a.asnumpy().min() >= -1
    assert mx.nd.random.normal(0, 1, shape=(2,)).shape == (2,)
    assert mx.nd.round(mx.nd.array([0.4, 1.6])).asnumpy().tolist() == [0.0, 2.0]


def _expected(entry: dict) -> np.ndarray:
    return np.array(entry["values"], dtype=entry["dtype"]).reshape(entry["shape"])


def test_reads_files_written_by_mxnet_and_writes_the_same_bytes(tmp_path):
    expected = json.loads((CHECKPOINTS / "nd_save_expected.json").read_text())
    arrays = mx.nd.load(CHECKPOINTS / "nd_save_list.params")
    assert isinstance(arrays, list)
    for got, entry in zip(arrays, expected["nd_save_list.params"]["arrays"]):
        np.testing.assert_array_equal(got.asnumpy(), _expected(entry))
        assert got.dtype == np.dtype(entry["dtype"])
    named = mx.nd.load(CHECKPOINTS / "nd_save_dict.params")
    spec = expected["nd_save_dict.params"]
    assert list(named) == spec["key_order_in_file"]
    for key, entry in spec["arrays"].items():
        np.testing.assert_array_equal(named[key].asnumpy(), _expected(entry))
    for name, data in (("nd_save_list.params", arrays), ("nd_save_dict.params", named)):
        mx.nd.save(tmp_path / name, data)
        assert (tmp_path / name).read_bytes() == (CHECKPOINTS / name).read_bytes()


def test_corrupt_and_truncated_files_are_named_in_the_error(tmp_path):
    good = (CHECKPOINTS / "nd_save_list.params").read_bytes()
    (tmp_path / "short.params").write_bytes(good[:50])
    with pytest.raises(MXNetError, match="short.params.*ends early"):
        mx.nd.load(tmp_path / "short.params")
    (tmp_path / "junk.params").write_bytes(b"not a params file at all")
    with pytest.raises(MXNetError, match="junk.params"):
        mx.nd.load(tmp_path / "junk.params")
    with pytest.raises(MXNetError, match="no such file"):
        mx.nd.load(tmp_path / "missing.params")
    with pytest.raises(TypeError, match="dictionary keys must be strings"):
        mx.nd.save(tmp_path / "x.params", {1: mx.nd.zeros((1,))})


def test_interrupted_save_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "keep.params"
    mx.nd.save(path, {"arg:w": mx.nd.ones((2,))})
    before = path.read_bytes()

    def broken_fsync(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr("os.fsync", broken_fsync)
    with pytest.raises(KeyboardInterrupt):
        mx.nd.save(path, {"arg:w": mx.nd.zeros((1000,))})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.params"]

"""The small modules MXNet code imports (base, util, runtime, autograd), NDArray indexing and
methods, the NDArray file formats under both shape semantics, and mx.test_utils' checkers."""
from __future__ import annotations

import json
import os
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest

import teachmod as mx
from teachmod import test_utils as tu
from teachmod.base import MXNetError, NotImplementedForSymbol

GOLDEN = json.loads((Path(__file__).parent / "golden" / "core" / "core.json").read_text())


# ---- base, util, runtime, autograd ------------------------------------------------------------
def test_base_helpers():
    error = NotImplementedForSymbol(test_base_helpers, "+=", 1)
    assert isinstance(error, MXNetError)
    assert str(error) == ("Function test_base_helpers (namely operator \"+=\") with arguments "
                          "(<class 'int'>) is not implemented for Symbol and only available in "
                          "NDArray.")
    assert mx.base.py_str(b"abc") == "abc" and mx.base._as_list(3) == [3]
    assert mx.base._as_list((1,)) == (1,) and mx.base.mx_real_t is np.float32
    assert isinstance(np.int64(1), mx.base.integer_types)
    assert not isinstance(1.5, mx.base.integer_types)


def test_np_shape_scope_and_decorator():
    assert not mx.is_np_shape()
    with mx.np_shape(True):
        assert mx.is_np_shape()
        with mx.util.np_shape(False):
            assert not mx.is_np_shape()
        assert mx.is_np_shape()
    assert not mx.is_np_shape()
    assert mx.use_np_shape(mx.is_np_shape)() and not mx.is_np_shape()
    assert mx.set_np_shape(True) is False and mx.set_np_shape(False) is True


def test_lazy_modules_missing_is_attribute_error():
    assert not hasattr(mx, "no_such_module_name")
    assert mx.runtime is mx.runtime and mx.util.getenv("TEACHMOD_SURELY_UNSET") is None


def test_runtime_features_are_mxnets_names_all_off():
    features = mx.runtime.Features()
    assert list(features) == GOLDEN["features"]
    assert features is mx.runtime.Features()
    assert not features.is_enabled("cuda") and not features.is_enabled("MKLDNN")
    with pytest.raises(RuntimeError, match="unknown"):
        features.is_enabled("WARP_DRIVE")
    assert repr(features).startswith("[✖ CUDA, ✖ CUDNN")


def test_autograd_flags_and_scopes():
    ag = mx.autograd
    assert not ag.is_recording() and not ag.is_training()
    with ag.record():
        assert ag.is_recording() and ag.is_training()
        with ag.pause():
            assert not ag.is_recording() and not ag.is_training()
        with ag.predict_mode():
            assert ag.is_recording() and not ag.is_training()
    assert not ag.is_recording() and not ag.is_training()
    with ag.train_mode():
        assert ag.is_training() and not ag.is_recording()
    assert ag.set_training(True) is False and ag.set_training(False) is True
    with pytest.raises(NotImplementedError, match="simple_bind"):
        ag.backward(mx.nd.ones(1))
    with pytest.raises(NotImplementedError, match="symbolic"):
        ag.grad(mx.nd.ones(1), [mx.nd.ones(1)])


# ---- NDArray indexing: views like MXNet's ------------------------------------------------------
@pytest.mark.parametrize("key", sorted(GOLDEN["views"]))
def test_indexing_shapes_and_views_match_mxnet(key):
    x = mx.nd.array(np.arange(120).reshape(4, 5, 6))
    y = x[eval(key)]  # noqa: S307 - the golden file's own literal keys
    assert list(y.shape) == GOLDEN["shapes"][key]
    assert np.array_equal(y.asnumpy(), np.arange(120).reshape(4, 5, 6)[eval(key)]  # noqa: S307
                          .reshape(y.shape))
    before = y.asnumpy()
    x[:] = -1
    assert (not np.array_equal(before, y.asnumpy())) == GOLDEN["views"][key]


def test_indexing_with_lists_ndarrays_and_assignment():
    a = mx.nd.array([[0, 1], [2, 3]])
    assert a[[1, 1, 0], [0, 1, 0]].asnumpy().tolist() == [2, 3, 0]
    assert a[mx.nd.array([1, 1, 0]), mx.nd.array([0, 1, 0])].asnumpy().tolist() == [2, 3, 0]
    b = mx.nd.zeros(1)
    b[0] = np.array([47.844944], dtype=np.float32)  # a (1,) value into a 0-D place
    assert b.asnumpy()[0] == np.float32(47.844944)
    c = mx.nd.zeros((2, 3))
    c[:, 1] = mx.nd.array([5, 6])
    c[1] = 7
    assert c.asnumpy().tolist() == [[0, 5, 0], [7, 7, 7]]
    with pytest.raises(ValueError, match="shape"):
        c[0] = mx.nd.ones(4)
    with pytest.raises(IndexError, match="boolean"):
        c[np.array([True, False])]


def test_shape_methods_copy_or_view():
    x = mx.nd.arange(30).reshape(2, 3, 5)
    copy, view = x.flatten(), x.flatten(inplace=True)
    x[0] = -1
    assert copy.asnumpy()[0, 0] == 0 and view.asnumpy()[0, 0] == -1
    assert x.expand_dims(1).shape == (2, 1, 3, 5)
    assert mx.nd.ones((1, 1, 1)).squeeze().shape == (1,)  # legacy shapes: never 0-D
    assert mx.nd.ones((1, 5, 1)).squeeze(axis=(0, 2)).shape == (5,)
    assert mx.nd.ones((3, 1)).broadcast_to((2, 3, 4)).shape == (2, 3, 4)
    with pytest.raises(ValueError, match="length 1"):
        mx.nd.ones((3, 2)).broadcast_to((3, 4))
    with pytest.raises(ValueError, match="cannot reshape"):
        x.reshape((2, 3))


def test_transpose_slice_assign_and_autograd_methods():
    x = mx.nd.arange(24).reshape(2, 3, 4)
    assert x.T.shape == (4, 3, 2) and mx.nd.ones(3).T.shape == (3,)
    y = mx.nd.zeros((3, 4))
    y.slice_assign(mx.nd.ones((2, 2)), (0, 1), (2, 3), ())
    y.slice_assign_scalar(5, (2, None), (3, None), (None, 2))
    assert y.asnumpy().tolist() == [[0, 1, 1, 0], [0, 1, 1, 0], [5, 0, 5, 0]]
    assert y.tostype("default").shape == (3, 4) and y.grad is None
    with pytest.warns(RuntimeWarning, match="itself"):
        assert y.copyto(y) is False
    with pytest.raises(NotImplementedError, match="NDArray.attach_grad: .*mx.sym"):
        y.attach_grad()


def test_creation_functions_and_out():
    out = mx.nd.zeros((2, 2))
    assert mx.nd.ones((2, 2), out=out) is out and out.asnumpy().sum() == 4
    mx.nd.full((2, 2), 3, out=out)
    assert out.asnumpy().sum() == 12
    counted = mx.nd.arange(0, 10 ** 8, 10001, dtype="int32").asnumpy()  # exact, not via float32
    assert np.array_equal(counted, np.arange(0, 10 ** 8, 10001, dtype=np.int32))
    assert np.allclose(mx.nd.linspace(0, 1, 5).asnumpy(), [0, 0.25, 0.5, 0.75, 1])
    assert np.array_equal(mx.nd.eye(3, 4, 1).asnumpy(), np.eye(3, 4, 1))
    assert mx.nd.moveaxis(mx.nd.zeros((2, 3, 4)), 0, -1).shape == (3, 4, 2)
    encoded = mx.nd.zeros((3, 4))
    mx.nd.onehot_encode(mx.nd.array([1, 0, 3]), out=encoded)
    assert encoded.asnumpy().argmax(axis=1).tolist() == [1, 0, 3]
    assert not bool(mx.nd.array([])) and bool(mx.nd.ones(1))
    for shape in ((), (2, 0)):  # legacy shapes: 0 means unknown, as in MXNet
        with pytest.raises(MXNetError, match="np_shape"):
            mx.nd.zeros(shape)
        with mx.np_shape(True):
            assert mx.nd.ones(shape).shape == shape


def test_elementwise_functions_of_arrays_and_numbers():
    a, b = mx.nd.array([[1, 2, 3]]), mx.nd.array([[1], [2]])
    assert mx.nd.add(a, b).asnumpy().tolist() == [[2, 3, 4], [3, 4, 5]]
    assert mx.nd.subtract(5, a).asnumpy().tolist() == [[4, 3, 2]]
    assert mx.nd.divide(6, a).asnumpy().tolist() == [[6, 3, 2]]
    assert mx.nd.maximum(2, a).asnumpy().tolist() == [[2, 2, 3]]
    assert mx.nd.greater(2, a).asnumpy().tolist() == [[1, 0, 0]]
    assert mx.nd.lesser_equal(a, b).asnumpy().tolist() == [[1, 0, 0], [1, 1, 0]]
    assert mx.nd.logical_and(a - 1, 1).asnumpy().tolist() == [[0, 1, 1]]
    assert mx.nd.power(2, a).asnumpy().tolist() == [[2, 4, 8]]
    assert mx.nd.equal(1, 1) == 1 and mx.nd.modulo(7, 4) == 3


def test_from_numpy_shares_memory_and_locks_the_source():
    source = np.arange(6, dtype=np.float32).reshape(3, 2)
    shared = mx.nd.from_numpy(source)
    with pytest.raises(ValueError):
        source[0, 0] = 1
    shared[2, 1] = 100
    assert source[2, 1] == 100
    with pytest.raises(ValueError, match="C-contiguous"):
        mx.nd.from_numpy(np.ones((2, 3)).T)


def test_operator_parameters_by_position_and_pickle():
    x = mx.nd.array([-3, 0.5, 3])
    assert mx.nd.clip(x, -1, 1).asnumpy().tolist() == [-1, 0.5, 1]
    with pytest.raises(TypeError, match="positional"):
        mx.nd.clip(x, -1, 1, 2)
    restored = pickle.loads(pickle.dumps(x))
    assert np.array_equal(restored.asnumpy(), x.asnumpy()) and restored.context == x.context


@pytest.mark.parametrize("expression", sorted(GOLDEN["int_ops"]))
def test_integer_arithmetic_matches_mxnet(expression):
    a = mx.nd.array([-7, 7, 3, 4], dtype="int32")  # noqa: F841 - used by eval
    b = mx.nd.array([2, 2, -2, -2], dtype="int32")  # noqa: F841
    u = mx.nd.array([250, 3], dtype="uint8")  # noqa: F841
    value = eval(expression)  # noqa: S307 - the golden file's own literal expressions
    assert value.asnumpy().tolist() == GOLDEN["int_ops"][expression]["values"]
    assert np.dtype(value.dtype).name == GOLDEN["int_ops"][expression]["dtype"]


def test_inplace_arithmetic_writes_the_same_buffer():
    x = mx.nd.array([-7, 7], dtype="int32")
    view = x[0:1]
    x += 2.7  # the scalar becomes 2, as in MXNet
    x *= mx.nd.array([2, 3], dtype="int32")
    assert x.asnumpy().tolist() == [-10, 27] and view.asnumpy().tolist() == [-10]
    with pytest.raises(MXNetError, match="different dtypes"):
        x + mx.nd.ones(2)


# ---- the NDArray file formats -------------------------------------------------------------------
def test_save_bytes_match_mxnet_under_both_semantics(tmp_path):
    legacy = [mx.nd.array([[1, 2, 3]]), mx.nd.array(np.zeros((2, 0, 1)))]
    mx.nd.save(tmp_path / "legacy", legacy)
    assert (tmp_path / "legacy").read_bytes().hex() == GOLDEN["legacy_save"]
    with mx.np_shape(True):
        arrays = [mx.nd.array(np.float32(2.5)), mx.nd.zeros((0, 3))]
        assert arrays[0].shape == ()
        mx.nd.save(tmp_path / "np", arrays)
        assert (tmp_path / "np").read_bytes().hex() == GOLDEN["np_shape_save"]
        loaded = mx.nd.load(tmp_path / "np")
        assert loaded[0].shape == () and loaded[0].asscalar() == 2.5
        with pytest.raises(MXNetError, match="np_shape\\(False\\)"):
            mx.nd.load(tmp_path / "legacy")
    with pytest.raises(MXNetError, match="np_shape\\(True\\)"):
        mx.nd.load(tmp_path / "np")
    assert mx.nd.load(tmp_path / "legacy")[1].shape == (2, 0, 1)


def test_first_format_and_load_frombuffer(tmp_path):
    # MXNet's first format: each array starts with u32 ndim and u32 dims, no magic number
    values = np.arange(4, dtype=np.float32)
    payload = (struct.pack("<QQQ", 0x112, 0, 1) + struct.pack("<II", 1, 4)
               + struct.pack("<iii", 1, 0, 0) + values.tobytes() + struct.pack("<Q", 0))
    (tmp_path / "v0").write_bytes(payload)
    assert mx.nd.load(tmp_path / "v0")[0].asnumpy().tolist() == values.tolist()
    mx.nd.save(tmp_path / "d", {"w": mx.nd.ones((2, 2))})
    buffer = (tmp_path / "d").read_bytes()
    assert mx.nd.load_frombuffer(buffer)["w"].shape == (2, 2)
    with pytest.raises(MXNetError):
        mx.nd.load_frombuffer(buffer[:-10])


# ---- mx.test_utils -----------------------------------------------------------------------------
def _fc():
    return mx.sym.FullyConnected(mx.sym.Variable("x"), num_hidden=3, name="fc")


def _point():
    rng = np.random.default_rng(1)
    return [rng.standard_normal((2, 4)), rng.standard_normal((3, 4)), rng.standard_normal(3)]


def test_check_symbolic_forward_and_backward():
    x, w, b = _point()
    out = tu.check_symbolic_forward(_fc(), [x, w, b], [x @ w.T + b])
    assert out[0].shape == (2, 3)
    with pytest.raises(AssertionError, match="EXPECTED_fc_output"):
        tu.check_symbolic_forward(_fc(), [x, w, b], [x @ w.T])
    head = np.ones((2, 3))
    grads = [head @ w, head.T @ x, head.sum(0)]
    for req in ("write", "add"):
        tu.check_symbolic_backward(_fc(), [x, w, b], [head], grads, grad_req=req)
    tu.check_symbolic_backward(_fc(), [x, w, b], [head], grads,
                               grad_req={"x": "write", "fc_weight": "null", "fc_bias": "add"})
    with pytest.raises(AssertionError, match="BACKWARD_fc_weight"):
        tu.check_symbolic_backward(_fc(), [x, w, b], [head], [grads[0], grads[1] * 2, grads[2]])
    with pytest.raises(ValueError, match="do not match"):
        tu.check_symbolic_forward(_fc(), {"x": x}, [x])


def test_check_consistency_across_dtypes():
    bindings = [{"ctx": mx.cpu(0), "x": (2, 4), "type_dict": {"x": dtype}}
                for dtype in (np.float64, np.float32)]
    truth = tu.check_consistency(_fc(), bindings)
    assert truth["fc_output"].dtype == np.float64


def test_assert_almost_equal_defaults_and_report(capsys):
    tu.assert_almost_equal(np.float32(1), np.float32(1 + 5e-5))  # float32: rtol 1e-4
    with pytest.raises(AssertionError, match="rtol=1.000000e-05"):
        tu.assert_almost_equal(np.ones(3), np.ones(3) + 1e-4)  # float64: rtol 1e-5
    assert tu.almost_equal(np.ones(2, np.float32), np.ones(2) + 1e-6)
    assert not tu.almost_equal(np.ones(2, np.float32), np.ones(2) + 1e-4)  # float64 defaults
    with pytest.raises(AssertionError, match=r"Location of maximum error: \(1,\)"):
        tu.assert_almost_equal(np.array([1.0, 2.0]), np.array([1.0, 3.0]), names=("p", "q"))
    assert "Error" in capsys.readouterr().out  # MXNet prints the worst elements


def test_small_helpers():
    data = np.arange(24.0).reshape(2, 3, 4)
    assert np.array_equal(tu.np_reduce(data, (0, 2), True, np.sum), data.sum((0, 2), keepdims=True))
    assert tu.np_reduce(data, None, False, np.max) == 23
    assert tu.collapse_sum_like(np.ones((2, 3, 4)), (3, 1)).tolist() == [[8]] * 3
    with tu.environment("TEACHMOD_CORE_TEST", "1"):
        assert os.environ["TEACHMOD_CORE_TEST"] == "1"
    assert "TEACHMOD_CORE_TEST" not in os.environ
    calls = []

    @tu.retry(3)
    def flaky():
        calls.append(1)
        assert len(calls) == 2

    flaky()
    assert len(calls) == 2
    buckets, probs = tu.gen_buckets_probs_with_ppf(lambda p: p, 4)
    assert buckets[1] == (0.25, 0.5) and probs == [0.25] * 4
    np.random.seed(0)
    tu.verify_generator(lambda n: np.random.uniform(size=n), buckets, probs, nsamples=20000)
    with pytest.raises(AssertionError, match="Generator test fails"):
        tu.verify_generator(lambda n: np.random.uniform(size=n) ** 2, buckets, probs,
                            nsamples=20000)


def test_star_import_gives_mxnets_module_names():
    names: dict = {}
    exec("from teachmod.test_utils import *", names)  # noqa: S102
    for name in ("sys", "os", "np", "rnd", "mx", "time", "json", "assert_almost_equal",
                 "check_consistency", "np_reduce", "environment", "use_np", "retry"):
        assert name in names, name
    assert names["mx"] is mx and "io" not in names

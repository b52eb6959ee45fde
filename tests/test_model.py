"""mx.model checkpoints: MXNet's file format both ways, atomic saves, clear errors."""
from __future__ import annotations

import ast
import json
import logging
import os
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

import teachmod as mx
from teachmod.base import MXNetError
from teachmod.ndarray import utils as nd_utils
from teachmod.ops import registry

FIXTURES = Path(__file__).parent / "fixtures" / "checkpoints"
MLP = FIXTURES / "mlp_mx"
CNN = FIXTURES / "cnn_mx"


def _mlp():
    data = mx.sym.Variable("data")
    fc1 = mx.sym.FullyConnected(data, name="fc1", num_hidden=8)
    act = mx.sym.Activation(fc1, name="relu1", act_type="relu")
    fc2 = mx.sym.FullyConnected(act, name="fc2", num_hidden=3)
    return mx.sym.SoftmaxOutput(fc2, name="softmax")


def _params(seed=0):
    rng = np.random.default_rng(seed)
    arg = {"fc1_weight": rng.standard_normal((8, 4)), "fc1_bias": rng.standard_normal(8),
           "fc2_weight": rng.standard_normal((3, 8)), "fc2_bias": rng.standard_normal(3)}
    arg = {k: mx.nd.array(v, dtype="float32") for k, v in arg.items()}
    aux = {"bn_moving_mean": mx.nd.array(rng.standard_normal(8), dtype="float64"),
           "bn_steps": mx.nd.array([3, 4], dtype="int64")}
    return arg, aux


def _leftover_temp_files(directory):
    return [name for name in os.listdir(directory) if name.startswith(".tmp")]


# ---- round trip -----------------------------------------------------------------------------
def test_save_load_round_trip(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    prefix = str(tmp_path / "mlp")
    net = _mlp()
    arg, aux = _params()
    mx.model.save_checkpoint(prefix, 3, net, arg, aux)
    assert sorted(os.listdir(tmp_path)) == ["mlp-0003.params", "mlp-symbol.json"]
    expected_line = f'Saved checkpoint to "{prefix}-0003.params"'
    assert [r.getMessage() for r in caplog.records] == [expected_line]

    sym, arg2, aux2 = mx.model.load_checkpoint(prefix, 3)
    assert sym.tojson() == net.tojson()
    assert sorted(arg2) == sorted(arg) and sorted(aux2) == sorted(aux)
    for saved, loaded in [(arg, arg2), (aux, aux2)]:
        for name, value in saved.items():
            assert loaded[name].dtype == value.dtype
            np.testing.assert_array_equal(loaded[name].asnumpy(), value.asnumpy())
    keys = list(mx.nd.load(prefix + "-0003.params"))
    assert keys == ["arg:" + k for k in arg] + ["aux:" + k for k in aux]
    assert mx.model.load_params(prefix, 3)[0].keys() == arg2.keys()


def test_save_without_symbol_writes_only_params(tmp_path):
    arg, _ = _params()
    mx.model.save_checkpoint(str(tmp_path / "p"), 12, None, arg, {})
    assert os.listdir(tmp_path) == ["p-0012.params"]


def test_no_pickle_in_checkpoint_code():
    for module in (mx.model, mx.callback, mx.test_utils):
        tree = ast.parse(Path(module.__file__).read_text())
        imported = {alias.name for node in ast.walk(tree)
                    if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module}
        assert not imported & {"pickle", "cPickle", "dill", "marshal"}, module.__name__


# ---- checkpoints written by MXNet 1.9.1 ------------------------------------------------------
def test_load_mxnet_mlp_checkpoint():
    facts = json.loads((FIXTURES / "checkpoints.json").read_text())["mlp_mx"]
    sym, arg, aux = mx.model.load_checkpoint(str(MLP), 3)
    assert sym.list_arguments() == facts["symbol_list_arguments"]
    assert sym.list_outputs() == facts["symbol_list_outputs"]
    assert ["arg:" + k for k in arg] == facts["params"]["names_in_file_order"]
    assert aux == {}
    for entry in facts["params"]["arrays"]:
        array = arg[entry["name"][4:]]
        assert list(array.shape) == entry["shape"] and array.dtype == np.float32


def test_mxnet_mlp_checkpoint_predicts_as_in_mxnet():
    expected = np.load(MLP.with_name("mlp_mx_predict.npz"))
    sym, arg, aux = mx.model.load_checkpoint(str(MLP), 3)
    args = dict(arg, data=mx.nd.array(expected["data"]),
                softmax_label=mx.nd.array(expected["label"]))
    executor = sym.bind(mx.cpu(), args=args, grad_req="null", aux_states=aux)
    out = executor.forward(is_train=False)[0].asnumpy()
    np.testing.assert_allclose(out, expected["predict"], rtol=1e-5, atol=1e-6)


def test_rewriting_mxnet_params_is_byte_identical(tmp_path):
    sym, arg, aux = mx.model.load_checkpoint(str(MLP), 3)
    prefix = str(tmp_path / "copy")
    mx.model.save_checkpoint(prefix, 3, sym, arg, aux)
    original = MLP.with_name("mlp_mx-0003.params").read_bytes()
    assert Path(prefix + "-0003.params").read_bytes() == original


def test_load_mxnet_cnn_params_with_aux():
    facts = json.loads((FIXTURES / "checkpoints.json").read_text())["cnn_mx"]
    arg, aux = mx.model.load_params(str(CNN), 2)
    assert {k: list(v.shape) for k, v in arg.items()} == facts["arg_shapes"]
    assert {k: list(v.shape) for k, v in aux.items()} == facts["aux_shapes"]
    assert float(aux["bn_moving_var"].asnumpy().min()) == pytest.approx(facts["bn_moving_var_min"])


def test_load_mxnet_cnn_checkpoint():
    if not {"Convolution", "BatchNorm", "Pooling"} <= set(registry.all_names()):
        pytest.skip("the CNN's operators are not registered yet")
    sym, arg, aux = mx.model.load_checkpoint(str(CNN), 2)
    assert sym.list_auxiliary_states() == ["bn_moving_mean", "bn_moving_var"]
    assert set(arg) | {"data", "softmax_label"} == set(sym.list_arguments())


# ---- saving never destroys the previous checkpoint -------------------------------------------
class _FailingFile:
    """A file that writes half of what it is given, then fails like a full disk."""

    def __init__(self, real):
        self.real = real

    def write(self, payload):
        self.real.write(payload[: len(payload) // 2])
        raise OSError(28, "No space left on device")

    def __getattr__(self, name):
        return getattr(self.real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.real.close()


@pytest.mark.parametrize("error", [OSError, KeyboardInterrupt])
def test_interrupted_save_keeps_previous_checkpoint(tmp_path, monkeypatch, error):
    prefix = str(tmp_path / "mlp")
    net = _mlp()
    arg, aux = _params(seed=1)
    mx.model.save_checkpoint(prefix, 1, net, arg, aux)
    before = {name: (tmp_path / name).read_bytes() for name in os.listdir(tmp_path)}

    real_fdopen = os.fdopen
    if error is OSError:
        monkeypatch.setattr(nd_utils.os, "fdopen",
                            lambda *a, **k: _FailingFile(real_fdopen(*a, **k)))
    else:
        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt
        monkeypatch.setattr(nd_utils.os, "fsync", interrupted)

    new_arg, new_aux = _params(seed=2)
    with pytest.raises(error):
        mx.model.save_checkpoint(prefix, 1, net, new_arg, new_aux)
    monkeypatch.undo()

    after = {name: (tmp_path / name).read_bytes() for name in os.listdir(tmp_path)}
    assert after == before
    assert _leftover_temp_files(tmp_path) == []
    _, loaded, _ = mx.model.load_checkpoint(prefix, 1)
    np.testing.assert_array_equal(loaded["fc1_weight"].asnumpy(), arg["fc1_weight"].asnumpy())


def test_interrupted_params_save_after_symbol(tmp_path, monkeypatch):
    """The symbol is saved, then the params write fails: the old params file is untouched."""
    prefix = str(tmp_path / "mlp")
    arg, aux = _params(seed=1)
    mx.model.save_checkpoint(prefix, 5, _mlp(), arg, aux)
    params_before = Path(prefix + "-0005.params").read_bytes()

    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith(".params"):
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(nd_utils.os, "replace", replace)
    with pytest.raises(OSError):
        mx.model.save_checkpoint(prefix, 5, _mlp(), *_params(seed=3))
    monkeypatch.undo()
    assert Path(prefix + "-0005.params").read_bytes() == params_before
    assert _leftover_temp_files(tmp_path) == []


# ---- clear errors ------------------------------------------------------------------------------
def test_missing_epoch_lists_existing_epochs(tmp_path):
    prefix = str(tmp_path / "mlp")
    arg, aux = _params()
    for epoch in (1, 2, 10):
        mx.model.save_checkpoint(prefix, epoch, _mlp(), arg, aux)
    with pytest.raises(MXNetError) as info:
        mx.model.load_checkpoint(prefix, 5)
    message = str(info.value)
    assert f"{prefix}-0005.params" in message and "1, 2, 10" in message


def test_missing_checkpoint_with_no_files(tmp_path):
    with pytest.raises(MXNetError, match="no such file .*nothing-symbol.json.*no nothing-NNNN"):
        mx.model.load_checkpoint(str(tmp_path / "nothing"), 1)
    with pytest.raises(MXNetError, match="nothing-0001.params"):
        mx.model.load_params(str(tmp_path / "nothing"), 1)


def _copy_mlp(tmp_path):
    for name in ("mlp_mx-symbol.json", "mlp_mx-0003.params"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    return str(tmp_path / "mlp_mx"), tmp_path / "mlp_mx-0003.params"


@pytest.mark.parametrize("keep", [0, 10, 24, 50, 1000, -1])
def test_truncated_params_file(tmp_path, keep):
    prefix, params = _copy_mlp(tmp_path)
    params.write_bytes(params.read_bytes()[:keep])
    with pytest.raises(MXNetError, match="mlp_mx-0003.params"):
        mx.model.load_checkpoint(prefix, 3)


@pytest.mark.parametrize("offset", [0, 24, 28])
def test_corrupt_params_file(tmp_path, offset):
    prefix, params = _copy_mlp(tmp_path)
    payload = bytearray(params.read_bytes())
    payload[offset:offset + 4] = b"\xde\xad\xbe\xef"  # list magic, array magic, storage type
    params.write_bytes(bytes(payload))
    with pytest.raises(MXNetError, match="mlp_mx-0003.params"):
        mx.model.load_params(prefix, 3)


def test_garbage_and_invalid_names(tmp_path):
    prefix, params = _copy_mlp(tmp_path)
    params.write_bytes(b"this is not a params file at all, just some text\n")
    with pytest.raises(MXNetError, match="mlp_mx-0003.params"):
        mx.model.load_params(prefix, 3)
    # a valid file whose last name has bytes that are not UTF-8
    payload = bytearray(FIXTURES.joinpath("mlp_mx-0003.params").read_bytes())
    payload[-1] = 0xFF
    params.write_bytes(bytes(payload))
    with pytest.raises(MXNetError, match="mlp_mx-0003.params"):
        mx.model.load_params(prefix, 3)


def test_corrupt_symbol_file(tmp_path):
    prefix, _ = _copy_mlp(tmp_path)
    Path(prefix + "-symbol.json").write_text('{"nodes": [')
    with pytest.raises(MXNetError, match="mlp_mx-symbol.json"):
        mx.model.load_checkpoint(prefix, 3)


def test_keys_without_arg_or_aux_prefix(tmp_path):
    prefix = str(tmp_path / "plain")
    mx.nd.save(prefix + "-0001.params", {"arg:ok": mx.nd.ones((1,)), "fc1_weight": mx.nd.ones((2,)),
                                         "opt:lr": mx.nd.ones((1,))})
    with pytest.raises(MXNetError, match=r"\['fc1_weight', 'opt:lr'\].*'arg:' or 'aux:'"):
        mx.model.load_params(prefix, 1)


def test_list_saved_file_is_not_a_checkpoint(tmp_path):
    prefix = str(tmp_path / "list")
    mx.nd.save(prefix + "-0001.params", [mx.nd.ones((2,))])
    with pytest.raises(MXNetError, match="without names"):
        mx.model.load_params(prefix, 1)


def test_empty_params_file_warns(tmp_path, caplog):
    prefix = str(tmp_path / "empty")
    Path(prefix + "-0001.params").write_bytes(struct.pack("<QQQQ", 0x112, 0, 0, 0))
    assert mx.model.load_params(prefix, 1) == ({}, {})
    assert f"Params file '{prefix}-0001.params' is empty" in caplog.text

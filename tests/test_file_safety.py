"""File safety: saves are atomic even when the process is killed, damaged files are refused
with a clear error, nothing unpickles, and downloads never leave a partial file behind.

The kill test forks a child that saves a checkpoint (``-symbol.json``, ``.params`` and
``.states``) under one prefix again and again, kills it with SIGKILL at a random moment, and
checks that every file under its final name is complete and holds one saved version.
"""
from __future__ import annotations

import ast
import json
import multiprocessing
import os
import random
import signal
import struct
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import requests
from fake_requests import FakeRequests, FakeResponse

import teachmod as mx
from teachmod import test_utils as tu
from teachmod.base import MXNetError
from teachmod.ndarray import utils as nd_utils

PACKAGE = Path(mx.__file__).parent
KILLS = 200 if os.environ.get("TEACHMOD_FUZZ") == "long" else 30


# ==================================================================================================
# Killed in the middle of a save
# ==================================================================================================
def _network() -> mx.sym.Symbol:
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=1024, name="fc1")
    net = mx.sym.Activation(net, act_type="relu", name="relu1")
    net = mx.sym.FullyConnected(net, num_hidden=10, name="fc2")
    return mx.sym.SoftmaxOutput(net, name="softmax")


def _module() -> mx.mod.Module:
    mod = mx.mod.Module(_network())
    mod.bind([("data", (2, 1024))], [("softmax_label", (2,))])
    mod.init_params()
    mod.init_optimizer(optimizer_params={"learning_rate": 0.1, "momentum": 0.9})
    return mod


def _set_version(mod: mx.mod.Module, version: int) -> None:
    """Every parameter and every momentum array becomes ``version`` (about 8 MB of each)."""
    arg, aux = mod.get_params()
    mod.set_params({n: mx.nd.full(a.shape, version) for n, a in arg.items()}, aux)
    mod._updater.states = {i: mx.nd.full(arg[n].shape, version)
                           for i, n in enumerate(mod._exec_group.param_names)}


def _save_forever(prefix: str, first_version: int, ready) -> None:
    """The child: save versions first_version, first_version + 1, ... until killed."""
    mod = _module()
    ready.set()
    version = first_version
    while True:
        _set_version(mod, version)
        mod.save_checkpoint(prefix, 1, save_optimizer_states=True)
        version += 1


def _saved_version(prefix: str, expected_json: str) -> tuple[int, int]:
    """The versions of the .params and .states under their final names; both must be whole."""
    assert Path(f"{prefix}-symbol.json").read_text() == expected_json
    arg, aux = mx.model.load_params(prefix, 1)
    values = {float(v) for array in arg.values() for v in np.unique(array.asnumpy())}
    assert len(values) == 1 and not aux, f"a mixture of versions in the .params: {values}"
    mod = _module()
    mod.load_optimizer_states(f"{prefix}-0001.states")
    states = {float(v) for s in mod._updater.states.values() for v in np.unique(s.asnumpy())}
    assert len(states) == 1, f"a mixture of versions in the .states: {states}"
    return int(values.pop()), int(states.pop())


@pytest.mark.skipif(not hasattr(signal, "SIGKILL") or "fork" not in
                    multiprocessing.get_all_start_methods(), reason="needs fork and SIGKILL")
def test_killed_during_save_never_damages_the_checkpoint(tmp_path):
    prefix = str(tmp_path / "mlp")
    expected_json = _network().tojson()
    mod = _module()
    _set_version(mod, 0)
    mod.save_checkpoint(prefix, 1, save_optimizer_states=True)  # the good file to protect
    finals = {"mlp-symbol.json", "mlp-0001.params", "mlp-0001.states"}
    context = multiprocessing.get_context("fork")
    rng = random.Random(1234)
    seen, interrupted = set(), 0
    for kill in range(1, KILLS + 1):
        ready = context.Event()
        child = context.Process(target=_save_forever, args=(prefix, 1000 * kill, ready))
        child.start()
        assert ready.wait(30), "the child did not start"
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(child.pid, signal.SIGKILL)
        child.join(30)
        assert child.exitcode == -signal.SIGKILL

        params_version, states_version = _saved_version(prefix, expected_json)
        for version in (params_version, states_version):
            assert version == 0 or 1000 <= version < 1000 * (kill + 1), version
        assert states_version <= params_version  # .params is written before .states
        seen.add(params_version)
        names = set(os.listdir(tmp_path))
        assert finals <= names and all(n.startswith(".tmp-") for n in names - finals), names
        leftovers = names - finals
        interrupted += bool(leftovers)  # killed between writing a temporary file and renaming
        for name in leftovers:
            os.unlink(tmp_path / name)
    assert len(seen) > 1, "the child never finished a save: the kills proved nothing"
    assert interrupted >= 1, "no kill landed in the middle of a write"


# ==================================================================================================
# Every writer goes through write_atomic, and nothing unpickles
# ==================================================================================================
def test_every_writer_of_user_files_is_atomic():
    """The only places that open a file for writing are write_atomic and the download stream."""
    writers = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            modes = [a.value for a in node.args[1:2] + [k.value for k in node.keywords
                                                        if k.arg == "mode"]
                     if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if name in ("open", "fdopen") and any(set(m) & set("wax+") for m in modes):
                writers.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
            if name in ("write_text", "write_bytes", "tofile", "savez", "savetxt"):
                writers.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    allowed = {"ndarray/utils.py", "test_utils.py"}
    assert {w.split(":")[0] for w in writers} <= allowed, writers


def test_checkpoint_files_use_write_atomic(tmp_path, monkeypatch):
    written = []
    real = nd_utils.write_atomic

    def spy(fname, payload):
        written.append(os.path.basename(fname))
        real(fname, payload)

    monkeypatch.setattr(nd_utils, "write_atomic", spy)
    mod = _module()
    mod.save_checkpoint(str(tmp_path / "m"), 2, save_optimizer_states=True)
    mx.model.save_checkpoint(str(tmp_path / "n"), 3, _network(), *mod.get_params())
    mx.nd.save(str(tmp_path / "a.params"), [mx.nd.zeros(1)])
    mod.save_params(str(tmp_path / "b.params"))
    _network().save(str(tmp_path / "c.json"))
    assert written == ["m-symbol.json", "m-0002.params", "m-0002.states", "n-symbol.json",
                       "n-0003.params", "a.params", "b.params", "c.json"]


def test_saved_files_have_ordinary_permissions(tmp_path):
    mx.nd.save(str(tmp_path / "a.params"), [mx.nd.zeros(1)])
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "a.params").stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_umask_that_forbids_everything_leaves_the_owner_read_and_write(tmp_path):
    """Pyodide reports a umask of 0o777; a checkpoint must still be readable by its writer."""
    old = os.umask(0o777)
    try:
        mx.nd.save(str(tmp_path / "a.params"), [mx.nd.ones(2)])
    finally:
        os.umask(old)
    assert (tmp_path / "a.params").stat().st_mode & 0o777 == 0o600
    assert mx.nd.load(str(tmp_path / "a.params"))[0].asnumpy().tolist() == [1, 1]


def test_no_pickle_anywhere_in_the_package():
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
        imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module}
        assert not imported & {"pickle", "cPickle", "dill", "marshal", "shelve", "joblib"}, path
        # numpy's loader unpickles object arrays when asked to: it is not used at all
        calls = {getattr(node.func, "attr", "") for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                 and getattr(node.func.value, "id", "") in ("np", "numpy")}
        assert "load" not in calls and "allow_pickle=True" not in path.read_text("utf-8"), path


# ==================================================================================================
# Damaged files are refused with a clear error
# ==================================================================================================
@pytest.fixture
def checkpoint(tmp_path) -> str:
    prefix = str(tmp_path / "mlp")
    arg = {"fc1_weight": mx.nd.ones((4, 3)), "fc1_bias": mx.nd.zeros(4)}
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=4, name="fc1")
    mx.model.save_checkpoint(prefix, 1, mx.sym.SoftmaxOutput(net, name="softmax"), arg, {})
    return prefix


def test_every_truncation_of_a_params_file_is_refused(checkpoint):
    path = Path(f"{checkpoint}-0001.params")
    good = path.read_bytes()
    for size in range(len(good)):
        path.write_bytes(good[:size])
        with pytest.raises(MXNetError, match="mlp-0001.params"):
            mx.model.load_checkpoint(checkpoint, 1)


def test_bit_flips_in_a_params_file_are_refused_or_harmless(checkpoint):
    """A flipped bit in the header is refused; one in the values changes a value, as it must."""
    path = Path(f"{checkpoint}-0001.params")
    good = path.read_bytes()
    refused = 0
    for offset in range(len(good)):
        for bit in (0, 7):
            damaged = bytearray(good)
            damaged[offset] ^= 1 << bit
            path.write_bytes(bytes(damaged))
            try:
                mx.model.load_checkpoint(checkpoint, 1)
            except MXNetError as err:
                assert "mlp-0001.params" in str(err)
                refused += 1
    assert refused > len(good) // 2  # headers and names dominate this small file


def test_wrong_magic_is_refused(checkpoint):
    path = Path(f"{checkpoint}-0001.params")
    path.write_bytes(struct.pack("<Q", 0x113) + path.read_bytes()[8:])
    with pytest.raises(MXNetError, match="wrong magic number 0x113 \\(expected 0x112\\)"):
        mx.model.load_checkpoint(checkpoint, 1)


def test_header_claiming_2_to_the_60_elements_is_refused_at_once(tmp_path):
    payload = (struct.pack("<QQQ", 0x112, 0, 1) + struct.pack("<Iii", 0xF993FAC9, 0, 1)
               + struct.pack("<q", 2 ** 60) + struct.pack("<iii", 1, 0, 0) + bytes(16))
    (tmp_path / "huge.params").write_bytes(payload)
    tracemalloc.start()
    with pytest.raises(MXNetError, match="needs 4611686018427387904 bytes but only 16 remain"):
        mx.nd.load(str(tmp_path / "huge.params"))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1 << 20  # refused from the header, before allocating anything large


_GOOD_JSON: dict[str, str] = {}


def _graph(checkpoint: str) -> dict:
    """The checkpoint's graph as it was saved (before any test damaged the file)."""
    text = _GOOD_JSON.setdefault(checkpoint, Path(f"{checkpoint}-symbol.json").read_text())
    return json.loads(text)


def _index(graph: dict, name: str) -> int:
    return next(i for i, node in enumerate(graph["nodes"]) if node["name"] == name)


def _load_graph(checkpoint: str, graph: dict) -> None:
    Path(f"{checkpoint}-symbol.json").write_text(json.dumps(graph))
    mx.model.load_checkpoint(checkpoint, 1)


def test_json_with_a_cycle_is_refused(checkpoint):
    graph = _graph(checkpoint)
    graph["nodes"][0]["inputs"] = [[_index(graph, "softmax"), 0, 0]]  # data fed by softmax
    with pytest.raises(MXNetError, match="later node would make a cycle"):
        _load_graph(checkpoint, graph)
    graph = _graph(checkpoint)
    softmax = _index(graph, "softmax")
    graph["nodes"][softmax]["inputs"][0] = [softmax, 0, 0]  # the softmax fed by itself
    with pytest.raises(MXNetError, match=f"'softmax'.*input node {softmax}"):
        _load_graph(checkpoint, graph)


def test_json_with_an_unknown_operator_is_refused(checkpoint):
    graph = _graph(checkpoint)
    graph["nodes"][_index(graph, "softmax")]["op"] = "SoftMaxOutput"
    with pytest.raises(MXNetError, match="'softmax' uses the unknown operator 'SoftMaxOutput'"):
        _load_graph(checkpoint, graph)


def test_json_with_missing_inputs_is_refused(checkpoint):
    graph = _graph(checkpoint)
    node = graph["nodes"][_index(graph, "softmax")]
    node["inputs"] = node["inputs"][:1]
    with pytest.raises(MXNetError, match="'softmax' has 1 inputs, expected 2 \\(data, label\\)"):
        _load_graph(checkpoint, graph)
    graph = _graph(checkpoint)
    del graph["nodes"][1]["name"]
    with pytest.raises(MXNetError, match="node 1 must be an object with string 'op' and 'name'"):
        _load_graph(checkpoint, graph)


def test_json_with_absurd_shapes_is_refused_without_allocating(checkpoint):
    graph = _graph(checkpoint)
    graph["nodes"][0].setdefault("attrs", {})["__shape__"] = "(1073741824, 1073741824)"
    _load_graph(checkpoint, graph)  # loading allocates nothing; binding would
    symbol = mx.sym.load(f"{checkpoint}-symbol.json")
    with pytest.raises(MXNetError, match="simple_bind: .* GiB .*'data' alone.*more than this"):
        symbol.simple_bind(mx.cpu())
    graph["nodes"][0]["attrs"]["__shape__"] = "(-1, 3)"
    with pytest.raises(MXNetError, match="'data'.*__shape__ must be a tuple of ints >= 0"):
        _load_graph(checkpoint, graph)
    graph["nodes"][0]["attrs"]["__shape__"] = "__import__('os')"
    with pytest.raises(MXNetError, match="__shape__"):
        _load_graph(checkpoint, graph)


def test_symbol_file_cut_short_is_refused(checkpoint):
    path = Path(f"{checkpoint}-symbol.json")
    good = path.read_text()
    for size in range(0, len(good), 7):
        path.write_text(good[:size])
        with pytest.raises(MXNetError, match="mlp-symbol.json"):
            mx.model.load_checkpoint(checkpoint, 1)


# ==================================================================================================
# Downloads
# ==================================================================================================
def test_connection_dropped_mid_stream_keeps_the_old_file(tmp_path, online, monkeypatch):
    target = tmp_path / "big.bin"
    target.write_bytes(b"the good old copy")
    fake = FakeRequests(FakeResponse([b"new ", b"partial", b"never"], fail_after=2))
    monkeypatch.setattr(requests, "get", fake)
    with pytest.raises(MXNetError, match="could not download .*big.bin.*ConnectionError"):
        mx.test_utils.download("https://example.com/big.bin", dirname=str(tmp_path),
                               overwrite=True, retries=1)
    assert target.read_bytes() == b"the good old copy"
    assert os.listdir(tmp_path) == ["big.bin"]


def test_connection_dropped_mid_stream_leaves_no_file(tmp_path, online, monkeypatch):
    monkeypatch.setattr(requests, "get", FakeRequests(FakeResponse([b"a", b"b"], fail_after=1)))
    with pytest.raises(MXNetError):
        mx.test_utils.download("https://example.com/data.csv", dirname=str(tmp_path), retries=0)
    assert os.listdir(tmp_path) == []


def test_wrong_checksum_of_a_known_file_is_never_kept(tmp_path, online, monkeypatch):
    """The UCI files have known sha256s: tampered bytes are dropped for the verified copy."""
    monkeypatch.setattr(requests, "get", FakeRequests(FakeResponse([b"tampered"])))
    url = ("https://archive.ics.uci.edu/ml/machine-learning-databases/letter-recognition/"
           "letter-recognition.data")
    path = mx.test_utils.download(url, dirname=str(tmp_path))
    assert tu.hashlib.sha256(Path(path).read_bytes()).hexdigest() == \
        tu.BUNDLED["letter-recognition.data"]
    assert os.listdir(tmp_path) == ["letter-recognition.data"]


@pytest.mark.parametrize("error", [requests.ConnectTimeout("timed out"),
                                   requests.ConnectionError("Name or service not known")])
def test_offline_download_times_out_with_a_clear_message(tmp_path, online, monkeypatch, error):
    fake = FakeRequests(error)
    monkeypatch.setattr(requests, "get", fake)
    url = "https://example.com/not-bundled.zip"
    with pytest.raises(MXNetError) as info:
        mx.test_utils.download(url, dirname=str(tmp_path), retries=2)
    message = str(info.value)
    for words in (url, "3 attempts", type(error).__name__, "network", "not-bundled.zip"):
        assert words in message, message
    timeouts = [timeout for _, _, timeout in fake.calls]
    assert len(timeouts) == 3
    assert all(t is not None and all(0 < s <= 60 for s in t) for t in timeouts)
    assert os.listdir(tmp_path) == []

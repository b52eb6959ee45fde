"""mx.test_utils: download with the bundled-data fallback (no network used), the bundled data
sets, array comparison and numeric gradient checking."""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import numpy as np
import pytest
import requests
from fake_requests import FakeRequests, FakeResponse

import teachmod as mx
from teachmod import test_utils as tu
from teachmod.base import MXNetError
from teachmod.executor import Executor

LETTERS_URL = ("http://archive.ics.uci.edu/ml/machine-learning-databases/letter-recognition/"
               "letter-recognition.data")
DIGITS_URL = "https://archive.ics.uci.edu/ml/machine-learning-databases/optdigits/optdigits.tes"
SHARED = Path("/work/shared/datasets")
DATA = Path(tu.__file__).parent / "data"


@pytest.fixture
def fake_get(monkeypatch):
    def install(*answers):
        fake = FakeRequests(*answers)
        monkeypatch.setattr(requests, "get", fake)
        return fake
    return install


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def no_temp_files(directory):
    return not [n for n in os.listdir(directory) if n.startswith(".tmp")]


# ---- the bundled data ---------------------------------------------------------------------------
def test_bundled_files_are_byte_identical_to_the_shared_datasets():
    for name, digest in tu.BUNDLED.items():
        assert sha256(DATA / name) == digest
        if SHARED.exists():
            assert (DATA / name).read_bytes() == (SHARED / name).read_bytes()


def test_bundled_readme_carries_checksums_and_attribution():
    readme = (DATA / "README.md").read_text()
    for digest in tu.BUNDLED.values():
        assert digest in readme
    assert readme.count("CC BY 4.0") == 2
    assert "Frey and D. J. Slate" in readme and "Alpaydin and C. Kaynak" in readme


def test_get_letters():
    data, label = mx.test_utils.get_letters()
    assert data.shape == (20000, 16) and data.dtype == np.float32
    assert label.shape == (20000,) and label.min() == 0 and label.max() == 25
    assert data.min() == 0 and data.max() == 15
    assert list(np.bincount(label)[:5]) == [789, 766, 736, 805, 768]


def test_get_digits():
    data, label = mx.test_utils.get_digits()
    assert data.shape == (1797, 1, 8, 8) and data.dtype == np.float32
    assert 0 <= data.min() and data.max() == 1.0
    assert list(np.bincount(label)) == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


@pytest.mark.parametrize("url, name", [
    (LETTERS_URL, "letter-recognition.data"),
    (LETTERS_URL.replace("http://", "https://"), "letter-recognition.data"),
    (LETTERS_URL.replace("://", "://www."), "letter-recognition.data"),
    (LETTERS_URL.replace("/ml/", "//ml/"), "letter-recognition.data"),
    (DIGITS_URL, "optdigits.tes"),
    (DIGITS_URL.replace("https://", "http://"), "optdigits.tes"),
    ("https://example.com/ml/machine-learning-databases/optdigits/optdigits.tes", None),
    ("ftp://archive.ics.uci.edu/ml/machine-learning-databases/optdigits/optdigits.tes", None),
    ("https://archive.ics.uci.edu/ml/machine-learning-databases/optdigits/optdigits.tra", None),
])
def test_bundled_name(url, name):
    assert tu.bundled_name(url) == name


@pytest.mark.parametrize("offline, ci, expected", [
    ("1", None, True), ("true", None, True), (None, None, False), ("0", None, False),
    (None, "true", True), ("0", "true", False),
])
def test_offline_mode(monkeypatch, offline, ci, expected):
    for var, value in (("TEACHMOD_OFFLINE", offline), ("CI", ci)):
        if value is None:
            monkeypatch.delenv(var, raising=False)
        else:
            monkeypatch.setenv(var, value)
    assert tu.offline_mode() is expected


# ---- download: bundled fallback -----------------------------------------------------------------
def test_offline_env_serves_bundled_copy_without_network(tmp_path, monkeypatch, fake_get, caplog):
    caplog.set_level(logging.INFO)
    monkeypatch.setenv("TEACHMOD_OFFLINE", "1")
    fake = fake_get(AssertionError("the network must not be used"))
    monkeypatch.chdir(tmp_path)
    fname = mx.test_utils.download(LETTERS_URL)
    assert fname == "letter-recognition.data"
    assert sha256(tmp_path / fname) == tu.BUNDLED["letter-recognition.data"]
    assert fake.calls == []
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "bundled with teachmod (sha256 verified)" in lines[0]
    assert "TEACHMOD_OFFLINE" in lines[0]


def test_network_failure_falls_back_to_bundled_copy(tmp_path, online, fake_get, caplog):
    caplog.set_level(logging.INFO)
    fake = fake_get(requests.ConnectionError("Name or service not known"))
    fname = mx.test_utils.download(DIGITS_URL, dirname=str(tmp_path / "data"))
    assert fname == str(tmp_path / "data" / "optdigits.tes")
    assert sha256(fname) == tu.BUNDLED["optdigits.tes"]
    assert len(fake.calls) == 1  # one short attempt, not five retries
    url, stream, timeout = fake.calls[0]
    assert url == DIGITS_URL and stream and timeout[0] <= 5
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO
            and "create directory" not in r.getMessage()]
    assert len(info) == 1 and "download failed (ConnectionError)" in info[0]
    assert no_temp_files(tmp_path / "data")


def test_http_error_and_interrupted_stream_fall_back(tmp_path, online, fake_get):
    fake_get(FakeResponse([b"x"], status_code=503))
    path = mx.test_utils.download(LETTERS_URL, dirname=str(tmp_path))
    assert sha256(path) == tu.BUNDLED["letter-recognition.data"]
    fake_get(FakeResponse([b"abc", b"def"], fail_after=1))
    path = mx.test_utils.download(LETTERS_URL, dirname=str(tmp_path), overwrite=True)
    assert sha256(path) == tu.BUNDLED["letter-recognition.data"]
    assert no_temp_files(tmp_path)


def test_downloaded_bytes_of_bundled_url_are_checked(tmp_path, online, fake_get, caplog):
    caplog.set_level(logging.INFO)
    fake_get(FakeResponse([b"<html>captive portal</html>"]))
    path = mx.test_utils.download(LETTERS_URL, dirname=str(tmp_path))
    assert sha256(path) == tu.BUNDLED["letter-recognition.data"]
    assert "bundled with teachmod" in caplog.text


def test_successful_download_of_bundled_url(tmp_path, online, fake_get, caplog):
    caplog.set_level(logging.INFO)
    payload = (DATA / "optdigits.tes").read_bytes()
    fake_get(FakeResponse([payload[:1000], b"", payload[1000:]]))
    path = mx.test_utils.download(DIGITS_URL, fname="digits.csv", dirname=str(tmp_path))
    assert Path(path).read_bytes() == payload
    assert f"downloaded {DIGITS_URL} into {path} successfully" in caplog.text
    assert "bundled" not in caplog.text


def test_missing_requests_falls_back_for_bundled_url(tmp_path, online, monkeypatch):
    def no_requests():
        raise ImportError("No module named 'requests'")

    monkeypatch.setattr(tu, "_import_requests", no_requests)
    path = mx.test_utils.download(LETTERS_URL, dirname=str(tmp_path))
    assert sha256(path) == tu.BUNDLED["letter-recognition.data"]
    with pytest.raises(MXNetError, match="pip install requests"):
        mx.test_utils.download("https://example.com/model.params", dirname=str(tmp_path))


@pytest.mark.parametrize("offline", ["1", "0"])
def test_damaged_bundled_copy_raises(tmp_path, monkeypatch, fake_get, offline):
    monkeypatch.setenv("TEACHMOD_OFFLINE", offline)
    fake_get(requests.ConnectionError("offline"))
    real = tu._read_bundled
    monkeypatch.setattr(tu, "_read_bundled", lambda name: real(name).replace(b"T,2,8", b"T,2,9", 1))
    with pytest.raises(MXNetError, match="letter-recognition.data is damaged: its sha256"):
        mx.test_utils.download(LETTERS_URL, dirname=str(tmp_path))
    assert os.listdir(tmp_path) == []
    with pytest.raises(MXNetError, match="sha256"):
        mx.test_utils.get_letters()


# ---- download: ordinary URLs ------------------------------------------------------------------
def test_download_streams_to_file(tmp_path, online, fake_get, caplog):
    caplog.set_level(logging.INFO)
    url = "https://example.com/files/weights.params?download=1"
    fake = fake_get(FakeResponse([b"abc", b"", b"def"]))
    path = mx.test_utils.download(url, fname="w.params", dirname=str(tmp_path / "sub"))
    assert path == str(tmp_path / "sub" / "w.params")
    assert Path(path).read_bytes() == b"abcdef"
    assert fake.calls[0][1] is True and fake.calls[0][2] is not None  # streamed, with a timeout
    assert f"downloaded {url} into {path} successfully" in caplog.text


def test_a_download_under_a_umask_of_0o777_stays_readable(tmp_path, online, fake_get):
    """Pyodide reports a umask of 0o777: the downloaded file still gets the owner's read and
    write (mode 0 would make the download unreadable)."""
    import os

    fake_get(FakeResponse([b"abc"]))
    old = os.umask(0o777)
    try:
        path = mx.test_utils.download("https://example.com/a.bin", dirname=str(tmp_path))
    finally:
        os.umask(old)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert Path(path).read_bytes() == b"abc"


def test_existing_file_is_skipped_unless_overwrite(tmp_path, online, fake_get, caplog):
    caplog.set_level(logging.INFO)
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")
    fake = fake_get(FakeResponse([b"new"]))
    assert mx.test_utils.download("https://example.com/a.bin", dirname=str(tmp_path)) == str(target)
    assert target.read_bytes() == b"old" and fake.calls == []
    assert f"{target} exists, skipping download" in caplog.text
    mx.test_utils.download("https://example.com/a.bin", dirname=str(tmp_path), overwrite=True)
    assert target.read_bytes() == b"new"


def test_download_retries_then_succeeds(tmp_path, online, fake_get):
    fake = fake_get(requests.ConnectionError("flaky"), FakeResponse([b"x"], status_code=500),
                    FakeResponse([b"ok"]))
    path = mx.test_utils.download("https://example.com/f", dirname=str(tmp_path), retries=5)
    assert Path(path).read_bytes() == b"ok" and len(fake.calls) == 3


def test_download_failure_names_the_url_and_leaves_no_file(tmp_path, online, fake_get):
    url = "https://example.com/data/big.bin"
    fake = fake_get(FakeResponse([b"part", b"rest"], fail_after=1))
    with pytest.raises(MXNetError, match=f"could not download {url} \\(3 attempts\\)"):
        mx.test_utils.download(url, dirname=str(tmp_path), retries=2)
    assert len(fake.calls) == 3 and os.listdir(tmp_path) == []
    fake_get(FakeResponse([], status_code=404))
    with pytest.raises(MXNetError, match="HTTP 404"):
        mx.test_utils.download(url, dirname=str(tmp_path), retries=0)


def test_negative_retries():
    with pytest.raises(ValueError):
        mx.test_utils.download("https://example.com/f", retries=-1)


# ---- comparing arrays -------------------------------------------------------------------------
def test_assert_almost_equal():
    a = np.array([1.0, 2.0, 3.0], np.float32)
    mx.test_utils.assert_almost_equal(a, a + 1e-4)
    mx.test_utils.assert_almost_equal(mx.nd.array(a), a)
    mx.test_utils.assert_almost_equal(a, a + 0.05, rtol=0.1, atol=0)
    mx.test_utils.assert_almost_equal(np.array([np.nan]), np.array([np.nan]), equal_nan=True)
    with pytest.raises(AssertionError) as info:
        mx.test_utils.assert_almost_equal(a, a + np.array([0, 0.5, 0], np.float32),
                                          names=("mine", "theirs"))
    message = str(info.value)
    assert "exceeds tolerance" in message and "(1,)" in message and "mine=2.0" in message
    assert "mismatch 33.3" in message
    with pytest.raises(AssertionError, match="shape"):
        mx.test_utils.assert_almost_equal(a, a[:1], use_broadcast=False)


def test_assert_almost_equal_dtype_tolerances():
    a = np.array([1.0], np.float64)
    mx.test_utils.assert_almost_equal(a, a + 1e-9)
    with pytest.raises(AssertionError):
        mx.test_utils.assert_almost_equal(a, a + 1e-4)  # float64: rtol 1e-5, atol 1e-20
    mx.test_utils.assert_almost_equal(a.astype(np.float32), a + 1e-4)  # the looser dtype wins


def test_same_and_almost_equal():
    assert mx.test_utils.same(np.arange(3), mx.nd.array(np.arange(3)))
    assert not mx.test_utils.same(np.arange(3), np.arange(4))
    assert mx.test_utils.almost_equal(np.ones(2), np.ones(2) + 1e-7)


def test_contexts_and_random_arrays():
    previous = mx.test_utils.default_context()
    try:
        mx.test_utils.set_default_context(mx.cpu(1))
        assert mx.test_utils.default_context() == mx.cpu(1)
        assert mx.nd.zeros((1,)).context == mx.cpu(1)
    finally:
        mx.test_utils.set_default_context(previous)
    np.random.seed(0)
    x = mx.test_utils.rand_ndarray((3, 4))
    np.random.seed(0)
    y = mx.test_utils.rand_ndarray((3, 4), dtype="float64")
    assert x.shape == (3, 4) and x.dtype == np.float32 and y.dtype == np.float64
    np.testing.assert_allclose(x.asnumpy(), y.asnumpy(), rtol=1e-6)
    with pytest.raises(MXNetError, match="dense"):
        mx.test_utils.rand_ndarray((2, 2), stype="csr")
    assert len(mx.test_utils.rand_shape_nd(4, dim=3)) == 4


# ---- numeric gradients ------------------------------------------------------------------------
def _layer():
    data = mx.sym.Variable("data")
    fc = mx.sym.FullyConnected(data, name="fc", num_hidden=3)
    return mx.sym.Activation(fc, name="act", act_type="tanh")


def _location():
    rng = np.random.default_rng(0)
    return {"data": rng.standard_normal((2, 4)), "fc_weight": rng.standard_normal((3, 4)) * 0.5,
            "fc_bias": rng.standard_normal(3) * 0.1}


def test_check_numeric_gradient_passes():
    np.random.seed(0)
    mx.test_utils.check_numeric_gradient(_layer(), _location())
    location = _location()
    mx.test_utils.check_numeric_gradient(
        _layer(), [location["data"], location["fc_weight"], location["fc_bias"]],
        grad_nodes={"data": "write", "fc_weight": "add", "fc_bias": "null"}, dtype=np.float64,
        numeric_eps=1e-4, rtol=1e-4)


def test_check_numeric_gradient_catches_a_wrong_backward(monkeypatch):
    real_backward = Executor.backward

    def doubled(self, out_grads=None, is_train=True):
        real_backward(self, out_grads, is_train)
        for grad in self.grad_arrays:
            if grad is not None:
                grad[:] = grad.asnumpy() * 2

    monkeypatch.setattr(Executor, "backward", doubled)
    with pytest.raises(AssertionError, match="NUMERICAL_"):
        mx.test_utils.check_numeric_gradient(_layer(), _location())


def test_check_numeric_gradient_bad_input():
    with pytest.raises(ValueError, match="do not match"):
        mx.test_utils.check_numeric_gradient(_layer(), {"data": np.ones((2, 4))})
    with pytest.raises(ValueError, match="not arguments"):
        mx.test_utils.check_numeric_gradient(_layer(), _location(), grad_nodes=["nope"])
    with pytest.raises(ValueError, match="too small"):
        mx.test_utils.check_numeric_gradient(_layer(), _location(), numeric_eps=1e-7)

"""``mx.test_utils``: downloading data, the bundled data sets, and tools for checking numerics.

* ``download(url)`` fetches a file as MXNet's does. For the UCI data sets that ship inside
  teachmod (see ``teachmod/data/README.md``) it falls back to the bundled copy, after checking
  its sha256, when the network is unavailable -- so the Module tutorial runs offline.
* ``get_letters()`` and ``get_digits()`` return the bundled data sets as numpy arrays.
* ``assert_almost_equal`` compares arrays with per-dtype tolerances, and
  ``check_numeric_gradient`` compares a symbol's backward pass with finite differences.
"""
from __future__ import annotations

import gzip
import hashlib
import importlib.resources
import io
import logging
import numbers
import os
import secrets
import struct
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

import numpy as np
import numpy.testing as npt

from . import ndarray as nd
from .base import MXNetError
from .context import Context, current_context
from .ndarray.ndarray import NDArray
from .ndarray.utils import new_file_mode

__all__ = [
    "download", "offline_mode", "bundled_dataset", "get_letters", "get_digits", "get_mnist",
    "default_context", "set_default_context", "default_dtype", "random_arrays", "rand_ndarray",
    "rand_shape_2d", "rand_shape_3d", "rand_shape_nd", "same", "almost_equal",
    "assert_almost_equal", "assert_allclose", "assert_exception", "numeric_grad",
    "check_numeric_gradient",
]

# ================================================================================================
# Bundled data sets
# ================================================================================================
# File name in teachmod/data -> sha256 of its bytes (the same bytes UCI serves).
BUNDLED = {
    "letter-recognition.data": "2b89f3602cf768d3c8355267d2f13f2417809e101fc2b5ceee10db19a60de6e2",
    "optdigits.tes": "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8",
}
# URL path on the UCI server -> bundled file.
_UCI_HOSTS = ("archive.ics.uci.edu", "www.archive.ics.uci.edu")
_UCI_PATHS = {
    "/ml/machine-learning-databases/letter-recognition/letter-recognition.data":
        "letter-recognition.data",
    "/ml/machine-learning-databases/optdigits/optdigits.tes": "optdigits.tes",
}


def bundled_name(url: str) -> str | None:
    """The bundled file that holds the same bytes as ``url``, or None.

    http and https, with or without ``www.``, are treated alike.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or (parts.hostname or "") not in _UCI_HOSTS:
        return None
    path = "/" + "/".join(p for p in parts.path.split("/") if p)  # ignore doubled slashes
    return _UCI_PATHS.get(path)


def _read_bundled(name: str) -> bytes:
    """The raw bytes of ``teachmod/data/<name>`` (works from a wheel or a source tree)."""
    return importlib.resources.files("teachmod").joinpath("data").joinpath(name).read_bytes()


def bundled_dataset(name: str) -> bytes:
    """The bytes of a bundled data file, after checking them against the pinned sha256.

    Parameters
    ----------
    name : str
        ``'letter-recognition.data'`` or ``'optdigits.tes'``.
    """
    if name not in BUNDLED:
        raise ValueError(f"bundled_dataset: no bundled file {name!r}; there are {sorted(BUNDLED)}")
    try:
        payload = _read_bundled(name)
    except FileNotFoundError:
        raise MXNetError(f"the bundled data file teachmod/data/{name} is missing from this "
                         f"installation of teachmod; reinstall it") from None
    actual = hashlib.sha256(payload).hexdigest()
    if actual != BUNDLED[name]:
        raise MXNetError(f"the bundled data file teachmod/data/{name} is damaged: its sha256 is "
                         f"{actual}, expected {BUNDLED[name]}; reinstall teachmod")
    return payload


def get_letters() -> tuple[np.ndarray, np.ndarray]:
    """The UCI Letter Recognition data set (bundled; CC BY 4.0, Frey & Slate 1991).

    Returns
    -------
    data : np.ndarray, float32, shape (20000, 16)
        16 integer features in 0..15 per row.
    label : np.ndarray, int32, shape (20000,)
        The letter as 0..25 (``ord(letter) - ord('A')``), as the Module tutorial computes it.
    """
    lines = bundled_dataset("letter-recognition.data").decode("ascii").splitlines()
    label = np.array([ord(line[0]) - ord("A") for line in lines], dtype=np.int32)
    data = np.array([line.split(",")[1:] for line in lines], dtype=np.float32)
    return data, label


def get_digits() -> tuple[np.ndarray, np.ndarray]:
    """The UCI optical handwritten digits test set (bundled; CC BY 4.0, Alpaydin & Kaynak 1998).

    Returns
    -------
    data : np.ndarray, float32, shape (1797, 1, 8, 8)
        8x8 grey images scaled to 0..1 (the pixels are counts 0..16), in NCHW layout.
    label : np.ndarray, int32, shape (1797,)
        The digit 0..9.
    """
    text = bundled_dataset("optdigits.tes").decode("ascii")
    table = np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.int32)
    data = (table[:, :64].astype(np.float32) / 16).reshape(-1, 1, 8, 8)
    return data, table[:, 64].copy()


# ================================================================================================
# download
# ================================================================================================
_TIMEOUT = (10, 60)            # (connect, read) seconds for ordinary downloads
_TIMEOUT_BUNDLED = (3.05, 10)  # short: a bundled copy is waiting if the network is slow


class _DownloadError(MXNetError):
    """A download that reached the server but failed (bad status, wrong checksum)."""


def offline_mode() -> bool:
    """True when ``download`` should serve bundled files without trying the network.

    ``TEACHMOD_OFFLINE=1`` (or true/yes/on) turns it on and ``TEACHMOD_OFFLINE=0`` off;
    otherwise it is on when the ``CI`` environment variable is set, as on most CI services.
    """
    value = os.environ.get("TEACHMOD_OFFLINE", "").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    return bool(os.environ.get("CI"))


def _import_requests() -> Any:
    import requests  # imported here, so `import teachmod` never needs it

    return requests


def _stream_to_file(fname: str, chunks: Iterable[bytes], expected_sha256: str | None) -> None:
    """Write ``chunks`` to a temporary file beside ``fname`` and rename it into place, so an
    interrupted download never leaves a partial file (which a later call would skip)."""
    directory = os.path.dirname(os.path.abspath(fname))
    tmp_name = os.path.join(directory, f".tmp-download-{os.getpid()}-{secrets.token_hex(4)}")
    handle = os.open(tmp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o600)
    os.chmod(tmp_name, new_file_mode())  # like an ordinary new file
    digest = hashlib.sha256()
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                if chunk:  # skip keep-alive chunks
                    out.write(chunk)
                    digest.update(chunk)
        if expected_sha256 is not None and digest.hexdigest() != expected_sha256:
            raise _DownloadError(f"the downloaded bytes have sha256 {digest.hexdigest()}, "
                                 f"expected {expected_sha256}")
        os.replace(tmp_name, fname)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def _fetch(url: str, fname: str, retries: int, timeout: tuple[float, float],
           expected_sha256: str | None = None) -> None:
    """Download ``url`` into ``fname`` with up to ``retries`` extra attempts."""
    requests = _import_requests()
    attempts = retries + 1
    for attempt in range(1, attempts + 1):
        try:
            with requests.get(url, stream=True, timeout=timeout) as response:
                if response.status_code != 200:
                    raise _DownloadError(f"the server answered HTTP {response.status_code}")
                _stream_to_file(fname, response.iter_content(chunk_size=1 << 16),
                                expected_sha256)
            return
        except (requests.RequestException, _DownloadError) as err:
            if attempt == attempts:
                hint = ""
                if isinstance(err, (requests.ConnectionError, requests.Timeout)):
                    hint = (f". The network connection failed or timed out (offline?): check "
                            f"it, or download the file by hand and save it as {fname!r}")
                raise MXNetError(f"download: could not download {url} "
                                 f"({attempts} attempt{'s' if attempts > 1 else ''}): "
                                 f"{type(err).__name__}: {err}{hint}") from err
            left = attempts - attempt
            logging.warning("download of %s failed (%s), retrying, %d attempt%s left",
                            url, type(err).__name__, left, "s" if left > 1 else "")


def _use_bundled(name: str, url: str, fname: str, reason: str) -> None:
    _stream_to_file(fname, [bundled_dataset(name)], None)
    logging.info("%s: used the copy of %s bundled with teachmod (sha256 verified) because %s",
                 fname, url, reason)


def download(url: str, fname: str | None = None, dirname: str | None = None,
             overwrite: bool = False, retries: int = 5) -> str:
    """Download a file, as ``mxnet.test_utils.download`` does.

    For the UCI data sets teachmod ships (the letter-recognition and optdigits test files,
    http or https), the bundled copy is written instead, after its sha256 is checked, when the
    download fails, when ``TEACHMOD_OFFLINE=1`` is set, or when running on CI. In that case one
    short attempt (3 s to connect) is made, and a downloaded file must match the checksum too.

    Parameters
    ----------
    url : str
        The address to download.
    fname : str, optional
        The file to write; by default the last part of the URL's path.
    dirname : str, optional
        Directory to put ``fname`` in (created if needed).
    overwrite : bool, default False
        Download even if the file exists; otherwise an existing file is kept.
    retries : int, default 5
        Extra attempts after a failure.

    Returns
    -------
    str
        The path of the file.

    Examples
    --------
    >>> fname = mx.test_utils.download('http://archive.ics.uci.edu/ml/machine-learning-'
    ...                                'databases/letter-recognition/letter-recognition.data')
    """
    if retries < 0:
        raise ValueError(f"download: retries must be >= 0, got {retries}")
    if fname is None:
        fname = url.split("/")[-1]
    if dirname is None:
        dirname = os.path.dirname(fname)
    else:
        fname = os.path.join(dirname, fname)
    if dirname and not os.path.isdir(dirname):
        logging.info("create directory %s", dirname)
        os.makedirs(dirname, exist_ok=True)
    if not overwrite and os.path.exists(fname):
        logging.info("%s exists, skipping download", fname)
        return fname

    name = bundled_name(url)
    if name is None:
        try:
            _import_requests()
        except ImportError:
            raise MXNetError(f"download: the 'requests' package is needed to download {url} "
                             f"(pip install requests)") from None
        _fetch(url, fname, retries, _TIMEOUT)
    elif offline_mode():
        why = "TEACHMOD_OFFLINE is set" if os.environ.get("TEACHMOD_OFFLINE") else "CI is set"
        _use_bundled(name, url, fname, why)
        return fname
    else:
        try:
            _fetch(url, fname, 0, _TIMEOUT_BUNDLED, expected_sha256=BUNDLED[name])
        except (ImportError, MXNetError) as err:
            logging.debug("download of %s failed: %s", url, err)
            cause = err.__cause__ if err.__cause__ is not None else err
            _use_bundled(name, url, fname, f"the download failed ({type(cause).__name__})")
            return fname
    logging.info("downloaded %s into %s successfully", url, fname)
    return fname


def get_mnist() -> dict[str, np.ndarray]:
    """Download MNIST from data.mxnet.io (needs the network; not bundled).

    Returns
    -------
    dict
        ``train_data`` (60000, 1, 28, 28) float32 in 0..1, ``train_label`` (60000,) int8, and
        ``test_data``, ``test_label`` likewise with 10000 images.
    """
    def read(label_url: str, image_url: str) -> tuple[np.ndarray, np.ndarray]:
        with gzip.open(download(label_url)) as labels_file:
            struct.unpack(">II", labels_file.read(8))
            label = np.frombuffer(labels_file.read(), dtype=np.int8)
        with gzip.open(download(image_url)) as images_file:
            _, _, rows, cols = struct.unpack(">IIII", images_file.read(16))
            image = np.frombuffer(images_file.read(), dtype=np.uint8)
        image = image.reshape(len(label), 1, rows, cols).astype(np.float32) / 255
        return label, image

    path = "http://data.mxnet.io/data/mnist/"
    train_label, train_data = read(path + "train-labels-idx1-ubyte.gz",
                                   path + "train-images-idx3-ubyte.gz")
    test_label, test_data = read(path + "t10k-labels-idx1-ubyte.gz",
                                 path + "t10k-images-idx3-ubyte.gz")
    return {"train_data": train_data, "train_label": train_label,
            "test_data": test_data, "test_label": test_label}


# ================================================================================================
# Contexts and random inputs
# ================================================================================================
def default_context() -> Context:
    """The context tests run on: the current default context, ``cpu(0)`` unless changed."""
    return current_context()


def set_default_context(ctx: Context) -> None:
    """Make ``ctx`` the default context for new arrays (and for ``default_context``)."""
    Context._default.value = ctx


def default_dtype() -> type:
    """The dtype of test data: float32."""
    return np.float32


def random_arrays(*shapes: tuple[int, ...]) -> np.ndarray | list[np.ndarray]:
    """Standard normal float32 numpy arrays of the given shapes (one array for one shape)."""
    arrays = [np.array(np.random.randn(*shape), dtype=default_dtype()) for shape in shapes]
    return arrays[0] if len(arrays) == 1 else arrays


def rand_ndarray(shape: tuple[int, ...], stype: str = "default", density: float | None = None,
                 dtype: Any = None, modifier_func: Callable | None = None,
                 shuffle_csr_indices: bool = False, distribution: str | None = None,
                 ctx: Context | None = None) -> NDArray:
    """A standard normal NDArray (float32 unless ``dtype`` is given), drawn with numpy's
    global generator so ``np.random.seed`` makes it repeatable.

    Parameters
    ----------
    shape : tuple of int
        The shape.
    stype : str, default 'default'
        Storage type; teachmod has dense arrays only.
    dtype : dtype, optional
        The dtype.
    ctx : Context, optional
        Defaults to ``default_context()``.
    """
    if stype != "default":
        raise MXNetError(f"rand_ndarray: teachmod has dense arrays only, got stype={stype!r}")
    values = np.array(np.random.randn(*shape), dtype=default_dtype())
    return nd.array(values, ctx=ctx or default_context(), dtype=dtype)


def rand_shape_2d(dim0: int = 10, dim1: int = 10, allow_zero_size: bool = False) -> tuple:
    """A random 2-D shape with sides up to ``dim0`` and ``dim1``."""
    low = 0 if allow_zero_size else 1
    return np.random.randint(low, dim0 + 1), np.random.randint(low, dim1 + 1)


def rand_shape_3d(dim0: int = 10, dim1: int = 10, dim2: int = 10,
                  allow_zero_size: bool = False) -> tuple:
    """A random 3-D shape with sides up to ``dim0``, ``dim1`` and ``dim2``."""
    low = 0 if allow_zero_size else 1
    return tuple(np.random.randint(low, d + 1) for d in (dim0, dim1, dim2))


def rand_shape_nd(num_dim: int, dim: int = 10, allow_zero_size: bool = False) -> tuple:
    """A random shape with ``num_dim`` sides of up to ``dim``."""
    low = 0 if allow_zero_size else 1
    return tuple(int(d) for d in np.random.randint(low, dim + 1, size=num_dim))


# ================================================================================================
# Comparing arrays
# ================================================================================================
# Tolerances by dtype when none is given (MXNet 1.9's defaults).
_RTOLS = {np.dtype(np.float16): 1e-2, np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-5}
_ATOLS = {np.dtype(np.float16): 1e-1, np.dtype(np.float32): 1e-3, np.dtype(np.float64): 1e-20}


def _as_numpy(value: Any) -> np.ndarray:
    return value.asnumpy() if isinstance(value, NDArray) else np.asarray(value)


def _tolerance(array: np.ndarray, tol: Any, table: dict) -> float:
    """``tol`` if it is a number, else the entry for the array's dtype (tol may be a dict)."""
    if isinstance(tol, numbers.Number):
        return float(tol)
    return (tol or {}).get(array.dtype, table.get(array.dtype, 0.0))


def _tolerances(a: np.ndarray, b: np.ndarray, rtol: Any, atol: Any) -> tuple[float, float]:
    """The looser of the two arrays' tolerances."""
    return (max(_tolerance(a, rtol, _RTOLS), _tolerance(b, rtol, _RTOLS)),
            max(_tolerance(a, atol, _ATOLS), _tolerance(b, atol, _ATOLS)))


def same(a: Any, b: Any) -> bool:
    """True when two arrays have the same shape and exactly the same values."""
    return bool(np.array_equal(_as_numpy(a), _as_numpy(b)))


def almost_equal(a: Any, b: Any, rtol: Any = None, atol: Any = None,
                 equal_nan: bool = False) -> bool:
    """True when ``|a - b| <= atol + rtol * |b|`` everywhere (dtype defaults when None)."""
    a, b = _as_numpy(a), _as_numpy(b)
    rtol, atol = _tolerances(a, b, rtol, atol)
    return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def assert_almost_equal(a: Any, b: Any, rtol: Any = None, atol: Any = None,
                        names: tuple[str, str] = ("a", "b"), equal_nan: bool = False,
                        use_broadcast: bool = True, mismatches: tuple[int, int] = (10, 10)) -> None:
    """Raise AssertionError unless ``|a - b| <= atol + rtol * |b|`` everywhere.

    Parameters
    ----------
    a, b : np.ndarray or NDArray
        The arrays to compare.
    rtol, atol : float or dict of dtype to float, optional
        Relative and absolute tolerances; by default per dtype (float32: 1e-4 and 1e-3).
    names : tuple of str
        Names of ``a`` and ``b`` in the message.
    equal_nan : bool, default False
        Count NaN == NaN as equal.
    use_broadcast : bool, default True
        Allow different shapes that broadcast; with False the shapes must match.
    mismatches : tuple of int
        Accepted for compatibility.
    """
    a, b = _as_numpy(a), _as_numpy(b)
    if not use_broadcast and a.shape != b.shape:
        raise AssertionError(f"{names[0]}.shape = {a.shape} and {names[1]}.shape = {b.shape} "
                             f"are not equal")
    rtol, atol = _tolerances(a, b, rtol, atol)
    if a.dtype == np.bool_ and b.dtype == np.bool_:
        npt.assert_equal(a, b)
        return
    if np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan):
        return
    wide_a, wide_b = np.broadcast_arrays(a.astype(np.float64), b.astype(np.float64))
    close = np.isclose(wide_a, wide_b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    # how far each element is outside its tolerance; inf == inf counts as no error
    error = np.where(wide_a == wide_b, 0, np.abs(wide_a - wide_b)) / (atol + rtol * np.abs(wide_b)
                                                                      + 1e-20)
    index = np.unravel_index(np.argmax(np.where(close, -1, np.nan_to_num(error, nan=np.inf))),
                             error.shape)
    message = ("Error %f exceeds tolerance rtol=%e, atol=%e (mismatch %f%%).\n"
               "Location of maximum error: %s, %s=%.8f, %s=%.8f"
               % (error[index], rtol, atol, 100.0 * np.count_nonzero(~close) / close.size,
                  tuple(int(i) for i in index), names[0], wide_a[index], names[1],
                  wide_b[index]))
    raise AssertionError(npt.build_err_msg([a, b], err_msg=message, names=names))


def assert_allclose(a: Any, b: Any, rtol: float = 1e-07, atol: float = 0,
                    equal_nan: bool = True) -> None:
    """``assert_almost_equal`` with numpy's default tolerances."""
    assert_almost_equal(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def assert_exception(f: Callable, exception_type: type[BaseException], *args: Any,
                     **kwargs: Any) -> None:
    """Assert that ``f(*args, **kwargs)`` raises ``exception_type``."""
    try:
        f(*args, **kwargs)
    except exception_type:
        return
    raise AssertionError(f"{getattr(f, '__name__', f)} did not raise "
                         f"{exception_type.__name__}")


# ================================================================================================
# Gradient checking
# ================================================================================================
def _by_name(names: list[str], values: Any, what: str) -> dict[str, Any]:
    """Values given as a list in ``names`` order or as a dict, as a dict (all names needed)."""
    if isinstance(values, dict):
        if set(values) != set(names):
            raise ValueError(f"{what}: the names {sorted(values)} do not match the symbol's "
                             f"{sorted(names)}")
        return dict(values)
    values = list(values)
    if len(values) != len(names):
        raise ValueError(f"{what}: {len(values)} values for the symbol's {len(names)} "
                         f"names {names}")
    return dict(zip(names, values))


def numeric_grad(executor: Any, location: dict[str, np.ndarray],
                 aux_states: dict[str, np.ndarray] | None = None, eps: float = 1e-4,
                 use_forward_train: bool = True, dtype: Any = np.float32,
                 out_grads: list[np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Central finite differences of a bound executor.

    The differentiated scalar is ``sum(outputs[0])``, or ``sum_i sum(outputs[i] * out_grads[i])``
    when ``out_grads`` is given. Each element ``x`` of each float input is set to ``x + eps/2``
    and ``x - eps/2`` in turn; the gradient is the difference of the scalars over ``eps``.

    Parameters
    ----------
    executor : Executor
        A bound executor; its arguments are overwritten and restored.
    location : dict of str to np.ndarray
        The point where the gradient is taken.
    aux_states : dict of str to np.ndarray, optional
        Auxiliary states, restored before every forward pass.
    eps : float
        The step.
    use_forward_train : bool, default True
        Run forward in training mode.
    dtype : dtype
        Dtype of the arrays fed to the executor.
    out_grads : list of np.ndarray, optional
        Weights of the outputs in the differentiated scalar.
    """
    def scalar() -> float:
        for key, value in (aux_states or {}).items():
            executor.aux_dict[key][:] = value
        outputs = executor.forward(is_train=use_forward_train)
        if out_grads is None:
            return float(outputs[0].asnumpy().astype(np.float64).sum())
        return float(sum((out.asnumpy().astype(np.float64) * weight).sum()
                         for out, weight in zip(outputs, out_grads)))

    grads = {}
    for name, value in location.items():
        point = np.array(value, dtype=dtype)  # a C-ordered copy we can nudge
        grads[name] = np.zeros(point.shape, dtype=dtype)
        if point.dtype.kind != "f":
            continue
        flat = point.reshape(-1)
        for i in range(flat.size):
            original = flat[i]
            flat[i] = original + eps / 2
            executor.arg_dict[name][:] = point
            f_plus = scalar()
            flat[i] = original - eps / 2
            executor.arg_dict[name][:] = point
            f_minus = scalar()
            grads[name].reshape(-1)[i] = (f_plus - f_minus) / eps
            flat[i] = original
        executor.arg_dict[name][:] = point
    return grads


def check_numeric_gradient(sym: Any, location: Any, aux_states: Any = None,
                           numeric_eps: float = 1e-3, rtol: float = 1e-2,
                           atol: float | None = None, grad_nodes: Any = None,
                           use_forward_train: bool = True, ctx: Context | None = None,
                           grad_stype_dict: dict | None = None, dtype: Any = np.float32) -> None:
    """Check a symbol's backward pass against finite differences; AssertionError if they differ.

    The symbol's outputs are weighted by random projections ``P`` (elements in 0.1..1.1), and the
    gradient of ``sum(output * P)`` from ``backward(out_grads=P)`` is compared with
    ``numeric_grad``. Loss layers such as ``SoftmaxOutput`` ignore ``out_grads`` (their gradient
    is defined by the label), so they cannot be checked this way -- as in MXNet.

    Parameters
    ----------
    sym : Symbol
        The network to check.
    location : list or dict of np.ndarray
        A value for every argument (in ``list_arguments()`` order, or by name).
    aux_states : list or dict of np.ndarray, optional
        Values of the auxiliary states.
    numeric_eps : float, default 1e-3
        Finite-difference step.
    rtol : float, default 1e-2
        Relative tolerance.
    atol : float, optional
        Absolute tolerance (default by dtype: 1e-3 for float32).
    grad_nodes : list of str or dict of str to str, optional
        Arguments to check (default all), or a dict name -> grad_req ('write', 'add', 'null').
    use_forward_train : bool, default True
        Run forward in training mode.
    ctx : Context, optional
        Defaults to ``default_context()``.
    grad_stype_dict : dict, optional
        Accepted for compatibility (teachmod has dense gradients only).
    dtype : np.float16, np.float32 or np.float64, default np.float32
        Dtype of the arrays.
    """
    dtype = np.dtype(dtype)
    if dtype not in _RTOLS:
        raise ValueError(f"check_numeric_gradient: dtype must be float16, float32 or float64, "
                         f"got {dtype}")
    if dtype != np.float64 and numeric_eps < 1e-5:
        raise ValueError(f"check_numeric_gradient: numeric_eps={numeric_eps} is too small for "
                         f"{dtype} (use >= 1e-5, or dtype=np.float64)")
    ctx = ctx or default_context()
    arg_names = sym.list_arguments()
    location_npy = {k: np.array(_as_numpy(v), dtype=dtype)
                    for k, v in _by_name(arg_names, location, "location").items()}
    aux_npy = None
    if aux_states is not None:
        aux_npy = {k: np.array(_as_numpy(v), dtype=dtype) for k, v in
                   _by_name(sym.list_auxiliary_states(), aux_states, "aux_states").items()}

    if grad_nodes is None:
        grad_req = {k: "write" for k in arg_names}
    elif isinstance(grad_nodes, dict):
        grad_req = dict(grad_nodes)
    else:
        grad_req = {k: "write" for k in grad_nodes}
    unknown = sorted(set(grad_req) - set(arg_names))
    if unknown:
        raise ValueError(f"check_numeric_gradient: grad_nodes {unknown} are not arguments of "
                         f"the symbol: {arg_names}")

    _, out_shapes, _ = sym.infer_shape(**{k: v.shape for k, v in location_npy.items()})
    projections = [(np.random.rand(*shape) + 0.1).astype(dtype) for shape in out_shapes]
    initial_grads = {k: np.random.normal(0, 0.01, size=location_npy[k].shape).astype(dtype)
                     for k in grad_req}

    executor = sym.bind(
        ctx,
        args={k: nd.array(v, ctx=ctx, dtype=dtype) for k, v in location_npy.items()},
        args_grad={k: nd.array(v, ctx=ctx, dtype=dtype) for k, v in initial_grads.items()},
        grad_req=grad_req,
        aux_states=None if aux_npy is None else {k: nd.array(v, ctx=ctx, dtype=dtype)
                                                 for k, v in aux_npy.items()},
    )
    executor.forward(is_train=True)
    executor.backward([nd.array(p, ctx=ctx, dtype=dtype) for p in projections])
    symbolic = {k: executor.grad_dict[k].asnumpy() for k in grad_req}
    numeric = numeric_grad(executor, location_npy, aux_npy, eps=numeric_eps,
                           use_forward_train=use_forward_train, dtype=dtype,
                           out_grads=projections)

    for name, req in grad_req.items():
        labels = ("NUMERICAL_%s" % name, "BACKWARD_%s" % name)
        if req == "write":
            assert_almost_equal(numeric[name], symbolic[name], rtol, atol, labels)
        elif req == "add":
            assert_almost_equal(numeric[name], symbolic[name] - initial_grads[name], rtol, atol,
                                labels)
        elif req == "null":
            assert_almost_equal(initial_grads[name], symbolic[name], rtol, atol, labels)
        else:
            raise ValueError(f"check_numeric_gradient: invalid grad_req {req!r} for {name!r}")

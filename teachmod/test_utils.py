"""``mx.test_utils``: downloading data, the bundled data sets, and tools for checking numerics.

* ``download(url)`` fetches a file as MXNet's does. For the UCI data sets that ship inside
  teachmod (see ``teachmod/data/README.md``) it falls back to the bundled copy, after checking
  its sha256, when the network is unavailable -- so the Module tutorial runs offline.
* ``get_letters()`` and ``get_digits()`` return the bundled data sets as numpy arrays.
* ``assert_almost_equal`` compares arrays with per-dtype tolerances, and
  ``check_numeric_gradient`` compares a symbol's backward pass with finite differences.
"""
from __future__ import annotations

# MXNet's test files do `from mxnet.test_utils import *` and then use the modules this file
# imports (sys, os, np, rnd, mx ...), so the same names are imported here and exported.
import bz2  # noqa: F401
import errno  # noqa: F401
import gzip  # noqa: F401
import hashlib
import importlib.resources
import importlib.util
import io
import json
import logging
import numbers
import os
import platform
import secrets
import struct  # noqa: F401
import sys
import time  # noqa: F401
import traceback
import zipfile  # noqa: F401
from collections import OrderedDict  # noqa: F401
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import urlsplit

import numpy as np
import numpy.random as rnd  # noqa: F401
import numpy.testing as npt

import teachmod as mx

from . import ndarray as nd
from .base import MXNetError
from .context import Context, current_context
from .ndarray import array  # noqa: F401
from .ndarray.ndarray import NDArray
from .ndarray.utils import new_file_mode
from .runtime import Features
from .symbol import Symbol
from .util import getenv, setenv, use_np  # noqa: F401

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


from .io.datasets import get_cifar10, get_mnist, get_mnist_iterator, get_mnist_ubyte  # noqa: E402, F401


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


def list_gpus() -> list[int]:
    """The GPUs tests may use: none, teachmod computes on the CPU."""
    return []


def random_arrays(*shapes: tuple[int, ...]) -> np.ndarray | list[np.ndarray]:
    """Standard normal float32 numpy arrays of the given shapes (one array for one shape)."""
    arrays = [np.array(np.random.randn(*shape), dtype=default_dtype()) for shape in shapes]
    return arrays[0] if len(arrays) == 1 else arrays


def random_uniform_arrays(*shapes: tuple[int, ...], low: float = 0.0, high: float = 1.0,
                          dtype: Any = None) -> list[np.ndarray]:
    """Uniform numpy arrays in ``[low, high)`` of the given shapes (always a list)."""
    dtype = default_dtype() if dtype is None else dtype
    return [np.random.uniform(low, high, size=shape).astype(dtype) for shape in shapes]


def random_sample(population: list, k: int) -> list:
    """``k`` elements of ``population`` in random order (numpy's global generator)."""
    if not 0 <= k <= len(population):
        raise ValueError(f"random_sample: k must be in 0..{len(population)}, got {k}")
    shuffled = list(population)
    np.random.shuffle(shuffled)
    return shuffled[:k]


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
    return nd.array(random_arrays(shape), ctx=ctx or default_context(), dtype=dtype)


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


def rand_coord_2d(x_low: int, x_high: int, y_low: int, y_high: int) -> tuple[int, int]:
    """A random integer point with ``x_low <= x < x_high`` and ``y_low <= y < y_high``."""
    return (np.random.randint(x_low, x_high, dtype=np.int64),
            np.random.randint(y_low, y_high, dtype=np.int64))


def create_vector(size: int, dtype: Any = np.int64) -> NDArray:
    """``arange(size)`` as an NDArray."""
    return nd.arange(0, size, dtype=dtype)


def create_2d_tensor(rows: int, columns: int, dtype: Any = np.int64) -> NDArray:
    """A (rows, columns) NDArray whose row ``i`` is filled with ``i``."""
    return nd.array(np.repeat(np.arange(rows)[:, None], columns, axis=1), dtype=dtype)


def get_identity_mat(size: int) -> NDArray:
    """The (size, size) identity matrix as an NDArray."""
    return nd.array(np.eye(size))


def get_identity_mat_batch(size: int) -> NDArray:
    """A batch of two (size, size) identity matrices."""
    return nd.array(np.stack([np.eye(size)] * 2))


def new_orthonormal_matrix_2d(n: int) -> np.ndarray:
    """A random n x n orthonormal matrix (the Q of a QR decomposition)."""
    return np.linalg.qr(np.random.uniform(-1.0, 1.0, (n, n)))[0]


def new_matrix_with_real_eigvals_2d(n: int) -> np.ndarray:
    """A random n x n matrix ``Q D Q^-1`` with real eigenvalues ``D`` well apart."""
    q = new_orthonormal_matrix_2d(n)
    eigenvalues = np.sort(np.random.uniform(-2.0, 2.0, n)) + np.arange(n)
    return q @ np.diag(eigenvalues) @ np.linalg.inv(q)


def new_sym_matrix_with_real_eigvals_2d(n: int) -> np.ndarray:
    """A random symmetric n x n matrix ``Q D Q^T``."""
    q = new_orthonormal_matrix_2d(n)
    return q @ np.diag(np.random.uniform(-1.0, 1.0, n)) @ q.T


def _matrices_nd(shape: tuple[int, ...], make: Callable[[int], np.ndarray]) -> np.ndarray:
    return np.stack([make(shape[-1]) for _ in range(int(np.prod(shape[:-2])))]).reshape(shape)


def new_matrix_with_real_eigvals_nd(shape: tuple[int, ...]) -> np.ndarray:
    """A batch of matrices with real eigenvalues (the last two axes are the matrices)."""
    return _matrices_nd(shape, new_matrix_with_real_eigvals_2d)


def new_sym_matrix_with_real_eigvals_nd(shape: tuple[int, ...]) -> np.ndarray:
    """A batch of random symmetric matrices (the last two axes are the matrices)."""
    return _matrices_nd(shape, new_sym_matrix_with_real_eigvals_2d)


# ================================================================================================
# numpy helpers
# ================================================================================================
def np_reduce(dat: np.ndarray, axis: Any, keepdims: bool,
              numpy_reduce_func: Callable) -> np.ndarray:
    """Reduce ``dat`` over ``axis`` (an int, a list of ints, or None for all) one axis at a
    time with a numpy function of one axis such as ``np.sum``; ``keepdims`` keeps them as 1."""
    if isinstance(axis, int):
        axes = [axis]
    else:
        axes = list(range(dat.ndim)) if axis is None else list(axis)
    result = dat
    for one_axis in sorted(axes, reverse=True):  # the highest first, so the others stay put
        result = numpy_reduce_func(result, axis=one_axis)
    if keepdims:
        kept = list(dat.shape)
        for one_axis in axes:
            kept[one_axis] = 1
        result = result.reshape(kept)
    return result


def assign_each(the_input: np.ndarray, function: Callable | None) -> np.ndarray:
    """``function`` applied to every element (float64 result); a copy when it is None."""
    if function is None:
        return np.array(the_input)
    flat = [function(v) for v in np.asarray(the_input).reshape(-1)]
    return np.array(flat, dtype=np.float64).reshape(np.shape(the_input))


def assign_each2(input1: np.ndarray, input2: np.ndarray,
                 function: Callable | None) -> np.ndarray:
    """``function(a, b)`` for every pair of elements (float64 result); a copy of ``input1``
    when it is None."""
    if function is None:
        return np.array(input1)
    if np.shape(input1) != np.shape(input2):
        raise ValueError(f"assign_each2: shapes {np.shape(input1)} and {np.shape(input2)} differ")
    flat = [function(a, b) for a, b in zip(np.asarray(input1).reshape(-1),
                                           np.asarray(input2).reshape(-1))]
    return np.array(flat, dtype=np.float64).reshape(np.shape(input1))


def collapse_sum_like(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``a`` over the axes along which ``shape`` was broadcast to it (a broadcast's
    gradient)."""
    if len(a.shape) < len(shape):
        raise ValueError(f"collapse_sum_like: {a.shape} has fewer axes than {shape}")
    if np.prod(shape) == 0 or a.size == 0:
        return np.zeros(shape, dtype=a.dtype)
    extra = len(a.shape) - len(shape)
    axes = list(range(extra)) + [extra + i for i, side in enumerate(shape)
                                 if side != a.shape[extra + i]]
    return np.sum(a, axis=tuple(axes)).reshape(shape)


# ================================================================================================
# Comparing arrays
# ================================================================================================
def default_rtols() -> dict[np.dtype, float]:
    """Relative tolerance by dtype when none is given (MXNet 1.9's; exact for integers)."""
    return {np.dtype(np.float16): 1e-2, np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-5,
            **{np.dtype(t): 0 for t in _EXACT}}


def default_atols() -> dict[np.dtype, float]:
    """Absolute tolerance by dtype when none is given (MXNet 1.9's; exact for integers)."""
    return {np.dtype(np.float16): 1e-1, np.dtype(np.float32): 1e-3, np.dtype(np.float64): 1e-20,
            **{np.dtype(t): 0 for t in _EXACT}}


_EXACT = (np.bool_, np.int8, np.uint8, np.int32, np.uint32, np.int64, np.uint64)


def default_numeric_eps() -> dict[np.dtype, float]:
    """Finite-difference step by dtype: powers of two, so ``x + eps`` drops no bits of eps."""
    return {np.dtype(np.float16): 2.0 ** -6, np.dtype(np.float32): 2.0 ** -9,
            np.dtype(np.float64): 2.0 ** -14}


def effective_dtype(dat: Any) -> np.dtype:
    """The dtype that decides ``dat``'s tolerance: its own (teachmod has no TF32 GPU maths)."""
    return np.dtype(dat.dtype)


def get_tolerance(dat: Any, tol: Any, default_tol: dict) -> float:
    """``tol`` if it is a number, else its entry for ``dat``'s dtype, else ``default_tol``'s."""
    if isinstance(tol, numbers.Number):
        return tol
    dtype = effective_dtype(dat)
    return (tol or {}).get(dtype, default_tol[dtype])


def get_tols(x: Any, y: Any, rtol: Any, atol: Any) -> tuple[float, float]:
    """The (rtol, atol) for comparing ``x`` and ``y``: the looser of the two dtypes' values."""
    x = np.array(x) if isinstance(x, numbers.Number) else x
    y = np.array(y) if isinstance(y, numbers.Number) else y
    return (max(get_tolerance(x, rtol, default_rtols()), get_tolerance(y, rtol, default_rtols())),
            max(get_tolerance(x, atol, default_atols()), get_tolerance(y, atol, default_atols())))


def get_rtol(rtol: float | None = None, dtype: Any = np.float64) -> float:
    """``rtol``, or the default for ``dtype`` (float64's unless given)."""
    return default_rtols()[np.dtype(dtype)] if rtol is None else rtol


def get_atol(atol: float | None = None, dtype: Any = np.float64) -> float:
    """``atol``, or the default for ``dtype`` (float64's unless given)."""
    return default_atols()[np.dtype(dtype)] if atol is None else atol


def get_etol(etol: float | None = None) -> float:
    """``etol`` (the share of elements allowed to differ), 0 by default."""
    return 0 if etol is None else etol


def _as_numpy(value: Any) -> np.ndarray:
    return value.asnumpy() if isinstance(value, NDArray) else np.asarray(value)


def same(a: Any, b: Any) -> bool:
    """True when two arrays have the same shape and exactly the same values."""
    return bool(np.array_equal(_as_numpy(a), _as_numpy(b)))


def same_array(array1: NDArray, array2: NDArray) -> bool:
    """True when two NDArrays share memory: a change through one shows through the other."""
    array1[:] += 1
    shared = same(array1.asnumpy(), array2.asnumpy())
    array1[:] -= 1
    return shared and same(array1.asnumpy(), array2.asnumpy())


def checkShapes(a: Any, b: Any) -> None:  # noqa: N802 - MXNet's name
    """Raise AssertionError unless ``a`` and ``b`` have the same shape."""
    if a.shape != b.shape:
        raise AssertionError(npt.build_err_msg(
            [a, b], err_msg=f"a.shape = {a.shape} and b.shape = {b.shape} are not equal"))


def almost_equal(a: Any, b: Any, rtol: float | None = None, atol: float | None = None,
                 equal_nan: bool = False, use_broadcast: bool = True) -> bool:
    """True when ``|a - b| <= atol + rtol * |b|`` everywhere.

    Unlike ``assert_almost_equal``, the defaults do not depend on the dtype: they are float64's
    (rtol 1e-5, atol 1e-20), as in MXNet.
    """
    a, b = _as_numpy(a), _as_numpy(b)
    if not use_broadcast:
        checkShapes(a, b)
    return bool(np.allclose(a, b, rtol=get_rtol(rtol), atol=get_atol(atol), equal_nan=equal_nan))


def locationError(a: np.ndarray, b: np.ndarray, index: tuple, names: tuple[str, str],  # noqa: N802
                  maxError: bool = False) -> str:  # noqa: N803
    """The message part naming where ``a`` and ``b`` differ."""
    maximum = "maximum " if maxError else ""
    return (f"Location of {maximum}error: {index}, {names[0]}={a[index]:.8f}, "
            f"{names[1]}={b[index]:.8f}")


def _find_max_violation(a: np.ndarray, b: np.ndarray, rtol: float,
                        atol: float) -> tuple[tuple, float]:
    """Where ``|a - b|`` is furthest outside its tolerance, and by what factor."""
    absdiff = np.where(np.equal(a, b), 0, np.abs(a - b))  # inf == inf is no error, as allclose
    violation = absdiff / (atol + rtol * np.abs(b) + 1e-20)
    index = np.unravel_index(np.argmax(violation), violation.shape)
    return tuple(int(i) for i in index), float(np.max(violation))


def _mismatch_message(a: np.ndarray, b: np.ndarray, rtol: float, atol: float,
                      names: tuple[str, str], equal_nan: bool,
                      mismatches: tuple[int, int]) -> str:
    """MXNet's report: the worst elements one by one (up to ``mismatches[0]`` printed,
    ``mismatches[1]`` counted), then a summary naming the worst."""
    a, b = np.broadcast_arrays(a, b)
    index, error = _find_max_violation(a, b, rtol, atol)
    worst_index, worst_error = index, error
    print(f"\n*** Maximum errors for vector of size {a.size}:  rtol={rtol}, atol={atol}\n")
    a_left, b_left = a.astype(np.float64), b.astype(np.float64)
    count = 1
    while count <= a.size:
        if count <= mismatches[0]:
            print("%3d: Error %f  %s" % (count, error, locationError(a, b, index, names)))
        a_left[index] = b_left[index] = 0
        if np.allclose(a_left, b_left, rtol=rtol, atol=atol, equal_nan=equal_nan):
            break
        count += 1
        if 0 < mismatches[1] < count:
            break
        index, error = _find_max_violation(a_left, b_left, rtol, atol)
    at_least = "at least " if 0 < mismatches[1] < count else ""
    return ("Error %f exceeds tolerance rtol=%e, atol=%e (mismatch %s%f%%).\n%s"
            % (worst_error, rtol, atol, at_least, 100 * count / a.size,
               locationError(a, b, worst_index, names, maxError=True)))


def assert_almost_equal(a: Any, b: Any, rtol: Any = None, atol: Any = None,
                        names: tuple[str, str] = ("a", "b"), equal_nan: bool = False,
                        use_broadcast: bool = True, mismatches: tuple[int, int] = (10, 10)) -> None:
    """Raise AssertionError unless ``|a - b| <= atol + rtol * |b|`` everywhere.

    Parameters
    ----------
    a, b : np.ndarray or NDArray
        The arrays to compare.
    rtol, atol : float or dict of dtype to float, optional
        Relative and absolute tolerances; by default the looser of the two dtypes' defaults
        (float16: 1e-2 and 1e-1, float32: 1e-4 and 1e-3, float64: 1e-5 and 1e-20, integers 0).
    names : tuple of str
        Names of ``a`` and ``b`` in the message.
    equal_nan : bool, default False
        Count NaN == NaN as equal.
    use_broadcast : bool, default True
        Allow different shapes that broadcast; with False the shapes must match.
    mismatches : tuple of int
        How many mismatching elements to print and to count in the message.
    """
    if not use_broadcast:
        checkShapes(a, b)
    rtol, atol = get_tols(a, b, rtol, atol)
    a, b = _as_numpy(a), _as_numpy(b)
    if a.dtype == np.bool_ and b.dtype == np.bool_:
        npt.assert_equal(a, b)
        return
    if np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan):
        return
    if a.size == 0 or b.size == 0:
        message = f"Error: shapes {a.shape} and {b.shape} differ with an empty array"
    else:
        message = _mismatch_message(a, b, rtol, atol, names, equal_nan, mismatches)
    with np.printoptions(threshold=4, suppress=True):
        raise AssertionError(npt.build_err_msg([a, b], err_msg=message, names=names))


def assert_allclose(a: Any, b: Any, rtol: float = 1e-07, atol: float = 0,
                    equal_nan: bool = True) -> None:
    """``assert_almost_equal`` with numpy's default tolerances."""
    assert_almost_equal(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def assert_almost_equal_with_err(a: Any, b: Any, rtol: Any = None, atol: Any = None,
                                 etol: float | None = None, names: tuple[str, str] = ("a", "b"),
                                 equal_nan: bool = False,
                                 mismatches: tuple[int, int] = (10, 10)) -> None:
    """``assert_almost_equal`` that lets a share ``etol`` of the elements differ."""
    etol = get_etol(etol)
    if etol <= 0:
        assert_almost_equal(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
        return
    rtol, atol = get_tols(a, b, rtol, atol)
    a, b = _as_numpy(a), _as_numpy(b)
    equal = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if 1 - np.count_nonzero(equal) / equal.size > etol:
        message = _mismatch_message(a, b, rtol, atol, names, equal_nan, mismatches)
        raise AssertionError(npt.build_err_msg([a, b], err_msg=message, names=names))


def assert_almost_equal_ignore_nan(a: Any, b: Any, rtol: Any = None, atol: Any = None,
                                   names: tuple[str, str] = ("a", "b")) -> None:
    """``assert_almost_equal`` after zeroing the places where either array is NaN."""
    a, b = np.copy(_as_numpy(a)), np.copy(_as_numpy(b))
    nan = np.logical_or(np.isnan(a), np.isnan(b))
    a[nan] = 0
    b[nan] = 0
    assert_almost_equal(a, b, rtol, atol, names)


def assert_exception(f: Callable, exception_type: type[BaseException], *args: Any,
                     **kwargs: Any) -> None:
    """Assert that ``f(*args, **kwargs)`` raises ``exception_type``."""
    try:
        f(*args, **kwargs)
    except exception_type:
        return
    raise AssertionError(f"{getattr(f, '__name__', f)} did not raise "
                         f"{exception_type.__name__}")


def compare_ndarray_tuple(t1: Any, t2: Any, rtol: Any = None, atol: Any = None) -> None:
    """``assert_almost_equal`` on two arrays or two (nested) tuples of arrays; None skips."""
    if t1 is None or t2 is None:
        return
    if isinstance(t1, tuple):
        for s1, s2 in zip(t1, t2):
            compare_ndarray_tuple(s1, s2, rtol, atol)
    else:
        assert_almost_equal(t1, t2, rtol=rtol, atol=atol)


def compare_optimizer(opt1: Any, opt2: Any, shape: Any, dtype: Any, w_stype: str = "default",
                      g_stype: str = "default", rtol: float = 1e-4, atol: float = 1e-5,
                      compare_states: bool = True, ntensors: int = 1) -> None:
    """Apply one update of two optimizers to the same random weight and gradient and assert
    the states and the new weights agree (dense arrays, one tensor)."""
    if w_stype != "default" or g_stype != "default" or isinstance(shape, list):
        raise MXNetError("compare_optimizer: teachmod compares dense single tensors only, got "
                         f"w_stype={w_stype!r}, g_stype={g_stype!r}, shape={shape!r}")
    ctx = default_context()
    w2 = nd.random.uniform(shape=shape, ctx=ctx, dtype=dtype)
    w1 = w2.copyto(ctx)
    g2 = nd.random.uniform(shape=shape, ctx=ctx, dtype=dtype)
    g1 = g2.copyto(ctx)
    state1 = opt1.create_state_multi_precision(0, w1)
    state2 = opt2.create_state_multi_precision(0, w2)
    if compare_states:
        compare_ndarray_tuple(state1, state2)
    opt1.update_multi_precision(0, w1, g1, state1)
    opt2.update_multi_precision(0, w2, g2, state2)
    if compare_states:
        compare_ndarray_tuple(state1, state2, rtol=rtol, atol=atol)
    assert_almost_equal(w1, w2, rtol=rtol, atol=atol)


def same_symbol_structure(sym1: Symbol, sym2: Symbol) -> bool:
    """True when the two graphs have the same operator at every node position."""
    nodes1 = json.loads(sym1.tojson())["nodes"]
    nodes2 = json.loads(sym2.tojson())["nodes"]
    return all(n1["op"] == n2["op"] for n1, n2 in zip(nodes1, nodes2))


# ================================================================================================
# Running and checking symbols
# ================================================================================================
def _to_ndarrays(names: list[str], values: Any, ctx: Context, dtype: Any,
                 what: str) -> dict[str, NDArray]:
    """Values given as a list in ``names`` order or as a dict (every name needed), as NDArrays
    of ``dtype`` -- or of their own dtype when ``dtype == 'asnumpy'``; NDArrays are kept."""
    if isinstance(values, dict):
        if set(values) != set(names):
            raise ValueError(f"Symbol {what} and the keys given do not match: the symbol has "
                             f"{sorted(names)}, given {sorted(values)}")
    else:
        values = list(values)
        if len(values) != len(names):
            raise ValueError(f"Symbol {what} and the values given do not match: "
                             f"{len(values)} values for the symbol's {len(names)} {names}")
        values = dict(zip(names, values))
    return {k: v if isinstance(v, NDArray) else
            nd.array(v, ctx=ctx, dtype=np.asarray(v).dtype if _is_asnumpy(dtype) else dtype)
            for k, v in sorted(values.items())}


def _is_asnumpy(dtype: Any) -> bool:
    return isinstance(dtype, str) and dtype == "asnumpy"


def _check_dtype(dtype: Any, what: str, allow_asnumpy: bool = True) -> None:
    if (allow_asnumpy and _is_asnumpy(dtype)) or (
            not isinstance(dtype, str) and dtype in (np.float16, np.float32, np.float64)):
        return
    raise ValueError(f"{what}: dtype must be np.float16, np.float32 or np.float64"
                     f"{' or asnumpy' if allow_asnumpy else ''}, got {dtype!r}")


def simple_forward(sym: Symbol, ctx: Context | None = None, is_train: bool = False,
                   **inputs: np.ndarray) -> np.ndarray | list[np.ndarray]:
    """Bind ``sym`` to the numpy ``inputs`` (by name) and return its output(s) as numpy."""
    ctx = ctx or default_context()
    executor = sym.bind(ctx, args={k: nd.array(v) for k, v in inputs.items()})
    executor.forward(is_train=is_train)
    outputs = [x.asnumpy() for x in executor.outputs]
    return outputs[0] if len(outputs) == 1 else outputs


def check_symbolic_forward(sym: Symbol, location: Any, expected: Any, rtol: Any = None,
                           atol: Any = None, aux_states: Any = None, ctx: Context | None = None,
                           equal_nan: bool = False, dtype: Any = np.float32) -> list[NDArray]:
    """Run ``sym`` forward (inference mode) at ``location`` and compare with ``expected``.

    Parameters
    ----------
    sym : Symbol
        The symbol.
    location : list or dict of np.ndarray
        A value for every argument (in ``list_arguments()`` order, or by name).
    expected : list or dict of np.ndarray
        The expected outputs (in ``list_outputs()`` order, or by name).
    rtol, atol : float, optional
        Tolerances (see ``assert_almost_equal``).
    aux_states : list or dict of np.ndarray, optional
        Values of the auxiliary states.
    ctx : Context, optional
        Defaults to ``default_context()``.
    equal_nan : bool, default False
        Count NaN == NaN as equal.
    dtype : np.float16, np.float32, np.float64 or 'asnumpy'
        Dtype of the arrays fed in; 'asnumpy' keeps each numpy array's own.

    Returns
    -------
    list of NDArray
        The outputs.
    """
    _check_dtype(dtype, "check_symbolic_forward")
    ctx = ctx or default_context()
    args = _to_ndarrays(sym.list_arguments(), location, ctx, dtype, "arguments")
    aux = None if aux_states is None else _to_ndarrays(sym.list_auxiliary_states(), aux_states,
                                                       ctx, dtype, "auxiliary states")
    if isinstance(expected, dict):
        expected = [expected[k] for k in sym.list_outputs()]
    args_grad = {k: nd.zeros(v.shape, ctx=ctx, dtype=v.dtype) for k, v in args.items()}
    executor = sym.bind(ctx=ctx, args=args, args_grad=args_grad, aux_states=aux)
    executor.forward(is_train=False)
    for name, expect, output in zip(sym.list_outputs(), expected, executor.outputs):
        assert_almost_equal(expect, output, rtol, atol, (f"EXPECTED_{name}", f"FORWARD_{name}"),
                            equal_nan=equal_nan)
    return executor.outputs


def _compare_grad(name: str, req: str, expected: Any, grad: Any, before: np.ndarray,
                  rtol: Any, atol: Any, labels: tuple[str, str], equal_nan: bool = False) -> None:
    """Compare a gradient array with what ``grad_req`` says it must hold: the expected value
    ('write'), the old contents plus it ('add'), or the old contents untouched ('null')."""
    if req == "write":
        assert_almost_equal(expected, grad, rtol, atol, labels, equal_nan=equal_nan)
    elif req == "add":
        assert_almost_equal(expected, _as_numpy(grad) - before, rtol, atol, labels,
                            equal_nan=equal_nan)
    elif req == "null":
        assert_almost_equal(before, grad, rtol, atol, labels, equal_nan=equal_nan)
    else:
        raise ValueError(f"invalid grad_req {req!r} for argument {name!r}: "
                         f"expected 'write', 'add' or 'null'")


def check_symbolic_backward(sym: Symbol, location: Any, out_grads: Any, expected: Any,
                            rtol: Any = None, atol: Any = None, aux_states: Any = None,
                            grad_req: Any = "write", ctx: Context | None = None,
                            grad_stypes: dict | None = None, equal_nan: bool = False,
                            dtype: Any = np.float32) -> dict[str, NDArray]:
    """Run ``sym`` forward (training mode) and backward with ``out_grads``; compare the
    gradients with ``expected``.

    The gradient arrays start filled with random normal values, so ``grad_req='add'`` and
    ``'null'`` are checked against what was there before.

    Parameters
    ----------
    sym : Symbol
        The symbol.
    location : list or dict of np.ndarray
        A value for every argument.
    out_grads : list or dict of np.ndarray, or None
        Head gradients, one per output (None for loss layers).
    expected : list or dict of np.ndarray
        Expected gradients, in ``list_arguments()`` order or by name (only those given are
        checked).
    grad_req : str, list or dict
        'write', 'add' or 'null', for all arguments or per argument.
    grad_stypes : dict, optional
        Storage types of the gradients; teachmod has dense ('default') storage only.
    dtype : np.float16, np.float32, np.float64 or 'asnumpy'
        Dtype of the arrays fed in.

    Returns
    -------
    dict of str to NDArray
        The gradient arrays.
    """
    _check_dtype(dtype, "check_symbolic_backward")
    if any(s not in (None, "default") for s in (grad_stypes or {}).values()):
        raise MXNetError(f"check_symbolic_backward: teachmod has dense gradients only, got "
                         f"grad_stypes={grad_stypes}")
    ctx = ctx or default_context()
    arg_names = sym.list_arguments()
    args = _to_ndarrays(arg_names, location, ctx, dtype, "arguments")
    aux = None if aux_states is None else _to_ndarrays(sym.list_auxiliary_states(), aux_states,
                                                       ctx, dtype, "auxiliary states")
    if isinstance(expected, (list, tuple)):
        expected = dict(zip(arg_names, expected))
    # dirty the gradient buffers, in a fixed order so a seed reproduces them
    before = {k: np.random.normal(size=np.shape(v)) for k, v in sorted(expected.items())}
    args_grad = {k: nd.array(v, ctx=ctx, dtype=np.asarray(expected[k]).dtype
                             if _is_asnumpy(dtype) else dtype) for k, v in before.items()}
    before = {k: v.asnumpy() for k, v in args_grad.items()}
    if isinstance(grad_req, str):
        grad_req = {k: grad_req for k in arg_names}
    elif isinstance(grad_req, (list, tuple)):
        grad_req = dict(zip(arg_names, grad_req))
    executor = sym.bind(ctx=ctx, args=args, args_grad=args_grad, aux_states=aux,
                        grad_req=grad_req)
    executor.forward(is_train=True)
    if isinstance(out_grads, (list, tuple)):
        out_grads = [_head_grad(g, ctx, dtype) for g in out_grads]
    elif isinstance(out_grads, dict):
        out_grads = {k: _head_grad(g, ctx, dtype) for k, g in out_grads.items()}
    elif out_grads is not None:
        raise TypeError(f"check_symbolic_backward: out_grads must be a list, a dict or None, "
                        f"got {type(out_grads).__name__}")
    executor.backward(out_grads)
    for name in expected:
        _compare_grad(name, grad_req[name], expected[name], args_grad[name], before[name],
                      rtol, atol, (f"EXPECTED_{name}", f"BACKWARD_{name}"), equal_nan)
    return args_grad


def _head_grad(value: Any, ctx: Context, dtype: Any) -> Any:
    if not isinstance(value, np.ndarray):
        return value
    return nd.array(value, ctx=ctx, dtype=value.dtype if _is_asnumpy(dtype) else dtype)


def numeric_grad(executor: Any, location: dict[str, np.ndarray],
                 aux_states: dict[str, np.ndarray] | None = None, eps: float = 1e-4,
                 use_forward_train: bool = True, dtype: Any = np.float32,
                 out_grads: list[np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Central finite differences of a bound executor.

    The differentiated scalar is ``sum(outputs[0])``, or ``sum_i sum(outputs[i] * out_grads[i])``
    when ``out_grads`` is given. Each element ``x`` of each float input is set to ``x + eps/2``
    and ``x - eps/2`` in turn; the gradient is the difference of the scalars over ``eps``
    (the sums are taken in float64).

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
        if np.asarray(value).dtype.kind != "f":
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


def _numeric_grad_requests(grad_nodes: Any, arg_names: list[str]) -> dict[str, str]:
    """check_numeric_gradient's ``grad_nodes`` as a grad_req dict, every name an argument."""
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
    return grad_req


def _numeric_eps(output: Any, numeric_eps: float | None, dtype: Any) -> float:
    """The finite-difference step: given or by dtype, and not too small for the dtype."""
    eps = get_tolerance(output, numeric_eps, default_numeric_eps())
    if np.dtype(dtype) != np.float64 and eps < 1e-5:
        raise ValueError(f"check_numeric_gradient: numeric_eps={eps} is too small for "
                         f"{np.dtype(dtype)} (use >= 1e-5, or dtype=np.float64)")
    return eps


def check_numeric_gradient(sym: Any, location: Any, aux_states: Any = None,
                           numeric_eps: float | None = None, rtol: Any = None,
                           atol: Any = None, grad_nodes: Any = None,
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
    numeric_eps : float, optional
        Finite-difference step; by default by dtype (float32: 2**-9, see
        ``default_numeric_eps``).
    rtol, atol : float, optional
        Tolerances; by default by dtype (float32: 1e-4 and 1e-3, see ``assert_almost_equal``).
    grad_nodes : list of str or dict of str to str, optional
        Arguments to check (default all), or a dict name -> grad_req ('write', 'add', 'null').
    use_forward_train : bool, default True
        Run forward in training mode.
    ctx : Context, optional
        Defaults to ``default_context()``.
    grad_stype_dict : dict, optional
        Storage types of the gradients; teachmod has dense ('default') storage only.
    dtype : np.float16, np.float32 or np.float64, default np.float32
        Dtype of the arrays.
    """
    _check_dtype(dtype, "check_numeric_gradient", allow_asnumpy=False)
    if any(s != "default" for s in (grad_stype_dict or {}).values()):
        raise MXNetError(f"check_numeric_gradient: teachmod has dense gradients only, got "
                         f"grad_stype_dict={grad_stype_dict}")
    ctx = ctx or default_context()
    arg_names = sym.list_arguments()
    args = _to_ndarrays(arg_names, location, ctx, dtype, "arguments")
    location_npy = {k: v.asnumpy() for k, v in args.items()}
    aux = None if aux_states is None else _to_ndarrays(sym.list_auxiliary_states(), aux_states,
                                                       ctx, dtype, "auxiliary states")
    aux_npy = None if aux is None else {k: v.asnumpy() for k, v in aux.items()}

    grad_req = _numeric_grad_requests(grad_nodes, arg_names)

    # random draws in MXNet's order (projection, initial gradients, one more for the
    # projection's own gradient), so a seeded test sees the same numbers afterwards
    _, out_shapes, _ = sym.infer_shape(**{k: v.shape for k, v in location_npy.items()})
    projections = [(np.random.rand(*shape) + 0.1).astype(dtype) for shape in out_shapes]
    initial = {k: np.random.normal(0, 0.01, size=location_npy[k].shape) for k in grad_req}
    np.random.normal(0, 0.01, size=out_shapes[0])
    args_grad = {k: nd.array(v, ctx=ctx, dtype=dtype) for k, v in initial.items()}
    initial = {k: v.asnumpy() for k, v in args_grad.items()}

    executor = sym.bind(ctx, args=args, args_grad=args_grad, grad_req=grad_req, aux_states=aux)
    executor.forward(is_train=True)
    eps = _numeric_eps(executor.outputs[0], numeric_eps, dtype)
    executor.backward([nd.array(p, ctx=ctx, dtype=dtype) for p in projections])
    numeric = numeric_grad(executor, location_npy, aux_npy, eps=eps,
                           use_forward_train=use_forward_train, dtype=dtype,
                           out_grads=projections)
    for name, req in grad_req.items():
        _compare_grad(name, req, numeric[name], executor.grad_dict[name], initial[name],
                      rtol, atol, (f"NUMERICAL_{name}", f"BACKWARD_{name}"))


def check_consistency(sym: Symbol | list[Symbol], ctx_list: list[dict], scale: float = 1.0,
                      grad_req: Any = "write", arg_params: dict | None = None,
                      aux_params: dict | None = None, rtol: Any = None, atol: Any = None,
                      raise_on_err: bool = True, ground_truth: dict | None = None,
                      equal_nan: bool = False, use_uniform: bool = False,
                      rand_type: Any = np.float64) -> dict[str, NDArray]:
    """Run a symbol under several bindings (contexts, dtypes) and assert the outputs and
    gradients agree with those of the most precise one.

    Parameters
    ----------
    sym : Symbol or list of Symbol
        One symbol for every binding, or one per entry of ``ctx_list``.
    ctx_list : list of dict
        ``simple_bind`` keyword arguments per binding, e.g. ``{'ctx': mx.cpu(0),
        'data': (2, 3), 'type_dict': {'data': np.float32}}``.
    scale : float, default 1.0
        Standard deviation (or, with ``use_uniform``, 1/0.92 of the half-width) of the random
        inputs.
    grad_req : str or dict
        Passed to ``simple_bind``; 'null' compares outputs only.
    arg_params, aux_params : dict, optional
        Input values to use instead of random ones (auxiliary states default to 0).
    rtol, atol : float or dict of dtype to float, optional
        Tolerances (see ``assert_almost_equal``).
    raise_on_err : bool, default True
        Raise on the first mismatch; with False, print it and go on.
    ground_truth : dict, optional
        Output and gradient values to compare with instead of the most precise binding's.
    equal_nan : bool, default False
        Count NaN == NaN as equal.
    use_uniform : bool, default False
        Draw random inputs uniformly instead of normally.
    rand_type : dtype, default np.float64
        Dtype the random inputs are drawn in.

    Returns
    -------
    dict of str to NDArray
        The ground truth: outputs (and gradients) by name.
    """
    symbols = _consistency_symbols(sym, ctx_list)
    output_names, arg_names = symbols[0].list_outputs(), symbols[0].list_arguments()
    executors = [s.simple_bind(grad_req=grad_req, **kwargs)
                 for s, kwargs in zip(symbols, ctx_list)]
    random = (lambda shape: np.random.uniform(-0.92 * scale, 0.92 * scale, size=shape)) \
        if use_uniform else (lambda shape: np.random.normal(size=shape, scale=scale))
    _set_consistency_inputs(executors, arg_params, aux_params, grad_req,
                            lambda shape: random(shape).astype(rand_type))

    dtypes = [np.dtype(e.outputs[0].dtype) for e in executors]
    gt_index = int(np.argmax([_itemsize(d) for d in dtypes]))  # the first most precise
    gt = ground_truth
    if gt is None:
        gt = dict(executors[gt_index].output_dict)
        if grad_req != "null":
            gt.update(executors[gt_index].grad_dict)

    def compare(arr: Any, expected: Any, rt: Any, at: Any, where: str) -> None:
        try:
            assert_almost_equal(arr, expected, rtol=rt, atol=at, equal_nan=equal_nan)
        except AssertionError as err:
            print(where)
            traceback.print_exc()
            if raise_on_err:
                raise
            print(str(err))

    for executor in executors:
        executor.forward(is_train=False)
    for i, executor in enumerate(executors):
        if i != gt_index:
            for name, arr in zip(output_names, executor.outputs):
                compare(arr, gt[name], rtol, atol,
                        f"Predict Err: ctx {i} vs ctx {gt_index} at {name}")
    if grad_req == "null":
        return gt
    _run_consistency_backward(executors, len(output_names))
    for i, executor in enumerate(executors):
        if i == gt_index:
            continue
        for name, arr in zip(output_names + arg_names,
                             list(executor.outputs) + list(executor.grad_arrays)):
            expected = gt.get(name)
            if expected is None:
                if arr is not None:
                    raise AssertionError(f"check_consistency: {name} has a gradient in binding "
                                         f"{i} but not in the ground truth")
                continue
            rt, at = _consistency_tols(arr, expected, dtypes[i], dtypes[gt_index], rtol, atol)
            compare(arr, expected, rt, at,
                    f"Train Err: {np.dtype(arr.dtype).name} ctx {i} vs "
                    f"{np.dtype(expected.dtype).name} ctx {gt_index} at {name}")
    return gt


def _itemsize(dtype: Any) -> int:
    return np.dtype(dtype).itemsize


def _consistency_symbols(sym: Symbol | list[Symbol], ctx_list: list[dict]) -> list[Symbol]:
    """One symbol per binding, all with the same arguments and outputs."""
    if len(ctx_list) < 2:
        raise ValueError(f"check_consistency: needs at least two bindings, got {len(ctx_list)}")
    symbols = [sym] * len(ctx_list) if isinstance(sym, Symbol) else list(sym)
    if len(symbols) != len(ctx_list):
        raise ValueError(f"check_consistency: {len(symbols)} symbols for {len(ctx_list)} "
                         f"bindings")
    for s in symbols:
        if (s.list_arguments() != symbols[0].list_arguments()
                or s.list_outputs() != symbols[0].list_outputs()):
            raise ValueError("check_consistency: the symbols must have the same arguments and "
                             "outputs")
    return symbols


def _set_consistency_inputs(executors: list, arg_params: dict | None, aux_params: dict | None,
                            grad_req: Any, random: Any) -> None:
    """Give every executor the same inputs: ``arg_params`` or ``random(shape)`` draws (in a
    fixed order, for the seed), ``aux_params`` or 0; zero gradients for ``grad_req='add'``."""
    arg_params = {} if arg_params is None else arg_params
    aux_params = {} if aux_params is None else aux_params
    for name, arr in sorted(executors[0].arg_dict.items()):
        if name not in arg_params:
            arg_params[name] = random(arr.shape)
    for name in executors[0].aux_dict:
        aux_params.setdefault(name, 0)
    for executor in executors:
        for name, arr in executor.arg_dict.items():
            arr[:] = arg_params[name]
        for name, arr in executor.aux_dict.items():
            arr[:] = aux_params[name]
        if grad_req == "add":
            for arr in executor.grad_arrays:
                if arr is not None:
                    arr[:] = 0


def _run_consistency_backward(executors: list, num_outputs: int) -> None:
    """Forward in training mode and backward: every backward gets the first binding's
    outputs, rounded to the least precise dtype."""
    for executor in executors:
        executor.forward(is_train=True)
    least = [min((e.outputs[k].dtype for e in executors), key=_itemsize)
             for k in range(num_outputs)]
    head = [out.asnumpy().astype(dt) for out, dt in zip(executors[0].outputs, least)]
    for executor in executors:
        executor.backward([nd.array(h, ctx=executor._ctx, dtype=out.dtype)
                           for h, out in zip(head, executor.outputs)])


def _consistency_tols(arr: Any, expected: Any, dtype: Any, gt_dtype: Any, rtol: Any,
                      atol: Any) -> tuple[Any, Any]:
    """The tolerances for one array: a float32 gradient (e.g. BatchNorm's gamma) of a float16
    network is only as precise as float16."""
    low_arr = min(arr.dtype, dtype, key=_itemsize)
    low_gt = min(expected.dtype, gt_dtype, key=_itemsize)
    if low_arr != arr.dtype or low_gt != expected.dtype:
        return get_tols(arr.astype(low_arr), expected.astype(low_gt), rtol, atol)
    return rtol, atol


# ================================================================================================
# Random generators: statistical checks
# ================================================================================================
def gen_buckets_probs_with_ppf(ppf: Callable[[float], float],
                               nbuckets: int) -> tuple[list[tuple[float, float]], list[float]]:
    """``nbuckets`` equally likely buckets ``(ppf(i/n), ppf((i+1)/n))`` of a distribution with
    quantile function ``ppf``, and their probabilities ``1/n``."""
    if nbuckets <= 0:
        raise ValueError(f"gen_buckets_probs_with_ppf: nbuckets must be > 0, got {nbuckets}")
    buckets = [(ppf(i / nbuckets), ppf((i + 1) / nbuckets)) for i in range(nbuckets)]
    return buckets, [1.0 / nbuckets] * nbuckets


def mean_check(generator: Callable[[int], Any], mu: float, sigma: float,
               nsamples: int = 1000000) -> bool:
    """Whether the mean of ``generator(nsamples)`` lies within ``mu +- 3 sigma / sqrt(n)``."""
    mean = np.array(generator(nsamples)).mean()
    half = 3 * sigma / np.sqrt(nsamples)
    return bool(mu - half < mean < mu + half)


def var_check(generator: Callable[[int], Any], sigma: float, nsamples: int = 1000000) -> bool:
    """Whether the sample variance lies within ``sigma^2 +- 3 sqrt(2 sigma^4 / (n - 1))``."""
    var = np.array(generator(nsamples)).var(ddof=1)
    half = 3 * np.sqrt(2 * sigma ** 4 / (nsamples - 1))
    return bool(sigma ** 2 - half < var < sigma ** 2 + half)


def chi_square_check(generator: Callable[[int], Any], buckets: list, probs: list,
                     nsamples: int = 1000000) -> tuple[float, np.ndarray, np.ndarray]:
    """Pearson's chi-square test of ``generator(nsamples)`` against bucket probabilities.

    ``buckets`` are ascending, disjoint ``(low, high)`` ranges for a continuous distribution, or
    the possible values of a discrete one. Returns the p-value, the observed and the expected
    counts.
    """
    import scipy.stats as ss  # only the statistical checks need scipy

    if not isinstance(buckets, list) or len(probs) != len(buckets):
        raise ValueError("chi_square_check: buckets must be a list with one probability each")
    samples = np.asarray(generator(nsamples))
    expected = (nsamples * np.array(probs, dtype=np.float32)).astype(np.int32)
    observed = np.zeros(len(buckets), dtype=np.int64)
    if isinstance(buckets[0], (list, tuple)):
        edges = np.array(buckets, dtype=np.float32).reshape(-1)
        if np.any(np.diff(edges) < 0):
            raise ValueError(f"chi_square_check: buckets must be ascending and disjoint, got "
                             f"{buckets}")
        # a sample in [low_i, high_i) falls between edges 2i and 2i+1
        bucket = np.searchsorted(edges, samples, side="right") // 2
        for i in range(len(buckets)):
            observed[i] = np.count_nonzero(bucket == i)
    else:
        for i, value in enumerate(buckets):
            observed[i] = np.count_nonzero(samples == value)
    _, p = ss.chisquare(f_obs=observed, f_exp=expected)
    return p, observed, expected


def verify_generator(generator: Callable[[int], Any], buckets: list, probs: list,
                     nsamples: int = 1000000, nrepeat: int = 5, success_rate: float = 0.2,
                     alpha: float = 0.05) -> list[float]:
    """Run ``chi_square_check`` ``nrepeat`` times; AssertionError unless at least a share
    ``success_rate`` of the runs have p > ``alpha``. Returns the p-values."""
    runs = [chi_square_check(generator, buckets, probs, nsamples) for _ in range(nrepeat)]
    p_values = [p for p, _, _ in runs]
    if np.count_nonzero(np.array(p_values) > alpha) < nrepeat * success_rate:
        raise AssertionError(
            f"Generator test fails, Chi-square p={p_values}, "
            f"obs_freq={[o for _, o, _ in runs]}, expected_freq={[e for _, _, e in runs]}."
            f"\nbuckets={buckets}, probs={probs}")
    return p_values


# ================================================================================================
# Test running helpers
# ================================================================================================
def retry(n: int) -> Callable[[Callable], Callable]:
    """Decorator for random tests: run up to ``n`` times until no AssertionError."""
    if n <= 0:
        raise ValueError(f"retry: n must be > 0, got {n}")

    def decorate(f: Callable) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> None:
            for attempt in range(n):
                try:
                    f(*args, **kwargs)
                    return
                except AssertionError:
                    if attempt == n - 1:
                        raise
        return wrapper
    return decorate


@contextmanager
def environment(*args: Any) -> Iterator[None]:
    """Set environment variables for a ``with`` block and restore them after it.

    ``environment('NAME', 'value')`` or ``environment({'A': '1', 'B': None})``; None unsets.
    """
    if len(args) == 1 and isinstance(args[0], dict):
        wanted = args[0]
    elif len(args) == 2:
        wanted = {args[0]: args[1]}
    else:
        raise TypeError("environment: expected a dict, or a name and a value")
    saved = {name: os.environ.get(name) for name in wanted}
    try:
        for name, value in wanted.items():
            setenv(name, value)
        yield
    finally:
        for name, value in saved.items():
            setenv(name, value)


@contextmanager
def discard_stderr() -> Iterator[None]:
    """Send what is written to the stderr file descriptor to /dev/null inside the block."""
    try:
        stderr_fd = sys.stderr.fileno()
    except (AttributeError, io.UnsupportedOperation):  # stderr is not a real file here
        yield
        return
    saved = os.dup(stderr_fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), stderr_fd)
            yield
    finally:
        os.dup2(saved, stderr_fd)
        os.close(saved)


class DummyIter(mx.io.DataIter):
    """An iterator that returns the first batch of ``real_iter`` for ever (for timing)."""

    def __init__(self, real_iter: Any) -> None:
        super().__init__()
        self.real_iter = real_iter
        self.provide_data = real_iter.provide_data
        self.provide_label = real_iter.provide_label
        self.batch_size = real_iter.batch_size
        self.the_batch = next(real_iter)

    def __iter__(self) -> DummyIter:
        return self

    def next(self) -> Any:
        """The first batch of the real iterator, again."""
        return self.the_batch


def is_cd_run() -> bool:
    """Whether this runs as part of MXNet's continuous delivery (``CD_JOB=1``)."""
    return os.environ.get("CD_JOB", 0) == "1"


def is_aarch64_run() -> bool:
    """Whether this machine is aarch64."""
    return platform.machine() == "aarch64"


def has_tvm_ops() -> bool:
    """Whether TVM operators are built in: never in teachmod."""
    return _features.is_enabled("TVM_OP")


def is_op_runnable() -> bool:
    """Whether TVM-generated operators can run here: never in teachmod."""
    return has_tvm_ops()


_features = Features()

# The star-exported names: this module's public names, as MXNet's module (which has no
# __all__) exports them; scipy.stats is named `ss` and imported only when asked for.
__all__ = sorted(name for name in dict(globals()) if not name.startswith("_")
                 and name not in ("annotations", "Any", "Callable", "Iterable", "Iterator", "nd",
                                  "hashlib", "importlib", "io", "secrets", "urlsplit",
                                  "new_file_mode"))
for _optional in ("scipy", "requests"):  # exported when installed, as MXNet's imports them
    if importlib.util.find_spec(_optional) is not None:
        __all__.append("ss" if _optional == "scipy" else _optional)


def __getattr__(name: str) -> Any:
    if name in ("ss", "requests"):
        module = importlib.import_module("scipy.stats" if name == "ss" else name)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'teachmod.test_utils' has no attribute {name!r}")

"""``mx.nd.save`` / ``mx.nd.load`` in MXNet's binary NDArray-list format (the ``.params`` files).

Layout (little-endian)::

    u64 0x112 | u64 0 | u64 N | N arrays | u64 K | K names (u64 length + bytes)
    array: u32 0xF993FAC9 | i32 storage type 0 | i32 ndim | ndim x i64 | i32 dev_type
           | i32 dev_id | i32 type flag | raw C-order data

Under NumPy shape semantics (``mx.np_shape()``) arrays are written with the magic 0xF993FACA
(0-D arrays allowed), and each kind of file loads only under its own semantics, as in MXNet.
Older files load too: V1 (0xF993FAC8, no storage type) and the first format, whose arrays
start with a u32 ndim and u32 dims instead of a magic number.

Files are written to a temporary file and renamed, so an interrupted save never destroys the
previous file.
"""
from __future__ import annotations

import math
import os
import struct
import tempfile
from typing import Union

import numpy as np

from ..base import DTYPE_TO_FLAG, FLAG_TO_DTYPE, MXNetError
from ..context import Context
from ..util import is_np_shape
from .ndarray import NDArray

__all__ = ["save", "load", "load_frombuffer", "save_bytes", "load_bytes"]

LIST_MAGIC = 0x112
ARRAY_MAGIC_V1, ARRAY_MAGIC_V2, ARRAY_MAGIC_V3 = 0xF993FAC8, 0xF993FAC9, 0xF993FACA
MAX_NDIM = 32  # MXNet's limit on the number of dimensions of an array

Saveable = Union[NDArray, list, tuple, dict]


def save_bytes(data: Saveable) -> bytes:
    """The bytes ``save`` writes for ``data``: an NDArray, a list, or a str -> NDArray dict."""
    if isinstance(data, NDArray):
        data = [data]
    if isinstance(data, dict):
        names, arrays = list(data.keys()), list(data.values())
        bad = [k for k in names if not isinstance(k, str)]
        if bad:
            raise TypeError(f"save: dictionary keys must be strings, got {bad[0]!r}")
    elif isinstance(data, (list, tuple)):
        names, arrays = [], list(data)
    else:
        raise TypeError(
            f"save: expected an NDArray, a list of NDArrays or a dict of them, "
            f"got {type(data).__name__}"
        )
    parts = [struct.pack("<QQQ", LIST_MAGIC, 0, len(arrays))]
    for index, array in enumerate(arrays):
        if not isinstance(array, NDArray):
            label = names[index] if names else index
            raise TypeError(f"save: item {label!r} is a {type(array).__name__}, not an NDArray")
        parts.append(array_bytes(array))
    parts.append(struct.pack("<Q", len(names)))
    for name in names:
        encoded = name.encode("utf-8")
        parts.append(struct.pack("<Q", len(encoded)) + encoded)
    return b"".join(parts)


def array_bytes(array: NDArray) -> bytes:
    """One array in the file format (also its pickled form, as in MXNet)."""
    values = np.require(array._data, requirements="C")  # keeps 0-D arrays 0-D
    if values.dtype not in DTYPE_TO_FLAG:
        raise TypeError(f"save: dtype {values.dtype} cannot be written in MXNet's format")
    magic = ARRAY_MAGIC_V3 if is_np_shape() else ARRAY_MAGIC_V2
    return b"".join([
        struct.pack("<Iii", magic, 0, values.ndim),
        struct.pack(f"<{values.ndim}q", *values.shape),
        struct.pack("<iii", 1, 0, DTYPE_TO_FLAG[values.dtype]),
        values.astype(values.dtype.newbyteorder("<"), copy=False).tobytes(),
    ])


def array_from_bytes(payload: bytes) -> NDArray:
    """The array ``array_bytes`` wrote."""
    reader = _Reader(bytes(payload), "<pickled NDArray>")
    array = _read_array(reader)
    if reader.offset != len(reader.payload):
        raise reader.error("unexpected bytes after the array")
    return array


def save(fname: str | os.PathLike, data: Saveable) -> None:
    """Save arrays to ``fname`` in MXNet's format, atomically.

    Parameters
    ----------
    fname : str
        The file to write.
    data : NDArray, list of NDArray, or dict of str to NDArray
        What to save; a dict keeps its names (``arg:fc1_weight`` ... in checkpoints).
    """
    payload = save_bytes(data)
    write_atomic(fname, payload)


def new_file_mode() -> int:
    """The permissions of an ordinary new file: 0o666 minus the umask, but never without the
    owner's own read and write (Pyodide reports a umask of 0o777)."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o666 & ~umask) | 0o600


def write_atomic(fname: str | os.PathLike, payload: bytes) -> None:
    """Write ``payload`` to a temporary file beside ``fname``, then rename it into place."""
    fname = os.fspath(fname)
    directory = os.path.dirname(os.path.abspath(fname))
    if not os.path.isdir(directory):
        raise MXNetError(f"cannot save {fname!r}: the folder {directory!r} does not exist; "
                         f"create it first, e.g. os.makedirs({directory!r}, exist_ok=True)")
    if os.path.isdir(fname):
        raise MXNetError(f"cannot save {fname!r}: it is a folder; give a file name")
    handle, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        os.chmod(tmp_name, new_file_mode())  # mkstemp makes the file private (0600)
        with os.fdopen(handle, "wb") as tmp:
            tmp.write(payload)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, fname)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    _fsync_folder(directory)


def _fsync_folder(directory: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


class _Reader:
    def __init__(self, payload: bytes, fname: str) -> None:
        self.payload, self.offset, self.fname = payload, 0, fname

    def take(self, fmt: str) -> tuple:
        size = struct.calcsize(fmt)
        if self.offset + size > len(self.payload):
            raise self.error(f"the file ends early (needed {size} more bytes)")
        values = struct.unpack_from(fmt, self.payload, self.offset)
        self.offset += size
        return values

    def take_bytes(self, size: int) -> bytes:
        if size < 0 or self.offset + size > len(self.payload):
            raise self.error(f"the file ends early (needed {size} bytes of data)")
        chunk = self.payload[self.offset:self.offset + size]
        self.offset += size
        return chunk

    def error(self, reason: str) -> MXNetError:
        return MXNetError(
            f"cannot load {self.fname!r}: {reason} at byte {self.offset}; the file is truncated "
            f"or is not an MXNet NDArray file"
        )


def load_bytes(payload: bytes, fname: str = "<bytes>") -> list[NDArray] | dict[str, NDArray]:
    """Read arrays from the bytes of an MXNet NDArray file."""
    reader = _Reader(payload, fname)
    magic, _reserved, count = reader.take("<QQQ")
    if magic != LIST_MAGIC:
        raise reader.error(f"wrong magic number {magic:#x} (expected {LIST_MAGIC:#x})")
    arrays = [_read_array(reader) for _ in range(count)]
    (num_names,) = reader.take("<Q")
    if num_names not in (0, count):
        raise reader.error(f"{num_names} names for {count} arrays")
    names = []
    for _ in range(num_names):
        (length,) = reader.take("<Q")
        try:
            names.append(reader.take_bytes(length).decode("utf-8"))
        except UnicodeDecodeError:
            raise reader.error("an array name is not valid UTF-8") from None
    if reader.offset != len(payload):
        raise reader.error(f"{len(payload) - reader.offset} unexpected bytes after the data")
    return dict(zip(names, arrays)) if names else arrays


def _read_header(reader: _Reader) -> tuple[int, tuple[int, ...] | None]:
    """The format's magic number and the array's shape (``None`` for a "none" array)."""
    (magic,) = reader.take("<I")
    if magic == ARRAY_MAGIC_V3 and not is_np_shape():
        raise reader.error("the array was saved under NumPy shape semantics and must be loaded "
                           "under them too: load it inside `with mx.np_shape(True):`")
    if magic != ARRAY_MAGIC_V3 and is_np_shape():
        raise reader.error("the array was saved under legacy shape semantics but is being loaded "
                           "under NumPy shape semantics: load it inside `with mx.np_shape(False):`")
    if magic in (ARRAY_MAGIC_V2, ARRAY_MAGIC_V3):
        (storage,) = reader.take("<i")
        if storage != 0:
            raise reader.error(f"sparse storage type {storage} is not supported")
        (ndim,) = reader.take("<i")
    elif magic == ARRAY_MAGIC_V1:
        (ndim,) = reader.take("<i")
    else:
        ndim = magic  # the first format: no magic number, the u32 is the number of dims
    if ndim > MAX_NDIM or (ndim < 0 and magic != ARRAY_MAGIC_V3):
        raise reader.error(f"an array claims {ndim} dimensions (at most {MAX_NDIM} are possible)")
    dims = "I" if magic not in (ARRAY_MAGIC_V1, ARRAY_MAGIC_V2, ARRAY_MAGIC_V3) else "q"
    shape = reader.take(f"<{ndim}{dims}") if ndim > 0 else ()
    if magic == ARRAY_MAGIC_V3:
        unknown = ndim < 0 or any(d < 0 for d in shape)  # np-shape's "none" array
    else:
        unknown = ndim == 0  # legacy's "none" array: nothing follows
    return magic, None if unknown else tuple(shape)


def _read_array(reader: _Reader) -> NDArray:
    _, shape = _read_header(reader)
    if shape is None:
        return NDArray(np.zeros((0,), np.float32), Context("cpu", 0))
    if any(d < 0 for d in shape):
        raise reader.error(f"an array has the negative shape {tuple(shape)}")
    dev_type, dev_id = reader.take("<ii")
    if dev_id < 0:
        raise reader.error(f"an array has the device id {dev_id}")
    (flag,) = reader.take("<i")
    if flag not in FLAG_TO_DTYPE:
        raise reader.error(f"unknown type flag {flag}")
    dtype = FLAG_TO_DTYPE[flag].newbyteorder("<")
    count = math.prod(shape)  # a Python int: no overflow, and nothing is allocated yet
    if math.prod(max(d, 1) for d in shape) * dtype.itemsize >= 2 ** 63:
        raise reader.error(f"an array has the impossible shape {tuple(shape)}")
    if count * dtype.itemsize > len(reader.payload) - reader.offset:
        raise reader.error(f"an array of shape {tuple(shape)} needs {count * dtype.itemsize} "
                           f"bytes but only {len(reader.payload) - reader.offset} remain")
    raw = reader.take_bytes(count * dtype.itemsize)
    values = np.frombuffer(raw, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))
    device = Context.devtype2str.get(dev_type, "cpu")
    return NDArray(values, Context("cpu" if device.startswith("cpu") else device, dev_id))


def load_frombuffer(buf: bytes) -> list[NDArray] | dict[str, NDArray]:
    """Load arrays from the bytes of a file written by ``save``: a list, or a dict."""
    if not isinstance(buf, (bytes, bytearray, memoryview)):
        raise TypeError(f"load_frombuffer: expected bytes, got {type(buf).__name__}")
    return load_bytes(bytes(buf), "<buffer>")


def load(fname: str | os.PathLike) -> list[NDArray] | dict[str, NDArray]:
    """Load arrays saved by ``save`` (or by MXNet): a list, or a dict when names were saved."""
    fname = os.fspath(fname)
    try:
        with open(fname, "rb") as handle:
            payload = handle.read()
    except FileNotFoundError:
        raise MXNetError(f"cannot load {fname!r}: no such file") from None
    except IsADirectoryError:
        raise MXNetError(f"cannot load {fname!r}: it is a folder, not a file") from None
    except PermissionError:
        raise MXNetError(f"cannot load {fname!r}: permission denied") from None
    return load_bytes(payload, fname)

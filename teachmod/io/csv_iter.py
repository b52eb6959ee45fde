"""``CSVIter``: batches from CSV files, with the behaviour of MXNet's C++ CSV iterator.

MXNet reads the file as a stream of rows. With ``round_batch=True`` (the default) an incomplete
last batch is filled with rows from the start of the file, and the next epoch continues after
those rows instead of starting again (a ``reset()`` right after such a batch is "ignored").
With ``round_batch=False`` the last batch keeps, in its unfilled rows, the rows of the batch
before it, and ``pad`` says how many those are. teachmod parses the whole file with numpy once
and replays exactly that stream.
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..base import MXNetError
from ..ndarray.ndarray import NDArray
from .io import BatchReaderIter, DataBatch, DataDesc

__all__ = ["CSVIter"]

_DTYPES = {"float32": np.float32, "int32": np.int32, "int64": np.int64}


def _read_csv(path: str, row_shape: tuple[int, ...], dtype: type, argument: str) -> np.ndarray:
    """All rows of a CSV file (or of every file in a directory) as an array (rows,) + row_shape."""
    if os.path.isdir(path):
        files = [os.path.join(path, name) for name in sorted(os.listdir(path))]
    elif os.path.exists(path):
        files = [path]
    else:
        raise MXNetError(f"CSVIter: {argument} {path!r} does not exist")
    row_size = int(np.prod(row_shape))
    parts = []
    for file in files:
        try:
            rows = np.loadtxt(file, delimiter=",", dtype=dtype, ndmin=2)
        except ValueError as err:
            raise MXNetError(f"CSVIter: cannot parse {file!r} ({argument}) as {dtype.__name__} "
                             f"CSV rows: {err}") from err
        if rows.size and rows.shape[1] != row_size:
            shape_name = "data_shape" if argument == "data_csv" else "label_shape"
            raise MXNetError(f"CSVIter: the rows of {argument} {file!r} have "
                             f"{rows.shape[1]} values but {shape_name}={row_shape} needs "
                             f"{row_size}")
        parts.append(rows.reshape((-1,) + tuple(row_shape)))
    return np.concatenate(parts) if parts else np.zeros((0,) + tuple(row_shape), dtype)


class CSVIter(BatchReaderIter):
    """Iterate over a CSV file of examples (one row per example) and optionally one of labels.

    All arguments are keyword-only, as for MXNet's C++ iterators.

    Parameters
    ----------
    data_csv : str
        A CSV file, or a directory whose files are read in sorted order.
    data_shape : tuple of int
        Shape of one example; each row is reshaped to it.
    label_csv : str, default 'NULL'
        A CSV file of labels; with 'NULL' every label is 0.
    label_shape : tuple of int, default (1,)
        Shape of one label. A batch of labels of shape (1,) is returned 1-D, (batch_size,).
    batch_size : int
        Rows per batch.
    round_batch : bool, default True
        Fill an incomplete last batch from the start of the file (see the module docstring).
    dtype : {'float32', 'int32', 'int64'}, default 'float32'
        How the values are parsed.
    data_name : str, default 'data'
        Name in provide_data.
    label_name : str, default 'softmax_label'
        Name in provide_label.
    prefetch_buffer, ctx : optional
        Accepted for compatibility; teachmod reads synchronously on the CPU.
    """

    def __init__(self, *, data_csv: str, data_shape: tuple, batch_size: int,
                 label_csv: str = "NULL", label_shape: tuple = (1,), round_batch: bool = True,
                 dtype: str = "float32", data_name: str = "data",
                 label_name: str = "softmax_label", prefetch_buffer: int = 4,
                 ctx: Any = None) -> None:
        super().__init__()
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size <= 0:
            raise ValueError(f"CSVIter: batch_size must be a positive integer, "
                             f"got {batch_size!r}")
        if str(dtype) not in _DTYPES:
            raise ValueError(f"CSVIter: dtype must be one of {sorted(_DTYPES)}, got {dtype!r}")
        numpy_dtype = _DTYPES[str(dtype)]
        self.batch_size = int(batch_size)
        self.round_batch = bool(round_batch)
        self._data = _read_csv(data_csv, tuple(data_shape), numpy_dtype, "data_csv")
        self._num_rows = len(self._data)
        if label_csv == "NULL":
            self._label = None
            self._label_shape = (1,)
        else:
            self._label = _read_csv(label_csv, tuple(label_shape), numpy_dtype, "label_csv")
            self._label_shape = tuple(label_shape)
            if len(self._label) < self._num_rows:
                raise MXNetError(f"CSVIter: label_csv has {len(self._label)} rows but data_csv "
                                 f"has {self._num_rows}; every data row needs a label row")
        if self._num_rows == 0:
            raise MXNetError(f"CSVIter: data_csv {data_csv!r} holds no rows")
        self._dtype = numpy_dtype

        # the state of MXNet's batch loader
        self._next_row = 0           # next row the underlying row reader returns
        self._overflow = 0           # rows read from the start to fill the last batch
        self._buffer_rows = np.full(self.batch_size, -1)  # rows in the loader's buffer
        self.current_batch: DataBatch | None = None
        # like MXNet's MXDataIter, read the first batch now (it also gives the shapes)
        self._first_batch: DataBatch | None = self._read_batch()
        if self._first_batch is None:
            raise MXNetError("CSVIter: no batch could be read")
        first = self._first_batch
        self.provide_data = [DataDesc(data_name, first.data[0].shape, first.data[0].dtype)]
        self.provide_label = [DataDesc(label_name, first.label[0].shape, first.label[0].dtype)]

    # ---- the row stream -------------------------------------------------------------------
    def _before_first(self) -> None:
        if not self.round_batch or self._overflow == 0:
            self._next_row = 0
        else:  # the epoch already started with the rows used to fill the last batch
            self._overflow = 0

    def _read_batch(self) -> DataBatch | None:
        """The next batch of the stream, or None at the end of the epoch."""
        if self._overflow:
            return None
        count = min(self.batch_size, self._num_rows - self._next_row)
        if count <= 0:
            return None
        rows = np.arange(self._next_row, self._next_row + count)
        self._next_row += count
        pad = self.batch_size - count
        if pad and self.round_batch:
            if pad > self._num_rows:
                raise MXNetError(f"CSVIter: batch_size {self.batch_size} is too large for "
                                 f"{self._num_rows} rows with round_batch=True")
            rows = np.concatenate([rows, np.arange(pad)])
            self._next_row = self._overflow = pad
        elif pad:  # the loader's buffer still holds the previous batch's rows there
            rows = np.concatenate([rows, self._buffer_rows[count:]])
        self._buffer_rows = rows
        return self._make_batch(rows, pad)

    def _make_batch(self, rows: np.ndarray, pad: int) -> DataBatch:
        unfilled = rows < 0  # buffer rows never written (MXNet leaves them uninitialised)
        safe_rows = np.where(unfilled, 0, rows)
        data = self._data[safe_rows]
        if self._label is None:
            label = np.zeros((self.batch_size,) + self._label_shape, self._dtype)
        else:
            label = self._label[safe_rows]
        if unfilled.any():
            data[unfilled] = 0
            label[unfilled] = 0
        if label.ndim > 1 and label.shape[1] == 1:
            # MXNet returns labels 1-D when the second axis is 1 (its "temp hack": it keeps the
            # first batch_size values)
            label = label.reshape(-1)[:self.batch_size]
        return DataBatch([NDArray(data)], [NDArray(label)], pad=pad,
                         index=safe_rows.astype(np.uint64))

    # ---- the iterator protocol ------------------------------------------------------------
    def reset(self) -> None:
        """Start the next epoch (see the module docstring for round_batch)."""
        self._first_batch = None
        self._before_first()

    def iter_next(self) -> bool:
        """Read the next batch; False at the end of the epoch."""
        if self._first_batch is not None:
            self.current_batch, self._first_batch = self._first_batch, None
        else:
            self.current_batch = self._read_batch()
        return self.current_batch is not None






"""Data iterators: the batch protocol every training loop uses, and iterators over in-memory arrays.

A ``DataIter`` hands out ``DataBatch`` objects until it raises ``StopIteration``; ``reset()``
starts the next epoch. ``provide_data`` / ``provide_label`` describe the batches as ``DataDesc``
(name, shape, dtype, layout), which is what ``Module.bind`` needs to allocate its arrays.
"""
from __future__ import annotations

import warnings
from collections import OrderedDict, namedtuple
from typing import Any, Iterator, Sequence

import numpy as np

from ..base import MXNetError
from ..ndarray.ndarray import NDArray

__all__ = ["DataDesc", "DataBatch", "DataIter", "BatchReaderIter", "NDArrayIter", "ResizeIter",
           "PrefetchingIter"]

LAST_BATCH_HANDLES = ("pad", "discard", "roll_over")


# ============================================================================================
# Descriptions and batches
# ============================================================================================
class DataDesc(namedtuple("DataDesc", ["name", "shape"])):
    """The name and shape of one input, plus its dtype and layout.

    It is a ``(name, shape)`` tuple, so ``name, shape = desc`` works, and ``dtype`` and
    ``layout`` are extra attributes. ``layout`` names the axes, e.g. 'NCHW': 'N' marks the
    batch axis.

    Parameters
    ----------
    name : str
        Name of the input, e.g. 'data' or 'softmax_label'.
    shape : tuple of int
        Shape of one batch.
    dtype : numpy type, default numpy.float32
        Element type.
    layout : str, default 'NCHW'
        Meaning of the axes.
    """

    def __new__(cls, name: str, shape: tuple, dtype: Any = np.float32,
                layout: str = "NCHW") -> DataDesc:
        desc = super().__new__(cls, name, shape)
        desc.dtype = dtype
        desc.layout = layout
        return desc

    def __repr__(self) -> str:
        return f"DataDesc[{self.name},{self.shape},{self.dtype},{self.layout}]"

    @staticmethod
    def get_batch_axis(layout: str | None) -> int:
        """The index of the batch axis 'N' in ``layout`` (0 when layout is None, -1 if absent).

        Parameters
        ----------
        layout : str or None
            A layout such as 'NCHW' or 'TNC'.
        """
        if layout is None:
            return 0
        return layout.find("N")

    @staticmethod
    def get_list(shapes: Sequence[tuple], types: Sequence[tuple] | None) -> list[DataDesc]:
        """DataDescs from ``[(name, shape), ...]`` and optionally ``[(name, dtype), ...]``.

        Parameters
        ----------
        shapes : list of (str, tuple)
            Names and shapes.
        types : list of (str, dtype), optional
            Names and dtypes; float32 for every input when None.
        """
        if types is None:
            return [DataDesc(name, shape) for name, shape in shapes]
        dtype_of = dict(types)
        return [DataDesc(name, shape, dtype_of[name]) for name, shape in shapes]


class DataBatch:
    """One batch: lists of data and label arrays plus bookkeeping.

    Parameters
    ----------
    data : list of NDArray
        One array per data input, each holding ``batch_size`` examples.
    label : list of NDArray, optional
        One array per label input.
    pad : int, optional
        How many examples at the end of the batch are padding (to be ignored by ``predict``).
    index : numpy.ndarray, optional
        Indices of the examples in the batch.
    bucket_key : int, optional
        Bucket key for bucketing modules.
    provide_data : list of DataDesc, optional
        Descriptions of ``data``.
    provide_label : list of DataDesc, optional
        Descriptions of ``label``.
    """

    def __init__(self, data: list | None, label: list | None = None, pad: int | None = None,
                 index: np.ndarray | None = None, bucket_key: Any = None,
                 provide_data: list | None = None, provide_label: list | None = None) -> None:
        if data is not None and not isinstance(data, (list, tuple)):
            raise TypeError(f"DataBatch: data must be a list of NDArrays, got "
                            f"{type(data).__name__}")
        if label is not None and not isinstance(label, (list, tuple)):
            raise TypeError(f"DataBatch: label must be a list of NDArrays, got "
                            f"{type(label).__name__}")
        self.data = data
        self.label = label
        self.pad = pad
        self.index = index
        self.bucket_key = bucket_key
        self.provide_data = provide_data
        self.provide_label = provide_label

    def __str__(self) -> str:
        data_shapes = [d.shape for d in self.data]
        label_shapes = [lab.shape for lab in self.label] if self.label else None
        return (f"{type(self).__name__}: data shapes: {data_shapes} "
                f"label shapes: {label_shapes}")


# ============================================================================================
# The iterator protocol
# ============================================================================================
class DataIter:
    """Base class of all data iterators.

    A subclass either overrides ``next`` (and ``reset``), or the lower-level protocol
    ``iter_next`` (advance; False at the end) plus ``getdata``, ``getlabel``, ``getpad`` and
    ``getindex`` (read the current batch), which the default ``next`` combines.

    Parameters
    ----------
    batch_size : int, default 0
        Number of examples per batch.
    """

    def __init__(self, batch_size: int = 0) -> None:
        self.batch_size = batch_size

    def __iter__(self) -> Iterator[DataBatch]:
        return self

    def reset(self) -> None:
        """Go back to the beginning of the data."""

    def next(self) -> DataBatch:
        """The next batch; raises StopIteration at the end of the data."""
        if self.iter_next():
            return DataBatch(data=self.getdata(), label=self.getlabel(), pad=self.getpad(),
                             index=self.getindex())
        raise StopIteration

    def __next__(self) -> DataBatch:
        return self.next()

    def iter_next(self) -> bool:
        """Move to the next batch; False when there is none."""
        raise NotImplementedError(f"{type(self).__name__} must implement iter_next() or next()")

    def getdata(self) -> list[NDArray]:
        """The data arrays of the current batch."""
        raise NotImplementedError(f"{type(self).__name__} must implement getdata() or next()")

    def getlabel(self) -> list[NDArray] | None:
        """The label arrays of the current batch (None if there are no labels)."""
        return None

    def getindex(self) -> np.ndarray | None:
        """The indices of the examples in the current batch, if known."""
        return None

    def getpad(self) -> int:
        """How many examples at the end of the current batch are padding."""
        return 0


class BatchReaderIter(DataIter):
    """An iterator whose ``iter_next`` reads the whole next batch into ``current_batch``, as
    MXNet's C++ iterators (CSVIter, MNISTIter, ImageRecordIter) do; ``next`` hands that batch
    out and the getters read one data and one label NDArray from it."""

    current_batch: DataBatch | None = None

    def next(self) -> DataBatch:
        """The next batch; StopIteration at the end of the epoch."""
        if self.iter_next():
            return self.current_batch
        raise StopIteration

    def getdata(self) -> NDArray:
        """The data of the current batch (one NDArray, as MXNet's C++ iterators)."""
        return self.current_batch.data[0]

    def getlabel(self) -> NDArray:
        """The labels of the current batch (one NDArray)."""
        return self.current_batch.label[0]

    def getindex(self) -> np.ndarray:
        """The indices of the current batch's examples."""
        return self.current_batch.index

    def getpad(self) -> int:
        """How many rows at the end of the current batch are padding."""
        return self.current_batch.pad


# ============================================================================================
# NDArrayIter
# ============================================================================================
def _init_data(data: Any, allow_empty: bool, default_name: str,
               argument: str) -> list[tuple[str, NDArray]]:
    """Put the user's data into MXNet's canonical form: ``[(name, NDArray), ...]`` sorted by name.

    numpy arrays (and nested lists) become float32 NDArrays, as MXNet's ``mx.nd.array`` does;
    NDArrays are used as they are, keeping their dtype.
    """
    if data is None:
        if not allow_empty:
            raise ValueError(f"NDArrayIter: {argument} must not be None")
        data = []
    if isinstance(data, (np.ndarray, NDArray)):
        data = [data]
    if isinstance(data, (list, tuple)):
        if not data and not allow_empty:
            raise ValueError(f"NDArrayIter: {argument} must hold at least one array")
        if len(data) == 1:
            data = OrderedDict([(default_name, data[0])])
        else:
            data = OrderedDict((f"_{i}_{default_name}", array) for i, array in enumerate(data))
    if not isinstance(data, dict):
        raise TypeError(f"NDArrayIter: {argument} must be an NDArray, a numpy.ndarray, a list "
                        f"of them or a dict of them; got {type(data).__name__}")
    canonical = []
    for name, value in sorted(data.items()):
        if not isinstance(value, NDArray):
            try:
                value = NDArray(np.array(value, dtype=np.float32))
            except (TypeError, ValueError) as err:
                raise TypeError(f"NDArrayIter: invalid type {type(value).__name__} for "
                                f"{argument} {name!r}; expected NDArray or numpy.ndarray") from err
        canonical.append((name, value))
    return canonical


class NDArrayIter(DataIter):
    """Iterate over in-memory arrays (numpy arrays, NDArrays, or lists/dicts of them).

    Each batch is cut from the arrays with a single slice (no shuffle: a read-only view, no
    copy) or a single fancy index (shuffle, padding, roll-over), per array.

    Parameters
    ----------
    data : array, list of arrays, or dict of name -> array
        The inputs. A single array is named ``data_name``; a list gets names '_0_data',
        '_1_data', ...; a dict is used in sorted-name order. numpy inputs become float32.
    label : array, list of arrays, or dict, optional
        The labels, named like ``data`` with ``label_name``.
    batch_size : int, default 1
        Examples per batch.
    shuffle : bool, default False
        Shuffle on every ``reset()`` (and once at construction) with numpy's global RNG.
    last_batch_handle : {'pad', 'discard', 'roll_over'}, default 'pad'
        'pad' fills the last batch with examples from the start and sets ``pad``;
        'discard' drops an incomplete last batch; 'roll_over' carries its examples into the
        first batch of the next epoch (that batch's ``pad`` is the number carried over).
    data_name : str, default 'data'
        Name of a single data array.
    label_name : str, default 'softmax_label'
        Name of a single label array.
    layout : str, default 'NCHW'
        Data layout; 'N' marks the batch axis.
    """

    def __init__(self, data: Any, label: Any = None, batch_size: int = 1, shuffle: bool = False,
                 last_batch_handle: str = "pad", data_name: str = "data",
                 label_name: str = "softmax_label", layout: str = "NCHW") -> None:
        super().__init__(batch_size)
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size <= 0:
            raise ValueError(f"NDArrayIter: batch_size must be a positive integer, "
                             f"got {batch_size!r}")
        if last_batch_handle not in LAST_BATCH_HANDLES:
            raise ValueError(f"NDArrayIter: last_batch_handle must be one of "
                             f"{LAST_BATCH_HANDLES}, got {last_batch_handle!r}")
        self.batch_axis = DataDesc.get_batch_axis(layout)
        if self.batch_axis < 0:
            raise ValueError(f"NDArrayIter: layout {layout!r} has no batch axis 'N'")
        self.layout = layout
        self.data = _init_data(data, allow_empty=False, default_name=data_name, argument="data")
        self.label = _init_data(label, allow_empty=True, default_name=label_name,
                                argument="label")
        self.data_list = [array for _, array in self.data + self.label]
        self.num_source = len(self.data_list)
        self.num_data = self._count_samples()

        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.last_batch_handle = last_batch_handle
        if last_batch_handle == "discard" and self.batch_size > self.num_data:
            # MXNet yields no batch at all here, without a word
            warnings.warn(f"NDArrayIter: batch_size {self.batch_size} is larger than the "
                          f"{self.num_data} samples and last_batch_handle='discard' drops the "
                          f"incomplete batch, so every epoch is empty; use a smaller batch_size "
                          f"or last_batch_handle='pad'", stacklevel=2)
        # idx is shuffled in place on every reset, as in MXNet; _order is the resulting order of
        # the examples as positions in the original arrays (None: the original order).
        self.idx = np.arange(self.num_data)
        self._order: np.ndarray | None = None
        # 'roll_over': positions of an incomplete last batch (set by next) and of the examples
        # carried into the first batch of the next epoch (set by reset).
        self._incomplete_batch: np.ndarray | None = None
        self._carried_over: np.ndarray | None = None
        self.cursor = -self.batch_size
        self.reset()

    def _count_samples(self) -> int:
        for kind, arrays in (("data", self.data), ("label", self.label)):
            for name, array in arrays:
                if array.ndim <= self.batch_axis:
                    raise ValueError(f"NDArrayIter: {kind} {name!r} has shape {array.shape}, "
                                     f"with no batch axis {self.batch_axis} (layout "
                                     f"{self.layout!r}); give one row per sample")
        counts = {f"{kind} {name!r}": array.shape[self.batch_axis]
                  for kind, arrays in (("data", self.data), ("label", self.label))
                  for name, array in arrays}
        if len(set(counts.values())) > 1:
            listing = ", ".join(f"{what}: {count}" for what, count in counts.items())
            raise ValueError("NDArrayIter: data and label must have the same number of samples "
                             f"along the batch axis; got {listing}")
        count = next(iter(counts.values()))
        if count == 0:
            raise ValueError(f"NDArrayIter: the data has no samples (axis {self.batch_axis} has "
                             f"length 0): {', '.join(counts)}")
        return count

    # ---- descriptions ---------------------------------------------------------------------
    def _describe(self, arrays: list[tuple[str, NDArray]]) -> list[DataDesc]:
        descs = []
        for name, array in arrays:
            shape = list(array.shape)
            shape[self.batch_axis] = self.batch_size
            descs.append(DataDesc(name, tuple(shape), array.dtype, layout=self.layout))
        return descs

    @property
    def provide_data(self) -> list[DataDesc]:
        """Name, batch shape, dtype and layout of each data input."""
        return self._describe(self.data)

    @property
    def provide_label(self) -> list[DataDesc]:
        """Name, batch shape, dtype and layout of each label input."""
        return self._describe(self.label)

    # ---- epochs ---------------------------------------------------------------------------
    def hard_reset(self) -> None:
        """Start again from the beginning, dropping any rolled-over examples."""
        if self.shuffle:
            self._shuffle_data()
        self.cursor = -self.batch_size
        self._incomplete_batch = None
        self._carried_over = None

    def reset(self) -> None:
        """Start the next epoch (reshuffling when ``shuffle``)."""
        # 'roll_over': the examples of an incomplete last batch go to the front of the next epoch
        carried = None
        if (self.last_batch_handle == "roll_over"
                and self.num_data - self.batch_size < self.cursor < self.num_data):
            carried = self._incomplete_batch
            if carried is None and self.cursor >= 0:  # the epoch was walked with iter_next()
                carried = _as_index(self._positions(self.cursor, self.num_data))
        rolling_over = carried is not None
        self._carried_over = carried
        self._incomplete_batch = None
        if self.shuffle:
            self._shuffle_data()
        if rolling_over:
            # negative: the first batch takes (cursor - num_data) fewer new examples
            self.cursor = self.cursor - self.num_data - self.batch_size
        else:
            self.cursor = -self.batch_size

    def _shuffle_data(self) -> None:
        np.random.shuffle(self.idx)
        # MXNet reorders its (already shuffled) arrays by idx, so the orders compose
        self._order = self.idx.copy() if self._order is None else self._order[self.idx]

    # ---- batches --------------------------------------------------------------------------
    def iter_next(self) -> bool:
        """Advance the cursor by one batch; False when it has passed the end of the data."""
        self.cursor += self.batch_size
        return self.cursor < self.num_data

    def next(self) -> DataBatch:
        """The next batch; raises StopIteration at the end of the epoch."""
        if not self.iter_next():
            raise StopIteration
        positions = self._batch_positions()
        if _length(positions) != self.batch_size:
            # 'discard' and 'roll_over' end the epoch at an incomplete batch
            self._incomplete_batch = _as_index(positions)
            raise StopIteration
        return DataBatch(data=self._take(self.data, positions),
                         label=self._take(self.label, positions),
                         pad=self.getpad(), index=None)

    def getdata(self) -> list[NDArray]:
        """The data arrays of the current batch."""
        return self._take(self.data, self._batch_positions())

    def getlabel(self) -> list[NDArray]:
        """The label arrays of the current batch."""
        return self._take(self.label, self._batch_positions())

    def getpad(self) -> int:
        """Padded examples in a 'pad' batch, or examples carried over in a 'roll_over' batch."""
        if self.last_batch_handle == "pad" and self.cursor + self.batch_size > self.num_data:
            return self.cursor + self.batch_size - self.num_data
        if self.last_batch_handle == "roll_over" and -self.batch_size < self.cursor < 0:
            return -self.cursor
        return 0

    def _positions(self, start: int, stop: int) -> slice | np.ndarray:
        """Positions in the original arrays of examples ``start:stop`` of the current order."""
        if self._order is None:
            return slice(start, stop)
        return self._order[start:stop]

    def _batch_positions(self) -> slice | np.ndarray:
        """Where the examples of the current batch sit in the original arrays."""
        if self.cursor >= self.num_data:
            raise MXNetError("NDArrayIter: the epoch is over; call reset() first")
        start, stop = self.cursor, self.cursor + self.batch_size
        if start < 0:  # first batch after a roll-over: carried examples, then new ones
            if stop > self.num_data:
                raise MXNetError(f"NDArrayIter: with last_batch_handle='roll_over', "
                                 f"batch_size {self.batch_size} needs {stop} new examples but "
                                 f"there are only {self.num_data}")
            return np.concatenate([self._carried_over, _as_index(self._positions(0, stop))])
        if self.last_batch_handle == "pad" and stop > self.num_data:
            # wrap around to the start of the (current) order, as often as needed
            wrapped = np.arange(start, stop) % self.num_data
            return wrapped if self._order is None else self._order[wrapped]
        return self._positions(start, min(stop, self.num_data))

    def _take(self, arrays: list[tuple[str, NDArray]],
              positions: slice | np.ndarray) -> list[NDArray]:
        """Cut one batch out of each array: a read-only view for a slice, else one fancy index."""
        batch = []
        for _, array in arrays:
            source = array._data
            if isinstance(positions, slice):
                part = source[(slice(None),) * self.batch_axis + (positions,)]
                part.flags.writeable = False  # a view: writing to it would change the dataset
            else:
                part = source.take(positions, axis=self.batch_axis)  # the method: no dispatch
            batch.append(NDArray(part, array.context))
        return batch


def _length(positions: slice | np.ndarray) -> int:
    if isinstance(positions, slice):
        return positions.stop - positions.start
    return len(positions)


def _as_index(positions: slice | np.ndarray) -> np.ndarray:
    if isinstance(positions, slice):
        return np.arange(positions.start, positions.stop)
    return positions


# ============================================================================================
# Wrappers
# ============================================================================================
class ResizeIter(DataIter):
    """Make an iterator's epoch exactly ``size`` batches, restarting it when it runs out.

    Parameters
    ----------
    data_iter : DataIter
        The iterator to resize.
    size : int
        Batches per epoch.
    reset_internal : bool, default True
        Whether ``reset()`` also resets ``data_iter``.
    """

    def __init__(self, data_iter: DataIter, size: int, reset_internal: bool = True) -> None:
        super().__init__()
        if size < 0:
            raise ValueError(f"ResizeIter: size must be >= 0, got {size}")
        self.data_iter = data_iter
        self.size = size
        self.reset_internal = reset_internal
        self.cur = 0
        self.current_batch: DataBatch | None = None
        self.provide_data = data_iter.provide_data
        self.provide_label = data_iter.provide_label
        self.batch_size = data_iter.batch_size
        if hasattr(data_iter, "default_bucket_key"):
            self.default_bucket_key = data_iter.default_bucket_key

    def reset(self) -> None:
        """Start a new epoch of ``size`` batches."""
        self.cur = 0
        if self.reset_internal:
            self.data_iter.reset()

    def iter_next(self) -> bool:
        """Fetch the next batch, restarting the wrapped iterator at its end."""
        if self.cur == self.size:
            return False
        try:
            self.current_batch = self.data_iter.next()
        except StopIteration:
            self.data_iter.reset()
            self.current_batch = self.data_iter.next()
        self.cur += 1
        return True

    def getdata(self) -> list[NDArray]:
        """Data of the current batch."""
        return self.current_batch.data

    def getlabel(self) -> list[NDArray] | None:
        """Label of the current batch."""
        return self.current_batch.label

    def getindex(self) -> np.ndarray | None:
        """Index of the current batch."""
        return self.current_batch.index

    def getpad(self) -> int:
        """Pad of the current batch."""
        return self.current_batch.pad


class PrefetchingIter(DataIter):
    """Read several iterators in lockstep, joining their batches (MXNet uses a thread per
    iterator to read ahead; teachmod reads synchronously, with the same results).

    Parameters
    ----------
    iters : DataIter or list of DataIter
        The iterators; all must yield the same number of batches with the same padding.
    rename_data : list of dict, optional
        For iterator ``i``, a map ``{'old_name': 'new_name'}`` applied to its provide_data.
    rename_label : list of dict, optional
        The same for provide_label.
    """

    def __init__(self, iters: DataIter | list[DataIter], rename_data: list[dict] | None = None,
                 rename_label: list[dict] | None = None) -> None:
        super().__init__()
        if not isinstance(iters, list):
            iters = [iters]
        if not iters:
            raise ValueError("PrefetchingIter: iters must hold at least one iterator")
        for argument, renames in (("rename_data", rename_data), ("rename_label", rename_label)):
            if renames is not None and len(renames) != len(iters):
                raise ValueError(f"PrefetchingIter: {argument} needs one dict per iterator "
                                 f"({len(iters)}), got {len(renames)}")
        self.iters = iters
        self.n_iter = len(iters)
        self.rename_data = rename_data
        self.rename_label = rename_label
        self.batch_size = self.provide_data[0][1][0]
        self.current_batch: DataBatch | None = None

    @staticmethod
    def _renamed(descs_per_iter: list[list], renames: list[dict] | None) -> list[DataDesc]:
        if renames is None:
            return [desc for descs in descs_per_iter for desc in descs]
        return [DataDesc(rename[desc.name], desc.shape, desc.dtype)
                if isinstance(desc, DataDesc) else DataDesc(*desc)
                for rename, descs in zip(renames, descs_per_iter) for desc in descs]

    @property
    def provide_data(self) -> list[DataDesc]:
        """The data descriptions of all iterators, renamed."""
        return self._renamed([it.provide_data for it in self.iters], self.rename_data)

    @property
    def provide_label(self) -> list[DataDesc]:
        """The label descriptions of all iterators, renamed."""
        return self._renamed([it.provide_label for it in self.iters], self.rename_label)

    def reset(self) -> None:
        """Reset every iterator."""
        for it in self.iters:
            it.reset()

    def iter_next(self) -> bool:
        """Read one batch from every iterator and join them."""
        batches = []
        for it in self.iters:
            try:
                batches.append(it.next())
            except StopIteration:
                batches.append(None)
        if batches[0] is None:
            if any(batch is not None for batch in batches):
                raise MXNetError("PrefetchingIter: the iterators yield different numbers of "
                                 "batches")
            return False
        if any(batch is None or batch.pad != batches[0].pad for batch in batches):
            raise MXNetError("PrefetchingIter: the iterators yield different numbers of "
                             "batches or different padding")
        self.current_batch = DataBatch(
            [array for batch in batches for array in batch.data],
            [array for batch in batches for array in (batch.label or [])],
            batches[0].pad, batches[0].index,
            provide_data=self.provide_data, provide_label=self.provide_label)
        return True

    def next(self) -> DataBatch:
        """The joined next batch; StopIteration at the end."""
        if self.iter_next():
            return self.current_batch
        raise StopIteration

    def getdata(self) -> list[NDArray]:
        """Data of the current batch."""
        return self.current_batch.data

    def getlabel(self) -> list[NDArray]:
        """Label of the current batch."""
        return self.current_batch.label

    def getindex(self) -> np.ndarray | None:
        """Index of the current batch."""
        return self.current_batch.index

    def getpad(self) -> int:
        """Pad of the current batch."""
        return self.current_batch.pad

"""``mx.image.ImageIter``: batches of augmented images from a ``.rec`` file or an image list.

This is MXNet's Python image iterator (``mx.io.ImageRecordIter`` is the fast, threaded one in
``teachmod/io/image_record_iter.py``). Each sample is read, decoded, passed through the
augmenters (``CreateAugmenter``'s list unless ``aug_list`` is given), moved to CHW and put in
the batch. The last, incomplete batch is handled as ``last_batch_handle`` says:

- ``'pad'``: filled with samples from the start; ``pad`` counts them; then the epoch ends;
- ``'discard'``: dropped;
- ``'roll_over'``: kept back and completed at the start of the next epoch.
"""
from __future__ import annotations

import os
import random
from typing import Any

import numpy as np

from .. import recordio
from ..base import MXNetError
from ..io.io import DataBatch, DataDesc, DataIter
from ..ndarray.ndarray import NDArray
from .image import CreateAugmenter, imdecode

__all__ = ["ImageIter"]

_LABEL_DTYPES = ("int32", "float32", "int64", "float64")


class ImageIter(DataIter):
    """Image iterator with MXNet's augmentations, from a ``.rec`` file or an image list.

    Parameters
    ----------
    batch_size : int
        Images per batch.
    data_shape : tuple of int
        (3, height, width) of each output image.
    label_width : int, default 1
        Labels per image.
    path_imgrec : str, optional
        A ``.rec`` file (from ``im2rec``).
    path_imglist : str, optional
        A ``.lst`` file: ``index<TAB>label(s)<TAB>path relative to path_root`` per line.
    imglist : list, optional
        ``[label or labels..., path]`` per image, instead of a file.
    path_root : str, optional
        Folder the image paths are relative to.
    path_imgidx : str, optional
        The ``.idx`` file of ``path_imgrec``; needed to shuffle or split a ``.rec``.
    shuffle : bool, default False
        Shuffle at the start of every epoch (Python's ``random``).
    part_index, num_parts : int, default 0, 1
        Read only part ``part_index`` of ``num_parts`` equal parts.
    aug_list : list of Augmenter, optional
        Augmenters to use instead of ``CreateAugmenter(data_shape, **kwargs)``.
    data_name, label_name : str
        Names in provide_data / provide_label.
    dtype : {'float32', 'int32', 'int64', 'float64'}, default 'float32'
        Type of the labels.
    last_batch_handle : {'pad', 'discard', 'roll_over'}, default 'pad'
        See the module docstring.
    **kwargs
        Passed to ``CreateAugmenter`` (``resize``, ``rand_crop``, ``rand_mirror``, ``mean``...).
    """

    def __init__(self, batch_size: int, data_shape: tuple, label_width: int = 1,
                 path_imgrec: str | None = None, path_imglist: str | None = None,
                 path_root: str | None = None, path_imgidx: str | None = None,
                 shuffle: bool = False, part_index: int = 0, num_parts: int = 1,
                 aug_list: list | None = None, imglist: list | None = None,
                 data_name: str = "data", label_name: str = "softmax_label",
                 dtype: str = "float32", last_batch_handle: str = "pad", **kwargs: Any) -> None:
        super().__init__(batch_size)
        if not (path_imgrec or path_imglist or isinstance(imglist, list)):
            raise ValueError("ImageIter: give path_imgrec, path_imglist or imglist")
        if dtype not in _LABEL_DTYPES:
            raise ValueError(f"ImageIter: dtype must be one of {_LABEL_DTYPES}, got {dtype!r}")
        if last_batch_handle not in ("pad", "discard", "roll_over"):
            raise ValueError(f"ImageIter: last_batch_handle must be 'pad', 'discard' or "
                             f"'roll_over', got {last_batch_handle!r}")
        if len(data_shape) != 3:
            raise ValueError("data_shape should have length 3, with dimensions CxHxW")
        if data_shape[0] != 3:
            raise ValueError("This iterator expects inputs to have 3 channels.")
        self.imgrec: Any = None
        self.imgidx: list | None = None
        if path_imgrec:
            if path_imgidx:
                self.imgrec = recordio.MXIndexedRecordIO(path_imgidx, path_imgrec, "r")
                self.imgidx = list(self.imgrec.keys)
            else:
                self.imgrec = recordio.MXRecordIO(path_imgrec, "r")
        self.imglist, keys = self._read_list(path_imglist, imglist, dtype)
        self.path_root = path_root
        self.data_shape = tuple(data_shape)
        self.label_width = label_width
        self.dtype = dtype
        self.shuffle = shuffle
        self.provide_data = [DataDesc(data_name, (batch_size,) + self.data_shape)]
        label_shape = (batch_size, label_width) if label_width > 1 else (batch_size,)
        self.provide_label = [DataDesc(label_name, label_shape, np.dtype(dtype).type)]
        if self.imgrec is None:
            self.seq: list | None = keys
        elif shuffle or num_parts > 1 or path_imgidx:
            if self.imgidx is None:
                raise ValueError("ImageIter: shuffle and num_parts > 1 need path_imgidx with "
                                 "path_imgrec")
            self.seq = self.imgidx
        else:
            self.seq = None
        if num_parts > 1:
            if not 0 <= part_index < num_parts:
                raise ValueError(f"ImageIter: part_index must be in 0..{num_parts - 1}, got "
                                 f"{part_index}")
            size = len(self.seq) // num_parts
            self.seq = self.seq[part_index * size:(part_index + 1) * size]
        self.auglist = CreateAugmenter(data_shape, **kwargs) if aug_list is None else aug_list
        self.last_batch_handle = last_batch_handle
        self.num_image = len(self.seq) if self.seq is not None else None
        self.cur = 0
        self._allow_read = True
        self._cache: tuple[np.ndarray, np.ndarray, int] | None = None  # a rolled-over batch
        self.reset()

    @staticmethod
    def _read_list(path_imglist: str | None, imglist: list | None, dtype: str
                   ) -> tuple[dict | None, list]:
        """{key: (labels, path)} and the keys in order, from a .lst file or a list."""
        table: dict[Any, tuple[np.ndarray, str]] = {}
        keys: list = []
        if path_imglist:
            with open(path_imglist) as file:
                for number, line in enumerate(file, 1):
                    fields = line.strip().split("\t")
                    if len(fields) < 3:
                        raise MXNetError(f"ImageIter: line {number} of {path_imglist!r} has "
                                         f"{len(fields)} fields; expected index, label(s), "
                                         f"path separated by tabs")
                    key = int(fields[0])
                    table[key] = (np.array(fields[1:-1], dtype=np.float64).astype(dtype),
                                  fields[-1])
                    keys.append(key)
        elif isinstance(imglist, list):
            for index, item in enumerate(imglist, 1):
                label = item[:-1] if len(item) > 2 else item[0]
                table[str(index)] = (np.atleast_1d(np.asarray(label, dtype=dtype)), item[-1])
                keys.append(str(index))
        else:
            return None, keys
        return table, keys

    def reset(self) -> None:
        """Start the next epoch (a rolled-over batch is kept)."""
        if self.seq is not None and self.shuffle:
            random.shuffle(self.seq)
        if self.last_batch_handle != "roll_over" or self._cache is None:
            if self.imgrec is not None:
                self.imgrec.reset()
            self.cur = 0
            self._allow_read = True

    def hard_reset(self) -> None:
        """Start the next epoch and drop a rolled-over batch."""
        self._cache = None
        if self.seq is not None and self.shuffle:
            random.shuffle(self.seq)
        if self.imgrec is not None:
            self.imgrec.reset()
        self.cur = 0
        self._allow_read = True

    def next_sample(self) -> tuple[Any, bytes]:
        """(label, encoded image) of the next sample; StopIteration at the end."""
        if not self._allow_read:
            raise StopIteration
        if self.seq is None:
            record = self.imgrec.read()
            if record is None:
                if self.last_batch_handle != "discard":
                    self.imgrec.reset()
                raise StopIteration
            header, img = recordio.unpack(record)
            return header.label, img
        if self.cur >= self.num_image:
            if self.last_batch_handle != "discard":
                self.cur = 0
            raise StopIteration
        key = self.seq[self.cur]
        self.cur += 1
        if self.imgrec is not None:
            header, img = recordio.unpack(self.imgrec.read_idx(key))
            return (header.label if self.imglist is None else self.imglist[key][0]), img
        label, fname = self.imglist[key]
        return label, self.read_image(fname)

    def read_image(self, fname: str) -> bytes:
        """The bytes of image ``fname`` (relative to ``path_root``)."""
        path = os.path.join(self.path_root or "", fname)
        try:
            with open(path, "rb") as file:
                return file.read()
        except OSError as err:
            raise MXNetError(f"ImageIter: cannot read image {path!r}: {err.strerror}") from None

    def imdecode(self, s: bytes) -> NDArray:
        """Decode one sample; a failure names the image."""
        try:
            return imdecode(s)
        except MXNetError as err:
            if self.seq is not None:
                key = self.seq[(self.cur - 1) % self.num_image]
                where = (f"filename: {self.imglist[key][1]}" if self.imglist is not None
                         else f"index: {key}")
            else:
                where = f"record {self.imgrec._record - 1} of {self.imgrec.uri!r}"
            raise MXNetError(f"ImageIter: broken image {where}: {err}") from None

    def augmentation_transform(self, data: NDArray) -> NDArray:
        """Apply the augmenters in order."""
        for aug in self.auglist:
            data = aug(data)
        return data

    def postprocess_data(self, datum: NDArray) -> np.ndarray:
        """HWC to CHW."""
        return np.transpose(datum.asnumpy(), (2, 0, 1))

    def _batchify(self, data: np.ndarray, label: np.ndarray, start: int = 0) -> int:
        """Fill rows ``start``.. of the batch; the number of rows filled in total."""
        i = start
        try:
            while i < self.batch_size:
                sample_label, s = self.next_sample()
                image = self.augmentation_transform(self.imdecode(s))
                data[i] = self.postprocess_data(image)
                label[i] = np.reshape(sample_label, label[i].shape)
                i += 1
        except StopIteration:
            if not i:
                raise
        return i

    def _empty_batch(self) -> tuple[np.ndarray, np.ndarray]:
        """Zeroed data and label arrays of one batch, for ``_batchify`` to fill."""
        data = np.zeros((self.batch_size,) + self.data_shape, np.float32)
        return data, np.zeros(self.provide_label[0].shape, self.dtype)

    def next(self) -> DataBatch:
        """The next batch; StopIteration at the end of the epoch."""
        if self._cache is not None:
            data, label, filled = self._cache
        else:
            data, label = self._empty_batch()
            filled = self._batchify(data, label)
        pad = self.batch_size - filled
        if pad:
            if self.last_batch_handle == "discard":
                raise StopIteration
            if self.last_batch_handle == "roll_over" and self._cache is None:
                self._cache = (data, label, filled)
                raise StopIteration
            self._batchify(data, label, filled)
            if self.last_batch_handle == "pad":
                self._allow_read = False
            else:
                self._cache = None
        return DataBatch([NDArray(data)], [NDArray(label)], pad=pad)

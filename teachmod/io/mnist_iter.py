"""``MNISTIter``: batches from MNIST's idx files, as MXNet's C++ MNIST iterator gives them.

The idx format is big-endian: ``u32 magic`` (2051 for images, 2049 for labels), ``u32 count``,
for images ``u32 rows, u32 cols``, then one unsigned byte per pixel or label. teachmod also
reads the ``.gz`` files as they are downloaded.

As in MXNet: pixels are scaled by 1/256 (not 1/255); the data are shuffled once, when the
iterator is made, in the same order as MXNet (C++'s ``std::shuffle`` driven by a Mersenne
Twister seeded with ``seed``, replayed here); an incomplete last batch is dropped;
``num_parts``/``part_index`` keep one contiguous slice of the file.

``datasets.py`` has the ``mx.test_utils`` helpers that download the files.
"""
from __future__ import annotations

import gzip
import logging
import struct
from typing import Any, Iterator

import numpy as np

from ..base import MXNetError
from ..ndarray.ndarray import NDArray
from .io import BatchReaderIter, DataBatch, DataDesc

__all__ = ["MNISTIter"]

IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049


def read_idx(path: str, magic: int, argument: str, part: tuple[int, int]) -> np.ndarray:
    """The uint8 contents of an idx file, (count, rows, cols) or (count,), one part of it."""
    try:
        with open(path, "rb") as file:
            payload = file.read()
    except OSError as err:
        raise MXNetError(f"MNISTIter: cannot open {argument}={path!r}: {err.strerror}. "
                         f"mx.test_utils.get_mnist_ubyte() downloads the files into "
                         f"./data") from None
    if payload[:2] == b"\x1f\x8b":
        try:
            payload = gzip.decompress(payload)
        except (OSError, EOFError) as err:
            raise MXNetError(f"MNISTIter: {argument}={path!r} is a damaged gzip file "
                             f"({err})") from None
    dims = 3 if magic == IMAGE_MAGIC else 1
    header = 4 * (1 + dims)
    if len(payload) < header or struct.unpack(">I", payload[:4])[0] != magic:
        found = struct.unpack(">I", payload[:4])[0] if len(payload) >= 4 else None
        raise MXNetError(f"MNISTIter: {argument}={path!r} is not an MNIST "
                         f"{'image' if dims == 3 else 'label'} file: it starts with "
                         f"{found}, expected the magic number {magic}")
    shape = struct.unpack(f">{dims}I", payload[4:header])
    size = int(np.prod(shape))
    if len(payload) - header < size:
        raise MXNetError(f"MNISTIter: {argument}={path!r} is truncated: its header announces "
                         f"{shape[0]} items ({size} bytes), the file holds "
                         f"{len(payload) - header}")
    values = np.frombuffer(payload, np.uint8, size, header).reshape(shape)
    num_parts, part_index = part
    start = int(shape[0] / num_parts * part_index)
    end = int(shape[0] / num_parts * (part_index + 1))
    return values[start:end]


def _mt19937_words(seed: int) -> Iterator[int]:
    """The 32-bit outputs of C++'s ``std::mt19937(seed)`` (numpy's RandomState is the same
    generator, seeded the same way)."""
    state = np.random.RandomState(seed & 0xFFFFFFFF)
    while True:
        yield from state.randint(0, 2 ** 32, size=1024, dtype=np.uint64).tolist()


def cpp_shuffle_order(count: int, seed: int) -> np.ndarray:
    """The permutation ``std::shuffle(v.begin(), v.end(), std::mt19937(seed))`` makes of
    0..count-1 with the GNU C++ library MXNet is built with: for i = 1..count-1 swap v[i] with
    v[j], j uniform in 0..i (drawn by scaling down a 32-bit word, retrying the top end)."""
    words = _mt19937_words(seed)
    order = list(range(count))
    for i in range(1, count):
        scaling = (2 ** 32 - 1) // (i + 1)
        limit = (i + 1) * scaling
        word = next(words)
        while word >= limit:
            word = next(words)
        j = word // scaling
        order[i], order[j] = order[j], order[i]
    return np.array(order, dtype=np.int64)


class MNISTIter(BatchReaderIter):
    """Iterate over the MNIST idx files (plain or gzip).

    All arguments are keyword-only, as for MXNet's C++ iterators.

    Parameters
    ----------
    image : str, default './train-images-idx3-ubyte'
        The image file.
    label : str, default './train-labels-idx1-ubyte'
        The label file.
    batch_size : int, default 128
        Images per batch; an incomplete last batch is dropped.
    shuffle : bool, default True
        Shuffle once, when the iterator is made (MXNet's order for the same ``seed``).
    flat : bool, default False
        Batches of shape (batch_size, rows * cols) instead of (batch_size, 1, rows, cols).
    seed : int, default 0
        Seed of the shuffle.
    silent : bool, default False
        Do not log what was loaded.
    num_parts, part_index : int, default 1, 0
        Keep only part ``part_index`` of ``num_parts`` contiguous parts (for several workers).
    data_name, label_name : str
        Names in provide_data / provide_label.
    input_shape, data_shape, prefetch_buffer, ctx : optional
        Accepted, and not used, as by MXNet.
    """

    def __init__(self, *, image: str = "./train-images-idx3-ubyte",
                 label: str = "./train-labels-idx1-ubyte", batch_size: int = 128,
                 shuffle: bool = True, flat: bool = False, seed: int = 0, silent: bool = False,
                 num_parts: int = 1, part_index: int = 0, data_name: str = "data",
                 label_name: str = "softmax_label", input_shape: Any = None,
                 data_shape: Any = None, prefetch_buffer: int = 4, ctx: Any = None) -> None:
        super().__init__(batch_size)
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise ValueError(f"MNISTIter: batch_size must be a positive integer, "
                             f"got {batch_size!r}")
        if not 0 <= part_index < num_parts:
            raise ValueError(f"MNISTIter: part_index must be in 0..num_parts-1 "
                             f"(num_parts={num_parts}), got {part_index}")
        part = (int(num_parts), int(part_index))
        images = read_idx(image, IMAGE_MAGIC, "image", part)
        labels = read_idx(label, LABEL_MAGIC, "label", part)
        if len(labels) != len(images):
            raise MXNetError(f"MNISTIter: image={image!r} has {len(images)} images but "
                             f"label={label!r} has {len(labels)} labels")
        if shuffle:
            order = cpp_shuffle_order(len(images), int(seed))
            images, labels = images[order], labels[order]
        rows, cols = images.shape[1:]
        shape = (rows * cols,) if flat else (1, rows, cols)
        self._data = (images.astype(np.float32) / 256).reshape((len(images),) + shape)
        self._label = labels.astype(np.float32)
        self._cursor = 0
        self.current_batch: DataBatch | None = None
        self.provide_data = [DataDesc(data_name, (self.batch_size,) + shape)]
        self.provide_label = [DataDesc(label_name, (self.batch_size,))]
        if not silent:
            logging.info("MNISTIter: load %d images, shuffle=%d, shape=%s", len(images),
                         int(bool(shuffle)), (self.batch_size,) + shape)

    def reset(self) -> None:
        """Back to the first batch (the order stays as shuffled when the iterator was made)."""
        self._cursor = 0

    def iter_next(self) -> bool:
        """Move to the next full batch; False when fewer than batch_size images are left."""
        start, end = self._cursor, self._cursor + self.batch_size
        if end > len(self._data):
            self.current_batch = None
            return False
        self._cursor = end
        self.current_batch = DataBatch([NDArray(self._data[start:end])],
                                       [NDArray(self._label[start:end])], pad=0,
                                       index=np.zeros(self.batch_size, np.uint64))
        return True

    def getindex(self) -> np.ndarray:
        """MXNet's MNISTIter reports zeros."""
        return self.current_batch.index

    def getpad(self) -> int:
        """Always 0: incomplete batches are dropped."""
        return 0

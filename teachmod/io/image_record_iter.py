"""``ImageRecordIter``: augmented image batches from a ``.rec`` file, decoded by a thread pool.

What MXNet's C++ ``ImageRecordIter`` does for every image, in this order:

1. read the record, take its label(s) (from the record, or from ``path_imglist``);
2. decode it (grey for ``data_shape[0] == 1``, colour for 3, with alpha for 4);
3. ``resize``: scale the shorter side to ``resize`` pixels; rotate, shear, scale
   (``max_rotate_angle``, ``rotate``, ``rotate_list``, ``max_shear_ratio``,
   ``min/max_random_scale``, ``min/max_aspect_ratio``, ``min/max_img_size``; bilinear, see
   ``image_aug.py``);  ``pad``: add a border of ``fill_value``;
4. crop ``data_shape``'s height and width, at random (``rand_crop``) or in the centre; an image
   smaller than that is first scaled up to cover it;  with ``max_crop_size`` a square of random
   side in ``min_crop_size..max_crop_size`` is cropped and scaled to ``data_shape``;
5. ``brightness``, ``contrast``, ``saturation`` (random order), ``random_h/s/l`` (HLS shifts),
   ``pca_noise``; then mirror left-right (``rand_mirror``: half the time; ``mirror``: always);
6. ``(pixel - mean) * scale / std`` per channel (RGB order; or minus ``mean_img``), with a
   random contrast factor and illumination offset per image (``max_random_contrast``,
   ``max_random_illumination``).

Decoding and augmenting run in ``preprocess_threads`` threads (Pillow and numpy release the
GIL while they work), ``prefetch_buffer`` batches ahead of the one being used. Randomness is
drawn per image from a generator seeded by (``seed``, pass, position), or by (``seed_aug``,
record) when ``seed_aug`` is given, so results do not depend on which thread ran first.

Epochs and the last batch follow MXNet: with ``round_batch`` (the default) the last batch is
completed with images from the start of the next pass, which the next epoch then skips; without
it the last batch keeps the previous batch's images in its unused rows, and ``pad`` says how
many. ``shuffle`` reorders the records every pass; ``num_parts``/``part_index`` keep one
contiguous part of them.
"""
from __future__ import annotations

import logging
import os
import sys
import weakref
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .. import recordio
from ..base import MXNetError
from ..ndarray.ndarray import NDArray
from . import image_aug
from .io import BatchReaderIter, DataBatch, DataDesc

__all__ = ["ImageRecordIter", "ImageRecordUInt8Iter"]

# More of MXNet's augmentations (see image_aug.py), with their "off" values.
_MORE_AUGMENTATIONS = {
    "max_rotate_angle": 0, "rotate": -1, "rotate_list": "", "max_shear_ratio": 0.0,
    "max_random_scale": 1.0, "min_random_scale": 1.0, "max_aspect_ratio": 0.0,
    "min_aspect_ratio": None, "max_img_size": 1e10, "min_img_size": 0.0, "brightness": 0.0,
    "contrast": 0.0, "saturation": 0.0, "pca_noise": 0.0, "random_h": 0, "random_s": 0,
    "random_l": 0, "max_random_contrast": 0.0, "max_random_illumination": 0.0,
}
# MXNet parameters of augmentations teachmod does not implement, with their "off" values: set
# to anything else they are an error rather than silently ignored.
_UNSUPPORTED = {"random_resized_crop": False, "min_random_area": 1.0, "max_random_area": 1.0}
# Parameters MXNet accepts that change nothing on a CPU (or only MXNet's logging).
_NO_EFFECT = ("verbose", "ctx", "shuffle_chunk_size", "shuffle_chunk_seed", "device_id",
              "num_decode_threads", "inter_method")
_INTERPOLATIONS = (0, 1, 2, 3, 4, 9, 10)


class _InPlace:
    """An executor that runs each job as it is submitted: Pyodide (JupyterLite) has no threads."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # delivered by .result(), as a thread's would be
            future.set_exception(err)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing runs in the background, so nothing to stop."""


@dataclass(frozen=True)
class _Cursor:
    """Where the stream of records stands: which pass, how far into it, and whether the last
    batch borrowed images from the next pass (MXNet's "overflow")."""
    pass_number: int = 0
    position: int = 0
    overflow: bool = False


class ImageRecordIter(BatchReaderIter):
    """Batches of augmented images from a RecordIO file (see the module docstring).

    All arguments are keyword-only, as for MXNet's C++ iterators.

    Parameters
    ----------
    path_imgrec : str
        The ``.rec`` file (``im2rec`` makes one).
    data_shape : tuple of int
        (channels, height, width) of each image in a batch; channels 1, 3 or 4.
    batch_size : int
        Images per batch.
    path_imgidx : str, optional
        Its ``.idx`` file; the records are then read in the order of the index.
    path_imglist : str, optional
        A ``.lst`` file whose labels replace those stored in the records (by image index).
    label_width : int, default 1
        Labels per image; batches of labels are (batch_size,) for 1, else (batch_size, width).
    shuffle : bool, default False
        Reorder the records every pass.
    seed : int, default 0
        Seed of the shuffle and of the augmentations.
    seed_aug : int, optional
        Give every image the same random augmentation in every epoch.
    resize : int, default -1
        Scale the shorter side to this many pixels first (-1: no).
    rand_crop, rand_mirror, mirror : bool, default False
        Random instead of central crop; mirror half the images; mirror all of them.
    max_crop_size, min_crop_size : int, default -1
        Crop a random square of this size range and scale it to data_shape.
    pad : int, default 0
        Border added before cropping, filled with ``fill_value`` (default 255).
    inter_method : int, default 1
        Interpolation for resizing: 0 nearest, 1 bilinear, 2 bicubic, 3 area, 4 Lanczos,
        9 by direction, 10 random.
    mean_r, mean_g, mean_b, mean_a : float, default 0
        Subtracted per channel.
    std_r, std_g, std_b, std_a : float, default 1
        Divided per channel.
    scale : float, default 1
        Multiplied after subtracting the mean.
    mean_img : str, optional
        A mean image file (an NDArray file with key 'mean_img'); made from the data (central
        crops) if it does not exist. Replaces mean_r/g/b.
    round_batch : bool, default True
        Complete the last batch from the start (see the module docstring).
    preprocess_threads : int, default 4
        Threads that decode and augment.
    prefetch_buffer : int, default 4
        Batches prepared ahead.
    part_index, num_parts : int, default 0, 1
        Read only part ``part_index`` of ``num_parts``.
    data_name, label_name : str
        Names in provide_data / provide_label.
    dtype : {'float32', 'uint8'}, default 'float32'
        Type of the data ('uint8' keeps raw pixels: no mean, std or scale).
    """

    _DEFAULT_DTYPE = "float32"

    def __init__(self, *, path_imgrec: str, data_shape: tuple, batch_size: int,
                 path_imgidx: str = "", path_imglist: str = "", label_width: int = 1,
                 shuffle: bool = False, seed: int = 0, seed_aug: int | None = None,
                 resize: int = -1, rand_crop: bool = False, rand_mirror: bool = False,
                 mirror: bool = False, max_crop_size: int = -1, min_crop_size: int = -1,
                 pad: int = 0, fill_value: int = 255, inter_method: int = 1,
                 mean_r: float = 0.0, mean_g: float = 0.0, mean_b: float = 0.0,
                 mean_a: float = 0.0, std_r: float = 1.0, std_g: float = 1.0,
                 std_b: float = 1.0, std_a: float = 1.0, scale: float = 1.0,
                 mean_img: str = "", round_batch: bool = True, preprocess_threads: int = 4,
                 prefetch_buffer: int = 4, part_index: int = 0, num_parts: int = 1,
                 data_name: str = "data", label_name: str = "softmax_label",
                 dtype: str | None = None, **kwargs: Any) -> None:
        super().__init__(batch_size)
        name = type(self).__name__
        more = {key: kwargs.pop(key, default) for key, default in _MORE_AUGMENTATIONS.items()}
        self._check_kwargs(name, kwargs)
        data_shape = tuple(int(d) for d in data_shape)
        dtype = dtype or self._DEFAULT_DTYPE
        self._check_args(name, data_shape, batch_size, inter_method, max_crop_size,
                         min_crop_size, part_index, num_parts, dtype, path_imgrec)
        self._name = name
        self.path_imgrec = path_imgrec
        self.data_shape = data_shape
        self.batch_size = int(batch_size)
        self.label_width = int(label_width)
        self.round_batch = bool(round_batch)
        self.dtype = np.dtype(dtype)
        self._seed, self._seed_aug, self._shuffle = int(seed), seed_aug, bool(shuffle)
        self._aug = dict(resize=resize, rand_crop=bool(rand_crop), rand_mirror=bool(rand_mirror),
                         mirror=bool(mirror), max_crop_size=max_crop_size,
                         min_crop_size=min_crop_size, pad=pad, fill_value=fill_value,
                         inter_method=inter_method, **more)
        self._aug["rotate_list"] = [int(a) for a in str(more["rotate_list"]).split(",") if a]
        self._aug["aspect_ratio_range"] = self._aspect_ratio_range(more)
        self._mean, self._mult = self._normalisation(
            data_shape[0], (mean_r, mean_g, mean_b, mean_a), (std_r, std_g, std_b, std_a), scale)

        # the records of this part, in file (or index) order
        offsets = self._record_offsets(path_imgidx, path_imgrec)
        count = len(offsets)
        start, end = count * part_index // num_parts, count * (part_index + 1) // num_parts
        self._offsets = np.array(offsets[start:end], np.int64)
        self._numbers = np.arange(start, end)  # record numbers, for messages
        if len(self._offsets) == 0:
            raise MXNetError(f"{name}: {path_imgrec!r} (part {part_index} of {num_parts}) "
                             f"holds no records")
        self._label_map = self._read_imglist(path_imglist) if path_imglist else None

        self._reader = recordio.MXRecordIO(path_imgrec, "r")
        self._pool: Any = (_InPlace() if sys.platform == "emscripten" else
                           ThreadPoolExecutor(max_workers=max(1, int(preprocess_threads)),
                                              thread_name_prefix=name))
        weakref.finalize(self, self._pool.shutdown, wait=False, cancel_futures=True)
        self._prefetch = max(1, int(prefetch_buffer))
        self._orders: dict[int, np.ndarray] = {}
        self._meanimg = self._mean_image(mean_img) if mean_img else None

        self._consumed = _Cursor()   # state after the last batch handed out
        self._planned = self._consumed  # state after the last batch submitted
        self._queue: deque[tuple[np.ndarray, list[Future], int, _Cursor]] = deque()
        self._epoch_done = False     # the planner reached the end of this epoch
        self._previous: tuple[np.ndarray, ...] | None = None  # for round_batch=False
        self.current_batch: DataBatch | None = None
        label_shape = (self.batch_size,) if self.label_width == 1 else \
            (self.batch_size, self.label_width)
        self.provide_data = [DataDesc(data_name, (self.batch_size,) + data_shape,
                                      self.dtype.type)]
        self.provide_label = [DataDesc(label_name, label_shape, np.float32)]
        logging.info("%s: %s, %d images, %d threads", name, path_imgrec, len(self._offsets),
                     int(preprocess_threads))

    # ---- set-up helpers ---------------------------------------------------------------------
    @staticmethod
    def _check_args(name: str, data_shape: tuple, batch_size: Any, inter_method: int,
                    max_crop_size: int, min_crop_size: int, part_index: int, num_parts: int,
                    dtype: str, path_imgrec: str) -> None:
        """Clear errors for arguments out of range, before any file is read."""
        if len(data_shape) != 3 or data_shape[0] not in (1, 3, 4) or min(data_shape) <= 0:
            raise MXNetError(f"{name}: Invalid output shape {data_shape}: data_shape must be "
                             f"(channels, height, width) with 1, 3 or 4 channels")
        if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
            raise ValueError(f"{name}: batch_size must be a positive integer, got {batch_size!r}")
        if inter_method not in _INTERPOLATIONS:
            raise MXNetError(f"{name}: invalid inter_method {inter_method}: valid values are "
                             f"{_INTERPOLATIONS}")
        if (max_crop_size != -1 or min_crop_size != -1) and not \
                0 < min_crop_size <= max_crop_size:
            raise MXNetError(f"{name}: need 0 < min_crop_size <= max_crop_size, got "
                             f"{min_crop_size} and {max_crop_size}")
        if not 0 <= part_index < num_parts:
            raise ValueError(f"{name}: part_index must be in 0..num_parts-1 "
                             f"(num_parts={num_parts}), got {part_index}")
        if dtype not in ("float32", "uint8"):
            raise ValueError(f"{name}: dtype must be 'float32' or 'uint8', got {dtype!r}")
        if not os.path.exists(path_imgrec):
            raise MXNetError(f"{name}: path_imgrec {path_imgrec!r} does not exist")

    @staticmethod
    def _aspect_ratio_range(more: dict) -> tuple[float, float]:
        if more["min_aspect_ratio"] is None:
            return 1 - more["max_aspect_ratio"], 1 + more["max_aspect_ratio"]
        return more["min_aspect_ratio"], more["max_aspect_ratio"]

    @staticmethod
    def _normalisation(channels: int, means: tuple, stds: tuple,
                       scale: float) -> tuple[np.ndarray, np.ndarray]:
        """The per-channel mean to subtract and factor ``scale / std`` to multiply by."""
        mean = np.array(means[:channels] if channels > 1 else means[:1],
                        np.float32).reshape(-1, 1, 1)
        std = stds[:channels] if channels > 1 else stds[:1]
        return mean, (np.float32(scale) / np.array(std, np.float32)).reshape(-1, 1, 1)

    @staticmethod
    def _record_offsets(path_imgidx: str, path_imgrec: str) -> list[int]:
        """Where every record starts, from the index file if there is one."""
        if not path_imgidx:
            return recordio.record_offsets(path_imgrec)
        index = recordio.MXIndexedRecordIO(path_imgidx, path_imgrec, "r")
        offsets = [index.idx[key] for key in index.keys]
        index.close()
        return offsets

    @staticmethod
    def _check_kwargs(name: str, kwargs: dict) -> None:
        for key, value in kwargs.items():
            if key in _UNSUPPORTED:
                if value != _UNSUPPORTED[key]:
                    raise MXNetError(f"{name}: the augmentation {key}={value!r} is not "
                                     f"implemented in teachmod (leave it at "
                                     f"{_UNSUPPORTED[key]!r}, or augment with mx.image)")
            elif key not in _NO_EFFECT:
                # MXNet's C++ iterators accept unknown arguments too; say so instead
                logging.warning("%s: unknown argument %s=%r is ignored (as MXNet does)",
                                name, key, value)

    def _read_imglist(self, path: str) -> dict[int, np.ndarray]:
        table = {}
        with open(path) as file:
            for number, line in enumerate(file, 1):
                fields = line.strip().split("\t")
                if fields == [""]:
                    continue
                if len(fields) < 2 + self.label_width:
                    raise MXNetError(f"{self._name}: line {number} of path_imglist {path!r} "
                                     f"needs an index, {self.label_width} label(s) and a path")
                table[int(fields[0])] = np.array(fields[1:1 + self.label_width], np.float32)
        return table

    def _mean_image(self, path: str) -> np.ndarray:
        """Load the mean image, or compute it over every image (central crops) and save it."""
        from ..ndarray.utils import load, save

        if os.path.exists(path):
            loaded = load(path)
            if not isinstance(loaded, dict) or "mean_img" not in loaded:
                raise MXNetError(f"{self._name}: mean_img {path!r} holds no array 'mean_img'")
            mean = loaded["mean_img"].asnumpy()
        else:
            logging.info("%s: computing the mean image into %s", self._name, path)
            plain = dict(self._aug, rand_crop=False, rand_mirror=False, mirror=False)
            total = np.zeros(self.data_shape, np.float64)
            for number, offset in zip(self._numbers, self._offsets):
                image, _, _ = self._process(self._read(offset, number), number, plain, None)
                total += image
            mean = (total / len(self._offsets)).astype(np.float32)
            save(path, {"mean_img": NDArray(mean)})
        if mean.shape != self.data_shape:
            raise MXNetError(f"{self._name}: mean_img {path!r} has shape {mean.shape}, "
                             f"data_shape is {self.data_shape}")
        return mean

    # ---- one image ----------------------------------------------------------------------------
    def _read(self, offset: int, number: int) -> bytes:
        self._reader.seek_offset(int(offset), int(number))
        return self._reader.read()

    def _process(self, record: bytes, number: int, aug: dict, rng: np.random.Generator | None
                 ) -> tuple[np.ndarray, np.ndarray, int]:
        """(CHW pixels as float32 RGB, labels, image index) of one record, augmented.

        The steps draw from ``rng`` in MXNet's order: resize, affine, pad, crop, colour, mirror.
        """
        header, payload = recordio.unpack(record)
        where = f"record {number} of {self.path_imgrec!r}"
        image = self._decode(payload, where)
        labels = self._labels(header, where)
        if aug["resize"] > 0:
            rows, cols = image.shape[:2]
            side = aug["resize"]
            new_h, new_w = (side * rows // cols, side) if rows > cols else \
                (side, side * cols // rows)
            image = _scaled(image, new_w, new_h, aug, rng)
        if rng is not None and image_aug.needs_affine(aug):
            image = image_aug.affine(image, aug, rng)
        if aug["pad"] > 0:
            p = aug["pad"]
            image = np.pad(image, ((p, p), (p, p), (0, 0)), constant_values=aug["fill_value"])
        if aug["max_crop_size"] != -1:
            image = self._random_size_crop(image, aug, rng, where)
        else:
            image = self._crop(image, aug, rng, where)
        if rng is not None and self.data_shape[0] >= 3:
            image = _jitter_colours(image, aug, rng)
        flip = aug["mirror"] or (aug["rand_mirror"] and rng is not None and rng.random() < 0.5)
        if flip:
            image = image[:, ::-1]
        return np.transpose(image, (2, 0, 1)), labels, int(header.id)

    def _decode(self, payload: bytes, where: str) -> np.ndarray:
        """The HWC image of a record, with the channels of ``data_shape``."""
        from ..image.image import _decode_rgb

        channels = self.data_shape[0]
        try:
            image = _decode_rgb(payload, {1: 0, 3: 1, 4: -1}[channels])
        except MXNetError as err:
            raise MXNetError(f"{self._name}: cannot decode the image in {where}: {err}") from None
        if image.ndim == 2:
            image = image[:, :, None]
        if image.shape[2] != channels:
            raise MXNetError(f"{self._name}: Invalid image in {where}: expected {channels} "
                             f"channels, got {image.shape[2]}")
        return image

    def _random_size_crop(self, image: np.ndarray, aug: dict, rng: np.random.Generator | None,
                          where: str) -> np.ndarray:
        """A square of a side between min_crop_size and max_crop_size, scaled to the output."""
        _, height, width = self.data_shape
        rows, cols = image.shape[:2]
        if min(rows, cols) < aug["max_crop_size"]:
            raise MXNetError(f"{self._name}: {where}: input image size {cols}x{rows} "
                             f"smaller than max_crop_size {aug['max_crop_size']}")
        side = int(rng.integers(aug["min_crop_size"], aug["max_crop_size"] + 1)) \
            if rng is not None else aug["max_crop_size"]
        y, x = _crop_corner(rows - side, cols - side, aug, rng)
        return _scaled(image[y:y + side, x:x + side], width, height, aug, rng)

    def _crop(self, image: np.ndarray, aug: dict, rng: np.random.Generator | None,
              where: str) -> np.ndarray:
        """A window of the output size, after scaling an image that is too small up to it."""
        _, height, width = self.data_shape
        rows, cols = image.shape[:2]
        if rows < height:
            image = _scaled(image, int(height / rows * cols), height, aug, rng)
        if image.shape[1] < width:
            image = _scaled(image, width, int(width / image.shape[1] * image.shape[0]), aug, rng)
        rows, cols = image.shape[:2]
        if rows < height or cols < width:
            raise MXNetError(f"{self._name}: {where}: input image size smaller than "
                             f"input shape")
        y, x = _crop_corner(rows - height, cols - width, aug, rng)
        return image[y:y + height, x:x + width]

    def _labels(self, header: recordio.IRHeader, where: str) -> np.ndarray:
        if self._label_map is not None:
            if int(header.id) not in self._label_map:
                raise MXNetError(f"{self._name}: {where} has image index {header.id}, which "
                                 f"path_imglist does not list")
            return self._label_map[int(header.id)]
        labels = np.atleast_1d(np.asarray(header.label, np.float32))
        if len(labels) != self.label_width:
            raise MXNetError(f"{self._name}: {where} provides a {len(labels)}-dimensional "
                             f"label but label_width is set to {self.label_width}")
        return labels

    def _job(self, record: bytes, number: int, rng: np.random.Generator, out: np.ndarray
             ) -> tuple[np.ndarray, int]:
        """Process one record into its row ``out`` of the batch; (labels, image index).

        Writing in place (numpy's ``out=``, which works without the GIL) saves stacking the
        images afterwards, which would hold the GIL.
        """
        pixels, labels, image_id = self._process(record, number, self._aug, rng)
        if self.dtype == np.uint8:
            out[...] = pixels
            return labels, image_id
        mean = self._meanimg if self._meanimg is not None else self._mean
        np.subtract(pixels, mean, out=out)
        contrast, illumination = self._aug["max_random_contrast"], \
            self._aug["max_random_illumination"]
        if contrast or illumination:  # (x - mean) * c / std + i / std, c and i drawn per image
            c = np.float32(rng.random() * contrast * 2 - contrast + 1)
            i = np.float32(rng.random() * illumination * 2 - illumination)
            out *= self._mult * c
            out += self._mult * i
        else:
            out *= self._mult
        return labels, image_id

    # ---- the stream of records ----------------------------------------------------------------
    def _order(self, pass_number: int) -> np.ndarray:
        """The record order of a pass (shuffled per pass when asked)."""
        if pass_number not in self._orders:
            count = len(self._offsets)
            order = np.arange(count)
            if self._shuffle:
                order = np.random.default_rng([self._seed, pass_number]).permutation(count)
            self._orders = {pass_number: order}  # only the current pass is needed
        return self._orders[pass_number]

    def _rng(self, pass_number: int, position: int, record: int) -> np.random.Generator:
        if self._seed_aug is not None:
            return np.random.default_rng([int(self._seed_aug), record])
        return np.random.default_rng([self._seed, pass_number, position])

    def _plan_batch(self) -> bool:
        """Submit the next batch of this epoch to the pool; False at the end of the epoch."""
        cursor = self._planned
        if cursor.overflow:
            return False
        count = len(self._offsets)
        taken = []  # (pass, position) of each image
        pass_number, position = cursor.pass_number, cursor.position
        for _ in range(min(self.batch_size, count - position)):
            taken.append((pass_number, position))
            position += 1
        if not taken:
            return False
        pad = self.batch_size - len(taken)
        overflow = False
        if pad and self.round_batch:
            if pad > count:
                raise MXNetError(f"{self._name}: number of input images ({count}) must be "
                                 f"bigger than the batch size ({self.batch_size})")
            pass_number, position, overflow = pass_number + 1, pad, True
            taken += [(pass_number, p) for p in range(pad)]
        data = np.empty((self.batch_size,) + self.data_shape, self.dtype)
        futures = []
        for row, (pass_of, p) in enumerate(taken):
            record = int(self._order(pass_of)[p])
            number = int(self._numbers[record])
            raw = self._read(self._offsets[record], number)
            futures.append(self._pool.submit(self._job, raw, number,
                                             self._rng(pass_of, p, number), data[row]))
        self._planned = replace(cursor, pass_number=pass_number, position=position,
                                overflow=overflow)
        self._queue.append((data, futures, pad, self._planned))
        return True

    def _fill_queue(self) -> None:
        while not self._epoch_done and len(self._queue) < self._prefetch:
            if not self._plan_batch():
                self._epoch_done = True

    def _drop_queue(self) -> None:
        for _, futures, _, _ in self._queue:
            for future in futures:
                future.cancel()
        self._queue.clear()
        self._planned = self._consumed
        self._epoch_done = False

    # ---- the iterator protocol ------------------------------------------------------------------
    def reset(self) -> None:
        """Start the next epoch (after a borrowed last batch, it continues after it)."""
        self._drop_queue()
        cursor = self._consumed
        if cursor.overflow:
            cursor = replace(cursor, overflow=False)
        else:
            cursor = _Cursor(pass_number=cursor.pass_number + (cursor.position > 0))
        self._consumed = self._planned = cursor

    def iter_next(self) -> bool:
        """Prepare the next batch; False at the end of the epoch."""
        self._fill_queue()
        if not self._queue:
            self.current_batch = None
            return False
        data, futures, pad, cursor = self._queue.popleft()
        try:
            results = [future.result() for future in futures]
        except BaseException:
            self._drop_queue()
            raise
        self._consumed = cursor
        label = np.zeros((self.batch_size, self.label_width), np.float32)
        index = np.zeros(self.batch_size, np.uint64)
        for row, (labels, image_id) in enumerate(results):
            label[row], index[row] = labels, image_id
        filled = len(results)
        if filled < self.batch_size:  # only without round_batch
            # MXNet's buffer still holds the previous batch's images in the unfilled rows
            if self._previous is None:
                data[filled:] = 0
            else:
                for part, old in zip((data, label, index), self._previous):
                    part[filled:] = old[filled:]
        self._previous = (data, label, index)
        if self.label_width == 1:
            label = label[:, 0]
        self.current_batch = DataBatch([NDArray(data)], [NDArray(label)], pad=pad,
                                       index=index)
        self._fill_queue()
        return True


class ImageRecordUInt8Iter(ImageRecordIter):
    """``ImageRecordIter`` giving the augmented pixels as uint8 (no mean, std or scale)."""

    _DEFAULT_DTYPE = "uint8"


def _scaled(image: np.ndarray, new_w: int, new_h: int, aug: dict,
            rng: np.random.Generator | None) -> np.ndarray:
    """``image`` resized to ``new_w x new_h``; inter_method 10 draws a method per resize."""
    from ..image.image import _get_interp_method
    from ..image.resize import resize

    method = aug["inter_method"]
    if method == 10:
        method = int(rng.integers(0, 5)) if rng is not None else 1
    else:
        method = _get_interp_method(method, (image.shape[0], image.shape[1], new_h, new_w))
    return resize(image, new_w, new_h, method)


def _crop_corner(spare_rows: int, spare_cols: int, aug: dict,
                 rng: np.random.Generator | None) -> tuple[int, int]:
    """The top-left corner of a crop: random with rand_crop (while augmenting), else central."""
    if aug["rand_crop"] and rng is not None:
        return int(rng.integers(0, spare_rows + 1)), int(rng.integers(0, spare_cols + 1))
    return spare_rows // 2, spare_cols // 2


def _jitter_colours(image: np.ndarray, aug: dict, rng: np.random.Generator) -> np.ndarray:
    """Brightness, contrast and saturation; hue, saturation and lightness; PCA noise."""
    if aug["brightness"] > 0 or aug["contrast"] > 0 or aug["saturation"] > 0:
        image = image_aug.color_jitter(image, aug, rng)
    if aug["random_h"] or aug["random_s"] or aug["random_l"]:
        image = image_aug.hls_jitter(image, aug, rng)
    if aug["pca_noise"] > 0:
        image = image_aug.pca_noise(image, aug, rng)
    return image

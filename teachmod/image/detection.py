"""``mx.image.detection`` (also ``mx.image.det``): augmenters and ``ImageDetIter`` for detection.

A detection label is a flat list of numbers: a header, then one row per object::

    [header_width, object_width, (more header...), id, xmin, ymin, xmax, ymax, (extra...), ...]

``header_width`` (2 or more) counts the header numbers, ``object_width`` (5 or more) the numbers
of each object. Box corners are fractions of the image width and height, in [0, 1]. Inside
the iterator a label is a numpy array with one object per row, ``(objects, object_width)``;
a batch label is ``(batch_size, max objects, object_width)`` and the rows an image does not
use are -1.

A detection augmenter is called as ``aug(image, label)`` and returns the new ``(image,
label)``: a flip or a crop moves the boxes with the pixels. ``DetBorrowAug`` wraps an
``mx.image`` augmenter that does not move pixels (colour, cast, resize of the whole image).
The random choices use Python's ``random`` in MXNet's order, so ``random.seed`` repeats them.
"""
from __future__ import annotations

import json
import logging
import numbers
import random
import warnings
from math import sqrt
from typing import Any, Iterator, Sequence

import numpy as np

from ..base import MXNetError
from ..io.io import DataDesc
from ..ndarray.ndarray import NDArray
from .image import (
    _IMAGENET_EIGVAL,
    _IMAGENET_EIGVEC,
    _IMAGENET_MEAN,
    _IMAGENET_STD,
    Augmenter,
    CastAug,
    ColorJitterAug,
    ColorNormalizeAug,
    ForceResizeAug,
    HueJitterAug,
    LightingAug,
    RandomGrayAug,
    ResizeAug,
    _np,
    copyMakeBorder,
    fixed_crop,
)
from .image_iter import ImageIter

__all__ = [
    "DetAugmenter", "DetBorrowAug", "DetRandomSelectAug", "DetHorizontalFlipAug",
    "DetRandomCropAug", "DetRandomPadAug", "CreateMultiRandCropAugmenter", "CreateDetAugmenter",
    "ImageDetIter",
]


def _pair(name: str, value: Any, owner: str) -> tuple[float, float]:
    """``value`` as a (low, high) pair: a single number ``v`` means (v, v)."""
    if isinstance(value, numbers.Number):
        logging.info("Using fixed %s: %s in %s", name, value, owner)
        return (value, value)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return (value[0], value[1])
    raise ValueError(f"{owner}: {name} must be a number or a (low, high) pair, got {value!r}")


def _areas(boxes: np.ndarray) -> np.ndarray:
    """Areas of (xmin, ymin, xmax, ymax) rows; an empty box has area 0."""
    return (np.maximum(0.0, boxes[:, 2] - boxes[:, 0])
            * np.maximum(0.0, boxes[:, 3] - boxes[:, 1]))


# ================================================================================================
# Augmenters: (image, label) -> (image, label)
# ================================================================================================
class DetAugmenter:
    """Base class of the detection augmenters; ``dumps()`` describes one as JSON."""

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = {key: (_np(value).tolist() if isinstance(value, (NDArray, np.ndarray))
                              else value) for key, value in kwargs.items()}

    def dumps(self) -> Any:
        """JSON ``[class name in lower case, arguments]``."""
        return json.dumps([type(self).__name__.lower(), self._kwargs])

    def __call__(self, src: NDArray, label: np.ndarray) -> tuple[NDArray, np.ndarray]:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__")


class DetBorrowAug(DetAugmenter):
    """Use an image augmenter that leaves the boxes where they are (colour, cast, resize)."""

    def __init__(self, augmenter: Augmenter) -> None:
        if not isinstance(augmenter, Augmenter):
            raise TypeError(f"DetBorrowAug: augmenter must be an mx.image.Augmenter, got "
                            f"{type(augmenter).__name__}")
        super().__init__(augmenter=augmenter.dumps())
        self.augmenter = augmenter

    def dumps(self) -> list:
        """``[name, the borrowed augmenter's dumps()]``."""
        return [type(self).__name__.lower(), self.augmenter.dumps()]

    def __call__(self, src: NDArray, label: np.ndarray) -> tuple[NDArray, np.ndarray]:
        return self.augmenter(src), label


class DetRandomSelectAug(DetAugmenter):
    """Apply one augmenter of ``aug_list`` picked at random, or none with ``skip_prob``."""

    def __init__(self, aug_list: DetAugmenter | Sequence[DetAugmenter],
                 skip_prob: float = 0) -> None:
        super().__init__(skip_prob=skip_prob)
        aug_list = list(aug_list) if isinstance(aug_list, (list, tuple)) else [aug_list]
        for aug in aug_list:
            if not isinstance(aug, DetAugmenter):
                raise ValueError(f"DetRandomSelectAug: aug_list must hold DetAugmenters only, "
                                 f"got a {type(aug).__name__}")
        self.aug_list = aug_list
        self.skip_prob = skip_prob if aug_list else 1  # nothing to select: always skip

    def dumps(self) -> list:
        """``[name, [each augmenter's dumps()]]``."""
        return [type(self).__name__.lower(), [aug.dumps() for aug in self.aug_list]]

    def __call__(self, src: NDArray, label: np.ndarray) -> tuple[NDArray, np.ndarray]:
        if random.random() < self.skip_prob:
            return src, label
        random.shuffle(self.aug_list)
        return self.aug_list[0](src, label)


class DetHorizontalFlipAug(DetAugmenter):
    """With probability ``p``, mirror left to right: (xmin, xmax) become (1 - xmax, 1 - xmin)."""

    def __init__(self, p: float) -> None:
        super().__init__(p=p)
        self.p = p

    def __call__(self, src: NDArray, label: np.ndarray) -> tuple[NDArray, np.ndarray]:
        if random.random() < self.p:
            src = NDArray(np.ascontiguousarray(_np(src)[:, ::-1]))
            label = label.copy()
            label[:, [1, 3]] = 1.0 - label[:, [3, 1]]
        return src, label


def _ranges_usable(where: str, area_range: tuple, area_above: float,
                   aspect_ratio_range: tuple) -> bool:
    """Whether a random crop or pad can draw from these ranges; if not, warn (as MXNet does)
    that the augmenter is disabled."""
    if area_range[1] <= area_above or area_range[0] > area_range[1]:
        warnings.warn(f"{where} is disabled: area_range {area_range} is not a (low, high) "
                      f"range with high > {area_above}", stacklevel=3)
        return False
    if aspect_ratio_range[0] <= 0 or aspect_ratio_range[0] > aspect_ratio_range[1]:
        warnings.warn(f"{where} is disabled: aspect_ratio_range {aspect_ratio_range} is not a "
                      f"(low, high) range with low > 0", stacklevel=3)
        return False
    return True


class DetRandomCropAug(DetAugmenter):
    """Crop a random region that keeps enough of the objects; boxes are clipped to it.

    Parameters
    ----------
    min_object_covered : float, default 0.1
        Every object the crop touches must keep more than this fraction of its area.
    aspect_ratio_range : (float, float), default (0.75, 1.33)
        Range of the crop's width / height (in pixels).
    area_range : (float, float), default (0.05, 1.0)
        Range of the crop's area, as a fraction of the image's.
    min_eject_coverage : float, default 0.3
        An object keeping this fraction of its area or less is dropped from the label.
    max_attempts : int, default 50
        Proposals to try; if none fits, the image and label are returned unchanged.
    """

    def __init__(self, min_object_covered: float = 0.1,
                 aspect_ratio_range: Any = (0.75, 1.33), area_range: Any = (0.05, 1.0),
                 min_eject_coverage: float = 0.3, max_attempts: int = 50) -> None:
        aspect_ratio_range = _pair("aspect_ratio_range", aspect_ratio_range, "DetRandomCropAug")
        area_range = _pair("area_range", area_range, "DetRandomCropAug")
        super().__init__(min_object_covered=min_object_covered,
                         aspect_ratio_range=aspect_ratio_range, area_range=area_range,
                         min_eject_coverage=min_eject_coverage, max_attempts=max_attempts)
        self.min_object_covered = min_object_covered
        self.min_eject_coverage = min_eject_coverage
        self.max_attempts = max_attempts
        self.aspect_ratio_range = aspect_ratio_range
        self.area_range = area_range
        self.enabled = _ranges_usable("DetRandomCropAug", area_range, 0, aspect_ratio_range)

    def __call__(self, src: NDArray, label: np.ndarray) -> tuple[NDArray, np.ndarray]:
        crop = self._random_crop_proposal(label, src.shape[0], src.shape[1])
        if crop:
            x, y, w, h, label = crop
            src = fixed_crop(src, x, y, w, h, None)
        return src, label

    def _check_satisfy_constraints(self, label: np.ndarray, xmin: int, ymin: int, xmax: int,
                                   ymax: int, width: int, height: int) -> bool:
        """Whether the pixel box (xmin, ymin, xmax, ymax) keeps enough of each object it touches."""
        if (xmax - xmin) * (ymax - ymin) < 2:
            return False  # a single pixel
        boxes = label[:, 1:5]
        areas = _areas(boxes)
        real = areas * width * height > 2  # objects bigger than 2 pixels
        if not real.any():
            return False
        boxes, areas = boxes[real], areas[real]
        inside = np.stack([np.maximum(boxes[:, 0], xmin / width),
                           np.maximum(boxes[:, 1], ymin / height),
                           np.minimum(boxes[:, 2], xmax / width),
                           np.minimum(boxes[:, 3], ymax / height)], axis=1)
        coverage = _areas(inside) / areas
        touched = coverage[coverage > 0]
        return touched.size > 0 and touched.min() > self.min_object_covered

    def _update_labels(self, label: np.ndarray, crop_box: tuple[int, int, int, int],
                       height: int, width: int) -> np.ndarray | None:
        """Boxes in the crop's coordinates, clipped to it; None if no object is kept."""
        x0, y0 = crop_box[0] / width, crop_box[1] / height
        scale_w, scale_h = crop_box[2] / width, crop_box[3] / height
        out = label.copy()
        out[:, [1, 3]] = (out[:, [1, 3]] - x0) / scale_w
        out[:, [2, 4]] = (out[:, [2, 4]] - y0) / scale_h
        out[:, 1:5] = np.clip(out[:, 1:5], 0, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            coverage = _areas(out[:, 1:5]) * scale_w * scale_h / _areas(label[:, 1:5])
        keep = ((out[:, 3] > out[:, 1]) & (out[:, 4] > out[:, 2])
                & (coverage > self.min_eject_coverage))
        return out[keep] if keep.any() else None

    def _random_crop_proposal(self, label: np.ndarray, height: int, width: int) -> tuple:
        """(x, y, w, h, new label) of an acceptable crop, or () after max_attempts."""
        if not self.enabled or height <= 0 or width <= 0:
            return ()
        min_area = self.area_range[0] * height * width
        max_area = self.area_range[1] * height * width
        for _ in range(self.max_attempts):
            ratio = random.uniform(*self.aspect_ratio_range)
            if ratio <= 0:
                continue
            h = int(round(sqrt(min_area / ratio)))
            max_h = int(round(sqrt(max_area / ratio)))
            if round(max_h * ratio) > width:
                max_h = int((width + 0.4999999) / ratio)  # largest h with round(h * ratio) <= width
            max_h = min(max_h, height)
            h = min(h, max_h)
            if h < max_h:
                h = random.randint(h, max_h)
            w = int(round(h * ratio))
            area = w * h
            if area < min_area:  # rounding pushed the area out of range: one step back in
                h += 1
                w = int(round(h * ratio))
                area = w * h
            if area > max_area:
                h -= 1
                w = int(round(h * ratio))
                area = w * h
            if not (min_area <= area <= max_area and 0 <= w <= width and 0 <= h <= height):
                continue
            y = random.randint(0, max(0, height - h))
            x = random.randint(0, max(0, width - w))
            if self._check_satisfy_constraints(label, x, y, x + w, y + h, width, height):
                new_label = self._update_labels(label, (x, y, w, h), height, width)
                if new_label is not None:
                    return (x, y, w, h, new_label)
        return ()


class DetRandomPadAug(DetAugmenter):
    """Put the image at a random place on a larger canvas of ``pad_val``; boxes shrink with it.

    Parameters
    ----------
    aspect_ratio_range : (float, float), default (0.75, 1.33)
        Range of the canvas's width / height.
    area_range : (float, float), default (1.0, 3.0)
        Range of the canvas's area, as a multiple of the image's (high must be > 1).
    max_attempts : int, default 50
        Proposals to try; if none fits, the image and label are returned unchanged.
    pad_val : float or tuple of float, default (128, 128, 128)
        Colour of the canvas.
    """

    def __init__(self, aspect_ratio_range: Any = (0.75, 1.33), area_range: Any = (1.0, 3.0),
                 max_attempts: int = 50, pad_val: Any = (128, 128, 128)) -> None:
        if not isinstance(pad_val, (numbers.Number, list, tuple)):
            raise ValueError(f"DetRandomPadAug: pad_val must be a number or one per channel, "
                             f"got {pad_val!r}")
        aspect_ratio_range = _pair("aspect_ratio_range", aspect_ratio_range, "DetRandomPadAug")
        area_range = _pair("area_range", area_range, "DetRandomPadAug")
        super().__init__(aspect_ratio_range=aspect_ratio_range, area_range=area_range,
                         max_attempts=max_attempts, pad_val=pad_val)
        self.pad_val = pad_val
        self.aspect_ratio_range = aspect_ratio_range
        self.area_range = area_range
        self.max_attempts = max_attempts
        self.enabled = _ranges_usable("DetRandomPadAug", area_range, 1, aspect_ratio_range)

    def __call__(self, src: NDArray, label: np.ndarray) -> tuple[NDArray, np.ndarray]:
        height, width = src.shape[0], src.shape[1]
        pad = self._random_pad_proposal(label, height, width)
        if pad:
            x, y, w, h, label = pad
            src = copyMakeBorder(src, y, h - y - height, x, w - x - width, 0,
                                 values=self.pad_val)
        return src, label

    def _update_labels(self, label: np.ndarray, pad_box: tuple[int, int, int, int],
                       height: int, width: int) -> np.ndarray:
        """Boxes in the coordinates of the canvas (x, y, w, h) the image is placed on."""
        out = label.copy()
        out[:, [1, 3]] = (out[:, [1, 3]] * width + pad_box[0]) / pad_box[2]
        out[:, [2, 4]] = (out[:, [2, 4]] * height + pad_box[1]) / pad_box[3]
        return out

    def _random_pad_proposal(self, label: np.ndarray, height: int, width: int) -> tuple:
        """(x, y, w, h, new label) of a canvas at least 2 pixels larger each way, or ()."""
        if not self.enabled or height <= 0 or width <= 0:
            return ()
        min_area = self.area_range[0] * height * width
        max_area = self.area_range[1] * height * width
        for _ in range(self.max_attempts):
            ratio = random.uniform(*self.aspect_ratio_range)
            if ratio <= 0:
                continue
            h = int(round(sqrt(min_area / ratio)))
            max_h = int(round(sqrt(max_area / ratio)))
            if round(h * ratio) < width:
                h = int((width + 0.499999) / ratio)  # wide enough for the image
            h = min(max(h, height), max_h)
            if h < max_h:
                h = random.randint(h, max_h)
            w = int(round(h * ratio))
            if h - height < 2 or w - width < 2:
                continue  # too little padding to be worth it
            y = random.randint(0, max(0, h - height))
            x = random.randint(0, max(0, w - width))
            return (x, y, w, h, self._update_labels(label, (x, y, w, h), height, width))
        return ()


def CreateMultiRandCropAugmenter(min_object_covered: Any = 0.1,
                                 aspect_ratio_range: Any = (0.75, 1.33),
                                 area_range: Any = (0.05, 1.0), min_eject_coverage: Any = 0.3,
                                 max_attempts: Any = 50, skip_prob: float = 0
                                 ) -> DetRandomSelectAug:
    """A ``DetRandomSelectAug`` over several ``DetRandomCropAug``.

    Each argument is one value for all the crops or a list with one value per crop; lists
    must have the same length (a one-element list counts as one value).

    Examples
    --------
    >>> aug = mx.image.det.CreateMultiRandCropAugmenter(
    ...     min_object_covered=[0.1, 0.3, 0.5], area_range=[(0.1, 1.0), (0.2, 1.0), (0.3, 1.0)])
    """
    names = ("min_object_covered", "aspect_ratio_range", "area_range", "min_eject_coverage",
             "max_attempts")
    values = [v if isinstance(v, list) else [v] for v in (min_object_covered,
              aspect_ratio_range, area_range, min_eject_coverage, max_attempts)]
    count = max(len(v) for v in values)
    for name, v in zip(names, values):
        if len(v) not in (1, count):
            raise ValueError(f"CreateMultiRandCropAugmenter: {name} has {len(v)} values; "
                             f"expected 1 or {count} (the longest list)")
    values = [v * count if len(v) == 1 else v for v in values]
    augs = [DetRandomCropAug(min_object_covered=moc, aspect_ratio_range=arr, area_range=ar,
                             min_eject_coverage=mec, max_attempts=ma)
            for moc, arr, ar, mec, ma in zip(*values)]
    return DetRandomSelectAug(augs, skip_prob=skip_prob)


def CreateDetAugmenter(data_shape: tuple[int, int, int], resize: int = 0, rand_crop: float = 0,
                       rand_pad: float = 0, rand_gray: float = 0, rand_mirror: bool = False,
                       mean: Any = None, std: Any = None, brightness: float = 0,
                       contrast: float = 0, saturation: float = 0, pca_noise: float = 0,
                       hue: float = 0, inter_method: int = 2, min_object_covered: Any = 0.1,
                       aspect_ratio_range: Any = (0.75, 1.33), area_range: Any = (0.05, 3.0),
                       min_eject_coverage: Any = 0.3, max_attempts: Any = 50,
                       pad_val: Any = (127, 127, 127)) -> list[DetAugmenter]:
    """The standard list of detection augmenters, in MXNet's order.

    Resize the shorter side (``resize`` > 0); random crop with probability ``rand_crop``
    (lists in the crop arguments make several crops, see ``CreateMultiRandCropAugmenter``);
    mirror (``rand_mirror``, p=0.5); random pad with probability ``rand_pad``; resize to
    ``data_shape`` (C, H, W); cast to float32; colour jitter; hue; PCA noise; random grey;
    normalise (``mean``/``std``: arrays, or True for the ImageNet values).

    Examples
    --------
    >>> augs = mx.image.CreateDetAugmenter((3, 300, 300), rand_crop=0.5, rand_pad=0.5,
    ...                                    rand_mirror=True, mean=True)
    """
    auglist: list[DetAugmenter] = []
    if resize > 0:
        auglist.append(DetBorrowAug(ResizeAug(resize, inter_method)))
    if rand_crop > 0:
        auglist.append(CreateMultiRandCropAugmenter(
            min_object_covered, aspect_ratio_range, area_range, min_eject_coverage,
            max_attempts, skip_prob=1 - rand_crop))
    if rand_mirror > 0:
        auglist.append(DetHorizontalFlipAug(0.5))
    if rand_pad > 0:  # as late as possible: the image is bigger afterwards
        pad = DetRandomPadAug(aspect_ratio_range, (1.0, area_range[1]), max_attempts, pad_val)
        auglist.append(DetRandomSelectAug([pad], 1 - rand_pad))
    auglist.append(DetBorrowAug(ForceResizeAug((data_shape[2], data_shape[1]), inter_method)))
    auglist.append(DetBorrowAug(CastAug()))
    if brightness or contrast or saturation:
        auglist.append(DetBorrowAug(ColorJitterAug(brightness, contrast, saturation)))
    if hue:
        auglist.append(DetBorrowAug(HueJitterAug(hue)))
    if pca_noise > 0:
        auglist.append(DetBorrowAug(LightingAug(pca_noise, _IMAGENET_EIGVAL, _IMAGENET_EIGVEC)))
    if rand_gray > 0:
        auglist.append(DetBorrowAug(RandomGrayAug(rand_gray)))
    mean = _IMAGENET_MEAN if mean is True else mean
    std = _IMAGENET_STD if std is True else std
    for name, value in (("mean", mean), ("std", std)):
        if value is not None and np.atleast_1d(_np(value)).shape[0] not in (1, 3):
            raise ValueError(f"CreateDetAugmenter: {name} must have 1 or 3 values, got "
                             f"{np.atleast_1d(_np(value)).shape[0]}")
    if mean is not None or std is not None:
        auglist.append(DetBorrowAug(ColorNormalizeAug(mean, std)))
    return auglist


# ================================================================================================
# The iterator
# ================================================================================================
class ImageDetIter(ImageIter):
    """Batches of augmented images and their object labels, from a ``.rec`` file or a list.

    The arguments are ``ImageIter``'s (see there), except that each label is a detection
    label (see the module docstring) and ``label_name`` defaults to 'label'. The label
    shape, ``(max objects, object width)``, is found by reading every label once at
    construction; ``reshape`` or ``sync_label_shape`` can make it larger. ``**kwargs`` go to
    ``CreateDetAugmenter`` unless ``aug_list`` is given. Samples whose label has no valid
    object (also after augmentation) are skipped.

    Examples
    --------
    >>> it = mx.image.ImageDetIter(2, (3, 300, 300), imglist=[[2, 5, 0, .1, .1, .5, .5, 'a.jpg']],
    ...                            path_root='images')
    >>> it.provide_label[0].shape
    (2, 1, 5)
    """

    def __init__(self, batch_size: int, data_shape: tuple[int, int, int],
                 path_imgrec: str | None = None, path_imglist: str | None = None,
                 path_root: str | None = None, path_imgidx: str | None = None,
                 shuffle: bool = False, part_index: int = 0, num_parts: int = 1,
                 aug_list: list | None = None, imglist: list | None = None,
                 data_name: str = "data", label_name: str = "label",
                 last_batch_handle: str = "pad", **kwargs: Any) -> None:
        super().__init__(batch_size, data_shape, path_imgrec=path_imgrec,
                         path_imglist=path_imglist, path_root=path_root,
                         path_imgidx=path_imgidx, shuffle=shuffle, part_index=part_index,
                         num_parts=num_parts, aug_list=[], imglist=imglist,
                         data_name=data_name, label_name=label_name,
                         last_batch_handle=last_batch_handle)
        self.auglist = CreateDetAugmenter(data_shape, **kwargs) if aug_list is None else aug_list
        self.label_shape = self._estimate_label_shape()
        self.provide_label = [DataDesc(label_name, (batch_size,) + self.label_shape)]

    # ---- labels --------------------------------------------------------------------------
    def _parse_label(self, label: Any) -> np.ndarray:
        """The valid objects of a flat detection label, one per row.

        Rows with xmax <= xmin or ymax <= ymin (such as -1 padding) are dropped.
        """
        raw = np.asarray(_np(label), np.float32).ravel()
        if raw.size < 7:
            raise MXNetError(f"ImageDetIter: a label needs at least 7 numbers (header width, "
                             f"object width, one object of 5), got {raw.size}: {raw.tolist()}")
        header_width, obj_width = int(raw[0]), int(raw[1])
        if header_width < 2 or header_width > raw.size:
            raise MXNetError(f"ImageDetIter: label header width (label[0]) must be 2 to "
                             f"{raw.size}, got {raw[0]}")
        if obj_width < 5:
            raise MXNetError(f"ImageDetIter: label object width (label[1]) must be 5 or more "
                             f"(id, xmin, ymin, xmax, ymax), got {raw[1]}")
        if (raw.size - header_width) % obj_width:
            raise MXNetError(f"ImageDetIter: label of {raw.size} numbers does not split into a "
                             f"header of {header_width} and objects of {obj_width}")
        objects = raw[header_width:].reshape(-1, obj_width)
        valid = (objects[:, 3] > objects[:, 1]) & (objects[:, 4] > objects[:, 2])
        if not valid.any():
            raise MXNetError("ImageDetIter: sample has no valid object (each needs xmax > xmin "
                             "and ymax > ymin)")
        return objects[valid]

    def _check_valid_label(self, label: np.ndarray) -> None:
        """Raise if ``label`` is not (objects, 5+) with at least one valid object."""
        if label.ndim != 2 or label.shape[1] < 5:
            raise MXNetError(f"ImageDetIter: label must have shape (objects, 5 or more), got "
                             f"{label.shape}")
        valid = ((label[:, 0] >= 0) & (label[:, 3] > label[:, 1])
                 & (label[:, 4] > label[:, 2]))
        if not valid.any():
            raise MXNetError("ImageDetIter: no valid object left in the label")

    def _estimate_label_shape(self) -> tuple[int, int]:
        """(max objects, object width) over all samples; read once, then reset."""
        count, width, number = 0, None, 0
        self.reset()
        while True:
            try:
                raw, _ = self.next_sample()
            except StopIteration:
                break
            number += 1
            try:
                objects = self._parse_label(raw)
            except MXNetError as err:
                raise MXNetError(f"{err} (sample {number})") from None
            if width is not None and objects.shape[1] != width:
                raise MXNetError(f"ImageDetIter: sample {number} has objects of width "
                                 f"{objects.shape[1]}, earlier samples {width}; all samples "
                                 f"must use one object width")
            width = objects.shape[1]
            count = max(count, objects.shape[0])
        self.reset()
        if width is None:
            raise MXNetError("ImageDetIter: no samples to find the label shape from (the image "
                             "list or record file is empty)")
        return (count, width)

    def check_label_shape(self, label_shape: tuple[int, int]) -> None:
        """Raise ValueError unless ``label_shape`` is (objects >= now, same object width)."""
        if len(label_shape) != 2:
            raise ValueError(f"label_shape must be (max objects, object width), got "
                             f"{tuple(label_shape)}")
        if label_shape[0] < self.label_shape[0]:
            raise ValueError(f"label_shape[0] cannot reduce the number of objects from "
                             f"{self.label_shape[0]} to {label_shape[0]}")
        if label_shape[1] != self.provide_label[0].shape[2]:
            raise ValueError(f"label_shape[1] (object width) must stay "
                             f"{self.provide_label[0].shape[2]}, got {label_shape[1]}")

    def check_data_shape(self, data_shape: tuple[int, int, int]) -> None:
        """Raise ValueError unless ``data_shape`` is (3, height, width)."""
        if len(data_shape) != 3:
            raise ValueError(f"data_shape must be (channels, height, width), got "
                             f"{tuple(data_shape)}")
        if data_shape[0] != 3:
            raise ValueError(f"data_shape[0] (channels) must be 3, got {data_shape[0]}")

    def check_valid_image(self, data: list) -> None:
        """Raise if the first decoded image is empty."""
        if len(data[0].shape) == 0:
            raise MXNetError("ImageDetIter: decoded image is empty")

    def reshape(self, data_shape: tuple[int, int, int] | None = None,
                label_shape: tuple[int, int] | None = None) -> None:
        """Change the data shape (C, H, W) and/or the label shape (objects, width).

        As in MXNet, a new data shape does not change the augmenters: give ones that resize
        to it (``aug_list``), or batches will fail.
        """
        if data_shape is not None:
            self.check_data_shape(data_shape)
            self.data_shape = tuple(data_shape)
            self.provide_data = [DataDesc(self.provide_data[0].name,
                                          (self.batch_size,) + self.data_shape)]
        if label_shape is not None:
            self.check_label_shape(label_shape)
            self.label_shape = tuple(label_shape)
            self.provide_label = [DataDesc(self.provide_label[0].name,
                                           (self.batch_size,) + self.label_shape)]

    def sync_label_shape(self, it: ImageDetIter, verbose: bool = False) -> ImageDetIter:
        """Give this iterator and ``it`` the larger of their object counts; returns ``it``."""
        if not isinstance(it, ImageDetIter):
            raise TypeError(f"sync_label_shape: it must be an ImageDetIter, got "
                            f"{type(it).__name__}")
        mine, theirs = self.label_shape, it.label_shape
        if mine[1] != theirs[1]:
            raise ValueError(f"sync_label_shape: object widths differ: {mine[1]} here, "
                             f"{theirs[1]} in it")
        count = max(mine[0], theirs[0])
        if count > mine[0]:
            self.reshape(None, (count, mine[1]))
        if count > theirs[0]:
            it.reshape(None, (count, theirs[1]))
        if verbose and count > min(mine[0], theirs[0]):
            logging.info("Resized label_shape to (%d, %d).", count, mine[1])
        return it

    # ---- batches ---------------------------------------------------------------------------
    def augmentation_transform(self, data: NDArray, label: np.ndarray  # type: ignore[override]
                               ) -> tuple[NDArray, np.ndarray]:
        """Apply the detection augmenters in order."""
        for aug in self.auglist:
            data, label = aug(data, label)
        return data, label

    def _empty_batch(self) -> tuple[np.ndarray, np.ndarray]:
        """Zeroed data and an all -1 label."""
        data = np.zeros((self.batch_size,) + self.data_shape, np.float32)
        return data, np.full(self.provide_label[0].shape, -1, np.float32)

    def _batchify(self, data: np.ndarray, label: np.ndarray, start: int = 0) -> int:
        """Fill rows ``start``.. of the batch, skipping invalid samples; rows filled in total."""
        i = start
        try:
            while i < self.batch_size:
                raw, s = self.next_sample()
                image = self.imdecode(s)
                try:
                    self.check_valid_image([image])
                    objects = self._parse_label(raw)
                    image, objects = self.augmentation_transform(image, objects)
                    self._check_valid_label(objects)
                except RuntimeError as err:
                    logging.debug("Invalid image, skipping: %s", err)
                    continue
                if objects.shape[0] > label.shape[1] or objects.shape[1] != label.shape[2]:
                    raise MXNetError(f"ImageDetIter: a sample has {objects.shape[0]} objects of "
                                     f"width {objects.shape[1]}; label_shape "
                                     f"{tuple(label.shape[1:])} cannot hold them (reshape it)")
                chw = self.postprocess_data(image)
                if chw.shape != data.shape[1:]:
                    raise MXNetError(f"ImageDetIter: an augmented image has shape {chw.shape} "
                                     f"(CHW), data_shape is {tuple(data.shape[1:])}; the "
                                     f"augmenters must end at data_shape (reshape does not "
                                     f"change them)")
                data[i] = chw
                label[i] = -1
                label[i, :objects.shape[0]] = objects
                i += 1
        except StopIteration:
            if not i:
                raise
        return i

    def draw_next(self, color: tuple | None = None, thickness: int = 2, mean: Any = None,
                  std: Any = None, clip: bool = True, waitKey: int | None = None,
                  window_name: str = "draw_next", id2labels: dict | None = None
                  ) -> Iterator[np.ndarray]:
        """Yield the next augmented images (HWC uint8, RGB) with their boxes drawn.

        ``mean``/``std`` (arrays, or True for ImageNet's) undo the normalisation. Unlike
        MXNet (OpenCV), no window is shown and ``id2labels`` names are not written.
        """
        if waitKey is not None:
            raise MXNetError("draw_next: teachmod cannot open a window; use waitKey=None and "
                             "show the yielded images yourself")
        std = _IMAGENET_STD if std is True else std
        mean = _IMAGENET_MEAN if mean is True else mean
        while True:
            try:
                raw, s = self.next_sample()
            except StopIteration:
                return
            image = self.imdecode(s)
            try:
                self.check_valid_image([image])
                objects = self._parse_label(raw)
            except RuntimeError as err:
                logging.debug("Invalid image, skipping: %s", err)
                continue
            image, objects = self.augmentation_transform(image, objects)
            pixels = _np(image).astype(np.float64)
            if std is not None:
                pixels = pixels * np.asarray(_np(std), np.float64)
            if mean is not None:
                pixels = pixels + np.asarray(_np(mean), np.float64)
            if clip:
                pixels = np.clip(pixels, 0, 255)
            pixels = pixels.astype(np.uint8)
            height, width = pixels.shape[:2]
            for row in objects:
                if row[1] < 0:
                    continue
                x1, y1 = int(row[1] * width), int(row[2] * height)
                x2, y2 = int(row[3] * width), int(row[4] * height)
                box_color = color if color else np.random.rand(3) * 255
                t = thickness
                for ya, yb, xa, xb in ((y1, y1 + t, x1, x2 + 1), (y2 - t + 1, y2 + 1, x1, x2 + 1),
                                       (y1, y2 + 1, x1, x1 + t), (y1, y2 + 1, x2 - t + 1, x2 + 1)):
                    pixels[max(ya, 0):max(yb, 0), max(xa, 0):max(xb, 0)] = box_color
            yield pixels

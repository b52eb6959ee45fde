"""``mx.image``: decode, resize, crop and normalise images, as MXNet's ``mxnet.image`` does.

Images are NDArrays in HWC layout (height, width, channels), uint8 after decoding, RGB unless
``to_rgb=0`` asks for OpenCV's BGR. MXNet decodes with OpenCV; teachmod decodes with Pillow,
which uses the same libjpeg/libpng/zlib code, so PNG pixels are identical and JPEG pixels agree
with OpenCV's to within a level or two (decoder versions differ in their IDCT and chroma
upsampling). Resizing is OpenCV's arithmetic in numpy (``resize.py``).

The random augmenters draw from Python's ``random`` module (and ``numpy.random`` for the PCA
lighting noise), as MXNet's do, so ``random.seed`` makes them repeatable.
"""
from __future__ import annotations

import io
import json
import numbers
import random
from typing import Any, Sequence

import numpy as np

from ..base import MXNetError
from ..ndarray.ndarray import NDArray
from .resize import INTERPOLATIONS, resize

__all__ = [
    "imread", "imdecode", "imresize", "scale_down", "copyMakeBorder", "resize_short",
    "fixed_crop", "random_crop", "center_crop", "color_normalize", "random_size_crop",
    "imrotate", "random_rotate", "Augmenter", "SequentialAug", "RandomOrderAug", "ResizeAug",
    "ForceResizeAug", "RandomCropAug", "RandomSizedCropAug", "CenterCropAug",
    "BrightnessJitterAug", "ContrastJitterAug", "SaturationJitterAug", "HueJitterAug",
    "ColorJitterAug", "LightingAug", "ColorNormalizeAug", "RandomGrayAug", "HorizontalFlipAug",
    "CastAug", "CreateAugmenter",
]


def _np(src: Any) -> np.ndarray:
    return src.asnumpy() if isinstance(src, NDArray) else np.asarray(src)


def _write(result: np.ndarray, out: NDArray | None) -> NDArray:
    """``result`` as an NDArray, or copied into ``out`` (then ``out`` is returned)."""
    if out is None:
        return NDArray(result)
    if tuple(out.shape) != result.shape:
        raise MXNetError(f"out has shape {tuple(out.shape)}, the result has {result.shape}")
    out[:] = result
    return out


# ================================================================================================
# Decoding and encoding (Pillow; imported on first use so `import teachmod` stays fast)
# ================================================================================================
_ORIENTATION = 0x0112  # the EXIF tag OpenCV follows when it decodes a colour or grey image


def _decode_rgb(buf: bytes, flag: int = 1) -> np.ndarray:
    """Decode image bytes as ``cv2.imdecode`` does, but in RGB(A) order: HWC uint8, 2-D for grey.

    flag 1: 3 channels; 0: grey; -1: as stored (1, 3 or 4 channels).
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    if len(buf) == 0:
        raise MXNetError("imdecode: the buffer is empty")
    try:
        image = Image.open(io.BytesIO(bytes(buf)))
        if flag == 0 and image.format == "JPEG":
            image.draft("L", image.size)  # libjpeg's own grey output, as OpenCV asks for
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as err:
        raise MXNetError(f"imdecode: the {len(buf)} bytes are not an image Pillow can decode "
                         f"({err})") from None
    if flag != -1 and image.getexif().get(_ORIENTATION, 1) != 1:
        image = ImageOps.exif_transpose(image)
    if flag == 0:
        mode = "L"
    elif flag == 1:
        mode = "RGB"
    else:
        mode = {"L": "L", "RGB": "RGB", "RGBA": "RGBA", "LA": "RGBA", "P": "RGBA"
                if "transparency" in image.info else "RGB"}.get(image.mode, "RGB")
    if image.mode != mode:
        image = image.convert(mode)
    return np.asarray(image)


def _swap_rb(pixels: np.ndarray) -> np.ndarray:
    """RGB(A) <-> BGR(A) (OpenCV's order); grey images are returned as they are."""
    if pixels.ndim == 3 and pixels.shape[2] >= 3:
        return np.ascontiguousarray(pixels[:, :, [2, 1, 0, 3][:pixels.shape[2]]])
    return pixels


def _decode_bgr(buf: bytes, flag: int = 1) -> np.ndarray:
    """Decode image bytes as ``cv2.imdecode`` does: HWC uint8 in BGR(A) order, 2-D for grey."""
    return _swap_rb(_decode_rgb(buf, flag))


def _encode_bgr(img: np.ndarray, quality: int, img_fmt: str) -> bytes:
    """Encode a BGR (or grey) uint8 image as ``cv2.imencode`` does (JPEG or PNG bytes)."""
    from PIL import Image

    img = _np(img)
    if img.dtype != np.uint8:
        raise MXNetError(f"pack_img: the image must be uint8, got {img.dtype}")
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    image = Image.fromarray(np.ascontiguousarray(_swap_rb(img)))
    out = io.BytesIO()
    fmt = img_fmt.lower()
    # out-of-range settings are clamped, as OpenCV does
    if fmt in (".jpg", ".jpeg"):
        image.save(out, format="JPEG", quality=min(max(int(quality), 1), 100))
    elif fmt == ".png":
        image.save(out, format="PNG", compress_level=min(max(int(quality), 0), 9))
    else:
        raise ValueError(f"pack_img: img_fmt must be '.jpg', '.jpeg' or '.png', got {img_fmt!r}")
    return out.getvalue()


def _decode(buf: Any, flag: int, to_rgb: int) -> np.ndarray:
    """HWC uint8 (grey as (H, W, 1)), RGB unless ``to_rgb`` is false."""
    if isinstance(buf, NDArray):
        buf = buf.asnumpy()
    if isinstance(buf, np.ndarray):
        buf = buf.astype(np.uint8, copy=False).tobytes()
    if not isinstance(buf, (bytes, bytearray, memoryview)):
        raise TypeError(f"imdecode: buf must be bytes, bytearray or a uint8 array, got "
                        f"{type(buf).__name__}")
    pixels = _decode_rgb(buf, flag)
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    elif not to_rgb:
        pixels = _swap_rb(pixels)
    return pixels if pixels.flags.writeable else pixels.copy()  # Pillow's buffer is read-only


def imdecode(buf: Any, flag: int = 1, to_rgb: int = 1, out: NDArray | None = None) -> NDArray:
    """Decode an image (JPEG, PNG, BMP, ... bytes) to an NDArray, HWC uint8.

    Parameters
    ----------
    buf : bytes, bytearray or numpy.ndarray of uint8
        The encoded image.
    flag : int, default 1
        1: colour (3 channels); 0: grey (1 channel).
    to_rgb : int, default 1
        1: RGB channel order; 0: BGR, as OpenCV.
    out : NDArray, optional
        Written into when given.

    Examples
    --------
    >>> with open('cat.jpg', 'rb') as f:
    ...     image = mx.image.imdecode(f.read())
    >>> image.shape
    (600, 800, 3)
    """
    return _write(_decode(buf, flag, to_rgb), out)


def imread(filename: str, flag: int = 1, to_rgb: int = 1, out: NDArray | None = None) -> NDArray:
    """Read and decode an image file (see ``imdecode``)."""
    try:
        with open(filename, "rb") as file:
            buf = file.read()
    except OSError as err:
        raise MXNetError(f"imread: cannot read {filename!r}: {err.strerror}") from None
    try:
        return imdecode(buf, flag, to_rgb, out)
    except MXNetError as err:
        raise MXNetError(f"imread: {filename!r}: {err}") from None


# ================================================================================================
# Geometry
# ================================================================================================
def _get_interp_method(interp: int, sizes: Sequence[int] = ()) -> int:
    """The interpolation code to use: 9 picks by direction, 10 at random (as MXNet)."""
    if interp == 9:
        if sizes:
            old_h, old_w, new_h, new_w = sizes
            if new_h > old_h and new_w > old_w:
                return 2  # bicubic to enlarge
            if new_h < old_h and new_w < old_w:
                return 3  # area to shrink
        return 1
    if interp == 10:
        return random.randint(0, 4)
    if interp not in INTERPOLATIONS:
        raise ValueError(f"Unknown interp method {interp}: choose one of "
                         f"{sorted(INTERPOLATIONS)} (9 auto, 10 random)")
    return interp


def imresize(src: Any, w: int, h: int, interp: int = 1, out: NDArray | None = None) -> NDArray:
    """Resize an HWC image to width ``w`` and height ``h`` (``interp`` as in ``resize.py``)."""
    image = _np(src)
    sizes = (image.shape[0], image.shape[1], h, w)
    return _write(resize(image, int(w), int(h), _get_interp_method(interp, sizes)), out)


def scale_down(src_size: tuple[int, int], size: tuple[int, int]) -> tuple[int, int]:
    """Shrink ``size`` (w, h), keeping its aspect ratio, until it fits in ``src_size`` (w, h).

    >>> mx.image.scale_down((640, 480), (720, 120))
    (640, 106)
    """
    w, h = size
    sw, sh = src_size
    if sh < h:
        w, h = float(w * sh) / h, sh
    if sw < w:
        w, h = sw, float(h * sw) / w
    return int(w), int(h)


_BORDERS = {0: "constant", 1: "edge", 2: "symmetric", 3: "wrap", 4: "reflect"}


def copyMakeBorder(src: Any, top: int, bot: int, left: int, right: int, type: int = 0,
                   values: Any = 0.0, out: NDArray | None = None) -> NDArray:
    """Pad an HWC image as ``cv2.copyMakeBorder``.

    ``type``: 0 constant (``values``, one or one per channel), 1 replicate, 2 reflect
    (``fedcba|abcdef|fedcba``), 3 wrap, 4 reflect-101 (``fedcb|abcdef|edcba``).
    """
    image = _np(src)
    if type not in _BORDERS:
        raise ValueError(f"copyMakeBorder: type must be one of {sorted(_BORDERS)}, got {type}")
    widths = [(top, bot), (left, right)] + [(0, 0)] * (image.ndim - 2)
    if type != 0:
        return _write(np.pad(image, widths, mode=_BORDERS[type]), out)
    h, w = image.shape[:2]
    padded = np.empty((h + top + bot, w + left + right) + image.shape[2:], image.dtype)
    fill = np.asarray(_np(values), np.float64).ravel()
    padded[...] = fill[:image.shape[2]] if image.ndim == 3 and fill.size > 1 else fill[0]
    padded[top:top + h, left:left + w] = image
    return _write(padded, out)


def resize_short(src: Any, size: int, interp: int = 2) -> NDArray:
    """Resize so that the shorter side is ``size``, keeping the aspect ratio (HWC)."""
    h, w = _np(src).shape[:2]
    if h > w:
        new_h, new_w = size * h // w, size
    else:
        new_h, new_w = size, size * w // h
    return imresize(src, new_w, new_h, interp=_get_interp_method(interp, (h, w, new_h, new_w)))


def fixed_crop(src: Any, x0: int, y0: int, w: int, h: int, size: tuple[int, int] | None = None,
               interp: int = 2) -> NDArray:
    """The region (x0, y0, w, h) of an HWC image, resized to ``size`` (w, h) if given."""
    out = _np(src)[y0:y0 + h, x0:x0 + w]
    if size is not None and (w, h) != tuple(size):
        sizes = (h, w, size[1], size[0])
        return imresize(out, *size, interp=_get_interp_method(interp, sizes))
    return NDArray(np.ascontiguousarray(out))


def random_crop(src: Any, size: tuple[int, int], interp: int = 2
                ) -> tuple[NDArray, tuple[int, int, int, int]]:
    """A random crop of ``size`` (w, h), scaled down first if the image is smaller.

    Returns the crop and its (x0, y0, w, h).
    """
    h, w = _np(src).shape[:2]
    new_w, new_h = scale_down((w, h), size)
    x0 = random.randint(0, w - new_w)
    y0 = random.randint(0, h - new_h)
    return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)


def center_crop(src: Any, size: tuple[int, int], interp: int = 2
                ) -> tuple[NDArray, tuple[int, int, int, int]]:
    """The central crop of ``size`` (w, h), scaled down first if the image is smaller.

    Returns the crop and its (x0, y0, w, h).
    """
    h, w = _np(src).shape[:2]
    new_w, new_h = scale_down((w, h), size)
    x0 = int((w - new_w) / 2)
    y0 = int((h - new_h) / 2)
    return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)


def color_normalize(src: Any, mean: Any, std: Any = None) -> NDArray:
    """``(src - mean) / std`` per channel (``std`` optional)."""
    out = _np(src) - _np(mean) if mean is not None else _np(src)
    if std is not None:
        out = out / _np(std)
    return NDArray(np.asarray(out, dtype=np.float32))


def random_size_crop(src: Any, size: tuple[int, int], area: Any, ratio: tuple[float, float],
                     interp: int = 2) -> tuple[NDArray, tuple[int, int, int, int]]:
    """A crop of random area (fraction ``area``, or a (min, max) range) and aspect ratio
    (``ratio`` range, drawn log-uniformly), resized to ``size``; after 10 failed draws, the
    central crop. Returns the crop and its (x0, y0, w, h)."""
    h, w = _np(src).shape[:2]
    if isinstance(area, numbers.Number):
        area = (area, 1.0)
    for _ in range(10):
        target_area = random.uniform(area[0], area[1]) * h * w
        new_ratio = np.exp(random.uniform(np.log(ratio[0]), np.log(ratio[1])))
        new_w = int(round(np.sqrt(target_area * new_ratio)))
        new_h = int(round(np.sqrt(target_area / new_ratio)))
        if new_w <= w and new_h <= h:
            x0 = random.randint(0, w - new_w)
            y0 = random.randint(0, h - new_h)
            return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)
    return center_crop(src, size, interp)


def _bilinear_sample(images: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Sample NCHW ``images`` at pixel coordinates (x, y) of shape (N, H, W); zero outside."""
    n, c, h, w = images.shape
    x0, y0 = np.floor(x).astype(np.int64), np.floor(y).astype(np.int64)
    out = np.zeros((n, c) + x.shape[1:], np.float32)
    batch = np.arange(n)[:, None, None]
    for dy in (0, 1):
        for dx in (0, 1):
            xi, yi = x0 + dx, y0 + dy
            weight = (1 - np.abs(x - xi)) * (1 - np.abs(y - yi))
            inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
            pixels = images[batch, :, np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)]
            out += np.moveaxis(pixels * (weight * inside)[..., None], -1, 1)
    return out


def imrotate(src: NDArray, rotation_degrees: Any, zoom_in: bool = False,
             zoom_out: bool = False) -> NDArray:
    """Rotate a CHW image (or NCHW batch) about its centre, bilinear, zeros outside.

    ``zoom_in`` scales so that no padding shows; ``zoom_out`` so that the whole image stays in.
    ``rotation_degrees`` is a number, or one angle per image of a batch.
    """
    if zoom_in and zoom_out:
        raise ValueError("`zoom_in` and `zoom_out` cannot be both True")
    images = _np(src)
    if images.dtype != np.float32:
        raise TypeError("Only `float32` images are supported by this function")
    single = images.ndim == 3
    if single:
        if not isinstance(rotation_degrees, numbers.Number):
            raise TypeError("When a single image is passed the rotation angle is required to "
                            "be a scalar.")
        images = images[None]
    elif images.ndim != 4:
        raise ValueError("Only 3D and 4D are supported by this function")
    angles = np.broadcast_to(np.asarray(_np(rotation_degrees), np.float64).ravel(),
                             (len(images),)) if isinstance(rotation_degrees, numbers.Number) \
        else np.asarray(_np(rotation_degrees), np.float64).ravel()
    if len(angles) != len(images):
        raise ValueError("The number of images must be equal to the number of rotation angles")
    _, _, h, w = images.shape
    rad = np.pi * angles[:, None, None] / 180
    hs, ws = (h - 1) / 2, (w - 1) / 2
    yy, xx = np.meshgrid(np.arange(h) - hs, np.arange(w) - ws, indexing="ij")
    # where each output pixel comes from, in units of the half-size (MXNet's sampling grid)
    gx = (xx * np.cos(rad) - yy * np.sin(rad)) / ws
    gy = (xx * np.sin(rad) + yy * np.cos(rad)) / hs
    if zoom_in or zoom_out:
        rho, corner = np.hypot(h, w), np.arctan(h / w)
        turn = np.abs(rad)
        max_x = np.maximum(np.abs(rho * np.cos(corner + turn)), np.abs(rho * np.cos(corner - turn)))
        max_y = np.maximum(np.abs(rho * np.sin(corner + turn)), np.abs(rho * np.sin(corner - turn)))
        scale = np.maximum(max_x / w, max_y / h) if zoom_out else np.minimum(w / max_x, h / max_y)
        gx, gy = gx * scale, gy * scale
    out = _bilinear_sample(images, (gx + 1) * ws, (gy + 1) * hs)
    return NDArray(out[0] if single else out)


def random_rotate(src: NDArray, angle_limits: tuple[float, float], zoom_in: bool = False,
                  zoom_out: bool = False) -> NDArray:
    """``imrotate`` by angles drawn uniformly from ``angle_limits`` (one per image)."""
    if _np(src).ndim == 3:
        degrees: Any = np.random.uniform(*angle_limits)
    else:
        degrees = NDArray(np.random.uniform(*angle_limits, size=_np(src).shape[0]))
    return imrotate(src, degrees, zoom_in=zoom_in, zoom_out=zoom_out)


# ================================================================================================
# Augmenters: callables from an HWC image to an HWC image
# ================================================================================================
class Augmenter:
    """Base class of the image augmenters; ``dumps()`` describes one as JSON."""

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = {key: (_np(value).tolist() if isinstance(value, (NDArray, np.ndarray))
                              else value) for key, value in kwargs.items()}

    def dumps(self) -> str:
        """JSON ``[class name in lower case, arguments]``."""
        return json.dumps([type(self).__name__.lower(), self._kwargs])

    def __call__(self, src: NDArray) -> NDArray:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__")


class SequentialAug(Augmenter):
    """Apply the augmenters ``ts`` in order."""

    def __init__(self, ts: list[Augmenter]) -> None:
        super().__init__()
        self.ts = ts

    def dumps(self) -> list:  # type: ignore[override]
        """``[name, [each augmenter's dumps()]]``."""
        return [type(self).__name__.lower(), [t.dumps() for t in self.ts]]

    def __call__(self, src: NDArray) -> NDArray:
        for aug in self.ts:
            src = aug(src)
        return src


class RandomOrderAug(SequentialAug):
    """Apply the augmenters ``ts`` in a random order."""

    def __call__(self, src: NDArray) -> NDArray:
        random.shuffle(self.ts)
        return super().__call__(src)


class ResizeAug(Augmenter):
    """Resize the shorter side to ``size`` (see ``resize_short``)."""

    def __init__(self, size: int, interp: int = 2) -> None:
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def __call__(self, src: NDArray) -> NDArray:
        return resize_short(src, self.size, self.interp)


class ForceResizeAug(Augmenter):
    """Resize to ``size`` (w, h), whatever the aspect ratio."""

    def __init__(self, size: tuple[int, int], interp: int = 2) -> None:
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def __call__(self, src: NDArray) -> NDArray:
        sizes = (src.shape[0], src.shape[1], self.size[1], self.size[0])
        return imresize(src, *self.size, interp=_get_interp_method(self.interp, sizes))


class RandomCropAug(Augmenter):
    """A random crop of ``size`` (w, h) (see ``random_crop``)."""

    def __init__(self, size: tuple[int, int], interp: int = 2) -> None:
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def __call__(self, src: NDArray) -> NDArray:
        return random_crop(src, self.size, self.interp)[0]


class RandomSizedCropAug(Augmenter):
    """A crop of random area and aspect ratio, resized to ``size`` (see ``random_size_crop``)."""

    def __init__(self, size: tuple[int, int], area: Any, ratio: tuple[float, float],
                 interp: int = 2) -> None:
        super().__init__(size=size, area=area, ratio=ratio, interp=interp)
        self.size, self.area, self.ratio, self.interp = size, area, ratio, interp

    def __call__(self, src: NDArray) -> NDArray:
        return random_size_crop(src, self.size, self.area, self.ratio, self.interp)[0]


class CenterCropAug(Augmenter):
    """The central crop of ``size`` (w, h) (see ``center_crop``)."""

    def __init__(self, size: tuple[int, int], interp: int = 2) -> None:
        super().__init__(size=size, interp=interp)
        self.size, self.interp = size, interp

    def __call__(self, src: NDArray) -> NDArray:
        return center_crop(src, self.size, self.interp)[0]


_GREY = np.array([0.299, 0.587, 0.114], np.float32)  # the luma weights of R, G, B


class BrightnessJitterAug(Augmenter):
    """Multiply by ``1 + u``, u uniform in [-brightness, brightness]."""

    def __init__(self, brightness: float) -> None:
        super().__init__(brightness=brightness)
        self.brightness = brightness

    def __call__(self, src: NDArray) -> NDArray:
        alpha = 1.0 + random.uniform(-self.brightness, self.brightness)
        return NDArray(_np(src) * np.float32(alpha))


class ContrastJitterAug(Augmenter):
    """Blend with the image's mean grey level: ``alpha * x + (1 - alpha) * mean grey``."""

    def __init__(self, contrast: float) -> None:
        super().__init__(contrast=contrast)
        self.contrast = contrast

    def __call__(self, src: NDArray) -> NDArray:
        alpha = 1.0 + random.uniform(-self.contrast, self.contrast)
        image = _np(src)
        # MXNet: 3 * (1 - alpha) / size * sum(x * coef), i.e. (1 - alpha) * mean grey
        grey = 3.0 * (1.0 - alpha) / image.size * float((image * _GREY).sum())
        return NDArray((image * np.float32(alpha) + np.float32(grey)).astype(np.float32))


class SaturationJitterAug(Augmenter):
    """Blend each pixel with its own grey level: ``alpha * x + (1 - alpha) * grey``."""

    def __init__(self, saturation: float) -> None:
        super().__init__(saturation=saturation)
        self.saturation = saturation

    def __call__(self, src: NDArray) -> NDArray:
        alpha = 1.0 + random.uniform(-self.saturation, self.saturation)
        image = _np(src)
        grey = (image * _GREY).sum(axis=2, keepdims=True) * np.float32(1.0 - alpha)
        return NDArray((image * np.float32(alpha) + grey).astype(np.float32))


class HueJitterAug(Augmenter):
    """Rotate the hue by ``u * 180`` degrees, u uniform in [-hue, hue], in YIQ space."""

    _TO_YIQ = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.321],
                        [0.211, -0.523, 0.311]])
    _FROM_YIQ = np.array([[1.0, 0.956, 0.621], [1.0, -0.272, -0.647], [1.0, -1.107, 1.705]])

    def __init__(self, hue: float) -> None:
        super().__init__(hue=hue)
        self.hue = hue

    def __call__(self, src: NDArray) -> NDArray:
        alpha = random.uniform(-self.hue, self.hue)
        u, w = np.cos(alpha * np.pi), np.sin(alpha * np.pi)
        rotate = np.array([[1.0, 0.0, 0.0], [0.0, u, -w], [0.0, w, u]])
        matrix = (self._FROM_YIQ @ rotate @ self._TO_YIQ).T.astype(np.float32)
        return NDArray(_np(src).astype(np.float32) @ matrix)


class ColorJitterAug(RandomOrderAug):
    """Brightness, contrast and saturation jitter, in a random order."""

    def __init__(self, brightness: float, contrast: float, saturation: float) -> None:
        ts: list[Augmenter] = []
        if brightness > 0:
            ts.append(BrightnessJitterAug(brightness))
        if contrast > 0:
            ts.append(ContrastJitterAug(contrast))
        if saturation > 0:
            ts.append(SaturationJitterAug(saturation))
        super().__init__(ts)


class LightingAug(Augmenter):
    """AlexNet's PCA lighting noise: add ``eigvec @ (alpha * eigval)``, alpha ~ N(0, alphastd)."""

    def __init__(self, alphastd: float, eigval: Any, eigvec: Any) -> None:
        super().__init__(alphastd=alphastd, eigval=eigval, eigvec=eigvec)
        self.alphastd, self.eigval, self.eigvec = alphastd, np.asarray(eigval), np.asarray(eigvec)

    def __call__(self, src: NDArray) -> NDArray:
        alpha = np.random.normal(0, self.alphastd, size=(3,))
        rgb = np.dot(self.eigvec * alpha, self.eigval)
        return NDArray((_np(src) + rgb).astype(np.float32))


class ColorNormalizeAug(Augmenter):
    """``(x - mean) / std`` per channel."""

    def __init__(self, mean: Any, std: Any) -> None:
        super().__init__(mean=mean, std=std)
        self.mean = None if mean is None else np.asarray(_np(mean), np.float32)
        self.std = None if std is None else np.asarray(_np(std), np.float32)

    def __call__(self, src: NDArray) -> NDArray:
        return color_normalize(src, self.mean, self.std)


class RandomGrayAug(Augmenter):
    """With probability ``p``, replace every channel by the grey level (3 channels stay)."""

    _MIX = np.array([[0.21, 0.21, 0.21], [0.72, 0.72, 0.72], [0.07, 0.07, 0.07]], np.float32)

    def __init__(self, p: float) -> None:
        super().__init__(p=p)
        self.p = p

    def __call__(self, src: NDArray) -> NDArray:
        if random.random() < self.p:
            return NDArray(_np(src).astype(np.float32) @ self._MIX)
        return src


class HorizontalFlipAug(Augmenter):
    """With probability ``p``, mirror left to right."""

    def __init__(self, p: float) -> None:
        super().__init__(p=p)
        self.p = p

    def __call__(self, src: NDArray) -> NDArray:
        if random.random() < self.p:
            return NDArray(np.ascontiguousarray(_np(src)[:, ::-1]))
        return src


class CastAug(Augmenter):
    """Cast to ``typ`` (float32 by default)."""

    def __init__(self, typ: str = "float32") -> None:
        super().__init__(type=typ)
        self.typ = typ

    def __call__(self, src: NDArray) -> NDArray:
        return NDArray(_np(src).astype(self.typ))


_IMAGENET_EIGVAL = np.array([55.46, 4.794, 1.148])
_IMAGENET_EIGVEC = np.array([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140],
                             [-0.5836, -0.6948, 0.4203]])
_IMAGENET_MEAN = np.array([123.68, 116.28, 103.53])
_IMAGENET_STD = np.array([58.395, 57.12, 57.375])


def CreateAugmenter(data_shape: tuple[int, int, int], resize: int = 0, rand_crop: bool = False,
                    rand_resize: bool = False, rand_mirror: bool = False, mean: Any = None,
                    std: Any = None, brightness: float = 0, contrast: float = 0,
                    saturation: float = 0, hue: float = 0, pca_noise: float = 0,
                    rand_gray: float = 0, inter_method: int = 2) -> list[Augmenter]:
    """The standard list of augmenters, in MXNet's order.

    Resize the shorter side (``resize`` > 0); crop to ``data_shape`` (C, H, W) at random
    (``rand_crop``, with random area and aspect ratio if ``rand_resize``) or in the centre;
    mirror (``rand_mirror``); cast to float32; colour jitter; hue; PCA noise; random grey;
    normalise (``mean``/``std``: arrays, or True for the ImageNet values).

    Examples
    --------
    >>> augs = mx.image.CreateAugmenter((3, 224, 224), resize=256, rand_crop=True,
    ...                                 rand_mirror=True, mean=True, std=True)
    """
    auglist: list[Augmenter] = []
    if resize > 0:
        auglist.append(ResizeAug(resize, inter_method))
    crop_size = (data_shape[2], data_shape[1])
    if rand_resize:
        if not rand_crop:
            raise ValueError("CreateAugmenter: rand_resize needs rand_crop=True")
        auglist.append(RandomSizedCropAug(crop_size, 0.08, (3.0 / 4.0, 4.0 / 3.0), inter_method))
    elif rand_crop:
        auglist.append(RandomCropAug(crop_size, inter_method))
    else:
        auglist.append(CenterCropAug(crop_size, inter_method))
    if rand_mirror:
        auglist.append(HorizontalFlipAug(0.5))
    auglist.append(CastAug())
    if brightness or contrast or saturation:
        auglist.append(ColorJitterAug(brightness, contrast, saturation))
    if hue:
        auglist.append(HueJitterAug(hue))
    if pca_noise > 0:
        auglist.append(LightingAug(pca_noise, _IMAGENET_EIGVAL, _IMAGENET_EIGVEC))
    if rand_gray > 0:
        auglist.append(RandomGrayAug(rand_gray))
    mean = _IMAGENET_MEAN if mean is True else mean
    std = _IMAGENET_STD if std is True else std
    for name, value in (("mean", mean), ("std", std)):
        if value is not None and _np(value).shape[0] not in (1, 3):
            raise ValueError(f"CreateAugmenter: {name} must have 1 or 3 values, got "
                             f"{_np(value).shape[0]}")
    if mean is not None or std is not None:
        auglist.append(ColorNormalizeAug(mean, std))
    return auglist


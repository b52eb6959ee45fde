"""Resizing as OpenCV's ``cv2.resize`` does it, in numpy (MXNet's image code calls OpenCV).

A resize is separable: first along the rows, then along the columns. Along one axis every
output pixel ``d`` is a weighted sum of a few input pixels (the *taps*), found from the point
of the input it maps to. OpenCV maps pixel centres: ``s = (d + 0.5) * in/out - 0.5``.

=====  ==================  ===================================================
code   method              taps and weights
=====  ==================  ===================================================
0      nearest             ``floor(d * in/out)``, weight 1 (not centre-mapped)
1      bilinear            ``floor(s)``, ``floor(s) + 1``: 1 - f, f
2      bicubic             4 taps, Keys' cubic with a = -0.75
3      area                shrinking: the input cells the output cell covers, by overlap;
                           enlarging: bilinear with OpenCV's area weights
4      Lanczos             8 taps, sinc windowed by sinc(x/4)
=====  ==================  ===================================================

Taps outside the image take the edge pixel (OpenCV's replicated border). OpenCV computes
uint8 images in fixed point and teachmod in float32 and rounds once, so results differ from
OpenCV by at most a level or two (MXNet's own tests allow 3).
"""
from __future__ import annotations

import numpy as np

__all__ = ["resize", "INTERPOLATIONS"]

INTERPOLATIONS = {0: "nearest", 1: "bilinear", 2: "bicubic", 3: "area", 4: "lanczos"}


def _cubic(f: np.ndarray) -> np.ndarray:
    """Keys' cubic weights (a = -0.75, as OpenCV) for the 4 taps around fraction ``f``."""
    a = -0.75
    x = f[:, None] + np.array([1.0, 0.0, -1.0, -2.0])  # distances to the 4 taps
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x <= 1, near, far)


def _lanczos(f: np.ndarray) -> np.ndarray:
    """Lanczos-4 weights for the 8 taps around fraction ``f``, normalised to sum 1."""
    x = f[:, None] + 3 - np.arange(8)  # distances to the 8 taps
    weights = np.sinc(x) * np.sinc(x / 4)
    return weights / weights.sum(axis=1, keepdims=True)


def _area_shrink(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """Taps and weights of an area shrink: each output cell averages the input it covers."""
    scale = n_in / n_out
    width = int(np.ceil(scale)) + 1
    start = np.arange(n_out) * scale
    first = np.floor(start).astype(np.intp)
    taps = first[:, None] + np.arange(width)
    lo = np.maximum(taps, start[:, None])
    hi = np.minimum(taps + 1, start[:, None] + scale)
    cell = np.minimum(scale, n_in - start)[:, None]
    weights = np.clip(hi - lo, 0, None) / cell
    return np.minimum(taps, n_in - 1), weights


def _axis_taps(n_in: int, n_out: int, interp: int, shrink_both: bool
               ) -> tuple[np.ndarray, np.ndarray]:
    """(taps, weights), each (n_out, k), for resizing one axis from n_in to n_out pixels.

    The taps are ``np.intp``: ``np.take`` refuses int64 indices where intp is 32 bits (Pyodide).
    """
    scale = n_in / n_out
    d = np.arange(n_out, dtype=np.float64)
    if interp == 0:
        taps = np.minimum(np.floor(d * scale).astype(np.intp), n_in - 1)[:, None]
        return taps, np.ones_like(taps, dtype=np.float64)
    if interp == 3 and shrink_both:
        return _area_shrink(n_in, n_out)
    if interp == 3:
        first = np.floor(d * scale)
        f = (d + 1) - (first + 1) / scale
        f = np.where(f <= 0, 0.0, f - np.floor(f))
    else:
        s = (d + 0.5) * scale - 0.5
        first = np.floor(s)
        f = s - first
    first = first.astype(np.intp)
    if interp in (1, 3):
        offsets, weights = np.arange(2), np.stack([1 - f, f], axis=1)
    elif interp == 2:
        offsets, weights = np.arange(-1, 3), _cubic(f)
    elif interp == 4:
        offsets, weights = np.arange(-3, 5), _lanczos(f)
    else:
        raise ValueError(f"imresize: interp must be one of {sorted(INTERPOLATIONS)}, "
                         f"got {interp}")
    taps = np.clip(first[:, None] + offsets, 0, n_in - 1)
    return taps, weights


def _resize_axis(image: np.ndarray, taps: np.ndarray, weights: np.ndarray,
                 axis: int) -> np.ndarray:
    """Weighted sum of the taps along ``axis`` (float32)."""
    if axis == 1 and image.ndim == 3:
        # view the rows as (H, W * C) and take whole pixels' values: one flat gather per tap
        height, width, channels = image.shape
        taps = (taps[:, None, :] * channels + np.arange(channels)[:, None]).reshape(
            -1, taps.shape[1])
        weights = np.repeat(weights, channels, axis=0)
        flat = _resize_axis(image.reshape(height, width * channels), taps, weights, 1)
        return flat.reshape(height, -1, channels)
    shape = [1] * image.ndim
    shape[axis] = -1
    out = None
    for k in range(taps.shape[1]):
        term = np.take(image, taps[:, k], axis=axis) * weights[:, k].astype(np.float32).reshape(
            shape)
        if out is None:
            out = term
        else:
            out += term
    return out


def resize(image: np.ndarray, width: int, height: int, interp: int = 1) -> np.ndarray:
    """``image`` (H, W[, C]) resized to (height, width[, C]) as ``cv2.resize`` does.

    Integer images are rounded and clipped to their type's range; float images stay float.
    """
    in_h, in_w = image.shape[:2]
    if width <= 0 or height <= 0:
        raise ValueError(f"imresize: the output size must be positive, got {width}x{height}")
    shrink_both = in_w >= width and in_h >= height
    out = image
    if (height, width) != (in_h, in_w):
        row_taps = _axis_taps(in_h, height, interp, shrink_both)
        col_taps = _axis_taps(in_w, width, interp, shrink_both)
        out = _resize_axis(out, *row_taps, axis=0)
        out = _resize_axis(out, *col_taps, axis=1)
    if np.issubdtype(image.dtype, np.integer):
        info = np.iinfo(image.dtype)
        out = np.clip(np.floor(out + 0.5), info.min, info.max)
    return out.astype(image.dtype)

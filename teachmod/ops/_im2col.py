"""Convolution arithmetic shared by Convolution, Deconvolution, Pooling and UpSampling.

No operators live here. The idea (explained for students in ``convolution.py``): copy every
window of the padded input into one column ("im2col"), so that the convolution of a whole
batch becomes a single matrix product; the reverse, "col2im", adds the columns back onto the
positions they were read from, which is how gradients reach the input.

Array layouts used throughout (for 2-D; 1-D and 3-D just have fewer or more spatial axes):

- data ``(N, C, H, W)``; windows ``(N, C, OH, OW, KH, KW)`` (a view, nothing copied);
- columns ``(N, G, C/G*KH*KW, OH*OW)``: for each image and channel group, one matrix with a row
  per (channel, kernel tap) and a column per output pixel (``col2im`` takes the same numbers
  as ``(N, C, KH, KW, OH, OW)``).

A *tap* is one kernel position (i, j). Element (i, j) of all windows together is a strided
slice of the padded input (``tap_slices``), so a loop over the KH*KW taps, each a whole-array
operation, visits every window element without a Python loop over pixels.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["Geometry", "windows", "tap_slices", "canvas_shape", "unpad", "im2col", "col2im",
           "conv_forward", "conv_backward_data", "conv_backward_weight"]

Shape = tuple[int, ...]


class Geometry(NamedTuple):
    """Where the windows of a convolution or pooling lie, one entry per spatial axis."""

    kernel: Shape
    stride: Shape
    pad: Shape
    dilate: Shape

    def dilated_kernel(self) -> Shape:
        """The extent a kernel covers: ``dilate * (kernel - 1) + 1``."""
        return tuple(d * (k - 1) + 1 for k, d in zip(self.kernel, self.dilate))

    def output_size(self, spatial: Shape) -> Shape:
        """How many windows fit: ``(size + 2*pad - dilated_kernel) // stride + 1``."""
        return tuple((n + 2 * p - dk) // s + 1 for n, p, dk, s
                     in zip(spatial, self.pad, self.dilated_kernel(), self.stride))


def windows(padded: np.ndarray, geo: Geometry, out_size: Shape) -> np.ndarray:
    """A read-only view ``(N, C, *out_size, *kernel)`` of the windows of ``padded``.

    ``padded`` must already hold the padding; window ``o`` along an axis starts at
    ``o * stride`` and reads every ``dilate``-th element.
    """
    nd = len(geo.kernel)
    view = sliding_window_view(padded, geo.dilated_kernel(), axis=tuple(range(2, 2 + nd)))
    starts = tuple(slice(0, o * s, s) for o, s in zip(out_size, geo.stride))
    taps = tuple(slice(None, None, d) for d in geo.dilate)
    return view[(slice(None), slice(None), *starts, *taps)]


def pad_spatial(data: np.ndarray, pad: Shape) -> np.ndarray:
    """Zero-pad every spatial axis by ``pad`` on both sides (no copy when there is no pad)."""
    if not any(pad):
        return data
    return np.pad(data, ((0, 0), (0, 0), *((p, p) for p in pad)))


def im2col(data: np.ndarray, geo: Geometry, groups: int = 1) -> np.ndarray:
    """The columns of ``data`` ``(N, C, *spatial)`` as matrices ``(N, G, C/G*K, L)``: one copy.

    ``K = prod(kernel)`` rows per channel (the kernel taps), ``L = prod(out)`` columns (one per
    output pixel).
    """
    n, c, nd = data.shape[0], data.shape[1], len(geo.kernel)
    out = geo.output_size(data.shape[2:])
    view = windows(pad_spatial(data, geo.pad), geo, out)
    # (N, C, *out, *kernel) -> (N, C, *kernel, *out): kernel taps first, pixels last; copy()
    # lays the view out in that order, and the reshape of the copy is free
    view = view.transpose(0, 1, *range(2 + nd, 2 + 2 * nd), *range(2, 2 + nd))
    return view.copy().reshape(n, groups, c // groups * math.prod(geo.kernel), math.prod(out))


def tap_slices(tap: Shape, out_size: Shape, geo: Geometry) -> tuple[slice, ...]:
    """Where element ``tap`` of every window lies in the padded input: one strided slice.

    Tap (i, j) of the windows sits at rows ``i*dilate, i*dilate + stride, ...`` (``out_size``
    of them), and likewise for columns. Index ``padded[tap_slices(...)]`` to read it.
    """
    per_axis = (slice(t * d, t * d + (o - 1) * s + 1, s)
                for t, d, o, s in zip(tap, geo.dilate, out_size, geo.stride))
    return (slice(None), slice(None), *per_axis)


def canvas_shape(batch: Shape, spatial: Shape, out_size: Shape, geo: Geometry) -> Shape:
    """Shape ``(N, C, ...)`` of a zero canvas covering the padded input and every window
    (pooling's 'full' windows may overhang the padded input)."""
    return (*batch, *(max(n + 2 * p, (o - 1) * s + dk) for n, p, o, s, dk
                      in zip(spatial, geo.pad, out_size, geo.stride, geo.dilated_kernel())))


def unpad(canvas: np.ndarray, spatial: Shape, geo: Geometry) -> np.ndarray:
    """The part of a padded array that covers the input itself."""
    return canvas[(slice(None), slice(None), *(slice(p, p + n) for p, n in zip(geo.pad, spatial)))]


def col2im(cols: np.ndarray, spatial: Shape, geo: Geometry) -> np.ndarray:
    """Add columns ``(N, C, *kernel, *out)`` back onto an input of spatial size ``spatial``.

    The reverse of ``im2col``: every value goes back to the input element it was read from,
    and values read from the same element add up. One vectorised add per kernel tap (3x3 = 9),
    each covering all windows at once. Values that land on padding are dropped.
    """
    nd = len(geo.kernel)
    out_size = cols.shape[2 + nd:]
    canvas = np.zeros(canvas_shape(cols.shape[:2], spatial, out_size, geo), dtype=cols.dtype)
    for tap in np.ndindex(*geo.kernel):
        canvas[tap_slices(tap, out_size, geo)] += cols[(slice(None), slice(None), *tap)]
    return unpad(canvas, spatial, geo)


# ---- the three products of a (grouped) convolution ------------------------------------------
# With G groups, channels are split into G independent convolutions. Shapes below:
#   columns (N, G, C/G*K, L)   weight (G, F/G, C/G*K)   output (N, G, F/G, L)
# where K = prod(kernel) and L = prod(out). np.matmul runs them as one call over (N, G).


def conv_forward(data: np.ndarray, weight: np.ndarray, geo: Geometry, groups: int,
                 bias: np.ndarray | None = None) -> np.ndarray:
    """``output = weight @ im2col(data) (+ bias)``: data ``(N, C, *in)``, weight
    ``(F, C/G, *kernel)``, bias ``(F,)``."""
    n, f = data.shape[0], weight.shape[0]
    w = weight.reshape(groups, f // groups, -1)
    out = np.matmul(w, im2col(data, geo, groups)).reshape(n, f, *geo.output_size(data.shape[2:]))
    if bias is not None:
        out += bias.reshape(f, *(1,) * len(geo.kernel)).astype(out.dtype)
    return out


def conv_backward_data(grad_out: np.ndarray, weight: np.ndarray, geo: Geometry, groups: int,
                       spatial: Shape) -> np.ndarray:
    """Gradient of ``conv_forward`` with respect to ``data``: ``col2im(weight.T @ grad_out)``.

    ``spatial`` is the input's spatial size (several sizes give the same output size).
    """
    n, f = grad_out.shape[:2]
    c = weight.shape[1] * groups
    w = weight.reshape(groups, f // groups, -1)
    grad_cols = np.matmul(w.transpose(0, 2, 1), grad_out.reshape(n, groups, f // groups, -1))
    return col2im(grad_cols.reshape(n, c, *geo.kernel, *grad_out.shape[2:]), spatial, geo)


def conv_backward_weight(data: np.ndarray, grad_out: np.ndarray, geo: Geometry,
                         groups: int) -> np.ndarray:
    """Gradient of ``conv_forward`` with respect to ``weight``: ``grad_out @ im2col(data).T``,
    summed over the batch, shape ``(F, C/G, *kernel)``."""
    n, c, f = data.shape[0], data.shape[1], grad_out.shape[1]
    grad = grad_out.reshape(n, groups, f // groups, -1)
    per_item = np.matmul(grad, im2col(data, geo, groups).transpose(0, 1, 3, 2))
    return per_item.sum(axis=0).reshape(f, c // groups, *geo.kernel)

"""Pooling: summarise each window of every channel by its max, average, sum or p-norm.

Element (i, j) of every window is one strided view of the padded input (a "tap",
``_im2col.tap_slices``). The forward pass combines the taps with whole-array ``maximum`` or
``+``: one array operation per kernel position, no Python loop over pixels. The backward pass
works tap by tap too: it adds each window element's gradient onto a zero canvas at the same
strided positions -- the scatter-add ``col2im`` does for Convolution:

- max: the whole gradient goes to the (first) largest element of the window;
- avg: every element gets ``grad / count``; sum: every element gets ``grad``;
- lp (``(sum x^p)^(1/p)``): element x gets ``grad * (x / out)^(p-1)``.

Output size per axis, for input n, kernel k, stride s and pad p:
``valid``: ``(n + 2p - k) // s + 1``; ``full``: ``ceil((n + 2p - k) / s) + 1`` (windows may
hang over the end); ``same`` (1-D only, no pad): ``ceil(n / s)``. Padding never wins a max.
An average divides by the window's size clipped to the padded input, or with
``count_include_pad=False`` by the number of real input elements in it.

Two fast paths, which compute the same numbers, sit at the end of the file
(``TEACHMOD_REFERENCE=1`` switches them off; docs/fast_paths.md has the measurements).
"""
from __future__ import annotations

import math

import numpy as np

from ..reference import fast_paths
from . import _im2col
from .convolution import LAYOUTS, fmt
from .registry import (
    Operator,
    Param,
    optional,
    parse_bool,
    parse_int,
    parse_shape,
    parse_str,
    register,
)


@register
class Pooling(Operator):
    """Max, average, sum or Lp pooling over 1-D, 2-D or 3-D windows."""

    name = "Pooling"
    fresh_gradients = True  # (an output can be the input itself: a 1x1 window)
    params = {
        "kernel": Param(parse_shape, (), doc="window size: (w,), (h, w) or (d, h, w)"),
        "pool_type": Param(parse_str, "max", choices=("max", "avg", "sum", "lp"),
                           doc="how to summarise a window"),
        "global_pool": Param(parse_bool, False, doc="one window covering the whole input"),
        "cudnn_off": Param(parse_bool, False, doc="accepted for compatibility; unused"),
        "pooling_convention": Param(parse_str, "valid", choices=("valid", "full", "same"),
                                    doc="how the output size is rounded"),
        "stride": Param(parse_shape, (), doc="stride; defaults to 1 for each dimension"),
        "pad": Param(parse_shape, (), doc="padding; defaults to 0 for each dimension"),
        "p_value": Param(optional(parse_int), None, doc="p of Lp pooling: 1, 2 or 3"),
        "count_include_pad": Param(optional(parse_bool), None,
                                   doc="avg: count padding in the divisor (default True)"),
        "layout": Param(optional(parse_str), None, doc="NCW, NCHW or NCDHW (the default)"),
    }

    def list_outputs(self) -> list[str]:
        # MXNet 1.9.1 (a oneDNN build) declares a hidden workspace output for max pooling; it is
        # listed so that symbol JSON (node_row_ptr) matches MXNet's byte for byte, never computed
        return ["output", "workspace"] if self.pool_type == "max" else ["output"]

    @property
    def backward_reads(self) -> tuple[str, ...]:
        # max finds each window's maximum again by comparing the input with the output; Lp
        # divides by the output; avg and sum need only the input's shape
        return ("data", "output") if self.pool_type in ("max", "lp") else ("data",)

    def num_visible_outputs(self) -> int:
        return 1

    def validate(self) -> None:
        nd = len(self.kernel)
        if not self.global_pool and nd not in LAYOUTS:
            raise self.fail(f"kernel must have 1, 2 or 3 dimensions (or set global_pool=True), "
                            f"got {self.kernel}")
        if self.layout is not None and self.layout not in LAYOUTS.values():
            raise self.fail(f"layout {self.layout!r} is not supported; teachmod pools "
                            f"channels-first data only (NCW, NCHW or NCDHW)")
        if nd and len(self.pad) > nd and not any(self.pad[nd:]):
            # MXNet reads only the first len(kernel) entries; extra zeros change nothing
            self.pad = self.pad[:nd]
        for key, low in (("kernel", 1), ("stride", 1), ("pad", 0)):
            value = getattr(self, key)
            if nd and value and len(value) != nd:
                raise self.fail(f"{key} {value} must have as many dimensions as kernel "
                                f"{self.kernel}")
            if value and min(value) < low:
                raise self.fail(f"every entry of {key} must be >= {low}, got {value}")
        if self.pool_type == "lp" and self.p_value not in (1, 2, 3):
            raise self.fail(f"pool_type='lp' needs p_value 1, 2 or 3, got {self.p_value}")
        if self.pooling_convention == "same" and any(self.pad):
            raise self.fail("pooling_convention='same' does not allow pad")

    # ---- geometry ----------------------------------------------------------------------
    def geometry(self, spatial: tuple[int, ...]) -> _im2col.Geometry:
        nd = len(spatial)
        if self.global_pool:
            return _im2col.Geometry(spatial, (1,) * nd, (0,) * nd, (1,) * nd)
        return _im2col.Geometry(self.kernel, self.stride or (1,) * nd, self.pad or (0,) * nd,
                                (1,) * nd)

    def output_spatial(self, spatial: tuple[int, ...]) -> tuple[int, ...]:
        geo = self.geometry(spatial)
        if self.pooling_convention == "valid" or self.global_pool:
            return geo.output_size(spatial)
        if self.pooling_convention == "full":
            return tuple(-(-(n + 2 * p - k) // s) + 1
                         for n, k, s, p in zip(spatial, geo.kernel, geo.stride, geo.pad))
        return tuple(-(-(n + 2 * p) // s) for n, s, p in zip(spatial, geo.stride, geo.pad))

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        nd = len(data) - 2
        if nd not in LAYOUTS or (not self.global_pool and nd != len(self.kernel)):
            wanted = "global pooling"
            if not self.global_pool:
                wanted = f"{len(self.kernel)}-D kernel {self.kernel}"
            raise self.fail(f"{wanted} needs data of shape NCW, NCHW or NCDHW with matching "
                            f"rank, got {tuple(data)}")
        if self.pooling_convention == "same" and nd != 1:
            raise self.fail("pooling_convention='same' is supported for 1-D pooling only "
                            f"(data NCW), got data {tuple(data)}")
        spatial = tuple(data[2:])
        geo = self.geometry(spatial)
        padded = tuple(n + 2 * p for n, p in zip(spatial, geo.pad))
        if any(k > n for k, n in zip(geo.kernel, padded)):
            raise self.fail(
                f"kernel {fmt(geo.kernel)} does not fit the input: spatial size {fmt(spatial)} "
                f"with pad {fmt(geo.pad)} is {fmt(padded)} after padding, and every padded "
                f"size must be at least the kernel; increase pad or use a smaller kernel")
        return [tuple(data)], [(*data[:2], *self.output_spatial(spatial))], []

    def padded(self, data: np.ndarray, fill: float) -> np.ndarray:
        """``data`` padded with ``fill``: ``pad`` before, and after as far as the last window
        reaches (with 'full', windows may overhang the usual padding)."""
        spatial = data.shape[2:]
        geo, out = self.geometry(spatial), self.output_spatial(spatial)
        high = [max((o - 1) * s + k - n - p, 0)
                for o, s, k, n, p in zip(out, geo.stride, geo.kernel, spatial, geo.pad)]
        widths = ((0, 0), (0, 0), *zip(geo.pad, high))
        return np.pad(data, widths, constant_values=fill) if any(map(any, widths)) else data

    def taps(self, data: np.ndarray, fill: float) -> list[np.ndarray]:
        """One view ``(N, C, *out)`` per kernel position: element (i, j) of every window."""
        padded, geo = self.padded(data, fill), self.geometry(data.shape[2:])
        out = self.output_spatial(data.shape[2:])
        return [padded[_im2col.tap_slices(tap, out, geo)] for tap in np.ndindex(*geo.kernel)]

    def window_counts(self, spatial: tuple[int, ...]) -> np.ndarray:
        """The divisor of avg pooling for every output position, shape ``out``."""
        geo, out = self.geometry(spatial), self.output_spatial(spatial)
        include_pad = self.count_include_pad is not False
        per_axis = []
        for n, o, k, s, p in zip(spatial, out, geo.kernel, geo.stride, geo.pad):
            start = np.arange(o) * s - p                     # in input coordinates
            if include_pad:
                count = np.minimum(start + k, n + p) - start
            else:
                count = np.minimum(start + k, n) - np.maximum(start, 0)
            per_axis.append(count)
        return math.prod(np.ix_(*per_axis))  # outer product of the per-axis counts

    # ---- computation --------------------------------------------------------------------
    def combine_taps(self, data: np.ndarray, fill: float, ufunc: np.ufunc) -> np.ndarray:
        """Combine the elements of every window with ``ufunc`` (``np.maximum`` or ``np.add``),
        padding with ``fill``: a new array ``(N, C, *out)``, one ``ufunc`` call per tap."""
        taps = self.taps(data, fill)
        result = taps[0].copy()
        for tap in taps[1:]:
            ufunc(result, tap, out=result)
        return result

    def forward(self, is_train, inputs, aux):
        data = inputs[0]
        self.infer_shape([data.shape])  # clear errors for mx.nd calls too
        combine = self.combine_separable if fast_paths() else self.combine_taps
        if self.pool_type == "max":
            return [combine(data, np.finfo(data.dtype).min, np.maximum)]
        power = self.p_value if self.pool_type == "lp" else 1
        out = combine(data if power == 1 else data ** power, 0, np.add)
        if self.pool_type == "avg":
            out /= self.window_counts(data.shape[2:]).astype(data.dtype)
        elif power > 1:
            out = np.sqrt(out) if power == 2 else np.cbrt(out)
        return [out]

    def backward(self, out_grads, inputs, outputs, aux):
        grad, data, out = out_grads[0], inputs[0], outputs[0]
        spatial = data.shape[2:]
        if fast_paths() and self.pool_type == "max" and self.tiles_2x2(spatial):
            return [max_backward_2x2(grad, data, out)]
        geo, out_size = self.geometry(spatial), self.output_spatial(spatial)
        canvas = np.zeros(_im2col.canvas_shape(data.shape[:2], spatial, out_size, geo),
                          data.dtype)
        targets = [_im2col.tap_slices(tap, out_size, geo) for tap in np.ndindex(*geo.kernel)]
        if self.pool_type == "max":
            # the gradient goes to the first element of each window that equals the max
            free = np.ones(out.shape, dtype=bool)  # windows whose max is not found yet
            for target, tap in zip(targets, self.taps(data, np.finfo(data.dtype).min)):
                hit = (tap == out) & free
                free &= ~hit
                canvas[target] += grad * hit
        elif self.pool_type == "lp" and self.p_value > 1:
            # d out / d x = (x / out)^(p-1); MXNet gives 0 where out is 0
            safe_out = np.where(out == 0, 1, out)
            scale = grad * (out != 0)
            for target, tap in zip(targets, self.taps(data, 0)):
                canvas[target] += scale * (tap / safe_out) ** (self.p_value - 1)
        else:  # avg, sum and lp with p = 1 (a plain sum): the same value for every element
            share = grad
            if self.pool_type == "avg":
                share = grad / self.window_counts(spatial).astype(grad.dtype)
            for target in targets:
                canvas[target] += share
        return [_im2col.unpad(canvas, spatial, geo)]

    # --- fast path (TEACHMOD_REFERENCE=1 switches it off) ------------------------------------
    # The same numbers as combine_taps and the tap loop of backward, computed with fewer and
    # more regular memory accesses. Kept because pooling is a large share of the book CNN's
    # epoch (docs/fast_paths.md).
    def combine_separable(self, data: np.ndarray, fill: float, ufunc: np.ufunc) -> np.ndarray:
        """``combine_taps`` one spatial axis at a time.

        Max and sum are *separable*: the max of a 2x2 window is the max over its two rows of
        the max over its two columns. Reducing the rows first works on whole rows, contiguous
        in memory, and shrinks the array ``stride`` times before the strided column views are
        read: KH + KW array operations instead of KH * KW.
        """
        geo, out = self.geometry(data.shape[2:]), self.output_spatial(data.shape[2:])
        result = self.padded(data, fill)
        for axis, (k, s, o) in enumerate(zip(geo.kernel, geo.stride, out), start=2):
            before = (slice(None),) * axis  # all of N, C and the axes already reduced
            views = [result[(*before, slice(i, i + (o - 1) * s + 1, s))] for i in range(k)]
            combined = views[0].copy() if k == 1 else ufunc(views[0], views[1])
            for view in views[2:]:
                ufunc(combined, view, out=combined)
            result = combined
        return result

    def tiles_2x2(self, spatial: tuple[int, ...]) -> bool:
        """2x2 windows with stride 2 that cover the input exactly (the usual max pooling)."""
        geo, out = self.geometry(spatial), self.output_spatial(spatial)
        return (geo.kernel == (2, 2) and geo.stride == (2, 2) and geo.pad == (0, 0)
                and spatial == tuple(2 * o for o in out))


def side_by_side(a: np.ndarray) -> np.ndarray:
    """Every value of ``a`` twice, side by side along the last axis: ``[1, 2] -> [1, 1, 2, 2]``.

    The same as ``a.repeat(2, axis=-1)``, which copies one number at a time; two strided
    writes into a ``(..., W, 2)`` array move whole rows.
    """
    pairs = np.empty((*a.shape, 2), a.dtype)
    pairs[..., 0] = a
    pairs[..., 1] = a
    return pairs.reshape(*a.shape[:-1], -1)


def max_backward_2x2(grad: np.ndarray, data: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Max pooling's gradient for 2x2 windows with stride 2 that tile the input: the numbers
    of the tap loop in ``Pooling.backward``, computed mostly on whole (contiguous) image rows.

    1. write ``out`` and ``grad`` twice along the width, so that each window's max (and its
       gradient) sits beside both of the window's columns: shape ``(N, C, OH, W)``;
    2. compare the windows' top rows (image rows 0, 2, 4, ...) and bottom rows with it:
       ``hit`` marks every element equal to its window's max;
    3. keep only the first hit of each window, in row-major order (ties are common: a
       window of relu zeros). The two hits of one window row are adjacent bytes; read as
       one little-endian 16-bit number they are ``left + 256 * right``, so
       ``pair & ~(pair << 8)`` clears the right one where the left one is set, and a
       bottom pair is cleared where its top pair is non-zero;
    4. the input's gradient is the doubled ``grad`` where ``hit``, and 0 elsewhere.
    """
    up_out = side_by_side(out)
    top, bottom = data[:, :, 0::2] == up_out, data[:, :, 1::2] == up_out
    del up_out  # half the input's size: let it go before the result is allocated
    top_pairs, bottom_pairs = top.view("<u2"), bottom.view("<u2")  # views: edits go to hits
    top_pairs &= ~(top_pairs << 8)
    bottom_pairs *= top_pairs == 0
    bottom_pairs &= ~(bottom_pairs << 8)
    up_grad = side_by_side(grad)
    result = np.empty_like(data)
    np.multiply(up_grad, top, out=result[:, :, 0::2])
    np.multiply(up_grad, bottom, out=result[:, :, 1::2])
    return result

"""Correlation: compare two feature maps patch by patch at a range of displacements
(FlowNet's correlation layer, Dosovitskiy et al. 2015).

Both inputs ``(N, C, H, W)`` are zero-padded by ``pad_size``. For every output position, a
``kernel_size x kernel_size`` patch of ``data1`` (every ``stride1`` pixels) is compared with
the patch of ``data2`` displaced by ``(dy, dx)``, for displacements up to ``max_displacement``
in steps of ``stride2``. With ``is_multiply`` the comparison is the dot product of the two
patches, otherwise the sum of absolute differences; both are divided by
``kernel_size^2 * C``. Output channel ``(dy / stride2 + r) * (2r + 1) + (dx / stride2 + r)``,
``r = max_displacement // stride2``, holds displacement ``(dy, dx)``: ``(2r + 1)^2`` channels.

The computation loops over the displacements and the kernel taps; each step works on whole
maps. Two hidden outputs hold the padded inputs, as in MXNet.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .registry import Operator, Param, parse_bool, parse_int, register


@register
class Correlation(Operator):
    """Patch-wise correlation of two feature maps over a neighbourhood of displacements."""

    name = "Correlation"
    arguments = ("data1", "data2")
    outputs = ("output", "tmp1", "tmp2")
    backward_reads = ("data1", "data2")
    params = {
        "kernel_size": Param(parse_int, 1, doc="patch size (odd)"),
        "max_displacement": Param(parse_int, 1, doc="the largest displacement compared"),
        "stride1": Param(parse_int, 1, doc="step between the patches of data1"),
        "stride2": Param(parse_int, 1, doc="step between the displacements"),
        "pad_size": Param(parse_int, 0, doc="zero padding of both inputs"),
        "is_multiply": Param(parse_bool, True, doc="dot product (True) or absolute difference"),
    }

    def validate(self):
        if self.kernel_size < 1 or self.kernel_size % 2 == 0:
            raise self.fail(f"kernel_size must be a positive odd number, got {self.kernel_size}")
        for key in ("stride1", "stride2"):
            if getattr(self, key) < 1:
                raise self.fail(f"{key} must be >= 1, got {getattr(self, key)}")
        if self.max_displacement < 0 or self.pad_size < 0:
            raise self.fail(f"max_displacement and pad_size must be >= 0, got "
                            f"{self.max_displacement} and {self.pad_size}")

    def num_visible_outputs(self) -> int:
        return 1

    def radius(self) -> int:
        """How many displacement steps fit on each side: the grid is ``2r + 1`` wide."""
        return self.max_displacement // self.stride2

    def out_size(self, height: int, width: int) -> tuple[int, int]:
        border = self.max_displacement + (self.kernel_size - 1) // 2
        size = tuple(-(-(n + 2 * self.pad_size - 2 * border) // self.stride1)
                     for n in (height, width))
        if min(size) < 1:
            raise self.fail(
                f"kernel_size {self.kernel_size} and max_displacement {self.max_displacement} "
                f"do not fit the input {height}x{width} with pad_size {self.pad_size}: they "
                f"need a padded size of at least {2 * border + 1}; increase pad_size or use a "
                f"smaller kernel or displacement")
        return size

    def infer_shape(self, in_shapes):
        known = next((s for s in in_shapes if s is not None), None)
        if known is None:
            return in_shapes, [None] * 3, []
        if len(known) != 4:
            raise self.fail(f"data must be (N, C, H, W), got {tuple(known)}")
        shapes = [self.expect_shape(in_shapes, i, tuple(known)) for i in (0, 1)]
        n, c, h, w = known
        side = 2 * self.radius() + 1
        padded = (n, h + 2 * self.pad_size, w + 2 * self.pad_size, c)
        return shapes, [(n, side * side, *self.out_size(h, w)), padded, padded], []

    def displacements(self):
        """Yield ``(channel, dy, dx)`` for every displacement, in output channel order."""
        r, step = self.radius(), self.stride2
        for channel, (i, j) in enumerate(np.ndindex(2 * r + 1, 2 * r + 1)):
            yield channel, (i - r) * step, (j - r) * step

    def regions(self, padded1: np.ndarray, padded2: np.ndarray, dy: int, dx: int,
                size: tuple[int, int]):
        """The part of padded data1 that the patches cover, and of data2 displaced by
        (dy, dx): index tuples into the padded arrays."""
        d, k, s = self.max_displacement, self.kernel_size, self.stride1
        rows, cols = ((o - 1) * s + k for o in size)
        first = (..., slice(d, d + rows), slice(d, d + cols))
        second = (..., slice(d + dy, d + dy + rows), slice(d + dx, d + dx + cols))
        return first, second

    def pad(self, x: np.ndarray) -> np.ndarray:
        p = self.pad_size
        return np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))

    def forward(self, is_train, inputs, aux):
        data1, data2 = inputs
        n, c, h, w = data1.shape
        size = self.out_size(h, w)
        padded1, padded2 = self.pad(data1), self.pad(data2)
        k, s = self.kernel_size, self.stride1
        out = np.zeros((n, (2 * self.radius() + 1) ** 2, *size), data1.dtype)
        for channel, dy, dx in self.displacements():
            first, second = self.regions(padded1, padded2, dy, dx, size)
            a, b = padded1[first], padded2[second]
            per_pixel = (a * b if self.is_multiply else np.abs(a - b)).sum(axis=1)
            patches = sliding_window_view(per_pixel, (k, k), axis=(1, 2))[:, ::s, ::s]
            out[:, channel] = patches.sum(axis=(-2, -1))
        out /= k * k * c
        return [out, padded1.transpose(0, 2, 3, 1), padded2.transpose(0, 2, 3, 1)]

    def backward(self, out_grads, inputs, outputs, aux):
        data1, data2 = inputs
        grad = out_grads[0] / (self.kernel_size ** 2 * data1.shape[1])
        size = grad.shape[2:]
        padded1, padded2 = self.pad(data1), self.pad(data2)
        grad1, grad2 = np.zeros_like(padded1), np.zeros_like(padded2)
        k, s = self.kernel_size, self.stride1
        for channel, dy, dx in self.displacements():
            first, second = self.regions(padded1, padded2, dy, dx, size)
            a, b = padded1[first], padded2[second]
            # every pixel collects the gradients of the patches it lies in
            coverage = np.zeros((a.shape[0], *a.shape[2:]), grad.dtype)
            for i, j in np.ndindex(k, k):
                coverage[:, i:i + (size[0] - 1) * s + 1:s, j:j + (size[1] - 1) * s + 1:s] += \
                    grad[:, channel]
            coverage = coverage[:, None]
            if self.is_multiply:
                grad1[first] += coverage * b
                grad2[second] += coverage * a
            else:
                sign = np.where(a >= b, 1.0, -1.0)  # MXNet takes +1 at a tie (say, padding)
                grad1[first] += coverage * sign
                grad2[second] -= coverage * sign
        p = self.pad_size
        unpad = (..., slice(p, p + data1.shape[2]), slice(p, p + data1.shape[3]))
        return [grad1[unpad].astype(data1.dtype, copy=False),
                grad2[unpad].astype(data2.dtype, copy=False)]

"""im2col and col2im as operators: the two halves of a convolution (see ``convolution.py``).

- ``im2col(data, kernel, stride, dilate, pad)``: data ``(N, C, *spatial)`` becomes
  ``(N, C * prod(kernel), L)``, one column per sliding window (``L`` windows), one row per
  (channel, kernel tap). A convolution is then ``weight.reshape(F, -1) @ columns``.
- ``col2im(columns, output_size, ...)`` adds every column entry back onto the image position
  it was read from: ``(N, C * prod(kernel), L)`` becomes ``(N, C, *output_size)``; positions
  in several windows receive several contributions.

Each is the other's gradient: reading windows and adding them back are transposes of one
linear map. The arithmetic lives in ``_im2col.py``, shared with Convolution.
"""
from __future__ import annotations

import math

import numpy as np

from . import _im2col
from .registry import Operator, Param, parse_shape, register


def _window_params() -> dict[str, Param]:
    return {
        "kernel": Param(parse_shape, doc="sliding window size: (w,), (h, w) or (d, h, w)"),
        "stride": Param(parse_shape, (), doc="step between windows; defaults to 1"),
        "dilate": Param(parse_shape, (), doc="spacing of the kernel taps; defaults to 1"),
        "pad": Param(parse_shape, (), doc="zero padding on both sides; defaults to 0"),
    }


class _Windows(Operator):
    """Parameter checks and geometry shared by im2col and col2im."""

    def validate(self):
        nd = len(self.kernel)
        if nd not in (1, 2, 3):
            raise self.fail(f"kernel must have 1, 2 or 3 dimensions, got {self.kernel}")
        self.stride = self.stride or (1,) * nd
        self.dilate = self.dilate or (1,) * nd
        self.pad = self.pad or (0,) * nd
        for key, low in (("kernel", 1), ("stride", 1), ("dilate", 1), ("pad", 0)):
            value = getattr(self, key)
            if len(value) != nd:
                raise self.fail(f"{key} {value} must have as many dimensions as kernel "
                                f"{self.kernel}")
            if min(value) < low:
                raise self.fail(f"every entry of {key} must be >= {low}, got {value}")

    def geometry(self) -> _im2col.Geometry:
        return _im2col.Geometry(self.kernel, self.stride, self.pad, self.dilate)

    def windows_of(self, spatial: tuple[int, ...]) -> tuple[int, ...]:
        """How many windows fit along each axis of an image of size ``spatial``."""
        out = self.geometry().output_size(spatial)
        if min(out) < 1:
            raise self.fail(f"kernel {self.kernel} (dilate {self.dilate}) does not fit an "
                            f"image of size {spatial} with pad {self.pad}")
        return out

    def columns(self, data: np.ndarray) -> np.ndarray:
        """im2col: ``(N, C, *spatial)`` -> ``(N, C*K, L)``."""
        return _im2col.im2col(data, self.geometry())[:, 0]

    def image(self, cols: np.ndarray, spatial: tuple[int, ...]) -> np.ndarray:
        """col2im: ``(N, C*K, L)`` -> ``(N, C, *spatial)``."""
        n, k = cols.shape[0], math.prod(self.kernel)
        blocks = cols.reshape(n, cols.shape[1] // k, *self.kernel, *self.windows_of(spatial))
        return _im2col.col2im(blocks, spatial, self.geometry())


@register
class Im2col(_Windows):
    """Every sliding window of the data as one column."""

    name = "im2col"
    backward_reads = ("data",)
    params = _window_params()

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        if len(data) != len(self.kernel) + 2:
            raise self.fail(f"a {len(self.kernel)}-D kernel needs data with "
                            f"{len(self.kernel) + 2} dimensions, got {tuple(data)}")
        windows = math.prod(self.windows_of(tuple(data[2:])))
        return [tuple(data)], [(data[0], data[1] * math.prod(self.kernel), windows)], []

    def forward(self, is_train, inputs, aux):
        self.infer_shape([inputs[0].shape])
        return [self.columns(inputs[0])]

    def backward(self, out_grads, inputs, outputs, aux):
        return [self.image(out_grads[0], inputs[0].shape[2:])]


@register
class Col2im(_Windows):
    """Add columns back onto an image: the transpose of im2col."""

    name = "col2im"
    backward_reads = ()
    params = {"output_size": Param(parse_shape, doc="the image's spatial size"),
              **_window_params()}

    def validate(self):
        super().validate()
        if len(self.output_size) != len(self.kernel):
            raise self.fail(f"output_size {self.output_size} must have as many dimensions as "
                            f"kernel {self.kernel}")

    def infer_shape(self, in_shapes):
        cols = in_shapes[0]
        if cols is None:
            return in_shapes, [None], []
        k, windows = math.prod(self.kernel), math.prod(self.windows_of(self.output_size))
        if len(cols) != 3 or cols[1] % k or cols[2] != windows:
            raise self.fail(f"data must be (N, C*{k}, {windows}) columns for kernel "
                            f"{self.kernel} and output_size {self.output_size}, got "
                            f"{tuple(cols)}")
        return [tuple(cols)], [(cols[0], cols[1] // k, *self.output_size)], []

    def forward(self, is_train, inputs, aux):
        self.infer_shape([inputs[0].shape])
        return [self.image(inputs[0], self.output_size)]

    def backward(self, out_grads, inputs, outputs, aux):
        return [self.columns(out_grads[0])]

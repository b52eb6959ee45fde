"""ravel_multi_index and unravel_index: between coordinates in an array of ``shape`` and flat
positions in it (C order), as numpy's functions of the same names.

``ravel_multi_index`` takes ``(ndim, n)`` coordinates (one column per point) and gives ``n``
flat positions; ``unravel_index`` goes back. The first entry of ``shape`` may be -1 (only
the others are needed). Indices are stored as floats, like every MXNet input; they are not
differentiable, so the gradient is zero.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_shape, register


class _IndexConversion(Operator):
    params = {"shape": Param(parse_shape, doc="the shape of the array indexed into")}
    backward_reads = ("data",)

    def validate(self):
        first_ok = self.shape and (self.shape[0] >= 1 or self.shape[0] == -1)
        if not first_ok or min(self.shape[1:], default=1) < 1:
            raise self.fail(f"shape {self.shape} must have sizes >= 1 (the first may be -1)")

    def strides(self) -> np.ndarray:
        """How far one step along each axis moves the flat position."""
        return np.cumprod((1, *self.shape[:0:-1]))[::-1]

    def backward(self, out_grads, inputs, outputs, aux):
        return [np.zeros_like(inputs[0])]


@register
class RavelMultiIndex(_IndexConversion):
    """Coordinates ``(ndim, n)`` to flat positions ``(n,)``."""

    name = "_ravel_multi_index"
    aliases = ("ravel_multi_index",)

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        if data[0] != len(self.shape):
            raise self.fail(f"data {tuple(data)} must have {len(self.shape)} rows, one per "
                            f"axis of shape {self.shape}")
        return in_shapes, [tuple(data[1:])], []

    def forward(self, is_train, inputs, aux):
        coords = inputs[0].astype(np.int64)
        flat = np.tensordot(self.strides(), coords, axes=1)
        return [flat.astype(inputs[0].dtype)]


@register
class UnravelIndex(_IndexConversion):
    """Flat positions ``(n,)`` to coordinates ``(ndim, n)``."""

    name = "_unravel_index"
    aliases = ("unravel_index",)

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        return in_shapes, [None if data is None else (len(self.shape), *data)], []

    def forward(self, is_train, inputs, aux):
        flat = inputs[0].astype(np.int64)
        strides = self.strides().reshape((-1,) + (1,) * flat.ndim)
        coords = flat // strides
        coords[1:] %= np.array(self.shape[1:], dtype=np.int64).reshape(strides[1:].shape)
        return [coords.astype(inputs[0].dtype)]

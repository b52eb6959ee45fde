"""shape_array and size_array: the input's shape (or its number of elements) as an int64 array.

``shape_array(x)`` is ``[d0, d1, ...]`` of shape ``(ndim,)``; ``size_array(x)`` is ``[n]`` of
shape ``(1,)``. They depend on the input's shape only, so the input's gradient is zero.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, register


@register
class ShapeArray(Operator):
    """The shape of the input, as a 1-D int64 array."""

    name = "shape_array"
    params = {}
    backward_reads = ("data",)

    def describe(self, shape: tuple[int, ...]) -> list[int]:
        return list(shape)

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        return in_shapes, [(len(self.describe(tuple(data))),)], []

    def infer_type(self, in_types):
        return in_types, [np.dtype(np.int64)], []

    def forward(self, is_train, inputs, aux):
        return [np.array(self.describe(inputs[0].shape), dtype=np.int64)]

    def backward(self, out_grads, inputs, outputs, aux):
        return [np.zeros_like(inputs[0])]


@register
class SizeArray(ShapeArray):
    """The number of elements of the input, as a 1-element int64 array."""

    name = "size_array"

    def describe(self, shape):
        return [int(np.prod(shape, dtype=np.int64))]

"""transpose: permute the axes, ``output.shape[i] = data.shape[axes[i]]``.

The default ``axes=()`` reverses the axes (a matrix transpose for 2-D data). The gradient is
the head gradient transposed back with the inverse permutation ``argsort(axes)``.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_shape, register


@register
class Transpose(Operator):
    """Reorder the axes."""

    name = "transpose"
    params = {"axes": Param(parse_shape, (), doc="the new order of the axes; () reverses them")}

    def _axes(self, ndim: int) -> tuple[int, ...]:
        if not self.axes:
            return tuple(reversed(range(ndim)))
        if sorted(self.axes) != list(range(ndim)):
            raise self.fail(f"axes {self.axes} is not a permutation of 0..{ndim - 1}, "
                            f"the axes of data with {ndim} axes")
        return self.axes

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        return in_shapes, [tuple(data[a] for a in self._axes(len(data)))], []

    def forward(self, is_train, inputs, aux):
        (data,) = inputs
        return [data.transpose(self._axes(data.ndim))]

    def backward(self, out_grads, inputs, outputs, aux):
        inverse = np.argsort(self._axes(inputs[0].ndim))
        return [out_grads[0].transpose(inverse)]

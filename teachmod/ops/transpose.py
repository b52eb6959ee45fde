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

    infers_backward = True

    def infer_shape(self, in_shapes, out_shapes=None):
        data, out = in_shapes[0], out_shapes[0] if out_shapes else None
        if not data and not out:
            return in_shapes, [None], []
        axes = self._axes(len(data or out))
        # sizes known (not 0) on either side fill the other: out[i] is data[axes[i]]
        data = list(data or [0] * len(axes))
        for i, a in enumerate(axes):
            if out and out[i] and data[a] and out[i] != data[a]:
                raise self.fail(f"data {tuple(data)} transposed by {axes} cannot give the "
                                f"output shape {tuple(out)}")
            data[a] = data[a] or (out[i] if out else 0)
        return [tuple(data)], [tuple(data[a] for a in axes)], []

    def forward(self, is_train, inputs, aux):
        (data,) = inputs
        return [data.transpose(self._axes(data.ndim))]

    def backward(self, out_grads, inputs, outputs, aux):
        inverse = np.argsort(self._axes(inputs[0].ndim))
        return [out_grads[0].transpose(inverse)]

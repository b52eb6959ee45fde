"""argmax and argmin: the position of the largest (smallest) element along ``axis``.

With ``axis=None`` the data is flattened first and the result has shape (1,). The positions
are returned as floats in the input's type, as MXNet does. They are integers that jump from
one value to another, so the gradient is zero.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, optional, parse_bool, parse_int, register


class _ArgReduce(Operator):
    params = {
        "axis": Param(optional(parse_int), None, doc="the axis to search; None: all elements"),
        "keepdims": Param(parse_bool, False, doc="keep the searched axis with length 1"),
    }
    function = staticmethod(np.argmax)

    def _axis(self, ndim: int) -> int | None:
        if self.axis is None:
            return None
        if not -ndim <= self.axis < ndim:
            raise self.fail(f"axis {self.axis} is out of range for data with {ndim} axes")
        return self.axis % ndim

    def _out_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        axis = self._axis(len(shape))
        if axis is None:
            return (1,) * len(shape) if self.keepdims else (1,)
        if self.keepdims:
            return (*shape[:axis], 1, *shape[axis + 1:])
        return (*shape[:axis], *shape[axis + 1:]) or (1,)

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        return in_shapes, [None if data is None else self._out_shape(tuple(data))], []

    def forward(self, is_train, inputs, aux):
        (data,) = inputs
        axis = self._axis(data.ndim)
        index = self.function(data) if axis is None else self.function(data, axis=axis)
        return [np.asarray(index).astype(data.dtype).reshape(self._out_shape(data.shape))]

    def backward(self, out_grads, inputs, outputs, aux):
        return [np.zeros_like(inputs[0])]


@register
class ArgMax(_ArgReduce):
    """Index of the largest element (the first one if tied)."""

    name = "argmax"
    function = staticmethod(np.argmax)


@register
class ArgMin(_ArgReduce):
    """Index of the smallest element (the first one if tied)."""

    name = "argmin"
    function = staticmethod(np.argmin)


@register
class ArgMaxChannel(_ArgReduce):
    """Index of the largest element along axis 1 (of each row, for 2-d data)."""

    name = "argmax_channel"
    params = {}
    function = staticmethod(np.argmax)
    axis = 1
    keepdims = False

"""expand_dims: insert an axis of size 1 at position ``axis``.

Like Reshape, no element moves; the gradient is the head gradient with that axis removed.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_int, register


@register
class ExpandDims(Operator):
    """Add an axis of length 1."""

    name = "expand_dims"
    params = {"axis": Param(parse_int, doc="where the new axis goes; -1 appends it")}

    def _axis(self, ndim: int) -> int:
        # the output has ndim + 1 axes, so axis may range over -ndim-1 .. ndim
        if not -ndim - 1 <= self.axis <= ndim:
            raise self.fail(f"axis {self.axis} is out of range for data with {ndim} axes "
                            f"(allowed: {-ndim - 1} to {ndim})")
        return self.axis % (ndim + 1)

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        axis = self._axis(len(data))
        return in_shapes, [(*data[:axis], 1, *data[axis:])], []

    def forward(self, is_train, inputs, aux):
        (data,) = inputs
        return [np.expand_dims(data, self._axis(data.ndim))]

    def backward(self, out_grads, inputs, outputs, aux):
        return [out_grads[0].reshape(inputs[0].shape)]

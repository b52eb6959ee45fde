"""SwapAxis (alias ``swapaxes``): exchange two axes of the data; its gradient swaps them back."""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_int, register


@register
class SwapAxis(Operator):
    """``np.swapaxes(data, dim1, dim2)``."""

    name = "SwapAxis"
    aliases = ("swapaxes",)
    params = {
        "dim1": Param(parse_int, 0, doc="the first axis"),
        "dim2": Param(parse_int, 0, doc="the second axis"),
    }

    def check_axes(self, ndim: int) -> None:
        for dim in (self.dim1, self.dim2):
            if not -ndim <= dim < ndim:
                raise self.fail(f"axis {dim} is out of range for data with {ndim} dimensions")

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        self.check_axes(len(data))
        out = list(data)
        out[self.dim1], out[self.dim2] = data[self.dim2], data[self.dim1]
        return [tuple(data)], [tuple(out)], []

    def forward(self, is_train, inputs, aux):
        self.check_axes(inputs[0].ndim)
        return [np.ascontiguousarray(np.swapaxes(inputs[0], self.dim1, self.dim2))]

    def backward(self, out_grads, inputs, outputs, aux):
        return [np.ascontiguousarray(np.swapaxes(out_grads[0], self.dim1, self.dim2))]

"""squeeze: remove axes of length 1 (all of them, or those named in ``axis``).

No element moves; the gradient is the head gradient reshaped back. As in MXNet, squeezing
every axis of an all-ones shape leaves ``(1,)``, not a 0-d array.
"""
from __future__ import annotations

from .registry import Operator, Param, optional, parse_shape, register


@register
class Squeeze(Operator):
    """Drop axes of size 1."""

    name = "squeeze"
    params = {"axis": Param(optional(parse_shape), None,
                            doc="the axes to remove (each of size 1); None: every such axis")}

    def out_shape(self, data: tuple[int, ...]) -> tuple[int, ...]:
        ndim = len(data)
        if self.axis is None:
            drop = {i for i, n in enumerate(data) if n == 1}
        else:
            for a in self.axis:
                if not -ndim <= a < ndim:
                    raise self.fail(f"axis {a} is out of range for data of shape {data}")
            drop = {a % ndim for a in self.axis}
            if any(data[a] != 1 for a in drop):
                raise self.fail(f"axis {self.axis} of data {data}: only axes of size 1 can go")
        return tuple(n for i, n in enumerate(data) if i not in drop) or (1,)

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        return in_shapes, [None if data is None else self.out_shape(tuple(data))], []

    def forward(self, is_train, inputs, aux):
        return [inputs[0].reshape(self.out_shape(inputs[0].shape))]

    def backward(self, out_grads, inputs, outputs, aux):
        return [out_grads[0].reshape(inputs[0].shape)]

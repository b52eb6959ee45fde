"""reverse (alias flip): reverse the order of the elements along the given axes.

Reversing twice gives the original back, so the gradient is the head gradient reversed along
the same axes.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_shape, register


@register
class Reverse(Operator):
    """``np.flip(data, axis)``."""

    name = "reverse"
    aliases = ("flip",)
    params = {"axis": Param(parse_shape, doc="the axes to reverse")}
    backward_reads = ()

    def _axes(self, ndim: int) -> tuple[int, ...]:
        for a in self.axis:
            if not -ndim <= a < ndim:
                raise self.fail(f"axis {a} is out of range for data with {ndim} axes")
        return tuple(a % ndim for a in self.axis)

    def infer_shape(self, in_shapes):
        if in_shapes[0] is not None:
            self._axes(len(in_shapes[0]))
        return super().infer_shape(in_shapes)

    def forward(self, is_train, inputs, aux):
        return [np.flip(inputs[0], self._axes(inputs[0].ndim)).copy()]

    def backward(self, out_grads, inputs, outputs, aux):
        return [np.flip(out_grads[0], self._axes(out_grads[0].ndim)).copy()]

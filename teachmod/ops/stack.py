"""stack: join ``num_args`` arrays of the same shape along a new axis ``axis``.

``stack([a, b], axis=0)[i]`` is the i-th input. The backward cuts the head gradient along the
new axis: input i gets slice i.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_int, register


@register
class Stack(Operator):
    """Stack equally shaped inputs (named arg0, arg1, ...) along a new axis."""

    name = "stack"
    variadic = "num_args"
    params = {
        "axis": Param(parse_int, 0, doc="where the new axis goes (negative counts from the end)"),
        "num_args": Param(parse_int, doc="number of inputs"),
    }

    def validate(self):
        if self.num_args < 1:
            raise self.fail(f"num_args must be >= 1, got {self.num_args}")

    def list_arguments(self):
        return [f"arg{i}" for i in range(self.num_args)]

    def _axis(self, ndim: int) -> int:
        # the output has ndim + 1 axes
        if not -ndim - 1 <= self.axis <= ndim:
            raise self.fail(f"axis {self.axis} is out of range for inputs with {ndim} axes")
        return self.axis % (ndim + 1)

    def infer_shape(self, in_shapes):
        shape = next((s for s in in_shapes if s is not None), None)
        if shape is None:
            return in_shapes, [None], []
        ins = [self.expect_shape(in_shapes, i, tuple(shape)) for i in range(len(in_shapes))]
        axis = self._axis(len(shape))
        return ins, [(*shape[:axis], self.num_args, *shape[axis:])], []

    def forward(self, is_train, inputs, aux):
        self.infer_shape([x.shape for x in inputs])
        return [np.stack(inputs, axis=self._axis(inputs[0].ndim))]

    def backward(self, out_grads, inputs, outputs, aux):
        axis = self._axis(inputs[0].ndim)
        return [np.take(out_grads[0], i, axis=axis) for i in range(self.num_args)]

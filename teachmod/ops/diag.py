"""diag: the ``k``-th diagonal of an array, or a matrix built from a vector.

For 1-D data of length n the output is a square matrix of side ``n + |k|`` with the data on
diagonal ``k`` and zeros elsewhere. For data with two or more axes the output is diagonal
``k`` of the planes spanned by ``axis1`` and ``axis2`` (``np.diagonal``), with the diagonal as
the last axis. The two cases are each other's gradient: the matrix case sends back the
diagonal of the head gradient, the extraction case puts the head gradient on the diagonal of
a zero array.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_int, register


@register
class Diag(Operator):
    """Extract a diagonal, or make a diagonal matrix from a vector."""

    name = "diag"
    params = {
        "k": Param(parse_int, 0, doc="the diagonal: 0 the main one, > 0 above, < 0 below"),
        "axis1": Param(parse_int, 0, doc="first axis of the planes (data with >= 2 axes)"),
        "axis2": Param(parse_int, 1, doc="second axis of the planes (data with >= 2 axes)"),
    }
    backward_reads = ("data",)

    def _axes(self, ndim: int) -> tuple[int, int]:
        for a in (self.axis1, self.axis2):
            if not -ndim <= a < ndim:
                raise self.fail(f"axis {a} is out of range for data with {ndim} axes")
        axis1, axis2 = self.axis1 % ndim, self.axis2 % ndim
        if axis1 == axis2:
            raise self.fail(f"axis1 and axis2 must differ, got {self.axis1} and {self.axis2}")
        return axis1, axis2

    def out_shape(self, data: tuple[int, ...]) -> tuple[int, ...]:
        if len(data) == 0:
            raise self.fail("data must have at least one axis")
        if len(data) == 1:
            side = data[0] + abs(self.k)
            return (side, side)
        axis1, axis2 = self._axes(len(data))
        rows, cols = data[axis1], data[axis2]
        length = min(rows, cols - self.k) if self.k >= 0 else min(rows + self.k, cols)
        if length <= 0:
            raise self.fail(f"k={self.k} is outside the {rows}x{cols} planes of data {data}")
        rest = tuple(n for i, n in enumerate(data) if i not in (axis1, axis2))
        return (*rest, length)

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        return in_shapes, [None if data is None else self.out_shape(tuple(data))], []

    def forward(self, is_train, inputs, aux):
        data = inputs[0]
        self.out_shape(data.shape)
        if data.ndim == 1:
            return [np.diag(data, self.k)]
        return [np.diagonal(data, self.k, *self._axes(data.ndim)).copy()]

    def backward(self, out_grads, inputs, outputs, aux):
        data, grad = inputs[0], out_grads[0]
        if data.ndim == 1:
            return [np.diag(grad, self.k).copy()]
        grad_data = np.zeros_like(data)
        # a view with the two plane axes last; write the head gradient onto its diagonal
        planes = np.moveaxis(grad_data, self._axes(data.ndim), (-2, -1))
        steps = np.arange(grad.shape[-1])
        planes[..., steps + max(0, -self.k), steps + max(0, self.k)] = grad
        return [grad_data]

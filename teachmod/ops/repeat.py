"""repeat and tile: copy elements (repeat) or the whole array (tile) several times.

``repeat(x, repeats, axis)`` is ``np.repeat``: each element appears ``repeats`` times in a
row along ``axis`` (with no axis, the array is flattened first). ``tile(x, reps)`` is
``np.tile``: the array is laid out ``reps[i]`` times along axis i.

Both gradients add up the copies. For repeat the copies of element j sit next to each other,
so the head gradient is reshaped to put them on an axis of their own and summed over it; for
tile the copies sit a whole block apart, ``(reps_0, n_0, reps_1, n_1, ...)``, and the sum runs
over the ``reps`` axes.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, optional, parse_int, parse_shape, register


@register
class Repeat(Operator):
    """Repeat each element."""

    name = "repeat"
    params = {
        "repeats": Param(parse_int, doc="how many times each element appears"),
        "axis": Param(optional(parse_int), None, doc="the axis to repeat along; None: flatten"),
    }

    def validate(self):
        if self.repeats < 0:
            raise self.fail(f"repeats must be >= 0, got {self.repeats}")

    def _axis(self, ndim: int) -> int:
        if not -ndim <= self.axis < ndim:
            raise self.fail(f"axis {self.axis} is out of range for data with {ndim} axes")
        return self.axis % ndim

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        if self.axis is None:
            return in_shapes, [(int(np.prod(data, dtype=np.int64)) * self.repeats,)], []
        axis = self._axis(len(data))
        return in_shapes, [(*data[:axis], data[axis] * self.repeats, *data[axis + 1:])], []

    def forward(self, is_train, inputs, aux):
        axis = None if self.axis is None else self._axis(inputs[0].ndim)
        return [np.repeat(inputs[0], self.repeats, axis=axis)]

    def backward(self, out_grads, inputs, outputs, aux):
        data, grad = inputs[0], out_grads[0]
        if self.axis is None:
            return [grad.reshape(-1, self.repeats).sum(axis=1).reshape(data.shape)]
        axis = self._axis(data.ndim)
        # (..., n * repeats, ...) -> (..., n, repeats, ...): the copies get an axis of their own
        split = (*data.shape[:axis], data.shape[axis], self.repeats, *data.shape[axis + 1:])
        return [grad.reshape(split).sum(axis=axis + 1)]


@register
class Tile(Operator):
    """Repeat the whole array along each axis."""

    name = "tile"
    params = {"reps": Param(parse_shape, doc="how many copies along each axis")}

    def validate(self):
        if any(r < 1 for r in self.reps):
            raise self.fail(f"reps {self.reps} must all be >= 1")

    def _layout(self, shape: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The data shape and reps, both padded with leading 1s to the same length."""
        ndim = max(len(shape), len(self.reps))
        return ((1,) * (ndim - len(shape)) + tuple(shape),
                (1,) * (ndim - len(self.reps)) + tuple(self.reps))

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        shape, reps = self._layout(tuple(data))
        return in_shapes, [tuple(n * r for n, r in zip(shape, reps))], []

    def forward(self, is_train, inputs, aux):
        return [np.tile(inputs[0], self.reps)]

    def backward(self, out_grads, inputs, outputs, aux):
        data = inputs[0]
        shape, reps = self._layout(data.shape)
        blocks = [size for pair in zip(reps, shape) for size in pair]  # r0, n0, r1, n1, ...
        summed = out_grads[0].reshape(blocks).sum(axis=tuple(range(0, len(blocks), 2)))
        return [summed.reshape(data.shape)]

"""slice (alias ``crop``) and slice_axis: NumPy-style basic slicing as operators.

``slice(data, begin=(b0, b1), end=(e0, e1), step=(s0, s1))`` is ``data[b0:e0:s0, b1:e1:s1]``;
entries may be None, negative indices count from the end, axes not mentioned are kept whole.
``slice_axis(data, axis, begin, end)`` slices one axis. The gradient is zero except on the
selected elements, which receive the output gradient.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .registry import Operator, Param, _literal, optional, parse_int, register


def parse_index_tuple(value: Any) -> tuple[int | None, ...]:
    """A tuple of ints or Nones, from ``(None, 1)``, ``[0, -1]``, ``3`` or their strings."""
    value = _literal(value) if isinstance(value, str) else value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),)
    if isinstance(value, (tuple, list)) and all(
            v is None or (isinstance(v, (int, np.integer)) and not isinstance(v, bool))
            for v in value):
        return tuple(None if v is None else int(v) for v in value)
    raise ValueError


parse_index_tuple.__name__ = "a tuple of integers or None such as (0, None)"


class SliceBase(Operator):
    """Forward and backward of any operator that selects ``data[self.index(shape)]``."""

    def index(self, shape: tuple[int, ...]) -> tuple[slice, ...]:
        raise NotImplementedError

    infers_backward = True  # takes partial shapes: an unknown (0) size stays unknown

    def infer_shape(self, in_shapes, out_shapes=None):
        data = in_shapes[0]
        if not data:
            return in_shapes, [None], []
        out = np.broadcast_to(False, tuple(data))[self.index(tuple(data))].shape  # no memory
        return [tuple(data)], [out], []

    def forward(self, is_train, inputs, aux):
        return [inputs[0][self.index(inputs[0].shape)].copy()]

    def backward(self, out_grads, inputs, outputs, aux):
        grad = np.zeros_like(inputs[0])
        grad[self.index(grad.shape)] = out_grads[0]
        return [grad]


@register
class Slice(SliceBase):
    """``data[begin[0]:end[0]:step[0], ...]``."""

    name = "slice"
    aliases = ("crop",)
    params = {
        "begin": Param(parse_index_tuple, doc="start index per axis (None: from the start)"),
        "end": Param(parse_index_tuple, doc="stop index per axis (None: to the end)"),
        "step": Param(parse_index_tuple, (), doc="step per axis (None or 1: every element)"),
    }

    def validate(self) -> None:
        if len(self.begin) != len(self.end):
            raise self.fail(f"begin {self.begin} and end {self.end} must have the same length")
        if self.step and len(self.step) != len(self.begin):
            raise self.fail(f"step {self.step} and begin {self.begin} must have the same length")
        if 0 in self.step:
            raise self.fail(f"step {self.step} cannot contain 0")

    def index(self, shape):
        if len(self.begin) > len(shape):
            raise self.fail(f"begin {self.begin} has more axes than the data {tuple(shape)}")
        steps = self.step or (None,) * len(self.begin)
        return tuple(slice(*parts) for parts in zip(self.begin, self.end, steps))


@register
class SliceAxis(SliceBase):
    """``data[..., begin:end, ...]`` along ``axis``."""

    name = "slice_axis"
    params = {
        "axis": Param(parse_int, doc="the axis to slice (negative counts from the end)"),
        "begin": Param(parse_int, doc="start index (negative counts from the end)"),
        "end": Param(optional(parse_int), None, doc="stop index, or None for the end of the axis"),
    }

    def index(self, shape):
        ndim = len(shape)
        if not -ndim <= self.axis < ndim:
            raise self.fail(f"axis {self.axis} is out of range for data of shape {tuple(shape)}")
        axis = self.axis % ndim
        if shape[axis] == 0:  # a size not known yet: it stays unknown
            return (slice(None),) * (axis + 1)
        start, stop, _ = slice(self.begin, self.end).indices(shape[axis])
        if start >= stop:
            raise self.fail(f"begin {self.begin} and end {self.end} select nothing from an "
                            f"axis of size {shape[axis]}")
        return (slice(None),) * axis + (slice(start, stop),)

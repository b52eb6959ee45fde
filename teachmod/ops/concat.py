"""Concat: join ``num_args`` arrays along axis ``dim``; all other axes must match.

Each input owns a contiguous block of the output along ``dim``, so its gradient is that block
of the head gradient: the backward splits the head gradient at the same boundaries.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_int, register


def _drop(shape: tuple[int, ...], axis: int) -> tuple[int, ...]:
    """The shape without one axis: what all inputs of Concat must share."""
    return (*shape[:axis], *shape[axis + 1:])


@register
class Concat(Operator):
    """Concatenate a variable number of inputs (named arg0, arg1, ...)."""

    name = "Concat"
    aliases = ("concat",)
    variadic = "num_args"
    params = {
        "num_args": Param(parse_int, doc="number of inputs"),
        "dim": Param(parse_int, 1, doc="the axis to join along"),
    }

    def validate(self):
        if self.num_args < 1:
            raise self.fail(f"num_args must be >= 1, got {self.num_args}")

    def list_arguments(self):
        return [f"arg{i}" for i in range(self.num_args)]

    def _axis(self, ndim: int) -> int:
        if not -ndim <= self.dim < ndim:
            raise self.fail(f"dim {self.dim} is out of range for inputs with {ndim} axes")
        return self.dim % ndim

    def infer_shape(self, in_shapes):
        known = [(i, s) for i, s in enumerate(in_shapes) if s is not None]
        if not known:
            return in_shapes, [None], []
        first_index, first = known[0]
        axis = self._axis(len(first))
        for i, shape in known[1:]:
            if len(shape) != len(first) or _drop(shape, axis) != _drop(first, axis):
                raise self.fail(
                    f"argument 'arg{i}' has shape {tuple(shape)}, which does not match "
                    f"'arg{first_index}' {tuple(first)} on every axis except dim={self.dim}")
        if len(known) < len(in_shapes):
            return in_shapes, [None], []  # the output size along dim needs every input
        total = sum(s[axis] for s in in_shapes)
        return in_shapes, [(*first[:axis], total, *first[axis + 1:])], []

    def forward(self, is_train, inputs, aux):
        return [np.concatenate(inputs, axis=self._axis(inputs[0].ndim))]

    def backward(self, out_grads, inputs, outputs, aux):
        axis = self._axis(inputs[0].ndim)
        # the block boundaries along axis: cumulative sizes of all inputs but the last
        boundaries = np.cumsum([x.shape[axis] for x in inputs])[:-1]
        return np.split(out_grads[0], boundaries, axis=axis)

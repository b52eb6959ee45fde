"""Concat: join ``num_args`` arrays along axis ``dim``; all other axes must match.

Each input owns a contiguous block of the output along ``dim``, so its gradient is that block
of the head gradient: the backward splits the head gradient at the same boundaries.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, merge_shapes, parse_int, register


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

    infers_backward = True

    def infer_shape(self, in_shapes, out_shapes=None):
        out = out_shapes[0] if out_shapes else None
        given = [(f"argument 'arg{i}'", s) for i, s in enumerate(in_shapes)]
        given = [(name, s) for name, s in given + [("the output", out)] if s]
        if not given:
            return in_shapes, [None], []
        axis = self._axis(len(given[0][1]))
        common = None  # what the inputs and the output share: all axes but dim (left 0)
        for name, shape in given:
            try:
                common = merge_shapes(common, (*shape[:axis], 0, *shape[axis + 1:]))
            except ValueError:
                raise self.fail(
                    f"{name} has shape {tuple(shape)}, which does not match the other inputs "
                    f"{[tuple(s) for _, s in given]} on every axis except dim={self.dim}"
                ) from None
        sizes = [s[axis] if s else 0 for s in in_shapes]  # 0: not known
        ins = [(*common[:axis], n, *common[axis + 1:]) for n in sizes]
        total = sum(sizes) if all(sizes) else 0  # the output size along dim needs every input
        return ins, [(*common[:axis], total, *common[axis + 1:])], []

    def forward(self, is_train, inputs, aux):
        return [np.concatenate(inputs, axis=self._axis(inputs[0].ndim))]

    def backward(self, out_grads, inputs, outputs, aux):
        axis = self._axis(inputs[0].ndim)
        # the block boundaries along axis: cumulative sizes of all inputs but the last
        boundaries = np.cumsum([x.shape[axis] for x in inputs])[:-1]
        return np.split(out_grads[0], boundaries, axis=axis)

"""reshape_like: reshape ``lhs`` to the shape of ``rhs``, or to lhs's shape with a range of
its axes replaced by a range of rhs's axes.

The output shape is ``lhs.shape[:lhs_begin] + rhs.shape[rhs_begin:rhs_end] +
lhs.shape[lhs_end:]`` (None: from the start / to the end; negative counts from the end); the
element count must not change. As for Reshape the gradient of lhs is the head gradient
reshaped back; only rhs's shape is used, so rhs gets a zero gradient.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, optional, parse_int, register


@register
class ReshapeLike(Operator):
    """Reshape lhs like (part of) rhs."""

    name = "reshape_like"
    arguments = ("lhs", "rhs")
    backward_reads = ("lhs", "rhs")
    params = {
        "lhs_begin": Param(optional(parse_int), None, doc="first axis of lhs to replace"),
        "lhs_end": Param(optional(parse_int), None, doc="end of the axes of lhs to replace"),
        "rhs_begin": Param(optional(parse_int), None, doc="first axis of rhs to use"),
        "rhs_end": Param(optional(parse_int), None, doc="end of the axes of rhs to use"),
    }

    def out_shape(self, lhs: tuple[int, ...], rhs: tuple[int, ...]) -> tuple[int, ...]:
        lb, le, _ = slice(self.lhs_begin, self.lhs_end).indices(len(lhs))
        rb, re, _ = slice(self.rhs_begin, self.rhs_end).indices(len(rhs))
        out = (*lhs[:lb], *rhs[rb:re], *lhs[max(lb, le):])
        if int(np.prod(out, dtype=np.int64)) != int(np.prod(lhs, dtype=np.int64)):
            raise self.fail(f"lhs {tuple(lhs)} cannot take the shape {out} (from rhs "
                            f"{tuple(rhs)}): the number of elements differs")
        return out

    def infer_shape(self, in_shapes):
        lhs, rhs = in_shapes
        if lhs is None or rhs is None:
            return in_shapes, [None], []
        return in_shapes, [self.out_shape(tuple(lhs), tuple(rhs))], []

    def infer_type(self, in_types):
        return in_types, [in_types[0]], []  # rhs keeps its own type

    def forward(self, is_train, inputs, aux):
        lhs, rhs = inputs
        return [lhs.reshape(self.out_shape(lhs.shape, rhs.shape))]

    def backward(self, out_grads, inputs, outputs, aux):
        lhs, rhs = inputs
        return [out_grads[0].reshape(lhs.shape), np.zeros_like(rhs)]

"""_slice_assign (alias ``_crop_assign``) and _slice_assign_scalar: ``data`` with one slice
replaced, as ``x[begin:end:step] = value`` is written as an operator.

``_slice_assign(lhs, rhs, begin, end, step)`` returns a copy of ``lhs`` whose slice holds
``rhs``; ``_slice_assign_scalar(data, scalar, begin, end, step)`` fills the slice with one
number. The gradient of ``lhs``/``data`` is the output gradient outside the slice (inside, the
value was overwritten); ``rhs`` receives the output gradient of the slice.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_float, register
from .slice import parse_index_tuple


class _Assign(Operator):
    """Shared by both forms: which elements the slice covers."""

    def index(self, shape: tuple[int, ...]) -> tuple[slice, ...]:
        if len(self.begin) != len(self.end) or len(self.begin) > len(shape):
            raise self.fail(f"begin {self.begin} and end {self.end} must have the same length, "
                            f"at most the data's {len(shape)} axes")
        steps = self.step or (None,) * len(self.begin)
        return tuple(slice(*parts) for parts in zip(self.begin, self.end, steps))


SLICE_PARAMS = {
    "begin": Param(parse_index_tuple, doc="start index per axis (None: from the start)"),
    "end": Param(parse_index_tuple, doc="stop index per axis (None: to the end)"),
    "step": Param(parse_index_tuple, (), doc="step per axis (None or 1: every element)"),
}


@register
class SliceAssign(_Assign):
    """``out = lhs.copy(); out[begin:end:step] = rhs``."""

    name = "_slice_assign"
    aliases = ("_crop_assign",)
    arguments = ("lhs", "rhs")
    params = SLICE_PARAMS

    def infer_shape(self, in_shapes):
        lhs, rhs = in_shapes
        if lhs is None:
            return in_shapes, [None], []
        part = np.broadcast_to(False, tuple(lhs))[self.index(tuple(lhs))].shape  # no memory
        return [tuple(lhs), self.expect_shape(in_shapes, 1, part)], [tuple(lhs)], []

    def forward(self, is_train, inputs, aux):
        lhs, rhs = inputs
        out = lhs.copy()
        where = self.index(lhs.shape)
        if out[where].shape != rhs.shape:  # numpy would broadcast a smaller rhs silently
            raise self.fail(f"input 'rhs' has shape {rhs.shape}, but the slice has shape "
                            f"{out[where].shape}")
        out[where] = rhs
        return [out]

    def backward(self, out_grads, inputs, outputs, aux):
        where = self.index(out_grads[0].shape)
        grad_lhs = out_grads[0].copy()
        grad_lhs[where] = 0
        return [grad_lhs, out_grads[0][where].copy()]


@register
class SliceAssignScalar(_Assign):
    """``out = data.copy(); out[begin:end:step] = scalar``."""

    name = "_slice_assign_scalar"
    aliases = ("_crop_assign_scalar",)
    params = {"scalar": Param(parse_float, 0.0, doc="the value written into the slice"),
              **SLICE_PARAMS}

    def forward(self, is_train, inputs, aux):
        out = inputs[0].copy()
        out[self.index(out.shape)] = self.scalar
        return [out]

    def backward(self, out_grads, inputs, outputs, aux):
        grad = out_grads[0].copy()
        grad[self.index(grad.shape)] = 0
        return [grad]

"""broadcast_to, broadcast_like and broadcast_axis (alias broadcast_axes): repeat axes of
size 1 to a larger size, as numpy's broadcasting does.

- ``broadcast_to(x, shape=(2, 0, 4))``: a 0 keeps the input's size on that axis.
- ``broadcast_like(x, y)``: to y's shape; with ``lhs_axes``/``rhs_axes`` only those axes of x
  take the sizes of those axes of y.
- ``broadcast_axis(x, axis=(0, 2), size=(3, 5))``: the named axes (each of size 1) grow.

Every output element is a copy of one input element, so the gradient of the input adds up
the head gradients of all its copies: a sum over the broadcast axes.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, optional, parse_shape, register


class _Broadcast(Operator):
    """Shared: check the target shape, broadcast forward, sum backward."""

    def target(self, data: tuple[int, ...], in_shapes) -> tuple[int, ...] | None:
        raise NotImplementedError

    def checked(self, data: tuple[int, ...], out: tuple[int, ...]) -> tuple[int, ...]:
        if len(out) != len(data) or any(d not in (1, o) for d, o in zip(data, out)):
            raise self.fail(f"cannot broadcast {data} to {out}: only axes of size 1 can grow")
        return out

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        out = None if data is None else self.target(tuple(data), in_shapes)
        return in_shapes, [None if out is None else self.checked(tuple(data), out)], []

    def infer_type(self, in_types):
        return in_types, [in_types[0]], []

    def forward(self, is_train, inputs, aux):
        data = inputs[0]
        out = self.checked(data.shape, self.target(data.shape, [x.shape for x in inputs]))
        return [np.broadcast_to(data, out).copy()]

    def backward(self, out_grads, inputs, outputs, aux):
        data, grad = inputs[0], out_grads[0]
        grown = tuple(i for i, (d, o) in enumerate(zip(data.shape, grad.shape)) if d != o)
        grads = [grad.sum(axis=grown, keepdims=True)]
        return grads + [np.zeros_like(x) for x in inputs[1:]]


@register
class BroadcastTo(_Broadcast):
    """Broadcast to ``shape`` (0: keep that axis)."""

    name = "broadcast_to"
    params = {"shape": Param(parse_shape, (), doc="the target shape; 0 keeps an axis")}
    backward_reads = ("data",)

    def target(self, data, in_shapes):
        if len(self.shape) != len(data):
            raise self.fail(f"shape {self.shape} must have as many axes as the data {data}")
        return tuple(d if s == 0 else s for d, s in zip(data, self.shape))


@register
class BroadcastAxis(_Broadcast):
    """Grow the named axes of size 1 to ``size``."""

    name = "broadcast_axis"
    aliases = ("broadcast_axes",)
    params = {
        "axis": Param(parse_shape, (), doc="the axes to grow"),
        "size": Param(parse_shape, (), doc="their new sizes"),
    }
    backward_reads = ("data",)

    def validate(self):
        if len(self.axis) != len(self.size):
            raise self.fail(f"axis {self.axis} and size {self.size} must have the same length")

    def target(self, data, in_shapes):
        out = list(data)
        for a, n in zip(self.axis, self.size):
            if not -len(data) <= a < len(data):
                raise self.fail(f"axis {a} is out of range for data of shape {data}")
            out[a] = n
        return tuple(out)


@register
class BroadcastLike(_Broadcast):
    """Broadcast lhs to the shape of rhs (or some of lhs's axes to some of rhs's)."""

    name = "broadcast_like"
    arguments = ("lhs", "rhs")
    params = {
        "lhs_axes": Param(optional(parse_shape), None, doc="axes of lhs to grow; None: all"),
        "rhs_axes": Param(optional(parse_shape), None, doc="axes of rhs giving the sizes"),
    }
    backward_reads = ("lhs", "rhs")

    def target(self, data, in_shapes):
        like = in_shapes[1]
        if like is None:
            return None
        if self.lhs_axes is None and self.rhs_axes is None:
            return tuple(like)
        lhs_axes, rhs_axes = self.lhs_axes or (), self.rhs_axes or ()
        if len(lhs_axes) != len(rhs_axes):
            raise self.fail(f"lhs_axes {lhs_axes} and rhs_axes {rhs_axes} must have the same "
                            "length")
        out = list(data)
        for a, b in zip(lhs_axes, rhs_axes):
            out[a] = like[b]
        return tuple(out)

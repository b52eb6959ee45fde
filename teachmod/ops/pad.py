"""Pad: pad the spatial axes of 4-D or 5-D data (like ``np.pad``).

``pad_width`` is flattened: ``(before_0, after_0, before_1, after_1, ...)``, one pair per axis;
MXNet requires the pairs of the first two axes (N and C) to be zero. Modes: ``constant``
(``constant_value``), ``edge`` (repeat the border) and ``reflect`` (mirror without repeating
the border; widths must be smaller than the axis).

Every output element is a copy of one input element (or a constant). The backward pass sends
each output gradient back to the element it came from, one axis at a time: along an axis, that
is a product with the 0/1 matrix ``select[i, j] = 1 if output j was copied from input i``.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_float, parse_shape, parse_str, register


@register
class Pad(Operator):
    """Constant, edge or reflection padding."""

    name = "Pad"
    aliases = ("pad",)
    params = {
        "mode": Param(parse_str, choices=("constant", "edge", "reflect"), doc="how to pad"),
        "pad_width": Param(parse_shape, doc="(before_0, after_0, ..., before_N, after_N)"),
        "constant_value": Param(parse_float, 0.0, doc="the value for mode='constant'"),
    }

    def widths(self, ndim: int) -> list[tuple[int, int]]:
        return list(zip(self.pad_width[0::2], self.pad_width[1::2]))[:ndim]

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        if len(data) not in (4, 5):
            raise self.fail(f"data must be 4-D or 5-D, got shape {tuple(data)}")
        if len(self.pad_width) != 2 * len(data):
            raise self.fail(f"pad_width {self.pad_width} needs {2 * len(data)} entries "
                            f"(two per axis) for data of shape {tuple(data)}")
        if any(self.pad_width[:4]) or min(self.pad_width) < 0:
            raise self.fail(f"pad_width {self.pad_width}: the first four entries (axes N and "
                            "C) must be 0 and none may be negative")
        if self.mode == "reflect" and any(
                max(w) >= n for w, n in zip(self.widths(len(data)), data)):
            raise self.fail(f"reflect padding {self.pad_width} must be smaller than each "
                            f"axis of {tuple(data)}")
        out = tuple(n + before + after for n, (before, after) in zip(data, self.widths(len(data))))
        return [tuple(data)], [out], []

    def forward(self, is_train, inputs, aux):
        data = inputs[0]
        self.infer_shape([data.shape])
        if self.mode == "constant":
            return [np.pad(data, self.widths(data.ndim), constant_values=self.constant_value)]
        return [np.pad(data, self.widths(data.ndim), mode=self.mode)]

    def backward(self, out_grads, inputs, outputs, aux):
        grad, data = out_grads[0], inputs[0]
        for axis, (before, after) in enumerate(self.widths(data.ndim)):
            if before == after == 0:
                continue
            size = data.shape[axis]
            # the input index each output position was copied from (-1: a constant)
            source = np.pad(np.arange(size), (before, after),
                            **({"constant_values": -1} if self.mode == "constant"
                               else {"mode": self.mode}))
            select = (np.arange(size)[:, None] == source).astype(grad.dtype)  # (in, out)
            grad = np.moveaxis(np.tensordot(grad, select, axes=([axis], [1])), -1, axis)
        return [np.ascontiguousarray(grad)]

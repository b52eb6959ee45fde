"""Flatten: collapse every axis after the first, ``(n, d1, d2, ...) -> (n, d1*d2*...)``.

No element moves, so the gradient is the head gradient reshaped back to the input's shape.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, register


@register
class Flatten(Operator):
    """Keep the batch axis and flatten the rest into one."""

    name = "Flatten"
    aliases = ("flatten",)
    params = {}

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        if len(data) == 0:
            raise self.fail("data must have at least one axis, got shape ()")
        return in_shapes, [(data[0], int(np.prod(data[1:], dtype=np.int64)))], []

    def forward(self, is_train, inputs, aux):
        (data,) = inputs
        return [data.reshape(data.shape[0], -1)]

    def backward(self, out_grads, inputs, outputs, aux):
        return [out_grads[0].reshape(inputs[0].shape)]

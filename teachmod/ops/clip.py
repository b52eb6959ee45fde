"""clip: limit every element to ``[a_min, a_max]``.

Inside the interval the output is the input, so the gradient passes through; outside it the
output is a constant, so the gradient is zero.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_float, register


@register
class Clip(Operator):
    """Clamp values to an interval."""

    name = "clip"
    params = {
        "a_min": Param(parse_float, doc="the lower bound"),
        "a_max": Param(parse_float, doc="the upper bound"),
    }

    def forward(self, is_train, inputs, aux):
        x = inputs[0]
        # the bounds in the data's type, as MXNet: integers are clipped to int(a_min)...
        low, high = np.array([self.a_min, self.a_max]).astype(x.dtype)
        return [np.clip(x, low, high)]

    def backward(self, out_grads, inputs, outputs, aux):
        (data,) = inputs
        inside = (data >= self.a_min) & (data <= self.a_max)
        return [out_grads[0] * inside]

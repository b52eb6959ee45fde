"""hard_sigmoid: the piecewise-linear sigmoid ``y = clip(alpha * x + beta, 0, 1)``.

On the slope the derivative is ``alpha``; where the output is clipped to 0 or 1 it is zero.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_float, register


@register
class HardSigmoid(Operator):
    """A straight line from 0 to 1, flat outside."""

    name = "hard_sigmoid"
    params = {
        "alpha": Param(parse_float, 0.2, doc="slope of the line"),
        "beta": Param(parse_float, 0.5, doc="its value at x = 0"),
    }
    backward_reads = ("data",)

    def forward(self, is_train, inputs, aux):
        x = inputs[0]
        return [np.clip(self.alpha * x + self.beta, 0, 1).astype(x.dtype, copy=False)]

    def backward(self, out_grads, inputs, outputs, aux):
        x = inputs[0]
        line = self.alpha * x + self.beta
        on_slope = (line > 0) & (line < 1)
        return [(out_grads[0] * np.where(on_slope, self.alpha, 0)).astype(x.dtype, copy=False)]

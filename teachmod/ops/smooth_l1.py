"""smooth_l1: the Huber-like loss of Fast R-CNN, elementwise, with ``sigma`` = ``scalar``.

=====================  ========================  ==================
where                  y                         dy/dx
=====================  ========================  ==================
``|x| < 1 / sigma^2``  ``(sigma * x)^2 / 2``     ``sigma^2 * x``
otherwise              ``|x| - 0.5 / sigma^2``   ``sign(x)``
=====================  ========================  ==================

The two pieces meet with the same value and slope at ``|x| = 1 / sigma^2``: quadratic near
zero (gentle on small errors), linear further out (robust to outliers).
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_bool, parse_float, register


@register
class SmoothL1(Operator):
    """Quadratic near zero, absolute value beyond ``1 / scalar^2``."""

    name = "smooth_l1"
    params = {
        "scalar": Param(parse_float, 1.0, doc="sigma: the quadratic part is |x| < 1/sigma^2"),
        "is_int": Param(parse_bool, True, doc="accepted; whether the scalar was an int"),
    }
    backward_reads = ("data",)

    def forward(self, is_train, inputs, aux):
        x = inputs[0]
        sigma2 = self.scalar * self.scalar
        y = np.where(np.abs(x) < 1 / sigma2, 0.5 * sigma2 * x * x, np.abs(x) - 0.5 / sigma2)
        return [y.astype(x.dtype, copy=False)]

    def backward(self, out_grads, inputs, outputs, aux):
        x = inputs[0]
        sigma2 = self.scalar * self.scalar
        dydx = np.where(np.abs(x) < 1 / sigma2, sigma2 * x, np.sign(x))
        return [(out_grads[0] * dydx).astype(x.dtype, copy=False)]

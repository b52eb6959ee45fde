"""zeros_like and ones_like: an array of zeros (ones) with the input's shape and type.

The output does not depend on the input's values, so the input's gradient is zero.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, register


@register
class ZerosLike(Operator):
    """All zeros, shaped like the input."""

    name = "zeros_like"
    params = {}

    def forward(self, is_train, inputs, aux):
        return [np.zeros_like(inputs[0])]

    def backward(self, out_grads, inputs, outputs, aux):
        return [np.zeros_like(inputs[0])]


@register
class OnesLike(ZerosLike):
    """All ones, shaped like the input."""

    name = "ones_like"

    def forward(self, is_train, inputs, aux):
        return [np.ones_like(inputs[0])]

"""BlockGrad (``stop_gradient``): pass the data through but let no gradient flow back.

Forward is the identity; backward returns zeros whatever the head gradient, so everything
below this node is treated as a constant by the layers above it.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, register


@register
class BlockGrad(Operator):
    """Identity forward, zero gradient."""

    name = "BlockGrad"
    aliases = ("stop_gradient",)
    params = {}
    blocks_gradient = True  # so the executor skips the backward of everything below it

    def forward(self, is_train, inputs, aux):
        return [inputs[0].copy()]

    def backward(self, out_grads, inputs, outputs, aux):
        return [np.zeros_like(inputs[0])]

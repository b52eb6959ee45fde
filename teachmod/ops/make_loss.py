"""MakeLoss: declare that the data *is* the loss, so the backward starts here.

Forward is the identity. The backward ignores the head gradient (it is a loss layer) and
gives ``d loss / d data = grad_scale / n`` for every element, where ``n`` is

- ``'null'``: 1 (the gradient of ``sum(data)``),
- ``'batch'``: the batch size (the gradient of the mean over the batch axis),
- ``'valid'``: the number of elements greater than ``valid_thresh`` (at least 1).

``make_loss`` (lowercase) is the same without parameters; its output is named ``loss``.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_float, parse_str, register


@register
class MakeLoss(Operator):
    """Turn any expression into a loss whose gradient is a constant."""

    name = "MakeLoss"
    is_loss = True
    params = {
        "grad_scale": Param(parse_float, 1.0, doc="multiplies the gradient"),
        "valid_thresh": Param(parse_float, 0.0,
                              doc="with normalization 'valid': elements above it count"),
        "normalization": Param(parse_str, "null", choices=("null", "batch", "valid"),
                               doc="divide the gradient by 1, the batch size or the valid count"),
    }

    def forward(self, is_train, inputs, aux):
        return [inputs[0].copy()]

    def backward(self, out_grads, inputs, outputs, aux):
        (data,) = inputs
        if self.normalization == "batch":
            count = data.shape[0]
        elif self.normalization == "valid":
            count = max(int((data > self.valid_thresh).sum()), 1)
        else:
            count = 1
        return [np.full_like(data, self.grad_scale / count)]


@register
class MakeLossUnary(Operator):
    """``make_loss``: the newer, parameterless MakeLoss; its gradient is all ones."""

    name = "make_loss"
    outputs = ("loss",)
    is_loss = True
    params = {}

    def forward(self, is_train, inputs, aux):
        return [inputs[0].copy()]

    def backward(self, out_grads, inputs, outputs, aux):
        return [np.ones_like(inputs[0])]

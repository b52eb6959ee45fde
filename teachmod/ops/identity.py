"""_copy (``identity``): return a copy of the input; the gradient passes through unchanged."""
from __future__ import annotations

from .registry import Operator, register


@register
class Copy(Operator):
    """The identity function."""

    name = "_copy"
    aliases = ("identity",)
    params = {}

    def forward(self, is_train, inputs, aux):
        return [inputs[0].copy()]

    def backward(self, out_grads, inputs, outputs, aux):
        return [out_grads[0].copy()]

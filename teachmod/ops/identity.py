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


@register
class IdentityWithAttrLikeRhs(Operator):
    """``lhs`` passed through, with the shape and type of ``rhs``: a constraint for inference.

    All inputs and the output have one shape (the default rule), so knowing the output's shape
    gives both inputs theirs; MXNet's gradient graph uses it to give head gradients the shape
    of the outputs. Only ``lhs`` gets a gradient; ``rhs`` only lends its attributes.
    """

    name = "_identity_with_attr_like_rhs"
    arguments = ("lhs", "rhs")
    params = {}
    backward_reads = ()

    def forward(self, is_train, inputs, aux):
        return [inputs[0].copy()]

    def backward(self, out_grads, inputs, outputs, aux):
        return [out_grads[0].copy(), None]

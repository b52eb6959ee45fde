"""add_n (``ElementWiseSum``): the sum of ``num_args`` arrays of the same shape.

Each input appears once in the sum, so each receives the head gradient unchanged.
"""
from __future__ import annotations

from .registry import Operator, Param, parse_int, register


@register
class AddN(Operator):
    """Add any number of arrays (named arg0, arg1, ...)."""

    name = "add_n"
    aliases = ("ElementWiseSum",)
    variadic = "num_args"
    params = {"num_args": Param(parse_int, doc="number of inputs")}

    def validate(self):
        if self.num_args < 1:
            raise self.fail(f"num_args must be >= 1, got {self.num_args}")

    def list_arguments(self):
        return [f"arg{i}" for i in range(self.num_args)]

    def forward(self, is_train, inputs, aux):
        total = inputs[0].copy()
        for x in inputs[1:]:
            total += x
        return [total]

    def backward(self, out_grads, inputs, outputs, aux):
        return [out_grads[0].copy() for _ in inputs]

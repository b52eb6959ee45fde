"""Cast (``cast``): convert the data to another type.

The values are unchanged (up to the new type's precision), so the gradient is the head
gradient converted back to the input's type.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .registry import Operator, Param, register

DTYPES = ("float16", "float32", "float64", "uint8", "int8", "int32", "int64", "bool")


def parse_dtype(value: Any) -> str:
    """A type's name from ``'float16'``, ``np.float16`` or ``np.dtype('float16')``."""
    if isinstance(value, str):
        return value
    try:
        return np.dtype(value).name
    except TypeError:
        raise ValueError from None


@register
class Cast(Operator):
    """Change the element type."""

    name = "Cast"
    aliases = ("cast",)
    params = {"dtype": Param(parse_dtype, choices=DTYPES, doc="the output type")}

    def infer_type(self, in_types):
        # the input keeps whatever type it has; only the output's is fixed
        return in_types, [np.dtype(self.dtype)], []

    def forward(self, is_train, inputs, aux):
        with np.errstate(over="ignore"):  # too large for float16 becomes inf, as in MXNet
            return [inputs[0].astype(self.dtype)]

    def backward(self, out_grads, inputs, outputs, aux):
        return [out_grads[0].astype(inputs[0].dtype)]


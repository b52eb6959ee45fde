"""one_hot: turn each index into a vector of length ``depth`` with ``on_value`` at the index.

``output[..., k] = on_value if indices[...] == k else off_value``, so the output has shape
``indices.shape + (depth,)``. Indices outside ``[0, depth)`` give a row of ``off_value``.
The output does not vary smoothly with the indices: their gradient is zero.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_dtype, parse_float, parse_int, register

DTYPES = ("float16", "float32", "float64", "int32", "int64", "int8", "uint8")


@register
class OneHot(Operator):
    """One-hot encoding of integer indices (stored as floats)."""

    name = "one_hot"
    arguments = ("indices",)
    params = {
        "depth": Param(parse_int, doc="length of each one-hot vector"),
        "on_value": Param(parse_float, 1.0, doc="value at the index"),
        "off_value": Param(parse_float, 0.0, doc="value everywhere else"),
        "dtype": Param(parse_dtype, "float32", choices=DTYPES, doc="type of the output"),
    }

    def validate(self):
        if self.depth < 0:
            raise self.fail(f"depth must be >= 0, got {self.depth}")

    def infer_shape(self, in_shapes):
        indices = in_shapes[0]
        return in_shapes, [None if indices is None else (*indices, self.depth)], []

    def infer_type(self, in_types):
        return [in_types[0] or np.dtype(np.float32)], [np.dtype(self.dtype)], []

    def forward(self, is_train, inputs, aux):
        indices = inputs[0].astype(np.int64)
        # compare every index with 0, 1, ..., depth-1 along a new last axis
        hit = indices[..., None] == np.arange(self.depth)
        return [np.where(hit, self.on_value, self.off_value).astype(self.dtype)]

    def backward(self, out_grads, inputs, outputs, aux):
        return [np.zeros_like(inputs[0])]

"""_contrib_allclose (``mx.nd.contrib.allclose``): 1 if ``|a - b| <= atol + rtol * |b|``
everywhere, else 0 -- numpy's ``np.allclose``, as an operator.

The answer is a 0-d uint8 array (shape ``()``, as in MXNet 1.9.1). ``equal_nan`` counts two
NaNs in the same place as close. A yes/no answer is flat in its inputs, so there is no gradient.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_bool, parse_float, register


@register
class AllClose(Operator):
    """Whether two arrays are equal within a tolerance."""

    name = "_contrib_allclose"
    arguments = ("a", "b")
    params = {
        "rtol": Param(parse_float, 1e-5, doc="relative tolerance, times |b|"),
        "atol": Param(parse_float, 1e-8, doc="absolute tolerance"),
        "equal_nan": Param(parse_bool, True, doc="NaN in both arrays counts as close"),
    }
    backward_reads = ()

    def infer_shape(self, in_shapes):
        return in_shapes, [()], []

    def infer_type(self, in_types):
        return in_types, [np.dtype(np.uint8)], []

    def forward(self, is_train, inputs, aux):
        a, b = inputs
        close = np.allclose(a, b, rtol=self.rtol, atol=self.atol, equal_nan=self.equal_nan)
        return [np.array(close, dtype=np.uint8)]

    def backward(self, out_grads, inputs, outputs, aux):
        return [None, None]

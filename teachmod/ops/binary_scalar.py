"""Binary operators with a Python number: what ``x + 2``, ``2 - x``, ``x ** 0.5`` ... create.

``_plus_scalar`` computes ``data + scalar``; the ``_r`` versions put the scalar on the left
(``_rminus_scalar`` is ``scalar - data``, ``_rdiv_scalar`` is ``scalar / data``). The math
and its derivatives are the rows of ``binary.BINARY``: the scalar is just an input that gets
no gradient. ``-x`` is ``_mul_scalar`` with scalar -1.0.
"""
from __future__ import annotations

import numpy as np

from .binary import BINARY
from .registry import Operator, Param, parse_bool, parse_float, register


class ScalarMath(Operator):
    """``y = f(data, scalar)`` (or ``f(scalar, data)`` when ``scalar_first``)."""

    params = {
        "scalar": Param(parse_float, 1.0, doc="the number on the other side"),
        # MXNet 1.9 uses is_int only for integer arrays; it never writes it into symbol JSON
        "is_int": Param(parse_bool, True, doc="accepted; whether the scalar was an int"),
    }
    math = ""
    scalar_first = False

    def scalar_for(self, x: np.ndarray) -> float | np.ndarray:
        """The scalar in the data's type, as MXNet converts it first: for integer data 2.5
        becomes 2 (and 0.5 becomes 0, so ``x + 0.5`` leaves integers unchanged)."""
        if x.dtype.kind in "iub":
            return np.asarray(self.scalar).astype(x.dtype)
        return self.scalar

    def forward(self, is_train, inputs, aux):
        function = BINARY[self.math][0]
        x = inputs[0]
        scalar = self.scalar_for(x)
        y = function(scalar, x) if self.scalar_first else function(x, scalar)
        return [np.asarray(y).astype(x.dtype, copy=False)]

    def backward(self, out_grads, inputs, outputs, aux):
        _, d_lhs, d_rhs = BINARY[self.math]
        x, y = inputs[0], outputs[0]
        g = out_grads[0].astype(y.dtype, copy=False)  # as in binary.py: the output's type
        scalar = self.scalar_for(x)
        if self.scalar_first:
            dydx = d_rhs(scalar, x, y)  # data is the right operand
        else:
            dydx = d_lhs(x, scalar, y)
        # astype: keep float32 even where a formula used a float64 constant (np.log(2.0))
        return [(g * dydx).astype(x.dtype, copy=False)]


# (operator name, math, scalar first?, aliases)
SCALAR_OPS = [
    ("_plus_scalar", "add", False, ("_PlusScalar",)),
    ("_minus_scalar", "sub", False, ("_MinusScalar",)),
    # MXNet's versions for sparse arrays, which teachmod has not: the same as dense
    ("_scatter_plus_scalar", "add", False, ()),
    ("_scatter_minus_scalar", "sub", False, ()),
    ("_rminus_scalar", "sub", True, ("_RMinusScalar",)),
    ("_mul_scalar", "mul", False, ("_MulScalar",)),
    ("_div_scalar", "div", False, ("_DivScalar",)),
    ("_rdiv_scalar", "div", True, ("_RDivScalar",)),
    ("_mod_scalar", "mod", False, ("_ModScalar",)),
    ("_rmod_scalar", "mod", True, ("_RModScalar",)),
    ("_power_scalar", "power", False, ("_PowerScalar",)),
    ("_rpower_scalar", "power", True, ("_RPowerScalar",)),
    ("_maximum_scalar", "maximum", False, ("_MaximumScalar",)),
    ("_minimum_scalar", "minimum", False, ("_MinimumScalar",)),
    ("_hypot_scalar", "hypot", False, ("_HypotScalar",)),
    ("_equal_scalar", "equal", False, ("_EqualScalar",)),
    ("_not_equal_scalar", "not_equal", False, ("_NotEqualScalar",)),
    ("_greater_scalar", "greater", False, ("_GreaterScalar",)),
    ("_greater_equal_scalar", "greater_equal", False, ("_GreaterEqualScalar",)),
    ("_lesser_scalar", "lesser", False, ("_LesserScalar",)),
    ("_lesser_equal_scalar", "lesser_equal", False, ("_LesserEqualScalar",)),
    ("_logical_and_scalar", "logical_and", False, ("_LogicalAndScalar",)),
    ("_logical_or_scalar", "logical_or", False, ("_LogicalOrScalar",)),
    ("_logical_xor_scalar", "logical_xor", False, ("_LogicalXorScalar",)),
]

# One registered subclass per row, as if written out:
#     class _plus_scalar(ScalarMath): name = "_plus_scalar"; math = "add"; ...
for _name, _math, _first, _aliases in SCALAR_OPS:
    register(type(_name, (ScalarMath,), {
        "name": _name, "math": _math, "scalar_first": _first, "aliases": _aliases,
        "__doc__": f"{_name}: elementwise {_math} with a number."}))

"""Elementwise math on one array: ``y = f(x)`` and ``dx = g * f'(x)``.

Every operator is one row of ``UNARY``: the function and its derivative, written with the
input ``x`` and the output ``y`` (whichever gives the simpler formula -- ``exp``'s derivative
is its own output). Rounding and sign functions are flat almost everywhere, so their
derivative is zero, as in MXNet.

Rounding conventions follow MXNet, not numpy: ``round`` rounds halves away from zero
(2.5 -> 3, -2.5 -> -3), ``rint`` rounds halves down (2.5 -> 2, -2.5 -> -3), ``fix`` and
``trunc`` round toward zero.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ._special import digamma, erf, erfinv, gamma, lgamma
from .activation import relu
from .registry import Operator, register

Function = Callable[[np.ndarray], np.ndarray]
Derivative = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _zero(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.zeros_like(x)


def _round_half_away(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _round_half_down(x: np.ndarray) -> np.ndarray:
    below, above = np.floor(x), np.ceil(x)
    return np.where(x - below <= above - x, below, above)


# name: (forward y = f(x), derivative dy/dx as d(x, y))
UNARY: dict[str, tuple[Function, Derivative]] = {
    # powers, exponentials and logarithms
    "exp": (np.exp, lambda x, y: y),
    "expm1": (np.expm1, lambda x, y: y + 1),
    "log": (np.log, lambda x, y: 1 / x),
    "log1p": (np.log1p, lambda x, y: 1 / (1 + x)),
    "log2": (np.log2, lambda x, y: 1 / (x * math.log(2))),
    "log10": (np.log10, lambda x, y: 1 / (x * math.log(10))),
    "sqrt": (np.sqrt, lambda x, y: 0.5 / y),
    "rsqrt": (lambda x: 1 / np.sqrt(x), lambda x, y: -0.5 * y * y * y),
    "cbrt": (np.cbrt, lambda x, y: 1 / (3 * y * y)),
    "rcbrt": (lambda x: 1 / np.cbrt(x), lambda x, y: -y / (3 * x)),
    "square": (np.square, lambda x, y: 2 * x),
    "reciprocal": (lambda x: 1 / x, lambda x, y: -y * y),
    # sign and magnitude
    "negative": (np.negative, lambda x, y: np.full_like(x, -1)),
    "abs": (np.abs, lambda x, y: np.sign(x)),
    "sign": (np.sign, _zero),
    # activations
    "relu": (relu, lambda x, y: (x > 0).astype(x.dtype)),
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), lambda x, y: y * (1 - y)),
    "tanh": (np.tanh, lambda x, y: 1 - y * y),
    "softsign": (lambda x: x / (1 + np.abs(x)), lambda x, y: 1 / (1 + np.abs(x)) ** 2),
    # special functions
    "erf": (erf, lambda x, y: 2 / math.sqrt(math.pi) * np.exp(-x * x)),
    "erfinv": (erfinv, lambda x, y: math.sqrt(math.pi) / 2 * np.exp(y * y)),
    "gamma": (gamma, lambda x, y: y * digamma(x)),
    "gammaln": (lgamma, lambda x, y: digamma(x)),
    # trigonometry
    "sin": (np.sin, lambda x, y: np.cos(x)),
    "cos": (np.cos, lambda x, y: -np.sin(x)),
    "tan": (np.tan, lambda x, y: 1 + y * y),
    "arcsin": (np.arcsin, lambda x, y: 1 / np.sqrt(1 - x * x)),
    "arccos": (np.arccos, lambda x, y: -1 / np.sqrt(1 - x * x)),
    "arctan": (np.arctan, lambda x, y: 1 / (1 + x * x)),
    "sinh": (np.sinh, lambda x, y: np.cosh(x)),
    "cosh": (np.cosh, lambda x, y: np.sinh(x)),
    "arcsinh": (np.arcsinh, lambda x, y: 1 / np.sqrt(x * x + 1)),
    "arccosh": (np.arccosh, lambda x, y: 1 / np.sqrt(x * x - 1)),
    "arctanh": (np.arctanh, lambda x, y: 1 / (1 - x * x)),
    "degrees": (np.degrees, lambda x, y: np.full_like(x, 180 / math.pi)),
    "radians": (np.radians, lambda x, y: np.full_like(x, math.pi / 180)),
    # rounding: flat between the jumps, so the gradient is zero
    "floor": (np.floor, _zero),
    "ceil": (np.ceil, _zero),
    "round": (_round_half_away, _zero),
    "rint": (_round_half_down, _zero),
    "fix": (np.trunc, _zero),
    "trunc": (np.trunc, _zero),
    "logical_not": (lambda x: (x == 0).astype(x.dtype), _zero),
}


class UnaryMath(Operator):
    """``y = f(x)`` elementwise, with ``f`` and ``f'`` looked up in ``UNARY`` by name."""

    params = {}

    def forward(self, is_train, inputs, aux):
        function, _ = UNARY[self.name]
        x = inputs[0]
        return [np.asarray(function(x)).astype(x.dtype, copy=False)]

    def backward(self, out_grads, inputs, outputs, aux):
        _, derivative = UNARY[self.name]
        x = inputs[0]
        # astype: keep float32 even where a formula used a float64 constant
        return [(out_grads[0] * derivative(x, outputs[0])).astype(x.dtype, copy=False)]


# One registered subclass per row, as if written out: class exp(UnaryMath): name = "exp"
for _name in UNARY:
    register(type(_name, (UnaryMath,), {"name": _name, "__doc__": f"Elementwise {_name}."}))

"""Activation: an elementwise non-linearity chosen by ``act_type``.

Each entry gives the function and its derivative written in terms of the input ``x`` and the
output ``y`` (whichever is cheaper), so forward and backward sit side by side.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_str, register


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# act_type: (forward f(x), derivative dy/dx as g(x, y))
ACTIVATIONS = {
    # relu's slope is 1 where the output is positive (as MXNet computes it, from the output);
    # a bool array, and grad * True is grad
    "relu": (lambda x: np.maximum(x, 0), lambda x, y: y > 0),
    "sigmoid": (_sigmoid, lambda x, y: y * (1 - y)),
    "tanh": (np.tanh, lambda x, y: 1 - y * y),
    "softrelu": (lambda x: np.logaddexp(0, x), lambda x, y: _sigmoid(x)),
    "softsign": (lambda x: x / (1 + np.abs(x)), lambda x, y: 1 / (1 + np.abs(x)) ** 2),
}


@register
class Activation(Operator):
    """Apply relu, sigmoid, tanh, softrelu (log(1+e^x)) or softsign (x/(1+|x|))."""

    name = "Activation"
    params = {"act_type": Param(parse_str, choices=tuple(ACTIVATIONS), doc="the function")}

    def forward(self, is_train, inputs, aux):
        function, _ = ACTIVATIONS[self.act_type]
        return [function(inputs[0]).astype(inputs[0].dtype, copy=False)]

    def backward(self, out_grads, inputs, outputs, aux):
        _, derivative = ACTIVATIONS[self.act_type]
        return [out_grads[0] * derivative(inputs[0], outputs[0])]

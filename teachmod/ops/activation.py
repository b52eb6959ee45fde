"""Activation: an elementwise non-linearity chosen by ``act_type``.

Each entry gives the function and its derivative, written in terms of the output ``y`` where
that is cheaper (then backward needs only the output, and the executor can let the input go)
or of the input ``x``, so forward and backward sit side by side.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_str, register


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def relu(x: np.ndarray) -> np.ndarray:
    """``max(x, 0)``, elementwise."""
    return np.maximum(x, 0)


# act_type: (forward f(x), derivative dy/dx, and what the derivative takes: "output" y or "data" x)
ACTIVATIONS = {
    # relu's slope is 1 where the output is positive (as MXNet computes it, from the output);
    # a bool array, and grad * True is grad
    "relu": (relu, lambda y: y > 0, "output"),
    "sigmoid": (_sigmoid, lambda y: y * (1 - y), "output"),
    "tanh": (np.tanh, lambda y: 1 - y * y, "output"),
    "softrelu": (lambda x: np.logaddexp(0, x), _sigmoid, "data"),
    "softsign": (lambda x: x / (1 + np.abs(x)), lambda x: 1 / (1 + np.abs(x)) ** 2, "data"),
}


@register
class Activation(Operator):
    """Apply relu, sigmoid, tanh, softrelu (log(1+e^x)) or softsign (x/(1+|x|))."""

    name = "Activation"
    params = {"act_type": Param(parse_str, choices=tuple(ACTIVATIONS), doc="the function")}

    fresh_outputs = fresh_gradients = True

    @property
    def backward_reads(self) -> tuple[str, ...]:
        return (ACTIVATIONS[self.act_type][2],)

    @property
    def in_place(self) -> bool:
        return self.act_type in IN_PLACE

    def forward(self, is_train, inputs, aux, in_place=False):
        if in_place:
            return [IN_PLACE[self.act_type](inputs[0])]
        function, _, _ = ACTIVATIONS[self.act_type]
        return [function(inputs[0]).astype(inputs[0].dtype, copy=False)]

    def backward(self, out_grads, inputs, outputs, aux, in_place=False):
        _, derivative, takes = ACTIVATIONS[self.act_type]
        slope = derivative(outputs[0] if takes == "output" else inputs[0])
        if in_place:
            return [np.multiply(out_grads[0], slope, out=out_grads[0])]
        return [out_grads[0] * slope]


# --- fast path (TEACHMOD_REFERENCE=1 switches it off) ----------------------------------------
# MXNet's in-place option: where the executor's plan shows that nothing else holds the array,
# relu writes its output over its input and its input's gradient over the arriving gradient,
# instead of making new arrays. The same numbers, bit for bit; it pays on large activations
# (docs/fast_paths.md).
IN_PLACE = {"relu": lambda x: np.maximum(x, 0, out=x)}

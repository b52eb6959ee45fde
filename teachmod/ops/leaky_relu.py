"""LeakyReLU: the ReLU variants that let negative inputs through in some form.

With ``x`` the input and ``y`` the output (``a`` = ``slope``):

=========  ==========================================  ========================================
act_type   y                                           dy/dx
=========  ==========================================  ========================================
leaky      x if x > 0 else a * x                       1 if x > 0 else a
prelu      x if x > 0 else gamma[c] * x (learned)      1 if x > 0 else gamma[c]
rrelu      x if x > 0 else r * x, r ~ U(lower, upper)  1 if x > 0 else r
elu        x if x > 0 else a * (exp(x) - 1)            1 if x > 0 else y + a
selu       lam * (x if x > 0 else alpha*(exp(x) - 1))  lam if x > 0 else lam * (y + alpha)  (*)
gelu       x * Phi(x), Phi the normal CDF              Phi(x) + x * phi(x)
=========  ==========================================  ========================================

``prelu`` learns one slope per channel (axis 1): ``gamma`` has shape ``(channels,)`` by default,
(1,) for one shared slope, or (batch, channels) for a slope per sample and channel -- as in
MXNet, gamma's axes are laid over the data's axes 0 and 1 from the right. The gradient of a
slope sums ``g * x`` over the negative inputs it multiplied.
``rrelu`` draws a random slope per element in training (kept in a second output, ``mask``)
and uses the mean ``(lower + upper) / 2`` at inference.

(*) The true derivative of selu for x <= 0 is ``lam * alpha * exp(x) = y + lam * alpha``.
MXNet 1.9.1 computes ``lam * (y + alpha)`` instead (``selu_grad`` in its mshadow_op.h), and
teachmod reproduces that so that training matches MXNet.
"""
from __future__ import annotations

import math

import numpy as np

from .. import random as tm_random
from ._special import erf
from .binary import unbroadcast
from .registry import Operator, Param, parse_float, parse_str, register

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA = 1.0507009873554804934193349852946


def normal_cdf(x: np.ndarray) -> np.ndarray:
    """Phi(x), the probability that a standard normal variable is below x."""
    return 0.5 * (1.0 + erf(x / math.sqrt(2.0)))


def normal_pdf(x: np.ndarray) -> np.ndarray:
    """phi(x), the standard normal density."""
    return np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


@register
class LeakyReLU(Operator):
    """Leaky, parametric, randomized, exponential, scaled-exponential and Gaussian-error ReLUs."""

    name = "LeakyReLU"
    params = {
        "act_type": Param(parse_str, "leaky",
                          choices=("elu", "gelu", "leaky", "prelu", "rrelu", "selu"),
                          doc="which variant"),
        "slope": Param(parse_float, 0.25, doc="the negative slope (leaky) or alpha (elu)"),
        "lower_bound": Param(parse_float, 0.125, doc="rrelu: lowest random slope"),
        "upper_bound": Param(parse_float, 0.334, doc="rrelu: highest random slope"),
    }

    def list_arguments(self):
        return ["data", "gamma"] if self.act_type == "prelu" else ["data"]

    def input_var_attrs(self):
        # a gamma variable MXNet creates starts at 0.25, whatever ``slope`` says
        if self.act_type != "prelu":
            return {}
        return {"gamma": {"__init__": '["Constant", {"value": 0.25}]'}}

    def list_outputs(self):
        # rrelu keeps the slopes it drew for the backward pass in a second output
        return ["output", "mask"] if self.act_type == "rrelu" else ["output"]

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        outs = [data] * len(self.list_outputs())
        if self.act_type != "prelu" or data is None:
            return in_shapes, outs, []
        gamma = in_shapes[1]
        if gamma is None:
            if len(data) < 2:
                raise self.fail(f"prelu needs data with a channel axis 1, got shape "
                                f"{tuple(data)}")
            gamma = (data[1],)
        self._gamma_layout(tuple(gamma), tuple(data))  # raises if gamma does not fit
        return [data, tuple(gamma)], outs, []

    def _gamma_layout(self, gamma: tuple[int, ...], data: tuple[int, ...]) -> tuple[int, ...]:
        """The shape that makes gamma broadcast against the data, as MXNet lays it out.

        One element is a shared slope. Otherwise gamma's last axis goes over data axis 1 and
        the one before over axis 0; every other data axis gets length 1: (C,) -> (1, C, 1, 1).
        """
        if int(np.prod(gamma)) == 1:
            return (1,) * len(data)
        layout = [1] * len(data)
        remaining = list(gamma)
        for axis in (1, 0):
            if remaining and axis < len(data) and remaining[-1] in (data[axis], 1):
                layout[axis] = remaining.pop()
        if remaining:
            channels = data[1] if len(data) > 1 else "C"
            raise self.fail(f"argument 'gamma' has shape {gamma}, expected ({channels},): one "
                            f"slope per channel of axis 1 (or (1,), or one per sample and "
                            f"channel, {data[:2]})")
        return tuple(layout)

    def forward(self, is_train, inputs, aux):
        x = inputs[0]
        kind = self.act_type
        if kind == "leaky":
            return [np.where(x > 0, x, self.slope * x)]
        if kind == "prelu":
            gamma = inputs[1].reshape(self._gamma_layout(inputs[1].shape, x.shape))
            return [np.where(x > 0, x, gamma * x).astype(x.dtype, copy=False)]
        if kind == "rrelu":
            if is_train:
                draw = tm_random.generator().uniform(self.lower_bound, self.upper_bound, x.shape)
                mask = draw.astype(x.dtype)
            else:
                mask = np.full_like(x, (self.lower_bound + self.upper_bound) / 2)
            return [np.where(x > 0, x, mask * x), mask]
        if kind == "elu":
            return [np.where(x > 0, x, self.slope * np.expm1(x))]
        if kind == "selu":
            return [SELU_LAMBDA * np.where(x > 0, x, SELU_ALPHA * np.expm1(x))]
        return [(x * normal_cdf(x)).astype(x.dtype, copy=False)]  # gelu

    def backward(self, out_grads, inputs, outputs, aux):
        x, y, g = inputs[0], outputs[0], out_grads[0]
        kind = self.act_type
        if kind == "leaky":
            return [g * np.where(x > 0, 1.0, self.slope).astype(x.dtype)]
        if kind == "prelu":
            gamma = inputs[1]
            layout = self._gamma_layout(gamma.shape, x.shape)
            dx = g * np.where(x > 0, 1, gamma.reshape(layout))
            # each slope touched every negative input it was laid over: sum those g * x
            contribution = np.where(x > 0, 0, g * x)
            dgamma = unbroadcast(contribution, layout).reshape(gamma.shape)
            return [dx.astype(x.dtype, copy=False), dgamma.astype(gamma.dtype, copy=False)]
        if kind == "rrelu":
            return [g * np.where(x > 0, 1, outputs[1])]
        if kind == "elu":
            return [g * np.where(x > 0, 1, y + self.slope)]
        if kind == "selu":
            # MXNet 1.9.1's formula, see (*) in the module docstring; the true one is
            # np.where(x > 0, SELU_LAMBDA, y + SELU_LAMBDA * SELU_ALPHA)
            return [g * np.where(x > 0, SELU_LAMBDA, SELU_LAMBDA * (y + SELU_ALPHA))]
        dydx = normal_cdf(x) + x * normal_pdf(x)  # gelu
        return [(g * dydx).astype(x.dtype, copy=False)]

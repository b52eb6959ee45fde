"""LRN: local response normalisation across neighbouring channels (AlexNet).

``norm = knorm + alpha / nsize * sum of data^2 over the nsize channels centred on c``
(channels past either end count as zero), ``output = data * norm^-beta``. ``norm`` is the
hidden second output ``tmp_norm``, reused by the backward pass:
``grad_in = grad * norm^-beta - 2*beta*alpha/nsize * data * window_sum(grad * data *
norm^(-beta-1))`` -- a window sum over channels is its own transpose.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .registry import Operator, Param, parse_float, parse_int, register


def channel_window_sum(x: np.ndarray, size: int) -> np.ndarray:
    """Sum over the ``size`` channels (axis 1) centred on each channel, zero beyond the ends."""
    half = size // 2
    padded = np.pad(x, ((0, 0), (half, half), (0, 0), (0, 0)))
    return sliding_window_view(padded, size, axis=1).sum(axis=-1)


@register
class LRN(Operator):
    """Local response normalisation over channels of NCHW data."""

    name = "LRN"
    outputs = ("output", "tmp_norm")
    params = {
        "alpha": Param(parse_float, 1e-4, doc="variance scaling"),
        "beta": Param(parse_float, 0.75, doc="power"),
        "knorm": Param(parse_float, 2.0, doc="the constant k"),
        "nsize": Param(parse_int, doc="window width in channels (odd)"),
    }

    def validate(self) -> None:
        if self.nsize < 1 or self.nsize % 2 == 0:
            raise self.fail(f"nsize must be a positive odd number, got {self.nsize}")

    def num_visible_outputs(self) -> int:
        return 1

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None, None], []
        if len(data) != 4:
            raise self.fail(f"data must be 4-D (N, C, H, W), got shape {tuple(data)}")
        return [tuple(data)], [tuple(data), tuple(data)], []

    def forward(self, is_train, inputs, aux):
        data = inputs[0]
        self.infer_shape([data.shape])
        norm = channel_window_sum(data * data, self.nsize) * (self.alpha / self.nsize)
        norm += self.knorm
        return [data * norm ** -self.beta, norm]

    def backward(self, out_grads, inputs, outputs, aux):
        grad, data, norm = out_grads[0], inputs[0], outputs[1]
        spread = channel_window_sum(grad * data * norm ** (-self.beta - 1), self.nsize)
        return [grad * norm ** -self.beta
                - (2 * self.beta * self.alpha / self.nsize) * data * spread]

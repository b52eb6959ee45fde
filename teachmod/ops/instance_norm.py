"""InstanceNorm: normalise each channel of each sample over its spatial positions.

For data ``(N, C, ...)``: ``output = (x - mean) / sqrt(var + eps) * gamma + beta`` with mean
and (biased) variance taken over the axes after C, separately for every (sample, channel);
gamma and beta have shape ``(C,)``. Outputs ``output, mean, var`` (the last two hidden, shape
``(N, C)``). Unlike BatchNorm there are no moving statistics: training and inference agree.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_float, register


def normalize_backward(grad_xhat: np.ndarray, xhat: np.ndarray, inv_std: np.ndarray,
                       axes: tuple[int, ...]) -> np.ndarray:
    """Gradient through ``xhat = (x - mean(x)) * inv_std`` with statistics over ``axes``:
    ``inv_std * (g - mean(g) - xhat * mean(g * xhat))``. Shared with LayerNorm."""
    mean_g = grad_xhat.mean(axis=axes, keepdims=True)
    mean_gx = (grad_xhat * xhat).mean(axis=axes, keepdims=True)
    return inv_std * (grad_xhat - mean_g - xhat * mean_gx)


@register
class InstanceNorm(Operator):
    """Per-sample, per-channel normalisation with a learned scale and shift."""

    name = "InstanceNorm"
    arguments = ("data", "gamma", "beta")
    outputs = ("output", "mean", "var")
    params = {"eps": Param(parse_float, 1e-3, doc="added to the variance")}

    def num_visible_outputs(self) -> int:
        return 1

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None] * 3, []
        if len(data) < 3:
            raise self.fail(f"data must have at least 3 dimensions (N, C, ...), got {data}")
        channels = (data[1],)
        shapes = [tuple(data), *(self.expect_shape(in_shapes, i, channels) for i in (1, 2))]
        return shapes, [tuple(data), tuple(data[:2]), tuple(data[:2])], []

    def forward(self, is_train, inputs, aux):
        data, gamma, beta = inputs
        self.infer_shape([x.shape for x in inputs])
        axes = tuple(range(2, data.ndim))
        per_channel = (slice(None), *(None,) * (data.ndim - 2))  # (C,) -> (C, 1, ...)
        mean = data.mean(axis=axes, keepdims=True)
        var = data.var(axis=axes, keepdims=True)
        xhat = (data - mean) / np.sqrt(var + self.eps)
        out = xhat * gamma[per_channel] + beta[per_channel]
        return [out, mean.reshape(data.shape[:2]), var.reshape(data.shape[:2])]

    def backward(self, out_grads, inputs, outputs, aux):
        (grad, *_), (data, gamma, _) = out_grads, inputs
        axes = tuple(range(2, data.ndim))
        per_channel = (slice(None), *(None,) * (data.ndim - 2))
        stats = (Ellipsis, *(None,) * (data.ndim - 2))  # (N, C) -> (N, C, 1, ...)
        inv_std = 1 / np.sqrt(outputs[2][stats] + self.eps)
        xhat = (data - outputs[1][stats]) * inv_std
        sum_axes = (0, *axes)
        grad_data = normalize_backward(grad * gamma[per_channel], xhat, inv_std, axes)
        return [grad_data, (grad * xhat).sum(axis=sum_axes), grad.sum(axis=sum_axes)]

"""GroupNorm: split the channels into ``num_groups`` groups and normalise each group of each
sample over its channels and positions, then scale and shift.

Data ``(N, C, ...)`` is viewed as ``(N, G, C/G, ...)``; with statistics over everything after
the group axis, ``output = (x - mean) / sqrt(var + eps) * gamma + beta``. In MXNet 1.9.1
``gamma`` and ``beta`` have one entry per *group*, shape ``(G,)``. The extra outputs ``mean``
and ``std = sqrt(var + eps)`` have shape ``(N, G)`` and are visible with ``output_mean_var``;
their head gradients are ignored (as in MXNet). With one group this is LayerNorm over all of a
sample; with C groups, InstanceNorm.
"""
from __future__ import annotations

import numpy as np

from .instance_norm import normalize_backward
from .registry import Operator, Param, parse_bool, parse_float, parse_int, register


@register
class GroupNorm(Operator):
    """Group normalisation with a learned scale and shift per group."""

    name = "GroupNorm"
    arguments = ("data", "gamma", "beta")
    outputs = ("output", "mean", "std")
    params = {
        "num_groups": Param(parse_int, 1, doc="how many groups to split the channels into"),
        "eps": Param(parse_float, 1e-5, doc="added to the variance"),
        "output_mean_var": Param(parse_bool, False, doc="also show the mean and std"),
    }

    def validate(self):
        if self.num_groups < 1:
            raise self.fail(f"num_groups must be >= 1, got {self.num_groups}")

    def num_visible_outputs(self) -> int:
        return 3 if self.output_mean_var else 1

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None] * 3, []
        if len(data) < 3:
            raise self.fail(f"data must have at least 3 dimensions (N, C, ...), got {data}")
        if data[1] % self.num_groups:
            raise self.fail(f"the {data[1]} channels are not divisible by "
                            f"num_groups={self.num_groups}")
        size = (self.num_groups,)
        shapes = [tuple(data), *(self.expect_shape(in_shapes, i, size) for i in (1, 2))]
        stats = (data[0], self.num_groups)
        return shapes, [tuple(data), stats, stats], []

    def grouped(self, x: np.ndarray) -> np.ndarray:
        """``(N, C, ...)`` viewed as ``(N, G, C/G * ...)``: one row per sample and group."""
        return x.reshape(x.shape[0], self.num_groups, -1)

    def forward(self, is_train, inputs, aux):
        data, gamma, beta = inputs
        x = self.grouped(data)
        mean = x.mean(axis=2, keepdims=True)
        std = np.sqrt(x.var(axis=2, keepdims=True) + self.eps)
        out = (x - mean) / std * gamma[:, None] + beta[:, None]
        return [out.reshape(data.shape), mean[..., 0], std[..., 0]]

    def backward(self, out_grads, inputs, outputs, aux):
        (grad, *_), (data, gamma, _), (_, mean, std) = out_grads, inputs, outputs
        g, inv_std = self.grouped(grad), 1 / std[..., None]
        xhat = (self.grouped(data) - mean[..., None]) * inv_std
        grad_data = normalize_backward(g * gamma[:, None], xhat, inv_std, (2,))
        return [grad_data.reshape(data.shape), (g * xhat).sum(axis=(0, 2)), g.sum(axis=(0, 2))]

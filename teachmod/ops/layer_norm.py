"""LayerNorm: normalise each sample over one axis (by default the last), then scale and shift.

``output = (x - mean) / sqrt(var + eps) * gamma + beta`` with the statistics over ``axis``
only; gamma and beta have the length of that axis. Outputs ``output, mean, std`` where ``mean``
and ``std = sqrt(var + eps)`` keep the reduced axis with size 1; they are visible only with
``output_mean_var``, and their head gradients are ignored (as in MXNet).
"""
from __future__ import annotations

import numpy as np

from .instance_norm import normalize_backward
from .registry import Operator, Param, parse_bool, parse_float, parse_int, register


@register
class LayerNorm(Operator):
    """Layer normalisation along one axis."""

    name = "LayerNorm"
    arguments = ("data", "gamma", "beta")
    outputs = ("output", "mean", "std")
    params = {
        "axis": Param(parse_int, -1, doc="the axis to normalise over"),
        "eps": Param(parse_float, 1e-5, doc="added to the variance"),
        "output_mean_var": Param(parse_bool, False, doc="also show the mean and std"),
    }

    def num_visible_outputs(self) -> int:
        return 3 if self.output_mean_var else 1

    def real_axis(self, ndim: int) -> int:
        axis = self.axis + ndim if self.axis < 0 else self.axis
        if not 0 <= axis < ndim:
            raise self.fail(f"axis {self.axis} is out of range for data with {ndim} dimensions")
        return axis

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None] * 3, []
        axis = self.real_axis(len(data))
        size = (data[axis],)
        stats = tuple(1 if i == axis else n for i, n in enumerate(data))
        shapes = [tuple(data), *(self.expect_shape(in_shapes, i, size) for i in (1, 2))]
        return shapes, [tuple(data), stats, stats], []

    def along_axis(self, v: np.ndarray, ndim: int) -> np.ndarray:
        """Shape a ``(size,)`` vector to broadcast along the normalised axis."""
        shape = [1] * ndim
        shape[self.real_axis(ndim)] = -1
        return v.reshape(shape)

    def forward(self, is_train, inputs, aux):
        data, gamma, beta = inputs
        axis = self.real_axis(data.ndim)
        mean = data.mean(axis=axis, keepdims=True)
        std = np.sqrt(data.var(axis=axis, keepdims=True) + self.eps)
        xhat = (data - mean) / std
        out = xhat * self.along_axis(gamma, data.ndim) + self.along_axis(beta, data.ndim)
        return [out, mean, std]

    def backward(self, out_grads, inputs, outputs, aux):
        (grad, *_), (data, gamma, _), (_, mean, std) = out_grads, inputs, outputs
        axis = self.real_axis(data.ndim)
        others = tuple(i for i in range(data.ndim) if i != axis)
        inv_std = 1 / std
        xhat = (data - mean) * inv_std
        grad_data = normalize_backward(grad * self.along_axis(gamma, data.ndim), xhat,
                                       inv_std, (axis,))
        return [grad_data, (grad * xhat).sum(axis=others), grad.sum(axis=others)]

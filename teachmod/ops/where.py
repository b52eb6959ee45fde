"""where: pick from ``x`` where ``condition`` is non-zero and from ``y`` elsewhere.

``condition`` has the shape of ``x`` and ``y``, or is a vector choosing whole rows (one entry
per index of axis 0). Each output element came from exactly one of ``x`` and ``y``, so the head
gradient goes to that one and the other gets zero there. The condition gets no gradient.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, register


@register
class Where(Operator):
    """Elementwise (or row-wise) choice between two arrays."""

    name = "where"
    arguments = ("condition", "x", "y")
    params = {}

    infers_backward = True

    def infer_shape(self, in_shapes, out_shapes=None):
        condition, x, y = in_shapes
        shape = x or y or (out_shapes[0] if out_shapes else None)
        if shape is None or not condition or 0 in condition:
            return in_shapes, [None], []  # as MXNet: the condition must be fully known
        x, y = self.expect_shape(in_shapes, 1, shape), self.expect_shape(in_shapes, 2, shape)
        if condition is not None and tuple(condition) not in (tuple(shape), (shape[0],)):
            raise self.fail(f"argument 'condition' has shape {tuple(condition)}, expected "
                            f"{tuple(shape)} (like x) or {(shape[0],)} (one per row)")
        return [condition or tuple(shape), x, y], [tuple(shape)], []

    def _chosen(self, condition: np.ndarray, ndim: int) -> np.ndarray:
        """True where x is chosen, shaped to broadcast against x."""
        if condition.ndim == 1 and ndim > 1:
            condition = condition.reshape((-1,) + (1,) * (ndim - 1))  # one flag per row
        return condition != 0

    def forward(self, is_train, inputs, aux):
        condition, x, y = inputs
        self.infer_shape([condition.shape, x.shape, y.shape])  # mx.nd.where gets no other check
        return [np.where(self._chosen(condition, x.ndim), x, y)]

    def backward(self, out_grads, inputs, outputs, aux):
        condition, x, _ = inputs
        chosen, g = self._chosen(condition, x.ndim), out_grads[0]
        return [np.zeros_like(condition), np.where(chosen, g, 0), np.where(chosen, 0, g)]

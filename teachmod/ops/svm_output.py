"""SVMOutput: the output layer of a multi-class support vector machine (Crammer-Singer style
one-vs-rest hinge loss on every score).

The forward passes the scores through. For sample ``i`` with class ``y`` write ``t = +1`` for
the score of class ``y`` and ``t = -1`` for the others; every score ``s`` should lie beyond the
margin: ``t * s >= margin``. The backward is the gradient of the loss, times
``regularization_coefficient``:

- L1-SVM (``use_linear=True``), loss ``max(0, margin - t*s)``: gradient ``-t`` where the
  margin is violated, else 0;
- L2-SVM (default), loss ``max(0, margin - t*s)^2``: gradient ``-2 t (margin - t*s)`` there.

Like the other output layers it ignores the head gradient. Data ``(N, ...)`` is read as
``(N, K)`` scores, labels ``(N,)`` as class indices.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_bool, parse_float, register


@register
class SVMOutput(Operator):
    """Identity forward; hinge-loss gradient."""

    name = "SVMOutput"
    arguments = ("data", "label")
    is_loss = True
    backward_reads = ("data", "label")
    params = {
        "margin": Param(parse_float, 1.0, doc="the scores should lie this far beyond 0"),
        "regularization_coefficient": Param(parse_float, 1.0, doc="multiplies the gradient"),
        "use_linear": Param(parse_bool, False, doc="L1-SVM (hinge) instead of L2-SVM (squared)"),
    }

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        return [tuple(data), self.expect_shape(in_shapes, 1, (data[0],))], [tuple(data)], []

    def forward(self, is_train, inputs, aux):
        return [inputs[0]]

    def backward(self, out_grads, inputs, outputs, aux):
        data, label = inputs
        scores = data.reshape(label.shape[0], -1)
        sign = -np.ones_like(scores)
        sign[np.arange(scores.shape[0]), label.astype(np.int64)] = 1  # t: +1 at the true class
        violation = np.maximum(self.margin - sign * scores, 0)
        if self.use_linear:
            grad = -sign * (violation > 0)
        else:
            grad = -2 * sign * violation
        grad *= self.regularization_coefficient
        return [grad.reshape(data.shape).astype(data.dtype, copy=False), None]

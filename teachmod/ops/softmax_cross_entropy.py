"""softmax_cross_entropy: the summed cross-entropy loss of a softmax, as one number.

Data ``(N, K)`` holds scores, label ``(N,)`` class indices. With ``p = softmax(data)`` along
the classes the output, of shape ``(1,)``, is ``-sum_i log p[i, label_i]``. Its gradient is the
familiar ``p - onehot(label)``, times the head gradient (one number).
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, register
from .softmax_output import softmax


def _log_softmax(data: np.ndarray) -> np.ndarray:
    shifted = data - data.max(axis=1, keepdims=True)  # avoid overflow in exp
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


@register
class SoftmaxCrossEntropy(Operator):
    """Cross-entropy of the softmax of ``data`` with integer labels, summed over the batch."""

    name = "softmax_cross_entropy"
    arguments = ("data", "label")
    backward_reads = ("data", "label")

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [(1,)], []
        if len(data) != 2:
            raise self.fail(f"data must be 2-D (batch, classes), got shape {tuple(data)}")
        return [tuple(data), self.expect_shape(in_shapes, 1, (data[0],))], [(1,)], []

    def forward(self, is_train, inputs, aux):
        data, label = inputs
        rows = np.arange(data.shape[0])
        loss = -_log_softmax(data)[rows, label.astype(np.int64)].sum()
        return [np.array([loss], dtype=data.dtype)]

    def backward(self, out_grads, inputs, outputs, aux):
        data, label = inputs
        grad = softmax(data, axis=1)  # a new array: safe to change in place
        grad[np.arange(data.shape[0]), label.astype(np.int64)] -= 1
        return [grad * out_grads[0].reshape(()), None]

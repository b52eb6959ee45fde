"""SoftmaxOutput: softmax in the forward pass, cross-entropy's gradient in the backward pass.

This is how MXNet defines the classification loss: the layer outputs probabilities
``p = softmax(data)``, and its backward ignores the head gradient and returns
``(p - onehot(label)) * grad_scale / normalizer`` -- the gradient of the cross-entropy loss
``-log p[label]`` with respect to ``data``. The loss value itself is never computed.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_bool, parse_float, parse_str, register


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax: subtract the max before exponentiating."""
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@register
class SoftmaxOutput(Operator):
    """Softmax with the cross-entropy gradient; ``label`` holds class indices (or probabilities
    of the same shape as ``data``)."""

    name = "SoftmaxOutput"
    aliases = ("Softmax",)
    arguments = ("data", "label")
    is_loss = True
    params = {
        "grad_scale": Param(parse_float, 1.0, doc="multiplies the gradient"),
        "ignore_label": Param(parse_float, -1.0, doc="label value to ignore (with use_ignore)"),
        "multi_output": Param(parse_bool, False, doc="softmax over axis 1 of (n, c, d1, ...)"),
        "use_ignore": Param(parse_bool, False, doc="give no gradient where label == ignore_label"),
        "preserve_shape": Param(parse_bool, False, doc="softmax over the last axis, keep shape"),
        "normalization": Param(parse_str, "null", choices=("null", "batch", "valid"),
                               doc="divide the gradient by 1, the batch size, or valid labels"),
        "out_grad": Param(parse_bool, False, doc="multiply the gradient by the head gradient"),
        "smooth_alpha": Param(parse_float, 0.0, doc="label smoothing"),
    }

    def _axis(self) -> int:
        return 1 if self.multi_output else -1

    def _as_scores(self, data: np.ndarray) -> np.ndarray:
        # without multi_output or preserve_shape, everything after the batch axis is one vector
        if self.multi_output or self.preserve_shape:
            return data
        return data.reshape(data.shape[0], -1)

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        if in_shapes[1] is not None and tuple(in_shapes[1]) == tuple(data):
            label = data  # probabilities, one row per sample
        elif self.multi_output:
            label = (data[0], *data[2:])
        elif self.preserve_shape:
            label = data[:-1]
        else:
            label = (data[0],)
        return [data, self.expect_shape(in_shapes, 1, label)], [data], []

    def forward(self, is_train, inputs, aux):
        data = inputs[0]
        return [softmax(self._as_scores(data), self._axis()).reshape(data.shape)]

    def backward(self, out_grads, inputs, outputs, aux):
        data, label = inputs
        prob = self._as_scores(outputs[0])
        num_classes = prob.shape[self._axis()]
        if label.shape == data.shape:
            target = self._as_scores(label)
            keep = np.ones(prob.shape[:1], dtype=bool)
        else:
            index = label.astype(np.int64)
            keep = ~(label == self.ignore_label) if self.use_ignore else np.ones(index.shape, bool)
            index = np.where(keep, index, 0)
            # the one-hot target, with label smoothing spreading alpha over the other classes
            target = np.full_like(prob, self.smooth_alpha / max(num_classes - 1, 1))
            np.put_along_axis(target, np.expand_dims(index, self._axis()),
                              1.0 - self.smooth_alpha, axis=self._axis())
        grad = prob - target
        if self.use_ignore and label.shape != data.shape:
            grad *= np.expand_dims(keep, self._axis())
        if self.normalization == "batch":
            scale = self.grad_scale / data.shape[0]
        elif self.normalization == "valid":
            scale = self.grad_scale / max(int(keep.sum()), 1)
        else:
            scale = self.grad_scale
        grad = grad.reshape(data.shape) * scale
        if self.out_grad:
            grad = grad * out_grads[0]
        return [grad.astype(data.dtype, copy=False), None]

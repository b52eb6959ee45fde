"""SoftmaxOutput: softmax in the forward pass, cross-entropy's gradient in the backward pass.

This is how MXNet defines the classification loss: the layer outputs probabilities
``p = softmax(data)``, and its backward ignores the head gradient and returns
``(p - onehot(label)) * grad_scale / normalizer`` -- the gradient of the cross-entropy loss
``-log p[label]`` with respect to ``data``. The loss value itself is never computed.

The normalizer (MXNet 1.9.1's rules): ``'null'`` 1, ``'batch'`` the batch size, ``'valid'``
the number of labels different from ``ignore_label`` (counted even without ``use_ignore``).
With ``multi_output`` and ``'null'`` or ``'batch'`` it is also multiplied by the number of
positions per sample (``d1*d2*...``). A label with the data's shape holds probabilities; its
gradient ``(p - label) * grad_scale`` is never normalized.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_bool, parse_float, parse_str, register


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax: subtract the max before exponentiating."""
    e = x - x.max(axis=axis, keepdims=True)
    np.exp(e, out=e)  # in place: e is our own temporary
    e /= e.sum(axis=axis, keepdims=True)
    return e


@register
class SoftmaxOutput(Operator):
    """Softmax with the cross-entropy gradient; ``label`` holds class indices (or probabilities
    of the same shape as ``data``)."""

    name = "SoftmaxOutput"
    aliases = ("Softmax",)
    arguments = ("data", "label")
    is_loss = True
    backward_reads = ("label", "output")  # p - onehot(label) needs the probabilities, not data
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
        data, label = in_shapes
        if data is None:
            return in_shapes, [None], []
        data = tuple(data)
        if label is not None and tuple(label) == data:
            return [data, data], [data], []  # probabilities, one row per sample
        if self.multi_output:
            # MXNet accepts the positions flattened (its default), kept, or with a channel of 1
            flat = (data[0], int(np.prod(data[2:], dtype=np.int64)))
            accepted = [flat, (data[0], *data[2:]), (data[0], 1, *data[2:])]
            if label is None:
                return [data, flat], [data], []
            if tuple(label) not in accepted:
                raise self.fail(f"argument 'label' has shape {tuple(label)}, expected one of "
                                f"{', '.join(str(a) for a in accepted)} for data {data}")
            return [data, tuple(label)], [data], []
        label = data[:-1] if self.preserve_shape else (data[0],)
        return [data, self.expect_shape(in_shapes, 1, label)], [data], []

    def forward(self, is_train, inputs, aux):
        data = inputs[0]
        return [softmax(self._as_scores(data), self._axis()).reshape(data.shape)]

    def backward(self, out_grads, inputs, outputs, aux):
        label, output = inputs[1], outputs[0]  # output has the data's shape and type
        prob = self._as_scores(output)
        if label.shape == output.shape:
            # probabilities as labels: no ignoring, no smoothing, no normalization
            grad = (prob - self._as_scores(label)) * self.grad_scale
        else:
            # work with the classes on the last axis (a view), where a label is one number
            prob = self._classes_last(prob)
            index = label.reshape(prob.shape[:-1]).astype(np.int64)
            num_classes = prob.shape[-1]
            hit = index[..., None] == np.arange(num_classes)  # the one-hot target, as booleans
            if self.smooth_alpha:  # label smoothing spreads alpha over the other classes
                off = self.smooth_alpha / max(num_classes - 1, 1)
                grad = prob - np.where(hit, 1.0 - self.smooth_alpha, off).astype(prob.dtype)
            else:
                grad = prob - hit  # True counts as 1
            if self.use_ignore:  # ignored labels give a zero gradient for their whole row
                grad *= (index != int(self.ignore_label))[..., None]
            scale = self.grad_scale / self._normalizer(index)
            if scale != 1:
                grad *= scale
        if self.out_grad:
            # MXNet 1.9.1 wires the *output* where the head gradient belongs (the backward node
            # gets [output, label]), so this multiplies by the probabilities, not by out_grads.
            grad *= prob
        if label.shape != output.shape:
            grad = self._classes_back(grad)
        return [grad.reshape(output.shape).astype(output.dtype, copy=False), None]

    def _classes_last(self, x: np.ndarray) -> np.ndarray:
        """``x`` with its class axis moved last (a view; only multi_output has it elsewhere)."""
        return np.moveaxis(x, 1, -1) if self.multi_output else x

    def _classes_back(self, x: np.ndarray) -> np.ndarray:
        """Undo ``_classes_last``."""
        return np.moveaxis(x, -1, 1) if self.multi_output else x

    def _normalizer(self, index: np.ndarray) -> int:
        """What the gradient is divided by, following MXNet 1.9.1 (``index``: the labels)."""
        if self.normalization == "valid":
            # labels equal to ignore_label are left out of the count even without use_ignore
            return max(int((index != int(self.ignore_label)).sum()), 1)
        count = index.shape[0] if self.normalization == "batch" else 1
        if self.multi_output:
            count *= int(np.prod(index.shape[1:], dtype=np.int64))  # positions per sample
        return count

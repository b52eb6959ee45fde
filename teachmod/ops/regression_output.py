"""Regression outputs: the forward passes the prediction through, the backward gives the
gradient of a regression loss with respect to it, averaged over the outputs of one sample.

- LinearRegressionOutput: ``out = data``; gradient of ``(out - label)^2 / 2`` is ``out - label``.
- LogisticRegressionOutput: ``out = sigmoid(data)``; the cross-entropy gradient is ``out - label``.
- MAERegressionOutput: ``out = data``; gradient of ``|out - label|`` is ``sign(out - label)``.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_float, register


class _RegressionOutput(Operator):
    arguments = ("data", "label")
    is_loss = True
    params = {"grad_scale": Param(parse_float, 1.0, doc="multiplies the gradient")}

    def infer_shape(self, in_shapes):
        data, label = in_shapes
        if data is None:
            return in_shapes, [None], []
        # MXNet's default label for one output per sample is 1-D: (batch,) for (batch, 1)
        if label is None:
            label = (data[0],) if len(data) == 2 and data[1] == 1 else data
        elif int(np.prod(label)) != int(np.prod(data)):
            label = self.expect_shape(in_shapes, 1, data)
        return [data, label], [data], []

    def infer_type(self, in_types):
        label = in_types[1]
        if label is not None and np.dtype(label).kind != "f":
            raise self.fail(f"the label has dtype {np.dtype(label).name}, but a regression "
                            f"output needs float labels (as MXNet); convert them, e.g. "
                            f"mx.nd.array(y, dtype='float32')")
        return super().infer_type(in_types)

    def transform(self, data: np.ndarray) -> np.ndarray:
        return data

    def loss_gradient(self, out: np.ndarray, label: np.ndarray) -> np.ndarray:
        return out - label

    def forward(self, is_train, inputs, aux):
        return [self.transform(inputs[0])]

    def backward(self, out_grads, inputs, outputs, aux):
        out = outputs[0]
        label = inputs[1].reshape(out.shape)
        outputs_per_sample = out.size // out.shape[0]
        grad = self.loss_gradient(out, label) * (self.grad_scale / outputs_per_sample)
        return [grad.astype(out.dtype, copy=False), None]


@register
class LinearRegressionOutput(_RegressionOutput):
    """Identity forward; squared-error gradient."""

    name = "LinearRegressionOutput"


@register
class LogisticRegressionOutput(_RegressionOutput):
    """Sigmoid forward; logistic-loss gradient."""

    name = "LogisticRegressionOutput"

    def transform(self, data):
        return (1.0 / (1.0 + np.exp(-data))).astype(data.dtype, copy=False)


@register
class MAERegressionOutput(_RegressionOutput):
    """Identity forward; absolute-error gradient."""

    name = "MAERegressionOutput"

    def loss_gradient(self, out, label):
        return np.sign(out - label)

"""softmax, log_softmax, softmin and SoftmaxActivation: turn scores into probabilities.

``softmax(x)_i = exp(x_i / T) / sum_j exp(x_j / T)`` along ``axis``, with temperature ``T``
(default 1). Unlike SoftmaxOutput these are ordinary layers: the backward uses the head
gradient ``g``. With ``y = softmax(x)`` the Jacobian is ``diag(y) - y y^T``, so

    dx = y * (g - sum(g * y)) / T

``log_softmax`` returns ``log y = x/T - logsumexp(x/T)``, whose gradient is
``(g - y * sum(g)) / T`` with ``y = exp(log y)``. ``softmin`` is ``softmax(-x)``.
``SoftmaxActivation`` is the older name: ``mode='instance'`` takes the softmax over everything
after the batch axis, ``mode='channel'`` over axis 1.
"""
from __future__ import annotations

import numpy as np

from .registry import (
    Operator,
    Param,
    optional,
    parse_bool,
    parse_float,
    parse_int,
    parse_str,
    register,
)
from .softmax_output import softmax

FLOAT_TYPES = ("float16", "float32", "float64")


def softmax_grad(y: np.ndarray, g: np.ndarray, axis: int) -> np.ndarray:
    """The vector-Jacobian product of softmax: ``y * (g - sum(g * y))`` along ``axis``."""
    return y * (g - (g * y).sum(axis=axis, keepdims=True))


class _Softmax(Operator):
    """What softmax, log_softmax and softmin share: parameters, shapes, types, the length mask."""

    params = {
        "axis": Param(parse_int, -1, doc="the axis the probabilities sum to 1 over"),
        "temperature": Param(optional(parse_float), None, doc="divide the scores by this"),
        "dtype": Param(optional(parse_str), None, choices=(None, *FLOAT_TYPES),
                       doc="type of the output (default: the input's)"),
        "use_length": Param(optional(parse_bool), False,
                            doc="take a second input 'length': only the first length[i] "
                                "entries along axis take part, the rest give 0"),
    }
    sign = 1.0  # softmin flips the sign of the scores

    def validate(self):
        if self.temperature is not None and self.temperature == 0:
            raise self.fail("temperature must not be 0")

    def list_arguments(self):
        return ["data", "length"] if self.use_length else ["data"]

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        if not -len(data) <= self.axis < len(data):
            raise self.fail(f"axis {self.axis} is out of range for data of shape {data}")
        shapes = [data]
        if self.use_length:
            axis = self.axis % len(data)
            shapes.append(self.expect_shape(in_shapes, 1, (*data[:axis], *data[axis + 1:])))
        return shapes, [data], []

    def infer_type(self, in_types):
        data = in_types[0]
        out = np.dtype(self.dtype) if self.dtype is not None else data
        if not self.use_length:
            return [data], [out], []
        # as in MXNet, the lengths keep a type of their own (int32 beside float16 data, say)
        return [data, in_types[1]], [out], []

    def _scale(self) -> float:
        """Scores are multiplied by sign / temperature."""
        return self.sign / (self.temperature or 1.0)

    def _mask(self, inputs: list[np.ndarray]) -> np.ndarray | None:
        """With use_length, True at the positions along axis that take part."""
        if not self.use_length:
            return None
        data, length = inputs
        axis = self.axis % data.ndim
        position = np.arange(data.shape[axis]).reshape((-1,) + (1,) * (data.ndim - axis - 1))
        return position < np.expand_dims(length, axis)

    def _out_dtype(self, data: np.ndarray) -> np.dtype:
        return np.dtype(self.dtype) if self.dtype else data.dtype

    def _no_length_grad(self, inputs):
        # the lengths are integers: they get no gradient
        return [None] if self.use_length else []


@register
class SoftmaxOp(_Softmax):
    """Softmax along one axis."""

    name = "softmax"

    def forward(self, is_train, inputs, aux):
        scores = inputs[0] * self._scale()
        mask = self._mask(inputs)
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)  # exp(-inf) = 0: left out of the sum
        return [softmax(scores, self.axis).astype(self._out_dtype(inputs[0]), copy=False)]

    def backward(self, out_grads, inputs, outputs, aux):
        y = outputs[0].astype(inputs[0].dtype, copy=False)
        grad = softmax_grad(y, out_grads[0], self.axis) * self._scale()
        return [grad.astype(inputs[0].dtype, copy=False), *self._no_length_grad(inputs)]


@register
class Softmin(SoftmaxOp):
    """Softmax of the negated scores: the smallest score gets the largest probability."""

    name = "softmin"
    sign = -1.0


@register
class LogSoftmax(_Softmax):
    """The logarithm of softmax, computed without forming tiny probabilities first."""

    name = "log_softmax"

    def forward(self, is_train, inputs, aux):
        scores = inputs[0] * self._scale()
        mask = self._mask(inputs)
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)  # exp(-inf) = 0: left out of the sum
        shifted = scores - scores.max(axis=self.axis, keepdims=True)  # avoid overflow in exp
        log_y = shifted - np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))
        if mask is not None:
            log_y = np.where(mask, log_y, 0)  # MXNet writes 0 past the length
        return [log_y.astype(self._out_dtype(inputs[0]), copy=False)]

    def backward(self, out_grads, inputs, outputs, aux):
        g = out_grads[0]
        mask = self._mask(inputs)
        if mask is not None:
            g = np.where(mask, g, 0)  # positions past the length took no part
        y = np.exp(outputs[0].astype(inputs[0].dtype, copy=False))
        grad = (g - y * g.sum(axis=self.axis, keepdims=True)) * self._scale()
        if mask is not None:
            grad = np.where(mask, grad, 0)
        return [grad.astype(inputs[0].dtype, copy=False), *self._no_length_grad(inputs)]


@register
class SoftmaxActivation(Operator):
    """Softmax per sample (``instance``) or per position over the channels (``channel``)."""

    name = "SoftmaxActivation"
    params = {
        "mode": Param(parse_str, "instance", choices=("instance", "channel"),
                      doc="'instance': over all but the batch axis; 'channel': over axis 1"),
    }

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is not None and self.mode == "channel" and len(data) < 2:
            raise self.fail(f"mode 'channel' needs data with a channel axis 1, got {data}")
        return super().infer_shape(in_shapes)

    def _scores(self, data: np.ndarray) -> np.ndarray:
        # 'instance' sees each sample as one vector; 'channel' keeps the shape and uses axis 1
        return data.reshape(data.shape[0], -1) if self.mode == "instance" else data

    def forward(self, is_train, inputs, aux):
        (data,) = inputs
        return [softmax(self._scores(data), axis=1).reshape(data.shape)]

    def backward(self, out_grads, inputs, outputs, aux):
        y, g = self._scores(outputs[0]), self._scores(out_grads[0])
        return [softmax_grad(y, g, axis=1).reshape(inputs[0].shape)]

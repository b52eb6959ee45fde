"""FullyConnected: ``output = data @ weight.T + bias``.

``data`` of shape (batch, ...) is flattened to (batch, in_units) when ``flatten`` is True;
otherwise the layer applies to the last axis only. ``weight`` has shape (num_hidden, in_units).
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_bool, parse_int, register


@register
class FullyConnected(Operator):
    """A dense layer."""

    name = "FullyConnected"
    backward_reads = ("data", "weight")  # not the output: the gradient is linear in it
    fresh_outputs = fresh_gradients = True  # nothing returned is a view
    params = {
        "num_hidden": Param(parse_int, doc="number of output units"),
        "no_bias": Param(parse_bool, False, doc="leave out the bias"),
        "flatten": Param(parse_bool, True, doc="flatten all but the first axis of the input"),
    }

    def validate(self):
        if self.num_hidden < 1:
            raise self.fail(f"num_hidden must be >= 1, got {self.num_hidden}")

    def list_arguments(self):
        return ["data", "weight"] if self.no_bias else ["data", "weight", "bias"]

    infers_backward = True  # the output's batch size gives the data's

    def infer_shape(self, in_shapes, out_shapes=None):
        data, out = in_shapes[0], out_shapes[0] if out_shapes else None
        if not data:
            return in_shapes, [None], []
        lead = 1 if self.flatten else len(data) - 1  # leading axes the output shares
        if out and len(out) == lead + 1:
            data = (*(d or o for d, o in zip(data, out[:lead])), *data[lead:])
        # a dimension still unknown is 0, so an unknown in_units is 0 as well
        if self.flatten:
            in_units, out_shape = int(np.prod(data[1:])), (data[0], self.num_hidden)
        else:
            in_units, out_shape = data[-1], (*data[:-1], self.num_hidden)
        shapes = [data, self.expect_shape(in_shapes, 1, (self.num_hidden, in_units))]
        if not self.no_bias:
            shapes.append(self.expect_shape(in_shapes, 2, (self.num_hidden,)))
        return shapes, [out_shape], []

    def _as_matrix(self, data):
        return data.reshape(data.shape[0], -1) if self.flatten else data

    def forward(self, is_train, inputs, aux):
        data, weight = self._as_matrix(inputs[0]), inputs[1]
        out = data @ weight.T
        if not self.no_bias:
            out += inputs[2]
        return [out]

    def backward(self, out_grads, inputs, outputs, aux):
        (grad,) = out_grads
        data, weight = self._as_matrix(inputs[0]), inputs[1]
        if data.ndim != 2:  # flatten=False: fold the leading axes into one (or lift a single
            # vector to one row), so both products are 2-D
            grad, data = grad.reshape(-1, grad.shape[-1]), data.reshape(-1, data.shape[-1])
        grad_data = (grad @ weight).reshape(inputs[0].shape) if self.needs_grad(0) else None
        grads = [grad_data, grad.T @ data]
        if not self.no_bias:
            grads.append(grad.sum(axis=0))
        return grads

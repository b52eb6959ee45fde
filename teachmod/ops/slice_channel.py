"""SliceChannel (``split``): cut the data into ``num_outputs`` equal parts along ``axis``.

The outputs are named output0, output1, ... With ``squeeze_axis`` each part (of size 1 along
``axis``) loses that axis. The backward is the reverse: the head gradients of the parts are
put back together with a concatenation.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, merge_shapes, parse_bool, parse_int, register


@register
class SliceChannel(Operator):
    """Split into equal parts; the inverse of Concat."""

    name = "SliceChannel"
    aliases = ("split",)
    params = {
        "num_outputs": Param(parse_int, doc="number of parts"),
        "axis": Param(parse_int, 1, doc="the axis to cut along"),
        "squeeze_axis": Param(parse_bool, False, doc="drop the axis (each part must be 1 long)"),
    }

    def validate(self):
        if self.num_outputs < 1:
            raise self.fail(f"num_outputs must be >= 1, got {self.num_outputs}")

    def list_outputs(self):
        return [f"output{i}" for i in range(self.num_outputs)]

    def _axis(self, shape: tuple[int, ...]) -> int:
        if not -len(shape) <= self.axis < len(shape):
            raise self.fail(f"axis {self.axis} is out of range for data of shape {tuple(shape)}")
        axis = self.axis % len(shape)
        if shape[axis] % self.num_outputs:
            raise self.fail(f"data has size {shape[axis]} on axis {self.axis}, which does not "
                            f"divide into num_outputs={self.num_outputs} equal parts")
        if self.squeeze_axis and shape[axis] and shape[axis] != self.num_outputs:
            raise self.fail(f"squeeze_axis needs parts of size 1, but size {shape[axis]} on axis "
                            f"{self.axis} split {self.num_outputs} ways gives "
                            f"{shape[axis] // self.num_outputs}")
        return axis

    infers_backward = True

    def infer_shape(self, in_shapes, out_shapes=None):
        data = in_shapes[0]
        if not data:
            return in_shapes, [None] * self.num_outputs, []
        axis = self._axis(data)  # a size not known yet (0) gives parts of size 0 (unknown)
        part = (*data[:axis], data[axis] // self.num_outputs, *data[axis + 1:])
        if self.squeeze_axis:
            part = (*data[:axis], *data[axis + 1:])
        for i, given in enumerate(out_shapes or []):  # all parts have one shape
            try:
                part = merge_shapes(part, given)
            except ValueError:
                raise self.fail(f"output 'output{i}' has shape {tuple(given)}, but the data "
                                f"{tuple(data)} split on axis {self.axis} gives {part}") from None
        # and the parts give back the data's shape
        if self.squeeze_axis:
            data = (*part[:axis], self.num_outputs, *part[axis:])
        else:
            data = (*part[:axis], self.num_outputs * part[axis], *part[axis + 1:])
        return [data], [part] * self.num_outputs, []

    def forward(self, is_train, inputs, aux):
        (data,) = inputs
        axis = self._axis(data.shape)
        parts = np.split(data, self.num_outputs, axis=axis)
        if self.squeeze_axis:
            parts = [p.squeeze(axis) for p in parts]
        return parts

    def backward(self, out_grads, inputs, outputs, aux):
        axis = self._axis(inputs[0].shape)
        grads = out_grads
        if self.squeeze_axis:
            grads = [np.expand_dims(g, axis) for g in grads]  # give back the dropped axis
        return [np.concatenate(grads, axis=axis)]

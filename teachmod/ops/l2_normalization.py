"""L2Normalization: divide the data by its L2 norm, ``output = data / sqrt(sum(data^2) + eps)``.

``mode`` picks what one norm covers: ``instance`` -- everything of one sample (norm shape
``(N,)``); ``channel`` -- the channels at one position (``(N, 1, ...)``); ``spatial`` -- the
positions of one channel (``(N, C)``). The norm is the hidden second output; the backward pass
is ``(grad - output * sum(grad * output)) / norm`` with the sum over the same axes.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_float, parse_str, register


@register
class L2Normalization(Operator):
    """Scale every instance, channel column or channel plane to unit L2 norm."""

    name = "L2Normalization"
    outputs = ("output", "norm")
    params = {
        "eps": Param(parse_float, 1e-10, doc="added under the square root"),
        "mode": Param(parse_str, "instance", choices=("instance", "channel", "spatial"),
                      doc="the axes one norm covers"),
    }

    def num_visible_outputs(self) -> int:
        return 1

    def axes(self, ndim: int) -> tuple[int, ...]:
        """The axes one norm is taken over."""
        if self.mode == "instance":
            return tuple(range(1, ndim))
        if ndim < 3:
            raise self.fail(f"mode={self.mode!r} needs data with at least 3 dimensions "
                            f"(N, C, ...), got {ndim}")
        return (1,) if self.mode == "channel" else tuple(range(2, ndim))

    def norm_shape(self, data: tuple[int, ...]) -> tuple[int, ...]:
        if self.mode == "instance":
            return (data[0],)
        if self.mode == "channel":
            return (data[0], 1, *data[2:])
        return tuple(data[:2])

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None, None], []
        self.axes(len(data))
        return [tuple(data)], [tuple(data), self.norm_shape(tuple(data))], []

    def forward(self, is_train, inputs, aux):
        data = inputs[0]
        norm = np.sqrt((data * data).sum(axis=self.axes(data.ndim), keepdims=True) + self.eps)
        return [data / norm, norm.reshape(self.norm_shape(data.shape))]

    def backward(self, out_grads, inputs, outputs, aux):
        grad, (out, norm) = out_grads[0], outputs
        axes = self.axes(out.ndim)
        norm = norm.reshape([1 if i in axes else n for i, n in enumerate(out.shape)])
        return [(grad - out * (grad * out).sum(axis=axes, keepdims=True)) / norm]

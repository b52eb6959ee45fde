"""UpSampling: enlarge NCHW images by an integer ``scale``.

- ``nearest``: every pixel becomes a ``scale x scale`` block. Several inputs (``num_args``)
  are each enlarged to the first one's size times ``scale`` and then concatenated along the
  channels (or summed, ``multi_input_mode='sum'``). The gradient of a block is the sum of the
  block's gradients.
- ``bilinear``: a Deconvolution with the learned (usually bilinear-initialised) ``weight`` of
  shape ``(C, 1, k, k)``, ``k = 2*scale - scale % 2``, one group per channel.
"""
from __future__ import annotations

import math

import numpy as np

from . import _im2col
from .convolution import fmt
from .registry import Operator, Param, parse_int, parse_str, register


def nearest(data: np.ndarray, scale: int) -> np.ndarray:
    """Repeat every pixel ``scale`` times along H and W."""
    n, c, h, w = data.shape
    blocks = np.broadcast_to(data[:, :, :, None, :, None], (n, c, h, scale, w, scale))
    return blocks.reshape(n, c, h * scale, w * scale)


def nearest_backward(grad: np.ndarray, scale: int) -> np.ndarray:
    """Sum the gradient over each ``scale x scale`` block."""
    n, c, h, w = grad.shape
    return grad.reshape(n, c, h // scale, scale, w // scale, scale).sum(axis=(3, 5))


@register
class UpSampling(Operator):
    """Nearest-neighbour or bilinear (deconvolution) upsampling."""

    name = "UpSampling"
    variadic = "num_args"
    params = {
        "scale": Param(parse_int, doc="the upsampling factor"),
        "num_filter": Param(parse_int, 0, doc="bilinear: the number of channels"),
        "sample_type": Param(parse_str, choices=("nearest", "bilinear"), doc="the method"),
        "multi_input_mode": Param(parse_str, "concat", choices=("concat", "sum"),
                                  doc="nearest with several inputs: concat or sum them"),
        "num_args": Param(parse_int, doc="number of inputs (bilinear: 2, data and weight)"),
        "workspace": Param(parse_int, 512, doc="accepted for compatibility; unused"),
    }

    def validate(self) -> None:
        if self.scale < 1:
            raise self.fail(f"scale must be >= 1, got {self.scale}")
        if self.sample_type == "bilinear" and self.num_args != 2:
            raise self.fail(f"bilinear upsampling takes 2 inputs (data, weight), "
                            f"got num_args={self.num_args}")
        if self.num_args < 1:
            raise self.fail(f"num_args must be >= 1, got {self.num_args}")

    def list_arguments(self) -> list[str]:
        if self.sample_type == "bilinear":
            return ["data", "weight"]
        return [f"arg{i}" for i in range(self.num_args)]

    def kernel(self) -> int:
        return 2 * self.scale - self.scale % 2

    def geometry(self) -> _im2col.Geometry:
        pad = math.ceil((self.scale - 1) / 2)
        return _im2col.Geometry((self.kernel(),) * 2, (self.scale,) * 2, (pad,) * 2, (1, 1))

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        if len(data) != 4:
            raise self.fail(f"data must be 4-D (N, C, H, W), got shape {tuple(data)}")
        n, c, h, w = data
        size = (h * self.scale, w * self.scale)
        if self.sample_type == "bilinear":
            if self.num_filter not in (0, c):
                raise self.fail(f"num_filter ({self.num_filter}) must equal the number of "
                                f"channels ({c})")
            weight = self.expect_shape(in_shapes, 1, (c, 1, self.kernel(), self.kernel()))
            return [tuple(data), weight], [(n, c, *size)], []
        if any(s is None for s in in_shapes):
            return in_shapes, [None], []
        for i, shape in enumerate(in_shapes):
            if len(shape) != 4 or size[0] % shape[2] or size[1] % shape[3]:
                raise self.fail(f"input arg{i} of shape {tuple(shape)} cannot be enlarged to "
                                f"{fmt(size)} by an integer factor")
        channels = [s[1] for s in in_shapes]
        if self.multi_input_mode == "sum" and len(set(channels)) > 1:
            raise self.fail(f"multi_input_mode='sum' needs equal channel counts, got {channels}")
        out_c = channels[0] if self.multi_input_mode == "sum" else sum(channels)
        return [tuple(s) for s in in_shapes], [(n, out_c, *size)], []

    def forward(self, is_train, inputs, aux):
        self.infer_shape([x.shape for x in inputs])
        if self.sample_type == "bilinear":
            data, weight = inputs
            c = data.shape[1]
            out_size = tuple(s * self.scale for s in data.shape[2:])
            return [_im2col.conv_backward_data(data, weight, self.geometry(), c, out_size)]
        height = inputs[0].shape[2] * self.scale
        parts = [nearest(x, height // x.shape[2]) for x in inputs]
        if self.multi_input_mode == "sum":
            return [sum(parts[1:], parts[0].copy())]
        return [np.concatenate(parts, axis=1)]

    def backward(self, out_grads, inputs, outputs, aux):
        grad = out_grads[0]
        if self.sample_type == "bilinear":
            data, weight = inputs
            c, geo = data.shape[1], self.geometry()
            return [_im2col.conv_forward(grad, weight, geo, c),
                    _im2col.conv_backward_weight(grad, data, geo, c)]
        grads, start = [], 0
        for x in inputs:
            scale = grad.shape[2] // x.shape[2]
            if self.multi_input_mode == "sum":
                grads.append(nearest_backward(grad, scale))
            else:
                grads.append(nearest_backward(grad[:, start:start + x.shape[1]], scale))
                start += x.shape[1]
        return grads

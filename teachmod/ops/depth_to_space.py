"""depth_to_space and space_to_depth: move ``block_size x block_size`` pixels between the
channel axis and the spatial axes of NCHW data.

``depth_to_space`` reads the channels as ``(b, b, C / b^2)`` and spreads the two ``b`` axes
over height and width: ``(N, C, H, W) -> (N, C / b^2, H * b, W * b)``. ``space_to_depth`` is
its inverse. Each is a reshape, a transpose and a reshape, so no value changes: the gradient
is the head gradient sent through the inverse rearrangement.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_int, register


class _BlockShuffle(Operator):
    params = {"block_size": Param(parse_int, doc="the side b of each block of pixels")}
    backward_reads = ()

    def validate(self):
        if self.block_size < 1:
            raise self.fail(f"block_size must be >= 1, got {self.block_size}")

    def check(self, data: tuple[int, ...]) -> None:
        raise NotImplementedError

    def out_shape(self, data: tuple[int, ...]) -> tuple[int, ...]:
        raise NotImplementedError

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        data = tuple(data)
        if len(data) != 4 or min(data) < 1:
            raise self.fail(f"data must be 4-D (N, C, H, W) with no empty axis, got {data}")
        self.check(data)
        return in_shapes, [self.out_shape(data)], []


def _depth_to_space(x: np.ndarray, b: int) -> np.ndarray:
    n, c, h, w = x.shape
    blocks = x.reshape(n, b, b, c // (b * b), h, w)
    return blocks.transpose(0, 3, 4, 1, 5, 2).reshape(n, c // (b * b), h * b, w * b)


def _space_to_depth(x: np.ndarray, b: int) -> np.ndarray:
    n, c, h, w = x.shape
    blocks = x.reshape(n, c, h // b, b, w // b, b)
    return blocks.transpose(0, 3, 5, 1, 2, 4).reshape(n, c * b * b, h // b, w // b)


@register
class DepthToSpace(_BlockShuffle):
    """Channels to pixels: ``(N, C, H, W) -> (N, C / b^2, H b, W b)``."""

    name = "depth_to_space"

    def check(self, data):
        if data[1] % (self.block_size ** 2):
            raise self.fail(f"the channels ({data[1]}) must divide by block_size^2 "
                            f"({self.block_size ** 2})")

    def out_shape(self, data):
        n, c, h, w = data
        b = self.block_size
        return (n, c // (b * b), h * b, w * b)

    def forward(self, is_train, inputs, aux):
        self.infer_shape([inputs[0].shape])
        return [_depth_to_space(inputs[0], self.block_size)]

    def backward(self, out_grads, inputs, outputs, aux):
        return [_space_to_depth(out_grads[0], self.block_size)]


@register
class SpaceToDepth(_BlockShuffle):
    """Pixels to channels: ``(N, C, H, W) -> (N, C b^2, H / b, W / b)``."""

    name = "space_to_depth"

    def check(self, data):
        if data[2] % self.block_size or data[3] % self.block_size:
            raise self.fail(f"height {data[2]} and width {data[3]} must divide by "
                            f"block_size {self.block_size}")

    def out_shape(self, data):
        n, c, h, w = data
        b = self.block_size
        return (n, c * b * b, h // b, w // b)

    def forward(self, is_train, inputs, aux):
        self.infer_shape([inputs[0].shape])
        return [_space_to_depth(inputs[0], self.block_size)]

    def backward(self, out_grads, inputs, outputs, aux):
        return [_depth_to_space(out_grads[0], self.block_size)]

"""slice_like: cut the data down to the shape of another input, keeping the start of each axis.

``slice_like(data, shape_like, axes=(0, 2))`` is ``data[:m0, :, :m2]`` with ``m`` the shape of
``shape_like``; with no ``axes`` every axis is cut. Only shape_like's shape is used, so it gets
a zero gradient; the data's gradient is the head gradient in the kept corner, zero elsewhere.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_shape, register


@register
class SliceLike(Operator):
    """Slice the data to the size of ``shape_like`` along ``axes``."""

    name = "slice_like"
    arguments = ("data", "shape_like")
    params = {"axes": Param(parse_shape, (), doc="the axes to cut; (): all of them")}

    def index(self, data: tuple[int, ...], like: tuple[int, ...]) -> tuple[slice, ...]:
        if not self.axes and len(like) != len(data):
            raise self.fail(f"shape_like {like} must have as many axes as the data {data} "
                            "when no axes are given")
        axes = self.axes or tuple(range(len(data)))
        cut = [slice(None)] * len(data)
        for a in axes:
            if not -len(data) <= a < len(data) or not -len(like) <= a < len(like):
                raise self.fail(f"axis {a} is out of range for data {data} or shape_like {like}")
            if like[a] > data[a % len(data)]:
                raise self.fail(f"shape_like {like} is larger than the data {data} on axis {a}")
            cut[a % len(data)] = slice(0, like[a])
        return tuple(cut)

    def infer_shape(self, in_shapes):
        data, like = in_shapes
        if data is None or like is None:
            return in_shapes, [None], []
        cut = self.index(tuple(data), tuple(like))
        return in_shapes, [tuple(len(range(n)[c]) for n, c in zip(data, cut))], []

    def infer_type(self, in_types):
        return in_types, [in_types[0]], []  # shape_like keeps its own type

    def forward(self, is_train, inputs, aux):
        data, like = inputs
        return [data[self.index(data.shape, like.shape)].copy()]

    def backward(self, out_grads, inputs, outputs, aux):
        data, like = inputs
        grad = np.zeros_like(data)
        grad[self.index(data.shape, like.shape)] = out_grads[0]
        return [grad, np.zeros_like(like)]

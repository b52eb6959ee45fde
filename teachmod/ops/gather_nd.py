"""gather_nd and scatter_nd: index with whole coordinate tuples.

``indices`` has shape ``(M, ...)``: column ``indices[:, j...]`` is a coordinate into the first
``M`` axes of the data. ``gather_nd`` reads ``output[j...] = data[indices[:, j...]]``, so the
output has shape ``indices.shape[1:] + data.shape[M:]``; negative coordinates count from the
end and coordinates out of range raise IndexError, as in numpy. ``scatter_nd`` is the
reverse: a zero array of ``shape`` with ``data[j...]`` written at ``indices[:, j...]``
(when two coordinates coincide, one of the writes wins).

Their gradients are each other: gather's is a scatter-add of the head gradient (a coordinate
read twice gets both contributions), scatter's is a gather of the head gradient.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_shape, register


def _coordinates(indices: np.ndarray, shape: tuple[int, ...], where: str
                 ) -> tuple[np.ndarray, ...]:
    """One integer index array per indexed axis, checked against ``shape``."""
    coords = indices.astype(np.int64)
    for axis, (c, size) in enumerate(zip(coords, shape)):
        if c.size and (c.min() < -size or c.max() >= size):
            bad = c.min() if c.min() < -size else c.max()
            raise IndexError(f"{where}: index {bad} is out of bounds for axis {axis} "
                             f"with size {size}")
    return tuple(coords)


def _gathered_shape(where: str, data: tuple[int, ...], indices: tuple[int, ...]
                    ) -> tuple[int, ...]:
    if not indices or indices[0] > len(data):
        raise ValueError(f"{where}: indices {indices} must have a first axis of at most "
                         f"{len(data)} (one row per indexed axis of the data {data})")
    return (*indices[1:], *data[indices[0]:])


@register
class GatherND(Operator):
    """``data[tuple(indices)]``."""

    name = "gather_nd"
    arguments = ("data", "indices")
    params = {}

    def infer_shape(self, in_shapes):
        data, indices = in_shapes
        if data is None or indices is None:
            return in_shapes, [None], []
        try:
            return in_shapes, [_gathered_shape(self.where(), tuple(data), tuple(indices))], []
        except ValueError as err:
            raise self.fail(str(err)) from None

    def infer_type(self, in_types):
        return in_types, [in_types[0]], []

    def forward(self, is_train, inputs, aux):
        data, indices = inputs
        self.infer_shape([data.shape, indices.shape])
        return [data[_coordinates(indices, data.shape, self.where())]]

    def backward(self, out_grads, inputs, outputs, aux):
        data, indices = inputs
        grad = np.zeros_like(data)
        np.add.at(grad, _coordinates(indices, data.shape, self.where()), out_grads[0])
        return [grad, np.zeros_like(indices)]


@register
class ScatterND(Operator):
    """A zero array of ``shape`` with ``data`` written at ``indices``."""

    name = "scatter_nd"
    arguments = ("data", "indices")
    params = {"shape": Param(parse_shape, doc="the shape of the output")}

    def infer_shape(self, in_shapes):
        data, indices = in_shapes
        if indices is None:
            return in_shapes, [self.shape], []
        try:
            expected = _gathered_shape(self.where(), self.shape, tuple(indices))
        except ValueError as err:
            raise self.fail(str(err)) from None
        return [self.expect_shape(in_shapes, 0, expected), tuple(indices)], [self.shape], []

    def infer_type(self, in_types):
        return in_types, [in_types[0]], []

    def forward(self, is_train, inputs, aux):
        data, indices = inputs
        self.infer_shape([data.shape, indices.shape])
        out = np.zeros(self.shape, dtype=data.dtype)
        out[_coordinates(indices, self.shape, self.where())] = data
        return [out]

    def backward(self, out_grads, inputs, outputs, aux):
        data, indices = inputs
        coords = _coordinates(indices, self.shape, self.where())
        return [out_grads[0][coords].astype(data.dtype), np.zeros_like(indices)]

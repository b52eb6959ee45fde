"""_split_v2: numpy's ``split`` as an operator (``mx.sym.split_v2`` builds it).

Either ``sections`` equal parts along ``axis``, or parts starting at each of ``indices``
(which begins with 0: ``indices=(0, 2, 5)`` cuts ``[0:2], [2:5], [5:]``). With
``squeeze_axis`` parts of length 1 lose the axis. The backward puts the parts' head
gradients back together with a concatenation.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .registry import Operator, Param, parse_bool, parse_int, parse_shape, register


@register
class SplitV2(Operator):
    """Split into equal sections or at given indices."""

    name = "_split_v2"
    params = {
        "indices": Param(parse_shape, doc="start of every part (the first is 0); () with sections"),
        "axis": Param(parse_int, 1, doc="the axis to cut along"),
        "squeeze_axis": Param(parse_bool, False, doc="drop the axis (parts must be 1 long)"),
        "sections": Param(parse_int, 0, doc="number of equal parts; 0: use indices"),
    }
    backward_reads = ("data",)

    def validate(self):
        if (self.sections > 0) == bool(self.indices):
            raise self.fail(f"give either sections > 0 or indices, got sections="
                            f"{self.sections} and indices={self.indices}")

    def list_outputs(self):
        return [f"output{i}" for i in range(self.sections or len(self.indices))]

    def _bounds(self, shape: tuple[int, ...]) -> tuple[int, list[int]]:
        """The axis and the start of every part but the first."""
        if not -len(shape) <= self.axis < len(shape):
            raise self.fail(f"axis {self.axis} is out of range for data of shape {shape}")
        axis = self.axis % len(shape)
        size = shape[axis]
        if self.sections:
            if size % self.sections:
                raise self.fail(f"size {size} on axis {self.axis} does not divide into "
                                f"{self.sections} equal sections")
            return axis, [size // self.sections * i for i in range(1, self.sections)]
        starts = list(self.indices[1:])
        if starts != sorted(starts) or any(not 0 < s <= size for s in starts):
            raise self.fail(f"indices {self.indices} must increase within 1..{size}")
        return axis, starts

    def _part_shapes(self, shape: tuple[int, ...]) -> list[tuple[int, ...]]:
        axis, starts = self._bounds(shape)
        lengths = np.diff([0, *starts, shape[axis]])
        if self.squeeze_axis and any(n != 1 for n in lengths):
            raise self.fail(f"squeeze_axis needs parts of length 1, got lengths {list(lengths)}")
        if self.squeeze_axis:
            return [(*shape[:axis], *shape[axis + 1:])] * len(lengths)
        return [(*shape[:axis], int(n), *shape[axis + 1:]) for n in lengths]

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None] * len(self.list_outputs()), []
        return in_shapes, self._part_shapes(tuple(data)), []

    def forward(self, is_train, inputs, aux):
        data = inputs[0]
        axis, starts = self._bounds(data.shape)
        return [p.reshape(s) for p, s in
                zip(np.split(data, starts, axis=axis), self._part_shapes(data.shape))]

    def backward(self, out_grads, inputs, outputs, aux):
        data = inputs[0]
        axis, starts = self._bounds(data.shape)
        lengths = np.diff([0, *starts, data.shape[axis]])
        parts = [g.reshape((*data.shape[:axis], int(n), *data.shape[axis + 1:]))
                 for g, n in zip(out_grads, lengths)]
        return [np.concatenate(parts, axis=axis)]


def split_v2_params(indices_or_sections: Any) -> dict[str, Any]:
    """``_split_v2``'s parameters from ``split_v2``'s argument, as ``np.split`` takes it: a
    number of equal sections, or the indices to split at."""
    if isinstance(indices_or_sections, int):
        return {"indices": (), "sections": indices_or_sections}
    if isinstance(indices_or_sections, (tuple, list)):
        return {"indices": (0, *indices_or_sections), "sections": 0}
    raise ValueError("split_v2: indices_or_sections must be an int or a tuple of ints, "
                     f"got {indices_or_sections!r}")

"""take, batch_take and pick: select elements by integer indices (stored as floats).

- ``take(a, indices, axis=0)`` is ``np.take``: the output has shape
  ``a.shape[:axis] + indices.shape + a.shape[axis+1:]``.
- ``batch_take(a, indices)`` picks one element per row of a 2-D ``a``:
  ``output[i] = a[i, indices[i]]``.
- ``pick(data, index, axis=-1)`` does the same along any axis: ``index`` has the data's shape
  without that axis (or with it as size 1 for ``keepdims``).

Out-of-range indices follow ``mode``: ``clip`` to the ends, ``wrap`` around (modulo), or
``raise`` an error (take only). The gradient of the data is a scatter-add: each selected
element receives the head gradient of every output that selected it. The indices get a zero
gradient.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, optional, parse_bool, parse_int, parse_str, register


class _Indexing(Operator):
    """Shared: turn float indices into valid integer positions along an axis of ``size``."""

    def positions(self, indices: np.ndarray, size: int) -> np.ndarray:
        index = indices.astype(np.int64)
        if self.mode == "wrap":
            return np.mod(index, size)
        if self.mode == "raise" and (index.min(initial=0) < 0 or index.max(initial=0) >= size):
            raise self.fail(f"an index is outside [0, {size}) (mode='raise'); the indices "
                            f"range over [{index.min()}, {index.max()}]")
        return np.clip(index, 0, size - 1)

    def infer_type(self, in_types, out_types=None):
        return in_types, [in_types[0]], []


@register
class Take(_Indexing):
    """``np.take(a, indices, axis)``."""

    name = "take"
    arguments = ("a", "indices")
    params = {
        "axis": Param(parse_int, 0, doc="the axis to take along (negative counts from the end)"),
        "mode": Param(parse_str, "clip", choices=("raise", "wrap", "clip"),
                      doc="what out-of-range indices do"),
    }

    def _axis(self, ndim: int) -> int:
        if not -ndim <= self.axis < ndim:
            raise self.fail(f"axis {self.axis} is out of range for a with {ndim} axes")
        return self.axis % ndim

    def infer_shape(self, in_shapes):
        a, indices = in_shapes
        if a is None or indices is None:
            return in_shapes, [None], []
        axis = self._axis(len(a))
        return in_shapes, [(*a[:axis], *indices, *a[axis + 1:])], []

    def forward(self, is_train, inputs, aux):
        a, indices = inputs
        axis = self._axis(a.ndim)
        return [np.take(a, self.positions(indices, a.shape[axis]), axis=axis)]

    def backward(self, out_grads, inputs, outputs, aux):
        a, indices = inputs
        axis = self._axis(a.ndim)
        positions = self.positions(indices, a.shape[axis])
        # with the taken axis first, output block j goes to row positions[j] of the gradient
        grad = np.zeros_like(np.moveaxis(a, axis, 0))
        head = np.moveaxis(out_grads[0], tuple(range(axis, axis + indices.ndim)),
                           tuple(range(indices.ndim)))
        np.add.at(grad, positions, head)
        return [np.moveaxis(grad, 0, axis), np.zeros_like(indices)]


@register
class BatchTake(_Indexing):
    """``output[i] = a[i, indices[i]]`` for 2-D ``a``."""

    name = "batch_take"
    arguments = ("a", "indices")
    params = {}
    mode = "clip"

    def infer_shape(self, in_shapes):
        a, indices = in_shapes
        if a is None:
            return in_shapes, [None], []
        if len(a) != 2:
            raise self.fail(f"a must be 2-D, got shape {tuple(a)}")
        indices = self.expect_shape(in_shapes, 1, (a[0],))
        return [tuple(a), indices], [(a[0],)], []

    def forward(self, is_train, inputs, aux):
        a, indices = inputs
        self.infer_shape([a.shape, indices.shape])
        return [a[np.arange(a.shape[0]), self.positions(indices, a.shape[1])]]

    def backward(self, out_grads, inputs, outputs, aux):
        a, indices = inputs
        grad = np.zeros_like(a)
        grad[np.arange(a.shape[0]), self.positions(indices, a.shape[1])] = out_grads[0]
        return [grad, np.zeros_like(indices)]


@register
class Pick(_Indexing):
    """One element along ``axis`` for every position of the other axes."""

    name = "pick"
    arguments = ("data", "index")
    params = {
        "axis": Param(optional(parse_int), -1, doc="the axis to pick along; None: flattened"),
        "keepdims": Param(parse_bool, False, doc="keep the picked axis with size 1"),
        "mode": Param(parse_str, "clip", choices=("wrap", "clip"),
                      doc="what out-of-range indices do"),
    }

    def _axis(self, ndim: int) -> int:
        if self.axis is None:
            return 0
        if not -ndim <= self.axis < ndim:
            raise self.fail(f"axis {self.axis} is out of range for data with {ndim} axes")
        return self.axis % ndim

    def _flat(self, data: np.ndarray) -> np.ndarray:
        return data.reshape(-1) if self.axis is None else data

    infers_backward = True  # takes partial shapes: unknown (0) sizes stay unknown

    def infer_shape(self, in_shapes, out_shapes=None):
        data = in_shapes[0]
        if not data:
            return in_shapes, [None], []
        data = (int(np.prod(data, dtype=np.int64)),) if self.axis is None else tuple(data)
        axis = self._axis(len(data))
        kept, dropped = (*data[:axis], 1, *data[axis + 1:]), (*data[:axis], *data[axis + 1:])
        index = in_shapes[1]

        def fits(shape: tuple[int, ...]) -> bool:  # equal where both sizes are known (not 0)
            return len(shape) == len(index) and all(a == b or 0 in (a, b)
                                                    for a, b in zip(shape, index))

        if index is not None and not (fits(dropped) or fits(kept)):
            raise self.fail(f"index has shape {tuple(index)}, expected {dropped}: the data's "
                            f"shape without axis {self.axis}")
        if index is not None:  # sizes known in the data fill unknown (0) ones of the index
            like = dropped if fits(dropped) else kept
            index = tuple(a or b for a, b in zip(index, like))
        return [in_shapes[0], index or dropped], [kept if self.keepdims else dropped], []

    def _positions(self, data: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, int]:
        axis = self._axis(data.ndim)
        kept = (*data.shape[:axis], 1, *data.shape[axis + 1:])
        return self.positions(index, data.shape[axis]).reshape(kept), axis

    def forward(self, is_train, inputs, aux):
        data, index = inputs
        self.infer_shape([data.shape, index.shape])
        data = self._flat(data)
        positions, axis = self._positions(data, index)
        picked = np.take_along_axis(data, positions, axis=axis)
        return [picked if self.keepdims else picked.squeeze(axis)]

    def backward(self, out_grads, inputs, outputs, aux):
        data, index = inputs
        flat = self._flat(data)
        positions, axis = self._positions(flat, index)
        grad = np.zeros_like(flat)
        np.put_along_axis(grad, positions, out_grads[0].reshape(positions.shape), axis=axis)
        return [grad.reshape(data.shape), np.zeros_like(index)]

"""sort and argsort along an axis (``axis=None``: of the flattened data).

``argsort`` gives the positions that would sort the data (as floats of ``dtype``); it does not
vary smoothly with the data, so its gradient is zero. ``sort`` gives the sorted values: each
input element receives the head gradient of the place it was sorted to.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, optional, parse_bool, parse_dtype, parse_int, register

DTYPES = ("float16", "float32", "float64", "int32", "int64", "uint8")


class _Ordering(Operator):
    params = {
        "axis": Param(optional(parse_int), -1, doc="the axis to sort; None: all elements"),
        "is_ascend": Param(parse_bool, True, doc="smallest first"),
    }

    def _flat(self, data: np.ndarray) -> np.ndarray:
        return data.reshape(-1) if self.axis is None else data

    def _axis(self, ndim: int) -> int:
        if self.axis is None:
            return 0
        if not -ndim <= self.axis < ndim:
            raise self.fail(f"axis {self.axis} is out of range for data with {ndim} axes")
        return self.axis % ndim

    def order(self, data: np.ndarray) -> np.ndarray:
        """Positions that sort (the flattened, for axis=None) data along the axis."""
        x = self._flat(data)
        axis = self._axis(x.ndim)
        ascending = np.argsort(x, axis=axis, kind="stable")
        return ascending if self.is_ascend else np.flip(ascending, axis=axis)

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        self._axis(len(data))
        return in_shapes, [(int(np.prod(data)),) if self.axis is None else tuple(data)], []


@register
class Sort(_Ordering):
    """The data sorted along an axis."""

    name = "sort"
    backward_reads = ("data",)

    def forward(self, is_train, inputs, aux):
        x = self._flat(inputs[0])
        return [np.take_along_axis(x, self.order(inputs[0]), axis=self._axis(x.ndim))]

    def backward(self, out_grads, inputs, outputs, aux):
        x = self._flat(inputs[0])
        grad = np.zeros_like(x)
        np.put_along_axis(grad, self.order(inputs[0]), out_grads[0], axis=self._axis(x.ndim))
        return [grad.reshape(inputs[0].shape)]


@register
class ArgSort(_Ordering):
    """The positions that sort the data along an axis."""

    name = "argsort"
    params = {**_Ordering.params,
              "dtype": Param(parse_dtype, "float32", choices=DTYPES, doc="type of the output")}
    backward_reads = ("data",)

    def infer_type(self, in_types):
        return in_types, [np.dtype(self.dtype)], []

    def forward(self, is_train, inputs, aux):
        return [self.order(inputs[0]).astype(self.dtype)]

    def backward(self, out_grads, inputs, outputs, aux):
        return [np.zeros_like(inputs[0])]

"""topk: the ``k`` largest (or, with ``is_ascend``, smallest) elements along ``axis``.

``ret_typ`` chooses what comes out: ``'indices'`` their positions (as floats of ``dtype``),
``'value'`` the elements themselves, ``'both'`` values then positions, ``'mask'`` an array
like the data with 1 at the chosen positions and 0 elsewhere. Only the values depend smoothly
on the data: each chosen element receives its value's head gradient, the others get zero.
With ``axis=None`` the data is flattened first.
"""
from __future__ import annotations

import numpy as np

from .registry import (
    Operator,
    Param,
    optional,
    parse_bool,
    parse_dtype,
    parse_int,
    parse_str,
    register,
)

DTYPES = ("float16", "float32", "float64", "int32", "int64", "uint8")


@register
class TopK(Operator):
    """Select the k largest (or smallest) elements."""

    name = "topk"
    params = {
        "axis": Param(optional(parse_int), -1, doc="the axis to search; None: all elements"),
        "k": Param(parse_int, 1, doc="how many elements"),
        "ret_typ": Param(parse_str, "indices", choices=("both", "indices", "mask", "value"),
                         doc="what to return"),
        "is_ascend": Param(parse_bool, False, doc="pick the smallest instead of the largest"),
        "dtype": Param(parse_dtype, "float32", choices=DTYPES, doc="type of the indices"),
    }

    def validate(self):
        if self.k < 1:
            raise self.fail(f"k must be >= 1, got {self.k}")

    def list_outputs(self):
        # 'value' keeps the indices as a hidden second output for its backward pass
        return ["output0", "output1"] if self.ret_typ in ("both", "value") else ["output"]

    def num_visible_outputs(self):
        return 2 if self.ret_typ == "both" else 1

    def infer_type(self, in_types):
        data = in_types[0] or np.dtype(np.float32)
        indices = np.dtype(self.dtype)
        outs = {"indices": [indices], "mask": [data], "value": [data, indices],
                "both": [data, indices]}[self.ret_typ]
        return [data], outs, []

    def _axis(self, shape: tuple[int, ...]) -> int:
        axis = -1 if self.axis is None else self.axis  # None: the data is flattened
        ndim = 1 if self.axis is None else len(shape)
        if not -ndim <= axis < ndim:
            raise self.fail(f"axis {self.axis} is out of range for data of shape {shape}")
        length = int(np.prod(shape)) if self.axis is None else shape[axis]
        if self.k > length:
            raise self.fail(f"k={self.k} is larger than the {length} elements along the axis")
        return axis % ndim

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None] * len(self.list_outputs()), []
        data = tuple(data)
        axis = self._axis(data)
        if self.ret_typ == "mask":
            return in_shapes, [data], []
        shape = (self.k,) if self.axis is None else (*data[:axis], self.k, *data[axis + 1:])
        return in_shapes, [shape] * len(self.list_outputs()), []

    def _positions(self, data: np.ndarray) -> np.ndarray:
        """Integer positions of the chosen elements along the (last, if flattened) axis."""
        x = data.reshape(-1) if self.axis is None else data
        axis = self._axis(data.shape)
        # a stable sort of x (or -x) puts the wanted elements first
        order = np.argsort(x if self.is_ascend else -x, axis=axis, kind="stable")
        return np.take(order, np.arange(self.k), axis=axis)

    def forward(self, is_train, inputs, aux):
        (data,) = inputs
        x = data.reshape(-1) if self.axis is None else data
        axis = self._axis(data.shape)
        positions = self._positions(data)
        if self.ret_typ == "mask":
            mask = np.zeros_like(x)
            np.put_along_axis(mask, positions, 1, axis=axis)
            return [mask.reshape(data.shape)]
        indices = positions.astype(self.dtype)
        if self.ret_typ == "indices":
            return [indices]
        return [np.take_along_axis(x, positions, axis=axis), indices]

    def backward(self, out_grads, inputs, outputs, aux):
        (data,) = inputs
        if self.ret_typ not in ("both", "value"):
            return [np.zeros_like(data)]
        x = data.reshape(-1) if self.axis is None else data
        grad = np.zeros_like(x)
        # each chosen element gets its value's head gradient (put, not add: positions differ)
        np.put_along_axis(grad, self._positions(data), out_grads[0], axis=self._axis(data.shape))
        return [grad.reshape(data.shape)]

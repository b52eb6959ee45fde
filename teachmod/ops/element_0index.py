"""choose_element_0index and fill_element_0index: one element per row, picked by an index.

``choose_element_0index(lhs, rhs)`` gives ``lhs[i, rhs[i]]`` for every row ``i`` of a matrix;
``fill_element_0index(lhs, mhs, rhs)`` returns ``lhs`` with ``lhs[i, rhs[i]]`` replaced by
``mhs[i]``. They are MXNet's older names for what ``pick`` and a scatter do; the indices are
given as floats, as MXNet's legacy operators take them, and have no gradient.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, register


def _rows_and_columns(where: str, lhs: np.ndarray, index: np.ndarray) -> tuple:
    if lhs.ndim != 2 or index.shape != (lhs.shape[0],):
        raise ValueError(f"{where}: expects a matrix and one index per row, got shapes "
                         f"{lhs.shape} and {index.shape}")
    columns = index.astype(np.int64)
    if columns.size and (columns.min() < 0 or columns.max() >= lhs.shape[1]):
        raise ValueError(f"{where}: an index is outside 0..{lhs.shape[1] - 1}")
    return np.arange(lhs.shape[0]), columns


@register
class ChooseElement0Index(Operator):
    """``out[i] = lhs[i, rhs[i]]``."""

    name = "choose_element_0index"
    arguments = ("lhs", "rhs")

    def infer_shape(self, in_shapes):
        lhs = in_shapes[0]
        if lhs is None:
            return in_shapes, [None], []
        if len(lhs) != 2:
            raise self.fail(f"lhs must be a matrix, got shape {tuple(lhs)}")
        return [tuple(lhs), self.expect_shape(in_shapes, 1, lhs[:1])], [lhs[:1]], []

    def forward(self, is_train, inputs, aux):
        lhs, rhs = inputs
        return [lhs[_rows_and_columns(self.where(), lhs, rhs)]]

    def backward(self, out_grads, inputs, outputs, aux):
        lhs, rhs = inputs
        grad = np.zeros_like(lhs)
        grad[_rows_and_columns(self.where(), lhs, rhs)] = out_grads[0]
        return [grad, None]


@register
class FillElement0Index(Operator):
    """``out = lhs.copy(); out[i, rhs[i]] = mhs[i]``."""

    name = "fill_element_0index"
    arguments = ("lhs", "mhs", "rhs")

    def infer_shape(self, in_shapes):
        lhs = in_shapes[0]
        if lhs is None:
            return in_shapes, [None], []
        if len(lhs) != 2:
            raise self.fail(f"lhs must be a matrix, got shape {tuple(lhs)}")
        rows = tuple(lhs[:1])
        return ([tuple(lhs), self.expect_shape(in_shapes, 1, rows),
                 self.expect_shape(in_shapes, 2, rows)], [tuple(lhs)], [])

    def forward(self, is_train, inputs, aux):
        lhs, mhs, rhs = inputs
        out = lhs.copy()
        out[_rows_and_columns(self.where(), lhs, rhs)] = mhs
        return [out]

    def backward(self, out_grads, inputs, outputs, aux):
        lhs, _, rhs = inputs
        where = _rows_and_columns(self.where(), lhs, rhs)
        grad_lhs = out_grads[0].copy()
        grad_lhs[where] = 0
        return [grad_lhs, out_grads[0][where].copy(), None]

"""_histogram (``mx.nd.histogram``): count the elements of the data that fall in each bin.

The bins come either as ``bin_cnt`` equal-width bins over ``range = (low, high)``, or as a
second input ``bins`` holding the edges in increasing order. Every bin includes its left edge;
the last one includes its right edge too; elements outside all bins are not counted (numpy's
``np.histogram`` rules). Two outputs: the counts (int64) and the bin edges. Counting is flat
in the data, so there is no gradient.
"""
from __future__ import annotations

import ast
from typing import Any

import numpy as np

from .registry import Operator, Param, optional, parse_int, register


def parse_range(value: Any) -> tuple[float, float]:
    """``(low, high)`` with low <= high, from a pair of numbers or its string form."""
    if isinstance(value, str):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            raise ValueError from None
    if (not isinstance(value, (tuple, list)) or len(value) != 2
            or not all(isinstance(v, (int, float, np.number)) for v in value)
            or value[0] > value[1]):
        raise ValueError
    return float(value[0]), float(value[1])


@register
class Histogram(Operator):
    """Counts per bin, and the bin edges."""

    name = "_histogram"
    params = {
        "bin_cnt": Param(optional(parse_int), None,
                         doc="number of equal-width bins (else the edges are an input)"),
        "range": Param(optional(parse_range), None,
                       doc="(low, high): the span of the bin_cnt bins"),
    }
    outputs = ("output0", "output1")  # the counts and the bin edges
    backward_reads = ()

    def validate(self):
        if self.bin_cnt is not None and (self.bin_cnt < 1 or self.range is None):
            raise self.fail(f"bin_cnt={self.bin_cnt} needs bin_cnt >= 1 and a range "
                            f"(low, high), got range={self.range}")

    def list_arguments(self):
        return ["data"] if self.bin_cnt is not None else ["data", "bins"]

    def infer_shape(self, in_shapes):
        if self.bin_cnt is not None:
            return in_shapes, [(self.bin_cnt,), (self.bin_cnt + 1,)], []
        bins = in_shapes[1]
        if bins is None:
            return in_shapes, [None, None], []
        if len(bins) != 1 or bins[0] < 2:
            raise self.fail(f"bins must be a 1-d array of at least 2 edges, got shape "
                            f"{tuple(bins)}")
        return in_shapes, [(bins[0] - 1,), tuple(bins)], []

    def infer_type(self, in_types):
        edges = in_types[0] if self.bin_cnt is not None else in_types[1]
        return in_types, [np.dtype(np.int64), edges], []

    def forward(self, is_train, inputs, aux):
        data = inputs[0]
        if self.bin_cnt is not None:
            edges = np.linspace(*self.range, self.bin_cnt + 1).astype(data.dtype)
        else:
            edges = inputs[1]
        counts, _ = np.histogram(data, bins=edges.astype(np.float64))
        return [counts.astype(np.int64), edges.copy()]

    def backward(self, out_grads, inputs, outputs, aux):
        return [None] * len(inputs)

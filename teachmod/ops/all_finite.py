"""all_finite and multi_all_finite: 1.0 if every element is finite (no inf, no nan), else 0.0.

Mixed-precision training uses them to skip an update whose gradients overflowed. The output
has shape (1,) and type float32. ``init_output=False`` means MXNet leaves a finite result
where the output array already holds it: it only ever writes the 0. The test is a yes/no
answer, so the gradient is zero.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_bool, parse_int, register


@register
class AllFinite(Operator):
    """Whether one array is all finite."""

    name = "all_finite"
    params = {"init_output": Param(parse_bool, True, doc="start the output at 1 (as MXNet)")}
    backward_reads = ()

    def infer_shape(self, in_shapes):
        return in_shapes, [(1,)], []

    def infer_type(self, in_types):
        return in_types, [np.dtype(np.float32)], []

    def forward(self, is_train, inputs, aux):
        finite = all(np.isfinite(x).all() for x in inputs)
        return [np.array([float(finite)], dtype=np.float32)]

    def backward(self, out_grads, inputs, outputs, aux):
        return [None] * len(self.list_arguments())


@register
class MultiAllFinite(AllFinite):
    """Whether ``num_arrays`` arrays are all finite."""

    name = "multi_all_finite"
    variadic = "num_arrays"
    params = {
        "num_arrays": Param(parse_int, 1, doc="number of arrays"),
        "init_output": Param(parse_bool, True, doc="start the output at 1 (as MXNet)"),
    }

    def list_arguments(self):
        return [f"data_{i}" for i in range(self.num_arrays)]

"""amp_cast and amp_multicast: the casts that automatic mixed precision (AMP) inserts.

Both convert only between the float types AMP mixes, float16 and float32; arrays of any other
type pass through unchanged. As for ``Cast``, the gradient is the head gradient converted back
to the input's type.
"""
from __future__ import annotations

import numpy as np

from .cast import DTYPES, Cast, parse_dtype
from .registry import Operator, Param, parse_bool, parse_int, register

FLOATS = ("float16", "float32")  # the types mixed precision (AMP) casts between


@register
class AmpCast(Cast):
    """Cast between float16 and float32, as mixed-precision training inserts it; arrays of
    other types pass through unchanged."""

    name = "amp_cast"
    aliases = ()
    params = {"dtype": Param(parse_dtype, choices=DTYPES, doc="the output type")}

    def _target(self, dtype: np.dtype | None) -> np.dtype | None:
        if dtype is None:
            return None
        return np.dtype(self.dtype) if np.dtype(dtype).name in FLOATS else np.dtype(dtype)

    def infer_type(self, in_types):
        return in_types, [self._target(in_types[0])], []

    def forward(self, is_train, inputs, aux):
        with np.errstate(over="ignore"):  # as Cast: too large for float16 becomes inf
            return [inputs[0].astype(self._target(inputs[0].dtype))]


@register
class AmpMulticast(Operator):
    """Cast ``num_outputs`` float arrays to one common type: float32 if any of them is float32
    (the widest), or with ``cast_narrow`` float16 if any is float16. Arrays of other types
    pass through unchanged."""

    name = "amp_multicast"
    variadic = "num_outputs"
    params = {
        "num_outputs": Param(parse_int, doc="number of arrays (inputs and outputs)"),
        "cast_narrow": Param(parse_bool, False, doc="cast to the narrowest type, not the widest"),
    }

    def list_arguments(self):
        return [f"data_{i}" for i in range(self.num_outputs)]

    def list_outputs(self):
        return [f"output{i}" for i in range(self.num_outputs)]

    def infer_shape(self, in_shapes):
        return in_shapes, list(in_shapes), []

    def _common(self, types: list[np.dtype]) -> np.dtype:
        floats = {np.dtype(t).name for t in types if np.dtype(t).name in FLOATS}
        if self.cast_narrow:
            return np.dtype("float16" if "float16" in floats else "float32")
        return np.dtype("float32" if "float32" in floats else types[0])

    def _targets(self, types: list) -> list:
        if any(t is None for t in types):
            return [None] * len(types)
        common = self._common(types)
        return [common if np.dtype(t).name in FLOATS else np.dtype(t) for t in types]

    def infer_type(self, in_types):
        return in_types, self._targets(in_types), []

    def forward(self, is_train, inputs, aux):
        targets = self._targets([x.dtype for x in inputs])
        with np.errstate(over="ignore"):
            return [x.astype(t) for x, t in zip(inputs, targets)]

    def backward(self, out_grads, inputs, outputs, aux):
        return [g.astype(x.dtype) for g, x in zip(out_grads, inputs)]

"""Embedding: look up one row of ``weight`` for every index in ``data``.

``output[..., :] = weight[data[...], :]``, so the output has shape ``data.shape + (output_dim,)``.
Indices are stored as floats, like every MXNet input; they are truncated to integers and
clipped to ``[0, input_dim - 1]``. The gradient of ``weight`` is a scatter-add: row ``k``
receives the sum of the head gradients of every position whose index is ``k`` (an index used
twice gets two contributions, which is why it is ``np.add.at`` and not an assignment).
The indices themselves get no gradient.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_bool, parse_dtype, parse_int, register

DTYPES = ("float16", "float32", "float64", "int32", "int64", "int8", "uint8")


@register
class Embedding(Operator):
    """A lookup table of learned vectors, one per index."""

    name = "Embedding"
    arguments = ("data", "weight")
    params = {
        "input_dim": Param(parse_int, doc="number of rows: indices range over 0..input_dim-1"),
        "output_dim": Param(parse_int, doc="length of each vector"),
        "dtype": Param(parse_dtype, "float32", choices=DTYPES, doc="type of weight and output"),
        "sparse_grad": Param(parse_bool, False, doc="accepted; teachmod's gradient is dense"),
    }

    def validate(self):
        if self.input_dim < 1 or self.output_dim < 1:
            raise self.fail(f"input_dim and output_dim must be >= 1, got {self.input_dim} "
                            f"and {self.output_dim}")

    infers_backward = True  # takes partial shapes: an unknown (0) batch size stays unknown

    def infer_shape(self, in_shapes, out_shapes=None):
        weight = self.expect_shape(in_shapes, 1, (self.input_dim, self.output_dim))
        data = in_shapes[0]
        out = None if data is None else (*data, self.output_dim)
        return [data, weight], [out], []

    def infer_type(self, in_types, out_types=None):
        dtype = np.dtype(self.dtype)
        return [in_types[0] or np.dtype(np.float32), dtype], [dtype], []

    def _indices(self, data: np.ndarray) -> np.ndarray:
        return np.clip(data.astype(np.int64), 0, self.input_dim - 1)

    def forward(self, is_train, inputs, aux):
        data, weight = inputs
        return [weight[self._indices(data)]]

    def backward(self, out_grads, inputs, outputs, aux):
        data, weight = inputs
        grad_weight = np.zeros_like(weight)
        # flatten the indices and the matching rows of the head gradient, then scatter-add
        rows = out_grads[0].reshape(-1, self.output_dim)
        np.add.at(grad_weight, self._indices(data).reshape(-1), rows)
        return [None, grad_weight]

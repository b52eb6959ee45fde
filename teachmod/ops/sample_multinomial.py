"""_sample_multinomial: draw category indices from the distributions in the last axis of data.

``data`` of shape ``(..., K)`` holds, for each leading index, the probabilities of K categories
(summing to 1). Each draw takes a uniform number ``u`` in [0, 1) and returns the first category
whose cumulative probability reaches ``u``. The output has shape ``data.shape[:-1] + shape``
(for 1-D data: ``shape``, or ``(1,)`` without one).

With ``get_prob=True`` a second output holds ``log p`` of every drawn category. Its gradient
is what makes the operator useful in reinforcement learning (REINFORCE): ``d log p / d p =
1 / p`` at the drawn category, so the gradient of ``data`` collects ``g / p[k]`` there.
"""
from __future__ import annotations

import numpy as np

from ..random import generator
from .random_sample import parse_dtype, sample_shape
from .registry import Operator, Param, parse_bool, register


@register
class SampleMultinomial(Operator):
    """Categorical samples (and optionally their log-probabilities)."""

    name = "_sample_multinomial"
    aliases = ("sample_multinomial",)
    params = {
        "shape": Param(sample_shape, (), doc="samples drawn from each distribution"),
        "get_prob": Param(parse_bool, False, doc="also return the log-probability of each draw"),
        "dtype": Param(parse_dtype, "int32",
                       choices=("uint8", "int32", "float16", "float32", "float64"),
                       doc="type of the sampled indices"),
    }

    def list_outputs(self):
        return ["output", "prob"] if self.get_prob else ["output"]

    def out_shape(self, data: tuple[int, ...]) -> tuple[int, ...]:
        if len(data) == 1:
            return self.shape or (1,)
        return (*data[:-1], *self.shape)

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        out = None if data is None else self.out_shape(tuple(data))
        return in_shapes, [out] * len(self.list_outputs()), []

    def infer_type(self, in_types):
        return in_types, [np.dtype(self.dtype), in_types[0]][: len(self.list_outputs())], []

    def _flat(self, data: np.ndarray) -> tuple[np.ndarray, int]:
        """The distributions as rows ``(N, K)`` and the number of draws per row."""
        rows = data.reshape(-1, data.shape[-1])
        return rows, int(np.prod(self.out_shape(data.shape))) // rows.shape[0]

    def forward(self, is_train, inputs, aux):
        (data,) = inputs
        rows, draws = self._flat(data)
        cumulative = np.cumsum(rows, axis=1, dtype=np.float64)
        u = generator().random((rows.shape[0], draws))
        # the first category whose cumulative probability is >= u (the last one for rounding)
        picked = np.array([np.searchsorted(c, x) for c, x in zip(cumulative, u)])
        picked = np.minimum(picked, rows.shape[1] - 1)
        shape = self.out_shape(data.shape)
        outputs = [picked.reshape(shape).astype(self.dtype)]
        if self.get_prob:
            chosen = np.take_along_axis(rows, picked, axis=1)
            outputs.append(np.log(chosen).reshape(shape).astype(data.dtype))
        return outputs

    def backward(self, out_grads, inputs, outputs, aux):
        (data,) = inputs
        grad = np.zeros_like(data)
        if not self.get_prob:
            return [grad]
        rows, draws = self._flat(data)
        picked = outputs[0].reshape(rows.shape[0], draws).astype(np.int64)
        g = out_grads[1].reshape(rows.shape[0], draws)
        flat = grad.reshape(rows.shape)
        row_index = np.repeat(np.arange(rows.shape[0]), draws).reshape(picked.shape)
        # d log p[k] / d p[k] = 1 / p[k]; a category drawn twice collects twice
        np.add.at(flat, (row_index, picked), g / rows[row_index, picked])
        return [grad]

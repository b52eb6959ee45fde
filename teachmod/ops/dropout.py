"""Dropout: during training, zero each element with probability ``p`` and scale the rest.

``output = data * mask`` where ``mask`` is 0 (probability ``p``) or ``1 / (1 - p)``, so the
expected output equals the input and nothing needs rescaling at inference, where the layer is
the identity (unless ``mode='always'``). With ``axes``, one mask value is shared along those
axes (variational dropout): axes=(2, 3) on NCHW drops whole channels.

The mask is the hidden second output, as in MXNet; the backward pass multiplies by it again.
Random numbers come from teachmod's one generator, so ``mx.random.seed`` makes runs repeatable.
"""
from __future__ import annotations

import numpy as np

from ..random import generator
from .registry import (
    Operator,
    Param,
    optional,
    parse_bool,
    parse_float,
    parse_shape,
    parse_str,
    register,
)


@register
class Dropout(Operator):
    """Randomly zero inputs while training (inverted dropout)."""

    name = "Dropout"
    outputs = ("output", "mask")
    params = {
        "p": Param(parse_float, 0.5, doc="fraction of the input to drop, in [0, 1]"),
        "mode": Param(parse_str, "training", choices=("training", "always"),
                      doc="drop only while training, or also at inference"),
        "axes": Param(parse_shape, (), doc="axes along which the mask is shared"),
        "cudnn_off": Param(optional(parse_bool), False, doc="accepted for compatibility"),
    }

    def validate(self) -> None:
        if not 0 <= self.p <= 1:
            raise self.fail(f"p must be in [0, 1], got {self.p}")

    def num_visible_outputs(self) -> int:
        return 1

    def mask_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        axes = {a % len(shape) for a in self.axes if -len(shape) <= a < len(shape)}
        if len(axes) != len(self.axes):
            raise self.fail(f"axes {self.axes} out of range for data of shape {shape}")
        return tuple(1 if i in axes else n for i, n in enumerate(shape))

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None, None], []
        return [tuple(data)], [tuple(data), self.mask_shape(tuple(data))], []

    def forward(self, is_train, inputs, aux):
        data = inputs[0]
        shape = self.mask_shape(data.shape)
        if not (is_train or self.mode == "always") or self.p == 0:
            # identity; the mask is all ones (a broadcast view, no memory)
            return [data.copy(), np.broadcast_to(np.ones((), data.dtype), shape)]
        keep = 1 - self.p
        mask = (generator().random(shape, dtype=np.float32) < keep).astype(data.dtype)
        if keep > 0:
            mask *= 1 / keep
        return [data * mask, mask]

    def backward(self, out_grads, inputs, outputs, aux):
        return [out_grads[0] * outputs[1]]

"""_shuffle: a random permutation of the first axis (the rows keep their contents).

The gradient is not defined (a permutation chosen at random); like MXNet the backward gives
none.
"""
from __future__ import annotations

from ..random import generator
from .registry import Operator, register


@register
class Shuffle(Operator):
    """Shuffle the first axis of the data."""

    name = "_shuffle"
    aliases = ("shuffle",)
    backward_reads = ()

    def forward(self, is_train, inputs, aux):
        return [generator().permutation(inputs[0], axis=0)]

    def backward(self, out_grads, inputs, outputs, aux):
        return [None]

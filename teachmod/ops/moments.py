"""moments: the mean and the variance of the data over ``axes``, two outputs.

With ``n`` the number of elements reduced, ``mean = sum(x) / n`` and
``var = sum((x - mean)^2) / n`` (the biased variance, as numpy's ``np.var``). The gradients
of the two outputs add up:

    dx = g_mean / n + g_var * 2 (x - mean) / n

(the term ``mean`` contributes to ``var``'s gradient sums to zero over the reduced axes).
"""
from __future__ import annotations

import numpy as np

from .reduce import Mean
from .registry import Param, optional, parse_bool, parse_shape, register


@register
class Moments(Mean):
    """Mean and variance over some axes."""

    name = "moments"
    aliases = ()
    params = {
        "axes": Param(optional(parse_shape), None, doc="axes to reduce (required, as in MXNet)"),
        "keepdims": Param(parse_bool, False, doc="keep the reduced axes with length 1"),
    }
    outputs = ("output0", "output1")  # the mean and the variance

    def validate(self):
        if not self.axes:
            raise self.fail("axes is empty; name the axes to reduce, e.g. axes=(0, 1) for "
                            "the moments of every element of a 2-d array (as MXNet requires)")

    @property
    def axis(self) -> tuple[int, ...] | None:
        """The reduced axes under the name the shared reduction code reads."""
        return self.axes

    def infer_shape(self, in_shapes):
        in_shapes, (out,), aux = super().infer_shape(in_shapes)
        return in_shapes, [out, out], aux

    def forward(self, is_train, inputs, aux):
        (x,) = inputs
        axes = self.reduced_axes(x.ndim)
        shape = self.output_shape(x.shape)
        mean = x.mean(axis=axes, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
        return [mean.reshape(shape), var.reshape(shape)]

    def backward(self, out_grads, inputs, outputs, aux):
        (x,) = inputs
        axes = self.reduced_axes(x.ndim)
        kept = tuple(1 if a in axes else n for a, n in enumerate(x.shape))
        count = int(np.prod([x.shape[a] for a in axes]))
        g_mean, g_var = (g.reshape(kept) for g in out_grads)
        mean = outputs[0].reshape(kept)
        dx = (g_mean + g_var * 2 * (x - mean)) / count
        return [dx.astype(x.dtype, copy=False)]

"""``_random_pdf_<dist>``: the probability density (or mass) of samples, differentiable.

``sample`` has the shape of the parameter arrays ``P`` followed by any sample axes: the
density of every sample under the distribution of its parameter set. With ``is_log`` the
output is the log-density. Each distribution is written as its log-density ``lpdf`` and the
partial derivatives of ``lpdf``; the gradients are then ``g * d lpdf`` (``g * pdf * d lpdf``
without ``is_log``), summed over the sample axes for the parameters. Discrete samples
(Poisson) get no gradient.

Dirichlet differs: ``sample`` is ``P + (n, K)`` and ``alpha`` is ``P + (K,)``; each sample is a
point of the K-simplex and the output ``P + (n,)``.

As in MXNet, ``gamma``'s ``beta`` acts as a *rate* here (``lpdf = a log b + (a-1) log x - b x
- lgamma(a)``), although the sampler ``_random_gamma`` reads it as a scale.
"""
from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np

from .registry import Operator, Param, parse_bool, register

_lgamma = np.vectorize(math.lgamma, otypes=[np.float64])


def digamma(x: np.ndarray) -> np.ndarray:
    """The derivative of ``lgamma`` (x > 0): recurrence up to x >= 6, then the asymptotic
    series ``log x - 1/(2x) - 1/(12x^2) + 1/(120x^4) - 1/(252x^6)``."""
    x = np.array(x, np.float64)
    shift = np.zeros_like(x)
    while (small := x < 6).any():
        shift -= np.where(small, 1 / np.where(small, x, 1), 0)
        x = np.where(small, x + 1, x)
    inv2 = 1 / (x * x)
    return shift + np.log(x) - 0.5 / x - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 / 252))


class Density(NamedTuple):
    """A log-density and its partial derivatives by the sample and each parameter."""

    parameters: tuple[str, ...]
    lpdf: Callable[..., np.ndarray]
    derivatives: Callable[..., tuple[np.ndarray, ...]]  # (d/dx or None, d/dparam, ...)


DENSITIES = {
    "uniform": Density(
        ("low", "high"),
        lambda x, lo, hi: np.broadcast_to(-np.log(hi - lo), x.shape),
        lambda x, lo, hi: (None, 1 / (hi - lo), -1 / (hi - lo))),
    "normal": Density(
        ("mu", "sigma"),
        lambda x, mu, s: -0.5 * ((x - mu) / s) ** 2 - np.log(np.sqrt(2 * np.pi) * s),
        lambda x, mu, s: ((mu - x) / s ** 2, (x - mu) / s ** 2,
                          ((x - mu) ** 2 - s ** 2) / s ** 3)),
    "gamma": Density(
        ("alpha", "beta"),
        lambda x, a, b: a * np.log(b) + (a - 1) * np.log(x) - b * x - _lgamma(a),
        lambda x, a, b: ((a - 1) / x - b, np.log(b) + np.log(x) - digamma(a), a / b - x)),
    "exponential": Density(
        ("lam",),
        lambda x, lam: np.log(lam) - lam * x,
        lambda x, lam: (-lam, 1 / lam - x)),
    "poisson": Density(
        ("lam",),
        lambda x, lam: x * np.log(lam) - _lgamma(x + 1) - lam,
        lambda x, lam: (None, x / lam - 1)),
}


class _Pdf(Operator):
    params = {"is_log": Param(parse_bool, False, doc="return the log-density")}
    density: Density

    def list_arguments(self):
        return ["sample", *self.density.parameters]

    def infer_shape(self, in_shapes):
        sample, known = in_shapes[0], next((s for s in in_shapes[1:] if s is not None), None)
        if sample is None or known is None:
            return in_shapes, [sample], []
        shapes = [self.expect_shape(in_shapes, i, known) for i in range(1, len(in_shapes))]
        if tuple(sample[:len(known)]) != tuple(known):
            raise self.fail(f"sample of shape {tuple(sample)} must start with the parameters' "
                            f"shape {tuple(known)}")
        return [tuple(sample), *shapes], [tuple(sample)], []

    def spread(self, sample: np.ndarray, params: list[np.ndarray]) -> list[np.ndarray]:
        """The parameters shaped to broadcast over the sample axes."""
        extra = (1,) * (sample.ndim - params[0].ndim)
        return [p.reshape(p.shape + extra) for p in params]

    def forward(self, is_train, inputs, aux):
        sample, *params = inputs
        lpdf = self.density.lpdf(sample, *self.spread(sample, params))
        return [(lpdf if self.is_log else np.exp(lpdf)).astype(sample.dtype, copy=False)]

    def backward(self, out_grads, inputs, outputs, aux):
        sample, *params = inputs
        scale = out_grads[0] if self.is_log else out_grads[0] * outputs[0]
        partials = self.density.derivatives(sample, *self.spread(sample, params))
        axes = tuple(range(params[0].ndim, sample.ndim))
        grads = [None if partials[0] is None else (scale * partials[0]).astype(sample.dtype)]
        for param, partial in zip(params, partials[1:]):
            grads.append((scale * partial).sum(axis=axes).astype(param.dtype, copy=False))
        return grads


for _name, _density in DENSITIES.items():
    register(type(f"Pdf_{_name}", (_Pdf,), {
        "name": f"_random_pdf_{_name}", "aliases": (f"random_pdf_{_name}",),
        "density": _density, "__module__": __name__,
        "__doc__": f"Density of samples under {_name} distributions."}))


@register
class PdfDirichlet(Operator):
    """Density of points of the simplex under Dirichlet distributions."""

    name = "_random_pdf_dirichlet"
    aliases = ("random_pdf_dirichlet",)
    arguments = ("sample", "alpha")
    params = _Pdf.params

    def infer_shape(self, in_shapes):
        sample, alpha = in_shapes
        if sample is None or alpha is None:
            return in_shapes, [None], []
        if tuple(sample[:len(alpha) - 1]) != tuple(alpha[:-1]) or sample[-1] != alpha[-1]:
            raise self.fail(f"sample {tuple(sample)} must be alpha's leading shape, then the "
                            f"samples, then alpha's last axis {alpha[-1]}; alpha is "
                            f"{tuple(alpha)}")
        return [tuple(sample), tuple(alpha)], [tuple(sample[:-1])], []

    def spread(self, sample: np.ndarray, alpha: np.ndarray) -> np.ndarray:
        extra = (1,) * (sample.ndim - alpha.ndim)
        return alpha.reshape(alpha.shape[:-1] + extra + alpha.shape[-1:])

    def forward(self, is_train, inputs, aux):
        sample, alpha = inputs
        a = self.spread(sample, alpha)
        lpdf = (((a - 1) * np.log(sample)).sum(axis=-1)
                + _lgamma(a.sum(axis=-1)) - _lgamma(a).sum(axis=-1))
        return [(lpdf if self.is_log else np.exp(lpdf)).astype(sample.dtype, copy=False)]

    def backward(self, out_grads, inputs, outputs, aux):
        sample, alpha = inputs
        a = self.spread(sample, alpha)
        scale = (out_grads[0] if self.is_log else out_grads[0] * outputs[0])[..., None]
        grad_sample = scale * (a - 1) / sample
        grad_a = scale * (np.log(sample) + digamma(a.sum(axis=-1, keepdims=True)) - digamma(a))
        axes = tuple(range(alpha.ndim - 1, sample.ndim - 1))
        return [grad_sample.astype(sample.dtype, copy=False),
                grad_a.sum(axis=axes).astype(alpha.dtype, copy=False)]

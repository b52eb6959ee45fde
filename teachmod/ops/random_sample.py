"""Random sampling operators: ``_random_<dist>``, ``_sample_<dist>`` and ``_random_<dist>_like``.

Each distribution comes in three operators, as in MXNet:

- ``_random_uniform(low=0, high=1, shape=(2, 3))`` takes no inputs: the distribution's
  parameters are numbers and the output has ``shape``;
- ``_sample_uniform(low, high, shape=(4,))`` takes the parameters as arrays (all of one shape
  ``P``) and draws ``shape`` samples for each element: the output has shape ``P + shape``;
- ``_random_uniform_like(data, low=0, high=1)`` draws an array of ``data``'s shape and type.

Every draw comes from teachmod's one generator (``teachmod.random``), at every forward pass:
seeding with ``mx.random.seed`` before a forward makes it repeatable. Samples are constants as
far as gradients go: the backward gives the parameter inputs zero gradients, as MXNet does.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from ..random import generator
from .registry import (
    Operator,
    Param,
    optional,
    parse_float,
    parse_int,
    parse_shape,
    register,
)

FLOAT_TYPES = ("float16", "float32", "float64")
PLAIN = ("uniform", "normal")


def parse_ctx(value: Any) -> str:
    """A context as MXNet stores it, ``'cpu(0)'``: from a Context or its string form."""
    return value if isinstance(value, str) else str(value)


def parse_dtype(value: Any) -> str:
    """A type's name from the name itself or a numpy type: ``np.float32`` -> ``'float32'``."""
    if isinstance(value, str):
        return value
    try:
        return np.dtype(value).name
    except TypeError:
        raise ValueError from None


def sample_shape(value: Any) -> tuple[int, ...]:
    """The ``shape`` parameter; ``None`` (MXNet's unset shape) means no extra axes."""
    return () if value is None else parse_shape(value)


class Distribution(NamedTuple):
    """One distribution: its parameters ``(name, default, doc)`` and how to draw from it."""

    name: str
    parameters: tuple[tuple[str, float, str], ...]
    draw: Callable[..., np.ndarray]  # draw(rng, *parameter values, size) -> samples
    summary: str
    inputs: tuple[str, ...] = ()  # _sample_<dist>'s input names, if not the parameters'


def _generalized_negative_binomial(rng: np.random.Generator, mu: Any, alpha: Any,
                                   size: Any) -> np.ndarray:
    # a Poisson whose rate is itself gamma distributed with mean mu and variance alpha*mu^2;
    # alpha = 0 is the plain Poisson(mu)
    mu, alpha = np.broadcast_arrays(np.asarray(mu, float), np.asarray(alpha, float))
    mu, alpha = np.broadcast_to(mu, size), np.broadcast_to(alpha, size)
    safe = np.where(alpha > 0, alpha, 1.0)
    rate = np.where(alpha > 0, rng.gamma(1.0 / safe, safe * mu), mu)
    return rng.poisson(rate)


DISTRIBUTIONS = (
    Distribution("uniform", (("low", 0.0, "lower bound"), ("high", 1.0, "upper bound")),
                 lambda rng, low, high, size: rng.uniform(low, high, size),
                 "uniform on [low, high)"),
    Distribution("normal", (("loc", 0.0, "mean"), ("scale", 1.0, "standard deviation")),
                 lambda rng, loc, scale, size: rng.normal(loc, scale, size),
                 "normal (Gaussian) with mean loc and deviation scale", ("mu", "sigma")),
    Distribution("gamma", (("alpha", 1.0, "shape"), ("beta", 1.0, "scale")),
                 lambda rng, alpha, beta, size: rng.gamma(alpha, beta, size),
                 "gamma with shape alpha and scale beta"),
    Distribution("exponential", (("lam", 1.0, "rate (1 / mean)"),),
                 lambda rng, lam, size: rng.exponential(1.0 / np.asarray(lam, float), size),
                 "exponential with rate lam"),
    Distribution("poisson", (("lam", 1.0, "rate (the mean)"),),
                 lambda rng, lam, size: rng.poisson(lam, size),
                 "Poisson with mean lam (returned as floats)"),
    Distribution("negative_binomial",
                 (("k", 1, "number of successes to wait for"),
                  ("p", 1.0, "success probability of each trial")),
                 lambda rng, k, p, size: rng.negative_binomial(k, p, size),
                 "negative binomial: failures before the k-th success"),
    Distribution("generalized_negative_binomial",
                 (("mu", 1.0, "mean"), ("alpha", 1.0, "dispersion (0: Poisson)")),
                 _generalized_negative_binomial,
                 "negative binomial with mean mu and dispersion alpha"),
)


def _dtype_param(choices: tuple[str, ...], default_doc: str) -> Param:
    return Param(optional(parse_dtype), None, choices=(None, *choices),
                 doc=f"type of the samples (default {default_doc})")


class _RandomBase(Operator):
    """Draws numbers; the backward gives every input a zero gradient."""

    distribution: Distribution
    default_dtype = "float32"

    def out_dtype(self, in_dtype: np.dtype | None = None) -> np.dtype:
        return np.dtype(self.dtype or in_dtype or self.default_dtype)

    def values(self) -> list[float]:
        """The distribution's parameters as given to this operator."""
        return [getattr(self, name) for name, _, _ in self.distribution.parameters]

    def backward(self, out_grads, inputs, outputs, aux):
        return [np.zeros_like(x) for x in inputs]


class _Random(_RandomBase):
    """``_random_<dist>``: numbers as parameters, no inputs, output of shape ``shape``."""

    arguments = ()
    backward_reads = ()

    def infer_shape(self, in_shapes):
        return [], [self.shape or (1,)], []

    def infer_type(self, in_types):
        return [], [self.out_dtype()], []

    def forward(self, is_train, inputs, aux):
        samples = self.distribution.draw(generator(), *self.values(), self.shape or (1,))
        return [np.asarray(samples).astype(self.out_dtype(), copy=False)]


class _RandomLike(_RandomBase):
    """``_random_<dist>_like``: the output has the shape and type of ``data``."""

    backward_reads = ("data",)

    def infer_shape(self, in_shapes):
        return in_shapes, [in_shapes[0]], []

    def forward(self, is_train, inputs, aux):
        (data,) = inputs
        samples = self.distribution.draw(generator(), *self.values(), data.shape)
        return [np.asarray(samples).astype(data.dtype, copy=False)]


class _Sample(_RandomBase):
    """``_sample_<dist>``: one array per parameter, ``shape`` samples for each element."""

    backward_reads = ()

    def list_arguments(self):
        dist = self.distribution
        return list(dist.inputs or (name for name, _, _ in dist.parameters))

    def infer_shape(self, in_shapes):
        known = next((s for s in in_shapes if s is not None), None)
        if known is None:
            return in_shapes, [None], []
        shapes = [self.expect_shape(in_shapes, i, known) for i in range(len(in_shapes))]
        return shapes, [(*known, *self.shape)], []

    def infer_type(self, in_types):
        known = next((t for t in in_types if t is not None), None)
        return [known] * len(in_types), [self.out_dtype()], []

    def forward(self, is_train, inputs, aux):
        param_shape = inputs[0].shape
        extra = (1,) * len(self.shape)  # each parameter broadcasts over its own samples
        values = [x.reshape(param_shape + extra) for x in inputs]
        samples = self.distribution.draw(generator(), *values, param_shape + self.shape)
        return [np.asarray(samples).astype(self.out_dtype(), copy=False)]


def _value_param(name: str, default: float, doc: str) -> Param:
    parse = parse_int if isinstance(default, int) else parse_float
    return Param(parse, default, doc=doc)


def _register_family(dist: Distribution) -> None:
    """Register the three operators of one distribution."""
    values = {name: _value_param(name, default, doc) for name, default, doc in dist.parameters}
    common = {"distribution": dist, "__module__": __name__}
    register(type(f"Random_{dist.name}", (_Random,), {
        **common, "name": f"_random_{dist.name}",
        # MXNet also calls the first two plain mx.sym.uniform / mx.sym.normal
        "aliases": (f"random_{dist.name}",) + ((dist.name,) if dist.name in PLAIN else ()),
        "__doc__": f"Samples from the {dist.summary} distribution, parameters given as numbers.",
        "params": {**values,
                   "shape": Param(sample_shape, (), doc="shape of the output"),
                   "ctx": Param(parse_ctx, "", doc="context of the output (imperative calls)"),
                   "dtype": _dtype_param(FLOAT_TYPES, "float32")},
    }))
    register(type(f"Sample_{dist.name}", (_Sample,), {
        **common, "name": f"_sample_{dist.name}", "aliases": (f"sample_{dist.name}",),
        "__doc__": f"Samples from the {dist.summary} distribution, one parameter set per "
                   f"element of the input arrays.",
        "params": {"shape": Param(sample_shape, (), doc="samples drawn per parameter set"),
                   "dtype": _dtype_param(FLOAT_TYPES, "float32")},
    }))
    register(type(f"Random_{dist.name}_like", (_RandomLike,), {
        **common, "name": f"_random_{dist.name}_like",
        "__doc__": f"Samples from the {dist.summary} distribution, shaped like the input.",
        "params": values,
    }))


for _dist in DISTRIBUTIONS:
    _register_family(_dist)


@register
class RandomRandint(_Random):
    """Integers drawn uniformly from ``[low, high)``."""

    name = "_random_randint"
    aliases = ("random_randint",)
    default_dtype = "int32"
    distribution = Distribution("randint", (("low", 0, ""), ("high", 0, "")),
                                lambda rng, low, high, size: rng.integers(low, high, size),
                                "uniform integer")
    params = {
        "low": Param(parse_int, doc="lower bound (included)"),
        "high": Param(parse_int, doc="upper bound (excluded)"),
        "shape": Param(sample_shape, (), doc="shape of the output"),
        "ctx": Param(parse_ctx, "", doc="context of the output (imperative calls)"),
        "dtype": _dtype_param(("int32", "int64"), "int32"),
    }

    def validate(self):
        if self.low >= self.high:
            raise self.fail(f"low ({self.low}) must be smaller than high ({self.high})")

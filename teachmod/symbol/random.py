"""``mx.sym.random``: symbols that draw random numbers at every forward pass.

The same functions as ``mx.nd.random`` (see there); they build ``_random_<dist>`` nodes when
the distribution's parameters are numbers and ``_sample_<dist>`` nodes when they are symbols.
"""
from __future__ import annotations

from typing import Any, Callable

from ..ndarray.random import dispatch
from .symbol import Symbol

__all__ = ["uniform", "normal", "randn", "poisson", "exponential", "gamma", "multinomial",
           "negative_binomial", "generalized_negative_binomial", "shuffle", "randint"]


def _op(name: str) -> Callable[..., Symbol]:
    from .. import symbol

    return getattr(symbol, name)


def _draw(dist: str, params: list[Any], shape: Any, dtype: Any, kwargs: dict[str, Any]) -> Symbol:
    return dispatch(_op, Symbol, dist, params, shape, dtype, kwargs)


def uniform(low: Any = 0, high: Any = 1, shape: Any = None, dtype: Any = None,
            **kwargs: Any) -> Symbol:
    """Samples from the uniform distribution on ``[low, high)``."""
    return _draw("uniform", [("low", low), ("high", high)], shape, dtype, kwargs)


def normal(loc: Any = 0, scale: Any = 1, shape: Any = None, dtype: Any = None,
           **kwargs: Any) -> Symbol:
    """Samples from the normal distribution with mean ``loc`` and deviation ``scale``."""
    return _draw("normal", [("loc", loc), ("scale", scale)], shape, dtype, kwargs)


def randn(*shape: int, **kwargs: Any) -> Symbol:
    """Standard normal samples of the given shape."""
    return normal(kwargs.pop("loc", 0), kwargs.pop("scale", 1), shape=shape, **kwargs)


def poisson(lam: Any = 1, shape: Any = None, dtype: Any = None, **kwargs: Any) -> Symbol:
    """Samples from the Poisson distribution with mean ``lam``."""
    return _draw("poisson", [("lam", lam)], shape, dtype, kwargs)


def exponential(scale: Any = 1, shape: Any = None, dtype: Any = None, **kwargs: Any) -> Symbol:
    """Samples from the exponential distribution with mean ``scale``."""
    return _draw("exponential", [("lam", 1.0 / scale)], shape, dtype, kwargs)


def gamma(alpha: Any = 1, beta: Any = 1, shape: Any = None, dtype: Any = None,
          **kwargs: Any) -> Symbol:
    """Samples from the gamma distribution with shape ``alpha`` and scale ``beta``."""
    return _draw("gamma", [("alpha", alpha), ("beta", beta)], shape, dtype, kwargs)


def negative_binomial(k: Any = 1, p: Any = 1, shape: Any = None, dtype: Any = None,
                      **kwargs: Any) -> Symbol:
    """Failures before the ``k``-th success of trials that succeed with probability ``p``."""
    return _draw("negative_binomial", [("k", k), ("p", p)], shape, dtype, kwargs)


def generalized_negative_binomial(mu: Any = 1, alpha: Any = 1, shape: Any = None,
                                  dtype: Any = None, **kwargs: Any) -> Symbol:
    """Samples from the negative binomial distribution with mean ``mu`` and dispersion
    ``alpha``."""
    return _draw("generalized_negative_binomial", [("mu", mu), ("alpha", alpha)], shape, dtype,
                 kwargs)


def randint(low: int, high: int, shape: Any = None, dtype: Any = None, **kwargs: Any) -> Symbol:
    """Integers drawn uniformly from ``[low, high)``."""
    return _draw("randint", [("low", low), ("high", high)], shape, dtype, kwargs)


def multinomial(data: Symbol, shape: Any = None, get_prob: bool = True, dtype: Any = "int32",
                **kwargs: Any) -> Symbol:
    """Category indices drawn from the distributions in the last axis of ``data`` (with
    ``get_prob``, by default here as in MXNet, also their log-probabilities)."""
    return _op("_sample_multinomial")(data, shape=shape, get_prob=get_prob, dtype=dtype,
                                      **kwargs)


def shuffle(data: Symbol, **kwargs: Any) -> Symbol:
    """The data with its first axis shuffled."""
    return _op("_shuffle")(data, **kwargs)

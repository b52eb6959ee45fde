"""``mx.nd.random``: arrays of random numbers drawn from teachmod's one generator.

Each function is a front for the sampling operators of ``ops/random_sample.py``: with numbers
as the distribution's parameters it calls ``_random_<dist>`` (output of ``shape``), with arrays
it calls ``_sample_<dist>`` (``shape`` samples for each element of the arrays), as MXNet does.
``mx.sym.random`` has the same functions building symbols.
"""
from __future__ import annotations

from numbers import Number
from typing import Any, Callable

from ..context import Context, current_context
from .ndarray import NDArray

__all__ = ["uniform", "normal", "randn", "poisson", "exponential", "gamma", "multinomial",
           "negative_binomial", "generalized_negative_binomial", "shuffle", "randint"]


def dispatch(op: Callable[[str], Callable[..., Any]], input_type: type, dist: str,
             params: list[Any], shape: Any, dtype: Any, kwargs: dict[str, Any]) -> Any:
    """Call ``_random_<dist>`` for number parameters or ``_sample_<dist>`` for array ones.

    ``op(name)`` gives the function of an operator (``mx.nd.<name>`` or ``mx.sym.<name>``);
    ``params`` are the distribution's parameters in MXNet's order.
    """
    names = [name for name, _ in params]
    values = [value for _, value in params]
    if all(isinstance(v, input_type) for v in values):
        return op(f"_sample_{dist}")(*values, shape=shape, dtype=dtype, **kwargs)
    if all(isinstance(v, Number) for v in values):
        return op(f"_random_{dist}")(**dict(zip(names, values)), shape=shape, dtype=dtype,
                                     **kwargs)
    kinds = ", ".join(f"{n}={type(v).__name__}" for n, v in params)
    raise ValueError(f"random.{dist}: the distribution's parameters must be all numbers or all "
                     f"{input_type.__name__}s, got {kinds}")


def _op(name: str) -> Callable[..., Any]:
    from . import op_function

    return op_function(name)


def _draw(dist: str, params: list[Any], shape: Any, dtype: Any, ctx: Context | None,
          out: NDArray | None, kwargs: dict[str, Any]) -> NDArray:
    """``mx.nd.random.<dist>``: the operator's result, placed on ``ctx``."""
    if shape is None and out is None and not isinstance(params[0][1], NDArray):
        shape = (1,)  # MXNet's default for number parameters: one sample
    if out is not None:
        return dispatch(_op, NDArray, dist, params, shape, dtype, {**kwargs, "out": out})
    result = dispatch(_op, NDArray, dist, params, shape, dtype, kwargs)
    target = ctx or (params[0][1].context if isinstance(params[0][1], NDArray)
                     else current_context())
    return NDArray(result._data, target)


def uniform(low: Any = 0, high: Any = 1, shape: Any = None, dtype: Any = None,
            ctx: Context | None = None, out: NDArray | None = None, **kwargs: Any) -> NDArray:
    """Samples from the uniform distribution on ``[low, high)``."""
    return _draw("uniform", [("low", low), ("high", high)], shape, dtype, ctx, out, kwargs)


def normal(loc: Any = 0, scale: Any = 1, shape: Any = None, dtype: Any = None,
           ctx: Context | None = None, out: NDArray | None = None, **kwargs: Any) -> NDArray:
    """Samples from the normal distribution with mean ``loc`` and deviation ``scale``."""
    return _draw("normal", [("loc", loc), ("scale", scale)], shape, dtype, ctx, out, kwargs)


def randn(*shape: int, **kwargs: Any) -> NDArray:
    """Standard normal samples of the given shape: ``randn(2, 3)``; ``loc``/``scale`` may be
    given as keywords."""
    return normal(kwargs.pop("loc", 0), kwargs.pop("scale", 1), shape=shape, **kwargs)


def poisson(lam: Any = 1, shape: Any = None, dtype: Any = None, ctx: Context | None = None,
            out: NDArray | None = None, **kwargs: Any) -> NDArray:
    """Samples from the Poisson distribution with mean ``lam`` (as floats)."""
    return _draw("poisson", [("lam", lam)], shape, dtype, ctx, out, kwargs)


def exponential(scale: Any = 1, shape: Any = None, dtype: Any = None,
                ctx: Context | None = None, out: NDArray | None = None,
                **kwargs: Any) -> NDArray:
    """Samples from the exponential distribution with mean ``scale`` (rate ``1 / scale``)."""
    return _draw("exponential", [("lam", 1.0 / scale)], shape, dtype, ctx, out, kwargs)


def gamma(alpha: Any = 1, beta: Any = 1, shape: Any = None, dtype: Any = None,
          ctx: Context | None = None, out: NDArray | None = None, **kwargs: Any) -> NDArray:
    """Samples from the gamma distribution with shape ``alpha`` and scale ``beta``."""
    return _draw("gamma", [("alpha", alpha), ("beta", beta)], shape, dtype, ctx, out, kwargs)


def negative_binomial(k: Any = 1, p: Any = 1, shape: Any = None, dtype: Any = None,
                      ctx: Context | None = None, out: NDArray | None = None,
                      **kwargs: Any) -> NDArray:
    """Failures before the ``k``-th success of trials that succeed with probability ``p``."""
    return _draw("negative_binomial", [("k", k), ("p", p)], shape, dtype, ctx, out, kwargs)


def generalized_negative_binomial(mu: Any = 1, alpha: Any = 1, shape: Any = None,
                                  dtype: Any = None, ctx: Context | None = None,
                                  out: NDArray | None = None, **kwargs: Any) -> NDArray:
    """Samples from the negative binomial distribution with mean ``mu`` and dispersion
    ``alpha``."""
    return _draw("generalized_negative_binomial", [("mu", mu), ("alpha", alpha)], shape, dtype,
                 ctx, out, kwargs)


def randint(low: int, high: int, shape: Any = None, dtype: Any = None,
            ctx: Context | None = None, out: NDArray | None = None, **kwargs: Any) -> NDArray:
    """Integers drawn uniformly from ``[low, high)`` (int32 unless ``dtype='int64'``)."""
    if not (isinstance(low, Number) and isinstance(high, Number)):
        raise ValueError(f"random.randint: low and high must be numbers, got "
                         f"{type(low).__name__} and {type(high).__name__}")
    return _draw("randint", [("low", low), ("high", high)], shape, dtype, ctx, out, kwargs)


def multinomial(data: NDArray, shape: Any = None, get_prob: bool = False,
                out: NDArray | None = None, dtype: Any = "int32", **kwargs: Any) -> Any:
    """Indices drawn from the categorical distributions in the last axis of ``data``; with
    ``get_prob`` also the log-probability of each draw (``[samples, log_probs]``)."""
    return _op("_sample_multinomial")(data, shape=shape, get_prob=get_prob, out=out,
                                      dtype=dtype, **kwargs)


def shuffle(data: NDArray, **kwargs: Any) -> NDArray:
    """A copy of ``data`` with its first axis shuffled."""
    return _op("_shuffle")(data, **kwargs)

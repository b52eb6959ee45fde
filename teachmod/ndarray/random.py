"""``mx.nd.random``: arrays of random numbers drawn from teachmod's one generator."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..base import dtype_np
from ..context import Context, current_context
from ..random import generator
from .ndarray import NDArray

__all__ = ["uniform", "normal", "randint", "shuffle"]


def _finish(values: np.ndarray, dtype: Any, ctx: Context | None, out: NDArray | None) -> NDArray:
    result = NDArray(values.astype(dtype_np(dtype), copy=False), ctx or current_context())
    return result.copyto(out) if out is not None else result


def uniform(low: float = 0.0, high: float = 1.0, shape: Any = (1,), dtype: Any = "float32",
            ctx: Context | None = None, out: NDArray | None = None, **_: Any) -> NDArray:
    """Samples from the uniform distribution on ``[low, high)``."""
    return _finish(generator().uniform(low, high, size=shape), dtype, ctx, out)


def normal(loc: float = 0.0, scale: float = 1.0, shape: Any = (1,), dtype: Any = "float32",
           ctx: Context | None = None, out: NDArray | None = None, **_: Any) -> NDArray:
    """Samples from the normal distribution with mean ``loc`` and deviation ``scale``."""
    return _finish(generator().normal(loc, scale, size=shape), dtype, ctx, out)


def randint(low: int, high: int, shape: Any = (1,), dtype: Any = "int32",
            ctx: Context | None = None, out: NDArray | None = None, **_: Any) -> NDArray:
    """Integers drawn uniformly from ``[low, high)``."""
    return _finish(generator().integers(low, high, size=shape), dtype, ctx, out)


def shuffle(data: NDArray, **_: Any) -> NDArray:
    """A copy of ``data`` with its first axis shuffled."""
    return NDArray(generator().permutation(data._data), data.context)

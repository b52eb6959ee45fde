"""``mx.sym`` functions that MXNet writes in Python on top of an operator.

``zeros``, ``ones``, ``full``, ``arange``, ``linspace`` and ``eye`` build the creation
operators of teachmod/ops/creation.py (``_zeros`` ...) with float32 as the default type;
``split_v2`` turns numpy's ``indices_or_sections`` into the parameters of ``_split_v2``.
"""
from __future__ import annotations

from typing import Any

from ..ops.split_v2 import split_v2_params
from .symbol import Symbol, create


def _dtype(dtype: Any) -> Any:
    return "float32" if dtype is None else dtype


def zeros(shape: Any, dtype: Any = None, **kwargs: Any) -> Symbol:
    """A constant symbol of zeros."""
    return create("_zeros")(shape=shape, dtype=_dtype(dtype), **kwargs)


def ones(shape: Any, dtype: Any = None, **kwargs: Any) -> Symbol:
    """A constant symbol of ones."""
    return create("_ones")(shape=shape, dtype=_dtype(dtype), **kwargs)


def full(shape: Any, val: float, dtype: Any = None, **kwargs: Any) -> Symbol:
    """A constant symbol with every element equal to ``val``."""
    return create("_full")(shape=shape, dtype=_dtype(dtype), value=float(val), **kwargs)


def arange(start: float, stop: float | None = None, step: float = 1.0, repeat: int = 1,
           infer_range: bool = False, name: str | None = None, dtype: Any = None) -> Symbol:
    """Evenly spaced values in ``[start, stop)``, each repeated ``repeat`` times."""
    return create("_arange")(start=start, stop=stop, step=step, repeat=repeat,
                             infer_range=infer_range, name=name, dtype=_dtype(dtype))


def linspace(start: float, stop: float, num: int, endpoint: bool = True,
             name: str | None = None, dtype: Any = None) -> Symbol:
    """``num`` evenly spaced values from ``start`` to ``stop``."""
    return create("_linspace")(start=start, stop=stop, num=num, endpoint=endpoint, name=name,
                               dtype=_dtype(dtype))


def eye(N: int, M: int = 0, k: int = 0, dtype: Any = None, **kwargs: Any) -> Symbol:
    """An ``N x M`` matrix with ones on diagonal ``k``."""
    return create("_eye")(N=N, M=M, k=k, dtype=_dtype(dtype), **kwargs)


def split_v2(ary: Symbol, indices_or_sections: int | tuple, axis: int = 0,
             squeeze_axis: bool = False) -> Symbol:
    """Split like ``np.split``: into ``sections`` equal parts, or at the given indices."""
    return create("_split_v2")(ary, axis=axis, squeeze_axis=squeeze_axis,
                               **split_v2_params(indices_or_sections))

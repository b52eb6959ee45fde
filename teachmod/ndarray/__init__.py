"""``mx.nd``: NDArray, its creation functions, file save/load, and one function per operator.

Every registered operator is callable here imperatively, as in MXNet: ``mx.nd.exp(x)``,
``mx.nd.FullyConnected(x, w, b, num_hidden=4)``. The function runs the operator's forward.
"""
from __future__ import annotations

from typing import Any, Callable

from ..ops.functions import NDARRAY_FUNCTIONS, make_functions, make_histogram
from . import _internal, contrib, image, random
from .ndarray import (
    NDArray,
    arange,
    array,
    concatenate,
    empty,
    eye,
    from_numpy,
    full,
    linspace,
    moveaxis,
    onehot_encode,
    ones,
    ones_like,
    waitall,
    zeros,
    zeros_like,
)
from .utils import load, load_frombuffer, save

__all__ = [
    "NDArray", "array", "zeros", "ones", "empty", "full", "arange", "linspace", "eye",
    "zeros_like", "ones_like", "concatenate", "moveaxis", "onehot_encode", "waitall",
    "from_numpy", "load", "load_frombuffer", "save", "random", "op_function", "split_v2",
]

_functions: dict[str, Callable[..., Any]] = {}


def op_function(name: str) -> Callable[..., Any] | None:
    """The imperative ``mx.nd.<name>`` function of an operator, or None if there is none."""
    from ..ops import registry

    if name in _functions:
        return _functions[name]
    if name.startswith("__") or name not in registry.all_names():
        return None
    _functions[name] = _make_function(name, registry.get(name))
    return _functions[name]


def _make_function(name: str, op_class: type) -> Callable[..., Any]:
    def function(*args: Any, out: NDArray | None = None, name: str | None = None,
                 **kwargs: Any) -> Any:
        from ..ops import registry
        from ..ops.call import call_imperative

        # looked up at each call: an operator defined again (a re-run notebook cell) takes effect
        return call_imperative(registry.get(op_class.name), args, kwargs, out)

    function.__name__ = name
    function.__doc__ = op_class.__doc__
    return function


def _call(op_name: str, *args: Any, **kwargs: Any) -> Any:
    return op_function(op_name)(*args, **kwargs)


def _data_range(a: NDArray) -> tuple[float, float]:
    # numpy's default range; an empty span is widened by 0.5 on each side, as numpy does
    low, high = float(a.asnumpy().min()), float(a.asnumpy().max())
    return (low - 0.5, high + 0.5) if low == high else (low, high)


# add, subtract, maximum, equal...: broadcast_* on two arrays, *_scalar with a number
_arithmetic = make_functions(NDARRAY_FUNCTIONS, NDArray, _call)
globals().update(_arithmetic)
histogram = make_histogram(NDArray, _call, _data_range)
__all__ += [*_arithmetic, "histogram"]


def split_v2(ary: NDArray, indices_or_sections: int | tuple, axis: int = 0,
             squeeze_axis: bool = False) -> list[NDArray]:
    """Split like ``np.split``: into ``sections`` equal parts, or at the given indices."""
    from ..ops.split_v2 import split_v2_params

    return op_function("_split_v2")(ary, axis=axis, squeeze_axis=squeeze_axis,
                                    **split_v2_params(indices_or_sections))


def __getattr__(name: str) -> Callable[..., Any]:
    function = op_function(name)
    if function is None:
        raise AttributeError(f"module 'teachmod.ndarray' has no attribute {name!r}")
    return function

"""``mx.nd``: NDArray, its creation functions, file save/load, and one function per operator.

Every registered operator is callable here imperatively, as in MXNet: ``mx.nd.exp(x)``,
``mx.nd.FullyConnected(x, w, b, num_hidden=4)``. The function runs the operator's forward.
"""
from __future__ import annotations

from typing import Any, Callable

from . import random
from .ndarray import (
    NDArray,
    arange,
    array,
    concatenate,
    empty,
    from_numpy,
    full,
    ones,
    ones_like,
    waitall,
    zeros,
    zeros_like,
)
from .utils import load, save

__all__ = [
    "NDArray", "array", "zeros", "ones", "empty", "full", "arange", "zeros_like", "ones_like",
    "concatenate", "waitall", "from_numpy", "load", "save", "random", "op_function",
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


def __getattr__(name: str) -> Callable[..., Any]:
    function = op_function(name)
    if function is None:
        raise AttributeError(f"module 'teachmod.ndarray' has no attribute {name!r}")
    return function

"""``mx.nd``: NDArray, its creation functions, file save/load, and one function per operator.

Every registered operator is callable here imperatively, as in MXNet: ``mx.nd.exp(x)``,
``mx.nd.FullyConnected(x, w, b, num_hidden=4)``. The function runs the operator's forward.
"""
from __future__ import annotations

import numbers
from typing import Any, Callable

import numpy as np

from . import random
from .ndarray import (
    NDArray,
    add,
    arange,
    array,
    concatenate,
    divide,
    empty,
    equal,
    eye,
    from_numpy,
    full,
    greater,
    greater_equal,
    lesser,
    lesser_equal,
    linspace,
    logical_and,
    logical_or,
    logical_xor,
    maximum,
    minimum,
    modulo,
    moveaxis,
    multiply,
    not_equal,
    onehot_encode,
    ones,
    ones_like,
    power,
    subtract,
    true_divide,
    waitall,
    zeros,
    zeros_like,
)
from .utils import load, load_frombuffer, save

__all__ = [
    "NDArray", "array", "zeros", "ones", "empty", "full", "arange", "linspace", "eye",
    "zeros_like", "ones_like", "concatenate", "moveaxis", "onehot_encode", "waitall",
    "from_numpy", "load", "load_frombuffer", "save", "random", "op_function", "add",
    "subtract", "multiply", "divide", "true_divide", "modulo", "power", "maximum", "minimum",
    "equal", "not_equal", "greater", "greater_equal", "lesser", "lesser_equal", "logical_and",
    "logical_or", "logical_xor",
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
        current = registry.get(op_class.name)
        inputs, kwargs = _positional_params(current, args, kwargs)
        return call_imperative(current, inputs, kwargs, out)

    function.__name__ = name
    function.__doc__ = op_class.__doc__
    return function


_PARAM_TYPES = (numbers.Number, str, tuple, list, type, np.dtype)


def _positional_params(op_class: type, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """Split ``args`` into the leading NDArray inputs and the parameters given by position
    after them, in the operator's parameter order: ``mx.nd.clip(x, 0, 1)`` as in MXNet."""
    count = 0  # inputs come first; a Symbol stays an input so its error names the input
    while count < len(args) and not isinstance(args[count], _PARAM_TYPES):
        count += 1
    rest = args[count:]
    if not rest:
        return args, kwargs
    free = [p for p in op_class.params if p not in kwargs and p != op_class.variadic]
    if len(rest) > len(free):
        raise TypeError(f"{op_class.name}: {len(rest)} positional values after the inputs, "
                        f"but only {len(free)} parameters are left "
                        f"({', '.join(free) or 'none'})")
    return args[:count], {**kwargs, **dict(zip(free, rest))}


def __getattr__(name: str) -> Callable[..., Any]:
    function = op_function(name)
    if function is None:
        raise AttributeError(f"module 'teachmod.ndarray' has no attribute {name!r}")
    return function

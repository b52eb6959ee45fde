"""``mx.sym``: build graphs. Every registered operator is a function here, e.g.
``mx.sym.FullyConnected(data, num_hidden=64, name='fc1')``."""
from __future__ import annotations

from typing import Any, Callable

from ..ops import registry
from ..ops.functions import SYMBOL_FUNCTIONS, make_functions, make_histogram
from . import _internal, contrib, image, linalg, random  # noqa: F401
from .creation import arange, eye, full, linspace, ones, split_v2, zeros  # noqa: F401
from .symbol import Group, Symbol, Variable, create, load, load_json, var

__all__ = ["Symbol", "Variable", "var", "Group", "load", "load_json"]

_functions: dict[str, Callable[..., Any]] = {}


def _call(op_name: str, *args: Any, **kwargs: Any) -> Symbol:
    return create(op_name)(*args, **kwargs)


# pow, maximum, hypot...: _power etc. on two symbols, *_scalar with a number
_arithmetic = make_functions(SYMBOL_FUNCTIONS, Symbol, _call)
globals().update(_arithmetic)
histogram = make_histogram(Symbol, _call)
__all__ += [*_arithmetic, "histogram"]


def __getattr__(name: str) -> Callable[..., Any]:
    if name not in _functions:
        if name.startswith("__") or name not in registry.all_names():
            raise AttributeError(f"module 'teachmod.symbol' has no attribute {name!r}")
        _functions[name] = create(name)
    return _functions[name]


def __dir__() -> list[str]:
    return sorted(set(__all__) | set(registry.all_names()))

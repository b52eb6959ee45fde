"""``mx.sym``: build graphs. Every registered operator is a function here, e.g.
``mx.sym.FullyConnected(data, num_hidden=64, name='fc1')``."""
from __future__ import annotations

from typing import Any, Callable

from ..ops import registry
from . import _internal  # noqa: F401  (mx.sym._internal, as in MXNet)
from .symbol import Group, Symbol, Variable, create, load, load_json, var

__all__ = ["Symbol", "Variable", "var", "Group", "load", "load_json"]

_functions: dict[str, Callable[..., Any]] = {}


def __getattr__(name: str) -> Callable[..., Any]:
    if name not in _functions:
        if name.startswith("__") or name not in registry.all_names():
            raise AttributeError(f"module 'teachmod.symbol' has no attribute {name!r}")
        _functions[name] = create(name)
    return _functions[name]


def __dir__() -> list[str]:
    return sorted(set(__all__) | set(registry.all_names()))

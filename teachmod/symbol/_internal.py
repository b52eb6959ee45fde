"""``mx.sym._internal``: the operators whose names start with an underscore, as MXNet keeps
them apart from ``mx.sym`` (``mx.sym._internal._plus_scalar(x, scalar=2)``)."""
from __future__ import annotations

from typing import Any, Callable

from ..ops import registry
from .symbol import create

_functions: dict[str, Callable[..., Any]] = {}


def __getattr__(name: str) -> Callable[..., Any]:
    if name not in _functions:
        if not name.startswith("_") or name.startswith("__") or name not in registry.all_names():
            raise AttributeError(f"module 'teachmod.symbol._internal' has no attribute {name!r}")
        _functions[name] = create(name)
    return _functions[name]


def __dir__() -> list[str]:
    return sorted(n for n in registry.all_names() if n.startswith("_") and not n.startswith("__"))

"""``mx.sym._internal``: every operator under its registered name, as MXNet's internal namespace
(``mx.sym._internal._Plus(a, b)``)."""
from __future__ import annotations

from typing import Any, Callable

from ..ops import registry
from .symbol import create


def __getattr__(name: str) -> Callable[..., Any]:
    if name.startswith("__") or name not in registry.all_names():
        raise AttributeError(f"module 'teachmod.symbol._internal' has no attribute {name!r}")
    return create(name)

"""``mx.sym.contrib``: the operators registered as ``_contrib_<name>``, under ``<name>``."""
from __future__ import annotations

from typing import Any, Callable

from ..ndarray.contrib import PREFIX
from ..ops import registry
from .symbol import create


def __getattr__(name: str) -> Callable[..., Any]:
    if name.startswith("__") or PREFIX + name not in registry.all_names():
        raise AttributeError(f"module 'teachmod.symbol.contrib' has no attribute {name!r}")
    return create(PREFIX + name, hint=name.lower())


def __dir__() -> list[str]:
    return [n[len(PREFIX):] for n in registry.all_names() if n.startswith(PREFIX)]

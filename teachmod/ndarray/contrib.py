"""``mx.nd.contrib``: the operators registered as ``_contrib_<name>``, under ``<name>``."""
from __future__ import annotations

from typing import Any, Callable

PREFIX = "_contrib_"


def __getattr__(name: str) -> Callable[..., Any]:
    from . import op_function

    function = None if name.startswith("__") else op_function(PREFIX + name)
    if function is None:
        raise AttributeError(f"module 'teachmod.ndarray.contrib' has no attribute {name!r}")
    return function


def __dir__() -> list[str]:
    from ..ops import registry

    return [n[len(PREFIX):] for n in registry.all_names() if n.startswith(PREFIX)]

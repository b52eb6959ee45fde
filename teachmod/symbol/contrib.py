"""``mx.sym.contrib``: MXNet's ``_contrib_<name>`` operators, as ``contrib.<name>``."""
from __future__ import annotations

from typing import Any, Callable


def __getattr__(name: str) -> Callable[..., Any]:
    from .. import symbol

    try:
        return getattr(symbol, f"_contrib_{name}")
    except AttributeError:
        raise AttributeError(
            f"module 'teachmod.symbol.contrib' has no attribute {name!r}") from None

"""``mx.sym.image``: MXNet's ``_image_<name>`` operators, as ``image.<name>``."""
from __future__ import annotations

from typing import Any, Callable


def __getattr__(name: str) -> Callable[..., Any]:
    from .. import symbol

    try:
        return getattr(symbol, f"_image_{name}")
    except AttributeError:
        raise AttributeError(
            f"module 'teachmod.symbol.image' has no attribute {name!r}") from None

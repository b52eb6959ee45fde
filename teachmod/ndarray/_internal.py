"""``mx.nd._internal``: every operator under its registered name, as MXNet's internal namespace
(``mx.nd._internal._plus_scalar(x, scalar=2)``)."""
from __future__ import annotations

from typing import Any, Callable


def __getattr__(name: str) -> Callable[..., Any]:
    from . import op_function

    function = None if name.startswith("__") else op_function(name)
    if function is None:
        raise AttributeError(f"module 'teachmod.ndarray._internal' has no attribute {name!r}")
    return function

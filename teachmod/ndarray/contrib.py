"""``mx.nd.contrib``: the operators registered as ``_contrib_<name>``, under ``<name>``, and
MXNet's small helpers isinf, isnan, isfinite."""
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

    ops = [n[len(PREFIX):] for n in registry.all_names() if n.startswith(PREFIX)]
    return sorted(ops + ["isinf", "isnan", "isfinite"])


def isinf(data: Any) -> Any:
    """1 where an element is +inf or -inf, else 0."""
    return abs(data) == float("inf")


def isnan(data: Any) -> Any:
    """1 where an element is NaN (the one value not equal to itself), else 0."""
    return data != data


def isfinite(data: Any) -> Any:
    """1 where an element is neither infinite nor NaN, else 0."""
    from . import logical_and

    return logical_and(data == data, abs(data) != float("inf"))

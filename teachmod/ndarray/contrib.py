"""``mx.nd.contrib``: MXNet's ``_contrib_<name>`` operators, as ``contrib.<name>``."""
from __future__ import annotations

from typing import Any, Callable


def __getattr__(name: str) -> Callable[..., Any]:
    from . import op_function

    function = op_function(f"_contrib_{name}")
    if function is None:
        raise AttributeError(f"module 'teachmod.ndarray.contrib' has no attribute {name!r}")
    return function

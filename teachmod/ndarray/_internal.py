"""``mx.nd._internal``: every operator, by its registered name (``_sample_unique_zipfian``,
``_random_uniform``, ...), as MXNet exposes its internal operators."""
from __future__ import annotations

from typing import Any, Callable


def __getattr__(name: str) -> Callable[..., Any]:
    from . import op_function

    function = op_function(name)
    if function is None:
        raise AttributeError(f"module 'teachmod.ndarray._internal' has no attribute {name!r}")
    return function

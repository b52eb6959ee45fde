"""``mx.nd.image``: MXNet's ``_image_<name>`` operators, as ``image.<name>``."""
from __future__ import annotations

from typing import Any, Callable


def __getattr__(name: str) -> Callable[..., Any]:
    from . import op_function

    function = op_function(f"_image_{name}")
    if function is None:
        raise AttributeError(f"module 'teachmod.ndarray.image' has no attribute {name!r}")
    return function

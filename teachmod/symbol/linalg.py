"""``mx.sym.linalg``: the linear-algebra operators without their ``_linalg_`` prefix, e.g.
``mx.sym.linalg.gemm2(a, b)`` builds ``_linalg_gemm2``."""
from __future__ import annotations

from typing import Any, Callable

from ..ops import registry
from .symbol import create


def __getattr__(name: str) -> Callable[..., Any]:
    full = f"_linalg_{name}"
    if name.startswith("__") or full not in registry.all_names():
        raise AttributeError(f"module 'teachmod.symbol.linalg' has no attribute {name!r}")
    return create(full, hint=name)  # MXNet names the nodes gemm0, gemm21, ...

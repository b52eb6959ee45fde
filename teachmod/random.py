"""One random number generator for the whole package, seeded by ``mx.random.seed``.

Initializers, Dropout and the sampling operators (``mx.nd.random``, ``mx.sym.random``) all draw
from it, so one seed makes a run repeatable. ``mx.random.uniform`` and the other
``mx.nd.random`` functions are available here too, as in MXNet.
"""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["seed", "generator"]

_state = {"rng": np.random.default_rng()}


def seed(seed_state: int, ctx: object = "all") -> None:
    """Seed teachmod's random number generator.

    Parameters
    ----------
    seed_state : int
        The seed. Like MXNet (which passes it on as a C int) only its value modulo 2**32
        counts, so negative seeds work too.
    ctx : Context or 'all', default 'all'
        Accepted for compatibility; there is one generator for every context.
    """
    if isinstance(seed_state, bool) or not isinstance(seed_state, (int, np.integer)):
        raise ValueError(f"random.seed: seed_state must be an int, got {seed_state!r}")
    _state["rng"] = np.random.default_rng(int(seed_state) % 2**32)


def generator() -> np.random.Generator:
    """The generator every random draw in teachmod uses."""
    return _state["rng"]


def __getattr__(name: str) -> Any:
    # mx.random.uniform etc. are mx.nd.random's functions (imported late: ndarray needs ops)
    from .ndarray import random as nd_random

    if name in nd_random.__all__:
        return getattr(nd_random, name)
    raise AttributeError(f"module 'teachmod.random' has no attribute {name!r}")

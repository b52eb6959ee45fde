"""One random number generator for the whole package, seeded by ``mx.random.seed``.

Initializers, Dropout and ``mx.nd.random`` all draw from it, so one seed makes a run repeatable.
"""
from __future__ import annotations

import numpy as np

__all__ = ["seed", "generator", "uniform", "normal", "randint"]

_state = {"rng": np.random.default_rng()}


def seed(seed_state: int, ctx: object = "all") -> None:
    """Seed teachmod's random number generator.

    Parameters
    ----------
    seed_state : int
        The seed.
    ctx : Context or 'all', default 'all'
        Accepted for compatibility; there is one generator for every context.
    """
    if not isinstance(seed_state, (int, np.integer)):
        raise ValueError(f"random.seed: seed_state must be an int, got {seed_state!r}")
    _state["rng"] = np.random.default_rng(int(seed_state))


def generator() -> np.random.Generator:
    """The generator every random draw in teachmod uses."""
    return _state["rng"]


def uniform(*args: object, **kwargs: object) -> object:
    """Same as ``mx.nd.random.uniform``."""
    from .ndarray import random as nd_random

    return nd_random.uniform(*args, **kwargs)


def normal(*args: object, **kwargs: object) -> object:
    """Same as ``mx.nd.random.normal``."""
    from .ndarray import random as nd_random

    return nd_random.normal(*args, **kwargs)


def randint(*args: object, **kwargs: object) -> object:
    """Same as ``mx.nd.random.randint``."""
    from .ndarray import random as nd_random

    return nd_random.randint(*args, **kwargs)

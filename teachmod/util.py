"""``mx.util``: the shape-semantics switch, environment variables and small helpers.

MXNet 1.6+ has two shape conventions. The legacy one (the default, and the one teachmod's
operators follow) has no 0-D arrays and reads 0 in a shape as "unknown". NumPy shape semantics,
switched on with ``mx.np_shape()`` or ``mx.set_np_shape(True)``, allow shape ``()`` and read 0
as a zero-size dimension. teachmod keeps the switch so MXNet code runs, and follows it where a
student can see it without ``mx.np``: ``mx.nd.save``/``load`` write and demand the np-shape file
format (magic ``0xF993FACA``), and ``mx.nd.array`` keeps 0-D inputs 0-D. Operators and shape
inference keep the legacy rules either way; teachmod has no ``mx.np``/``mx.npx`` modules.
"""
from __future__ import annotations

import functools
import os
from typing import Any, Callable, TypeVar

__all__ = [
    "is_np_shape", "set_np_shape", "np_shape", "use_np_shape", "use_np", "getenv", "setenv",
    "get_gpu_count",
]

F = TypeVar("F", bound=Callable[..., Any])

_np_shape = [False]  # one flag, as in MXNet's engine (a list so functions can set it)


def is_np_shape() -> bool:
    """Whether NumPy shape semantics are switched on (False by default)."""
    return _np_shape[0]


def set_np_shape(active: bool) -> bool:
    """Switch NumPy shape semantics on or off; returns the previous state."""
    previous = _np_shape[0]
    _np_shape[0] = bool(active)
    return previous


class _NumpyShapeScope:
    """The ``with`` scope returned by ``np_shape``; restores the previous state on exit."""

    def __init__(self, active: bool | None) -> None:
        self._active = active
        self._previous: bool | None = None

    def __enter__(self) -> _NumpyShapeScope:
        if self._active is not None:
            self._previous = set_np_shape(self._active)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._previous is not None:
            set_np_shape(self._previous)


def np_shape(active: bool = True) -> _NumpyShapeScope:
    """A scope that switches NumPy shape semantics on (or off with ``active=False``).

    Examples
    --------
    >>> with mx.np_shape(True):
    ...     mx.nd.save('scalars.nd', [mx.nd.array(np.float32(2))])  # a 0-D array
    """
    return _NumpyShapeScope(active)


def use_np_shape(func: F) -> F:
    """Decorator: run ``func`` with NumPy shape semantics switched on."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with np_shape(True):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def use_np(func: F) -> F:
    """Decorator MXNet uses for ``mx.np`` code; teachmod has no ``mx.np``, so it switches on
    NumPy shape semantics only (as ``use_np_shape``)."""
    return use_np_shape(func)


def getenv(name: str) -> str | None:
    """The value of the environment variable ``name``, or None when it is not set."""
    return os.environ.get(name)


def setenv(name: str, value: str | None) -> None:
    """Set the environment variable ``name`` (remove it when ``value`` is None)."""
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def get_gpu_count() -> int:
    """Number of GPUs teachmod can compute on: always 0 (it computes with numpy on the CPU)."""
    return 0

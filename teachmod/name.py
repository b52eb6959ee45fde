"""Automatic names for symbols, as MXNet makes them: ``fullyconnected0``, ``activation1``..."""
from __future__ import annotations

import threading

__all__ = ["NameManager", "Prefix"]


class NameManager:
    """Gives each unnamed operator the name ``<hint><count>``, counting per hint.

    Used as a ``with`` block, a new manager starts its counters from zero.
    """

    _current = threading.local()

    def __init__(self) -> None:
        self._counter: dict[str, int] = {}
        self._old_manager: NameManager | None = None

    def get(self, name: str | None, hint: str) -> str:
        """Return ``name`` if given, else the next automatic name for ``hint``."""
        if name:
            return name
        count = self._counter.get(hint, 0)
        self._counter[hint] = count + 1
        return f"{hint}{count}"

    def __enter__(self) -> NameManager:
        self._old_manager = NameManager.current()
        NameManager._current.value = self
        return self

    def __exit__(self, *exc: object) -> None:
        NameManager._current.value = self._old_manager

    @staticmethod
    def current() -> NameManager:
        """The active manager (a global one outside any ``with`` block)."""
        manager = getattr(NameManager._current, "value", None)
        if manager is None:
            manager = NameManager._current.value = NameManager()
        return manager


class Prefix(NameManager):
    """A name manager that puts ``prefix`` before every name, given or automatic.

    Parameters
    ----------
    prefix : str
        Text put in front of each name, e.g. ``'stage1_'``.
    """

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self._prefix = prefix

    def get(self, name: str | None, hint: str) -> str:
        return self._prefix + super().get(name, hint)

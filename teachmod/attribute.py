"""Attribute scopes: ``with mx.AttrScope(ctx_group='dev1'):`` tags every symbol made inside."""
from __future__ import annotations

import threading

__all__ = ["AttrScope"]


class AttrScope:
    """Attributes given to every symbol created inside the ``with`` block.

    Parameters
    ----------
    **kwargs : str
        Attribute names and string values, e.g. ``ctx_group='dev1'``.
    """

    _current = threading.local()

    def __init__(self, **kwargs: str) -> None:
        for key, value in kwargs.items():
            if not isinstance(value, str):
                raise ValueError(f"AttrScope: attribute {key!r} must be a string, got {value!r}")
        self._attr = kwargs
        self._old_scope: AttrScope | None = None

    def get(self, attr: dict[str, str] | None) -> dict[str, str]:
        """Merge the scope's attributes with ``attr`` (explicit ones win)."""
        merged = dict(self._attr)
        if attr:
            merged.update(attr)
        return merged

    def __enter__(self) -> AttrScope:
        self._old_scope = AttrScope.current()
        outer = self._old_scope._attr
        self._attr = {**outer, **self._attr}
        AttrScope._current.value = self
        return self

    def __exit__(self, *exc: object) -> None:
        AttrScope._current.value = self._old_scope

    @staticmethod
    def current() -> AttrScope:
        """The active scope (an empty one outside any ``with`` block)."""
        scope = getattr(AttrScope._current, "value", None)
        if scope is None:
            scope = AttrScope._current.value = AttrScope()
        return scope

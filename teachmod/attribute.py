"""Attribute scopes: ``with mx.AttrScope(ctx_group='dev1'):`` tags every symbol made inside."""
from __future__ import annotations

import threading

__all__ = ["AttrScope", "dunder", "HIDDEN_KEYS"]

# Attributes MXNet treats as hidden: written as __key__ in JSON, readable under both names.
HIDDEN_KEYS = ("ctx_group", "lr_mult", "wd_mult", "force_mirroring", "mirror_stage",
               "profiler_scope")


def dunder(key: str) -> str:
    """``'ctx_group'`` -> ``'__ctx_group__'``; keys already in that form stay as they are."""
    return key if key.startswith("__") and key.endswith("__") else f"__{key}__"


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
        # MXNet stores scope attributes as hidden keys: ctx_group -> __ctx_group__
        self._attr = {dunder(k): v for k, v in kwargs.items()}
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

"""Attribute scopes: ``with mx.AttrScope(ctx_group='dev1'):`` tags every symbol made inside.

Attributes are strings kept on graph nodes beside the operator parameters. A few keys that
MXNet reads itself (``lr_mult``, ``ctx_group``...) are *hidden*: they are stored as
``__lr_mult__`` and can be read back under both names.
"""
from __future__ import annotations

import threading

from .base import MXNetError

__all__ = ["AttrScope", "dunder", "node_key", "HIDDEN_KEYS"]

# MXNet 1.9's kHiddenKeys: written as __key__ on the node, readable under both names.
HIDDEN_KEYS = ("ctx_group", "lr_mult", "wd_mult", "force_mirroring", "mirror_stage")


def dunder(key: str) -> str:
    """``'ctx_group'`` -> ``'__ctx_group__'``; keys already in that form stay as they are."""
    return key if key.startswith("__") and key.endswith("__") else f"__{key}__"


def node_key(key: str) -> str:
    """The key under which ``_set_attr`` stores ``key``: hidden keys get double underscores,
    every other key is kept as it is (``'lr_mult'`` -> ``'__lr_mult__'``, ``'mood'`` stays)."""
    return dunder(key) if key in HIDDEN_KEYS else key


def operator_key(key: str, where: str) -> str | None:
    """How a keyword of an operator call that is not a parameter is stored on the node.

    As in MXNet, a keyword that begins with a hidden key (``lr_mult=0``) becomes the hidden
    attribute ``__lr_mult__``; one that only ends with it (``weight_lr_mult``) is refused,
    since MXNet dropped that way of setting a variable's attribute. Returns None for other
    keys, which are then operator parameters.
    """
    for hidden in HIDDEN_KEYS:
        if key.startswith(hidden):
            return f"__{key}__"
        if key.endswith(hidden):
            prefix = key[:-len(hidden) - 1]
            raise MXNetError(
                f"{where}: setting a variable's attribute with {key!r} is not supported (MXNet "
                f"dropped it); write w = mx.sym.Variable('{prefix}', {hidden}=...) and pass "
                f"{prefix}=w instead")
    return None


class AttrScope:
    """Attributes given to every symbol created inside the ``with`` block.

    Parameters
    ----------
    **kwargs : str
        Attribute names and string values, e.g. ``ctx_group='dev1'``. Keys are kept as given;
        hidden keys such as ``ctx_group`` are stored as ``__ctx_group__`` on each node.
    """

    _current = threading.local()

    def __init__(self, **kwargs: str) -> None:
        for key, value in kwargs.items():
            if not isinstance(value, str):
                raise ValueError(f"AttrScope: attribute {key!r} must be a string, got {value!r}")
        self._attr = dict(kwargs)
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

"""Name registries for metrics, optimizers and initializers, as in MXNet's ``registry.py``.

``create`` accepts an instance, a registered name (case-insensitive) with keyword arguments, or
the JSON string ``'["name", {kwargs}]'`` that ``dumps()`` writes into symbol attributes.
"""
from __future__ import annotations

import json
from typing import Any, Callable, TypeVar

T = TypeVar("T")

__all__ = ["Registry"]


class Registry:
    """A table from names to classes of one kind (e.g. all optimizers).

    Parameters
    ----------
    base : type
        The common base class; ``create`` passes instances of it through.
    nickname : str
        How errors name the kind, e.g. 'optimizer'.
    """

    def __init__(self, base: type, nickname: str) -> None:
        self.base = base
        self.nickname = nickname
        self.classes: dict[str, type] = {}

    def register(self, cls: type[T], name: str | None = None) -> type[T]:
        """Register ``cls`` under its lower-cased class name (or ``name``)."""
        self.classes[(name or cls.__name__).lower()] = cls
        return cls

    def alias(self, *aliases: str) -> Callable[[type[T]], type[T]]:
        """Decorator registering a class under extra names."""

        def decorate(cls: type[T]) -> type[T]:
            for name in aliases:
                self.register(cls, name)
            return cls

        return decorate

    def create(self, spec: Any, *args: Any, **kwargs: Any) -> Any:
        """An instance from an instance, a name, or a JSON ``'["name", {...}]'`` string."""
        if isinstance(spec, self.base):
            if args or kwargs:
                raise ValueError(f"{self.nickname}: cannot pass arguments with an instance")
            return spec
        if not isinstance(spec, str):
            raise TypeError(
                f"{self.nickname}: expected a name or an instance, got {type(spec).__name__}"
            )
        if spec.startswith("["):
            name, json_kwargs = json.loads(spec)
            return self.create(name, **json_kwargs)
        cls = self.classes.get(spec.lower())
        if cls is None:
            known = ", ".join(sorted(self.classes))
            raise ValueError(f"unknown {self.nickname} {spec!r}; known: {known}")
        return cls(*args, **kwargs)

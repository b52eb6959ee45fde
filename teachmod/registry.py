"""Name registries for metrics, optimizers and initializers, as in MXNet's ``registry.py``.

``create`` accepts an instance, a registered name (case-insensitive) with keyword arguments, or
the JSON string ``'["name", {kwargs}]'`` that ``dumps()`` writes into symbol attributes.
"""
from __future__ import annotations

import difflib
import inspect
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
            try:
                name, json_kwargs = json.loads(spec)
                json_kwargs = dict(json_kwargs)
            except (ValueError, TypeError):
                raise ValueError(f"{self.nickname}: {spec!r} is not a '[\"name\", {{...}}]' "
                                 f"JSON description") from None
            return self.create(name, **json_kwargs)
        cls = self.classes.get(spec.lower())
        if cls is None:
            known = ", ".join(sorted(self.classes))
            close = difflib.get_close_matches(spec.lower(), self.classes, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"unknown {self.nickname} {spec!r}; known: {known}{hint}")
        self._check_arguments(cls, spec, args, kwargs)
        return cls(*args, **kwargs)

    def _check_arguments(self, cls: type, spec: str, args: tuple, kwargs: dict) -> None:
        """Name a misspelt keyword argument and list the accepted ones."""
        accepted: set[str] = set()
        for klass in cls.__mro__:
            if klass is object or "__init__" not in vars(klass):
                continue
            parameters = inspect.signature(klass.__init__).parameters.values()
            accepted.update(p.name for p in parameters
                            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
            if not any(p.kind == p.VAR_KEYWORD for p in parameters):
                break  # this __init__ takes no **kwargs: nothing further up is reachable
        else:
            return
        accepted.discard("self")
        unknown = sorted(set(kwargs) - accepted)
        if unknown:
            close = difflib.get_close_matches(unknown[0], accepted, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(f"{self.nickname} {spec!r}: unknown argument {unknown[0]!r}{hint}; "
                            f"it accepts {', '.join(sorted(accepted))}")

"""A ``graphviz.Digraph`` that explains how to install Graphviz when ``dot`` is missing.

Imported only by ``plot_network``, so ``import teachmod`` never imports graphviz.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator, Optional

import graphviz

#: ``fn(source, format, engine) -> bytes | None``: a DOT renderer; None means "not available"
Backend = Callable[[str, str, str], Optional[bytes]]
_BACKENDS: list[Backend] = []


def register_backend(fn: Backend, first: bool = True) -> None:
    """Draw with ``fn`` before (``first``) or after the renderers already registered; the
    ``dot`` program is tried when every one of them returns None."""
    if fn in _BACKENDS:
        _BACKENDS.remove(fn)
    _BACKENDS.insert(0 if first else len(_BACKENDS), fn)

INSTALL_HINT = (
    "plot_network built the graph, but drawing it needs the Graphviz programs (the `dot` "
    "command), which are not installed. Install them with `apt-get install graphviz` "
    "(Debian/Ubuntu), `brew install graphviz` (macOS) or `conda install -c conda-forge "
    "graphviz`, then try again. Meanwhile the DOT source is in `.source`."
)


@contextlib.contextmanager
def _explained() -> Iterator[None]:
    try:
        yield
    except graphviz.ExecutableNotFound as err:
        err.args = (f"{err.args[0]}\n{INSTALL_HINT}",)
        raise
    except OSError as err:  # where no program can be started at all (Pyodide in a browser)
        missing = graphviz.ExecutableNotFound(["dot"])
        missing.args = (f"{missing.args[0]}\n{INSTALL_HINT}",)
        raise missing from err


class Digraph(graphviz.Digraph):
    """``graphviz.Digraph`` whose rendering errors say how to install ``dot``; in Jupyter,
    without ``dot``, it shows that advice and the DOT source instead of a traceback."""

    def pipe(self, format: Optional[str] = None, *args: Any, **kwargs: Any) -> Any:
        for backend in _BACKENDS:
            drawn = backend(self.source, format or self.format, kwargs.get("engine") or self.engine)
            if drawn is not None:
                encoding = kwargs.get("encoding")
                return drawn.decode(encoding) if encoding else drawn
        with _explained():
            return super().pipe(format, *args, **kwargs)

    def render(self, *args: Any, **kwargs: Any) -> Any:
        with _explained():
            return super().render(*args, **kwargs)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **kwargs: Any) -> dict[str, Any]:
        try:
            with _explained():
                return super()._repr_mimebundle_(include, exclude, **kwargs)
        except graphviz.ExecutableNotFound as err:
            return {"text/plain": f"{err}\n\n{self.source}"}

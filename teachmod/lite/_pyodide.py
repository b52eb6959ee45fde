"""Graphviz in the page: DOT drawn by viz-js (Graphviz compiled to WebAssembly).

Imported by ``import teachmod`` under Pyodide only. The kernel runs in a web worker, so the
site's ``viz-global.js`` (beside Pyodide) is loaded with ``importScripts``; its WebAssembly is
instantiated asynchronously, starting here, and is ready by the next cell. A drawing asked for
in the same cell as the import, before it is ready, waits for it where Pyodide can block on a
promise (JSPI) and otherwise raises an error that says to run the cell again.
"""
from __future__ import annotations

from typing import Any, Optional

import js  # type: ignore[import-not-found]  # Pyodide's bridge to the worker's globals
import pyodide_js  # type: ignore[import-not-found]
from pyodide.ffi import to_js  # type: ignore[import-not-found]

from ..visualization._digraph import register_backend

#: the formats viz-js writes as text; others (png, pdf) are left to the next renderer
FORMATS = ("svg", "dot", "xdot", "plain", "json")


class NotReadyError(RuntimeError):
    """viz-js is still starting in this page."""


class VizJs:
    """The page's viz-js: loaded at construction, drawing once its WebAssembly is ready."""

    def __init__(self, url: str) -> None:
        js.importScripts(url)
        self._viz: Any = None
        self._error: Optional[str] = None
        self._starting = js.Viz.instance()
        self._starting.then(self._ready, self._failed)

    def _ready(self, viz: Any) -> None:
        self._viz = viz

    def _failed(self, error: Any) -> None:
        self._error = str(error)

    def _instance(self) -> Any:
        if self._viz is None and self._error is None:
            try:  # Pyodide >= 0.27 with JSPI can wait for a promise
                from pyodide.ffi import can_run_sync, run_sync  # type: ignore[import-not-found]
            except ImportError:
                can_run_sync = None
            if can_run_sync is None or not can_run_sync():
                raise NotReadyError("Graphviz (viz-js) is still starting in this page; "
                                    "run the cell again in a moment")
            self._ready(run_sync(self._starting))
        if self._error is not None:
            raise RuntimeError(f"Graphviz (viz-js) could not start in this page: {self._error}")
        return self._viz

    def __call__(self, source: str, format: str, engine: str) -> Optional[bytes]:
        if format not in FORMATS:
            return None
        options = to_js({"format": format, "engine": engine}, dict_converter=js.Object.fromEntries)
        return str(self._instance().renderString(source, options)).encode("utf-8")


def _viz_url() -> str:
    # the build puts viz-global.js in Pyodide's own folder (its indexURL)
    return f"{pyodide_js._api.config.indexURL}viz-global.js"


register_backend(VizJs(_viz_url()), first=True)

"""Graphviz in the page: DOT drawn by viz-js (Graphviz compiled to WebAssembly).

Imported by ``import teachmod`` under Pyodide only. The kernel runs in a web worker, so the
site's ``viz-global.js`` (beside Pyodide) is loaded with ``importScripts``; its WebAssembly is
instantiated asynchronously, starting here, and is ready by the next cell. A drawing asked for
in the same cell as the import, before it is ready, waits for it where Pyodide can block on a
promise (JSPI) and otherwise raises an error that says to run the cell again.

Pyodide has no processes either: ``subprocess.run([sys.executable, "-m", module, ...])``, as
the lessons run ``teachmod.tools.im2rec`` the way the books print it, runs the module here.
"""
from __future__ import annotations

import contextlib
import io
import runpy
import subprocess
import sys
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


# -- `python -m module` without processes --------------------------------------------------

def _python_m(args: list[str], capture_output: bool = False, text: bool = False,
              check: bool = False, **kwargs: Any) -> subprocess.CompletedProcess:
    """``[sys.executable, "-m", module, *argv]`` run in this interpreter, as a process would."""
    text = text or bool(kwargs.get("universal_newlines"))
    captured = capture_output or kwargs.get("stdout") == subprocess.PIPE
    out, err = io.StringIO(), io.StringIO()
    saved_argv = sys.argv
    code: Any = 0
    try:
        sys.argv = [args[2], *args[3:]]
        with contextlib.ExitStack() as stack:
            if captured:
                stack.enter_context(contextlib.redirect_stdout(out))
                stack.enter_context(contextlib.redirect_stderr(err))
            try:
                runpy.run_module(args[2], run_name="__main__", alter_sys=True)
            except SystemExit as exit_:
                code = exit_.code
    finally:
        sys.argv = saved_argv
    returncode = code if isinstance(code, int) else (0 if code is None else 1)
    stdout, stderr = (out.getvalue(), err.getvalue()) if captured else (None, None)
    if captured and not text:
        stdout, stderr = stdout.encode(), stderr.encode()
    if check and returncode:
        raise subprocess.CalledProcessError(returncode, args, stdout, stderr)
    return subprocess.CompletedProcess(args, returncode, stdout, stderr)


_run_process = subprocess.run


def _run(args: Any, *rest: Any, **kwargs: Any) -> subprocess.CompletedProcess:
    """subprocess.run, where ``python -m ...`` (the lessons' im2rec) runs in-process: Pyodide
    cannot start processes, everything else fails as before."""
    if (not rest and isinstance(args, (list, tuple)) and len(args) >= 3
            and args[0] == sys.executable and args[1] == "-m"):
        return _python_m(list(args), **kwargs)
    return _run_process(args, *rest, **kwargs)


subprocess.run = _run

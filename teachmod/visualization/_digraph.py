"""The one place where teachmod turns DOT source into SVG, PNG, ...: an ordered list of backends.

``Digraph`` (what ``plot_network`` and ``step_through`` return) sends ``.pipe()``, ``.render()`` and
its Jupyter display through ``draw``, which asks each function in ``BACKENDS`` in turn:

1. ``system_dot``: the Graphviz programs on PATH, run by the graphviz package as usual;
2. ``graphviz_pure``: the ``graphviz-pure`` program, a self-contained ``dot`` that pip installs
   with teachmod where that package has wheels (svg and png, no pdf);

and, when none can draw, raises ``graphviz.ExecutableNotFound`` saying how to install Graphviz (in
Jupyter the advice and the DOT source are shown instead). ``register_backend`` adds another, such
as a viz-js backend in the browser. Imported only when drawing, so ``import teachmod`` never
imports graphviz.
"""
from __future__ import annotations

import contextlib
import functools
import io
import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig
from typing import Any, Callable, Iterator, Optional

import graphviz
from graphviz.backend import rendering

from ..ndarray.utils import write_atomic

Backend = Callable[[str, str, str], Optional[bytes]]

INSTALL_HINT = (
    "plot_network built the graph, but drawing it needs a Graphviz `dot` program and none "
    "could draw this format here. Install Graphviz with `apt-get install graphviz` "
    "(Debian/Ubuntu), `brew install graphviz` (macOS) or `conda install -c conda-forge "
    "graphviz`, or `pip install graphviz-pure` (svg and png only, where it has wheels), then "
    "try again. Meanwhile the DOT source is in `.source`."
)
PURE = "graphviz-pure"


def _split(format: str) -> tuple[str, Optional[str], Optional[str]]:
    """'png:cairo:gd' -> ('png', 'cairo', 'gd'), as `dot -T` reads it."""
    name, renderer, formatter = (format.split(":") + [None, None])[:3]
    return name, renderer, formatter


def system_dot(source: str, format: str, engine: str) -> Optional[bytes]:
    """The Graphviz programs on PATH, through the graphviz package; None when there are none."""
    name, renderer, formatter = _split(format)
    try:
        return graphviz.pipe(engine, name, source.encode("utf-8"), renderer=renderer,
                             formatter=formatter)
    except graphviz.ExecutableNotFound:
        return None
    except OSError:  # no program can be started at all (Pyodide in a browser)
        return None


def _pure_program() -> Optional[str]:
    # the scripts folder of this Python first: a Jupyter kernel of an unactivated venv lacks
    # it on PATH
    return shutil.which(PURE, path=sysconfig.get_path("scripts")) or shutil.which(PURE)


@functools.lru_cache(maxsize=None)
def _pure_formats(program: str) -> frozenset[str]:
    """The formats `graphviz-pure -T?` lists (it has no pdf yet)."""
    done = subprocess.run([program, "-T?"], capture_output=True, text=True)
    listed = done.stderr.partition("Use one of:")[2]
    return frozenset(listed.split())


def graphviz_pure(source: str, format: str, engine: str) -> Optional[bytes]:
    """The `graphviz-pure` program; None when it is not installed or cannot make ``format``."""
    program = _pure_program()
    if program is None:
        return None
    command = [program, f"-K{engine}", f"-T{format}"]
    try:
        if _split(format)[0] not in _pure_formats(program):
            return None
        done = subprocess.run(command, input=source.encode("utf-8"), capture_output=True)
    except OSError:
        return None
    if done.returncode:
        raise graphviz.CalledProcessError(done.returncode, command, output=done.stdout,
                                          stderr=done.stderr)
    if done.stderr:  # warnings, shown like the graphviz package shows dot's
        sys.stderr.write(done.stderr.decode("utf-8", "replace"))
    return done.stdout


BACKENDS: list[Backend] = [system_dot, graphviz_pure]


def register_backend(fn: Backend, first: bool = True) -> Backend:
    """Add a drawing backend, tried before the others (``first=True``) or after them.

    ``fn(source: str, format: str, engine: str) -> bytes | None`` gets the DOT source, the `dot -T`
    format ('svg', 'png', 'png:cairo', ...) and the layout engine ('dot', 'neato', ...) and returns
    the drawing, or None when it cannot draw here (then the next backend is asked); errors in the
    source should raise. Warnings go to ``sys.stderr`` (``quiet=True`` hides them). Registering
    a backend again moves it. Returns ``fn``, so it works as a decorator.
    """
    if not callable(fn):
        raise TypeError(f"register_backend: fn must be callable as fn(source, format, engine), "
                        f"got {type(fn).__name__}")
    if fn in BACKENDS:
        BACKENDS.remove(fn)
    if first:
        BACKENDS.insert(0, fn)
    else:
        BACKENDS.append(fn)
    return fn


def draw(source: str, format: str = "svg", engine: str = "dot", quiet: bool = False) -> bytes:
    """``source`` drawn by the first backend in ``BACKENDS`` that can."""
    with contextlib.redirect_stderr(io.StringIO()) if quiet else contextlib.nullcontext():
        for backend in list(BACKENDS):
            drawing = backend(source, format, engine)
            if drawing is not None:
                return drawing
    missing = graphviz.ExecutableNotFound([engine])
    missing.args = (f"{missing.args[0]}\n{INSTALL_HINT}",)
    raise missing


def _format(format: str, renderer: Optional[str], formatter: Optional[str]) -> str:
    return ":".join(part for part in (format, renderer, formatter) if part)


def _no_neato_no_op(neato_no_op: Any) -> None:
    if neato_no_op:
        raise ValueError("neato_no_op: teachmod's drawing backends do not take neato's -n flag")


def _pipe_lines(engine: str, format: str, input_lines: Iterator[str], *, input_encoding: str,
                renderer: Optional[str] = None, formatter: Optional[str] = None,
                neato_no_op: Any = None, quiet: bool = False) -> bytes:
    _no_neato_no_op(neato_no_op)
    return draw("".join(input_lines), _format(format, renderer, formatter), engine, quiet)


def _pipe_lines_string(engine: str, format: str, input_lines: Iterator[str], *, encoding: str,
                       **kwargs: Any) -> str:
    return _pipe_lines(engine, format, input_lines, input_encoding=encoding,
                       **kwargs).decode(encoding)


def _render(source: str, engine: str, format: Optional[str], filepath: Any,
            renderer: Optional[str] = None, formatter: Optional[str] = None,
            neato_no_op: Any = None, quiet: bool = False, *, outfile: Any = None,
            raise_if_result_exists: bool = False, overwrite_filepath: bool = False) -> str:
    """graphviz's ``render()`` backend, file naming included, drawing with ``draw``."""
    _no_neato_no_op(neato_no_op)
    filepath = pathlib.Path(filepath)
    if outfile is None:
        outfile = rendering.get_outfile(filepath, format=format, renderer=renderer,
                                        formatter=formatter)
    else:
        outfile = pathlib.Path(outfile)
        format = rendering.get_format(outfile, format=format)
        if not overwrite_filepath and outfile.resolve() == filepath.resolve():
            raise ValueError(f"outfile {outfile.name!r} must be different from the input file "
                             f"{filepath.name!r} (pass overwrite_source=True to override)")
    if raise_if_result_exists and outfile.exists():
        raise graphviz.FileExistsError(f"output file exists: {os.fspath(outfile)!r}")
    write_atomic(outfile, draw(source, _format(format, renderer, formatter), engine, quiet))
    return os.fspath(outfile)


class Digraph(graphviz.Digraph):
    """``graphviz.Digraph`` drawn by the first backend in ``BACKENDS`` that can; rendering errors
    say how to install ``dot``, and in Jupyter, when nothing can draw, it shows that advice and
    the DOT source instead of a traceback."""

    # graphviz's own hooks for its pipe and render backends: every argument they check and
    # every file name they choose stays graphviz's, only the drawing is ours
    @property
    def _pipe_lines(self) -> Callable[..., bytes]:
        return _pipe_lines

    @property
    def _pipe_lines_string(self) -> Callable[..., str]:
        return _pipe_lines_string

    @property
    def _render(self) -> Callable[..., str]:
        return functools.partial(_render, self.source)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **kwargs: Any) -> dict[str, Any]:
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except graphviz.ExecutableNotFound as err:
            return {"text/plain": f"{err}\n\n{self.source}"}

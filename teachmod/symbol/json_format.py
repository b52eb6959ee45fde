"""MXNet 1.x symbol JSON, byte for byte.

MXNet writes JSON with dmlc's writer, whose layout differs from Python's ``json.dumps``:
objects with more than one key and arrays with more than ten items go one item per line,
items are separated by ``", "`` (with the trailing space kept before a newline), and the list
of nodes and each node are always multi-line. Writing the same layout lets
``load_json(s).tojson() == s`` hold for files written by MXNet.
"""
from __future__ import annotations

import json
from typing import Any

MXNET_VERSION = 10901  # the version teachmod mirrors: MXNet 1.9.1


class _Writer:
    """A minimal re-implementation of dmlc::JSONWriter's layout rules."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.multi_line: list[bool] = []
        self.counter: list[int] = []

    def separator(self) -> None:
        if not self.multi_line or self.multi_line[-1]:
            self.parts.append("\n" + " " * (2 * len(self.multi_line)))

    def begin(self, bracket: str, multi_line: bool) -> None:
        self.parts.append(bracket)
        self.multi_line.append(multi_line)
        self.counter.append(0)

    def end(self, bracket: str) -> None:
        newline = self.multi_line.pop()
        self.counter.pop()
        if newline:
            self.separator()
        self.parts.append(bracket)

    def item(self) -> None:
        if self.counter[-1] > 0:
            self.parts.append(", ")
        self.separator()
        self.counter[-1] += 1

    def key(self, name: str) -> None:
        self.item()
        self.parts.append(json.dumps(name) + ": ")

    def value(self, value: Any, multi_line: bool | None = None) -> None:
        if isinstance(value, dict):
            self.begin("{", len(value) > 1 if multi_line is None else multi_line)
            for key, item in value.items():
                self.key(key)
                self.value(item)
            self.end("}")
        elif isinstance(value, (list, tuple)):
            self.begin("[", len(value) > 10 if multi_line is None else multi_line)
            for item in value:
                self.item()
                self.value(item)
            self.end("]")
        else:
            self.parts.append(json.dumps(value, ensure_ascii=False))


def dumps_graph(nodes: list[dict], arg_nodes: list[int], node_row_ptr: list[int],
                heads: list[list[int]], attrs: dict | None = None) -> str:
    """Lay out a graph the way MXNet's ``Symbol.tojson`` does."""
    writer = _Writer()
    writer.begin("{", True)
    writer.key("nodes")
    writer.begin("[", True)
    for node in nodes:
        writer.item()
        writer.begin("{", True)
        for key, item in node.items():
            writer.key(key)
            writer.value(item)
        writer.end("}")
    writer.end("]")
    for key, item in (("arg_nodes", arg_nodes), ("node_row_ptr", node_row_ptr),
                      ("heads", heads)):
        writer.key(key)
        writer.value(item)
    writer.key("attrs")
    writer.value(attrs if attrs is not None else graph_attrs())
    writer.end("}")
    return "".join(writer.parts)


def graph_attrs() -> dict[str, list]:
    """The graph attributes MXNet 1.9.1 writes: its version, and ``is_np_shape`` when the
    NumPy shape semantics are on (a reader then takes 0 as a zero size, not as unknown)."""
    from ..util import is_np_shape

    attrs: dict[str, list] = {"is_np_shape": ["int", 1]} if is_np_shape() else {}
    attrs["mxnet_version"] = ["int", MXNET_VERSION]
    return attrs

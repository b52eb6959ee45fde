"""``print_summary``: MXNet 1.9.1's layer table, one row per operator.

The rules, MXNet's own (so the numbers match MXNet's, including its simplifications):

* Rows are the graph's first node (the data input) and every operator. Other variables
  (weights, labels) are not layers.
* "Output Shape" is the layer's ``<name>_output`` shape without the batch dimension; layers
  with numbered outputs (SliceChannel) show none. Shapes are only known with ``shape=``.
* "Param #" counts weights from the layer's attributes and ``C_in``, the sum of the first
  non-batch dimension of its previous layers: Convolution ``C_in * num_filter / num_group *
  prod(kernel) (+ num_filter bias)``, FullyConnected ``(C_in + 1) * num_hidden`` (or
  ``C_in * num_hidden`` with ``no_bias=True``), BatchNorm ``2 * channels`` (gamma and beta),
  Embedding ``input_dim * output_dim``; other layers 0. Without ``shape=``, ``C_in`` is 0.
"""
from __future__ import annotations

import math
import re
import warnings
from typing import Any

from ..symbol.symbol import Symbol, _Node
from ._infer import check_symbol, output_values
from .plot import WEIGHT_SUFFIXES


def _param_count(node: _Node, in_channels: int, shapes: dict[str, Any] | None) -> int:
    """Number of learnable parameters of one layer, as MXNet counts them."""
    attrs = node.op.attrs
    if node.op.name == "Convolution":
        count = in_channels * int(attrs["num_filter"]) // int(attrs.get("num_group", "1"))
        count *= math.prod(int(k) for k in re.findall(r"\d+", attrs["kernel"]))
        if attrs.get("no_bias") != "True":
            count += int(attrs["num_filter"])
        return count
    if node.op.name == "FullyConnected":
        bias = 0 if attrs.get("no_bias") == "True" else 1
        return (in_channels + bias) * int(attrs["num_hidden"])
    if node.op.name == "BatchNorm":
        key = node.name + "_output"
        return 2 * int(shapes[key][1]) if shapes is not None and key in shapes else 0
    if node.op.name == "Embedding":
        return int(attrs["input_dim"]) * int(attrs["output_dim"])
    return 0


def _has_weights(node: _Node) -> bool:
    """Whether an operator node reads a weight-like variable (a parameter of the layer)."""
    return node.op is not None and any(
        source.op is None and source.name.endswith(WEIGHT_SUFFIXES) for source, _, _ in node.inputs)


def _print_row(fields: list[Any], ends: list[int]) -> None:
    """One line of the table: every field cut or padded to end at its column's end."""
    line = ""
    for field, end in zip(fields, ends):
        line = (line + str(field))[:end].ljust(end)
    print(line)


def _output_shape(node: _Node, shapes: dict | None) -> list[int]:
    """A node's output shape without the batch axis, or [] when shapes are unknown."""
    key = node.name if node.op is None else node.name + "_output"
    return list(shapes[key][1:]) if shapes is not None and key in shapes else []


def _print_layer(node: _Node, nodes: list[_Node], shapes: dict | None, ends: list[int],
                 line_length: int) -> int:
    """Print the rows of one layer (the first input counts as one; other variables are
    parameters) and return its parameter count."""
    first = nodes[0]
    if node.op is None and node is not first:
        return 0
    previous = [] if node.op is None else [
        source for source, _, _ in node.inputs if source.op is not None or source is first]
    in_channels = sum(_output_shape(p, shapes)[0] for p in previous if _output_shape(p, shapes))
    params = 0 if node.op is None else _param_count(node, in_channels, shapes)
    op_name = "null" if node.op is None else node.op.name
    _print_row([f"{node.name}({op_name})", "x".join(str(d) for d in _output_shape(node, shapes)),
                params, previous[0].name if previous else ""], ends)
    for extra in previous[1:]:
        _print_row(["", "", "", extra.name], ends)
    print(("=" if node is nodes[-1] else "_") * line_length)
    return params


def print_summary(symbol: Symbol, shape: dict[str, tuple[int, ...]] | None = None,
                  line_length: int = 120,
                  positions: list[float] = [.44, .64, .74, 1.],  # noqa: B006 - MXNet's signature
                  ) -> None:
    """Print a table of the layers of ``symbol``: name (type), output shape, parameter count
    and the layers feeding it, then the total number of parameters.

    Parameters
    ----------
    symbol : Symbol
        The network to summarise.
    shape : dict of str to tuple of int, optional
        Input shapes, e.g. ``{'data': (32, 16)}``; without them shapes are blank and
        parameter counts leave out everything that depends on the input size.
    line_length : int, default 120
        Width of the printed table.
    positions : list of float or int, default [.44, .64, .74, 1.]
        Where each of the four columns ends, as fractions of ``line_length`` (when the last
        is at most 1) or as character positions.
    """
    check_symbol(symbol, "symbol must be Symbol")
    shapes = output_values(symbol, shape, "shape", "print_summary") if shape is not None else None
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    ends = [int(p) for p in positions]
    nodes = symbol._nodes()
    print("_" * line_length)
    _print_row(["Layer (type)", "Output Shape", "Param #", "Previous Layer"], ends)
    print("=" * line_length)
    total = sum(_print_layer(node, nodes, shapes, ends, line_length) for node in nodes)
    print(f"Total params: {total}")
    print("_" * line_length)
    if shapes is None and any(_has_weights(node) for node in nodes):
        # the table is MXNet's, whose counts then leave out every weight sized by the input
        warnings.warn(f"print_summary: without shape= the parameter counts (total {total}) "
                      f"leave out the weights whose size depends on the input; pass the input "
                      f"shapes, e.g. shape={{'data': (1, ...)}}", stacklevel=2)

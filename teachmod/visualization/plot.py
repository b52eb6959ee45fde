"""``plot_network``: draw a symbol with Graphviz, exactly as MXNet 1.9.1 draws it.

One box per operator, an oval per data or label input, arrows from each node back to its
inputs (``dir=back``), so ``dot`` lays the network out from the data at the bottom to the
loss at the top. Weights, biases and BatchNorm statistics get no node.
"""
from __future__ import annotations

import re
import warnings
from collections import Counter
from typing import TYPE_CHECKING, Any

from ..symbol.symbol import Symbol, _Node
from ._infer import check_symbol, entry_key, output_values

if TYPE_CHECKING:
    import graphviz

# MXNet's colour map (ColorBrewer "Set3"), indexed by operator family below.
PALETTE = ("#8dd3c7", "#fb8072", "#ffffb3", "#bebada", "#80b1d3", "#fdb462", "#b3de69",
           "#fccde5")

# Variables with these endings are parameters or auxiliary states: never drawn as nodes.
WEIGHT_SUFFIXES = ("_weight", "_bias", "_beta", "_gamma", "_moving_var", "_moving_mean",
                   "_running_var", "_running_mean")

NODE_DEFAULTS = {"shape": "box", "fixedsize": "true", "width": "1.3", "height": "0.8034",
                 "style": "filled"}


def _numbers(text: str) -> str:
    """``'(3, 3)'`` -> ``'3x3'``: the numbers in a tuple parameter joined by x."""
    return "x".join(re.findall(r"\d+", text))


def _label_and_color(node: _Node) -> tuple[str, str]:
    """The text in a node's box and its fill colour, by operator (MXNet's rules)."""
    if node.op is None:
        return node.name, PALETTE[0]
    op, attrs = node.op.name, node.op.attrs
    if op == "Convolution":
        stride = _numbers(attrs["stride"]) if "stride" in attrs else "1"
        return f"Convolution\n{_numbers(attrs['kernel'])}/{stride}, {attrs['num_filter']}", \
            PALETTE[1]
    if op == "FullyConnected":
        return f"FullyConnected\n{attrs['num_hidden']}", PALETTE[1]
    if op == "BatchNorm":
        return node.name, PALETTE[3]
    if op == "Activation":
        return f"Activation\n{attrs['act_type']}", PALETTE[2]
    if op == "LeakyReLU":
        return f"LeakyReLU\n{attrs.get('act_type', 'Leaky')}", PALETTE[2]
    if op == "Pooling":
        kernel = _numbers(attrs["kernel"]) if "kernel" in attrs else "[]"
        stride = _numbers(attrs["stride"]) if "stride" in attrs else "1"
        return f"Pooling\n{attrs.get('pool_type', 'max')}, {kernel}/{stride}", PALETTE[4]
    if op in ("Concat", "Flatten", "Reshape"):
        return node.name, PALETTE[5]
    if op == "Softmax":
        return node.name, PALETTE[6]
    return node.name, PALETTE[7]


def plot_network(symbol: Symbol, title: str = "plot", save_format: str = "pdf",
                 shape: dict[str, tuple[int, ...]] | None = None,
                 dtype: dict[str, Any] | None = None,
                 node_attrs: dict[str, str] = {},  # noqa: B006 - MXNet's signature, never mutated
                 hide_weights: bool = True) -> graphviz.Digraph:
    """Draw the computation graph of ``symbol`` as a Graphviz digraph.

    Parameters
    ----------
    symbol : Symbol
        The network to draw (everything needed to compute its outputs).
    title : str, default 'plot'
        Name of the graph, and of the file ``render()`` writes.
    save_format : str, default 'pdf'
        Format ``render()`` writes: 'pdf', 'png', 'svg', ...
    shape : dict of str to tuple of int, optional
        Input shapes, e.g. ``{'data': (32, 16)}``. Each edge is then labelled with the shape
        of the tensor it carries, without the batch dimension (``64``, ``128x8x8``).
    dtype : dict of str to dtype, optional
        Input types, e.g. ``{'data': np.float32}``. Each edge label then ends with the
        tensor's type, ``(float32)``.
    node_attrs : dict of str to str, optional
        Graphviz attributes for the nodes, overriding the defaults
        (``{'shape': 'box', 'fixedsize': 'true', 'width': '1.3', 'height': '0.8034',
        'style': 'filled'}``), e.g. ``{'fixedsize': 'false'}``.
    hide_weights : bool, default True
        Leave out the edges to weights, biases and BatchNorm statistics. They never get a
        styled node: with ``False`` Graphviz draws them as plain ovals.

    Returns
    -------
    graphviz.Digraph
        Shown as SVG in Jupyter; ``.source`` is the DOT text, ``.render()`` writes a file.

    Examples
    --------
    >>> net = mx.sym.FullyConnected(mx.sym.Variable('data'), name='fc1', num_hidden=64)
    >>> net = mx.sym.SoftmaxOutput(net, name='softmax')
    >>> mx.viz.plot_network(net, shape={'data': (32, 16)}).render('mlp')
    """
    try:
        from ._digraph import Digraph
    except ImportError:
        raise ImportError(
            "plot_network needs the graphviz Python package: pip install graphviz (and, to "
            "render the drawing, a `dot` program: apt-get install graphviz, or pip install "
            "graphviz-pure)"
        ) from None
    check_symbol(symbol, "symbol must be a Symbol")
    for argument, value in (("title", title), ("save_format", save_format)):
        if not isinstance(value, str):
            raise TypeError(f"plot_network: {argument} must be a string, got "
                            f"{type(value).__name__} {value!r}")
    if not isinstance(node_attrs, dict):
        raise TypeError(f"plot_network: node_attrs must be a dict of Graphviz attributes such "
                        f"as {{'fixedsize': 'false'}}, got {type(node_attrs).__name__}")
    shapes = output_values(symbol, shape, "shape", "plot_network") if shape is not None else None
    types = output_values(symbol, dtype, "type", "plot_network") if dtype is not None else None
    nodes = symbol._nodes()
    _warn_repeated_names(nodes)

    dot = Digraph(name=title, format=save_format)
    hidden = set()
    for node in nodes:  # nodes first, in graph order: inputs before the operators using them
        if node.op is None and node.name.endswith(WEIGHT_SUFFIXES):
            if hide_weights:
                hidden.add(node.name)
            continue
        label, color = _label_and_color(node)
        attrs = {**NODE_DEFAULTS, **node_attrs, "fillcolor": color}
        if node.op is None:
            attrs["shape"] = "oval"
        dot.node(name=node.name, label=label, **attrs)
    for node in nodes:  # then one edge per operator input, pointing back at the input
        for source, index, _ in node.inputs:
            if source.name in hidden:
                continue
            label = ""
            if shapes is not None:
                label = "x".join(str(d) for d in shapes[entry_key(source, index)][1:])
            if types is not None:
                label += f"({types[entry_key(source, index)].__name__})"
            dot.edge(node.name, source.name, label=label, dir="back", arrowtail="open")
    return dot


def _warn_repeated_names(nodes: list[_Node]) -> None:
    counts = Counter(node.name for node in nodes)
    repeated = [name for name, count in counts.items() if count > 1]
    if repeated:
        warnings.warn(
            "There are multiple variables with the same name in your graph, this may result "
            "in cyclic graph. Repeated names: " + ",".join(repeated), RuntimeWarning,
            stacklevel=3)

"""What the drawing and the summary need from a symbol: its checked type and, when the user
gives input shapes or dtypes, the shape or dtype of every node's outputs."""
from __future__ import annotations

import warnings
from typing import Any

from ..base import MXNetError, dtype_np
from ..ops.registry import shape_is_known
from ..symbol.symbol import Symbol, _Node


def check_symbol(symbol: Any, message: str) -> None:
    """Raise MXNet's TypeError when ``symbol`` is not a Symbol."""
    if not isinstance(symbol, Symbol):
        raise TypeError(f"{message} (got {type(symbol).__name__})")


def output_values(symbol: Symbol, given: dict[str, Any], kind: str, where: str) -> dict[str, Any]:
    """Shapes (``kind='shape'``) or numpy types (``kind='type'``) of every output in the graph.

    The result is keyed as ``symbol.get_internals().list_outputs()`` names them: a variable
    by its name, an operator output as ``<node>_output`` (``<node>_output0``, ... when the
    operator has several). ``given`` maps input names to shapes or dtypes, as ``infer_shape``
    and ``infer_type`` take them.
    """
    argument = "shape" if kind == "shape" else "dtype"
    inputs = symbol.list_inputs()
    for key in given:
        if key not in inputs:
            raise MXNetError(
                f"{where}: {argument}= names {key!r}, which is not an input of this symbol; "
                f"its inputs are {inputs}"
            )
    internals = symbol.get_internals()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the error below says what is missing
        infer = internals.infer_shape if kind == "shape" else internals.infer_type
        _, out_values, _ = infer(**given)
    if out_values is None:
        undecided = _undecided(symbol, given, kind)
        raise ValueError(
            f"Input {kind} is incomplete: {where} cannot infer the {kind} of "
            f"{', '.join(undecided) or 'some outputs'}; give the {kind}s of the data inputs, "
            f"e.g. {argument}={{'data': ...}}"
        )
    return dict(zip(internals.list_outputs(), out_values))


def _undecided(symbol: Symbol, given: dict[str, Any], kind: str) -> list[str]:
    """Names of the inputs whose shape or type stays unknown."""
    known = {k: tuple(v) if kind == "shape" else dtype_np(v) for k, v in given.items()}
    values = symbol._infer(known, kind)
    decided = shape_is_known if kind == "shape" else (lambda value: value is not None)
    return [n.name for n in symbol._nodes()
            if n.is_variable and not decided(values.get((id(n), 0)))]


def entry_key(node: _Node, index: int) -> str:
    """The internals output name of output ``index`` of ``node`` (``data``, ``fc1_output``)."""
    return node.output_names()[index]

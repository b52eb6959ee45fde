"""``mx.operator``: what the registry holds, as MXNet's ``mx.operator`` reports it.

``get_all_registered_operators()`` lists every operator name (aliases included);
``get_operator_arguments(name)`` gives its inputs and parameters with their types, in MXNet's
words: ``'NDArray-or-Symbol'`` for an input, ``"float, optional, default=0.25"`` or
``"{'relu', 'tanh'}, required"`` for a parameter.
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any

from .ops import registry

__all__ = ["get_all_registered_operators", "get_operator_arguments", "OperatorArguments"]

OperatorArguments = namedtuple("OperatorArguments", ["narg", "names", "types"])

# MXNet's type words for teachmod's parse functions
_TYPE_WORDS = {
    registry.parse_int: "int", registry.parse_float: "float", registry.parse_bool: "boolean",
    registry.parse_shape: "Shape(tuple)", registry.parse_str: "string",
}


def get_all_registered_operators() -> list[str]:
    """Every registered operator name, aliases included."""
    return registry.all_names()


def _type_word(parse: Any) -> str:
    inner = getattr(parse, "__wrapped_kind__", None)
    if inner is not None:
        return f"{_type_word(inner)} or None"
    return _TYPE_WORDS.get(parse, parse.__name__.replace("parse_", ""))


def _default_word(value: Any) -> str:
    if isinstance(value, bool):
        return str(int(value))  # MXNet prints booleans as 0 / 1
    return repr(value) if isinstance(value, str) else str(value)


def _param_type(param: registry.Param) -> str:
    if param.choices:
        kind = "{" + ", ".join(sorted(repr(c) for c in param.choices)) + "}"
    else:
        kind = _type_word(param.parse)
    if param.default is registry.REQUIRED:
        return f"{kind}, required"
    return f"{kind}, optional, default={_default_word(param.default)}"


def get_operator_arguments(op_name: str) -> OperatorArguments:
    """The inputs and then the parameters of ``op_name``, with their types."""
    op_class = registry.get(op_name)
    input_type = "NDArray-or-Symbol[]" if op_class.variadic else "NDArray-or-Symbol"
    inputs = ["data"] if op_class.variadic else list(op_class.arguments)
    names = inputs + list(op_class.params)
    types = [input_type] * len(inputs) + [_param_type(p) for p in op_class.params.values()]
    return OperatorArguments(len(names), names, types)

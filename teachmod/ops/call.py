"""How a call such as ``FullyConnected(x, num_hidden=4, name='fc1')`` becomes an operator and
its inputs. Shared by ``mx.sym`` (inputs are Symbols) and ``mx.nd`` (inputs are NDArrays)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..attribute import operator_key
from ..base import MXNetError
from .registry import Operator


def split_call(op_class: type[Operator], args: tuple, kwargs: dict, input_type: type,
               node_name: str = "") -> tuple[Operator, dict[str, Any], dict[str, str]]:
    """Build the operator from the parameters and name each input.

    Keyword arguments whose value is an ``input_type`` are inputs. The others are parameters,
    except node attributes, which MXNet keeps apart from the parameters: ``__key__`` names and
    keys beginning with a hidden key (``lr_mult=0`` is stored as ``__lr_mult__``). Positional
    arguments fill the inputs in order, then the parameters in their declared order
    (``mx.nd.cast(x, 'float16')``). Returns the operator, ``{input: value}`` (inputs not
    given are absent) and ``{attribute: string}``.
    """
    where = f"{op_class.name} '{node_name}'" if node_name else op_class.name
    named: dict[str, Any] = {}
    params: dict[str, Any] = {}
    attrs: dict[str, str] = {}
    for key, value in kwargs.items():
        if isinstance(value, input_type):
            named[key] = value
        elif value is None or key in op_class.params:
            if value is not None:
                params[key] = value
        elif key.startswith("__") and key.endswith("__"):
            attrs[key] = str(value)
        else:
            hidden = operator_key(key, where)
            if hidden is None:
                params[key] = value  # not a parameter: the operator names what it accepts
            else:
                attrs[hidden] = str(value)
    if op_class.variadic:  # Concat(a, b, c, dim=1): every positional value is an input
        params.setdefault(op_class.variadic, len(args))
    else:  # as in MXNet's generated functions: mx.nd.cast(x, 'float16')
        args = _positional_params(op_class, args, params, input_type)
    op = op_class(params, node_name)
    slots = op.list_arguments() + op.list_auxiliary_states()
    if len(args) > len(slots):
        raise MXNetError(
            f"{op.where()}: takes {len(slots)} inputs ({', '.join(slots)}), got {len(args)}"
        )
    inputs: dict[str, Any] = {}
    for slot, value in zip(slots, args):
        if value is None:  # an input left out by position
            continue
        if not isinstance(value, input_type):
            raise TypeError(
                f"{op.where()}: input '{slot}' must be a {input_type.__name__}, "
                f"got {type(value).__name__}"
            )
        inputs[slot] = value
    for key, value in named.items():
        if key not in slots:
            raise MXNetError(
                f"{op.where()}: unknown input {key!r}; inputs are {', '.join(slots)}"
            )
        if key in inputs:
            raise MXNetError(f"{op.where()}: input {key!r} given twice")
        inputs[key] = value
    return op, inputs, attrs


def _positional_params(op_class: type[Operator], args: tuple, params: dict[str, Any],
                       input_type: type) -> tuple:
    """Move positional parameters into ``params``; return the positional inputs.

    As in MXNet's generated functions, the inputs come first (None leaves one out:
    ``Convolution(x, w, None, no_bias=True)``) and the parameters follow in their declared
    order: ``mx.nd.cast(x, 'float16')``, ``mx.nd.repeat(x, 3, 0)``, ``Dropout(data, 0.5)``.
    A call that does not fit is a TypeError, as for any Python function.
    """
    count = next((i for i, a in enumerate(args) if a is not None
                  and not isinstance(a, input_type)), len(args))
    if count == 0 and op_class.arguments:
        return args  # not an input where the first input belongs: the input check explains
    names = list(op_class.params)
    for position, value in enumerate(args[count:]):
        if isinstance(value, input_type):
            raise TypeError(f"{op_class.name}: an input was given after a positional "
                             "parameter; inputs go first")
        if position >= len(names):
            raise TypeError(f"{op_class.name}: {len(args) - count} positional parameters "
                             f"given, but it has only {len(names)}: {', '.join(names)}")
        key = names[position]
        if key in params:
            raise TypeError(f"{op_class.name}: parameter {key!r} given twice")
        if value is not None:
            params[key] = value
    inputs = args[:count]
    while inputs and inputs[-1] is None:  # trailing inputs left out
        inputs = inputs[:-1]
    return inputs


def call_imperative(op_class: type[Operator], args: tuple, kwargs: dict, out: Any) -> Any:
    """Run an operator's inference-mode forward on NDArrays: the body of every ``mx.nd.<op>``."""
    from ..ndarray.ndarray import NDArray

    op, inputs, _ = split_call(op_class, args, kwargs, NDArray)  # attributes mean nothing here
    names = op.list_arguments()
    aux_names = op.list_auxiliary_states()
    missing = [n for n in names + aux_names if n not in inputs]
    if missing:
        raise MXNetError(f"{op.where()}: missing input(s) {', '.join(missing)}")
    ctx = inputs[names[0]].context if names else None
    outputs = op.forward(False, [inputs[n]._data for n in names],
                         [inputs[n]._data for n in aux_names])
    results = [NDArray(np.asarray(o), ctx) for o in outputs[: op.num_visible_outputs()]]
    if out is not None:
        targets = out if isinstance(out, (list, tuple)) else [out]
        for target, result in zip(targets, results):
            result.copyto(target)
        return out
    return results[0] if len(results) == 1 else results

"""The operator registry and the ``Operator`` base class every operator file builds on.

An operator declares, in one place: its parameters (``params``), its inputs (``arguments``),
outputs and auxiliary states, shape inference, forward and backward. The executor, ``mx.sym``
and ``mx.nd`` only ever talk to operators through this interface and never by name.
"""
from __future__ import annotations

import ast
import warnings
from typing import Any, Callable

import numpy as np

from ..base import MXNetError

__all__ = ["Param", "Operator", "register", "get", "all_names", "REQUIRED", "Shape",
           "shape_is_known", "merge_shapes"]

Shape = tuple[int, ...]
REQUIRED = object()


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def parse_bool(value: Any) -> bool:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise ValueError
    if isinstance(value, (bool, int, np.bool_, np.integer)):
        return bool(value)
    raise ValueError


def parse_int(value: Any) -> int:
    value = _literal(value) if isinstance(value, str) else value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError
    return int(value)


def parse_float(value: Any) -> float:
    value = _literal(value) if isinstance(value, str) else value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise ValueError
    return float(value)


def parse_shape(value: Any) -> tuple[int, ...]:
    """A tuple of ints from ``(3, 3)``, ``[3, 3]``, ``3`` or their string forms."""
    value = _literal(value) if isinstance(value, str) else value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),)
    if isinstance(value, (tuple, list)) and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value
    ):
        return tuple(int(v) for v in value)
    raise ValueError


def parse_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError
    return value


def parse_dtype(value: Any) -> str:
    """A dtype name such as 'float32', from the name, a numpy type or a numpy dtype."""
    if isinstance(value, str):
        return value
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return np.dtype(value).name
    raise ValueError


def optional(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Accept ``None`` (or the string 'None') besides what ``parse`` accepts."""

    def parse_optional(value: Any) -> Any:
        if value is None or (isinstance(value, str) and value.strip() == "None"):
            return None
        return parse(value)

    parse_optional.__name__ = f"optional {parse.__name__}"
    parse_optional.__wrapped_kind__ = parse  # type: ignore[attr-defined]
    return parse_optional


_KIND_NAMES = {
    parse_bool: "a boolean", parse_int: "an integer", parse_float: "a number",
    parse_shape: "a shape tuple such as (3, 3)", parse_str: "a string",
    parse_dtype: "a dtype name such as 'float32'",
}


def kind_name(parse: Callable[[Any], Any]) -> str:
    """What a parse function accepts, in words: ``parse_int`` -> 'an integer'."""
    inner = getattr(parse, "__wrapped_kind__", None)
    if inner is not None:
        return f"{kind_name(inner)} or None"
    return _KIND_NAMES.get(parse, parse.__name__.replace("parse_", "a "))


class Param:
    """One operator parameter: how to read it, its default and the values it may take.

    Parameters
    ----------
    parse : callable
        Turns the user's value (or its string form from a JSON file) into a Python value.
    default : object, optional
        The default; leave it out for a required parameter.
    choices : sequence, optional
        The only values allowed.
    doc : str
        One line of documentation.
    """

    def __init__(self, parse: Callable[[Any], Any], default: Any = REQUIRED,
                 choices: tuple | None = None, doc: str = "") -> None:
        self.parse = parse
        self.default = default
        self.choices = choices
        self.doc = doc

    def describe(self) -> str:
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        return kind_name(self.parse)


def string_form(value: Any) -> str:
    """MXNet's string form of a parameter value, as stored in symbol JSON: ``str(value)``."""
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return parse_dtype(value)  # MXNet writes dtype=np.int32 as 'int32'
    return value if isinstance(value, str) else str(value)


def shape_is_known(shape: Shape | None) -> bool:
    """Whether ``shape`` is complete. As in MXNet 1.x, shape inference writes a dimension it
    does not know yet as 0, and a shape it knows nothing of as None (or ``()``)."""
    return shape is not None and len(shape) > 0 and all(d > 0 for d in shape)


def merge_shapes(first: Shape | None, second: Shape | None) -> Shape | None:
    """One shape from two partial descriptions of it: each known dimension of either fills
    an unknown (0) one of the other; ``(0, 10)`` and ``(12, 0)`` give ``(12, 10)``.

    Raises ValueError when they disagree (a different length or a different known dimension).
    """
    if not first:
        return tuple(second) if second else None
    if not second:
        return tuple(first)
    if len(first) != len(second) or any(a and b and a != b for a, b in zip(first, second)):
        raise ValueError(f"shapes {tuple(first)} and {tuple(second)} disagree")
    return tuple(a or b for a, b in zip(first, second))


class Operator:
    """Base class of all operators. Subclasses set the class attributes and override methods.

    Class attributes
    ----------------
    name : MXNet's operator name (as written in symbol JSON).
    aliases : other names it is called by in ``mx.sym``/``mx.nd``.
    params : ``{name: Param}``.
    arguments : names of the inputs, in order.
    outputs : names of the outputs (``['output']`` gives ``<node>_output``).
    aux_states : names of auxiliary states (updated by forward, not by gradients).
    is_loss : the backward ignores head gradients (loss layers).
    variadic : name of the parameter counting a variable number of inputs (Concat's num_args).
    backward_reads : names of the inputs and outputs (as in ``list_arguments()`` and
        ``list_outputs()``) whose values ``backward`` reads; None means all of them. The
        executor frees every other intermediate tensor as soon as the forward pass is done with
        it, so that a training batch holds only what backward will read; ``backward`` gets None
        in place of a tensor it did not ask for.
    blocks_gradient : no gradient flows back through the operator (BlockGrad): the executor
        runs no backward for it, nor for the nodes only it reads.
    in_place : MXNet's in-place option. ``forward(..., in_place=True)`` writes the output over
        ``inputs[0]`` and returns that array; ``backward(..., in_place=True)`` writes the
        input's gradient over ``out_grads[0]``. The executor asks for it only where its plan
        shows that nothing else holds the array (a fast path, ``Executor._plan_in_place``).
    fresh_outputs, fresh_gradients : every array ``forward`` (``backward``) returns is new:
        no view of an argument, of the operator's own state or of another returned array.
        Only such arrays may be overwritten in place by the step that reads them next.
    infers_backward : the operator's own ``infer_shape`` / ``infer_type`` take the known output
        shapes / types as a second argument, and its ``infer_shape`` understands shapes with
        unknown (0) dimensions, so that shapes can flow from the outputs back to the inputs as
        in MXNet. The default rules below always do. An operator's own rule without it gets
        complete input shapes only (partial ones are given as None).
    """

    name: str = ""
    aliases: tuple[str, ...] = ()
    params: dict[str, Param] = {}
    arguments: tuple[str, ...] = ("data",)
    outputs: tuple[str, ...] = ("output",)
    aux_states: tuple[str, ...] = ()
    is_loss: bool = False
    variadic: str | None = None
    backward_reads: tuple[str, ...] | None = None
    blocks_gradient: bool = False
    in_place: bool = False
    fresh_outputs: bool = False
    fresh_gradients: bool = False
    infers_backward: bool = False
    # Set by the executor: which inputs need a gradient (None = all). Operators may skip the
    # work for the others, as a real framework skips the data gradient of the first layer.
    grad_mask: tuple[bool, ...] | None = None

    def __init__(self, attrs: dict[str, Any] | None = None, node_name: str = "") -> None:
        self.node_name = node_name
        self.attrs: dict[str, str] = {}
        attrs = dict(attrs or {})
        for key, value in attrs.items():
            if key not in self.params:
                known = ", ".join(sorted(self.params)) or "none"
                raise MXNetError(
                    f"{self.where()}: unknown parameter {key!r} (given {value!r}); "
                    f"{self.name} accepts: {known}"
                )
        for key, param in self.params.items():
            if key in attrs:
                value = attrs[key]
                self.attrs[key] = string_form(value)
                try:
                    parsed = param.parse(value)
                except (ValueError, TypeError):
                    raise MXNetError(
                        f"{self.where()}: parameter {key!r} expects {param.describe()}, "
                        f"got {value!r}"
                    ) from None
                if param.choices is not None and parsed not in param.choices:
                    raise MXNetError(
                        f"{self.where()}: parameter {key!r} expects {param.describe()}, "
                        f"got {value!r}"
                    )
                if isinstance(parsed, str):
                    self.attrs[key] = parsed  # the canonical name: np.float16 -> 'float16'
            elif param.default is REQUIRED:
                raise MXNetError(
                    f"{self.where()}: required parameter {key!r} is missing "
                    f"({param.doc or param.describe()})"
                )
            else:
                parsed = param.default
            setattr(self, key, parsed)
        self.validate()

    # ---- descriptions used by Symbol and the executor -------------------------------------
    def where(self) -> str:
        """How error messages name this node: ``FullyConnected 'fc1'``."""
        return f"{self.name} '{self.node_name}'" if self.node_name else self.name

    def fail(self, message: str) -> MXNetError:
        """An MXNetError naming this node; ``raise self.fail('...')``."""
        return MXNetError(f"{self.where()}: {message}")

    def validate(self) -> None:
        """Check parameter combinations; override where needed."""

    def list_arguments(self) -> list[str]:
        return list(self.arguments)

    def list_outputs(self) -> list[str]:
        return list(self.outputs)

    def list_auxiliary_states(self) -> list[str]:
        return list(self.aux_states)

    def input_var_attrs(self) -> dict[str, dict[str, str]]:
        """Attributes given to variables created for missing inputs, e.g. BatchNorm's
        ``{'moving_mean': {'__init__': '["zero", {}]'}}``."""
        return {}

    def num_visible_outputs(self) -> int:
        """How many outputs a symbol of this operator shows (BatchNorm hides mean and var)."""
        return len(self.list_outputs())

    # ---- inference ----------------------------------------------------------------------
    def infer_shape(self, in_shapes: list[Shape | None],
                    out_shapes: list[Shape | None] | None = None
                    ) -> tuple[list[Shape | None], list[Shape | None], list[Shape | None]]:
        """Complete input shapes and give output and auxiliary shapes (None = unknown).

        The default suits elementwise operators: every input and output has one shape, so each
        dimension known anywhere (in an input or in a known output) is known everywhere.
        """
        names = ([f"argument '{n}'" for n in self.list_arguments()]
                 + [f"output '{n}'" for n in self.list_outputs()])
        shape = None
        for name, given in zip(names, [*in_shapes, *(out_shapes or [])]):
            try:
                shape = merge_shapes(shape, given)
            except ValueError:
                raise self.fail(f"{name} has shape {tuple(given)}, expected {shape} "
                                f"(all inputs and outputs have one shape)") from None
        return [shape] * len(in_shapes), [shape] * len(self.list_outputs()), []

    def infer_type(self, in_types: list[np.dtype | None],
                   out_types: list[np.dtype | None] | None = None
                   ) -> tuple[list[np.dtype | None], list[np.dtype | None], list[np.dtype | None]]:
        """Complete input types and give output and auxiliary types; default: all alike, so
        any known input or output type gives the others."""
        known = next((t for t in [*in_types, *(out_types or [])] if t is not None), None)
        return ([known] * len(in_types), [known] * len(self.list_outputs()),
                [known] * len(self.list_auxiliary_states()))

    def rule_reads_outputs(self, rule: str) -> bool:
        """Whether the rule ``'infer_shape'`` or ``'infer_type'`` takes the known outputs and
        partial shapes: the defaults above do, an operator's own rule with ``infers_backward``."""
        return self.infers_backward or getattr(type(self), rule) is getattr(Operator, rule)

    def expect_shape(self, in_shapes: list[Shape | None], index: int, expected: Shape) -> Shape:
        """The shape of input ``index``: ``expected`` if unknown, else checked against it
        (a dimension unknown (0) on one side is taken from the other)."""
        given = in_shapes[index]
        try:
            return merge_shapes(given, expected)
        except ValueError:
            raise self.fail(
                f"argument '{self.list_arguments()[index]}' has shape {tuple(given)}, "
                f"expected {tuple(expected)}"
            ) from None

    # ---- computation --------------------------------------------------------------------
    def forward(self, is_train: bool, inputs: list[np.ndarray],
                aux: list[np.ndarray]) -> list[np.ndarray]:
        raise NotImplementedError

    def needs_grad(self, index: int) -> bool:
        """Whether the backward must compute the gradient of input ``index``."""
        return self.grad_mask is None or self.grad_mask[index]

    def backward(self, out_grads: list[np.ndarray], inputs: list[np.ndarray],
                 outputs: list[np.ndarray], aux: list[np.ndarray]) -> list[np.ndarray | None]:
        """Gradients of the inputs (None where an input has none, such as a label)."""
        raise NotImplementedError


_REGISTRY: dict[str, type[Operator]] = {}


def register(cls: type[Operator]) -> type[Operator]:
    """Class decorator adding an operator (and its aliases) to the registry."""
    for key in (cls.name, *cls.aliases):
        known = _REGISTRY.get(key)
        if known is not None and known is not cls:
            if (known.__module__, known.__qualname__) != (cls.__module__, cls.__qualname__):
                raise RuntimeError(f"operator name {key!r} registered twice: by "
                                   f"{known.__module__}.{known.__qualname__} and by "
                                   f"{cls.__module__}.{cls.__qualname__}")
            # the same class defined again, as when a notebook cell is run a second time
            warnings.warn(f"operator {key!r}: {cls.__qualname__} is defined again; the new "
                          f"definition replaces the old one", stacklevel=2)
        _REGISTRY[key] = cls
    return cls


def get(name: str) -> type[Operator]:
    """The operator class registered under ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise MXNetError(f"unknown operator {name!r}") from None


def all_names() -> list[str]:
    """Every registered name, aliases included."""
    return sorted(_REGISTRY)

"""Operators written in Python, MXNet's way: ``mx.operator.CustomOp`` and ``CustomOpProp``.

Two classes describe one operator:

- a ``CustomOpProp`` says what the operator looks like from outside: its inputs
  (``list_arguments``), outputs, auxiliary states, how output shapes and types follow from the
  inputs', and which tensors the backward reads; ``create_operator`` makes the computation;
- a ``CustomOp`` computes: ``forward`` writes ``out_data`` from ``in_data``, ``backward`` writes
  ``in_grad`` from ``out_grad``, both through ``self.assign(dst, req, value)``.

``@mx.operator.register("name")`` on the prop makes ``mx.sym.Custom(x, op_type="name")`` and
``mx.nd.Custom(x, op_type="name")`` work; the operator file ``teachmod/ops/custom.py`` adapts
the registered prop to teachmod's own operator interface, so a custom operator binds, infers
shapes, saves to JSON and shows in ``plot_network`` like any built-in one.

Example, the square of the input::

    class Square(mx.operator.CustomOp):
        def forward(self, is_train, req, in_data, out_data, aux):
            self.assign(out_data[0], req[0], in_data[0] * in_data[0])

        def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
            self.assign(in_grad[0], req[0], 2 * in_data[0] * out_grad[0])

    @mx.operator.register("square")
    class SquareProp(mx.operator.CustomOpProp):
        def create_operator(self, ctx, in_shapes, in_dtypes):
            return Square()

``NumpyOp``, MXNet's older way (one class, numpy arrays in and out), is built on the same path.
"""
from __future__ import annotations

import itertools
from collections import namedtuple
from typing import Any, Callable

from .base import MXNetError
from .ops import registry

__all__ = ["CustomOp", "CustomOpProp", "register", "get_prop_class", "PythonOp", "NumpyOp",
           "get_all_registered_operators", "get_operator_arguments", "OperatorArguments"]

_CUSTOM_PROPS: dict[str, type[CustomOpProp]] = {}


class CustomOp:
    """The computation of a custom operator; subclass it and write ``forward``/``backward``."""

    def forward(self, is_train: bool, req: list[str], in_data: list, out_data: list,
                aux: list) -> None:
        """Compute ``out_data`` (NDArrays to write) from ``in_data``.

        Parameters
        ----------
        is_train : bool
            Whether this is a training pass.
        req : list of str
            For each output how to write it: 'write', 'add', 'inplace' or 'null'.
        in_data, out_data, aux : list of NDArray
            Inputs, outputs to fill, auxiliary states (changed in place).
        """
        raise NotImplementedError(f"{type(self).__name__} must implement forward")

    def backward(self, req: list[str], out_grad: list, in_data: list, out_data: list,
                 in_grad: list, aux: list) -> None:
        """Compute ``in_grad`` (NDArrays to write) from ``out_grad`` and the forward's tensors.

        Parameters
        ----------
        req : list of str
            For each input how to write its gradient ('null': not needed).
        out_grad, in_data, out_data, in_grad, aux : list of NDArray
        """
        raise NotImplementedError(f"{type(self).__name__} must implement backward")

    def assign(self, dst: Any, req: str, src: Any) -> None:
        """Write ``src`` into ``dst`` as ``req`` says: 'write'/'inplace' copy, 'add' adds,
        'null' does nothing."""
        if req == "null":
            return
        if req in ("write", "inplace"):
            dst[:] = src
        elif req == "add":
            dst[:] += src
        else:
            raise MXNetError(f"CustomOp.assign: req must be 'write', 'add', 'inplace' or "
                             f"'null', got {req!r}")


class CustomOpProp:
    """What a custom operator looks like from outside; subclass it and ``register`` it.

    The keyword arguments given to ``mx.sym.Custom`` (other than ``op_type`` and ``name``)
    reach ``__init__`` as strings, as in MXNet.

    Parameters
    ----------
    need_top_grad : bool, default True
        Whether backward reads the gradient of the outputs; False for a loss, whose backward
        computes its own gradient (and then needs no head gradient).
    """

    def __init__(self, need_top_grad: bool = True) -> None:
        self.need_top_grad_ = need_top_grad

    def list_arguments(self) -> list[str]:
        """The inputs' names."""
        return ["data"]

    def list_outputs(self) -> list[str]:
        """The outputs' names."""
        return ["output"]

    def list_auxiliary_states(self) -> list[str]:
        """The auxiliary states' names."""
        return []

    def infer_shape(self, in_shape: list) -> tuple:
        """``(input shapes, output shapes[, aux shapes])``; default: all like the first input."""
        return in_shape, [in_shape[0]] * len(self.list_outputs()), \
            [in_shape[0]] * len(self.list_auxiliary_states())

    def infer_type(self, in_type: list) -> tuple:
        """``(input types, output types, aux types)``; default: all like the first input."""
        return in_type, [in_type[0]] * len(self.list_outputs()), \
            [in_type[0]] * len(self.list_auxiliary_states())

    def declare_backward_dependency(self, out_grad: list, in_data: list,
                                    out_data: list) -> list:
        """Which tensors backward reads; teachmod keeps all of them, so this only informs."""
        deps = list(out_grad) if self.need_top_grad_ else []
        return deps + list(in_data) + list(out_data)

    def create_operator(self, ctx: Any, in_shapes: list, in_dtypes: list) -> CustomOp:
        """The ``CustomOp`` computing this operator for these input shapes and types."""
        raise NotImplementedError(f"{type(self).__name__} must implement create_operator")


def register(reg_name: str) -> Callable[[type], type]:
    """Class decorator: make a ``CustomOpProp`` subclass the operator ``op_type=reg_name``."""
    if not isinstance(reg_name, str) or not reg_name:
        raise TypeError(f"mx.operator.register: the name must be a non-empty string, got "
                        f"{reg_name!r}")

    def do_register(prop_cls: type) -> type:
        if not (isinstance(prop_cls, type) and issubclass(prop_cls, CustomOpProp)):
            raise TypeError(f"mx.operator.register({reg_name!r}): expected a subclass of "
                            f"mx.operator.CustomOpProp, got {prop_cls!r}")
        _CUSTOM_PROPS[reg_name] = prop_cls  # re-registering replaces, as in a notebook
        return prop_cls

    return do_register


def get_prop_class(op_type: str, where: str = "Custom") -> type[CustomOpProp]:
    """The prop class registered as ``op_type``, or an error naming it."""
    try:
        return _CUSTOM_PROPS[op_type]
    except KeyError:
        known = ", ".join(sorted(n for n in _CUSTOM_PROPS if not n.startswith("_"))) or "none"
        raise MXNetError(f"{where}: op_type {op_type!r} is not registered; define its "
                         f"CustomOpProp and decorate it with @mx.operator.register({op_type!r}) "
                         f"before building or loading the symbol (registered: {known})") from None


# ---- the older one-class API: PythonOp / NumpyOp ----------------------------------------------
_numpy_op_ids = itertools.count()


class PythonOp:
    """MXNet's older Python operator: one class with ``forward``/``backward`` (deprecated in
    MXNet in favour of CustomOp). The default is the identity.

    Parameters
    ----------
    need_top_grad : bool, default True
        As in ``CustomOpProp``.
    """

    def __init__(self, need_top_grad: bool = True) -> None:
        self.need_top_grad_ = need_top_grad

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.get_symbol(*args, **kwargs)

    def get_symbol(self, *args: Any, **kwargs: Any) -> Any:
        """The symbol applying this operator to the symbols ``args``."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_symbol")

    def forward(self, in_data: list, out_data: list) -> None:
        """Write ``out_data`` from ``in_data``; default: copy the input."""
        out_data[0][:] = in_data[0]

    def backward(self, out_grad: list, in_data: list, out_data: list, in_grad: list) -> None:
        """Write ``in_grad``; default: pass the output gradient through."""
        in_grad[0][:] = out_grad[0]

    def infer_shape(self, in_shape: list) -> tuple:
        """``(input shapes, output shapes)``; default: every output like the first input."""
        return in_shape, [in_shape[0]] * len(self.list_outputs())

    def list_outputs(self) -> list[str]:
        return ["output"]

    def list_arguments(self) -> list[str]:
        return ["data"]

    def need_top_grad(self) -> bool:
        return self.need_top_grad_


class NumpyOp(PythonOp):
    """A ``PythonOp`` whose ``forward``/``backward`` get numpy arrays to read and write.

    ``get_symbol`` registers the instance as a custom operator of its own and returns
    ``mx.sym.Custom`` of it.
    """

    def get_symbol(self, *args: Any, **kwargs: Any) -> Any:
        from . import symbol

        op_type = f"_numpy_op{next(_numpy_op_ids)}"
        numpy_op = self

        class _Computation(CustomOp):
            def forward(self, is_train, req, in_data, out_data, aux):
                numpy_op.forward([x._data for x in in_data], [y._data for y in out_data])

            def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
                numpy_op.backward([g._data for g in out_grad], [x._data for x in in_data],
                                  [y._data for y in out_data], [g._data for g in in_grad])

        class _Prop(CustomOpProp):
            def __init__(self) -> None:
                super().__init__(need_top_grad=numpy_op.need_top_grad())

            def list_arguments(self) -> list[str]:
                return numpy_op.list_arguments()

            def list_outputs(self) -> list[str]:
                return numpy_op.list_outputs()

            def infer_shape(self, in_shape: list) -> tuple:
                return numpy_op.infer_shape(in_shape)

            def create_operator(self, ctx, in_shapes, in_dtypes):
                return _Computation()

        register(op_type)(_Prop)
        return symbol.Custom(*args, op_type=op_type, **kwargs)


# ---- what the registry holds, as MXNet's mx.operator reports it ----------------------------
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

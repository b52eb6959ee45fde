"""Symbol: a graph of operators, built by calling ``mx.sym`` functions on other symbols.

A symbol is a list of output *entries* ``(node, output index)``. Nodes are either variables
(``op is None``: data, labels, weights, auxiliary states) or operator applications whose
``inputs`` are entries of other nodes. Everything else -- names, shapes, JSON, binding -- is a
walk over this graph in MXNet's order: depth first, inputs before the node that uses them.
"""
from __future__ import annotations

import ast
import copy
import json
import math
import os
import warnings
from typing import Any, Iterator, Sequence

import numpy as np

from ..attribute import HIDDEN_KEYS, AttrScope, dunder, node_key, operator_key
from ..base import DTYPE_TO_FLAG, FLAG_TO_DTYPE, MXNetError, NotImplementedForSymbol, dtype_np
from ..name import NameManager
from ..ops import registry
from ..ops.call import split_call
from ..ops.registry import Operator, merge_shapes, shape_is_known
from .json_format import dumps_graph

__all__ = ["Symbol", "Variable", "var", "Group", "load", "load_json", "create"]


class _Node:
    """One node of the graph. ``inputs`` holds ``(node, output_index, version)`` entries; the
    version counts how often a variable was updated in place (auxiliary states), as MXNet does."""

    __slots__ = ("op", "name", "attrs", "inputs", "version")

    def __init__(self, op: Operator | None, name: str, attrs: dict[str, str],
                 inputs: list[tuple[_Node, int, int]]) -> None:
        self.op = op
        self.name = name
        self.attrs = attrs
        self.inputs = inputs
        self.version = 0

    @property
    def is_variable(self) -> bool:
        return self.op is None

    def all_attrs(self) -> dict[str, str]:
        """Operator parameters and user attributes together, as JSON and ``attr_dict`` show them."""
        merged = dict(self.op.attrs) if self.op is not None else {}
        merged.update(self.attrs)
        return merged

    def output_names(self) -> list[str]:
        if self.op is None:
            return [self.name]
        return [f"{self.name}_{suffix}" for suffix in self.op.list_outputs()]


def _topological(heads: Sequence[tuple[_Node, int]]) -> list[_Node]:
    """Nodes reachable from ``heads``, each after its inputs (MXNet's depth-first order)."""
    order: list[_Node] = []
    seen: set[int] = set()
    for head, _ in heads:
        stack: list[tuple[_Node, int]] = [(head, 0)]
        while stack:
            node, next_input = stack.pop()
            if next_input == 0:
                if id(node) in seen:
                    continue
                seen.add(id(node))
            if next_input < len(node.inputs):
                stack.append((node, next_input + 1))
                child = node.inputs[next_input][0]
                if id(child) not in seen:
                    stack.append((child, 0))
            else:
                order.append(node)
    return order


class Symbol:
    """A symbolic graph with one or more outputs. Build it with ``mx.sym`` functions."""

    __array_priority__ = 1000.0  # numpy defers to Symbol's operators (2 * sym)

    def __init__(self, outputs: list[tuple[_Node, int]]) -> None:
        self._outputs = outputs

    # ---- naming and structure -------------------------------------------------------------
    @property
    def name(self) -> str | None:
        """The node name of a single-output symbol (None for a group)."""
        return self._outputs[0][0].name if len(self._outputs) == 1 else None

    def _nodes(self) -> list[_Node]:
        return _topological(self._outputs)

    def _aux_variables(self) -> set[int]:
        aux = set()
        for node in self._nodes():
            if node.op is not None:
                num_args = len(node.op.list_arguments())
                aux.update(id(entry[0]) for entry in node.inputs[num_args:])
        return aux

    def list_arguments(self) -> list[str]:
        """Names of the inputs that are not auxiliary states, in graph order."""
        aux = self._aux_variables()
        return [n.name for n in self._nodes() if n.is_variable and id(n) not in aux]

    def list_auxiliary_states(self) -> list[str]:
        """Names of the auxiliary states (e.g. BatchNorm's moving mean and variance)."""
        aux = self._aux_variables()
        return [n.name for n in self._nodes() if n.is_variable and id(n) in aux]

    def list_inputs(self) -> list[str]:
        """Names of all variables: arguments and auxiliary states, in graph order."""
        return [n.name for n in self._nodes() if n.is_variable]

    def list_outputs(self) -> list[str]:
        """Names of the outputs, e.g. ``['softmax_output']``."""
        return [node.output_names()[index] for node, index in self._outputs]

    def get_internals(self) -> Symbol:
        """A group of every node's outputs, so ``internals['fc1_output']`` taps a layer."""
        entries = []
        for node in self._nodes():
            count = 1 if node.is_variable else node.op.num_visible_outputs()
            entries.extend((node, i) for i in range(count))
        return Symbol(entries)

    def get_children(self) -> Symbol | None:
        """The inputs of this symbol's node as a group, or None for a variable."""
        node = self._outputs[0][0]
        if node.is_variable:
            return None
        return Symbol([(entry[0], entry[1]) for entry in node.inputs])

    def __getitem__(self, index: int | str) -> Symbol:
        if isinstance(index, str):
            names = self.list_outputs()
            if index not in names:
                raise ValueError(f"no output named {index!r}; outputs are {names}")
            if names.count(index) > 1:
                raise ValueError(f"more than one output is named {index!r}")
            index = names.index(index)
        if not -len(self._outputs) <= index < len(self._outputs):
            raise IndexError(f"output index {index} out of range ({len(self._outputs)} outputs)")
        return Symbol([self._outputs[index]])

    def __iter__(self) -> Iterator[Symbol]:
        return (self[i] for i in range(len(self._outputs)))

    def __len__(self) -> int:
        return len(self._outputs)

    def __repr__(self) -> str:
        if len(self._outputs) == 1:
            return f"<Symbol {self.name}>"
        return f"<Symbol group [{', '.join(n.name for n, _ in self._outputs)}]>"

    def __copy__(self) -> Symbol:
        """A copy with its own nodes, so changing it (``_set_attr``, ``_compose``) leaves this
        symbol alone, as MXNet's copy does."""
        copies: dict[int, _Node] = {}
        for node in self._nodes():  # inputs come first, so their copies already exist
            inputs = [(copies[id(n)], i, v) for n, i, v in node.inputs]
            twin = copies[id(node)] = _Node(node.op, node.name, dict(node.attrs), inputs)
            twin.version = node.version
        return Symbol([(copies[id(n)], i) for n, i in self._outputs])

    # ---- composition ----------------------------------------------------------------------
    def __call__(self, *args: Symbol, **kwargs: Symbol | str) -> Symbol:
        """A copy of this graph with some of its variables replaced by other symbols.

        ``net2(fc3_data=net1, name='composed')`` feeds ``net1`` where ``net2`` read the
        variable ``fc3_data`` and names the head node ``composed``.
        """
        composed = self.__copy__()
        composed._compose(*args, **kwargs)
        return composed

    def _compose(self, *args: Symbol, **kwargs: Symbol | str) -> None:
        """Replace variables of this graph, by name, with the given symbols (in place)."""
        name = kwargs.pop("name", None)
        if args:
            raise TypeError("compose: give the replacements as keywords naming the variables "
                            "they replace, e.g. net(data=other); a composed graph takes no "
                            "positional inputs")
        for key, value in kwargs.items():
            if not isinstance(value, Symbol):
                raise TypeError(f"compose: {key}= must be a Symbol, got {type(value).__name__}")
            if len(value._outputs) != 1:
                raise MXNetError(f"compose: {key}= is a group of {len(value._outputs)} "
                                 f"outputs; a single output is needed")
        if len(self._outputs) != 1 and len({id(n) for n, _ in self._outputs}) != 1:
            raise MXNetError("compose: only a symbol with one output node can be composed")
        head = self._outputs[0][0]
        if head.is_variable:
            raise MXNetError(f"compose: {head.name!r} is a variable; a variable cannot be "
                             f"composed")
        inputs = self.list_inputs()
        unknown = [key for key in kwargs if key not in inputs]
        if unknown:
            raise MXNetError(f"compose: {', '.join(map(repr, unknown))} not among the inputs "
                             f"of the symbol, which are {inputs}")
        for node in self._nodes():
            if node.op is None:
                continue
            num_args = len(node.op.list_arguments())
            for position, (child, _, _) in enumerate(node.inputs):
                if child.is_variable and child.name in kwargs:
                    new_node, new_index = kwargs[child.name]._outputs[0]
                    if position >= num_args:  # an auxiliary state: updated in place
                        new_node.version += 1
                        version = new_node.version
                    else:
                        version = 0
                    node.inputs[position] = (new_node, new_index, version)
        if name:
            head.name = name
            head.op = copy.copy(head.op)  # the original graph shares the operator
            head.op.node_name = name

    def __deepcopy__(self, memo: dict) -> Symbol:
        return load_json(self.tojson())

    # ---- attributes -----------------------------------------------------------------------
    def attr(self, key: str) -> str | None:
        """An attribute (or operator parameter) of this symbol's node, as a string.

        A hidden key can be asked for under either name: ``attr('lr_mult')`` reads
        ``__lr_mult__``.
        """
        attrs = self._outputs[0][0].all_attrs()
        if key not in attrs and key in HIDDEN_KEYS:
            key = dunder(key)
        return attrs.get(key)

    def list_attr(self, recursive: bool = False) -> dict[str, str]:
        """Attributes of this node; ``attr_dict()`` gives those of every node.

        Hidden keys such as ``__lr_mult__`` are also given without underscores, as MXNet does.
        ``recursive=True`` raises DeprecationWarning, as in MXNet 1.9.
        """
        if recursive:
            raise DeprecationWarning("Symbol.list_attr with recursive=True has been deprecated. "
                                     "Please use attr_dict instead.")
        if len(self._outputs) != 1:
            return {}
        return _with_plain_keys(self._outputs[0][0].all_attrs())

    def attr_dict(self) -> dict[str, dict[str, str]]:
        """``{node name: {key: value}}`` for every node that has attributes."""
        return {n.name: _with_plain_keys(n.all_attrs()) for n in self._nodes() if n.all_attrs()}

    def _set_attr(self, **kwargs: str) -> None:
        """Set attributes of this symbol's node (hidden keys are stored as ``__key__``)."""
        for key, value in kwargs.items():
            if not isinstance(value, str):
                raise ValueError(f"_set_attr: attribute {key!r} must be a string, got {value!r}")
            self._outputs[0][0].attrs[node_key(key)] = value

    # ---- inference ------------------------------------------------------------------------
    def _known_inputs(self, args: tuple, kwargs: dict, what: str) -> dict[str, Any]:
        names = self.list_arguments()
        known: dict[str, Any] = {}
        if args:
            if len(args) > len(names):
                raise MXNetError(f"{what}: {len(args)} values for {len(names)} arguments {names}")
            known.update({n: v for n, v in zip(names, args) if v is not None})
        inputs = set(self.list_inputs())
        for key, value in kwargs.items():
            if key not in inputs:
                raise MXNetError(
                    f"{what}: {key!r} is not an input of this symbol; inputs are "
                    f"{self.list_inputs()}"
                )
            if value is not None:
                known[key] = value
        return known

    def _infer(self, known: dict[str, Any], kind: str) -> dict[tuple[int, int], Any]:
        """Propagate shapes (``kind='shape'``) or dtypes through the graph until nothing changes.

        As in MXNet, sweeps go alternately from the inputs to the outputs and back, so an
        operator that knows its output's shape (from the node that consumes it) can complete
        its inputs. A shape may stay partial: 0 for a dimension nobody could decide.
        Returns ``{(id(node), output index): value}``; entries known nothing of are missing.
        """
        nodes = self._nodes()
        values: dict[tuple[int, int], Any] = {}
        hints: dict[tuple[int, int], Any] = {}  # Variable(shape=...), and dtype=
        for node in nodes:
            if node.is_variable:
                hint = _variable_hint(node, kind)
                if hint:  # () is MXNet 1.x's "unknown shape"
                    hints[(id(node), 0)] = hint
                value = known.get(node.name, hint)
                if value:
                    values[(id(node), 0)] = value
        operators = [n for n in nodes if n.op is not None]
        for sweep in range(2 * len(operators) + 2):
            before = dict(values)
            for node in operators if sweep % 2 == 0 else operators[::-1]:
                _infer_node(node, values, kind)
            # MXNet puts a variable's declared shape back while its shape is incomplete, so a
            # partly inferred (0, 3, 0, 0) returns to the declared one; complete shapes stay
            for entry, hint in hints.items():
                if kind == "shape" and not shape_is_known(values.get(entry)):
                    values[entry] = hint
            if values == before:
                break
        return values

    def _infer_lists(self, values: dict, unknown: Any) -> tuple[list, list, list]:
        aux = self._aux_variables()
        nodes = self._nodes()
        variables = [n for n in nodes if n.is_variable]
        args = [values.get((id(n), 0), unknown) for n in variables if id(n) not in aux]
        auxs = [values.get((id(n), 0), unknown) for n in variables if id(n) in aux]
        outs = [values.get((id(n), i), unknown) for n, i in self._outputs]
        return args, outs, auxs

    def infer_shape(self, *args: Any, **kwargs: Any
                    ) -> tuple[list | None, list | None, list | None]:
        """Infer the shapes of all arguments, outputs and auxiliary states.

        Parameters
        ----------
        *args, **kwargs : tuple of int
            Known shapes, by position in ``list_arguments()`` or by name; 0 stands for a
            dimension that is not known, e.g. ``data=(0, 10)``.

        Returns
        -------
        (arg_shapes, out_shapes, aux_shapes), or (None, None, None) with a warning listing the
        arguments whose shape could not be decided.
        """
        arg_shapes, out_shapes, aux_shapes = self.infer_shape_partial(*args, **kwargs)
        if all(shape_is_known(s) for s in arg_shapes + out_shapes + aux_shapes):
            return arg_shapes, out_shapes, aux_shapes
        unknown = [f"{n}: {s}" for n, s in zip(self.list_arguments(), arg_shapes)
                   if not shape_is_known(s)]
        warnings.warn("Cannot decide shape for the following arguments (0s in shape means "
                      "unknown dimensions). Consider providing them as input:\n\t"
                      + "\n\t".join(unknown[:10] + ["..."] * (len(unknown) > 10)), stacklevel=2)
        return None, None, None

    def infer_shape_partial(self, *args: Any, **kwargs: Any) -> tuple[list, list, list]:
        """Like ``infer_shape``, but what cannot be decided is left unknown instead of failing:
        ``()`` for a shape known nothing of, 0 for an unknown dimension."""
        known = {k: tuple(v) for k, v in self._known_inputs(args, kwargs, "infer_shape").items()}
        return self._infer_lists(self._infer(known, "shape"), ())

    def infer_type(self, *args: Any, **kwargs: Any
                   ) -> tuple[list | None, list | None, list | None]:
        """Infer the dtypes of all arguments, outputs and auxiliary states (numpy types), or
        (None, None, None) when some stay unknown."""
        arg_types, out_types, aux_types = self.infer_type_partial(*args, **kwargs)
        if any(t is None for t in arg_types + out_types + aux_types):
            return None, None, None
        return arg_types, out_types, aux_types

    def infer_type_partial(self, *args: Any, **kwargs: Any) -> tuple[list, list, list]:
        """Like ``infer_type``, with None for each type that cannot be decided."""
        known = {k: dtype_np(v) for k, v in self._known_inputs(args, kwargs, "infer_type").items()}
        lists = self._infer_lists(self._infer(known, "type"), None)
        return tuple([None if t is None else t.type for t in types] for types in lists)

    # ---- JSON ----------------------------------------------------------------------------
    def tojson(self) -> str:
        """The graph in MXNet 1.x's JSON format (loadable by MXNet and by ``load_json``)."""
        nodes = self._nodes()
        index = {id(n): i for i, n in enumerate(nodes)}
        records, row_ptr = [], [0]
        for node in nodes:
            record: dict[str, Any] = {"op": "null" if node.is_variable else node.op.name,
                                      "name": node.name}
            attrs = node.all_attrs()
            if attrs:
                record["attrs"] = dict(sorted(attrs.items()))
            record["inputs"] = [[index[id(n)], i, v] for n, i, v in node.inputs]
            records.append(record)
            row_ptr.append(row_ptr[-1] + (1 if node.is_variable else len(node.op.list_outputs())))
        arg_nodes = [i for i, n in enumerate(nodes) if n.is_variable]
        heads = [[index[id(n)], i, 0] for n, i in self._outputs]
        return dumps_graph(records, arg_nodes, row_ptr, heads, getattr(self, "_json_attrs", None))

    def save(self, fname: str | os.PathLike) -> None:
        """Write ``tojson()`` to ``fname`` (atomically)."""
        from ..ndarray.utils import write_atomic

        write_atomic(fname, self.tojson().encode("utf-8"))

    # ---- binding ---------------------------------------------------------------------------
    def simple_bind(self, ctx: Any, grad_req: Any = "write", type_dict: dict | None = None,
                    stype_dict: dict | None = None, group2ctx: dict | None = None,
                    shared_arg_names: list | None = None, shared_exec: Any = None,
                    shared_buffer: dict | None = None, **kwargs: Any) -> Any:
        """Infer shapes from ``kwargs`` (``data=(32, 16)``), allocate all arrays, and bind.

        Parameters
        ----------
        ctx : Context
            The device.
        grad_req : str, list or dict, default 'write'
            'write', 'add' or 'null', for all arguments or per argument.
        type_dict : dict of str to dtype, optional
            Input dtypes (float32 by default).
        group2ctx : dict of str to Context, optional
            The context of the variables of each ``ctx_group`` (see ``mx.AttrScope``).
        **kwargs : tuple of int
            Shapes of the inputs.
        """
        from ..executor import Executor

        _check_unique_inputs(self, "simple_bind")
        _check_memory(self, kwargs)
        return Executor.allocate(self, ctx, grad_req, type_dict or {}, kwargs,
                                 shared_buffer=shared_buffer, shared_exec=shared_exec,
                                 group2ctx=group2ctx)

    def bind(self, ctx: Any, args: Any, args_grad: Any = None, grad_req: Any = "write",
             aux_states: Any = None, group2ctx: dict | None = None,
             shared_exec: Any = None) -> Any:
        """Bind the given arrays (list in ``list_arguments()`` order, or dict by name).

        Parameters
        ----------
        ctx : Context
            The device.
        args : list or dict of NDArray
            Argument values; the executor shares their memory.
        args_grad : list or dict of NDArray, optional
            Where gradients are written.
        grad_req : str, list or dict, default 'write'
            'write', 'add' or 'null'.
        aux_states : list or dict of NDArray, optional
            Auxiliary states.
        """
        from ..executor import Executor

        _check_unique_inputs(self, "bind")
        return Executor(self, ctx, args, args_grad, grad_req, aux_states)

    def eval(self, ctx: Any = None, **kwargs: Any) -> list:
        """Bind with the given input arrays and run a forward pass; returns the outputs."""
        from ..context import current_context

        executor = self.bind(ctx or current_context(), kwargs, grad_req="null")
        return executor.forward()

    # ---- arithmetic builds new nodes -----------------------------------------------------
    def _arith(self, other: Any, array_op: str, scalar_op: str, swap: bool = False) -> Symbol:
        """``self <op> other`` as a new node (``other <op> self`` with ``swap``).

        With another Symbol it is the elementwise operator ``array_op`` (``x + y`` is
        elemwise_add, the operator ``_Plus`` stands for); with a number, ``scalar_op`` with the
        number as its ``scalar`` parameter. The automatic node name comes from the name MXNet
        calls, lower-cased: ``_plus0``, ``_plusscalar0``, ``_equal_scalar0``.
        """
        if isinstance(other, Symbol):
            lhs, rhs = (other, self) if swap else (self, other)
            return _create(array_op, (lhs, rhs), {}, array_op.lower())
        if isinstance(other, (int, float, np.number)) and not isinstance(other, (bool, np.bool_)):
            return _create(scalar_op, (self,), {"scalar": other}, scalar_op.lower())
        raise TypeError(f"type {type(other)} not supported: a Symbol combines with another "
                        f"Symbol or a number")

    def __add__(self, o: Any) -> Symbol:
        return self._arith(o, "_Plus", "_PlusScalar")

    __radd__ = __add__

    def __sub__(self, o: Any) -> Symbol:
        return self._arith(o, "_Minus", "_MinusScalar")

    def __rsub__(self, o: Any) -> Symbol:
        return self._arith(o, "_Minus", "_RMinusScalar", swap=True)

    def __mul__(self, o: Any) -> Symbol:
        return self._arith(o, "_Mul", "_MulScalar")

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> Symbol:
        return self._arith(o, "_Div", "_DivScalar")

    def __rtruediv__(self, o: Any) -> Symbol:
        return self._arith(o, "_Div", "_RDivScalar", swap=True)

    def __mod__(self, o: Any) -> Symbol:
        return self._arith(o, "_Mod", "_ModScalar")

    def __rmod__(self, o: Any) -> Symbol:
        return self._arith(o, "_Mod", "_RModScalar", swap=True)

    def __pow__(self, o: Any) -> Symbol:
        return self._arith(o, "_Power", "_PowerScalar")

    def __rpow__(self, o: Any) -> Symbol:
        return self._arith(o, "_Power", "_rpower_scalar", swap=True)

    def __neg__(self) -> Symbol:
        return self.__mul__(-1.0)

    def __abs__(self) -> Symbol:
        return _create("abs", (self,), {}, "abs")

    # comparisons give 1 where true and 0 where false, in the inputs' type
    def __eq__(self, o: Any) -> Symbol:  # type: ignore[override]
        return self._arith(o, "_equal", "_equal_scalar")

    def __ne__(self, o: Any) -> Symbol:  # type: ignore[override]
        return self._arith(o, "_not_equal", "_not_equal_scalar")

    def __gt__(self, o: Any) -> Symbol:
        return self._arith(o, "_greater", "_greater_scalar")

    def __ge__(self, o: Any) -> Symbol:
        return self._arith(o, "_greater_equal", "_greater_equal_scalar")

    def __lt__(self, o: Any) -> Symbol:
        return self._arith(o, "_lesser", "_lesser_scalar")

    def __le__(self, o: Any) -> Symbol:
        return self._arith(o, "_lesser_equal", "_lesser_equal_scalar")

    # MXNet's symbols are unhashable once == builds nodes; teachmod keeps identity hashing
    __hash__ = object.__hash__

    # A symbol has no value to test or to update in place: these are NDArray-only, as in MXNet
    def __bool__(self) -> bool:
        raise NotImplementedForSymbol(self.__bool__, "bool")

    def __iadd__(self, o: Any) -> Symbol:
        raise NotImplementedForSymbol(self.__iadd__, "+=", o, 1)

    def __isub__(self, o: Any) -> Symbol:
        raise NotImplementedForSymbol(self.__isub__, "-=", o)

    def __imul__(self, o: Any) -> Symbol:
        raise NotImplementedForSymbol(self.__imul__, "*=", o)

    def __itruediv__(self, o: Any) -> Symbol:
        raise NotImplementedForSymbol(self.__itruediv__, "/=", o)

    def __getattr__(self, name: str) -> Any:
        # sym.reshape(...), sym.sum(...), sym.softmax()... call mx.sym.<name>(sym, ...)
        if name.startswith("__") or name not in registry.all_names():
            raise AttributeError(f"'Symbol' object has no attribute {name!r}")
        return lambda *args, **kwargs: _create(name, (self, *args), kwargs, name.lower())


def _infer_node(node: _Node, values: dict[tuple[int, int], Any], kind: str) -> None:
    """Apply one operator's shape or type rule, adding what it learns to ``values``.

    Each input and output entry ends up with what was known of it merged with what the
    operator says; a contradiction is an error naming the node and the input.
    """
    op = node.op
    num_args = len(op.list_arguments())
    entries = [(id(e[0]), e[1]) for e in node.inputs]
    out_entries = [(id(node), i) for i in range(len(op.list_outputs()))]
    given = [values.get(e) for e in entries]
    given_out = [values.get(e) for e in out_entries]
    if kind == "shape":
        if op.rule_reads_outputs("infer_shape"):
            ins, outs, auxs = op.infer_shape(given[:num_args], given_out)
        else:  # a rule written for complete shapes only
            ins, outs, auxs = op.infer_shape(
                [s if shape_is_known(s) else None for s in given[:num_args]])
    else:
        if op.rule_reads_outputs("infer_type"):
            ins, outs, auxs = op.infer_type(given[:num_args], given_out)
        else:
            ins, outs, auxs = op.infer_type(given[:num_args])
    slots = op.list_arguments() + op.list_auxiliary_states()
    names = [f"input '{s}'" for s in slots] + [f"output '{s}'" for s in op.list_outputs()]
    for entry, name, inferred in zip(entries + out_entries, names,
                                     [*ins, *auxs][:len(entries)] + list(outs)):
        before = values.get(entry)
        if inferred is None:
            continue
        if kind == "shape":
            try:
                after = merge_shapes(before, inferred)
            except ValueError:
                raise MXNetError(f"{op.where()}: {name} has shape {tuple(before)} but the "
                                 f"operator needs {tuple(inferred)}") from None
        else:
            after = np.dtype(inferred)
            if before is not None and before != after:
                raise MXNetError(f"{op.where()}: {name} has type {before} but the operator "
                                 f"needs {after}")
        if after is not None:
            values[entry] = after


def _check_unique_inputs(symbol: Symbol, action: str) -> None:
    """Two different variables with one name (usually two layers given the same ``name=``)
    would share one array by name but need their own; refuse before shapes clash."""
    for names in (symbol.list_arguments(), symbol.list_auxiliary_states()):
        seen: set[str] = set()
        for name in names:
            if name in seen:
                users = [n.name for n in symbol._nodes() if n.op is not None and any(
                    entry[0].name == name for entry in n.inputs)]
                raise MXNetError(
                    f"{action}: duplicate name {name!r}: two different inputs are called "
                    f"{name!r} (used by layers {users}); give each layer its own name=, or "
                    f"pass the same Variable to share a weight")
            seen.add(name)


def _memory_limit() -> int:
    """This machine's physical memory in bytes (1 TiB where it cannot be read)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1 << 40


def _check_memory(symbol: Symbol, shapes: dict[str, Any]) -> None:
    """Refuse shapes whose arrays cannot fit in memory before numpy tries to allocate them
    (e.g. a JSON file whose variable claims the shape (2**40, 2**40))."""
    internals = symbol.get_internals()  # every variable and every operator output
    try:
        arg_shapes, out_shapes, _ = internals.infer_shape_partial(**shapes)
    except (TypeError, ValueError):
        return  # simple_bind reports bad shapes itself
    sized = [(math.prod(s), n) for n, s in zip(internals.list_outputs(), out_shapes) if s]
    gradients = sum(math.prod(s) for s in arg_shapes if s)
    total = 4 * (sum(size for size, _ in sized) + gradients)  # float32 bytes
    limit = _memory_limit()
    if total > limit:
        size, name = max(sized)
        raise MXNetError(f"simple_bind: the shapes {shapes} need about {total / 2**30:.3g} GiB "
                         f"of arrays ({name!r} alone has {size} elements), more than this "
                         f"machine's {limit / 2**30:.3g} GiB; check the shapes, num_hidden and "
                         f"kernel sizes")


def _with_plain_keys(attrs: dict[str, str]) -> dict[str, str]:
    result = dict(attrs)
    for key, value in attrs.items():
        if key.startswith("__") and key.endswith("__") and key[2:-2] in HIDDEN_KEYS:
            result[key[2:-2]] = value
    return result


def _variable_hint(node: _Node, kind: str) -> Any:
    """A shape or dtype declared on a variable with ``Variable(shape=..., dtype=...)``."""
    if kind == "shape":
        text = node.attrs.get("__shape__")
        return _shape_attr(node.name, text) or None if text else None  # 0: unknown dim
    flag = node.attrs.get("__dtype__")
    return _dtype_attr(node.name, flag) if flag is not None else None


def _shape_attr(name: str, text: Any) -> tuple[int, ...]:
    """The ``__shape__`` attribute of variable ``name`` as a tuple of ints >= 0."""
    try:
        shape = ast.literal_eval(text) if isinstance(text, str) else None
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        shape = None
    if isinstance(shape, int):
        shape = (shape,)
    if not (isinstance(shape, (tuple, list))
            and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)):
        raise MXNetError(f"variable {name!r}: attribute __shape__ must be a tuple of ints >= 0 "
                         f"such as '(32, 16)', got {text!r}")
    return tuple(shape)


def _dtype_attr(name: str, flag: Any) -> np.dtype:
    """The ``__dtype__`` attribute (MXNet's type flag) of variable ``name`` as a numpy dtype."""
    try:
        return FLAG_TO_DTYPE[int(flag)]
    except (ValueError, TypeError, KeyError):
        raise MXNetError(f"variable {name!r}: attribute __dtype__ must be one of MXNet's type "
                         f"flags {sorted(FLAG_TO_DTYPE)}, got {flag!r}") from None


def Variable(name: str, attr: dict | None = None, shape: Any = None, lr_mult: float | None = None,
             wd_mult: float | None = None, dtype: Any = None, init: Any = None,
             stype: str | None = None, **kwargs: Any) -> Symbol:
    """A named input of the graph: data, label or parameter.

    Parameters
    ----------
    name : str
        The variable's name.
    attr : dict of str to str, optional
        Extra attributes.
    shape : tuple of int, optional
        Its shape, used by shape inference.
    lr_mult, wd_mult : float, optional
        Multipliers of the learning rate and weight decay for this parameter.
    dtype : str or numpy dtype, optional
        Its type.
    init : Initializer or str, optional
        The initializer to use for it (stored as the ``__init__`` attribute).
    """
    if not isinstance(name, str):
        raise TypeError(f"Variable: name must be a string, got {type(name).__name__}")
    attrs = {node_key(k): v for k, v in AttrScope.current().get(attr).items()}
    if shape is not None:
        attrs["__shape__"] = _variable_shape(name, shape)
    if lr_mult is not None:
        attrs["__lr_mult__"] = str(lr_mult)
    if wd_mult is not None:
        attrs["__wd_mult__"] = str(wd_mult)
    if dtype is not None:
        attrs["__dtype__"] = str(DTYPE_TO_FLAG[dtype_np(dtype)])
    if init is not None:
        attrs["__init__"] = init if isinstance(init, str) else init.dumps()
    if stype is not None:
        attrs["__storage_type__"] = str({"default": 0, "row_sparse": 1, "csr": 2}[stype])
    attrs.update(_variable_extra_attrs(kwargs))
    return Symbol([(_Node(None, name, attrs, []), 0)])


def _variable_shape(name: str, shape: Any) -> str:
    """Variable's ``shape`` as its ``__shape__`` attribute: an int is a 1-D shape."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list, np.ndarray)) or not all(
            isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0
            for d in shape):
        raise TypeError(f"Variable {name!r}: shape must be a tuple of ints >= 0 such as "
                        f"(32, 16) (0 for an unknown size), got {shape!r}")
    return str(tuple(int(d) for d in shape))


def _variable_extra_attrs(kwargs: dict[str, Any]) -> dict[str, str]:
    """Variable's extra keyword attributes, which must look like ``__name__``."""
    for key in kwargs:
        if not (key.startswith("__") and key.endswith("__")):
            raise ValueError(
                f"Variable: attribute {key!r} is not supported; extra attributes must start "
                f"and end with double underscores, e.g. __{key}__"
            )
    return {key: str(value) for key, value in kwargs.items()}


var = Variable


def Group(symbols: Sequence[Symbol]) -> Symbol:
    """One symbol whose outputs are the outputs of all ``symbols``, in order."""
    if not symbols or not all(isinstance(s, Symbol) for s in symbols):
        raise TypeError("Group: expected a non-empty list of Symbols")
    return Symbol([entry for s in symbols for entry in s._outputs])


def _create(op_name: str, args: tuple, kwargs: dict, hint: str) -> Symbol:
    """Apply the operator ``op_name``: the body of every ``mx.sym.<op>`` function."""
    kwargs = dict(kwargs)
    name = kwargs.pop("name", None)
    op_class = registry.get(op_name)
    node_name = NameManager.current().get(name, hint)
    # as in MXNet, the scope's attributes and ``attr`` join the keywords: a parameter given
    # there is a parameter, an attribute key is kept on the node
    extra = AttrScope.current().get(kwargs.pop("attr", None))
    for key in extra:
        if key not in op_class.params and not (key.startswith("__") and key.endswith("__")) \
                and operator_key(key, op_class.name) is None:
            raise MXNetError(f"{op_class.name} '{node_name}': attr key {key!r} is not an "
                             f"operator parameter; user attributes must look like '__{key}__'")
    kwargs.update(extra)
    op, inputs, scope = split_call(op_class, args, kwargs, Symbol, node_name)
    entries = []
    num_args = len(op.list_arguments())
    for position, slot in enumerate(op.list_arguments() + op.list_auxiliary_states()):
        given = inputs.get(slot)
        if given is None:
            # a missing input becomes a variable named after the node, carrying its attributes
            var_attrs = {**op.attrs, **scope, **op.input_var_attrs().get(slot, {})}
            given = Symbol([(_Node(None, f"{node_name}_{slot}", var_attrs, []), 0)])
        elif len(given._outputs) != 1:
            raise MXNetError(
                f"{op.where()}: input '{slot}' must be a single-output symbol, got a group of "
                f"{len(given._outputs)} outputs {given.list_outputs()}"
            )
        node, index = given._outputs[0]
        version = 0
        if position >= num_args:  # an auxiliary state is updated in place: bump its version
            node.version += 1
            version = node.version
        entries.append((node, index, version))
    node = _Node(op, node_name, scope, entries)
    return Symbol([(node, i) for i in range(op.num_visible_outputs())])


def create(op_name: str, hint: str | None = None) -> Any:
    """The ``mx.sym`` function of an operator."""

    def function(*args: Any, **kwargs: Any) -> Symbol:
        return _create(op_name, args, kwargs, hint or op_name.lower())

    function.__name__ = op_name
    function.__doc__ = registry.get(op_name).__doc__
    return function


# ---- loading ----------------------------------------------------------------------------------
def load_json(json_str: str) -> Symbol:
    """A symbol from MXNet 1.x JSON (as written by ``tojson`` here or in MXNet).

    Malformed documents (missing keys, inputs that point forward or out of range, which would
    make cycles, unknown operators) raise MXNetError naming the node.
    """
    try:
        graph = json.loads(json_str)
        records = graph["nodes"]
        heads = graph["heads"]
    except (ValueError, KeyError, TypeError, IndexError, RecursionError) as err:
        raise MXNetError(f"load_json: not an MXNet symbol JSON document ({err})") from None
    if not isinstance(records, list) or not isinstance(heads, list) or not heads:
        raise MXNetError("load_json: 'nodes' must be a list of nodes and 'heads' a non-empty "
                         "list of [node, output, version] entries")
    nodes: list[_Node] = []
    for position, record in enumerate(records):
        nodes.append(_load_node(record, position, nodes))
    entries = [_load_entry(head, len(nodes), nodes, "heads") for head in heads]
    symbol = Symbol([(node, index) for node, index, _ in entries])
    if "attrs" in graph:
        symbol._json_attrs = graph["attrs"]
    return symbol


def _load_entry(entry: Any, limit: int, nodes: list[_Node], where: str) -> tuple[_Node, int, int]:
    """One ``[node, output, version]`` reference to an earlier node, checked."""
    if (not isinstance(entry, list) or len(entry) not in (2, 3)
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in entry)):
        raise MXNetError(f"load_json: {where}: an entry must be [node, output, version] "
                         f"integers, got {entry!r}")
    node_index, output, version = entry[0], entry[1], entry[2] if len(entry) > 2 else 0
    if not 0 <= node_index < limit:
        earlier = f"one of the nodes 0..{limit - 1} before it" if limit else "an earlier node"
        raise MXNetError(f"load_json: {where}: input node {node_index} must be {earlier} "
                         f"(a later node would make a cycle)")
    node = nodes[node_index]
    num_outputs = 1 if node.op is None else len(node.op.list_outputs())
    if not 0 <= output < num_outputs:
        raise MXNetError(f"load_json: {where}: node {node.name!r} has {num_outputs} outputs, "
                         f"output {output} does not exist")
    if version < 0:
        raise MXNetError(f"load_json: {where}: negative version {version}")
    if where == "heads" and node.op is not None and output >= node.op.num_visible_outputs():
        # e.g. Pooling's workspace: listed in MXNet's JSON, never computed
        raise MXNetError(f"load_json: heads: output {output} of node {node.name!r} "
                         f"({node.op.list_outputs()[output]}) is hidden and cannot be an "
                         f"output of the network")
    return node, output, version


def _node_attrs(record: dict) -> dict[str, str]:
    """A JSON node's attributes (``attrs``, or the older ``attr`` and ``param`` keys)."""
    attrs = record.get("attrs", record.get("attr", record.get("param", {}))) or {}
    if not isinstance(attrs, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                              for k, v in attrs.items()):
        raise MXNetError(f"load_json: node {record['name']!r}: 'attrs' must map strings to "
                         f"strings, got {str(attrs)[:80]}")
    return attrs


def _load_variable(name: str, attrs: dict[str, str], inputs: list) -> _Node:
    """A JSON node with op 'null': a variable, whose shape and dtype attributes must parse."""
    if inputs:
        raise MXNetError(f"load_json: variable {name!r} cannot have inputs")
    if "__shape__" in attrs:
        _shape_attr(name, attrs["__shape__"])
    if "__dtype__" in attrs:
        _dtype_attr(name, attrs["__dtype__"])
    return _Node(None, name, dict(attrs), [])


def _load_node(record: Any, position: int, nodes: list[_Node]) -> _Node:
    """Node ``position`` of a JSON document; its inputs are among ``nodes`` (the earlier ones)."""
    if not isinstance(record, dict) or not isinstance(record.get("op"), str) \
            or not isinstance(record.get("name"), str):
        raise MXNetError(f"load_json: node {position} must be an object with string 'op' and "
                         f"'name' keys, got {str(record)[:80]}")
    name = record["name"]
    attrs = _node_attrs(record)
    raw_inputs = record.get("inputs", [])
    if not isinstance(raw_inputs, list):
        raise MXNetError(f"load_json: node {name!r}: 'inputs' must be a list, got {raw_inputs!r}")
    where = f"node {name!r}"
    inputs = [_load_entry(entry, position, nodes, where) for entry in raw_inputs]
    if record["op"] == "null":
        return _load_variable(name, attrs, inputs)
    try:
        op_class = registry.get(record["op"])
    except MXNetError:
        raise MXNetError(f"load_json: node {name!r} uses the unknown operator "
                         f"{record['op']!r}") from None
    params = {k: v for k, v in attrs.items() if k in op_class.params}
    user = {k: v for k, v in attrs.items() if k not in op_class.params}
    op = op_class(params, name)
    expected = len(op.list_arguments()) + len(op.list_auxiliary_states())
    if len(inputs) != expected:
        raise MXNetError(f"load_json: {op.where()} has {len(inputs)} inputs, expected {expected} "
                         f"({', '.join(op.list_arguments() + op.list_auxiliary_states())})")
    node = _Node(op, name, user, inputs)
    for variable, _, version in inputs[len(op.list_arguments()):]:
        variable.version = max(variable.version, version)
    return node


def load(fname: str | os.PathLike) -> Symbol:
    """A symbol from a JSON file written by ``save`` (or MXNet's ``prefix-symbol.json``)."""
    try:
        with open(fname, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise MXNetError(f"cannot load symbol: no such file {os.fspath(fname)!r}") from None
    except IsADirectoryError:
        raise MXNetError(f"cannot load symbol: {os.fspath(fname)!r} is a folder") from None
    except UnicodeDecodeError:
        raise MXNetError(f"cannot load symbol: {os.fspath(fname)!r} is not a JSON text file "
                         f"(a .params file is read with mx.nd.load)") from None
    return load_json(text)

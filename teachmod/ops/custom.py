"""Custom: an operator written in Python (``mx.operator.CustomOpProp``), adapted to the registry.

``mx.sym.Custom(x, op_type='square', name='sq')`` makes a node of this operator. It looks up the
prop class registered as ``op_type`` and asks the prop everything the executor needs: the
names of the inputs and outputs, shapes and types, and, at the first forward, the ``CustomOp``
that computes. Tensors go to the Python code as NDArrays over the executor's own buffers, so
what ``forward`` and ``backward`` assign is what the executor sees.
"""
from __future__ import annotations

import numpy as np

from ..base import MXNetError
from ..ndarray.ndarray import NDArray
from ..operator import CustomOp, CustomOpProp, get_prop_class
from .registry import Operator, Param, parse_str, register


@register
class Custom(Operator):
    """Apply the Python operator registered as ``op_type``; other keyword arguments go to its
    prop's constructor as strings."""

    name = "Custom"
    params = {"op_type": Param(parse_str, doc="the name given to mx.operator.register")}

    def __init__(self, attrs: dict | None = None, node_name: str = "") -> None:
        attrs = dict(attrs or {})
        self.node_name = node_name
        if "op_type" not in attrs:
            raise self.fail("required parameter 'op_type' is missing (the name given to "
                            "mx.operator.register)")
        # the prop's own keyword arguments are not parameters of this operator
        prop_kwargs = {k: str(v) for k, v in attrs.items() if k != "op_type"}
        super().__init__({"op_type": attrs["op_type"]}, node_name)
        self.attrs.update(prop_kwargs)
        prop_class = get_prop_class(self.op_type, self.where())
        try:
            self.prop: CustomOpProp = prop_class(**prop_kwargs)
        except TypeError as err:
            raise self.fail(f"{prop_class.__name__}({', '.join(prop_kwargs)}) failed: "
                            f"{err}") from None
        self.is_loss = not self.prop.need_top_grad_
        self._computation: CustomOp | None = None
        self._computed_for: tuple | None = None

    def where(self) -> str:
        op_type = getattr(self, "op_type", None)
        base = super().where()
        return f"{base} (op_type {op_type!r})" if op_type else base

    def list_arguments(self) -> list[str]:
        return list(self.prop.list_arguments())

    def list_outputs(self) -> list[str]:
        return list(self.prop.list_outputs())

    def list_auxiliary_states(self) -> list[str]:
        return list(self.prop.list_auxiliary_states())

    def _checked(self, result: tuple, what: str) -> tuple[list, list, list]:
        """The prop's (inputs, outputs[, aux]) answer, with each list the right length."""
        if not isinstance(result, (tuple, list)) or len(result) not in (2, 3):
            raise self.fail(f"{type(self.prop).__name__}.{what} must return (inputs, outputs) "
                            f"or (inputs, outputs, aux), got {result!r}")
        ins, outs = list(result[0]), list(result[1])
        aux = list(result[2]) if len(result) == 3 else []
        for got, names, kind in ((ins, self.list_arguments(), "inputs"),
                                 (outs, self.list_outputs(), "outputs"),
                                 (aux, self.list_auxiliary_states(), "auxiliary states")):
            if len(got) != len(names):
                raise self.fail(f"{type(self.prop).__name__}.{what} returned {len(got)} "
                                f"{kind}' entries, but the prop lists {len(names)} {kind} "
                                f"{names}")
        return ins, outs, aux

    def infer_shape(self, in_shapes):
        if any(s is None for s in in_shapes):
            return in_shapes, [None] * len(self.list_outputs()), \
                [None] * len(self.list_auxiliary_states())
        ins, outs, aux = self._checked(self.prop.infer_shape([list(s) for s in in_shapes]),
                                       "infer_shape")
        ins = [self.expect_shape(in_shapes, i, tuple(int(d) for d in s))
               for i, s in enumerate(ins)]
        return ins, [tuple(int(d) for d in s) for s in outs], \
            [tuple(int(d) for d in s) for s in aux]

    def infer_type(self, in_types):
        if any(t is None for t in in_types):
            return in_types, [None] * len(self.list_outputs()), \
                [None] * len(self.list_auxiliary_states())
        ins, outs, aux = self._checked(self.prop.infer_type(list(in_types)), "infer_type")
        return ([np.dtype(t) for t in ins], [np.dtype(t) for t in outs],
                [np.dtype(t) for t in aux])

    def _operator_for(self, inputs: list[np.ndarray]) -> CustomOp:
        """The prop's CustomOp for these input shapes and types, created once per shape."""
        key = tuple((x.shape, x.dtype) for x in inputs)
        if self._computation is None or self._computed_for != key:
            from ..context import cpu

            self._computation = self.prop.create_operator(
                cpu(), [list(x.shape) for x in inputs], [x.dtype for x in inputs])
            self._computed_for = key
        return self._computation

    def forward(self, is_train, inputs, aux):
        _, out_shapes, _ = self.infer_shape([x.shape for x in inputs])
        _, out_types, _ = self.infer_type([x.dtype for x in inputs])
        outputs = [np.zeros(s, t) for s, t in zip(out_shapes, out_types)]
        self._operator_for(inputs).forward(
            is_train, ["write"] * len(outputs), [NDArray(x) for x in inputs],
            [NDArray(y) for y in outputs], [NDArray(a) for a in aux])
        return outputs

    def backward(self, out_grads, inputs, outputs, aux):
        req = ["write" if self.needs_grad(i) else "null" for i in range(len(inputs))]
        # NaN marks what backward has not written: writing no gradient at all is an error; an
        # input it leaves alone (such as a label) gets zeros, as MXNet's zeroed gradient arrays
        in_grads = [np.full(x.shape, np.nan, x.dtype) for x in inputs]
        self._operator_for(inputs).backward(
            req, [NDArray(g) for g in out_grads], [NDArray(x) for x in inputs],
            [NDArray(y) for y in outputs], [NDArray(g) for g in in_grads],
            [NDArray(a) for a in aux])
        unwritten = [r != "null" and g.size > 0 and bool(np.isnan(g).all())
                     for g, r in zip(in_grads, req)]
        wanted = [r != "null" and g.size > 0 for g, r in zip(in_grads, req)]
        if any(wanted) and unwritten == wanted:
            i = unwritten.index(True)
            raise MXNetError(f"{self.where()}: backward() did not write any gradient, e.g. "
                             f"that of input {i} ({self.list_arguments()[i]!r}); assign it "
                             f"with self.assign(in_grad[{i}], req[{i}], value)")
        return [None if r == "null" else (np.zeros_like(g) if blank else g)
                for g, r, blank in zip(in_grads, req, unwritten)]

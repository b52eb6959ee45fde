"""_linalg_gemm and _linalg_gemm2 (``mx.sym.linalg.gemm``/``gemm2``): batched matrix products.

``gemm2(A, B) = alpha * op(A) @ op(B)`` and ``gemm(A, B, C) = alpha * op(A) @ op(B) + beta * C``,
where ``op`` transposes when ``transpose_a``/``transpose_b`` is set. The matrices are the
planes spanned by the row axis ``axis`` (default -2) and the last axis; every other axis is a
batch axis, and A, B must agree on them. With ``G`` the head gradient, the gradients are
``alpha * G @ op(B).T`` for op(A), ``alpha * op(A).T @ G`` for op(B) and ``beta * G`` for C;
a transposed operand gets its gradient transposed back.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_bool, parse_float, parse_int, register


def _t(x: np.ndarray) -> np.ndarray:
    return x.swapaxes(-1, -2)


class _Gemm(Operator):
    params = {
        "transpose_a": Param(parse_bool, False, doc="use A transposed"),
        "transpose_b": Param(parse_bool, False, doc="use B transposed"),
        "alpha": Param(parse_float, 1.0, doc="the factor of the product"),
        "axis": Param(parse_int, -2, doc="the row axis of the matrices (columns: the last)"),
    }

    def _axis(self, ndim: int) -> int:
        axis = self.axis + ndim if self.axis < 0 else self.axis
        if ndim < 2 or not 0 <= axis < ndim - 1:
            raise self.fail(f"axis {self.axis} is not a valid row axis for inputs with "
                            f"{ndim} axes (the last axis holds the columns)")
        return axis

    def product_shape(self, a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
        if len(a) != len(b):
            raise self.fail(f"A {a} and B {b} must have the same number of axes")
        axis, last = self._axis(len(a)), len(a) - 1
        if any(a[i] != b[i] for i in range(last) if i != axis):
            raise self.fail(f"A {a} and B {b} must agree on every axis but the row axis "
                            f"{self.axis} and the last")
        rows, inner_a = (a[last], a[axis]) if self.transpose_a else (a[axis], a[last])
        inner_b, cols = (b[last], b[axis]) if self.transpose_b else (b[axis], b[last])
        if inner_a != inner_b:
            raise self.fail(f"A {a} and B {b} do not multiply: {inner_a} columns against "
                            f"{inner_b} rows")
        out = list(a)
        out[axis], out[last] = rows, cols
        return tuple(out)

    def _planes(self, x: np.ndarray) -> np.ndarray:
        """The matrices as the last two axes."""
        return np.moveaxis(x, self._axis(x.ndim), -2)

    def _back(self, x: np.ndarray) -> np.ndarray:
        return np.moveaxis(x, -2, self._axis(x.ndim))

    def _ops(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = self._planes(a), self._planes(b)
        return (_t(a) if self.transpose_a else a), (_t(b) if self.transpose_b else b)

    def product(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        op_a, op_b = self._ops(a, b)
        return self._back(self.alpha * (op_a @ op_b))

    def product_grads(self, grad: np.ndarray, a: np.ndarray, b: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
        op_a, op_b = self._ops(a, b)
        g = self._planes(grad)
        grad_a, grad_b = self.alpha * (g @ _t(op_b)), self.alpha * (_t(op_a) @ g)
        grad_a = _t(grad_a) if self.transpose_a else grad_a
        grad_b = _t(grad_b) if self.transpose_b else grad_b
        return self._back(grad_a), self._back(grad_b)


@register
class LinalgGemm2(_Gemm):
    """``alpha * op(A) @ op(B)``."""

    name = "_linalg_gemm2"
    aliases = ("linalg_gemm2",)
    arguments = ("A", "B")

    def infer_shape(self, in_shapes):
        a, b = in_shapes
        if a is None or b is None:
            return in_shapes, [None], []
        return in_shapes, [self.product_shape(tuple(a), tuple(b))], []

    def forward(self, is_train, inputs, aux):
        return [self.product(*inputs)]

    def backward(self, out_grads, inputs, outputs, aux):
        return list(self.product_grads(out_grads[0], *inputs))


@register
class LinalgGemm(_Gemm):
    """``alpha * op(A) @ op(B) + beta * C``."""

    name = "_linalg_gemm"
    aliases = ("linalg_gemm",)
    arguments = ("A", "B", "C")
    params = {**_Gemm.params, "beta": Param(parse_float, 1.0, doc="the factor of C")}
    backward_reads = ("A", "B")

    def infer_shape(self, in_shapes):
        a, b, _ = in_shapes
        if a is None or b is None:
            return in_shapes, [None], []
        out = self.product_shape(tuple(a), tuple(b))
        return [a, b, self.expect_shape(in_shapes, 2, out)], [out], []

    def forward(self, is_train, inputs, aux):
        a, b, c = inputs
        return [self.product(a, b) + self.beta * c]

    def backward(self, out_grads, inputs, outputs, aux):
        a, b, _ = inputs
        grad_a, grad_b = self.product_grads(out_grads[0], a, b)
        return [grad_a, grad_b, self.beta * out_grads[0]]

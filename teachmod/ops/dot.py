"""dot and batch_dot: matrix products.

``dot`` views each input as a matrix and multiplies: ``lhs`` of shape ``(a1, ..., an, k)``
becomes ``(a1*...*an, k)`` and ``rhs`` of shape ``(k, b1, ..., bm)`` becomes
``(k, b1*...*bm)``; the result has shape ``(a1, ..., an, b1, ..., bm)`` -- the last axis of
``lhs`` is summed against the first axis of ``rhs``. ``transpose_a`` contracts the *first*
axis of ``lhs`` instead (``transpose_b``: the last axis of ``rhs``). Two vectors give their
inner product, of shape (1,).

For ``C = A @ B`` the gradients are ``dA = dC @ B.T`` and ``dB = A.T @ dC``.

``batch_dot`` does one matrix product per batch entry: ``(B, m, k) @ (B, k, n) -> (B, m, n)``.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, optional, parse_bool, parse_str, register


class _MatrixProduct(Operator):
    arguments = ("lhs", "rhs")
    params = {
        "transpose_a": Param(parse_bool, False, doc="transpose lhs before multiplying"),
        "transpose_b": Param(parse_bool, False, doc="transpose rhs before multiplying"),
        "forward_stype": Param(optional(parse_str), None,
                               choices=(None, "default", "csr", "row_sparse"),
                               doc="accepted; teachmod arrays are always dense"),
    }


@register
class Dot(_MatrixProduct):
    """A matrix product of two arrays, each flattened to a matrix around the summed axis."""

    name = "dot"

    def _lhs_matrix(self, lhs: np.ndarray) -> np.ndarray:
        if self.transpose_a:  # sum over the first axis: (k, rest) -> (rest, k)
            return lhs.reshape(lhs.shape[0], -1).T
        return lhs.reshape(-1, lhs.shape[-1])

    def _rhs_matrix(self, rhs: np.ndarray) -> np.ndarray:
        if self.transpose_b:  # sum over the last axis: (rest, k) -> (k, rest)
            return rhs.reshape(-1, rhs.shape[-1]).T
        return rhs.reshape(rhs.shape[0], -1)

    def _out_shape(self, lhs: tuple[int, ...], rhs: tuple[int, ...]) -> tuple[int, ...]:
        if len(lhs) == 1 and len(rhs) == 1:
            if self.transpose_a or self.transpose_b:
                raise self.fail("cannot transpose vectors")
        lhs_k = lhs[0] if self.transpose_a else lhs[-1]
        rhs_k = rhs[-1] if self.transpose_b else rhs[0]
        if lhs_k and rhs_k and lhs_k != rhs_k:  # 0: a size not known yet
            raise self.fail(f"lhs {tuple(lhs)} and rhs {tuple(rhs)} do not match: the summed "
                            f"axis has length {lhs_k} in lhs but {rhs_k} in rhs")
        lhs_rest = lhs[1:] if self.transpose_a else lhs[:-1]
        rhs_rest = rhs[:-1] if self.transpose_b else rhs[1:]
        return (*lhs_rest, *rhs_rest) or (1,)

    infers_backward = True  # takes partial shapes: unknown (0) sizes stay unknown

    def infer_shape(self, in_shapes, out_shapes=None):
        lhs, rhs = in_shapes
        if not lhs or not rhs:
            return in_shapes, [None], []
        return in_shapes, [self._out_shape(lhs, rhs)], []

    def forward(self, is_train, inputs, aux):
        lhs, rhs = inputs
        product = self._lhs_matrix(lhs) @ self._rhs_matrix(rhs)
        return [product.reshape(self._out_shape(lhs.shape, rhs.shape))]

    def backward(self, out_grads, inputs, outputs, aux):
        lhs, rhs = inputs
        a, b = self._lhs_matrix(lhs), self._rhs_matrix(rhs)
        grad = out_grads[0].reshape(a.shape[0], b.shape[1])
        grad_a, grad_b = grad @ b.T, a.T @ grad
        # undo the transposes of _lhs_matrix/_rhs_matrix, then the reshapes
        if self.transpose_a:
            grad_a = grad_a.T
        if self.transpose_b:
            grad_b = grad_b.T
        return [grad_a.reshape(lhs.shape), grad_b.reshape(rhs.shape)]


@register
class BatchDot(_MatrixProduct):
    """One matrix product per entry of the leading (batch) axes."""

    name = "batch_dot"

    def _matrices(self, lhs: np.ndarray, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a = lhs.swapaxes(-1, -2) if self.transpose_a else lhs
        b = rhs.swapaxes(-1, -2) if self.transpose_b else rhs
        return a, b

    infers_backward = True  # takes partial shapes: unknown (0) sizes stay unknown

    def infer_shape(self, in_shapes, out_shapes=None):
        lhs, rhs = in_shapes
        if not lhs or not rhs:
            return in_shapes, [None], []
        batch = tuple(a or b for a, b in zip(lhs[:-2], rhs[:-2]))  # 0: not known yet
        if len(lhs) < 3 or len(lhs) != len(rhs) or any(
                a and b and a != b for a, b in zip(lhs[:-2], rhs[:-2])):
            raise self.fail(f"lhs {tuple(lhs)} and rhs {tuple(rhs)} must both have at least 3 "
                            f"axes and the same leading (batch) axes")
        m, k = (lhs[-1], lhs[-2]) if self.transpose_a else (lhs[-2], lhs[-1])
        k2, n = (rhs[-1], rhs[-2]) if self.transpose_b else (rhs[-2], rhs[-1])
        if not k or not k2:
            return in_shapes, [None], []  # as MXNet: the summed size must be known on both sides
        if k != k2:
            raise self.fail(f"lhs {tuple(lhs)} and rhs {tuple(rhs)} do not match: the summed "
                            f"axis has length {k} in lhs but {k2} in rhs")
        return in_shapes, [(*batch, m, n)], []

    def forward(self, is_train, inputs, aux):
        a, b = self._matrices(*inputs)
        return [a @ b]

    def backward(self, out_grads, inputs, outputs, aux):
        a, b = self._matrices(*inputs)
        g = out_grads[0]
        grad_a, grad_b = g @ b.swapaxes(-1, -2), a.swapaxes(-1, -2) @ g
        if self.transpose_a:
            grad_a = grad_a.swapaxes(-1, -2)
        if self.transpose_b:
            grad_b = grad_b.swapaxes(-1, -2)
        return [grad_a, grad_b]

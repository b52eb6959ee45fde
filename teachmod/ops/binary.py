"""Elementwise binary operators: ``broadcast_*``, ``elemwise_*`` and their Python-operator names.

Every operator is ``y = f(lhs, rhs)`` elementwise. ``BINARY`` holds each ``f`` with its two
partial derivatives, written with ``a`` = lhs, ``b`` = rhs and the output ``y``; the backward
multiplies them by the head gradient ``g``. Comparisons return 1.0 / 0.0 in the input's type
and are flat, so their gradient is zero.

``elemwise_*`` need inputs of equal shape. ``broadcast_*`` follow numpy's broadcasting: shapes
are aligned on the right and an axis of length 1 (or a missing leading axis) is repeated to
match the other input. A repeated input was used once per copy, so its gradient is the sum
of the copies' gradients: ``unbroadcast`` sums the gradient back to the input's shape. It is
the only place broadcasting appears in a backward.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .registry import Operator, merge_shapes, register

Forward = Callable[[np.ndarray, np.ndarray], np.ndarray]
Partial = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def _zero(a, b, y):
    return 0


def _mod(a, b):
    """``a mod b`` with the sign of ``b`` (Python's rule), and 0 where b == 0, as MXNet does."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b == 0, 0, np.mod(a, b))


def _power(a, b):
    """``a ** b``; integers go through float64 first, as C's pow, so 2 ** -1 is 0, not an
    error."""
    if np.result_type(a, b).kind in "iub":
        return np.power(np.asarray(a, np.float64), b)
    return a ** b


def _mod_lhs_slope(y):
    """d(a mod b)/da = 1 -- but MXNet 1.9.1 gives integer mod no gradient at all."""
    return 1 if np.asarray(y).dtype.kind == "f" else 0


def _mod_rhs_slope(a, b, y):
    """d(a mod b)/db = -floor(a / b); 0 where b == 0 (the output is the constant 0 there)
    and, as MXNet 1.9.1, for integers."""
    if np.asarray(y).dtype.kind != "f":
        return 0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b == 0, 0, -np.floor(a / b))


# math: (forward y = f(a, b), dy/da, dy/db)
BINARY: dict[str, tuple[Forward, Partial, Partial]] = {
    "add": (lambda a, b: a + b, lambda a, b, y: 1, lambda a, b, y: 1),
    "sub": (lambda a, b: a - b, lambda a, b, y: 1, lambda a, b, y: -1),
    "mul": (lambda a, b: a * b, lambda a, b, y: b, lambda a, b, y: a),
    "div": (lambda a, b: a / b, lambda a, b, y: 1 / b, lambda a, b, y: -y / b),
    "mod": (_mod, lambda a, b, y: _mod_lhs_slope(y), lambda a, b, y: _mod_rhs_slope(a, b, y)),
    "power": (_power,
              lambda a, b, y: b * a ** (b - 1), lambda a, b, y: y * np.log(a)),
    # ties send the whole gradient to lhs, as MXNet does
    "maximum": (np.maximum, lambda a, b, y: a >= b, lambda a, b, y: a < b),
    "minimum": (np.minimum, lambda a, b, y: a <= b, lambda a, b, y: a > b),
    "hypot": (np.hypot, lambda a, b, y: a / y, lambda a, b, y: b / y),
    "equal": (lambda a, b: a == b, _zero, _zero),
    "not_equal": (lambda a, b: a != b, _zero, _zero),
    "greater": (lambda a, b: a > b, _zero, _zero),
    "greater_equal": (lambda a, b: a >= b, _zero, _zero),
    "lesser": (lambda a, b: a < b, _zero, _zero),
    "lesser_equal": (lambda a, b: a <= b, _zero, _zero),
    "logical_and": (lambda a, b: (a != 0) & (b != 0), _zero, _zero),
    "logical_or": (lambda a, b: (a != 0) | (b != 0), _zero, _zero),
    "logical_xor": (lambda a, b: (a != 0) ^ (b != 0), _zero, _zero),
}


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` (the output's shape) down to ``shape``, the shape of one input.

    Broadcasting repeated the input along the leading axes it lacked and along its axes of
    length 1; summing over exactly those axes adds up the gradients of all the copies.
    """
    leading = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(leading)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True).reshape(shape)


def broadcast_shape(lhs: tuple[int, ...], rhs: tuple[int, ...]) -> tuple[int, ...] | None:
    """numpy's broadcast result shape, or None if the shapes are incompatible."""
    try:
        return tuple(np.broadcast_shapes(tuple(lhs), tuple(rhs)))
    except ValueError:
        return None


class BinaryMath(Operator):
    """``y = f(lhs, rhs)`` elementwise, with ``f`` and its derivatives from ``BINARY[math]``."""

    arguments = ("lhs", "rhs")
    params = {}
    math = ""

    def forward(self, is_train, inputs, aux):
        function = BINARY[self.math][0]
        lhs, rhs = inputs
        # comparisons give booleans: MXNet returns them as 1.0 / 0.0 in the input's type
        return [np.asarray(function(lhs, rhs)).astype(lhs.dtype, copy=False)]

    def backward(self, out_grads, inputs, outputs, aux):
        _, d_lhs, d_rhs = BINARY[self.math]
        (lhs, rhs), y = inputs, outputs[0]
        # MXNet keeps a gradient in its tensor's type: an integer output's is an integer too
        g = out_grads[0].astype(y.dtype, copy=False)
        grad_lhs = unbroadcast(g * d_lhs(lhs, rhs, y), lhs.shape)
        grad_rhs = unbroadcast(g * d_rhs(lhs, rhs, y), rhs.shape)
        return [grad_lhs.astype(lhs.dtype, copy=False), grad_rhs.astype(rhs.dtype, copy=False)]


class Broadcast(BinaryMath):
    """Inputs whose shapes broadcast against each other (numpy rules)."""

    def infer_shape(self, in_shapes):
        lhs, rhs = in_shapes
        if lhs is None or rhs is None:
            return in_shapes, [None], []
        out = broadcast_shape(lhs, rhs)
        if out is None:
            raise self.fail(f"lhs {tuple(lhs)} and rhs {tuple(rhs)} cannot be broadcast "
                            f"together: aligned on the right, each pair of lengths must be "
                            f"equal or contain a 1")
        return in_shapes, [out], []


class Elementwise(BinaryMath):
    """Inputs of exactly the same shape; either one's shape (or the output's) gives the other's."""

    infers_backward = True

    def infer_shape(self, in_shapes, out_shapes=None):
        lhs, rhs = in_shapes
        try:
            merge_shapes(lhs, rhs)
        except ValueError:
            raise self.fail(f"lhs has shape {tuple(lhs)} but rhs has shape {tuple(rhs)}; "
                            f"{self.name} needs equal shapes (broadcast_{self.math} "
                            f"broadcasts)") from None
        return super().infer_shape(in_shapes, out_shapes)  # one shape for all, dim by dim


# (operator name, math, aliases)
BROADCAST_OPS = [
    ("broadcast_add", "add", ("broadcast_plus",)),
    ("broadcast_sub", "sub", ("broadcast_minus",)),
    ("broadcast_mul", "mul", ()),
    ("broadcast_div", "div", ()),
    ("broadcast_mod", "mod", ()),
    ("broadcast_power", "power", ()),
    ("broadcast_maximum", "maximum", ()),
    ("broadcast_minimum", "minimum", ()),
    ("broadcast_hypot", "hypot", ()),
    ("broadcast_equal", "equal", ()),
    ("broadcast_not_equal", "not_equal", ()),
    ("broadcast_greater", "greater", ()),
    ("broadcast_greater_equal", "greater_equal", ()),
    ("broadcast_lesser", "lesser", ()),
    ("broadcast_lesser_equal", "lesser_equal", ()),
    ("broadcast_logical_and", "logical_and", ()),
    ("broadcast_logical_or", "logical_or", ()),
    ("broadcast_logical_xor", "logical_xor", ()),
]

# ``x + y`` on two symbols creates elemwise_add (through its alias _Plus), and so on.
ELEMWISE_OPS = [
    ("elemwise_add", "add", ("_plus", "_Plus", "_add")),
    ("_grad_add", "add", ()),  # what the executor of MXNet adds gradients with
    ("elemwise_sub", "sub", ("_minus", "_Minus", "_sub")),
    ("elemwise_mul", "mul", ("_mul", "_Mul")),
    ("elemwise_div", "div", ("_div", "_Div")),
    ("_scatter_elemwise_div", "div", ()),  # MXNet's sparse-output division; dense here
    ("_mod", "mod", ("_Mod",)),
    ("_power", "power", ("_Power",)),
    ("_maximum", "maximum", ("_Maximum",)),
    ("_minimum", "minimum", ("_Minimum",)),
    ("_hypot", "hypot", ("_Hypot",)),
    ("_equal", "equal", ("_Equal",)),
    ("_not_equal", "not_equal", ("_Not_Equal",)),
    ("_greater", "greater", ("_Greater",)),
    ("_greater_equal", "greater_equal", ("_Greater_Equal",)),
    ("_lesser", "lesser", ("_Lesser",)),
    ("_lesser_equal", "lesser_equal", ("_Lesser_Equal",)),
    ("_logical_and", "logical_and", ("_Logical_And",)),
    ("_logical_or", "logical_or", ("_Logical_Or",)),
    ("_logical_xor", "logical_xor", ("_Logical_Xor",)),
]

# One registered subclass per row, as if written out:
#     class broadcast_add(Broadcast): name = "broadcast_add"; math = "add"; aliases = (...)
for _base, _table in ((Broadcast, BROADCAST_OPS), (Elementwise, ELEMWISE_OPS)):
    for _name, _math, _aliases in _table:
        register(type(_name, (_base,), {"name": _name, "math": _math, "aliases": _aliases,
                                        "__doc__": f"{_name}: elementwise {_math}."}))

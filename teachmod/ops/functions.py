"""Functions of ``mx.nd`` and ``mx.sym`` that are not operators but pick one by their arguments.

``mx.nd.maximum(a, b)`` runs ``broadcast_maximum`` on two arrays, ``_maximum_scalar`` on an
array and a number (either way round: maximum is symmetric), and plain Python on two numbers.
Where order matters the scalar operator has a reversed twin: ``mx.nd.subtract(2, a)`` is
``_rminus_scalar(a, scalar=2)``, ``mx.nd.greater(2, a)`` is ``_lesser_scalar(a, scalar=2)``.
The ``mx.sym`` versions (``pow``, ``maximum``, ``hypot``...) use the equal-shape ``_power``,
``_maximum``... for two symbols, as MXNet does. ``histogram`` picks its operator's
parameters by the kind of ``bins``.
"""
from __future__ import annotations

import math
import operator
from numbers import Number
from typing import Any, Callable

# name: (array with array, array with number, number with array, number with number);
# None in the third place: the function is symmetric, the second serves both ways.
Row = tuple[str, str, str | None, Callable[[Any, Any], Any]]


def _flag(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], float]:
    # comparisons of two numbers answer 1.0 / 0.0 like the array versions
    return lambda x, y: float(test(x, y))


NDARRAY_FUNCTIONS: dict[str, Row] = {
    "add": ("broadcast_add", "_plus_scalar", None, operator.add),
    "subtract": ("broadcast_sub", "_minus_scalar", "_rminus_scalar", operator.sub),
    "multiply": ("broadcast_mul", "_mul_scalar", None, operator.mul),
    "divide": ("broadcast_div", "_div_scalar", "_rdiv_scalar", operator.truediv),
    "true_divide": ("broadcast_div", "_div_scalar", "_rdiv_scalar", operator.truediv),
    "modulo": ("broadcast_mod", "_mod_scalar", "_rmod_scalar", operator.mod),
    "power": ("broadcast_power", "_power_scalar", "_rpower_scalar", operator.pow),
    "maximum": ("broadcast_maximum", "_maximum_scalar", None, max),
    "minimum": ("broadcast_minimum", "_minimum_scalar", None, min),
    "equal": ("broadcast_equal", "_equal_scalar", None, _flag(operator.eq)),
    "not_equal": ("broadcast_not_equal", "_not_equal_scalar", None, _flag(operator.ne)),
    "greater": ("broadcast_greater", "_greater_scalar", "_lesser_scalar", _flag(operator.gt)),
    "greater_equal": ("broadcast_greater_equal", "_greater_equal_scalar",
                      "_lesser_equal_scalar", _flag(operator.ge)),
    "lesser": ("broadcast_lesser", "_lesser_scalar", "_greater_scalar", _flag(operator.lt)),
    "lesser_equal": ("broadcast_lesser_equal", "_lesser_equal_scalar",
                     "_greater_equal_scalar", _flag(operator.le)),
    "logical_and": ("broadcast_logical_and", "_logical_and_scalar", None,
                    _flag(lambda x, y: x and y)),
    "logical_or": ("broadcast_logical_or", "_logical_or_scalar", None,
                   _flag(lambda x, y: x or y)),
    "logical_xor": ("broadcast_logical_xor", "_logical_xor_scalar", None,
                    _flag(lambda x, y: bool(x) != bool(y))),
}

SYMBOL_FUNCTIONS: dict[str, Row] = {
    "pow": ("_power", "_power_scalar", "_rpower_scalar", operator.pow),
    "power": ("_power", "_power_scalar", "_rpower_scalar", operator.pow),
    "maximum": ("_maximum", "_maximum_scalar", None, max),
    "minimum": ("_minimum", "_minimum_scalar", None, min),
    "hypot": ("_hypot", "_hypot_scalar", None, math.hypot),
}


def make_functions(table: dict[str, Row], array_type: type,
                   call: Callable[..., Any]) -> dict[str, Callable[[Any, Any], Any]]:
    """One function per row of ``table``; ``call(op_name, *inputs, **params)`` runs an operator
    (imperatively for ``mx.nd``, as a new node for ``mx.sym``)."""

    def make(name: str, row: Row) -> Callable[[Any, Any], Any]:
        both, with_scalar, scalar_first, numbers = row

        def function(lhs: Any, rhs: Any) -> Any:
            lhs_number = isinstance(lhs, Number) and not isinstance(lhs, bool)
            rhs_number = isinstance(rhs, Number) and not isinstance(rhs, bool)
            if lhs_number and rhs_number:
                return numbers(lhs, rhs)
            if isinstance(lhs, array_type) and isinstance(rhs, array_type):
                return call(both, lhs, rhs)
            if isinstance(lhs, array_type) and rhs_number:
                return call(with_scalar, lhs, scalar=rhs)
            if lhs_number and isinstance(rhs, array_type):
                return call(scalar_first or with_scalar, rhs, scalar=lhs)
            raise TypeError(f"{name}: expected {array_type.__name__}s or numbers, got "
                            f"{type(lhs).__name__} and {type(rhs).__name__}")

        function.__name__ = name
        function.__doc__ = (f"Elementwise {name} of two {array_type.__name__}s ({both}), or "
                            f"of one and a number ({with_scalar}).")
        return function

    return {name: make(name, row) for name, row in table.items()}


def make_histogram(array_type: type, call: Callable[..., Any],
                   data_range: Callable[[Any], tuple[float, float]] | None = None
                   ) -> Callable[..., Any]:
    """``histogram(a, bins=10, range=None)``: ``bins`` is a count of equal bins over ``range``
    or an array of bin edges. Without a range, ``data_range(a)`` gives it (``mx.nd``: the
    data's smallest and largest element, as numpy); ``mx.sym`` cannot know it and asks."""

    def histogram(a: Any, bins: Any = 10, range: Any = None, **kwargs: Any) -> Any:  # noqa: A002
        if isinstance(bins, array_type):
            return call("_histogram", a, bins, **kwargs)
        if isinstance(bins, int) and not isinstance(bins, bool):
            if range is None:
                if data_range is None:
                    raise ValueError("histogram: an integer number of bins needs "
                                     "range=(low, high) in symbol mode")
                range = data_range(a)
            return call("_histogram", a, bin_cnt=bins, range=range, **kwargs)
        raise ValueError(f"histogram: bins must be an integer or a {array_type.__name__} of "
                         f"edges, got {type(bins).__name__}")

    return histogram

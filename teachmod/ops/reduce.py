"""Reductions: sum, mean, prod, max, min, nansum, nanprod, _square_sum and norm over some axes.

``axis`` picks the axes to reduce (an int or a tuple; None or () means all of them);
``exclude=True`` reduces every axis *except* those; ``keepdims=True`` keeps the reduced axes
with length 1. Reducing everything gives shape (1,) -- MXNet 1.x has no 0-d arrays.

The backward broadcasts the head gradient ``g`` back over the reduced axes and multiplies by
the derivative of the reduction with respect to each element:

===========  ========================  ====================================
operator     y                         dy/dx_i
===========  ========================  ====================================
sum          sum x                     1
mean         sum x / n                 1 / n
prod         prod x                    y / x_i
max, min     max x, min x              1 where x_i == y (every tie), else 0
_square_sum  sum x^2                   2 x_i
norm         sqrt(sum x^2) (ord=2)     x_i / y
             sum |x| (ord=1)           sign(x_i)
===========  ========================  ====================================
"""
from __future__ import annotations

import numpy as np

from .registry import (
    Operator,
    Param,
    optional,
    parse_bool,
    parse_int,
    parse_shape,
    parse_str,
    register,
)


class _Reduce(Operator):
    """Shape logic shared by every reduction; subclasses give ``reduce`` and ``derivative``."""

    params = {
        "axis": Param(optional(parse_shape), None, doc="axes to reduce; None reduces all"),
        "keepdims": Param(parse_bool, False, doc="keep the reduced axes with length 1"),
        "exclude": Param(parse_bool, False, doc="reduce every axis except those in axis"),
    }

    def reduced_axes(self, ndim: int) -> tuple[int, ...]:
        """The axes (0..ndim-1) this node reduces for an input with ``ndim`` axes."""
        if not self.axis:
            return tuple(range(ndim))
        axes = []
        for a in self.axis:
            if not -ndim <= a < ndim:
                raise self.fail(f"axis {a} is out of range for data with {ndim} axes")
            if a % ndim in axes:
                raise self.fail(f"axis {self.axis} names axis {a % ndim} twice")
            axes.append(a % ndim)
        if getattr(self, "exclude", False):
            return tuple(a for a in range(ndim) if a not in axes)
        return tuple(sorted(axes))

    def output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        axes = self.reduced_axes(len(shape))
        if self.keepdims:
            return tuple(1 if a in axes else n for a, n in enumerate(shape))
        return tuple(n for a, n in enumerate(shape) if a not in axes) or (1,)

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        return in_shapes, [None if data is None else self.output_shape(tuple(data))], []

    # ---- what a subclass provides -------------------------------------------------------
    def reduce(self, x: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
        """The reduction of ``x`` over ``axes``, keeping them with length 1."""
        raise NotImplementedError

    def derivative(self, x: np.ndarray, y: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
        """dy/dx for every element of ``x`` (``y`` has the reduced axes kept as length 1)."""
        raise NotImplementedError

    # ---- forward and backward -----------------------------------------------------------
    def forward(self, is_train, inputs, aux):
        (x,) = inputs
        y = self.reduce(x, self.reduced_axes(x.ndim))
        # in the data's type, as MXNet: the mean of integers is truncated, int8 sums wrap
        return [y.reshape(self.output_shape(x.shape)).astype(self.out_type(x), copy=False)]

    def out_type(self, x: np.ndarray) -> np.dtype:
        """The output's type: the data's (norm may choose another)."""
        return x.dtype

    def backward(self, out_grads, inputs, outputs, aux):
        (x,) = inputs
        axes = self.reduced_axes(x.ndim)
        # bring y and g back to the keepdims shape so they broadcast against x
        kept = tuple(1 if a in axes else n for a, n in enumerate(x.shape))
        y, g = outputs[0].reshape(kept), out_grads[0].reshape(kept)
        return [(g * self.derivative(x, y, axes)).astype(x.dtype, copy=False)]


@register
class Sum(_Reduce):
    """Sum of the elements."""

    name = "sum"
    aliases = ("sum_axis",)

    def reduce(self, x, axes):
        return x.sum(axis=axes, keepdims=True)

    def derivative(self, x, y, axes):
        return np.ones_like(x)


@register
class Mean(_Reduce):
    """Average of the elements."""

    name = "mean"

    def reduce(self, x, axes):
        return x.mean(axis=axes, keepdims=True)

    def derivative(self, x, y, axes):
        count = int(np.prod([x.shape[a] for a in axes]))
        return np.full_like(x, 1.0 / count)


@register
class Prod(_Reduce):
    """Product of the elements."""

    name = "prod"

    def reduce(self, x, axes):
        return x.prod(axis=axes, keepdims=True)

    def derivative(self, x, y, axes):
        return y / x  # the product of the other elements (as MXNet computes it; inf at 0)


@register
class Max(_Reduce):
    """Largest element."""

    name = "max"
    aliases = ("max_axis",)

    def reduce(self, x, axes):
        return x.max(axis=axes, keepdims=True)

    def derivative(self, x, y, axes):
        return (x == y).astype(x.dtype)


@register
class Min(_Reduce):
    """Smallest element."""

    name = "min"
    aliases = ("min_axis",)

    def reduce(self, x, axes):
        return x.min(axis=axes, keepdims=True)

    def derivative(self, x, y, axes):
        return (x == y).astype(x.dtype)


@register
class NanSum(_Reduce):
    """Sum that treats NaN as 0."""

    name = "nansum"

    def reduce(self, x, axes):
        return np.nansum(x, axis=axes, keepdims=True)

    def derivative(self, x, y, axes):
        return (~np.isnan(x)).astype(x.dtype)


@register
class NanProd(_Reduce):
    """Product that treats NaN as 1."""

    name = "nanprod"

    def reduce(self, x, axes):
        return np.nanprod(x, axis=axes, keepdims=True)

    def derivative(self, x, y, axes):
        return np.where(np.isnan(x), 0, y / x)


@register
class SquareSum(_Reduce):
    """Sum of the squares of the elements (MXNet's helper for sparse gradients' norms)."""

    name = "_square_sum"

    def reduce(self, x, axes):
        return (x * x).sum(axis=axes, keepdims=True)

    def derivative(self, x, y, axes):
        return 2 * x


@register
class Norm(_Reduce):
    """The L2 (``ord=2``) or L1 (``ord=1``) norm of the elements."""

    name = "norm"
    params = {
        "ord": Param(parse_int, 2, choices=(1, 2), doc="2: Euclidean norm, 1: sum of |x|"),
        "axis": Param(optional(parse_shape), None, doc="axes to reduce; None reduces all"),
        "out_dtype": Param(optional(parse_str), None,
                           choices=(None, "float16", "float32", "float64", "int32", "int64",
                                    "int8"),
                           doc="type of the output (default: the input's)"),
        "keepdims": Param(parse_bool, False, doc="keep the reduced axes with length 1"),
    }

    def infer_type(self, in_types):
        in_types, out_types, aux = super().infer_type(in_types)
        if self.out_dtype is not None:
            out_types = [np.dtype(self.out_dtype)]
        return in_types, out_types, aux

    def reduce(self, x, axes):
        if self.ord == 1:
            y = np.abs(x).sum(axis=axes, keepdims=True)
        else:
            y = np.sqrt((x * x).sum(axis=axes, keepdims=True))
        return y

    def out_type(self, x):
        return np.dtype(self.out_dtype or x.dtype)

    def derivative(self, x, y, axes):
        if self.ord == 1:
            return np.sign(x)
        y = y.astype(x.dtype, copy=False)
        # x / y, with 0 where the norm is 0 (the norm has no slope there; MXNet gives 0)
        return np.divide(x, y, out=np.zeros_like(x), where=y != 0)

"""Creation operators: arrays made from parameters alone, with no inputs.

``_zeros``, ``_ones`` and ``_full`` fill a ``shape``; ``_arange`` counts from ``start`` to
``stop`` by ``step``; ``_linspace`` spreads ``num`` values evenly over ``[start, stop]``;
``_eye`` is an ``N x M`` matrix with ones on diagonal ``k``. ``mx.sym.zeros(...)`` and friends
(teachmod/symbol/creation.py) build these nodes; in a graph they are constants, so nothing
flows back through them. Following MXNet's legacy shape rules, a dimension of 0 or -1 (or an
empty shape) is unknown, so the output's shape stays undecided.
"""
from __future__ import annotations

import numpy as np

from .registry import (
    Operator,
    Param,
    optional,
    parse_bool,
    parse_dtype,
    parse_float,
    parse_int,
    parse_shape,
    parse_str,
    register,
)

DTYPES = ("float16", "float32", "float64", "uint8", "int8", "int32", "int64", "bool")


def _common() -> dict[str, Param]:
    return {
        "ctx": Param(parse_str, "", doc="the device; accepted, teachmod computes on the CPU"),
        "dtype": Param(parse_dtype, "float32", choices=DTYPES, doc="type of the output"),
    }


class _Creation(Operator):
    """An operator without inputs: ``infer_shape`` and ``infer_type`` need only the params."""

    arguments = ()

    def out_shape(self) -> tuple[int, ...] | None:
        raise NotImplementedError

    def infer_shape(self, in_shapes, out_shapes=None):
        return [], [self.out_shape()], []

    def infer_type(self, in_types, out_types=None):
        return [], [np.dtype(self.dtype)], []

    def backward(self, out_grads, inputs, outputs, aux):
        return []


class _Filled(_Creation):
    """An array of ``shape`` with every element equal to ``fill``.

    Unknown sizes (0 or -1) may be learnt from the rest of the graph, as MXNet does
    (``ones(shape=(2, -1)) + x`` takes them from x): ``infer_shape`` keeps what it learnt for
    the forward pass.
    """

    fill: float = 0.0
    params = {"shape": Param(parse_shape, (), doc="the shape of the output"), **_common()}
    infers_backward = True
    learnt: tuple[int, ...] | None = None

    def out_shape(self):
        # legacy shapes: 0 and -1 are unknown sizes, written 0 during inference
        return tuple(max(d, 0) for d in self.shape) or None

    def infer_shape(self, in_shapes, out_shapes=None):
        shape, given = self.out_shape(), out_shapes[0] if out_shapes else None
        if shape and given:
            if len(given) != len(shape) or any(a and b and a != b for a, b in zip(shape, given)):
                raise self.fail(f"shape {self.shape} cannot be {tuple(given)}")
            shape = tuple(a or b for a, b in zip(shape, given))
        shape = shape or (tuple(given) if given else None)
        if shape and 0 not in shape:
            self.learnt = shape
        return [], [shape], []

    def forward(self, is_train, inputs, aux):
        shape = self.learnt or self.out_shape()
        if not shape or 0 in shape:
            raise self.fail(f"shape {self.shape} is not fully known (0 and -1 mean unknown) "
                            "and the graph does not decide it")
        return [np.full(shape, self.fill, dtype=self.dtype)]


@register
class Zeros(_Filled):
    """All zeros."""

    name = "_zeros"


@register
class Ones(_Filled):
    """All ones."""

    name = "_ones"
    fill = 1.0


@register
class Full(_Filled):
    """Every element equal to ``value``."""

    name = "_full"
    params = {**_Filled.params, "value": Param(parse_float, doc="the value of every element")}

    @property
    def fill(self) -> float:
        return self.value


@register
class Arange(_Creation):
    """``start, start + step, ...`` below ``stop``, each value repeated ``repeat`` times."""

    name = "_arange"
    params = {
        "start": Param(parse_float, doc="the first value (the end if stop is not given)"),
        "stop": Param(optional(parse_float), None, doc="the end (excluded); None: 0 to start"),
        "step": Param(parse_float, 1.0, doc="the spacing of the values"),
        "repeat": Param(parse_int, 1, doc="how many times each value appears"),
        "infer_range": Param(parse_bool, False, doc="take stop from the output's shape"),
        **_common(),
    }

    def validate(self):
        if self.step == 0:
            raise self.fail("step must not be 0")
        if self.repeat < 1:
            raise self.fail(f"repeat must be >= 1, got {self.repeat}")
        if self.stop is None and not self.infer_range:
            self.start, self.stop = 0.0, self.start  # arange(5) counts 0..4, as in numpy

    def out_shape(self):
        if self.stop is None:
            return None  # infer_range: the length comes from elsewhere in the graph
        count = max(0, int(np.ceil((self.stop - self.start) / self.step)))
        return (count * self.repeat,)

    def forward(self, is_train, inputs, aux):
        if self.stop is None:
            raise self.fail("infer_range=True needs the output's length, which is unknown")
        values = self.start + self.step * np.arange(self.out_shape()[0] // self.repeat)
        return [np.repeat(values, self.repeat).astype(self.dtype)]


@register
class Linspace(_Creation):
    """``num`` evenly spaced values from ``start`` to ``stop``."""

    name = "_linspace"
    params = {
        "start": Param(parse_float, doc="the first value"),
        "stop": Param(parse_float, doc="the last value (with endpoint)"),
        "num": Param(parse_int, doc="how many values"),
        "endpoint": Param(parse_bool, True, doc="include stop"),
        **_common(),
    }

    def validate(self):
        if self.num < 0:
            raise self.fail(f"num must be >= 0, got {self.num}")

    def out_shape(self):
        return (self.num,)

    def forward(self, is_train, inputs, aux):
        values = np.linspace(self.start, self.stop, self.num, endpoint=self.endpoint)
        return [values.astype(self.dtype)]


@register
class Eye(_Creation):
    """An ``N x M`` matrix with ones on diagonal ``k`` (above the main one for k > 0)."""

    name = "_eye"
    params = {
        "N": Param(parse_int, doc="number of rows"),
        "M": Param(parse_int, 0, doc="number of columns; 0: N"),
        "k": Param(parse_int, 0, doc="which diagonal: 0 the main one, > 0 above, < 0 below"),
        **_common(),
    }

    def validate(self):
        if self.N < 0 or self.M < 0:
            raise self.fail(f"N and M must be >= 0, got N={self.N}, M={self.M}")

    def out_shape(self):
        return (self.N, self.M or self.N)

    def forward(self, is_train, inputs, aux):
        return [np.eye(self.N, self.M or self.N, self.k, dtype=self.dtype)]

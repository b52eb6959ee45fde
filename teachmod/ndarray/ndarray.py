"""NDArray: a numpy array plus the context it was asked for, printed the way MXNet prints it."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..base import MXNetError, dtype_np
from ..context import Context, current_context

__all__ = [
    "NDArray", "array", "zeros", "ones", "empty", "full", "arange", "zeros_like", "ones_like",
    "concatenate", "waitall", "from_numpy",
]


def _as_numpy(value: Any) -> Any:
    return value._data if isinstance(value, NDArray) else value


class NDArray:
    """An n-dimensional array on a context.

    It wraps one numpy array (``_data``), computes with numpy, and keeps MXNet's behaviour:
    float32 by default, 1-D results where MXNet 1.x has no 0-D arrays, and MXNet's printed form.
    """

    __slots__ = ("_data", "_ctx", "__weakref__")
    # numpy should defer to NDArray's operators in mixed expressions such as ``2.0 * nd``.
    __array_priority__ = 1000.0

    def __init__(self, data: np.ndarray, ctx: Context | None = None) -> None:
        self._data = data
        self._ctx = ctx if ctx is not None else current_context()

    # ---- properties ---------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The array's shape."""
        return self._data.shape

    @property
    def dtype(self) -> type:
        """The element type as a numpy type, e.g. ``numpy.float32``."""
        return self._data.dtype.type

    @property
    def size(self) -> int:
        """Number of elements."""
        return self._data.size

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return self._data.ndim

    @property
    def context(self) -> Context:
        """The context the array belongs to."""
        return self._ctx

    ctx = context

    @property
    def stype(self) -> str:
        """Storage type; always 'default' (dense)."""
        return "default"

    @property
    def T(self) -> NDArray:
        """Transpose of a 2-D array."""
        if self.ndim > 2:
            raise MXNetError("NDArray.T: only 1-D and 2-D arrays can use .T; use transpose(axes)")
        return self._wrap(self._data.T.copy())

    # ---- conversion ---------------------------------------------------------------------
    def asnumpy(self) -> np.ndarray:
        """A numpy copy of the data."""
        return self._data.copy()

    def asscalar(self) -> Any:
        """The single value of a size-1 array, as a numpy scalar."""
        if self.size != 1:
            raise ValueError(
                f"asscalar: the array must have exactly one element, shape is {self.shape}")
        return self._data.reshape(-1)[0]

    def astype(self, dtype: Any, copy: bool = True) -> NDArray:
        """The array converted to ``dtype``."""
        dtype = dtype_np(dtype)
        if not copy and self._data.dtype == dtype:
            return self
        return self._wrap(self._data.astype(dtype))

    def copy(self) -> NDArray:
        """A deep copy on the same context."""
        return self._wrap(self._data.copy())

    def copyto(self, other: NDArray | Context) -> NDArray:
        """Copy into another array (same shape) or onto a context, returning the copy."""
        if isinstance(other, Context):
            return NDArray(self._data.copy(), other)
        if not isinstance(other, NDArray):
            raise TypeError(f"copyto: expected an NDArray or a Context, got {type(other).__name__}")
        if other.shape != self.shape:
            raise ValueError(f"copyto: shape mismatch, source {self.shape}, target {other.shape}")
        if other is not self:
            np.copyto(other._data, self._data, casting="unsafe")
        return other

    def as_in_context(self, context: Context) -> NDArray:
        """This array if it is on ``context``, else a copy there."""
        return self if context == self._ctx else self.copyto(context)

    def as_np_ndarray(self) -> np.ndarray:
        """The numpy array itself (shares memory)."""
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self._data if dtype is None else self._data.astype(dtype)

    def tolist(self) -> list:
        """Nested Python lists of the values."""
        return self._data.tolist()

    def wait_to_read(self) -> None:
        """MXNet waits for pending work here; numpy has already finished."""

    wait_to_write = wait_to_read

    # ---- shape --------------------------------------------------------------------------
    def reshape(self, *shape: Any, **kwargs: Any) -> NDArray:
        """A view with a new shape; MXNet's special codes 0, -1, -2, -3, -4 are understood."""
        from ..ops.reshape import resolve_reshape

        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = kwargs.pop("shape", shape)
        reverse = kwargs.pop("reverse", False)
        if kwargs:
            raise TypeError(f"reshape: unexpected arguments {sorted(kwargs)}")
        new_shape = resolve_reshape(self.shape, tuple(shape), reverse)
        return self._wrap(self._data.reshape(new_shape))

    def __len__(self) -> int:
        return self.shape[0]

    def __iter__(self):
        for i in range(self.shape[0]):
            yield self[i]

    # ---- indexing -----------------------------------------------------------------------
    def __getitem__(self, key: Any) -> NDArray:
        result = self._data[_as_numpy(key) if isinstance(key, NDArray) else key]
        # MXNet 1.x has no 0-D arrays: x[0] of a 1-D array has shape (1,).
        return self._wrap(result.reshape(1) if result.ndim == 0 else result)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._data[key] = _as_numpy(value)

    # ---- printing -----------------------------------------------------------------------
    def __repr__(self) -> str:
        shape = "x".join(str(d) for d in self.shape)
        return f"\n{self._data}\n<NDArray {shape} @{self._ctx}>"

    def __str__(self) -> str:
        return self.__repr__()

    def __bool__(self) -> bool:
        if self.size != 1:
            raise ValueError(
                f"The truth value of an NDArray with {self.size} elements is ambiguous"
            )
        return bool(self._data.reshape(-1)[0])

    def __float__(self) -> float:
        return float(self.asscalar())

    def __int__(self) -> int:
        return int(self.asscalar())

    # ---- arithmetic (broadcasting like MXNet 1.x NDArray operators) -----------------------
    def _wrap(self, data: np.ndarray) -> NDArray:
        return NDArray(data, self._ctx)

    def _apply(self, name: str, other: Any, reverse: bool = False) -> Any:
        """``mx.nd.<name>(self, other)`` (``(other, self)`` if ``reverse``), as MXNet's
        operators are: ``x + y`` is ``mx.nd.add(x, y)``, which runs ``broadcast_add`` or
        ``_plus_scalar``. teachmod also takes a numpy array for ``other``."""
        from .. import ndarray as nd

        if isinstance(other, np.ndarray):
            other = NDArray(other, self._ctx)
        elif isinstance(other, np.generic):
            other = other.item()
        if not isinstance(other, (NDArray, int, float)):
            return NotImplemented
        function = getattr(nd, name)
        return function(other, self) if reverse else function(self, other)

    def _inplace(self, name: str, other: Any) -> NDArray:
        result = self._apply(name, other)
        if result is NotImplemented:
            return result
        self._data[...] = result._data
        return self

    def __add__(self, o: Any) -> NDArray: return self._apply("add", o)
    def __radd__(self, o: Any) -> NDArray: return self._apply("add", o, True)
    def __sub__(self, o: Any) -> NDArray: return self._apply("subtract", o)
    def __rsub__(self, o: Any) -> NDArray: return self._apply("subtract", o, True)
    def __mul__(self, o: Any) -> NDArray: return self._apply("multiply", o)
    def __rmul__(self, o: Any) -> NDArray: return self._apply("multiply", o, True)
    def __truediv__(self, o: Any) -> NDArray: return self._apply("divide", o)
    def __rtruediv__(self, o: Any) -> NDArray: return self._apply("divide", o, True)
    def __mod__(self, o: Any) -> NDArray: return self._apply("modulo", o)
    def __rmod__(self, o: Any) -> NDArray: return self._apply("modulo", o, True)
    def __pow__(self, o: Any) -> NDArray: return self._apply("power", o)
    def __rpow__(self, o: Any) -> NDArray: return self._apply("power", o, True)
    def __iadd__(self, o: Any) -> NDArray: return self._inplace("add", o)
    def __isub__(self, o: Any) -> NDArray: return self._inplace("subtract", o)
    def __imul__(self, o: Any) -> NDArray: return self._inplace("multiply", o)
    def __itruediv__(self, o: Any) -> NDArray: return self._inplace("divide", o)
    def __imod__(self, o: Any) -> NDArray: return self._inplace("modulo", o)
    def __neg__(self) -> NDArray: return self._apply("multiply", -1.0)

    def __abs__(self) -> NDArray:
        from . import op_function

        return op_function("abs")(self)

    # comparisons give 0/1 in the array's dtype, as MXNet does
    def __eq__(self, o: Any) -> NDArray: return self._apply("equal", o)  # type: ignore[override]
    def __ne__(self, o: Any) -> NDArray: return self._apply("not_equal", o)  # type: ignore[override]
    def __lt__(self, o: Any) -> NDArray: return self._apply("lesser", o)
    def __le__(self, o: Any) -> NDArray: return self._apply("lesser_equal", o)
    def __gt__(self, o: Any) -> NDArray: return self._apply("greater", o)
    def __ge__(self, o: Any) -> NDArray: return self._apply("greater_equal", o)
    __hash__ = object.__hash__

    # ---- methods that call the operator of the same name ----------------------------------
    def __getattr__(self, name: str) -> Callable[..., Any]:
        # x.sum(axis=1), x.exp(), x.softmax()... call mx.nd.<name>(x, ...) like MXNet's methods.
        from . import op_function

        function = op_function(name)
        if function is None:
            raise AttributeError(f"'NDArray' object has no attribute {name!r}")
        return lambda *args, **kwargs: function(self, *args, **kwargs)


# ---- creation -------------------------------------------------------------------------------
def _ctx(ctx: Context | None) -> Context:
    return ctx if ctx is not None else current_context()


def array(source_array: Any, ctx: Context | None = None, dtype: Any = None) -> NDArray:
    """An NDArray from a list, numpy array or NDArray.

    Parameters
    ----------
    source_array : array_like
        The values.
    ctx : Context, optional
        Defaults to the current context.
    dtype : str or numpy dtype, optional
        Defaults to the source's dtype for an NDArray, else float32 -- numpy arrays included,
        as in MXNet.
    """
    if isinstance(source_array, NDArray):
        src = source_array._data
        dtype = src.dtype if dtype is None else dtype
    else:
        src = source_array
        dtype = np.float32 if dtype is None else dtype
    try:
        values = np.array(src, dtype=dtype_np(dtype))
    except ValueError as err:
        if "inhomogeneous" in str(err):
            raise ValueError("array: the nested lists have rows of different lengths (a ragged "
                             "list); every row needs the same number of values") from None
        raise
    return NDArray(values, _ctx(ctx))


def from_numpy(ndarray: np.ndarray, zero_copy: bool = True) -> NDArray:
    """An NDArray sharing memory with a numpy array."""
    return NDArray(ndarray if zero_copy else ndarray.copy())


def _shape(shape: Any) -> tuple[int, ...]:
    return (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)


def zeros(shape: Any, ctx: Context | None = None, dtype: Any = "float32", **_: Any) -> NDArray:
    """An array of zeros."""
    return NDArray(np.zeros(_shape(shape), dtype_np(dtype)), _ctx(ctx))


def ones(shape: Any, ctx: Context | None = None, dtype: Any = "float32", **_: Any) -> NDArray:
    """An array of ones."""
    return NDArray(np.ones(_shape(shape), dtype_np(dtype)), _ctx(ctx))


def empty(shape: Any, ctx: Context | None = None, dtype: Any = "float32") -> NDArray:
    """An uninitialised array (numpy's ``empty``)."""
    return NDArray(np.empty(_shape(shape), dtype_np(dtype)), _ctx(ctx))


def full(shape: Any, val: float, ctx: Context | None = None, dtype: Any = "float32",
         out: NDArray | None = None) -> NDArray:
    """An array filled with ``val``."""
    result = NDArray(np.full(_shape(shape), val, dtype_np(dtype)), _ctx(ctx))
    return result.copyto(out) if out is not None else result


def arange(start: float, stop: float | None = None, step: float = 1.0, repeat: int = 1,
           infer_range: bool = False, ctx: Context | None = None,
           dtype: Any = "float32") -> NDArray:
    """Evenly spaced values in ``[start, stop)``, each repeated ``repeat`` times."""
    values = np.arange(start, stop, step, dtype=dtype_np(dtype))
    return NDArray(np.repeat(values, repeat) if repeat > 1 else values, _ctx(ctx))


def zeros_like(data: NDArray, **_: Any) -> NDArray:
    """Zeros with the shape, dtype and context of ``data``."""
    return NDArray(np.zeros_like(data._data), data.context)


def ones_like(data: NDArray, **_: Any) -> NDArray:
    """Ones with the shape, dtype and context of ``data``."""
    return NDArray(np.ones_like(data._data), data.context)


def concatenate(arrays: list[NDArray], axis: int = 0, always_copy: bool = True) -> NDArray:
    """Join arrays along ``axis``."""
    if not arrays:
        raise ValueError("concatenate: expected at least one array")
    return NDArray(np.concatenate([a._data for a in arrays], axis=axis), arrays[0].context)


def waitall() -> None:
    """MXNet waits for all pending work; numpy work is already finished."""

"""NDArray: a numpy array plus the context it was asked for, printed the way MXNet prints it.

Indexing follows MXNet 1.x: ints, slices (with steps), ``None``, ``Ellipsis``, tuples of them,
and integer lists or NDArrays (advanced indexing, which copies). Basic indexing whose result is
one contiguous block of memory -- ``x[2]``, ``x[1:3]``, ``x[1, 2:4]`` of a C-ordered array --
returns a view that shares memory with ``x``, as MXNet's does; any other result is a copy.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from ..base import MXNetError, dtype_np
from ..context import Context, current_context
from ..util import is_np_shape

__all__ = [
    "NDArray", "array", "zeros", "ones", "empty", "full", "arange", "linspace", "eye",
    "zeros_like", "ones_like", "concatenate", "moveaxis", "onehot_encode", "waitall",
    "from_numpy",
]


py_slice = slice  # MXNet's name for the builtin, which its own ``slice`` method shadows


def _as_numpy(value: Any) -> Any:
    return value._data if isinstance(value, NDArray) else value


def _index_part(part: Any) -> tuple[Any, bool]:
    """One element of an indexing key as numpy takes it, and whether it is basic."""
    if isinstance(part, NDArray):
        part = part._data
    if isinstance(part, (list, np.ndarray)):
        indices = np.asarray(part)
        if indices.dtype.kind == "b":
            raise IndexError("NDArray: boolean masks are not supported as indices (MXNet 1.x "
                             "has none); use mx.nd.contrib.boolean_mask or integer indices")
        return indices.astype(np.int64), False  # MXNet casts float indices to integers
    if part is None or part is Ellipsis or isinstance(part, slice):
        return part, True
    if isinstance(part, (int, np.integer)) and not isinstance(part, bool):
        return int(part), True
    raise IndexError(f"NDArray: an index must be an int, a slice, None, Ellipsis, a list or an "
                     f"NDArray of integers, or a tuple of them; got {type(part).__name__}")


def _begin_end_step(begin: Any, end: Any, step: Any) -> tuple[slice, ...]:
    """The key ``(slice(b0, e0, s0), slice(b1, e1, s1), ...)``; None entries mean the default."""
    step = step if step else [None] * len(begin)
    return tuple(slice(b, e, s) for b, e, s in zip(begin, end, step))


def _index_key(key: Any) -> tuple[Any, bool]:
    """The numpy key for an NDArray key, and whether the indexing is basic (no arrays)."""
    if isinstance(key, tuple):
        parts = [_index_part(p) for p in key]
        return tuple(p for p, _ in parts), all(b for _, b in parts)
    return _index_part(key)


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
        """A transposed copy (all axes reversed); the array itself when it has < 2 axes."""
        if self.ndim < 2:
            return self
        return self._wrap(np.ascontiguousarray(self._data.T))

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
        if other is self:
            warnings.warn("You are attempting to copy an array to itself", RuntimeWarning,
                          stacklevel=2)
            return False  # type: ignore[return-value] - MXNet's answer
        np.copyto(other._data, self._data, casting="unsafe")
        return other

    def as_in_context(self, context: Context) -> NDArray:
        """This array if it is on ``context``, else a copy there."""
        return self if context == self._ctx else self.copyto(context)

    def tostype(self, stype: str) -> NDArray:
        """A copy in storage type ``stype``; teachmod has only 'default' (dense) storage."""
        if stype != "default":
            raise MXNetError(f"tostype: teachmod has dense ('default') storage only, got "
                             f"{stype!r}")
        return self.copy()

    def as_nd_ndarray(self) -> NDArray:
        """The array itself (MXNet converts from its mx.np arrays here)."""
        return self

    def detach(self) -> NDArray:
        """An array sharing this one's memory, cut from autograd (which teachmod does not
        record anyway)."""
        return self._wrap(self._data)

    @property
    def grad(self) -> None:
        """The gradient attached by ``attach_grad``: always None, teachmod has no imperative
        autograd."""
        return None

    def attach_grad(self, grad_req: str = "write", stype: str | None = None) -> None:
        """Not available: raises NotImplementedError (see ``mx.autograd``)."""
        from ..autograd import _unsupported

        raise _unsupported("NDArray.attach_grad")

    def backward(self, out_grad: Any = None, retain_graph: bool = False,
                 train_mode: bool = True) -> None:
        """Not available: raises NotImplementedError (see ``mx.autograd``)."""
        from ..autograd import _unsupported

        raise _unsupported("NDArray.backward")

    def slice_assign(self, rhs: Any, begin: Any, end: Any, step: Any) -> NDArray:
        """Write ``rhs`` into ``self[begin:end:step]`` (one entry per axis) in place."""
        self[_begin_end_step(begin, end, step)] = rhs
        return self

    def slice_assign_scalar(self, value: float, begin: Any, end: Any, step: Any) -> NDArray:
        """Fill ``self[begin:end:step]`` (one entry per axis) with ``value`` in place."""
        return self.slice_assign(value, begin, end, step)

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
        shape = tuple(shape)
        if all(d > 0 for d in shape) and int(np.prod(shape)) != self.size:
            # plain sizes that do not fit: MXNet's NDArray.reshape raises ValueError (a bad use
            # of the special codes is an MXNetError from the operator, as below)
            raise ValueError(f"reshape: cannot reshape an array of size {self.size} into shape "
                             f"{shape}")
        new_shape = resolve_reshape(self.shape, shape, reverse)
        return self._wrap(self._data.reshape(new_shape))

    def _view_or_copy(self, data: np.ndarray, inplace: bool) -> NDArray:
        return self._wrap(data if inplace else data.copy())

    def flatten(self, inplace: bool = False) -> NDArray:
        """Collapse all axes after the first: shape (d0, d1*d2*...); a view with ``inplace``."""
        rest = int(np.prod(self.shape[1:])) if self.ndim > 1 else 1
        return self._view_or_copy(self._data.reshape(self.shape[0] if self.ndim else 1, rest),
                                  inplace)

    def expand_dims(self, axis: int, inplace: bool = False) -> NDArray:
        """Insert an axis of length 1 at ``axis``; a view with ``inplace``."""
        if not -self.ndim - 1 <= axis <= self.ndim:
            raise ValueError(f"expand_dims: axis {axis} is out of range for {self.ndim} dims")
        return self._view_or_copy(np.expand_dims(self._data, axis), inplace)

    def squeeze(self, axis: int | tuple[int, ...] | None = None,
                inplace: bool = False) -> NDArray:
        """Remove axes of length 1 (all, or those in ``axis``); a view with ``inplace``.

        As in MXNet 1.x, squeezing every axis leaves shape (1,), not ().
        """
        squeezed = np.squeeze(self._data, axis=axis)
        if squeezed.ndim == 0 and not is_np_shape():
            squeezed = squeezed.reshape(1)
        return self._view_or_copy(squeezed, inplace)

    def broadcast_to(self, shape: Any) -> NDArray:
        """A copy broadcast to ``shape``; axes of length 1 (or missing in front) are repeated."""
        shape = tuple(int(d) for d in shape)
        if len(shape) < self.ndim:
            raise ValueError(f"broadcast_to: cannot broadcast {self.shape} to {shape}: the "
                             f"target has fewer dimensions")
        padded = (1,) * (len(shape) - self.ndim) + self.shape
        if any(s != t and s != 1 for s, t in zip(padded, shape)):
            raise ValueError(f"broadcast_to: cannot broadcast {self.shape} to {shape}: only "
                             f"axes of length 1 can be broadcast")
        return self._wrap(np.broadcast_to(self._data.reshape(padded), shape).copy())

    def split_v2(self, indices_or_sections: int | tuple, axis: int = 0,
                 squeeze_axis: bool = False) -> list[NDArray]:
        """``mx.nd.split_v2(self, ...)``: split like ``np.split``."""
        from . import split_v2

        return split_v2(self, indices_or_sections, axis, squeeze_axis)

    def broadcast_like(self, other: NDArray) -> NDArray:
        """A copy broadcast to the shape of ``other``."""
        return self.broadcast_to(other.shape)

    def __len__(self) -> int:
        return self.shape[0]

    def __iter__(self):
        for i in range(self.shape[0]):
            yield self[i]

    # ---- indexing -----------------------------------------------------------------------
    def __getitem__(self, key: Any) -> NDArray:
        key, basic = _index_key(key)
        if basic:
            # a trailing Ellipsis makes numpy return a 0-D view, not a scalar copy, for x[1, 2]
            key = key + (Ellipsis,) if isinstance(key, tuple) else (key, Ellipsis)
            if key.count(Ellipsis) > 1:
                key = key[:-1]
        result = self._data[key]
        if not basic or not result.flags.c_contiguous:  # only one block of memory is a view
            result = result.copy()
        # legacy shapes have no 0-D arrays: x[0] of a 1-D array has shape (1,)
        return self._wrap(result.reshape(1) if result.ndim == 0 and not is_np_shape()
                          else result)

    def __setitem__(self, key: Any, value: Any) -> None:
        key, _ = _index_key(key)
        target_shape = np.shape(self._data[key])
        value = _as_numpy(value)
        if np.ndim(value) > 0 and np.shape(value) != target_shape:
            value = np.asarray(value)
            while value.ndim > len(target_shape) and value.shape[0] == 1:
                value = value[0]  # MXNet drops leading axes of length 1 from the value
            try:
                value = np.broadcast_to(value, target_shape)
            except ValueError:
                # MXNet accepts a value with the same elements but extra axes of length 1,
                # e.g. x[0] = array of shape (1,) for a 0-D place
                if value.size != int(np.prod(target_shape)):
                    raise ValueError(f"cannot assign a value of shape {value.shape} to the "
                                     f"indexed part of shape {target_shape}") from None
                value = value.reshape(target_shape)
        self._data[key] = value

    # ---- printing -----------------------------------------------------------------------
    def __repr__(self) -> str:
        shape = "x".join(str(d) for d in self.shape)
        return f"\n{self._data}\n<NDArray {shape} @{self._ctx}>"

    def __str__(self) -> str:
        return self.__repr__()

    def __bool__(self) -> bool:
        if self.size == 0:  # as numpy: an empty array is False
            return False
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

        if isinstance(other, NDArray) and other._data.dtype != self._data.dtype:
            raise MXNetError(f"NDArray operator: the operands have different dtypes, "
                             f"{self._data.dtype} and {other._data.dtype}; convert one with "
                             f".astype('{self._data.dtype}')")
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
    def __ipow__(self, o: Any) -> NDArray: return self._inplace("power", o)
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

    # ---- pickling: MXNet's state, the array in the .params format ---------------------------
    def __getstate__(self) -> dict[str, Any]:
        from .utils import array_bytes

        return {"handle": bytearray(array_bytes(self))}

    def __setstate__(self, state: dict[str, Any]) -> None:
        from .utils import array_from_bytes

        loaded = array_from_bytes(state["handle"])
        self._data, self._ctx = loaded._data, loaded._ctx

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
    """An NDArray made from a C-ordered numpy array.

    With ``zero_copy`` the two share memory and the numpy array becomes read-only (writes go
    through the NDArray, as in MXNet, where the NDArray owns the memory).
    """
    if not ndarray.flags.c_contiguous:
        raise ValueError("from_numpy: the numpy array must be C-contiguous; use "
                         "np.ascontiguousarray(a) first")
    if not zero_copy:
        return NDArray(ndarray.copy())
    if not ndarray.flags.writeable:  # locked by an earlier from_numpy: unlock to share again
        ndarray.flags.writeable = True
    shared = ndarray.view()  # stays writeable after the source is locked
    ndarray.flags.writeable = False
    return NDArray(shared)


def _shape(shape: Any) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(shape)


def _dtype(dtype: Any) -> np.dtype:
    return dtype_np(np.float32 if dtype is None else dtype)


def _created(values: np.ndarray, ctx: Context | None, out: NDArray | None) -> NDArray:
    """A new array of ``values``, or ``values`` written into ``out`` (MXNet's ``out=``)."""
    if out is None:
        return NDArray(values, _ctx(ctx))
    if out.shape != values.shape:
        raise ValueError(f"out: expected an array of shape {values.shape}, got {out.shape}")
    np.copyto(out._data, values, casting="unsafe")
    return out


def zeros(shape: Any, ctx: Context | None = None, dtype: Any = None,
          out: NDArray | None = None, **kwargs: Any) -> NDArray:
    """An array of zeros (float32 by default)."""
    _no_sparse("zeros", kwargs)
    return _created(np.zeros(_known_shape("zeros", shape), _dtype(dtype)), ctx, out)


def ones(shape: Any, ctx: Context | None = None, dtype: Any = None,
         out: NDArray | None = None, **kwargs: Any) -> NDArray:
    """An array of ones (float32 by default)."""
    _no_sparse("ones", kwargs)
    return _created(np.ones(_known_shape("ones", shape), _dtype(dtype)), ctx, out)


def _known_shape(what: str, shape: Any) -> tuple[int, ...]:
    """``shape``, which under legacy shape semantics may hold no 0 (it means "unknown") and may
    not be () -- as MXNet's zeros and ones."""
    shape = _shape(shape)
    if not is_np_shape() and (shape == () or 0 in shape):
        raise MXNetError(f"{what}: shape {shape} is unknown under legacy shape semantics, where "
                         f"0 means an unknown size and () no shape; for zero-size or 0-D arrays "
                         f"use `with mx.np_shape(True):`")
    return shape


def _no_sparse(what: str, kwargs: dict) -> None:
    stype = kwargs.pop("stype", None)
    if stype not in (None, "default"):
        raise MXNetError(f"{what}: teachmod has dense arrays only, got stype={stype!r}")
    if kwargs:
        raise TypeError(f"{what}: unexpected arguments {sorted(kwargs)}")


def empty(shape: Any, ctx: Context | None = None, dtype: Any = None) -> NDArray:
    """An uninitialised array (numpy's ``empty``; float32 by default)."""
    return NDArray(np.empty(_shape(shape), _dtype(dtype)), _ctx(ctx))


def full(shape: Any, val: float, ctx: Context | None = None, dtype: Any = "float32",
         out: NDArray | None = None) -> NDArray:
    """An array filled with ``val``."""
    return _created(np.full(_shape(shape), val, _dtype(dtype)), ctx, out)


def arange(start: float, stop: float | None = None, step: float = 1.0, repeat: int = 1,
           infer_range: bool | None = None, ctx: Context | None = None,
           dtype: Any = "float32") -> NDArray:
    """Evenly spaced values in ``[start, stop)``, each repeated ``repeat`` times.

    As MXNet, the values are computed in float64 and then cast, so integer dtypes count exactly.
    """
    if stop is None:
        start, stop = 0, start
    values = np.arange(start, stop, step, dtype=np.float64).astype(_dtype(dtype))
    return NDArray(np.repeat(values, repeat) if repeat > 1 else values, _ctx(ctx))


def linspace(start: float, stop: float, num: int, endpoint: bool = True,
             ctx: Context | None = None, dtype: Any = "float32") -> NDArray:
    """``num`` evenly spaced values from ``start`` to ``stop`` (included with ``endpoint``)."""
    values = np.linspace(start, stop, int(num), endpoint=endpoint, dtype=np.float64)
    return NDArray(values.astype(_dtype(dtype)), _ctx(ctx))


def eye(N: int, M: int = 0, k: int = 0, ctx: Context | None = None,  # noqa: N803
        dtype: Any = None, **kwargs: Any) -> NDArray:
    """An N x M matrix (M = N when 0) with ones on diagonal ``k`` and zeros elsewhere."""
    _no_sparse("eye", kwargs)
    return NDArray(np.eye(int(N), int(M) or None, int(k), dtype=_dtype(dtype)), _ctx(ctx))


def moveaxis(tensor: NDArray, source: int | list[int],
             destination: int | list[int]) -> NDArray:
    """A copy of ``tensor`` with axis ``source`` moved to position ``destination``."""
    try:
        moved = np.moveaxis(tensor._data, source, destination)
    except (ValueError, np.exceptions.AxisError) as err:
        raise ValueError(f"moveaxis: {err}") from None
    return NDArray(np.ascontiguousarray(moved), tensor.context)


def onehot_encode(indices: NDArray, out: NDArray) -> NDArray:
    """Write the one-hot rows of ``indices`` into the 2-D ``out``: ``out[i, indices[i]] = 1``."""
    rows = np.arange(out.shape[0])
    encoded = np.zeros(out.shape, out._data.dtype)
    encoded[rows, indices._data.astype(np.int64).reshape(-1)] = 1
    out._data[...] = encoded
    return out


def zeros_like(data: NDArray, out: NDArray | None = None, **_: Any) -> NDArray:
    """Zeros with the shape, dtype and context of ``data``."""
    return _created(np.zeros_like(data._data), data.context, out)


def ones_like(data: NDArray, out: NDArray | None = None, **_: Any) -> NDArray:
    """Ones with the shape, dtype and context of ``data``."""
    return _created(np.ones_like(data._data), data.context, out)


def concatenate(arrays: list[NDArray], axis: int = 0, always_copy: bool = True) -> NDArray:
    """Join arrays along ``axis``."""
    if not arrays:
        raise ValueError("concatenate: expected at least one array")
    return NDArray(np.concatenate([a._data for a in arrays], axis=axis), arrays[0].context)


def waitall() -> None:
    """MXNet waits for all pending work; numpy work is already finished."""

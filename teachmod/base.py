"""Shared foundations: the error class and the dtype table used by every file format."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

__all__ = ["MXNetError", "NotImplementedForSymbol", "DTYPE_TO_FLAG", "FLAG_TO_DTYPE",
           "dtype_np", "dtype_name"]


class MXNetError(Exception):
    """The error MXNet raises for misuse of its API; teachmod raises it in the same places."""


class NotImplementedForSymbol(MXNetError):
    """A function that works on NDArrays only was called with a Symbol (e.g. ``sym += 1``)."""

    def __init__(self, function: Callable, alias: str | None, *args: Any) -> None:
        super().__init__()
        self.function = function.__name__
        self.alias = alias
        self.args = [str(type(a)) for a in args]

    def __str__(self) -> str:
        operator = f' (namely operator "{self.alias}")' if self.alias else ""
        arguments = f" with arguments ({', '.join(self.args)})" if self.args else ""
        return (f"Function {self.function}{operator}{arguments} is not implemented for Symbol "
                f"and only available in NDArray.")


# MXNet's type flags, as written in .params files and used by infer_type.
DTYPE_TO_FLAG: dict[np.dtype, int] = {
    np.dtype(np.float32): 0,
    np.dtype(np.float64): 1,
    np.dtype(np.float16): 2,
    np.dtype(np.uint8): 3,
    np.dtype(np.int32): 4,
    np.dtype(np.int8): 5,
    np.dtype(np.int64): 6,
    np.dtype(np.bool_): 7,
}
FLAG_TO_DTYPE: dict[int, np.dtype] = {flag: dt for dt, flag in DTYPE_TO_FLAG.items()}


def dtype_np(dtype: object) -> np.dtype:
    """Turn a dtype given as a string, numpy type or dtype into a numpy dtype MXNet supports."""
    try:
        result = np.dtype(dtype)
    except TypeError as err:
        raise TypeError(f"dtype: expected a numpy dtype or its name, got {dtype!r}") from err
    if result not in DTYPE_TO_FLAG:
        names = ", ".join(sorted(d.name for d in DTYPE_TO_FLAG))
        raise TypeError(f"dtype: MXNet supports {names}; got {result.name}")
    return result


def dtype_name(dtype: object) -> str:
    """The short name MXNet prints for a dtype, e.g. 'float32'."""
    return np.dtype(dtype).name

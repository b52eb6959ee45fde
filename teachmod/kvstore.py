"""The key-value store: where the gradients of several devices meet, as in MXNet's ``kvstore.py``.

A store maps keys (ints or strings) to arrays::

    kv = mx.kv.create('local')
    kv.init('w', mx.nd.zeros((2, 3)))
    kv.push('w', [grad_on_dev0, grad_on_dev1])   # the list is summed
    kv.pull('w', out=[w_on_dev0, w_on_dev1])     # every output gets the stored value

``push`` sums the arrays it is given. Without an optimizer the sum replaces the stored value;
after ``set_optimizer`` the sum is treated as a gradient and the optimizer updates the stored
value (the weight) with it, so that ``push`` of gradients then ``pull`` of weights is one training
step. ``Module`` uses a store in exactly these two ways (see ``Module.init_optimizer``).

teachmod runs in one process: every type of store is the local one; 'dist_*' stores, which
need several machines, raise an error saying so.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .base import MXNetError
from .ndarray.ndarray import NDArray
from .optimizer import Optimizer, Updater, get_updater

__all__ = ["KVStore", "create"]

LOCAL_TYPES = ("local", "device", "local_update_cpu", "local_allreduce_cpu",
               "local_allreduce_device", "nccl")


def _pairs(key: Any, value: Any, what: str) -> list[tuple[Any, list[NDArray]]]:
    """``[(key, [arrays])]`` from a key and its value(s), or from lists of keys and values."""
    if isinstance(key, (list, tuple)):
        if not isinstance(value, (list, tuple)) or len(value) != len(key):
            raise MXNetError(f"KVStore.{what}: {len(key)} keys need a list of {len(key)} "
                             f"values, got {type(value).__name__}")
        return [pair for k, v in zip(key, value) for pair in _pairs(k, v, what)]
    if not isinstance(key, (int, np.integer, str)):
        raise TypeError(f"KVStore.{what}: a key must be an int or a str, got {key!r}")
    arrays = list(value) if isinstance(value, (list, tuple)) else [value]
    for array in arrays:
        if not isinstance(array, NDArray):
            raise TypeError(f"KVStore.{what}: key {key!r}: values must be NDArrays, got "
                            f"{type(array).__name__}")
    return [(int(key) if isinstance(key, np.integer) else key, arrays)]


class KVStore:
    """A key-value store in this process (what MXNet calls a 'local' store).

    Parameters
    ----------
    kvstore_type : str
        The type name reported by ``type``; all local types behave alike here.
    """

    OPTIMIZER = 0  # capabilities, as tested by ``is_capable``

    def __init__(self, kvstore_type: str = "local") -> None:
        self._type = kvstore_type
        self._store: dict[Any, NDArray] = {}
        self._updater: Callable[[Any, NDArray, NDArray], None] | None = None

    @property
    def type(self) -> str:
        """The store's type name, e.g. 'local'."""
        return self._type

    @property
    def rank(self) -> int:
        """This worker's number: always 0 in one process."""
        return 0

    @property
    def num_workers(self) -> int:
        """How many workers share the store: always 1 in one process."""
        return 1

    def is_capable(self, capability: int) -> bool:
        """Whether the store can do ``capability`` (a local store can run an optimizer)."""
        return capability == KVStore.OPTIMIZER

    def init(self, key: Any, value: Any) -> None:
        """Store a copy of ``value`` under ``key`` (or of each value under each key)."""
        for one_key, arrays in _pairs(key, value, "init"):
            if one_key in self._store:
                raise MXNetError(f"KVStore.init: key {one_key!r} is already initialized")
            self._store[one_key] = arrays[0].copy()

    def _stored(self, key: Any, what: str) -> NDArray:
        try:
            return self._store[key]
        except KeyError:
            raise MXNetError(f"KVStore.{what}: key {key!r} has not been initialized; call "
                             f"init({key!r}, value) first") from None

    def push(self, key: Any, value: Any, priority: int = 0) -> None:
        """Sum the value(s) of each key and store the sum, or hand it to the optimizer.

        Parameters
        ----------
        key : int or str, or a list of them
        value : NDArray, a list of NDArrays (summed), or a list of those for a list of keys
        priority : int
            Accepted for compatibility; operations run in order.
        """
        for one_key, arrays in _pairs(key, value, "push"):
            stored = self._stored(one_key, "push")
            for array in arrays:
                if array.shape != stored.shape:
                    raise MXNetError(f"KVStore.push: key {one_key!r} holds shape "
                                     f"{stored.shape}, got a value of shape {array.shape}")
            total = arrays[0]._data.astype(stored.dtype, copy=True)
            for array in arrays[1:]:  # summed in order, as MXNet's CPU reduction does
                total += array._data
            merged = NDArray(total, stored.context)
            if self._updater is not None:
                self._updater(one_key, merged, stored)
            else:
                np.copyto(stored._data, total)

    def pull(self, key: Any, out: Any = None, priority: int = 0,
             ignore_sparse: bool = True) -> None:
        """Copy the stored value of each key into ``out`` (an NDArray or a list of them)."""
        if out is None:
            raise MXNetError("KVStore.pull: give the arrays to copy into with out=")
        for one_key, arrays in _pairs(key, out, "pull"):
            stored = self._stored(one_key, "pull")
            for target in arrays:
                if target.shape != stored.shape:
                    raise MXNetError(f"KVStore.pull: key {one_key!r} holds shape "
                                     f"{stored.shape}, out has shape {target.shape}")
                np.copyto(target._data, stored._data, casting="unsafe")

    def pushpull(self, key: Any, value: Any, out: Any = None, priority: int = 0) -> None:
        """``push`` then ``pull`` (into ``value`` itself when ``out`` is None)."""
        self.push(key, value, priority)
        self.pull(key, value if out is None else out, priority)

    def set_optimizer(self, optimizer: Optimizer) -> None:
        """Let the store update its values with ``optimizer`` on each push."""
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"KVStore.set_optimizer: expected an Optimizer, got "
                            f"{type(optimizer).__name__}")
        self._updater = get_updater(optimizer)

    def _set_updater(self, updater: Callable[[Any, NDArray, NDArray], None]) -> None:
        """Use ``updater(key, pushed, stored)`` on each push (MXNet's private hook)."""
        self._updater = updater

    def _require_updater(self, action: str) -> Updater:
        if not isinstance(self._updater, Updater):
            raise MXNetError(f"KVStore.{action}: no optimizer; call set_optimizer first")
        return self._updater

    def save_optimizer_states(self, fname: str, dump_optimizer: bool = False) -> None:
        """Save the optimizer's states (the Updater's format, no pickle) to ``fname``."""
        from .ndarray.utils import write_atomic

        write_atomic(fname, self._require_updater("save_optimizer_states")
                     .get_states(dump_optimizer))

    def load_optimizer_states(self, fname: str) -> None:
        """Load states written by ``save_optimizer_states``."""
        updater = self._require_updater("load_optimizer_states")
        with open(fname, "rb") as handle:
            updater.set_states(handle.read())

    def barrier(self) -> None:
        """Wait for all workers: there is only this one."""

    def __repr__(self) -> str:
        return f"<KVStore {self._type} with {len(self._store)} keys>"


def create(name: str = "local") -> KVStore:
    """A new store of type ``name`` ('local', 'device', ...).

    Parameters
    ----------
    name : str, default 'local'
    """
    if not isinstance(name, str):
        raise TypeError(f"kvstore.create: name must be a string, got {type(name).__name__}")
    if name.startswith("dist") or name == "horovod" or name == "byteps":
        raise MXNetError(f"kvstore.create: {name!r} trains across several processes or "
                         f"machines; teachmod runs in one process. Use 'local' (or 'device'), "
                         f"which sums the gradients of all contexts of this process")
    if name not in LOCAL_TYPES:
        raise MXNetError(f"kvstore.create: unknown type {name!r}; use one of "
                         f"{', '.join(LOCAL_TYPES)}")
    return KVStore(name)

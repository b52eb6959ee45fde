"""``mx.model``: checkpoints on disk, and the record that batch callbacks receive.

A checkpoint is two files, exactly as MXNet writes them::

    prefix-symbol.json      the network (``Symbol.save``)
    prefix-0003.params      the weights after epoch 3: an NDArray file whose keys are
                            ``arg:fc1_weight``, ..., ``aux:bn_moving_mean``, ...

Both are written to a temporary file and then renamed, so a save that is interrupted never
destroys the previous checkpoint. Nothing here uses pickle.
"""
from __future__ import annotations

import logging
import os
import re
from collections import namedtuple
from typing import Any

from . import ndarray as nd
from . import symbol as sym
from .base import MXNetError
from .context import cpu
from .ndarray.ndarray import NDArray

__all__ = ["BatchEndParam", "save_checkpoint", "load_checkpoint", "load_params"]

# What ``fit`` passes to batch_end_callback and eval_end_callback (same name and fields as MXNet).
BatchEndParam = namedtuple("BatchEndParams", ["epoch", "nbatch", "eval_metric", "locals"])


def _params_file(prefix: str, epoch: int) -> str:
    return "%s-%04d.params" % (prefix, epoch)


def _symbol_file(prefix: str) -> str:
    return "%s-symbol.json" % prefix


def save_checkpoint(prefix: str, epoch: int, symbol: Any, arg_params: dict[str, NDArray],
                    aux_params: dict[str, NDArray] | None,
                    remove_amp_cast: bool = True) -> None:
    """Save a symbol and its parameters as ``prefix-symbol.json`` and ``prefix-%04d.params``.

    Parameters
    ----------
    prefix : str
        Path prefix of the files, e.g. ``'checkpoints/mlp'``.
    epoch : int
        The epoch number, written with four digits (``mlp-0003.params``).
    symbol : Symbol or None
        The network; None saves only the parameters.
    arg_params : dict of str to NDArray
        Weights and biases, saved under ``arg:NAME``.
    aux_params : dict of str to NDArray
        Auxiliary states (BatchNorm's moving mean and variance), saved under ``aux:NAME``.
    remove_amp_cast : bool, default True
        Accepted for compatibility; teachmod has no mixed-precision cast operators to remove.
    """
    if symbol is not None:
        symbol.save(_symbol_file(prefix))
    param_name = _params_file(prefix, epoch)
    save_params_file(param_name, arg_params, aux_params)
    logging.info('Saved checkpoint to "%s"', param_name)


def save_params_file(fname: str, arg_params: dict[str, NDArray],
                     aux_params: dict[str, NDArray] | None) -> None:
    """Write parameters to ``fname`` as ``arg:NAME``/``aux:NAME`` arrays (atomically)."""
    save_dict = {"arg:%s" % k: v.as_in_context(cpu()) for k, v in arg_params.items()}
    save_dict.update({"aux:%s" % k: v.as_in_context(cpu()) for k, v in (aux_params or {}).items()})
    nd.save(fname, save_dict)


def _existing_epochs(prefix: str) -> list[int]:
    """Epoch numbers of the ``prefix-NNNN.params`` files that exist."""
    directory, base = os.path.split(prefix)
    try:
        names = os.listdir(directory or ".")
    except OSError:
        return []
    pattern = re.compile(re.escape(base) + r"-(\d{4,})\.params$")
    return sorted(int(m.group(1)) for m in map(pattern.match, names) if m)


def _missing_file_error(path: str, prefix: str) -> MXNetError:
    epochs = _existing_epochs(prefix)
    if epochs:
        found = "checkpoints with this prefix exist for epochs " + ", ".join(map(str, epochs))
    else:
        where = os.path.dirname(os.path.abspath(prefix))
        found = f"there are no {os.path.basename(prefix)}-NNNN.params files in {where!r}"
    return MXNetError(f"cannot load checkpoint: no such file {path!r}; {found}")


def load_params(prefix: str, epoch: int) -> tuple[dict[str, NDArray], dict[str, NDArray]]:
    """Load ``prefix-%04d.params`` and split it into argument and auxiliary parameters.

    Parameters
    ----------
    prefix : str
        Path prefix of the checkpoint.
    epoch : int
        The epoch number.

    Returns
    -------
    arg_params : dict of str to NDArray
        The ``arg:`` entries, without the prefix.
    aux_params : dict of str to NDArray
        The ``aux:`` entries, without the prefix.
    """
    path = _params_file(prefix, epoch)
    if not os.path.exists(path):
        raise _missing_file_error(path, prefix)
    return load_params_file(path)


def load_params_file(path: str) -> tuple[dict[str, NDArray], dict[str, NDArray]]:
    """Read a ``.params`` file and split its ``arg:``/``aux:`` arrays into two dicts."""
    try:
        save_dict = nd.load(path)
    except UnicodeDecodeError as err:
        raise MXNetError(f"cannot load {path!r}: a parameter name is not valid UTF-8 ({err}); "
                         f"the file is corrupt or is not an MXNet NDArray file") from None
    arg_params: dict[str, NDArray] = {}
    aux_params: dict[str, NDArray] = {}
    if not save_dict:
        logging.warning("Params file '%s' is empty", path)
        return arg_params, aux_params
    if isinstance(save_dict, list):
        raise MXNetError(f"cannot load {path!r} as a checkpoint: it holds {len(save_dict)} arrays "
                         f"without names (saved from a list); a checkpoint names each array "
                         f"'arg:NAME' or 'aux:NAME'")
    bad = []
    for key, value in save_dict.items():
        kind, _, name = key.partition(":")
        if kind == "arg" and name:
            arg_params[name] = value
        elif kind == "aux" and name:
            aux_params[name] = value
        else:
            bad.append(key)
    if bad:
        raise MXNetError(f"cannot load {path!r} as a checkpoint: the names {bad} do not start "
                         f"with 'arg:' or 'aux:' (use mx.nd.load for plain NDArray files)")
    return arg_params, aux_params


def load_checkpoint(prefix: str, epoch: int) -> tuple[Any, dict[str, NDArray],
                                                      dict[str, NDArray]]:
    """Load a checkpoint written by ``save_checkpoint`` (here or in MXNet).

    Parameters
    ----------
    prefix : str
        Path prefix of the checkpoint.
    epoch : int
        The epoch number.

    Returns
    -------
    symbol : Symbol
        The network, from ``prefix-symbol.json``.
    arg_params : dict of str to NDArray
        Weights and biases.
    aux_params : dict of str to NDArray
        Auxiliary states.
    """
    path = _symbol_file(prefix)
    if not os.path.exists(path):
        raise _missing_file_error(path, prefix)
    try:
        symbol = sym.load(path)
    except MXNetError as err:
        raise MXNetError(f"cannot load the symbol in {path!r}: {err}") from None
    arg_params, aux_params = load_params(prefix, epoch)
    return symbol, arg_params, aux_params


# ---- how Module uses a kvstore (MXNet's rules, from its model.py) -----------------------------
def _create_kvstore(kvstore: Any, num_device: int, arg_params: dict[str, NDArray]
                    ) -> tuple[Any, bool]:
    """The store to use and whether the optimizer runs inside it (``update_on_kvstore``).

    A name with one device gives no store (there is nothing to sum). Otherwise the optimizer
    runs in the store, unless the environment variable MXNET_UPDATE_ON_KVSTORE=0 says not to,
    or a 'local' store would hold a parameter of more than 16M elements.
    """
    from . import kvstore as kvs

    update_on_kvstore = bool(int(os.getenv("MXNET_UPDATE_ON_KVSTORE", "1")))
    if kvstore is None:
        store = None
    elif isinstance(kvstore, kvs.KVStore):
        store = kvstore
    elif isinstance(kvstore, str):
        store = kvs.create(kvstore)  # checks the name, even when one device needs no store
        if num_device == 1:
            store = None
        elif kvstore == "local" and arg_params:
            if max(p.size for p in arg_params.values()) > 1024 * 1024 * 16:
                update_on_kvstore = False
    else:
        raise TypeError(f"kvstore must be a KVStore, a str or None, got "
                        f"{type(kvstore).__name__}")
    if store is None:
        return None, False
    return store, update_on_kvstore and store.is_capable(kvs.KVStore.OPTIMIZER)


def _initialize_kvstore(kvstore: Any, param_arrays: list[list[NDArray]],
                        arg_params: dict[str, NDArray], param_names: list[str],
                        update_on_kvstore: bool) -> None:
    """Put each parameter into the store; when the store updates, its copy is the master."""
    for name, blocks in zip(param_names, param_arrays):
        kvstore.init(name, arg_params[name])
        if update_on_kvstore:
            kvstore.pull(name, blocks)


def _update_params(param_arrays: list[list[NDArray]], grad_arrays: list[list[Any]],
                   updater: Any, num_device: int, kvstore: Any, param_names: list[str],
                   update_on_kvstore: bool) -> None:
    """One optimizer step for every parameter on every device.

    With ``update_on_kvstore`` the gradients of all devices are pushed (summed and applied in
    the store) and the new weights pulled. Otherwise a store only sums the gradients, and each
    device's copy is updated by ``updater`` under index ``index * num_device + k``, as MXNet
    does (without a store each device steps with its own gradient).
    """
    for index, (weights, grads) in enumerate(zip(param_arrays, grad_arrays)):
        if grads[0] is None:
            continue  # a fixed parameter
        name = param_names[index]
        if update_on_kvstore:
            kvstore.pushpull(name, grads, out=weights, priority=-index)
            continue
        if kvstore is not None:
            kvstore.pushpull(name, grads, priority=-index)
        for k, (weight, grad) in enumerate(zip(weights, grads)):
            updater(index * num_device + k, grad, weight)

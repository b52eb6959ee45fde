"""Checkpoints of networks built from RNN cells: weights are saved unpacked (one array per
gate, readable and loadable by the unfused cells) and packed again on loading."""
from __future__ import annotations

from typing import Any, Callable

from ..model import load_checkpoint, save_checkpoint
from .rnn_cell import BaseRNNCell


def _as_cells(cells: Any) -> list[BaseRNNCell]:
    return [cells] if isinstance(cells, BaseRNNCell) else list(cells)


def save_rnn_checkpoint(cells: Any, prefix: str, epoch: int, symbol: Any, arg_params: dict,
                        aux_params: dict) -> None:
    """``mx.model.save_checkpoint`` after ``unpack_weights`` of every cell.

    Writes ``prefix-symbol.json`` and ``prefix-%04d.params`` (epoch).
    """
    for cell in _as_cells(cells):
        arg_params = cell.unpack_weights(arg_params)
    save_checkpoint(prefix, epoch, symbol, arg_params, aux_params)


def load_rnn_checkpoint(cells: Any, prefix: str, epoch: int) -> tuple[Any, dict, dict]:
    """``mx.model.load_checkpoint``, then ``pack_weights`` of every cell:
    returns ``(symbol, arg_params, aux_params)``."""
    sym, arg, aux = load_checkpoint(prefix, epoch)
    for cell in _as_cells(cells):
        arg = cell.pack_weights(arg)
    return sym, arg, aux


def do_rnn_checkpoint(cells: Any, prefix: str, period: int = 1) -> Callable[..., None]:
    """An ``epoch_end_callback`` for ``fit`` saving an RNN checkpoint every ``period`` epochs."""
    period = int(max(1, period))

    def _callback(iter_no: int, sym: Any = None, arg: dict | None = None,
                  aux: dict | None = None) -> None:
        if (iter_no + 1) % period == 0:
            save_rnn_checkpoint(cells, prefix, iter_no + 1, sym, arg, aux)

    return _callback

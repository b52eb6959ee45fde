"""``mx.callback``: functions that ``fit`` calls after each batch or epoch.

Batch callbacks (``batch_end_callback=``) receive a ``BatchEndParam(epoch, nbatch, eval_metric,
locals)``; epoch callbacks (``epoch_end_callback=``) receive ``(epoch, symbol, arg_params,
aux_params)``. Every message goes through ``logging.info`` on the root logger, word for word as
MXNet 1.9 writes it, so ``logging.basicConfig(level=logging.INFO)`` shows the familiar lines::

    Epoch[0] Batch [0-100]	Speed: 25000.31 samples/sec	accuracy=0.512500
"""
from __future__ import annotations

import logging
import math
import time
from typing import Any, Callable

from .model import save_checkpoint

__all__ = ["Speedometer", "do_checkpoint", "module_checkpoint", "log_train_metric",
           "ProgressBar", "LogValidationMetricsCallback"]

EpochCallback = Callable[..., None]


def module_checkpoint(mod: Any, prefix: str, period: int = 1,
                      save_optimizer_states: bool = False) -> EpochCallback:
    """An epoch callback that calls ``mod.save_checkpoint`` every ``period`` epochs.

    Parameters
    ----------
    mod : BaseModule
        The module to save.
    prefix : str
        Path prefix of the checkpoint files.
    period : int, default 1
        Save after every ``period``-th epoch.
    save_optimizer_states : bool, default False
        Also save the optimizer states (``prefix-%04d.states``) to resume training.

    Returns
    -------
    callable(iter_no, sym=None, arg=None, aux=None)
        Pass it as ``epoch_end_callback`` to ``fit``.
    """
    period = int(max(1, period))

    def _callback(iter_no: int, sym: Any = None, arg: Any = None, aux: Any = None) -> None:
        if (iter_no + 1) % period == 0:
            mod.save_checkpoint(prefix, iter_no + 1, save_optimizer_states)

    return _callback


def do_checkpoint(prefix: str, period: int = 1) -> EpochCallback:
    """An epoch callback that saves ``prefix-symbol.json`` and ``prefix-%04d.params``.

    The file of epoch index ``i`` (counted from 0) is numbered ``i + 1``, so after the first
    epoch ``prefix-0001.params`` is written and ``Saved checkpoint to "prefix-0001.params"``
    is logged.

    Parameters
    ----------
    prefix : str
        Path prefix of the checkpoint files.
    period : int, default 1
        Save after every ``period``-th epoch.

    Returns
    -------
    callable(iter_no, sym, arg, aux)
        Pass it as ``epoch_end_callback`` to ``fit``.

    Examples
    --------
    >>> mod.fit(train_iter, num_epoch=2, epoch_end_callback=mx.callback.do_checkpoint('mlp'))
    """
    period = int(max(1, period))

    def _callback(iter_no: int, sym: Any, arg: dict, aux: dict) -> None:
        if (iter_no + 1) % period == 0:
            save_checkpoint(prefix, iter_no + 1, sym, arg, aux)

    return _callback


def log_train_metric(period: int, auto_reset: bool = False) -> Callable[[Any], None]:
    """A batch callback that logs the training metric every ``period`` batches.

    Parameters
    ----------
    period : int
        Log when the batch number is a multiple of ``period``.
    auto_reset : bool, default False
        Reset the metric's local statistics after each log.

    Returns
    -------
    callable(BatchEndParam)
        Pass it as ``batch_end_callback`` to ``fit``.
    """
    def _callback(param: Any) -> None:
        if param.nbatch % period == 0 and param.eval_metric is not None:
            for name, value in param.eval_metric.get_name_value():
                logging.info("Iter[%d] Batch[%d] Train-%s=%f", param.epoch, param.nbatch,
                             name, value)
            if auto_reset:
                param.eval_metric.reset_local()

    return _callback


class Speedometer:
    """A batch callback that logs the training speed and the metric every ``frequent`` batches.

    The first call (and the first call of each new epoch) only starts the clock. Later, when
    ``nbatch`` is a multiple of ``frequent``, it logs the samples per second since the last log::

        Epoch[0] Batch [50-100]	Speed: 25000.31 samples/sec	accuracy=0.512500

    Parameters
    ----------
    batch_size : int
        Samples per batch, to turn batches per second into samples per second.
    frequent : int, default 50
        Log every ``frequent`` batches.
    auto_reset : bool, default True
        Reset the metric's local statistics after each log, so each line shows the metric over
        the last ``frequent`` batches; with False it covers the epoch so far (``Batch [0-100]``).

    Examples
    --------
    >>> mod.fit(train_iter, num_epoch=2, batch_end_callback=mx.callback.Speedometer(32, 100))
    """

    def __init__(self, batch_size: int, frequent: int = 50, auto_reset: bool = True) -> None:
        self.batch_size = batch_size
        self.frequent = frequent
        self.auto_reset = auto_reset
        self.init = False
        self.tic = 0.0
        self.last_count = 0

    def __call__(self, param: Any) -> None:
        count = param.nbatch
        if self.last_count > count:  # a new epoch began: start the clock again
            self.init = False
        self.last_count = count

        if not self.init:
            self.init = True
            self.tic = time.time()
            return
        if count % self.frequent != 0:
            return
        try:
            speed = self.frequent * self.batch_size / (time.time() - self.tic)
        except ZeroDivisionError:
            speed = float("inf")
        metric = param.eval_metric
        if metric is None:
            logging.info("Iter[%d] Batch [%d]\tSpeed: %.2f samples/sec", param.epoch, count, speed)
        else:
            name_value = metric.get_name_value()
            values = [x for pair in name_value for x in pair]
            metric_format = "\t%s=%f" * len(name_value)
            if self.auto_reset:
                metric.reset_local()
                logging.info("Epoch[%d] Batch [%d-%d]\tSpeed: %.2f samples/sec" + metric_format,
                             param.epoch, count - self.frequent, count, speed, *values)
            else:
                logging.info("Epoch[%d] Batch [0-%d]\tSpeed: %.2f samples/sec" + metric_format,
                             param.epoch, count, speed, *values)
        self.tic = time.time()


class ProgressBar:
    """A batch callback that logs a text progress bar of the current epoch.

    Parameters
    ----------
    total : int
        Number of batches per epoch.
    length : int, default 80
        Width of the bar in characters.

    Examples
    --------
    >>> mod.fit(train_iter, num_epoch=1, batch_end_callback=mx.callback.ProgressBar(total=2))
    [========================================----------------------------------------] 50%
    """

    def __init__(self, total: int, length: int = 80) -> None:
        self.bar_len = length
        self.total = total

    def __call__(self, param: Any) -> None:
        count = param.nbatch
        filled_len = int(round(self.bar_len * count / float(self.total)))
        percents = math.ceil(100.0 * count / float(self.total))
        prog_bar = "=" * filled_len + "-" * (self.bar_len - filled_len)
        logging.info("[%s] %s%s\r", prog_bar, percents, "%")


class LogValidationMetricsCallback:
    """An eval-end callback that logs ``Epoch[%d] Validation-NAME=VALUE`` for each metric."""

    def __call__(self, param: Any) -> None:
        if not param.eval_metric:
            return
        for name, value in param.eval_metric.get_name_value():
            logging.info("Epoch[%d] Validation-%s=%f", param.epoch, name, value)
from .notebook.live import LiveMetrics  # noqa: E402,F401  (mx.callback.LiveMetrics; in teachmod/notebook/)

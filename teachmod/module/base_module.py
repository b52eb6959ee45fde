"""BaseModule: the training loop written once, on top of the intermediate API.

A module moves through four states, each a flag checked before the methods that need it::

    created --bind()--> binded --init_params()--> params_initialized
            --init_optimizer()--> optimizer_initialized

``fit``, ``score`` and ``predict`` below only call the intermediate methods (``bind``,
``init_params``, ``init_optimizer``, ``forward``, ``backward``, ``update``, ``update_metric``,
``get_outputs``...), which ``Module`` implements. Reading ``fit`` is reading what training is.
"""
from __future__ import annotations

import logging
import math
import time
import warnings
from typing import Any, Iterator

import numpy as np

from .. import metric as metric_module
from ..base import MXNetError
from ..initializer import Uniform
from ..io import DataBatch, DataIter
from ..model import BatchEndParam, load_params_file, save_params_file
from ..ndarray.ndarray import NDArray, array, concatenate

__all__ = ["BaseModule"]


_STATE_SETTERS = {"binded": "bind()", "params_initialized": "init_params()",
                  "optimizer_initialized": "init_optimizer()"}


def _callbacks(obj: Any) -> list:
    """A callback argument as a list: none, one, or the list given."""
    if obj is None:
        return []
    return obj if isinstance(obj, list) else [obj]


class BaseModule:
    """The common interface of modules; subclasses implement the intermediate API.

    Parameters
    ----------
    logger : Logger, default logging
        Where ``fit`` reports progress (the root logger, as MXNet).
    """

    def __init__(self, logger: Any = logging) -> None:
        self.logger = logger
        self.binded = False
        self.for_training = False
        self.inputs_need_grad = False
        self.params_initialized = False
        self.optimizer_initialized = False
        self._symbol = None
        self._total_exec_bytes = 0
        self.stop_training = False  # set by a callback to end fit early (see fit)

    # ---- state checks with messages that say what to call first --------------------------
    def _require(self, *states: str, action: str) -> None:
        for state in states:
            if not getattr(self, state):
                raise MXNetError(f"{action}: the module is not {state.replace('_', ' ')}; "
                                 f"call {_STATE_SETTERS[state]} first")

    # ---- high level -------------------------------------------------------------------------
    def forward_backward(self, data_batch: DataBatch) -> None:
        """A forward pass in training mode followed by a backward pass."""
        self.forward(data_batch, is_train=True)
        self.backward()

    def score(self, eval_data: DataIter, eval_metric: Any, num_batch: int | None = None,
              batch_end_callback: Any = None, score_end_callback: Any = None,
              reset: bool = True, epoch: int = 0, sparse_row_id_fn: Any = None) -> list:
        """Evaluate ``eval_metric`` over ``eval_data``; returns ``[(name, value), ...]``.

        Parameters
        ----------
        eval_data : DataIter
            The evaluation data.
        eval_metric : str or EvalMetric
            The metric (e.g. 'acc').
        num_batch : int, optional
            Stop after this many batches.
        batch_end_callback, score_end_callback : callable, optional
            Called with a ``BatchEndParam`` after each batch / at the end.
        reset : bool, default True
            Reset ``eval_data`` first.
        epoch : int, default 0
            Reported to the callbacks.
        """
        self._require("binded", "params_initialized", action="score")
        self._check_input_names(eval_data, "score")
        if reset:
            eval_data.reset()
        if not isinstance(eval_metric, metric_module.EvalMetric):
            eval_metric = metric_module.create(eval_metric)
        eval_metric.reset()
        actual_num_batch = 0
        batch_end_callbacks = _callbacks(batch_end_callback)
        for nbatch, eval_batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.prepare(eval_batch, sparse_row_id_fn=sparse_row_id_fn)
            self.forward(eval_batch, is_train=False)
            try:
                self.update_metric(eval_metric, eval_batch.label or [])
            except (ValueError, TypeError, MXNetError) as err:
                if eval_batch.label:
                    raise
                raise MXNetError(f"score: batch {nbatch} of eval_data has no labels, and the "
                                 f"metric {eval_metric.name!r} needs them ({err}); give the "
                                 f"iterator labels, e.g. NDArrayIter(data, label, batch_size), "
                                 f"or use predict() for unlabelled data") from None
            for callback in batch_end_callbacks:  # not in a variable: see fit
                callback(BatchEndParam(epoch, nbatch, eval_metric, locals()))
            actual_num_batch += 1
        for callback in _callbacks(score_end_callback):
            callback(BatchEndParam(epoch=epoch, nbatch=actual_num_batch, eval_metric=eval_metric,
                                   locals=locals()))
        return eval_metric.get_global_name_value()

    def _check_input_names(self, eval_data: DataIter, action: str) -> None:
        """Warn when an iterator's data names are not the module's: MXNet then feeds the
        arrays by position without a word, which swaps inputs that come in another order."""
        provided = [getattr(d, "name", d[0] if isinstance(d, tuple) else None)
                    for d in getattr(eval_data, "provide_data", None) or []]
        if provided and provided != list(self.data_names):
            warnings.warn(f"{action}: the iterator provides data {provided} but the module "
                          f"takes {list(self.data_names)}; the arrays are fed by position",
                          stacklevel=3)

    def iter_predict(self, eval_data: DataIter, num_batch: int | None = None, reset: bool = True,
                     sparse_row_id_fn: Any = None) -> Iterator[tuple[list, int, DataBatch]]:
        """Yield ``(outputs, nbatch, batch)`` for each batch, padding removed."""
        self._require("binded", "params_initialized", action="iter_predict")
        self._check_input_names(eval_data, "predict")
        if reset:
            eval_data.reset()
        for nbatch, eval_batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.prepare(eval_batch, sparse_row_id_fn=sparse_row_id_fn)
            self.forward(eval_batch, is_train=False)
            pad = eval_batch.pad or 0
            outputs = [out[0:out.shape[0] - pad] for out in self.get_outputs()]
            yield outputs, nbatch, eval_batch

    def predict(self, eval_data: Any, num_batch: int | None = None, merge_batches: bool = True,
                reset: bool = True, always_output_list: bool = False,
                sparse_row_id_fn: Any = None) -> Any:
        """Run the network over ``eval_data`` and collect the outputs (padding removed).

        Parameters
        ----------
        eval_data : DataIter, NDArray or numpy array
            The inputs.
        num_batch : int, optional
            Stop after this many batches.
        merge_batches : bool, default True
            Concatenate the batches' outputs.
        reset : bool, default True
            Reset ``eval_data`` first.
        always_output_list : bool, default False
            Return a list even for a single output.

        Returns
        -------
        NDArray, or a list of them (per output; per batch when not merging).
        """
        self._require("binded", "params_initialized", action="predict")
        if isinstance(eval_data, (NDArray, np.ndarray)):
            values = eval_data if isinstance(eval_data, NDArray) else array(eval_data)
            self.forward(DataBatch([values]), is_train=False)
            return self.get_outputs()[0]
        output_list = [[out.copy() for out in outputs] for outputs, _, _ in
                       self.iter_predict(eval_data, num_batch, reset, sparse_row_id_fn)]
        if not output_list:
            return output_list
        if not merge_batches:
            return output_list
        num_outputs = len(output_list[0])
        if any(len(outputs) != num_outputs for outputs in output_list):
            raise MXNetError("predict: cannot merge batches with different numbers of outputs; "
                             "use merge_batches=False")
        merged = [concatenate([outputs[i] for outputs in output_list])
                  for i in range(num_outputs)]
        if num_outputs == 1 and not always_output_list:
            return merged[0]
        return merged

    def fit(self, train_data: DataIter, eval_data: DataIter | None = None,
            eval_metric: Any = "acc", epoch_end_callback: Any = None,
            batch_end_callback: Any = None, kvstore: Any = "local", optimizer: Any = "sgd",
            optimizer_params: Any = (("learning_rate", 0.01),), eval_end_callback: Any = None,
            eval_batch_end_callback: Any = None, initializer: Any = None,
            arg_params: dict | None = None, aux_params: dict | None = None,
            allow_missing: bool = False, force_rebind: bool = False, force_init: bool = False,
            begin_epoch: int = 0, num_epoch: int | None = None, validation_metric: Any = None,
            monitor: Any = None, sparse_row_id_fn: Any = None) -> None:
        """Train: bind, initialise, then for each epoch run every batch forward, backward and
        update, log the training metric and time, call the callbacks, and score ``eval_data``.

        Parameters
        ----------
        train_data : DataIter
            Training data.
        eval_data : DataIter, optional
            Validation data, scored after each epoch.
        eval_metric : str or EvalMetric, default 'acc'
            Training metric.
        epoch_end_callback : callable or list, optional
            Called as ``cb(epoch, symbol, arg_params, aux_params)`` after each epoch.
        batch_end_callback : callable or list, optional
            Called with a ``BatchEndParam`` after each batch.
        kvstore : str, default 'local'
            Accepted as in MXNet; gradients of several contexts are summed locally.
        optimizer : str or Optimizer, default 'sgd'
        optimizer_params : dict or tuple of pairs, default (('learning_rate', 0.01),)
        initializer : Initializer, default Uniform(0.01)
        arg_params, aux_params : dict, optional
            Start from these parameters (e.g. a loaded checkpoint).
        allow_missing, force_rebind, force_init : bool
            As in ``bind``/``init_params``.
        begin_epoch : int, default 0
            First epoch number (to resume training).
        num_epoch : int
            Train until this epoch number.
        validation_metric : str or EvalMetric, optional
            Metric for ``eval_data`` (defaults to ``eval_metric``).
        monitor : Monitor, optional
            Prints statistics of intermediate arrays.

        Notes
        -----
        The loop is MXNet's. teachmod adds three things, each a named helper or two lines:
        ``_check_fit_arguments`` (errors that say what to pass), ``_check_finite_outputs`` (a
        warning at the first batch with NaN or inf outputs) and the stop flag: a callback may
        set ``module.stop_training = True`` (as in Keras). The epoch then ends after the current
        batch -- its metric is logged, the epoch callbacks and validation run -- and no further
        epoch starts. Batch callbacks get ``BatchEndParam(epoch, nbatch, eval_metric,
        locals())``, as in MXNet.
        """
        self._check_fit_arguments(train_data, begin_epoch, num_epoch)
        self.bind(data_shapes=train_data.provide_data, label_shapes=train_data.provide_label,
                  for_training=True, force_rebind=force_rebind)
        if monitor is not None:
            self.install_monitor(monitor)
        self.init_params(initializer=initializer if initializer is not None else Uniform(0.01),
                         arg_params=arg_params, aux_params=aux_params,
                         allow_missing=allow_missing, force_init=force_init)
        self.init_optimizer(kvstore=kvstore, optimizer=optimizer,
                            optimizer_params=optimizer_params)
        if validation_metric is None:
            validation_metric = eval_metric
        if not isinstance(eval_metric, metric_module.EvalMetric):
            eval_metric = metric_module.create(eval_metric)

        batch_end_callbacks = _callbacks(batch_end_callback)
        self.stop_training = False
        for epoch in range(begin_epoch, num_epoch):
            tic = time.time()
            eval_metric.reset()
            nbatch = 0
            data_iter = iter(train_data)
            end_of_batch = False
            next_data_batch = _first_batch(data_iter, train_data, epoch)
            check_finite = True  # until the first batch with NaN/inf outputs in this epoch
            while not end_of_batch:
                data_batch = next_data_batch
                if monitor is not None:
                    monitor.tic()
                self.forward_backward(data_batch)
                if check_finite:
                    check_finite = self._check_finite_outputs(epoch, nbatch, data_batch)
                self.update()
                self.update_metric(eval_metric, data_batch.label)
                try:
                    next_data_batch = next(data_iter)
                    self.prepare(next_data_batch, sparse_row_id_fn=sparse_row_id_fn)
                except StopIteration:
                    end_of_batch = True
                if monitor is not None:
                    monitor.toc_print()
                if end_of_batch:
                    eval_name_vals = eval_metric.get_global_name_value()
                # the BatchEndParam is in no variable of fit: there it would be in the next
                # locals() and tie fit's frame into a reference cycle
                for callback in batch_end_callbacks:
                    callback(BatchEndParam(epoch, nbatch, eval_metric, locals()))
                nbatch += 1
                if self.stop_training:  # teachmod: a callback asked to end the epoch here
                    end_of_batch = True
                    eval_name_vals = eval_metric.get_global_name_value()

            for name, value in eval_name_vals:
                self.logger.info("Epoch[%d] Train-%s=%f", epoch, name, value)
            self.logger.info("Epoch[%d] Time cost=%.3f", epoch, time.time() - tic)

            # sync parameters from the executors, so callbacks see this epoch's values
            arg_params, aux_params = self.get_params()
            self.set_params(arg_params, aux_params)
            for callback in _callbacks(epoch_end_callback):
                callback(epoch, self.symbol, arg_params, aux_params)
            if eval_data is not None:
                results = self.score(eval_data, validation_metric,
                                     score_end_callback=eval_end_callback,
                                     batch_end_callback=eval_batch_end_callback, epoch=epoch)
                for name, value in results:
                    self.logger.info("Epoch[%d] Validation-%s=%f", epoch, name, value)
            train_data.reset()
            if self.stop_training:
                break

    def _check_fit_arguments(self, train_data: Any, begin_epoch: int,
                             num_epoch: int | None) -> None:
        """teachmod's checks of ``fit``'s arguments, with messages that say what to pass."""
        if num_epoch is None:
            raise ValueError("fit: please specify num_epoch (the number of epochs to train)")
        if not hasattr(train_data, "provide_data") or not hasattr(train_data, "reset"):
            raise TypeError(f"fit: train_data must be a data iterator such as "
                            f"mx.io.NDArrayIter(data, label, batch_size=32), got "
                            f"{type(train_data).__name__}")
        if begin_epoch >= num_epoch:
            warnings.warn(f"fit: begin_epoch={begin_epoch} and num_epoch={num_epoch} leave no "
                          f"epoch to train; num_epoch is where training stops, not how many more "
                          f"epochs to run (resume at epoch 3 for 2 more: begin_epoch=3, "
                          f"num_epoch=5)", stacklevel=3)

    def _check_finite_outputs(self, epoch: int, nbatch: int, data_batch: DataBatch) -> bool:
        """teachmod's NaN check: warn at the first batch whose outputs hold NaN or inf; returns
        whether to go on checking in this epoch (not after a warning, nor for a module that
        keeps no outputs)."""
        try:
            outputs = self.get_outputs(merge_multi_context=False)
        except NotImplementedError:
            return False
        bad = _first_nonfinite(outputs)
        if bad is None:
            return True
        warnings.warn(self._nonfinite_message(epoch, nbatch, bad, data_batch), RuntimeWarning,
                      stacklevel=3)
        return False

    def _nonfinite_message(self, epoch: int, nbatch: int, index: int,
                           batch: DataBatch) -> str:
        """Which output of batch ``nbatch`` is not finite, and whether the inputs are to blame."""
        output_names = getattr(self, "output_names", None) or []
        output = output_names[index] if index < len(output_names) else f"#{index}"
        causes = []
        for kind, arrays, descs in (("data", batch.data, batch.provide_data),
                                    ("label", batch.label, batch.provide_label)):
            names = [d.name for d in descs or []] or getattr(self, f"{kind}_names", [])
            for i, values in enumerate(arrays or []):
                values = values._data if isinstance(values, NDArray) else np.asarray(values)
                count = values.size - int(np.count_nonzero(np.isfinite(values)))
                if count:
                    name = names[i] if i < len(names) else f"#{i}"
                    causes.append(f"{kind} {name!r} has {count} NaN/inf values")
        if causes:
            cause = ("; ".join(causes) + ": clean the data set first (drop those samples or "
                     "replace the values, e.g. with np.nan_to_num)")
        else:
            cause = ("the batch's inputs are finite, so training has diverged: lower the "
                     "learning rate, or clip gradients with optimizer_params="
                     "{'clip_gradient': 5.0}")
        return (f"fit: epoch {epoch}, batch {nbatch}: output {output!r} contains NaN or inf; "
                f"{cause}. Later batches of this epoch are not checked.")

    # ---- parameters on disk ----------------------------------------------------------------
    def save_params(self, fname: str) -> None:
        """Save parameters as ``arg:NAME``/``aux:NAME`` arrays in MXNet's .params format."""
        save_params_file(fname, *self.get_params())

    def load_params(self, fname: str) -> None:
        """Load parameters saved by ``save_params`` (or by MXNet) and set them."""
        self.set_params(*load_params_file(fname))

    # ---- the intermediate API, implemented by Module -------------------------------------
    @property
    def symbol(self) -> Any:
        """The network."""
        return self._symbol

    def prepare(self, data_batch: DataBatch, sparse_row_id_fn: Any = None) -> None:
        """Get ready for ``data_batch`` (only sparse parameters need work; dense ones don't)."""

    def get_params(self) -> tuple[dict, dict]:
        raise NotImplementedError

    def set_params(self, arg_params: dict, aux_params: dict, allow_missing: bool = False,
                   force_init: bool = True, allow_extra: bool = False) -> None:
        self.init_params(initializer=None, arg_params=arg_params, aux_params=aux_params,
                         allow_missing=allow_missing, force_init=force_init,
                         allow_extra=allow_extra)

    def init_params(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    def bind(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    def init_optimizer(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    def forward(self, data_batch: DataBatch, is_train: bool | None = None) -> None:
        raise NotImplementedError

    def backward(self, out_grads: Any = None) -> None:
        raise NotImplementedError

    def update(self) -> None:
        raise NotImplementedError

    def update_metric(self, eval_metric: Any, labels: list, pre_sliced: bool = False) -> None:
        raise NotImplementedError

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        raise NotImplementedError

    def install_monitor(self, mon: Any) -> None:
        raise NotImplementedError


def _first_nonfinite(outputs: list) -> int | None:
    """Index of the first output (a list of per-context arrays) with a NaN or inf, or None."""
    for index, blocks in enumerate(outputs):
        for block in blocks:
            values = (block._data if isinstance(block, NDArray) else np.asarray(block)).ravel()
            # fast path, run every batch: the dot product of the values with themselves is one
            # BLAS call; it is NaN or inf if any value is (or, rarely, if it overflows, when the
            # elementwise check decides)
            if values.dtype.kind == "f" and not math.isfinite(values.dot(values)) \
                    and not np.isfinite(values).all():
                return index
    return None


def _first_batch(data_iter: Iterator, train_data: Any, epoch: int) -> DataBatch:
    """The first batch of an epoch, or a clear error when the iterator gives none."""
    try:
        return next(data_iter)
    except StopIteration:
        pass
    batch_size = getattr(train_data, "batch_size", None)
    raise MXNetError(f"fit: train_data gave no batch in epoch {epoch}. Either it was already "
                     f"used up (call train_data.reset() before fit), or it holds fewer samples "
                     f"than one batch (batch_size={batch_size}) and drops incomplete batches "
                     f"(last_batch_handle='discard' or 'roll_over')")

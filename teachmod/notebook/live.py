"""``LiveMetrics``: training curves that draw themselves while ``fit`` runs.

Pass one object to ``fit`` as the batch callback and the eval-end callback::

    live = mx.callback.LiveMetrics()
    mod.fit(train_iter, eval_data=val_iter, num_epoch=8,
            batch_end_callback=live, eval_end_callback=live)

In Jupyter it shows a widget -- a figure that refreshes in place, a line with the latest values
and a Stop button; in a script or CI it prints compact progress lines. Either way, afterwards
``live.history`` holds everything as plain lists and ``live.save('curves.png')`` writes the
figure.

How it keeps training fast: after each batch it only appends one row of numbers (the time, the
learning rate and the metric's running sums); it reads fit's locals (``LazyLocals``, built only
when read) only at an epoch's first and last batch. Turning the rows into per-batch values,
smoothing them and drawing happen only when something is shown (a widget refresh, a status line)
or read. A live frame redraws only the data lines when the axes have not changed (blitting).
Everything it does is timed, and refreshes are spaced so that the timed total stays under
``TIMED_SHARE`` (40%) of ``max_overhead`` (5%) of the wall time -- the rest is for what its
timer cannot see: fit's own cost of calling a batch callback, and the after-effects of a redraw
-- and under ``max_fps`` per second. ``benchmarks/bench_live_overhead.py`` measures the whole
against a run without callbacks. On the seed MLP (about 80 microseconds a batch) recording costs
about 1.3% of an epoch as timed, 3-4% in all with fit's calling a callback (about 1.5%, as for
``Speedometer``) and the callback's cost in situ, between batches of training that leave the
caches cold, which is more than a microbenchmark shows.

How Stop works: the button (or Jupyter's *Interrupt kernel*, or Ctrl-C, or
``live.request_stop()``) only raises a flag. At the end of the current batch the callback sets
``module.stop_training = True``; ``fit`` then finishes that epoch early -- logs it, runs the
epoch callbacks and validation -- and starts no other (see ``BaseModule.fit``). A second
interrupt aborts at once with ``KeyboardInterrupt`` as usual.
"""
from __future__ import annotations

import array
import functools
import math
import operator
import signal
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any, Callable, TextIO

import numpy as np

from ..model import BatchEndParam, LazyLocals

__all__ = ["LiveMetrics"]

NAN = float("nan")
MAX_WAIT = 10.0  # seconds: the longest the figure waits for a refresh during training
# The share of ``max_overhead`` that this object's own, timed work may take. The rest is for
# what its timer cannot see: fit's cost of building a BatchEndParam and calling any batch
# callback at all (about 1.5% of the seed MLP's epoch, see ``Speedometer`` in
# benchmarks/bench_live_overhead.py), the recording's cost in situ beyond what it times, and a
# redraw's after-effects on training (caches and allocator left cold, matplotlib's garbage).
# 40% (not half) keeps the seed MLP's total well under 5% as fit itself gets faster.
TIMED_SHARE = 0.4
MODES = ("auto", "widget", "text", "silent")


class LiveMetrics:
    """Live training curves for ``fit``: a Jupyter widget, or progress lines in a terminal.

    One object serves as ``batch_end_callback`` (required: the per-batch metric, learning rate
    and throughput), ``eval_end_callback`` (the validation metric after each epoch) and
    ``epoch_end_callback`` (accepted, optional). It tells the calls apart by their arguments, so
    it can sit in a list beside ``Speedometer`` or ``do_checkpoint``. In a hand-written loop
    call ``batch_end``, ``eval_end`` and ``finish`` yourself.

    Each metric gets a panel: the metric of every batch (faint), its smoothed curve, the
    training value of each epoch (circles; what ``fit`` logs as ``Train-NAME``) and the
    validation value (squares; ``Validation-NAME``). Two more panels show the learning rate and
    the samples per second. The x axis counts epochs with batch resolution (epoch 2.5 is half
    way through the third epoch), so a run resumed with ``begin_epoch`` continues the curves.

    Parameters
    ----------
    metrics : str or list of str, optional
        Names of the metrics to draw (all by default), as the eval metric reports them
        (``'accuracy'``, ``'cross-entropy'``); registry aliases such as ``'acc'`` or ``'ce'``
        work too. A name the eval metric does not have raises ValueError at the first batch,
        listing the names it has. Every metric is recorded in ``history`` whatever is drawn.
    smoothing : float, default 0.9
        Weight of the past in the exponential moving average of the batch values (0: none).
    max_fps : float, default 2.0
        At most this many refreshes per second.
    max_overhead : float, default 0.05
        The slow-down of training that the view may cause. Refreshes are spaced so that all
        the work of this object -- recording batches and drawing -- takes at most 40% of this
        fraction of the wall time, leaving the rest for costs it cannot time (fit's calling a
        callback, a redraw's after-effects on training). Setting up the view and the
        final figure are outside the budget; there is at least one refresh every 10 s.
    show_lr, show_speed : bool, default True
        Draw the learning-rate and the throughput panels.
    batch_size : int, optional
        Samples per batch, for the throughput; read from the data batch when not given.
    batches_per_epoch : int, optional
        For the x axis; read from the training iterator (``NDArrayIter``) when not given, and
        otherwise learnt from the first epoch.
    mode : {'auto', 'widget', 'text', 'silent'}, default 'auto'
        'auto' is 'widget' inside a Jupyter kernel, else 'text'. 'silent' only records.
    print_every : float, optional
        Text mode: seconds between progress lines (default: 10, or 1/max_fps on a terminal,
        where one line is rewritten in place). A line per epoch is always printed.
    file : file object, optional
        Text mode: where to print (default ``sys.stdout``).
    catch_interrupt : bool, default True
        While ``fit`` runs, the first interrupt (Ctrl-C, Jupyter's Interrupt) stops cleanly
        after the current batch instead of raising KeyboardInterrupt.
    title : str, optional
        Figure title.

    Attributes
    ----------
    history : dict
        ``{'batch': {...}, 'epoch': {...}}``, each a dict of equal-length lists (see
        ``history``).
    stop_requested : bool
        True once Stop was pressed (or ``request_stop`` called) during the current run.
    refreshes, refresh_seconds : int, float
        How many refreshes were drawn and the time they took.

    Examples
    --------
    >>> live = mx.callback.LiveMetrics()
    >>> mod.fit(train_iter, eval_data=val_iter, num_epoch=8, eval_metric=['acc', 'ce'],
    ...         batch_end_callback=[mx.callback.Speedometer(32, 100), live],
    ...         eval_end_callback=live)
    >>> live.history['epoch']['val-accuracy'][-1]
    0.7645
    >>> live.save('curves.png')
    """

    def __init__(self, metrics: str | list[str] | None = None, *, smoothing: float = 0.9,
                 max_fps: float = 2.0, max_overhead: float = 0.05, show_lr: bool = True,
                 show_speed: bool = True, batch_size: int | None = None,
                 batches_per_epoch: int | None = None, mode: str = "auto",
                 print_every: float | None = None, file: TextIO | None = None,
                 catch_interrupt: bool = True, title: str | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"LiveMetrics: mode must be one of {MODES}, got {mode!r}")
        if not 0 <= smoothing < 1:
            raise ValueError(f"LiveMetrics: smoothing must be in [0, 1), got {smoothing!r}")
        if not max_fps > 0 or not 0 < max_overhead < 1:
            raise ValueError("LiveMetrics: max_fps must be > 0 and max_overhead in (0, 1), got "
                             f"{max_fps!r} and {max_overhead!r}")
        self.metrics = [metrics] if isinstance(metrics, str) else (
            list(metrics) if metrics is not None else None)
        self.smoothing = smoothing
        self.max_fps = max_fps
        self.max_overhead = max_overhead
        self.show_lr = show_lr
        self.show_speed = show_speed
        self.batch_size = batch_size
        self.batches_per_epoch = batches_per_epoch
        self.mode = mode
        self.print_every = print_every
        self.file = file
        self.catch_interrupt = catch_interrupt
        self.title = title

        self.stop_requested = False
        self.refreshes = 0
        self.refresh_seconds = 0.0
        # Recorded per batch: epoch, nbatch, perf_counter, lr, then the metric's counters, as
        # plain doubles in one array (no Python object per batch for the garbage collector to
        # walk); turned into the columns below by _sync() only when something shows or reads
        # them (a figure, a status line, history): not at every epoch.
        self._rows = array.array("d")
        self._batch: dict[str, list] = {k: [] for k in
                                        ("epoch", "nbatch", "x", "time", "lr", "samples_per_sec")}
        self._epoch: dict[str, list] = {k: [] for k in ("epoch", "x", "time", "batches")}
        self._smooth: dict[str, list] = {"samples/s": []}  # smoothed batch values
        self._ema: dict[str, list] = {"samples/s": [0.0, 0.0]}  # name -> [sum, weight]
        self._names: list[str] = []         # training metric names, in the metric's order
        self._plot_names: list[str] = []    # the ones drawn
        self._val_names: list[str] = []
        self._reader: _MetricReader | None = None
        self._running = False
        self._epoch_now: int | None = None  # epoch of the last batch
        self._epoch_closed = True
        self._nbatch_in_epoch = 0
        self._epoch_first_index = 0         # index in _batch of the open epoch's first row
        self._counts: dict[int, int] = {}   # batches per finished epoch
        self._estimate: dict[int, int | None] = {}  # batches per epoch used for x, per epoch
        self._epoch_start: dict[int, float] = {}  # perf_counter at each epoch's start
        self._prev: tuple = (None, None, None)  # (epoch, perf time, counters) of the last row
        self._t0 = 0.0
        self._num_epoch: int | None = None
        self._iter_batches: int | None = None
        # The short path of __call__ takes the batches of _short_epoch (None: none; it is the
        # open epoch of a run until it closes or a stop is requested) below _short_until: the
        # batches before the one that may end the epoch, by the training iterator's length or,
        # if it cannot tell, the last epoch's (0: unknown yet).
        self._short_epoch: int | None = None
        self._short_until = 0
        self._length_known = False  # _short_until from the iterator, not learnt
        self._module: Any = None
        self._lr: Callable[[], float] = _nan
        self._samples: float | None = None
        self._expect_eval: bool | None = None
        self._epoch_role = False
        self._finish_at: str | None = None  # 'eval' or 'epoch': finish after that callback
        self._next_refresh = 0.0
        self._run_start = 0.0
        self._spent = 0.0                   # seconds spent in our callbacks in this run
        self._cost: float | None = None
        self._view: Any = None
        self._plot: Any = None
        self._old_sigint: Any = None
        self._ipython_hook: Any = None

    # ---- the callback protocol ------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> None:
        """Dispatch a call from ``fit``: ``(BatchEndParam)`` after a batch or after scoring
        (``score``'s locals), ``(epoch, symbol, arg_params, aux_params)`` after an epoch.

        The common case -- a batch of ``fit`` that continues the open epoch and cannot be its
        last (the training iterator's length says so), nothing else to do -- takes a short path,
        timed from the first line like the rest (under a microsecond). It never looks at fit's
        locals: they are ``LazyLocals``, whose dict is built only when read."""
        now = time.perf_counter()
        if len(args) == 1 and type(args[0]) is BatchEndParam and not kwargs:
            epoch, nbatch, metric, loc = args[0]
            if (epoch == self._short_epoch and nbatch == self._nbatch_in_epoch < self._short_until
                    and type(loc) is LazyLocals  # a batch of fit, not score's end
                    and metric is self._reader.metric):
                # fromlist: one resize for the row (extend grows the array item by item)
                self._rows.fromlist([epoch, nbatch, now, self._lr(), *self._reader.read()])
                self._nbatch_in_epoch = nbatch + 1
                if now >= self._next_refresh:
                    self._refresh()
                self._spent += time.perf_counter() - now
                return
        if len(args) == 1 and not kwargs and hasattr(args[0], "eval_metric"):
            loc = args[0].locals
            if isinstance(loc, dict) and "actual_num_batch" in loc:  # score()'s end callback
                self.eval_end(args[0])
            else:
                self.batch_end(args[0])
        else:
            self.epoch_end(*args, **kwargs)

    def batch_end(self, param: Any) -> None:
        """Record one training batch (``param`` is fit's ``BatchEndParam``).

        Parameters
        ----------
        param : BatchEndParam
            ``epoch``, ``nbatch``, ``eval_metric`` (the training metric, updated with this
            batch) and ``locals`` (fit's variables: the module, the batch, ...).
        """
        now = time.perf_counter()
        metric = param.eval_metric
        loc = param.locals if isinstance(param.locals, Mapping) else {}
        if not self._running:
            self._begin(param, loc, now)
        elif metric is not self._reader.metric:
            self._set_metric(metric)
        epoch = param.epoch
        if epoch != self._epoch_now or param.nbatch < self._nbatch_in_epoch:
            if not self._epoch_closed:
                self._close_epoch(None)
            self._open_epoch(epoch, loc, now)
        self._rows.fromlist([epoch, param.nbatch, now, self._lr(), *self._reader.read()])
        self._nbatch_in_epoch = param.nbatch + 1

        end_of_epoch = bool(loc.get("end_of_batch"))
        stopping = False
        if self.stop_requested and self._module is not None and not self._module.stop_training:
            self._module.stop_training = True  # fit ends this epoch after this batch
            stopping = True
            self._view.stopping()
        if end_of_epoch or stopping:
            self._close_epoch(metric.get_global_name_value(), partial=not end_of_epoch)
            if stopping or (self._num_epoch is not None and epoch + 1 >= self._num_epoch):
                self._finish_at = ("eval" if self._expect_eval else
                                   "epoch" if self._epoch_role else None)
                if self._finish_at is None and self._expect_eval is not None:
                    self.finish()  # in fit, and nothing else of ours will be called
                    return
        if now >= self._next_refresh:
            self._refresh()
        self._spent += time.perf_counter() - now  # all of it counts in the budget

    def eval_end(self, param: Any) -> None:
        """Record the validation metric of ``param.epoch`` (``fit``'s ``eval_end_callback``).

        Parameters
        ----------
        param : BatchEndParam
            ``epoch`` and ``eval_metric`` (the validation metric after scoring).
        """
        if not self._epoch_closed and param.epoch == self._epoch_now:
            self._close_epoch(None)
        row = _last_index(self._epoch["epoch"], param.epoch)
        if row is None:  # validation of an epoch we did not see train
            self._add_epoch_row(param.epoch, NAN, self._last_batch()[1], 0, {})
            row = len(self._epoch["epoch"]) - 1
        for name, value in param.eval_metric.get_global_name_value():
            column = "val-" + name
            if column not in self._epoch:
                self._epoch[column] = [NAN] * len(self._epoch["epoch"])
                self._val_names.append(name)
            self._epoch[column][row] = float(value)
        if self._view is not None:
            self._view.epoch_done(row)
        self._check_stop_between_epochs()
        if self._finish_at == "eval" or (self.stop_requested and self._running):
            self.finish()

    def epoch_end(self, epoch: int, symbol: Any = None, arg_params: Any = None,
                  aux_params: Any = None) -> None:
        """End of an epoch (``fit``'s ``epoch_end_callback``; the arguments are MXNet's).

        Parameters
        ----------
        epoch : int
            The epoch that ended.
        symbol, arg_params, aux_params : optional
            Passed by ``fit``; not used.
        """
        if not self._epoch_closed and epoch == self._epoch_now:
            self._close_epoch(None)
        self._check_stop_between_epochs()
        if self.stop_requested and self._finish_at is None:  # Stop between two epochs
            self._finish_at = "eval" if self._expect_eval else "epoch"
        if self._finish_at == "epoch":
            self.finish()

    def request_stop(self) -> None:
        """Ask ``fit`` to stop after the current batch (what the Stop button does).

        Safe to call from another thread. In a hand-written loop, check ``stop_requested``.
        """
        if self._running:
            self.stop_requested = True
            self._short_epoch = None  # the next batch takes the long path, which stops

    def finish(self) -> None:
        """End the run: draw the final figure, leave it as a static image in the notebook (or
        print the last line), restore the interrupt handler. Called by itself at the end of
        ``fit``; call it after a hand-written loop. Calling it again does nothing."""
        if not self._running:
            return
        self._running = False
        self._short_epoch = None
        try:
            if not self._epoch_closed and self._reader is not None:
                self._close_epoch(None)
            self._sync()
            t = time.perf_counter()
            self._view.finish()
            self.refresh_seconds += time.perf_counter() - t
        finally:
            self._restore_interrupt()
            if self._ipython_hook is not None:
                self._ipython_hook.unregister()
                self._ipython_hook = None

    # ---- results ----------------------------------------------------------------------------
    @property
    def history(self) -> dict[str, dict[str, list]]:
        """Everything recorded, as plain data (copies).

        ``history['batch']`` has one entry per batch: ``epoch``, ``nbatch``, ``x`` (epochs with
        batch resolution), ``time`` (seconds since the first batch), ``lr``,
        ``samples_per_sec``, and for each metric its value on that batch alone (for metrics
        that are running sums -- accuracy, cross-entropy, MAE... -- else the running value).
        ``history['epoch']`` has one entry per epoch: ``epoch``, ``x``, ``time``, ``batches``,
        ``train-NAME`` (the metric's ``get_global()`` at the epoch's end, as ``fit`` logs it)
        and ``val-NAME`` (what ``score`` returned; NaN without validation).
        ``pandas.DataFrame(live.history['epoch'])`` makes a table of it.
        """
        self._sync()
        return {"batch": {k: list(v) for k, v in self._batch.items()},
                "epoch": {k: list(v) for k, v in self._epoch.items()}}

    @property
    def figure(self) -> Any:
        """The matplotlib ``Figure`` with the curves so far (drawn with the Agg backend)."""
        return self._update_plot()

    def save(self, path: str, **kwargs: Any) -> None:
        """Save the figure; the format follows the file name (.png, .svg, .pdf).

        Parameters
        ----------
        path : str
            File name.
        **kwargs
            Passed to matplotlib's ``savefig`` (e.g. ``dpi=150``).
        """
        self.figure  # noqa: B018 -- brings the figure up to date
        self._plot.save(path, **kwargs)

    def status(self) -> str:
        """The one-line summary of the latest values that the widget and the text mode show."""
        self._sync()
        b, e = self._batch, self._epoch
        if not b["x"]:
            return "waiting for the first batch"
        parts = [f"epoch {b['x'][-1]:.2f}" + (f"/{self._num_epoch}" if self._num_epoch else "")]
        for name in self._plot_names or self._names:
            text = f"{name} {_fmt(self._smooth[name][-1])}"
            val = e.get("val-" + name)
            if val and not math.isnan(val[-1]):
                text += f" (val {_fmt(val[-1])})"
            parts.append(text)
        if self.show_lr and not math.isnan(b["lr"][-1]):
            parts.append(f"lr {b['lr'][-1]:.4g}")
        speed = self._smooth["samples/s"][-1]
        if self.show_speed and not math.isnan(speed):
            parts.append(f"{speed:,.0f} samples/s")
        parts.append(f"{b['time'][-1]:.1f} s")
        if self.stop_requested:
            parts.append("stopping after this batch" if self._running else "stopped")
        return " · ".join(parts)

    def __repr__(self) -> str:
        n = len(self._batch["epoch"]) + self._rows_recorded()
        return f"<LiveMetrics {self.mode}: {n} batches, {len(self._epoch['epoch'])} epochs>"

    # ---- one run of fit --------------------------------------------------------------------
    def _begin(self, param: Any, loc: dict, now: float) -> None:
        """The first batch of a run: learn what fit is doing, choose the metrics, show the view."""
        self._set_metric(param.eval_metric)  # raises for an unknown metric name
        module = loc.get("self")
        if not hasattr(module, "_optimizer"):  # a hand-written loop: any module in its locals
            module = next((v for v in loc.values() if hasattr(v, "_optimizer")), None)
        self._module = module if hasattr(module, "stop_training") else None
        optimizer = getattr(module, "_optimizer", None)
        self._lr = (_nan if optimizer is None or not hasattr(optimizer, "learning_rate")
                    else functools.partial(getattr, optimizer, "learning_rate"))
        batch = loc.get("data_batch", loc.get("batch"))
        data = getattr(batch, "data", None)
        self._samples = (self.batch_size if self.batch_size is not None else
                         data[0].shape[0] if data else None)
        in_fit = "train_data" in loc and self._module is not None
        self._num_epoch = loc.get("num_epoch") if in_fit else None
        if in_fit:
            roles = {key: any(cb is self for cb in _as_list(loc.get(key)))
                     for key in ("eval_end_callback", "epoch_end_callback")}
            self._expect_eval = roles["eval_end_callback"] and loc.get("eval_data") is not None
            self._epoch_role = roles["epoch_end_callback"]
        else:
            self._expect_eval, self._epoch_role = None, False
        length = _batches_per_epoch(loc.get("train_data")) if in_fit else None
        self._short_until = length - 1 if length else 0
        self._length_known = bool(length)
        self._iter_batches = self.batches_per_epoch
        if self._iter_batches is None:
            self._iter_batches = length
        last_time = self._batch["time"][-1] if self._batch["time"] else 0.0
        self._t0 = now - last_time
        self._finish_at = None
        self.stop_requested = False
        self._running = True
        self._cost = None
        t = time.perf_counter()
        self._view = self._make_view()
        self.refresh_seconds += time.perf_counter() - t  # a one-off: not in the budget
        self._run_start = now
        self._spent = now - time.perf_counter()  # setting up is a one-off, not in the budget
        self._next_refresh = now + 1.0 / self.max_fps
        if self.catch_interrupt and self._module is not None:
            self._install_interrupt()
        self._ipython_hook = _IPythonCellHook.register(self.finish)

    def _set_metric(self, metric: Any) -> None:
        self._sync()  # the rows recorded so far have the layout of the previous reader
        self._reader = _MetricReader(metric)
        self._prev = (self._prev[0], self._prev[1], None)  # counters of another layout
        for name in self._reader.names:
            if name not in self._names:
                self._names.append(name)
                self._batch[name] = [NAN] * len(self._batch["epoch"])
                self._smooth[name] = [NAN] * len(self._batch["epoch"])
        self._plot_names = self._choose(self._reader.names)

    def _choose(self, available: list[str]) -> list[str]:
        if self.metrics is None:
            return list(available)
        chosen = []
        for requested in self.metrics:
            name = requested if requested in available else _canonical_name(requested)
            if name not in available:
                raise ValueError(
                    f"LiveMetrics: the eval metric has no metric named {requested!r}; it has "
                    f"{', '.join(repr(n) for n in available)}. Pass some of these as "
                    f"LiveMetrics(metrics=[...]), or leave metrics out to draw them all.")
            chosen.append(name)
        return chosen

    def _open_epoch(self, epoch: int, loc: dict, now: float) -> None:
        self._epoch_now = epoch
        self._epoch_closed = False
        self._short_epoch = epoch
        self._nbatch_in_epoch = 0
        self._epoch_first_index = len(self._batch["epoch"]) + self._rows_recorded()
        tic = loc.get("tic")  # fit's time.time() at the start of the epoch
        if isinstance(tic, float):
            self._epoch_start[epoch] = now - (time.time() - tic)
        self._estimate[epoch] = self._iter_batches or self._counts.get(epoch - 1)

    def _close_epoch(self, values: list[tuple[str, Any]] | None, partial: bool = False) -> None:
        """The open epoch is over: fix its x values, add its row to the epoch table.

        Its batches may still be recorded rows (``_sync`` runs only when something is shown):
        they take the epoch's length from ``_estimate`` when they are converted."""
        epoch, count = self._epoch_now, self._nbatch_in_epoch
        self._epoch_closed = True
        self._short_epoch = None
        if not partial:
            self._counts[epoch] = count
            if not self._length_known:  # an epoch ended by fit shorter than this one would
                self._short_until = count - 1  # close later, at validation or the next epoch
            if self._estimate.get(epoch) != count:
                self._estimate[epoch] = count
                self._fix_x(epoch, count)  # the batches converted already
        x, t, counters = self._last_batch()
        if values is None:  # as recorded after its last batch (the metric may be reset or, if
            # validation shares it, hold the validation's values by now)
            values = [(n, self._reader.value(counters, n)) for n in self._reader.names]
        self._add_epoch_row(epoch, x, t, count, dict(values))
        if self._view is not None and self._expect_eval is not True:
            self._view.epoch_done(len(self._epoch["epoch"]) - 1)

    def _add_epoch_row(self, epoch: int, x: float, t: float, count: int, values: dict) -> None:
        e = self._epoch
        e["epoch"].append(epoch)
        e["x"].append(x)
        e["time"].append(t)
        e["batches"].append(count)
        for name in self._names:
            e.setdefault("train-" + name, [NAN] * (len(e["epoch"]) - 1))
        for key, column in e.items():
            if len(column) < len(e["epoch"]):
                name = key.partition("-")[2]
                column.append(float(values[name]) if key.startswith("train-") and name in values
                              else NAN)

    def _check_stop_between_epochs(self) -> None:
        if self.stop_requested and self._module is not None:
            self._module.stop_training = True  # fit starts no other epoch
            if self._running and self._view is not None:
                self._view.stopping()

    # ---- from recorded rows to columns -----------------------------------------------------
    def _rows_recorded(self) -> int:
        """Batches recorded and not yet converted by ``_sync``."""
        return len(self._rows) // (4 + self._reader.width) if self._reader is not None else 0

    def _last_batch(self) -> tuple[float, float, Any]:
        """x, time and metric counters of the latest batch, converted or not."""
        if self._rows:
            row = self._rows[-(4 + self._reader.width):]
            epoch, nbatch = int(row[0]), int(row[1])
            x = _batch_x(epoch, nbatch, self._estimate.get(epoch) or 0)
            return float(x), row[2] - self._t0, row[4:]
        b = self._batch
        return (b["x"][-1], b["time"][-1], self._prev[2]) if b["x"] else (NAN, 0.0, None)

    def _sync(self) -> None:
        """Turn the rows recorded since the last call into the ``history`` columns.

        Column by column with numpy, so that it costs well under a microsecond per batch; it
        runs only when something is shown or read, so usually on many rows at once.
        """
        if not self._rows:
            return
        rows = np.frombuffer(self._rows, dtype=float).reshape(-1, 4 + self._reader.width)
        self._rows = array.array("d")
        epoch, nbatch = rows[:, 0].astype(int), rows[:, 1].astype(int)
        t, lr, counters = rows[:, 2], rows[:, 3], rows[:, 4:]
        prev_epoch, prev_t, prev_counters = self._prev
        first = np.empty(len(rows), dtype=bool)  # the first batch of an epoch
        first[0] = epoch[0] != prev_epoch or nbatch[0] == 0 or prev_counters is None
        first[1:] = (epoch[1:] != epoch[:-1]) | (nbatch[1:] == 0)

        # x: epochs with batch resolution, from the expected number of batches per epoch
        low = int(epoch.min())
        expected = np.array([self._estimate.get(e) or 0
                             for e in range(low, int(epoch.max()) + 1)])[epoch - low]
        x = _batch_x(epoch, nbatch, expected)
        # samples/s: since the previous batch, or since the epoch's start for its first batch
        before = np.concatenate([[NAN if prev_t is None else prev_t], t[:-1]])
        before[first] = [self._epoch_start.get(int(e), NAN) for e in epoch[first]]
        with np.errstate(divide="ignore", invalid="ignore"):
            speed = (self._samples or NAN) / (t - before)
        speed[~(t > before)] = NAN
        # the metric of each batch, from the differences of the running sums
        previous = np.vstack([np.full(counters.shape[1], NAN) if prev_counters is None
                              else np.asarray(prev_counters, dtype=float), counters[:-1]])

        b, beta = self._batch, self.smoothing
        b["epoch"].extend(epoch.tolist())
        b["nbatch"].extend(nbatch.tolist())
        b["x"].extend(x.tolist())
        b["time"].extend((t - self._t0).tolist())
        b["lr"].extend(lr.tolist())
        b["samples_per_sec"].extend(speed.tolist())
        self._smooth["samples/s"].extend(_ema(speed, beta, self._ema["samples/s"]).tolist())
        for name in self._names:
            values = self._reader.batch_values(counters, previous, first, name)
            b[name].extend(values.tolist())
            state = self._ema.setdefault(name, [0.0, 0.0])
            self._smooth[name].extend(_ema(values, beta, state).tolist())
        self._prev = (int(epoch[-1]), float(t[-1]), counters[-1])
        if not self._epoch_closed and not self._estimate.get(self._epoch_now):
            self._fix_x(self._epoch_now, self._nbatch_in_epoch)  # unknown length: so far

    def _fix_x(self, epoch: int, count: int) -> None:
        b = self._batch
        for i in range(self._epoch_first_index, len(b["x"])):
            if b["epoch"][i] == epoch:
                b["x"][i] = epoch + (b["nbatch"][i] + 1) / max(count, b["nbatch"][i] + 1)

    # ---- drawing ----------------------------------------------------------------------------
    def _refresh(self) -> None:
        """Redraw now (the view converts the recorded rows it shows), then schedule the next
        refresh.

        The budget: everything this object does during a run -- recording each batch (timed
        from the first line of ``__call__``), converting, every refresh, the first one
        included -- adds up in ``_spent``. The next refresh comes at least 1/max_fps seconds
        later, and once the time spent so far plus the expected cost of one more refresh is
        within ``TIMED_SHARE * max_overhead`` of the run's wall time (but never more than
        ``MAX_WAIT`` seconds later, so the figure cannot freeze). Only part of ``max_overhead``
        goes to the timed work because training also slows down by what the timer cannot see
        (fit calling a callback at all, a redraw's after-effects); the benchmark measures the
        total against a run without the callback.
        """
        t = time.perf_counter()
        self._view.refresh()  # converts the recorded rows if it shows them (status, plot)
        end = time.perf_counter()
        cost = end - t
        self.refreshes += 1
        self.refresh_seconds += cost
        self._cost = cost if self._cost is None else 0.5 * (self._cost + cost)
        budget = self._run_start + (self._spent + cost + self._cost) / (
            self.max_overhead * TIMED_SHARE)
        self._next_refresh = max(end + 1.0 / self.max_fps, min(budget, end + MAX_WAIT))

    def _plot_series(self) -> dict[str, Any]:
        b, e = self._batch, self._epoch
        return {"x": b["x"], "lr": b["lr"], "speed": self._smooth.get("samples/s", []),
                "raw": {n: b[n] for n in self._plot_names},
                "smooth": {n: self._smooth[n] for n in self._plot_names},
                "epoch_x": e["x"],
                "train": {n: e.get("train-" + n, []) for n in self._plot_names},
                "val": {n: e["val-" + n] for n in self._plot_names if "val-" + n in e}}

    def _xlim(self) -> tuple[float, float]:
        b = self._batch
        if not b["x"]:
            return (0.0, 1.0)
        lo = float(b["epoch"][0])
        stopped = self.stop_requested and not self._running
        planned = 0.0 if stopped or self._num_epoch is None else float(self._num_epoch)
        hi = max(b["x"][-1], planned, lo + 1.0)  # the whole run, as planned, while it trains
        if self._num_epoch is None or stopped:
            hi = float(math.ceil(hi))
        return (lo, hi + 0.02 * (hi - lo))  # room for the last epoch's markers

    def _update_plot(self, steady: bool = False) -> Any:
        """The figure, brought up to date; ``steady``: a live frame (see ``LivePlot.update``)."""
        from ._plot import LivePlot

        self._sync()
        names = self._plot_names or self._names
        if self._plot is None or self._plot.names != names:
            self._plot = LivePlot(names, self.show_lr, self.show_speed, self.title)
        self._plot.update(self._plot_series(), self._xlim(), steady)
        return self._plot.figure

    def _make_view(self) -> Any:
        mode = self.mode
        if mode == "auto":
            mode = "widget" if _in_jupyter_kernel() and _has_ipywidgets() else "text"
        if mode == "widget":
            from ._jupyter import WidgetView

            return WidgetView(self)
        if mode == "text":
            return TextView(self, self.file, self.print_every)
        return SilentView()

    # ---- interrupts -------------------------------------------------------------------------
    def _install_interrupt(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        self._old_sigint = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, self._on_interrupt)

    def _restore_interrupt(self) -> None:
        if self._old_sigint is not None:
            signal.signal(signal.SIGINT, self._old_sigint)
            self._old_sigint = None

    def _on_interrupt(self, signum: int, frame: Any) -> None:
        if self.stop_requested or not self._running:
            self._restore_interrupt()
            raise KeyboardInterrupt
        self.request_stop()


# ============================================================================================
# Reading a metric after each batch
# ============================================================================================
class _MetricReader:
    """Reads a metric's running totals with one cheap call per batch.

    A metric whose value is ``sum_metric / num_inst`` (accuracy, cross-entropy, MAE, ...) is
    read as the pair of counters, so the value of one batch is the ratio of the differences.
    Any other metric (F1, Perplexity, Pearson, custom) is read as its running value.
    """

    def __init__(self, metric: Any) -> None:
        from ..metric import EvalMetric

        self.metric = metric
        self.names: list[str] = []
        self.slots: dict[str, tuple[str, int]] = {}  # name -> ('sum'|'value', index)
        getters: list[Callable[[], tuple]] = []
        index = 0
        for leaf in _leaves(metric):
            cls = type(leaf)
            pairs = leaf.get_global_name_value()
            if (isinstance(leaf, EvalMetric) and len(pairs) == 1
                    and all(getattr(cls, m) is getattr(EvalMetric, m) for m in
                            ("get", "get_global", "reset_local", "get_global_name_value"))
                    and not isinstance(getattr(cls, "sum_metric", None), property)):
                prefix = "global_" if leaf._has_global_stats else ""
                getters.append(_attr_pair(leaf, prefix + "sum_metric", prefix + "num_inst"))
                self._add(pairs[0][0], "sum", index)
                index += 2
            else:
                getters.append(_values_of(leaf))
                for name, _ in pairs:
                    self._add(name, "value", index)
                    index += 1
        if [n for n, _ in metric.get_global_name_value()] != self.names:  # unusual composite
            getters, self.names, self.slots = [_values_of(metric)], [], {}
            for i, (name, _) in enumerate(metric.get_global_name_value()):
                self._add(name, "value", i)
        self.width = max((i + (2 if kind == "sum" else 1) for kind, i in self.slots.values()),
                         default=0)  # numbers read per batch
        if len(getters) == 1:
            self.read: Callable[[], tuple] = getters[0]
        elif len(getters) == 2:  # e.g. ['acc', 'ce']: the common composite, made quick
            first, second = getters
            self.read = lambda: first() + second()
        else:
            self.read = lambda: tuple(x for g in getters for x in g())

    def _add(self, name: str, kind: str, index: int) -> None:
        if name not in self.slots:
            self.names.append(name)
        self.slots[name] = (kind, index)

    def value(self, counters: tuple | None, name: str) -> float:
        """The running value of ``name`` from ``counters`` (as ``get_global`` reports it)."""
        if counters is None or name not in self.slots:
            return NAN
        kind, i = self.slots[name]
        if kind == "value":
            return float(counters[i])
        total, count = counters[i], counters[i + 1]
        return float(total / count) if count else NAN

    def batch_values(self, counters: np.ndarray, previous: np.ndarray, first: np.ndarray,
                     name: str) -> np.ndarray:
        """The value of ``name`` on each batch alone.

        Parameters
        ----------
        counters, previous : np.ndarray, shape (batches, slots)
            What ``read`` returned after each batch, and one batch earlier.
        first : np.ndarray of bool
            The first batch of an epoch (the metric was reset just before it).
        """
        if name not in self.slots:
            return np.full(len(counters), NAN)
        kind, i = self.slots[name]
        if kind == "value":
            return counters[:, i].copy()
        total, count = counters[:, i], counters[:, i + 1]
        before, before_count = previous[:, i].copy(), previous[:, i + 1].copy()
        # from zero after a reset: at an epoch's start, or reset_local (e.g. by Speedometer)
        restart = first | (count < before_count)
        before[restart], before_count[restart] = 0.0, 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            values = (total - before) / (count - before_count)
        values[count == before_count] = NAN
        return values


def _attr_pair(obj: Any, first: str, second: str) -> Callable[[], tuple]:
    return functools.partial(operator.attrgetter(first, second), obj)


def _values_of(metric: Any) -> Callable[[], tuple]:
    return lambda: tuple(_float(value) for _, value in metric.get_global_name_value())


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return NAN


def _leaves(metric: Any) -> list:
    children = getattr(metric, "metrics", None)
    if isinstance(children, list):
        return [leaf for child in children for leaf in _leaves(child)]
    return [metric]


def _canonical_name(name: str) -> str | None:
    """The name a registry alias gives its metric ('acc' -> 'accuracy'), or None."""
    from .. import metric

    try:
        return metric.create(name).name
    except Exception:
        return None


# ============================================================================================
# Views: text lines outside Jupyter, or nothing
# ============================================================================================
class SilentView:
    """Records only."""

    def refresh(self) -> None: pass
    def epoch_done(self, row: int) -> None: pass
    def stopping(self) -> None: pass
    def finish(self) -> None: pass


class TextView:
    """Compact progress lines for scripts, terminals and CI logs.

    One line per epoch (after its validation when there is one). Between them, every
    ``print_every`` seconds, the status line -- rewritten in place on a terminal.
    """

    def __init__(self, live: LiveMetrics, file: TextIO | None, print_every: float | None
                 ) -> None:
        self.live = live
        self.file = file
        self.tty = bool(getattr(self.out, "isatty", lambda: False)())
        self.print_every = (print_every if print_every is not None else
                            1.0 / live.max_fps if self.tty else 10.0)
        self.last_print = time.perf_counter()
        self.pending = False  # a rewritten line is on screen
        self.printed: set[int] = set()  # epoch rows already printed
        self.said_stopping = False

    @property
    def out(self) -> TextIO:
        return self.file if self.file is not None else sys.stdout

    def _write(self, line: str, in_place: bool = False) -> None:
        if self.tty and in_place:
            self.out.write("\r\033[K" + line)
            self.pending = True
        else:
            self.out.write(("\r\033[K" if self.pending else "") + line + "\n")
            self.pending = False
        self.out.flush()
        self.last_print = time.perf_counter()

    def refresh(self) -> None:
        if time.perf_counter() - self.last_print >= self.print_every:
            self._write(self.live.status(), in_place=True)

    def epoch_done(self, row: int) -> None:
        live, e = self.live, self.live._epoch
        parts = [f"epoch {e['epoch'][row] + 1}" + (f"/{live._num_epoch}" if live._num_epoch
                                                    else "")]
        train = [f"{n}={_fmt(e['train-' + n][row])}" for n in live._names
                 if "train-" + n in e]
        val = [f"{n}={_fmt(e['val-' + n][row])}" for n in live._val_names
               if not math.isnan(e["val-" + n][row])]
        if row not in self.printed:
            parts.append("train " + " ".join(train))
        elif not val:
            return
        self.printed.add(row)
        if val:
            parts.append("val " + " ".join(val))
        if e["batches"][row] and e["batches"][row] < (live._counts.get(e["epoch"][row]) or 0):
            parts.append(f"{e['batches'][row]} batches")
        parts.append(f"{e['time'][row]:.1f} s")
        self._write("  ".join(parts))

    def stopping(self) -> None:
        if not self.said_stopping:
            self.said_stopping = True
            self._write("LiveMetrics: stop requested; fit ends after this batch")

    def finish(self) -> None:
        self._write("LiveMetrics: " + self.live.status())


# ============================================================================================
# Small helpers
# ============================================================================================
def _nan() -> float:
    return NAN


def _fmt(value: float) -> str:
    return "nan" if math.isnan(value) else f"{value:.4f}"


def _as_list(obj: Any) -> list:
    if obj is None:
        return []
    return list(obj) if isinstance(obj, (list, tuple)) else [obj]


def _last_index(values: list, wanted: Any) -> int | None:
    for i in range(len(values) - 1, -1, -1):
        if values[i] == wanted:
            return i
    return None


def _batch_x(epoch: Any, nbatch: Any, expected: Any) -> Any:
    """x of a batch: its epoch plus the share of the epoch done (``expected`` batches, or
    more if there were more)."""
    return epoch + (nbatch + 1) / np.maximum(expected, nbatch + 1)


def _ema(values: np.ndarray, beta: float, state: list[float]) -> np.ndarray:
    """The bias-corrected exponential moving average after each value (NaN values skipped);
    ``state`` is ``[running sum, running weight]`` and is carried to the next call.

    Vectorised (a Python loop takes about 0.1 microsecond a value, a visible share of a short
    batch): after the c-th value, the running sum is
    ``beta**c * (sum0 + (1 - beta) * sum of x_j * beta**-j over the values so far)`` and the
    weight ``beta**c * weight0 + 1 - beta**c``. As ``beta**-j`` grows fast, the values go in
    blocks short enough to keep it below 1e100 (and the cumulative sum's rounding small).
    """
    if beta == 0.0:  # no smoothing: the latest value seen
        last = np.maximum.accumulate(np.where(np.isnan(values), -1, np.arange(len(values))))
        before = state[0] / state[1] if state[1] else NAN
        out = np.where(last >= 0, values[np.maximum(last, 0)], before)
        if len(values) and last[-1] >= 0:
            state[:] = [float(out[-1]), 1.0]
        return out
    out = np.empty(len(values))
    block = int(min(4096, max(1, 100 / -math.log10(beta))))
    for start in range(0, len(values), block):
        chunk = values[start:start + block]
        valid = ~np.isnan(chunk)
        count = np.cumsum(valid)  # values seen in this block so far
        decay = beta ** count
        total = np.cumsum(np.where(valid, chunk, 0.0) * beta ** -count.astype(float))
        average = decay * (state[0] + (1.0 - beta) * total)
        weight = decay * state[1] + 1.0 - decay
        with np.errstate(divide="ignore", invalid="ignore"):
            out[start:start + len(chunk)] = np.where(weight > 0, average / weight, NAN)
        state[:] = [float(average[-1]), float(weight[-1])]
    return out


def _batches_per_epoch(data_iter: Any) -> int | None:
    """Batches in one epoch of ``data_iter``, when it can tell (NDArrayIter, ResizeIter)."""
    size = getattr(data_iter, "size", None)  # ResizeIter
    if isinstance(size, int) and size > 0:
        return size
    num, batch = getattr(data_iter, "num_data", None), getattr(data_iter, "batch_size", None)
    if isinstance(num, int) and isinstance(batch, int) and batch > 0:
        handle = getattr(data_iter, "last_batch_handle", "pad")
        return num // batch if handle in ("discard", "roll_over") else -(-num // batch)
    return None


def _in_jupyter_kernel() -> bool:
    ipython = sys.modules.get("IPython")  # never imported here: only if already in use
    try:
        shell = ipython.get_ipython() if ipython is not None else None
    except Exception:
        return False
    return shell is not None and hasattr(shell, "kernel")


def _has_ipywidgets() -> bool:
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


class _IPythonCellHook:
    """Calls ``finish`` when the notebook cell ends, in case fit raised before the end."""

    def __init__(self, shell: Any, callback: Callable[[], None]) -> None:
        self.shell = shell
        self.callback = callback
        shell.events.register("post_run_cell", self)

    def __call__(self, *args: Any) -> None:
        self.callback()

    def unregister(self) -> None:
        try:
            self.shell.events.unregister("post_run_cell", self)
        except ValueError:
            pass

    @classmethod
    def register(cls, callback: Callable[[], None]) -> _IPythonCellHook | None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
        return cls(shell, callback) if shell is not None else None

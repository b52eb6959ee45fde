"""``LiveMetrics``: training curves that draw themselves while ``fit`` runs.

::

    live = mx.callback.LiveMetrics(mod)
    mod.fit(train_iter, eval_data=val_iter, num_epoch=8, eval_metric=['acc', 'ce'],
            batch_end_callback=live, eval_end_callback=live.eval_end)

After every batch the callback appends a few numbers to plain lists: the epoch, the batch, the
time, the learning rate and the metric's values as ``get_global_name_value`` reports them (the
mean over the epoch so far: at the epoch's last batch, what ``fit`` logs as ``Train-NAME``).
Every ``every`` seconds of wall time it shows what is new. In Jupyter it sends the new points to
a small widget that draws them in the browser, so the kernel never draws during training;
elsewhere it prints a line. The widget appears when ``LiveMetrics`` is created, and waits
(at most 1.5 s) for the browser to draw it, so that loading it does not slow the first epoch.
There is no thread and no timer: everything happens inside the
callback, which is why it also works in JupyterLite, where Python has no threads. When the cell
ends (or ``finish()`` is called), the widget is replaced by a matplotlib figure, which is saved
with the notebook.

Stop: the widget's button, Jupyter's *Interrupt kernel* or ``live.request_stop()`` only raise
a flag; at the next batch the callback sets ``module.stop_training = True``, and ``fit`` ends the
epoch there (logs it, runs validation) and starts no other. A second interrupt aborts at once.
"""
from __future__ import annotations

import math
import os
import signal
import sys
import threading
import time
from typing import Any, TextIO

__all__ = ["LiveMetrics"]

NAN = float("nan")
SAMPLE_EVERY = 0.02  # seconds: at most 50 batches a second are recorded (reading a metric
# after every batch would cost a few percent of a fast batch; 50 points a second are more than
# a screen shows)
MODES = ("auto", "widget", "text", "silent")
LABELS = {
    "en": {"epoch": "epoch", "batch": "batches (mean of the epoch so far)",
           "train": "train, epoch", "val": "validation, epoch", "lr": "learning rate",
           "speed": "samples/s", "stop": "Stop", "stopping": "stopping after this batch",
           "stopped": "stopped", "waiting": "waiting for the first batch"},
    "zh": {"epoch": "轮次", "batch": "各批次（本轮累计平均）", "train": "训练（每轮）",
           "val": "验证（每轮）", "lr": "学习率", "speed": "样本/秒", "stop": "停止",
           "stopping": "本批次结束后停止", "stopped": "已停止", "waiting": "等待第一批数据"},
}
METRIC_NAMES_ZH = {"accuracy": "准确率", "cross-entropy": "交叉熵", "perplexity": "困惑度",
                   "mse": "均方误差", "mae": "平均绝对误差", "rmse": "均方根误差",
                   "nll-loss": "负对数似然", "loss": "损失"}


class LiveMetrics:
    """Live training curves for ``fit``: a widget in Jupyter, progress lines elsewhere.

    Pass the object as ``batch_end_callback`` and its ``eval_end`` method as
    ``eval_end_callback``. Each metric gets a panel with its batch curve (the mean of the epoch
    so far), the training value of each epoch (circles) and the validation value (squares); two
    more panels show the learning rate and the samples per second. The x axis counts epochs.

    Parameters
    ----------
    module : BaseModule, optional
        The module being trained. LiveMetrics reads its learning rate and batch size, and sets
        its ``stop_training`` flag on Stop; without it there is no Stop, no learning rate and
        (unless ``batch_size`` is given) no throughput.
    metrics : list of str, optional
        Names of the metrics to draw (all by default), as the eval metric reports them
        ('accuracy', 'cross-entropy'). ``history`` records every metric.
    every : float, default 0.25
        Seconds of wall time between two refreshes while training.
    batch_size : int, optional
        Samples per batch, for the throughput (default: the module's data shape).
    mode : {'auto', 'widget', 'text', 'silent'}, default 'auto'
        'auto' is 'widget' in a Jupyter kernel with anywidget installed, else 'text'.
        'silent' only records.
    language : {'en', 'zh'}, optional
        Language of the labels. Default: ``$TEACHMOD_LANGUAGE``, else 'zh' when the current
        folder is called ``zh`` (where the Chinese lessons run), else 'en'.
    title : str, optional
        Figure title.
    file : file object, optional
        Text mode: where to print (default ``sys.stdout``).
    print_every : float, optional
        Text mode: seconds between progress lines (default 10; 0.5 on a terminal, where one line
        is rewritten in place). A line per epoch is always printed.
    catch_interrupt : bool, optional
        Turn the first interrupt (Ctrl-C, Jupyter's *Interrupt kernel*) into a clean stop.
        Default: in Jupyter only, where the end of the cell ends the run; in a script, pass
        True and call ``finish()`` after ``fit``.

    Attributes
    ----------
    stop_requested : bool
        True once a stop was requested in the current run.
    refreshes : int
        How many times new points were shown.
    """

    def __init__(self, module: Any = None, *, metrics: list[str] | None = None,
                 every: float = 0.25, batch_size: int | None = None, mode: str = "auto",
                 language: str | None = None, title: str | None = None,
                 file: TextIO | None = None, print_every: float | None = None,
                 catch_interrupt: bool | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"LiveMetrics: mode must be one of {MODES}, got {mode!r}")
        if not every > 0:
            raise ValueError(f"LiveMetrics: every must be a positive number of seconds, got "
                             f"{every!r}")
        language = language or os.environ.get("TEACHMOD_LANGUAGE") or (
            "zh" if os.path.basename(os.getcwd()) == "zh" else "en")
        if language not in LABELS:
            raise ValueError(f"LiveMetrics: language must be one of {tuple(LABELS)}, got "
                             f"{language!r}")
        if isinstance(metrics, str):
            metrics = [metrics]
        if mode == "auto":
            mode = "widget" if in_jupyter() and _has_anywidget() else "text"
        self.module = module
        self.metrics = list(metrics) if metrics is not None else None
        self.every = every
        self.batch_size = batch_size
        self.mode = mode
        self.language = language
        self.labels = LABELS[language]
        self.title = title
        self.file = file
        self.print_every = print_every
        self.catch_interrupt = in_jupyter() if catch_interrupt is None else catch_interrupt
        self.stop_requested = False
        self.refreshes = 0
        self._batch: dict[str, list] = {"epoch": [], "nbatch": [], "time": [], "lr": []}
        self._epoch: dict[str, list] = {"epoch": [], "batches": [], "time": []}
        self._names: list[str] = []  # the training metric's names
        self._metric: Any = None     # the training metric of the current run
        self._epoch_now: int | None = None  # the open epoch (None: none open)
        self._nbatch = -1            # the last batch recorded in it
        self._running = False
        self._next_refresh = 0.0
        self._next_sample = 0.0
        self._last_time = 0.0        # perf_counter after the last batch
        self._expected = 0           # batches in the last epoch: record the last one of the next
        self._t0 = 0.0               # perf_counter at time 0 of history['batch']['time']
        self._view: Any = None
        self._old_sigint: Any = None
        self._cell_hook: Any = None
        self._unused_view = False    # the view made here has shown no run yet
        if mode == "widget" and in_jupyter():  # show the widget now, not in the first epoch
            self._view = self._make_view()
            self._unused_view = True
            self._view.wait_until_drawn()

    # ---- the callbacks ----------------------------------------------------------------------
    def batch_end(self, param: Any) -> None:
        """``batch_end_callback``: note one training batch, record it when it is time.

        Parameters
        ----------
        param : BatchEndParam
            ``epoch``, ``nbatch`` and ``eval_metric`` (updated with this batch); ``locals`` is
            not read.
        """
        now = time.perf_counter()
        nbatch = param.nbatch
        if nbatch != self._nbatch + 1 or param.epoch != self._epoch_now \
                or param.eval_metric is not self._metric:
            self._turn(param, now)  # a new run, epoch or metric
        self._nbatch = nbatch
        self._last_time = now
        if now >= self._next_sample or nbatch + 1 == self._expected:
            self._record(param.epoch, nbatch, now)

    __call__ = batch_end

    def eval_end(self, param: Any) -> None:
        """``eval_end_callback``: record the validation values of ``param.epoch``.

        Parameters
        ----------
        param : BatchEndParam
            ``epoch`` and ``eval_metric`` (the validation metric after scoring).
        """
        if param.epoch == self._epoch_now:  # the training metric still holds the epoch, unless
            self._close_epoch(fresh=param.eval_metric is not self._metric)  # scoring reset it
        e = self._epoch
        rows = [i for i, epoch in enumerate(e["epoch"]) if epoch == param.epoch]
        if not rows:
            raise ValueError(f"LiveMetrics: validation of epoch {param.epoch}, which was not "
                             f"trained with this LiveMetrics as batch_end_callback")
        for name, value in param.eval_metric.get_global_name_value():
            e.setdefault("val-" + name, [NAN] * len(e["epoch"]))[rows[-1]] = float(value)
        if self.stop_requested and self.module is not None:
            self.module.stop_training = True  # a stop during validation: no further epoch
        if self._view is not None:
            self._view.epoch_done(rows[-1])
            if self._running:  # validation took a while without batches: show it now
                self._view.refresh()
                self.refreshes += 1

    def request_stop(self) -> None:
        """Ask ``fit`` to stop after the current batch (what the Stop button does).

        Safe to call from another thread. In a hand-written loop, check ``stop_requested``."""
        if self._running:
            self.stop_requested = True
            self._next_sample = 0.0  # the next batch is recorded, and sets the module's flag

    def finish(self) -> None:
        """End the run: close the last epoch, replace the widget by the final figure (or print
        the last line), restore the interrupt handler. Called when the notebook cell ends; call
        it yourself after ``fit`` in a script. Calling it again does nothing."""
        if not self._running:
            return
        self._running = False
        try:
            if self._epoch_now is not None:
                self._close_epoch(fresh=True)
                self._view.epoch_done(len(self._epoch["epoch"]) - 1)
            self._view.finish()
        finally:
            if self._old_sigint is not None:
                signal.signal(signal.SIGINT, self._old_sigint)
                self._old_sigint = None
            if self._cell_hook is not None:
                self._cell_hook.events.unregister("post_run_cell", self._cell_ended)
                self._cell_hook = None

    # ---- results ----------------------------------------------------------------------------
    @property
    def history(self) -> dict[str, dict[str, list]]:
        """Everything recorded, as plain lists (copies).

        ``history['batch']``: one entry per recorded batch (each epoch's first and last, and in
        between at most 50 a second) -- ``epoch``, ``nbatch``, ``time`` (seconds since the
        first batch), ``lr``, ``samples_per_sec`` (since the previous entry of the epoch; NaN
        for its first) and each metric's value (the mean of the epoch so far).
        ``history['epoch']``: one entry per epoch -- ``epoch``, ``batches``, ``time``,
        ``train-NAME`` (as ``fit`` logs it) and ``val-NAME`` (NaN without validation).
        An epoch still running is included. ``pandas.DataFrame(live.history['epoch'])``
        makes a table of it.
        """
        b = {key: list(values) for key, values in self._batch.items()}
        size = self._batch_size() or NAN
        b["samples_per_sec"] = [
            size * (n - n0) / (t - t0) if n > n0 and t > t0 and e == e0 else NAN
            for e, n, t, e0, n0, t0 in zip(b["epoch"], b["nbatch"], b["time"], [None] + b["epoch"],
                                           [0] + b["nbatch"], [0.0] + b["time"])]
        e = {key: list(values) for key, values in self._epoch.items()}
        if self._epoch_now is not None:
            _add_epoch_row(e, self._open_epoch_row())
        return {"batch": b, "epoch": e}

    @property
    def figure(self) -> Any:
        """A matplotlib ``Figure`` of the curves so far (Agg backend, not shown)."""
        from ._plot import draw

        names = self._drawn_names()
        return draw(self.history, names, self.labels, _titles(names, self.language),
                    self._batch_size() > 0, self.title)

    def save(self, path: str, **kwargs: Any) -> None:
        """Save the figure; the format follows the file name (.png, .svg, .pdf).

        ``kwargs`` go to matplotlib's ``savefig`` (e.g. ``dpi=150``)."""
        from ._plot import save

        save(self.figure, path, self.language, **kwargs)

    def status(self) -> str:
        """The line of latest values that the widget and the text mode show."""
        b = self._batch
        if not b["epoch"]:
            return self.labels["waiting"]
        parts = [f"Epoch[{b['epoch'][-1]}] Batch[{b['nbatch'][-1]}]"]
        parts += [f"{name}={b[name][-1]:.4f}" for name in self._drawn_names()]
        if not math.isnan(b["lr"][-1]):
            parts.append(f"lr={b['lr'][-1]:.4g}")
        parts.append(f"{b['time'][-1]:.1f} s")
        if self.stop_requested:
            parts.append(self.labels["stopping" if self._running else "stopped"])
        return "  ".join(parts)

    def __repr__(self) -> str:
        return (f"<LiveMetrics {self.mode}: {len(self._batch['epoch'])} batches, "
                f"{len(self._epoch['epoch'])} epochs>")

    # ---- inside a run ------------------------------------------------------------------------
    def _turn(self, param: Any, now: float) -> None:
        """The batch starts a run, an epoch or a metric: update what the fast path assumes."""
        if not self._running:
            self._start(now)
        elif param.epoch == self._epoch_now and param.nbatch not in (0, self._nbatch + 1):
            raise ValueError(
                f"LiveMetrics: batch {param.nbatch} of epoch {param.epoch} came after batch "
                f"{self._nbatch}; is LiveMetrics also the eval_end_callback? Pass "
                f"eval_end_callback=live.eval_end")
        if param.eval_metric is not self._metric:
            self._use_metric(param.eval_metric)
        if param.epoch != self._epoch_now or param.nbatch == 0:
            if self._epoch_now is not None:
                self._close_epoch(fresh=True)
                self._view.epoch_done(len(self._epoch["epoch"]) - 1)
            self._epoch_now, self._nbatch = param.epoch, -1
            self._next_sample = 0.0  # record each epoch's first batch

    def _start(self, now: float) -> None:
        self._running = True
        self.stop_requested = False
        self._t0 = now - (self._batch["time"][-1] if self._batch["time"] else 0.0)
        self._next_refresh = self._next_sample = now  # show the first batch at once
        self._expected = 0
        if not self._unused_view:
            self._view = self._make_view()
        self._unused_view = False
        self._view.start()
        if self.catch_interrupt and threading.current_thread() is threading.main_thread():
            try:
                self._old_sigint = signal.signal(signal.SIGINT, self._on_interrupt)
            except (ValueError, OSError):  # a runtime without signals: Interrupt stays as it is
                self._old_sigint = None
        shell = _ipython_shell()
        if shell is not None:  # the cell's end ends the run, even if fit raised
            shell.events.register("post_run_cell", self._cell_ended)
            self._cell_hook = shell

    def _cell_ended(self, *args: Any) -> None:
        self.finish()

    def _use_metric(self, metric: Any) -> None:
        names = [name for name, _ in metric.get_global_name_value()]
        if self.metrics is not None:  # registry aliases ('acc') by the names they report
            self.metrics = [name if name in names else _canonical(name) for name in self.metrics]
        unknown = [name for name in self.metrics or [] if name not in names]
        if unknown:
            raise ValueError(f"LiveMetrics: the eval metric has no {', '.join(map(repr, unknown))}"
                             f"; it has {', '.join(map(repr, names))}")
        for name in names:
            if name not in self._batch:
                self._batch[name] = [NAN] * len(self._batch["epoch"])
                self._names.append(name)
        self._metric = metric

    def _learning_rate(self) -> float:
        optimizer = getattr(self.module, "_optimizer", None)
        return float(getattr(optimizer, "learning_rate", NAN))

    def _batch_size(self) -> int:
        if self.batch_size is not None:
            return self.batch_size
        if not getattr(self.module, "binded", False):
            return 0  # not known yet (the widget is made before fit binds the module)
        try:
            return int(self.module.data_shapes[0][1][0])
        except (AttributeError, IndexError, TypeError):
            return 0  # unknown: no throughput

    def _drawn_names(self) -> list[str]:
        return [n for n in self._names if self.metrics is None or n in self.metrics]

    def _open_epoch_row(self) -> dict[str, Any]:
        """The row of the open epoch, from its last batch."""
        b = self._batch
        row = {"epoch": self._epoch_now, "batches": self._nbatch + 1, "time": b["time"][-1]}
        row.update({"train-" + name: float(b[name][-1]) for name in self._names})
        return row

    def _record(self, epoch: int, nbatch: int, now: float) -> None:
        """Append one row to ``history['batch']``; stop and refresh when it is time."""
        b = self._batch
        b["epoch"].append(epoch)
        b["nbatch"].append(nbatch)
        b["time"].append(now - self._t0)
        b["lr"].append(self._learning_rate())
        values = dict(self._metric.get_global_name_value())
        for name in self._names:  # a metric of an earlier run that this one lacks: NaN
            b[name].append(values.get(name, NAN))
        self._next_sample = now + SAMPLE_EVERY
        if self.stop_requested and self.module is not None:
            self.module.stop_training = True  # fit ends the epoch after this batch
        if now >= self._next_refresh:
            self._view.refresh()
            self.refreshes += 1
            self._next_refresh = now + self.every

    def _close_epoch(self, fresh: bool) -> None:
        """Add the open epoch's row. ``fresh``: the metric still holds the epoch's values, so
        its last batch can be recorded now if it was not (else the last recorded batch, a few
        milliseconds before the end, stands for it: only in the first epoch, whose length is
        not known before its end, when the metric is reset before the epoch is closed)."""
        b = self._batch
        if fresh and (b["epoch"][-1:], b["nbatch"][-1:]) != ([self._epoch_now], [self._nbatch]):
            self._record(self._epoch_now, self._nbatch, self._last_time)
        self._expected = self._nbatch + 1
        _add_epoch_row(self._epoch, self._open_epoch_row())
        self._epoch_now = None

    def _make_view(self) -> Any:
        if self.mode == "widget":
            from ._widget import WidgetView

            return WidgetView(self)
        if self.mode == "text":
            return TextView(self)
        return SilentView()

    def _on_interrupt(self, signum: int, frame: Any) -> None:
        if self.stop_requested or not self._running:
            raise KeyboardInterrupt
        self.request_stop()


class SilentView:
    """Records only."""

    def start(self) -> None: pass
    def refresh(self) -> None: pass
    def epoch_done(self, row: int) -> None: pass
    def finish(self) -> None: pass


class TextView:
    """MXNet-style lines for scripts and CI logs: one per epoch, and between them the status
    every ``print_every`` seconds (rewritten in place on a terminal)."""

    def __init__(self, live: LiveMetrics) -> None:
        self.live = live
        self.out = live.file if live.file is not None else sys.stdout
        self.tty = bool(getattr(self.out, "isatty", lambda: False)())
        self.every = live.print_every or (0.5 if self.tty else 10.0)
        self.last = time.perf_counter()
        self.rewritten = False  # a line rewritten in place is on screen

    def start(self) -> None:
        pass

    def write(self, line: str, in_place: bool = False) -> None:
        ending = "" if in_place else "\n"
        start = "\r\033[K" if self.rewritten or in_place else ""
        self.out.write(start + line + ending)
        self.out.flush()
        self.rewritten = in_place
        self.last = time.perf_counter()

    def refresh(self) -> None:
        if time.perf_counter() - self.last >= self.every:
            self.write(self.live.status(), in_place=self.tty)

    def epoch_done(self, row: int) -> None:
        e = self.live._epoch
        parts = [f"Epoch[{e['epoch'][row]}]"]
        for kind, prefix in (("train-", "Train-"), ("val-", "Validation-")):
            parts += [f"{prefix}{key[len(kind):]}={values[row]:.6f}" for key, values in e.items()
                      if key.startswith(kind) and not math.isnan(values[row])]
        parts.append(f"Time={e['time'][row]:.1f} s")
        self.write("  ".join(parts))

    def finish(self) -> None:
        self.write("LiveMetrics: " + self.live.status())


def _add_epoch_row(table: dict[str, list], row: dict[str, Any]) -> None:
    """Append ``row`` to the epoch table; columns it lacks get NaN, new columns NaN before."""
    size = len(table["epoch"])
    for key in row:
        table.setdefault(key, [NAN] * size)
    for key, column in table.items():
        column.append(row.get(key, NAN))


def _canonical(name: str) -> str:
    from .. import metric

    try:
        return metric.create(name).name
    except Exception:  # not a registered metric: reported as unknown by the caller
        return name


def _titles(names: list[str], language: str) -> list[str]:
    if language == "zh":
        return [METRIC_NAMES_ZH.get(name, name) for name in names]
    return list(names)


def _ipython_shell() -> Any:
    ipython = sys.modules.get("IPython")  # never imported here: only if already in use
    try:
        return ipython.get_ipython() if ipython is not None else None
    except Exception:
        return None


def in_jupyter() -> bool:
    """True inside a Jupyter kernel (ipykernel, or JupyterLite's Pyodide kernel)."""
    shell = _ipython_shell()
    return shell is not None and (hasattr(shell, "kernel") or "pyodide" in sys.modules)


def _has_anywidget() -> bool:
    try:
        import anywidget  # noqa: F401
    except ImportError:
        return False
    return True

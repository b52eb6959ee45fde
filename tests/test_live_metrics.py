"""mx.callback.LiveMetrics: recorded history against the metric and score, throttling, the Stop
button and interrupts, text output, saved figures, and use beside MXNet's callbacks."""
from __future__ import annotations

import io
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import teachmod as mx
from teachmod.model import BatchEndParam
from teachmod.notebook import live as live_module
from teachmod.notebook.live import LiveMetrics

ARTIFACTS = Path(__file__).parent / "artifacts"
BATCH = 50


@pytest.fixture(scope="module")
def letters():
    data, label = mx.test_utils.get_letters()
    return data[:2000], label[:2000], data[2000:2600], label[2000:2600]


def iters(letters, shuffle=False):
    x, y, vx, vy = letters
    return (mx.io.NDArrayIter(x, y, BATCH, shuffle=shuffle),
            mx.io.NDArrayIter(vx, vy, BATCH))


def seed_mlp():
    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=64)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=26)
    return mx.sym.SoftmaxOutput(net, name="softmax")


def fit(letters, live, num_epoch=3, eval_metric=("acc", "ce"), **kwargs):
    train, val = iters(letters)
    mod = mx.mod.Module(seed_mlp())
    kwargs.setdefault("batch_end_callback", live)
    kwargs.setdefault("eval_end_callback", live)
    mod.fit(train, eval_data=val, num_epoch=num_epoch, eval_metric=list(eval_metric),
            optimizer_params={"learning_rate": 0.1}, initializer=mx.init.Uniform(0.1),
            **kwargs)
    return mod, val


class Spy:
    """Records what fit's metric says at each epoch's end, and what validation returned."""

    def __init__(self):
        self.train, self.train_global, self.val, self.batches = [], [], [], []

    def batch(self, param):
        self.batches.append((param.epoch, param.nbatch))
        if param.locals["end_of_batch"]:
            self.train.append(dict(zip(*param.eval_metric.get())))
            self.train_global.append(dict(param.eval_metric.get_global_name_value()))

    def eval_end(self, param):
        self.val.append(dict(param.eval_metric.get_name_value()))


# ---- what is recorded ------------------------------------------------------------------------
def test_epoch_values_equal_the_metric_at_each_epoch_end(letters):
    live, spy = LiveMetrics(mode="silent"), Spy()
    fit(letters, live, batch_end_callback=[spy.batch, live], eval_end_callback=[live, spy.eval_end])
    epoch = live.history["epoch"]
    assert epoch["epoch"] == [0, 1, 2]
    for name in ("accuracy", "cross-entropy"):
        assert epoch["train-" + name] == [row[name] for row in spy.train]
        assert epoch["val-" + name] == [row[name] for row in spy.val]


def test_validation_equals_score(letters):
    live = LiveMetrics(mode="silent")
    mod, val = fit(letters, live, num_epoch=2)
    scored = dict(mod.score(val, ["acc", "ce"]))
    epoch = live.history["epoch"]
    assert epoch["val-accuracy"][-1] == scored["accuracy"]
    assert epoch["val-cross-entropy"][-1] == pytest.approx(scored["cross-entropy"], rel=1e-12)


def test_batch_table_counts_x_and_per_batch_values(letters):
    live = LiveMetrics(mode="silent")
    fit(letters, live, num_epoch=2)
    batch, epoch = live.history["batch"], live.history["epoch"]
    per_epoch = 2000 // BATCH
    assert len(batch["x"]) == 2 * per_epoch
    assert {len(column) for column in batch.values()} == {2 * per_epoch}
    assert batch["nbatch"] == list(range(per_epoch)) * 2
    assert batch["x"][0] == pytest.approx(1 / per_epoch)
    assert batch["x"][per_epoch - 1] == 1.0 and batch["x"][-1] == 2.0
    assert np.all(np.diff(batch["x"]) > 0)
    assert epoch["batches"] == [per_epoch, per_epoch] and epoch["x"] == [1.0, 2.0]
    # each batch value is that batch's own accuracy: equal batches average to the epoch's
    for e in (0, 1):
        values = batch["accuracy"][e * per_epoch:(e + 1) * per_epoch]
        assert np.mean(values) == pytest.approx(epoch["train-accuracy"][e], rel=1e-12)
        assert all(v * BATCH == pytest.approx(round(v * BATCH)) for v in values)
    assert all(lr == 0.1 for lr in batch["lr"])
    assert all(s > 0 for s in batch["samples_per_sec"])  # the first uses fit's epoch clock
    assert np.all(np.diff(batch["time"]) >= 0)


def test_an_iterator_of_unknown_length_and_a_metric_shared_with_validation(letters):
    """PrefetchingIter cannot tell its length: LiveMetrics learns it from the first epoch. An
    epoch closed only at its validation (here by another callback's stop) takes its training
    values as recorded at its last batch: score has reset the shared metric by then."""
    x, y, vx, vy = letters
    train = mx.io.PrefetchingIter(mx.io.NDArrayIter(x, y, BATCH))
    val = mx.io.NDArrayIter(vx, vy, BATCH)
    metric, live, spy = mx.metric.create(["acc"]), LiveMetrics(mode="silent"), Spy()
    mod = mx.mod.Module(seed_mlp())

    def stop_in_epoch_2(param):
        if (param.epoch, param.nbatch) == (2, 9):
            mod.stop_training = True  # fit ends the epoch after this batch, before LiveMetrics
            spy.train_global.append(dict(param.eval_metric.get_global_name_value()))

    mod.fit(train, eval_data=val, num_epoch=4, eval_metric=metric,
            optimizer_params={"learning_rate": 0.1}, initializer=mx.init.Uniform(0.1),
            batch_end_callback=[live, spy.batch, stop_in_epoch_2], eval_end_callback=live)
    epoch = live.history["epoch"]
    assert epoch["batches"] == [40, 40, 10] and epoch["x"][:2] == [1.0, 2.0]
    assert epoch["train-accuracy"] == [row["accuracy"] for row in spy.train_global]
    assert len(live.history["batch"]["x"]) == 90


def test_begin_epoch_resumes_the_curves(letters):
    live = LiveMetrics(mode="silent")
    mod, _ = fit(letters, live, num_epoch=2)
    arg_params, aux_params = mod.get_params()
    fit(letters, live, num_epoch=4, begin_epoch=2, arg_params=arg_params, aux_params=aux_params)
    batch, epoch = live.history["batch"], live.history["epoch"]
    assert epoch["epoch"] == [0, 1, 2, 3] and epoch["x"] == [1.0, 2.0, 3.0, 4.0]
    assert np.all(np.diff(batch["x"]) > 0) and np.all(np.diff(batch["time"]) >= 0)
    assert live._xlim() == (0.0, 4.08)
    fresh = LiveMetrics(mode="silent")  # a new view of a resumed run starts at begin_epoch
    fit(letters, fresh, num_epoch=4, begin_epoch=2, arg_params=arg_params,
        aux_params=aux_params)
    assert fresh.history["epoch"]["x"] == [3.0, 4.0] and fresh._xlim() == (2.0, 4.04)


def test_learning_rate_follows_the_scheduler(letters):
    live = LiveMetrics(mode="silent")
    train, val = iters(letters)
    mod = mx.mod.Module(seed_mlp())
    scheduler = mx.lr_scheduler.FactorScheduler(step=30, factor=0.5, base_lr=0.1)
    mod.fit(train, num_epoch=2, batch_end_callback=live,
            optimizer_params={"lr_scheduler": scheduler})
    lr = live.history["batch"]["lr"]
    assert lr[0] == 0.1 and lr[-1] < lr[0]
    assert sorted(set(lr), reverse=True)[:2] == [0.1, 0.05]


def test_metric_names_aliases_and_a_clear_error(letters):
    live = LiveMetrics(metrics=["acc"], mode="silent")
    fit(letters, live, num_epoch=1)
    assert live._plot_names == ["accuracy"]
    assert "cross-entropy" in live.history["batch"]  # recorded even when not drawn
    assert [ax.get_title() for ax in live.figure.axes if ax.get_visible()] == \
        ["accuracy", "learning rate", "throughput"]

    with pytest.raises(ValueError) as error:
        fit(letters, LiveMetrics(metrics=["f1", "accuracy"], mode="silent"), num_epoch=1)
    message = str(error.value)
    assert "'f1'" in message and "'accuracy', 'cross-entropy'" in message


def test_beside_speedometer_and_do_checkpoint(letters, tmp_path, caplog):
    caplog.set_level("INFO")
    live, spy = LiveMetrics(mode="silent"), Spy()
    prefix = str(tmp_path / "mlp")
    fit(letters, live, num_epoch=2,
        batch_end_callback=[mx.callback.Speedometer(BATCH, 10), spy.batch, live],
        epoch_end_callback=[mx.callback.do_checkpoint(prefix), live],
        eval_end_callback=[mx.callback.LogValidationMetricsCallback(), live])
    assert os.path.exists(prefix + "-0002.params")
    assert any("samples/sec" in r.getMessage() for r in caplog.records)
    # Speedometer's reset_local leaves the global statistics, which fit logs, alone
    train = live.history["epoch"]["train-accuracy"]
    assert train == [row["accuracy"] for row in spy.train_global]
    assert [f"Epoch[{i}] Train-accuracy={v:f}" for i, v in enumerate(train)] == \
        [r.getMessage() for r in caplog.records if "Train-accuracy" in r.getMessage()]
    assert not any(math.isnan(v) for v in live.history["batch"]["accuracy"])
    assert not live._running


def test_hand_written_loop(letters):
    train, val = iters(letters)
    mod = mx.mod.Module(seed_mlp())
    mod.bind(data_shapes=train.provide_data, label_shapes=train.provide_label)
    mod.init_params(mx.init.Uniform(0.1))
    mod.init_optimizer(optimizer_params=(("learning_rate", 0.1),))
    metric = mx.metric.create("acc")
    live = LiveMetrics(mode="silent")
    for epoch in range(2):
        train.reset()
        metric.reset()
        for nbatch, batch in enumerate(train):
            mod.forward_backward(batch)
            mod.update()
            mod.update_metric(metric, batch.label)
            live.batch_end(BatchEndParam(epoch, nbatch, metric, locals()))
        live.eval_end(BatchEndParam(epoch, 0, _scored_metric(mod, val), {}))
    live.finish()
    epoch = live.history["epoch"]
    assert epoch["epoch"] == [0, 1] and epoch["batches"] == [40, 40]
    assert epoch["train-accuracy"][-1] == metric.get()[1]
    assert live.history["batch"]["lr"][0] == 0.1  # found the module among the loop's locals
    assert not math.isnan(epoch["val-accuracy"][1])


def _scored_metric(mod, val):
    metric = mx.metric.create("acc")
    mod.score(val, metric)
    return metric


# ---- throttling ----------------------------------------------------------------------------
class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class CountingView:
    """A view whose refresh takes ``cost`` seconds of the fake clock."""

    def __init__(self, clock, cost):
        self.clock, self.cost, self.refreshes = clock, cost, 0

    def refresh(self):
        self.refreshes += 1
        self.clock.now += self.cost

    def epoch_done(self, row): pass
    def stopping(self): pass
    def finish(self): pass


def drive(monkeypatch, cost, max_fps, max_overhead, seconds=20.0, batch_seconds=0.001):
    clock = FakeClock()
    monkeypatch.setattr(live_module.time, "perf_counter", clock)
    live = LiveMetrics(max_fps=max_fps, max_overhead=max_overhead)
    view = CountingView(clock, cost)
    monkeypatch.setattr(live, "_make_view", lambda: view)
    metric = mx.metric.create("acc")
    start = clock.now
    nbatch = 0
    while clock.now - start < seconds:
        clock.now += batch_seconds
        metric.update([mx.nd.array(np.zeros(4))], [mx.nd.array(np.eye(4, 26))])
        live.batch_end(BatchEndParam(0, nbatch, metric, {}))
        nbatch += 1
    return live, view, clock.now - start


@pytest.mark.parametrize("cost, max_fps, max_overhead", [
    (0.001, 2.0, 0.05),   # cheap drawing: max_fps decides
    (0.080, 2.0, 0.04),   # a matplotlib figure: the overhead budget decides
    (0.080, 10.0, 0.50),
])
def test_refreshes_are_throttled(monkeypatch, cost, max_fps, max_overhead):
    live, view, elapsed = drive(monkeypatch, cost, max_fps, max_overhead)
    assert view.refreshes <= elapsed * max_fps + 1
    drawing = view.refreshes * cost
    budget = live_module.TIMED_SHARE * max_overhead * elapsed  # the rest: what it can't time
    assert drawing <= budget + cost  # within budget, give or take one draw
    assert drawing >= 0.5 * min(budget, elapsed * max_fps * cost)  # not starved
    assert live.refreshes == view.refreshes


def test_recording_a_batch_defers_the_work_to_a_refresh(letters):
    """The per-batch work is one row appended; converting and drawing wait for a refresh
    (the cost itself is measured by benchmarks/bench_live_overhead.py, not here)."""
    metric = mx.metric.create(["acc", "ce"])
    metric.update([mx.nd.array(np.zeros(4))], [mx.nd.array(np.full((4, 26), 1 / 26))])
    live = LiveMetrics(mode="silent")
    live.batch_end(BatchEndParam(0, 0, metric, {}))
    refreshes = live.refreshes
    for nbatch in range(1, 2001):
        live.batch_end(BatchEndParam(0, nbatch, metric, {}))
    assert live._rows_recorded() == 2001  # every batch recorded, none converted yet
    assert live.refreshes == refreshes  # and nothing drawn
    assert live.history["batch"]["nbatch"][-1] == 2000  # reading the history converts them


# ---- stopping ------------------------------------------------------------------------------
def click_at(live, epoch, nbatch, click):
    def callback(param):
        if (param.epoch, param.nbatch) == (epoch, nbatch):
            click()
    return callback


def test_stop_button_ends_fit_after_the_current_batch(letters):
    pytest.importorskip("ipywidgets")
    live = LiveMetrics(mode="widget")  # the Jupyter view, without a browser
    clicker = click_at(live, 1, 5, lambda: live._view.button.click())
    mod, _ = fit(letters, live, num_epoch=5, batch_end_callback=[clicker, live])
    epoch, batch = live.history["epoch"], live.history["batch"]
    assert mod.stop_training
    assert epoch["epoch"] == [0, 1] and epoch["batches"] == [40, 6]  # epoch 1: batches 0..5
    assert batch["epoch"][-1] == 1 and batch["nbatch"][-1] == 5
    assert not math.isnan(epoch["val-accuracy"][1])  # the cut epoch was still validated
    assert epoch["x"][1] == pytest.approx(1 + 6 / 40)
    assert not live._running and live._view.button.comm is None  # widgets closed
    assert live._view.image.value[:8] == b"\x89PNG\r\n\x1a\n"  # the final figure


def test_stop_during_validation_starts_no_new_epoch(letters):
    live = LiveMetrics(mode="silent")

    def stop_while_scoring(param):
        if param.epoch == 0:
            live.request_stop()

    fit(letters, live, num_epoch=4, eval_end_callback=[stop_while_scoring, live])
    assert live.history["epoch"]["epoch"] == [0]

    # Stop while an epoch callback runs (say, a checkpoint being saved), without validation
    before = signal.getsignal(signal.SIGINT)
    live = LiveMetrics(mode="silent")
    train, _ = iters(letters)
    mod = mx.mod.Module(seed_mlp())
    mod.fit(train, num_epoch=4, batch_end_callback=live,
            epoch_end_callback=[lambda *args: live.request_stop(), live])
    assert live.history["epoch"]["epoch"] == [0] and mod.stop_training
    assert not live._running and signal.getsignal(signal.SIGINT) is before


def test_the_button_is_heard_while_the_kernel_is_busy():
    """ipykernel >= 7.4 routes each comm message through ``comm._reply_subshell_for`` on its
    shell-channel thread; the wrapped router raises the stop flag there."""
    from teachmod.notebook._jupyter import wire_stop_button

    class Comm:
        def _reply_subshell_for(self, data, default):
            return default

    class Button:
        def __init__(self):
            self.comm, self.handlers = Comm(), []

        def on_click(self, handler):
            self.handlers.append(handler)

    stops = []
    button = Button()
    assert wire_stop_button(button, lambda: stops.append(1))
    click = {"method": "custom", "content": {"event": "click"}}
    assert button.comm._reply_subshell_for(click, "sub-1") == "sub-1"  # routing unchanged
    assert button.comm._reply_subshell_for({"method": "update", "state": {}}, None) is None
    assert stops == [1]
    button.handlers[0](button)  # the ordinary handler, when the kernel is idle
    assert stops == [1, 1]
    bare = Button()
    del bare.comm
    assert not wire_stop_button(bare, lambda: None)  # other kernels: only the handler


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_interrupt_stops_cleanly_and_a_second_one_aborts(letters):
    before = signal.getsignal(signal.SIGINT)
    live = LiveMetrics(mode="silent")
    interrupt = click_at(live, 0, 10, lambda: os.kill(os.getpid(), signal.SIGINT))
    fit(letters, live, num_epoch=3, batch_end_callback=[interrupt, live])
    assert live.history["epoch"]["batches"] == [11]
    assert signal.getsignal(signal.SIGINT) is before

    live = LiveMetrics(mode="silent")

    def twice(param):
        if param.nbatch == 3:
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        fit(letters, live, num_epoch=3, batch_end_callback=[twice, live])
    assert signal.getsignal(signal.SIGINT) is before


# ---- output ----------------------------------------------------------------------------------
def test_text_mode_prints_one_line_per_epoch(letters):
    out = io.StringIO()
    live = LiveMetrics(mode="text", file=out)
    fit(letters, live, num_epoch=2)
    lines = out.getvalue().splitlines()
    epoch = live.history["epoch"]
    assert len(lines) == 3
    assert lines[0].startswith("epoch 1/2  train accuracy=%.4f cross-entropy=%.4f  val "
                               "accuracy=%.4f" % (epoch["train-accuracy"][0],
                                                  epoch["train-cross-entropy"][0],
                                                  epoch["val-accuracy"][0]))
    assert lines[1].startswith("epoch 2/2  train accuracy=")
    assert lines[2].startswith("LiveMetrics: epoch 2.00/2 · accuracy ")
    assert "(val %.4f)" % epoch["val-accuracy"][1] in lines[2]
    assert "lr 0.1 · " in lines[2] and "samples/s" in lines[2]
    assert "\r" not in out.getvalue()  # not a terminal: no rewritten lines


def test_auto_mode_outside_jupyter_is_text(letters, capsys):
    live = LiveMetrics()
    fit(letters, live, num_epoch=1)
    assert capsys.readouterr().out.startswith("epoch 1/1  train accuracy=")


def test_saved_png_and_svg(letters, tmp_path):
    pytest.importorskip("matplotlib")
    from PIL import Image

    live = LiveMetrics(mode="silent", title="seed MLP on UCI letters")
    fit(letters, live, num_epoch=3)
    png, svg = tmp_path / "curves.png", tmp_path / "curves.svg"
    live.save(str(png))
    live.save(str(svg))
    with Image.open(png) as image:
        assert image.format == "PNG"
        width, height = image.size
        assert width > 400 and height > 300
        pixels = np.asarray(image.convert("RGB"))
    assert pixels.std() > 10  # not a blank canvas
    # the curves' colours are there: training blue and validation orange
    assert np.any(np.all(np.abs(pixels.astype(int) - [31, 119, 180]) < 30, axis=-1))
    assert np.any(np.all(np.abs(pixels.astype(int) - [255, 127, 14]) < 30, axis=-1))
    assert svg.read_text().lstrip().startswith("<?xml")
    axes = [ax for ax in live.figure.axes if ax.get_visible()]
    assert [ax.get_xlabel() for ax in axes] == ["epoch"] * 4
    assert [ax.get_ylabel() for ax in axes] == ["accuracy", "cross-entropy", "learning rate",
                                               "samples/s"]
    legend = [t.get_text() for t in live.figure.legends[0].get_texts()]
    assert legend == ["batch", "batch, smoothed", "train, epoch", "validation, epoch"]
    ARTIFACTS.mkdir(exist_ok=True)
    live.save(str(ARTIFACTS / "live_metrics_saved.png"))  # kept for a look


def test_widget_view_without_a_browser(letters):
    pytest.importorskip("ipywidgets")
    live = LiveMetrics(mode="widget", max_fps=1000, max_overhead=0.99)
    fit(letters, live, num_epoch=2)
    assert live.refreshes >= 1  # drawn during training, then once more at the end
    assert bytes(live._view.image.value[:4]) == b"\x89PNG"
    assert "epoch 2.00/2" in live.status() and "val" in live.status()


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="mode"):
        LiveMetrics(mode="gui")
    with pytest.raises(ValueError, match="smoothing"):
        LiveMetrics(smoothing=1.0)
    with pytest.raises(ValueError, match="max_overhead"):
        LiveMetrics(max_overhead=0)


def test_importing_teachmod_callback_does_not_import_matplotlib():
    code = ("import sys, teachmod as mx; mx.callback.LiveMetrics; "
            "print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parents[1]).stdout
    assert out.split() == ["False", "False"]

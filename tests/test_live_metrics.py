"""mx.callback.LiveMetrics: what it records against fit's metric and score, refreshing by wall
time, stopping, text output, the widget's messages, saved figures, use beside MXNet's
callbacks and in a hand-written loop."""
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
PER_EPOCH = 2000 // BATCH


@pytest.fixture(scope="module")
def letters():
    data, label = mx.test_utils.get_letters()
    return data[:2000], label[:2000], data[2000:2600], label[2000:2600]


def seed_mlp():
    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=64)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=26)
    return mx.sym.SoftmaxOutput(net, name="softmax")


def fit(letters, make_live=None, num_epoch=3, eval_metric=("acc", "ce"), **kwargs):
    """Train the seed MLP; ``make_live(mod)`` makes the LiveMetrics (silent by default)."""
    x, y, vx, vy = letters
    train, val = mx.io.NDArrayIter(x, y, BATCH), mx.io.NDArrayIter(vx, vy, BATCH)
    mod = mx.mod.Module(seed_mlp())
    live = (make_live or (lambda m: LiveMetrics(m, mode="silent")))(mod)
    kwargs.setdefault("batch_end_callback", live)
    kwargs.setdefault("eval_end_callback", live.eval_end)
    mod.fit(train, eval_data=val, num_epoch=num_epoch,
            eval_metric=eval_metric if isinstance(eval_metric, mx.metric.EvalMetric)
            else list(eval_metric),
            optimizer_params={"learning_rate": 0.1}, initializer=mx.init.Uniform(0.1),
            **kwargs)
    return mod, live, val


class Spy:
    """What fit's metric says at each epoch's end (fit's Train- log), and what validation gave."""

    def __init__(self):
        self.train, self.val = [], []

    def batch(self, param):
        if param.locals["end_of_batch"]:
            self.train.append(dict(param.eval_metric.get_global_name_value()))

    def eval_end(self, param):
        self.val.append(dict(param.eval_metric.get_name_value()))


# ---- what is recorded ------------------------------------------------------------------------
def test_epoch_values_equal_fits_log_and_validation(letters):
    spy = Spy()
    x, y, vx, vy = letters
    mod = mx.mod.Module(seed_mlp())
    live = LiveMetrics(mod, mode="silent")
    mod.fit(mx.io.NDArrayIter(x, y, BATCH), eval_data=mx.io.NDArrayIter(vx, vy, BATCH),
            num_epoch=3, eval_metric=["acc", "ce"], optimizer_params={"learning_rate": 0.1},
            initializer=mx.init.Uniform(0.1), batch_end_callback=[spy.batch, live],
            eval_end_callback=[live.eval_end, spy.eval_end])
    epoch = live.history["epoch"]
    assert epoch["epoch"] == [0, 1, 2] and epoch["batches"] == [PER_EPOCH] * 3
    for name in ("accuracy", "cross-entropy"):
        assert epoch["train-" + name] == [row[name] for row in spy.train]
        assert epoch["val-" + name] == [row[name] for row in spy.val]


def test_validation_equals_score(letters):
    mod, live, val = fit(letters, num_epoch=2)
    scored = dict(mod.score(val, ["acc", "ce"]))
    epoch = live.history["epoch"]
    assert epoch["val-accuracy"][-1] == scored["accuracy"]
    assert epoch["val-cross-entropy"][-1] == pytest.approx(scored["cross-entropy"], rel=1e-12)


def test_batch_table(letters):
    mod, live, _ = fit(letters, num_epoch=2)
    batch = live.history["batch"]
    assert {len(column) for column in batch.values()} == {len(batch["epoch"])}
    rows = list(zip(batch["epoch"], batch["nbatch"]))
    # each epoch's first and last batch are always recorded, in order
    for e in (0, 1):
        assert (e, 0) in rows and (e, PER_EPOCH - 1) in rows
    assert rows == sorted(rows) and len(set(rows)) == len(rows)
    assert np.all(np.diff(batch["time"]) >= 0)
    assert all(lr == 0.1 for lr in batch["lr"])
    last = rows.index((1, PER_EPOCH - 1))
    assert batch["accuracy"][last] == live.history["epoch"]["train-accuracy"][1]
    speed = batch["samples_per_sec"]
    assert math.isnan(speed[0]) and all(s > 0 for s in speed if not math.isnan(s))


def test_records_at_most_one_batch_per_sample_interval(monkeypatch):
    """Reading the metric after every batch would cost a few percent of a fast batch: batches
    closer than SAMPLE_EVERY to the last recorded one are only counted."""
    clock = FakeClock()
    monkeypatch.setattr(live_module.time, "perf_counter", clock)
    live = LiveMetrics(mode="silent")
    metric = updated_metric()
    for nbatch in range(1000):  # 1000 batches of 1 ms: 1 s
        clock.now += 0.001
        live(BatchEndParam(0, nbatch, metric, {}))
    recorded = len(live.history["batch"]["nbatch"])
    expected = 1000 * 0.001 / live_module.SAMPLE_EVERY  # batches of 1 s, one per interval
    assert 0.9 * expected <= recorded <= expected + 1
    assert live.history["epoch"]["batches"] == [1000]  # every batch counted


def test_a_metric_object_shared_with_validation(letters):
    """fit scores with the training metric itself when it is an EvalMetric and no
    validation_metric is given: score resets it. From the second epoch on, the epoch's last
    batch is known in advance and recorded exactly; the first one ends a few ms early."""
    metric = mx.metric.create("acc")
    spy = Spy()
    x, y, vx, vy = letters
    mod = mx.mod.Module(seed_mlp())
    live = LiveMetrics(mod, mode="silent")
    mod.fit(mx.io.NDArrayIter(x, y, BATCH), eval_data=mx.io.NDArrayIter(vx, vy, BATCH),
            num_epoch=3, eval_metric=metric, optimizer_params={"learning_rate": 0.1},
            initializer=mx.init.Uniform(0.1), batch_end_callback=[spy.batch, live],
            eval_end_callback=[live.eval_end, spy.eval_end])
    epoch = live.history["epoch"]
    assert epoch["train-accuracy"][1:] == [row["accuracy"] for row in spy.train][1:]
    assert epoch["val-accuracy"] == [row["accuracy"] for row in spy.val]


def test_begin_epoch_resumes_the_curves(letters):
    mod, live, _ = fit(letters, num_epoch=2)
    arg_params, aux_params = mod.get_params()
    x, y, vx, vy = letters
    mod.fit(mx.io.NDArrayIter(x, y, BATCH), num_epoch=4, begin_epoch=2, arg_params=arg_params,
            aux_params=aux_params, batch_end_callback=live, force_init=True)
    live.finish()
    batch, epoch = live.history["batch"], live.history["epoch"]
    assert epoch["epoch"] == [0, 1, 2, 3]
    assert np.isnan(epoch["val-accuracy"][3])
    assert np.all(np.diff(batch["time"]) >= 0)


def test_learning_rate_follows_the_scheduler(letters):
    x, y, _, _ = letters
    mod = mx.mod.Module(seed_mlp())
    live = LiveMetrics(mod, mode="silent")
    scheduler = mx.lr_scheduler.FactorScheduler(step=30, factor=0.5, base_lr=0.1)
    mod.fit(mx.io.NDArrayIter(x, y, BATCH), num_epoch=2, batch_end_callback=live,
            optimizer_params={"lr_scheduler": scheduler})
    lr = live.history["batch"]["lr"]
    assert lr[0] == 0.1 and lr[-1] < 0.05


def test_without_a_module_there_is_no_learning_rate(letters):
    _, live, _ = fit(letters, lambda mod: LiveMetrics(mode="silent"), num_epoch=1)
    batch = live.history["batch"]
    assert all(math.isnan(v) for v in batch["lr"] + batch["samples_per_sec"])


def test_metric_names_aliases_and_a_clear_error(letters):
    _, live, _ = fit(letters, lambda mod: LiveMetrics(mod, metrics=["acc"], mode="silent"),
                     num_epoch=1)
    assert live._drawn_names() == ["accuracy"]
    assert "cross-entropy" in live.history["batch"]  # recorded even when not drawn
    assert [ax.get_title() for ax in live.figure.axes if ax.get_visible()] == \
        ["accuracy", "learning rate", "samples/s"]
    with pytest.raises(ValueError) as error:
        fit(letters, lambda mod: LiveMetrics(mod, metrics=["f1", "acc"], mode="silent"))
    assert "'f1'" in str(error.value) and "'accuracy', 'cross-entropy'" in str(error.value)


def test_passing_it_as_eval_end_callback_says_what_to_pass(letters):
    x, y, vx, vy = letters
    mod = mx.mod.Module(seed_mlp())
    live = LiveMetrics(mod, mode="silent")
    with pytest.raises(ValueError, match="eval_end_callback=live.eval_end"):
        mod.fit(mx.io.NDArrayIter(x, y, BATCH), eval_data=mx.io.NDArrayIter(vx, vy, BATCH),
                num_epoch=2, batch_end_callback=live, eval_end_callback=live)


def test_beside_speedometer_and_do_checkpoint(letters, tmp_path, caplog):
    caplog.set_level("INFO")
    spy = Spy()
    prefix = str(tmp_path / "mlp")
    x, y, vx, vy = letters
    mod = mx.mod.Module(seed_mlp())
    live = LiveMetrics(mod, mode="silent")
    mod.fit(mx.io.NDArrayIter(x, y, BATCH), eval_data=mx.io.NDArrayIter(vx, vy, BATCH),
            num_epoch=2, optimizer_params={"learning_rate": 0.1},
            batch_end_callback=[mx.callback.Speedometer(BATCH, 10), spy.batch, live],
            epoch_end_callback=mx.callback.do_checkpoint(prefix),
            eval_end_callback=[mx.callback.LogValidationMetricsCallback(), live.eval_end])
    assert os.path.exists(prefix + "-0002.params")
    assert any("samples/sec" in r.getMessage() for r in caplog.records)
    # Speedometer's reset_local leaves the global statistics, which fit logs, alone
    train = live.history["epoch"]["train-accuracy"]
    assert train == [row["accuracy"] for row in spy.train]
    assert [f"Epoch[{i}] Train-accuracy={v:f}" for i, v in enumerate(train)] == \
        [r.getMessage() for r in caplog.records if "Train-accuracy" in r.getMessage()]


def test_hand_written_loop(letters):
    x, y, vx, vy = letters
    train, val = mx.io.NDArrayIter(x, y, BATCH), mx.io.NDArrayIter(vx, vy, BATCH)
    mod = mx.mod.Module(seed_mlp())
    mod.bind(data_shapes=train.provide_data, label_shapes=train.provide_label)
    mod.init_params(mx.init.Uniform(0.1))
    mod.init_optimizer(optimizer_params=(("learning_rate", 0.1),))
    metric = mx.metric.create("acc")
    live = LiveMetrics(mod, mode="silent")
    for epoch in range(2):
        train.reset()
        metric.reset()
        for nbatch, batch in enumerate(train):
            mod.forward_backward(batch)
            mod.update()
            mod.update_metric(metric, batch.label)
            live.batch_end(BatchEndParam(epoch, nbatch, metric, None))
        scored = mx.metric.create("acc")
        mod.score(val, scored)
        live.eval_end(BatchEndParam(epoch, 0, scored, None))
    live.finish()
    epoch = live.history["epoch"]
    assert epoch["epoch"] == [0, 1] and epoch["batches"] == [PER_EPOCH, PER_EPOCH]
    assert epoch["train-accuracy"][-1] == metric.get()[1]
    assert live.history["batch"]["lr"][0] == 0.1 and not math.isnan(epoch["val-accuracy"][1])


# ---- refreshing by wall time -------------------------------------------------------------------
class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class CountingView:
    def __init__(self):
        self.refreshes, self.epochs, self.finished, self.started = 0, [], False, 0

    def start(self):
        self.started += 1

    def refresh(self):
        self.refreshes += 1

    def epoch_done(self, row):
        self.epochs.append(row)

    def finish(self):
        self.finished = True


def updated_metric():
    metric = mx.metric.create("acc")
    metric.update([mx.nd.array(np.zeros(4))], [mx.nd.array(np.eye(4, 26))])
    return metric


@pytest.mark.parametrize("every, batch_seconds", [(0.25, 0.001), (0.5, 0.003), (0.25, 0.6)])
def test_refreshes_follow_the_wall_clock(monkeypatch, every, batch_seconds):
    """The first batch is shown at once, then one refresh every ``every`` seconds -- or after
    every batch when batches are slower than that."""
    clock = FakeClock()
    monkeypatch.setattr(live_module.time, "perf_counter", clock)
    live = LiveMetrics(every=every)
    view = CountingView()
    monkeypatch.setattr(live, "_make_view", lambda: view)
    metric = updated_metric()
    nbatch = 0
    while nbatch * batch_seconds < 20.0:
        live(BatchEndParam(0, nbatch, metric, {}))
        if nbatch == 0:
            assert view.refreshes == 1
        clock.now += batch_seconds
        nbatch += 1
    expected = 20.0 / max(every, batch_seconds)
    assert expected * 0.9 <= view.refreshes <= expected + 2
    assert live.refreshes == view.refreshes


# ---- stopping ------------------------------------------------------------------------------
def at_batch(epoch, nbatch, action):
    def callback(param):
        if (param.epoch, param.nbatch) == (epoch, nbatch):
            action()
    return callback


def test_stop_ends_fit_after_the_current_batch(letters):
    holder = {}

    def make(mod):
        holder["live"] = LiveMetrics(mod, mode="silent")
        return holder["live"]

    stop = at_batch(1, 5, lambda: holder["live"].request_stop())
    mod, live, _ = fit(letters, make, num_epoch=5,
                       batch_end_callback=[stop, lambda p: holder["live"](p)])
    epoch = live.history["epoch"]
    assert mod.stop_training
    assert epoch["epoch"] == [0, 1] and epoch["batches"] == [PER_EPOCH, 6]
    assert not math.isnan(epoch["val-accuracy"][1])  # the cut epoch was still validated
    assert live.status().endswith("stopping after this batch")
    live.finish()
    assert live.status().endswith("stopped")


def test_stop_during_validation_starts_no_new_epoch(letters):
    holder = {}

    def make(mod):
        holder["live"] = LiveMetrics(mod, mode="silent")
        return holder["live"]

    def stop_while_scoring(param):
        holder["live"].request_stop()

    _, live, _ = fit(letters, make, num_epoch=4,
                     eval_end_callback=[stop_while_scoring, lambda p: holder["live"].eval_end(p)])
    assert live.history["epoch"]["epoch"] == [0]


def test_the_button_is_heard_while_the_kernel_is_busy():
    """ipykernel >= 7.4 routes each comm message through ``comm._reply_subshell_for`` on its
    shell-channel thread; the wrapped router raises the stop flag (or notes 'ready') there."""
    pytest.importorskip("anywidget")
    from teachmod.notebook._widget import wire_events

    class Comm:
        def _reply_subshell_for(self, data, default):
            return default

    class Widget:
        def __init__(self):
            self.comm, self.handlers = Comm(), []

        def on_msg(self, handler):
            self.handlers.append(handler)

    events = []
    widget = Widget()
    assert wire_events(widget, {"click": lambda: events.append("stop"),
                                "ready": lambda: events.append("ready")})
    click = {"method": "custom", "content": {"event": "click"}}
    assert widget.comm._reply_subshell_for(click, "sub-1") == "sub-1"  # routing unchanged
    assert widget.comm._reply_subshell_for({"method": "update", "state": {}}, None) is None
    widget.comm._reply_subshell_for({"method": "custom", "content": {"event": "ready"}}, None)
    widget.comm._reply_subshell_for({"method": "custom", "content": {"event": "other"}}, None)
    assert events == ["stop", "ready"]
    widget.handlers[0](widget, {"event": "click"}, [])  # when the kernel is idle
    assert events == ["stop", "ready", "stop"]
    bare = Widget()
    del bare.comm
    assert not wire_events(bare, {"click": lambda: None})  # other kernels: only the handler


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_interrupt_stops_cleanly_and_a_second_one_aborts(letters):
    before = signal.getsignal(signal.SIGINT)
    holder = {}

    def make(mod):
        holder["live"] = LiveMetrics(mod, mode="silent", catch_interrupt=True)
        return holder["live"]

    interrupt = at_batch(0, 10, lambda: os.kill(os.getpid(), signal.SIGINT))
    _, live, _ = fit(letters, make, batch_end_callback=[interrupt, lambda p: holder["live"](p)])
    assert live.history["epoch"]["batches"] == [11]
    live.finish()
    assert signal.getsignal(signal.SIGINT) is before

    def twice():
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        fit(letters, make, batch_end_callback=[at_batch(0, 3, twice),
                                                lambda p: holder["live"](p)])
    holder["live"].finish()
    assert signal.getsignal(signal.SIGINT) is before


# ---- output ----------------------------------------------------------------------------------
def test_text_mode_prints_mxnet_style_lines(letters):
    out = io.StringIO()
    _, live, _ = fit(letters, lambda mod: LiveMetrics(mod, mode="text", file=out), num_epoch=2)
    live.finish()
    lines = out.getvalue().splitlines()
    epoch = live.history["epoch"]
    assert len(lines) == 3
    assert lines[0].startswith("Epoch[0]  Train-accuracy=%f  Train-cross-entropy=%f  "
                               "Validation-accuracy=%f" % (epoch["train-accuracy"][0],
                                                           epoch["train-cross-entropy"][0],
                                                           epoch["val-accuracy"][0]))
    assert lines[1].startswith("Epoch[1]  Train-accuracy=")
    assert lines[2].startswith(f"LiveMetrics: Epoch[1] Batch[{PER_EPOCH - 1}]  accuracy=")
    assert "lr=0.1" in lines[2]
    assert "\r" not in out.getvalue()  # not a terminal: no rewritten lines


def test_auto_mode_outside_jupyter_is_text(letters, capsys):
    fit(letters, lambda mod: LiveMetrics(mod), num_epoch=1)
    assert capsys.readouterr().out.startswith("Epoch[0]  Train-accuracy=")


def test_saved_png_and_svg_in_english_and_chinese(letters, tmp_path):
    pytest.importorskip("matplotlib")
    from PIL import Image

    _, live, _ = fit(letters, lambda mod: LiveMetrics(mod, mode="silent", language="en",
                                                      title="seed MLP on UCI letters"))
    png, svg = tmp_path / "curves.png", tmp_path / "curves.svg"
    live.save(str(png))
    live.save(str(svg))
    with Image.open(png) as image:
        assert image.format == "PNG" and image.size[0] > 400 and image.size[1] > 300
        pixels = np.asarray(image.convert("RGB")).astype(int)
    # the curves' colours are there: training blue and validation orange
    assert np.any(np.all(np.abs(pixels - [31, 119, 180]) < 30, axis=-1))
    assert np.any(np.all(np.abs(pixels - [255, 127, 14]) < 30, axis=-1))
    assert svg.read_text().lstrip().startswith("<?xml")
    axes = [ax for ax in live.figure.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["accuracy", "cross-entropy", "learning rate",
                                              "samples/s"]
    legend = [t.get_text() for t in live.figure.legends[0].get_texts()]
    assert legend == ["batches (mean of the epoch so far)", "train, epoch", "validation, epoch"]
    ARTIFACTS.mkdir(exist_ok=True)
    live.save(str(ARTIFACTS / "live_metrics_en.png"))  # kept for a look

    live.language, live.labels = "zh", live_module.LABELS["zh"]
    axes = [ax for ax in live.figure.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["准确率", "交叉熵", "学习率", "样本/秒"]
    live.save(str(ARTIFACTS / "live_metrics_zh.png"))


def test_language_follows_the_lessons_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("TEACHMOD_LANGUAGE", raising=False)
    (tmp_path / "zh").mkdir()
    monkeypatch.chdir(tmp_path / "zh")
    assert LiveMetrics().language == "zh"
    monkeypatch.chdir(tmp_path)
    assert LiveMetrics().language == "en"
    monkeypatch.setenv("TEACHMOD_LANGUAGE", "zh")
    assert LiveMetrics().labels["epoch"] == "轮次"


def widget_run(letters, monkeypatch, full_resend: float, num_epoch: int):
    """A fit with the widget view and no browser: the widget module, the messages it would
    have sent, and the LiveMetrics."""
    widget_module = pytest.importorskip("teachmod.notebook._widget")
    messages = []
    monkeypatch.setattr(widget_module.CurvesWidget, "send",
                        lambda self, content, buffers=None: messages.append(content))
    monkeypatch.setattr(widget_module, "FULL_RESEND", full_resend)
    _, live, _ = fit(letters, lambda mod: LiveMetrics(mod, mode="widget", every=1e-9),
                     num_epoch=num_epoch)
    return widget_module, messages, live


def test_widget_sends_only_new_points(letters, monkeypatch):
    """Without a browser: the messages the widget would get. In the first seconds each one
    carries everything so far (a message sent before the browser is ready is lost); later ones
    only the new points, thinned to at most MAX_POINTS (+ the last batch)."""
    widget_module, messages, live = widget_run(letters, monkeypatch, full_resend=0.0,
                                               num_epoch=2)
    assert live.refreshes == len(messages) > 2
    sizes = [len(m["batches"]["epoch"]) for m in messages]
    assert sum(sizes) == len(live.history["batch"]["epoch"])  # each point sent once
    assert all(not m["reset"] for m in messages)
    assert max(sizes) <= widget_module.MAX_POINTS + 1
    last = messages[-1]
    assert last["names"] == ["accuracy", "cross-entropy"]
    # sent at once after each validation, with its values
    assert last["epochs"]["epoch"] == [0, 1] and last["epochs"]["batches"] == [PER_EPOCH] * 2
    assert last["epochs"]["val-accuracy"] == live.history["epoch"]["val-accuracy"]
    live.finish()
    assert live._view.png[:8] == b"\x89PNG\r\n\x1a\n"  # the final figure
    assert live._view.widget.comm is None  # closed


def test_widget_resends_everything_at_first(letters, monkeypatch):
    _, messages, live = widget_run(letters, monkeypatch, full_resend=1e9, num_epoch=1)
    assert all(m["reset"] for m in messages)
    assert messages[-1]["batches"]["nbatch"][-1] == live.history["batch"]["nbatch"][-1]


@pytest.mark.filterwarnings("ignore:Parameters already initialized")
def test_in_a_notebook_the_widget_is_shown_before_training(letters, monkeypatch):
    """In Jupyter the widget is displayed (and waited for) when LiveMetrics is made, so the
    first epoch does not pay for it; the first run uses that widget, a second run a new one."""
    widget_module = pytest.importorskip("teachmod.notebook._widget")
    import IPython.display

    shown = []
    monkeypatch.setattr(live_module, "in_jupyter", lambda: True)
    monkeypatch.setattr(widget_module, "in_jupyter", lambda: True)
    monkeypatch.setattr(IPython.display, "display", lambda w, display_id: shown.append(w))
    monkeypatch.setattr(widget_module.CurvesWidget, "send", lambda self, content: None)

    def browser_answers_at_once(widget, handlers):
        handlers["ready"]()
        return True

    monkeypatch.setattr(widget_module, "wire_events", browser_answers_at_once)
    holder = {}

    def make(mod):
        holder["live"] = LiveMetrics(mod, mode="widget", catch_interrupt=False)
        assert len(shown) == 1 and holder["live"]._view.widget is shown[0]
        assert holder["live"]._view.ready.is_set()
        assert holder["live"]._view.widget.spec["batch_size"] == 0  # the module is not bound
        return holder["live"]

    mod, live, val = fit(letters, make, num_epoch=1)
    first = live._view
    assert len(shown) == 1 and first.widget.spec["batch_size"] == BATCH
    live.finish()
    x, y, _, _ = letters
    mod.fit(mx.io.NDArrayIter(x, y, BATCH), num_epoch=1, batch_end_callback=live,
            optimizer_params={"learning_rate": 0.1}, force_init=False)
    assert len(shown) == 2 and live._view is not first


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="mode"):
        LiveMetrics(mode="gui")
    with pytest.raises(ValueError, match="every"):
        LiveMetrics(every=0)
    with pytest.raises(ValueError, match="language"):
        LiveMetrics(language="fr")


def test_importing_teachmod_callback_imports_no_drawing_library():
    code = ("import sys, teachmod as mx; mx.callback.LiveMetrics; "
            "print(*(m in sys.modules for m in ('matplotlib', 'ipywidgets', 'anywidget')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parents[1]).stdout
    assert out.split() == ["False", "False", "False"]

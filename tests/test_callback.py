"""mx.callback: MXNet 1.9.1's exact log lines, checkpoint periods, BatchEndParam."""
from __future__ import annotations

import gc
import logging
import os
import types

import numpy as np
import pytest

import teachmod as mx
from teachmod import callback
from teachmod.model import BatchEndParam


class FakeMetric:
    """MXNet's metric interface, as far as callbacks use it."""

    def __init__(self, pairs=(("accuracy", 0.5), ("cross-entropy", 1.25))):
        self.pairs = list(pairs)
        self.resets = 0

    def get_name_value(self):
        return self.pairs

    def reset_local(self):
        self.resets += 1


@pytest.fixture
def clock(monkeypatch):
    """time.time() in teachmod.callback advances one second per call, so every logged interval
    (from the clock reading after one log to the reading at the next) is one second."""
    ticks = iter(range(1000))
    monkeypatch.setattr(callback.time, "time", lambda: float(next(ticks)))


def messages(caplog):
    return [r.getMessage() for r in caplog.records]


def test_batch_end_param_is_mxnets_namedtuple():
    param = BatchEndParam(epoch=1, nbatch=2, eval_metric=None, locals={"x": 1})
    assert type(param).__name__ == "BatchEndParams"
    assert param._fields == ("epoch", "nbatch", "eval_metric", "locals")
    assert mx.model.BatchEndParam is BatchEndParam


def _fit_with(callback, num_epoch=2):
    data = np.random.default_rng(0).normal(size=(40, 2))
    train = mx.io.NDArrayIter(data, np.arange(40) % 3, batch_size=10)
    mod = mx.mod.Module(_mlp())
    mod.fit(train, num_epoch=num_epoch, batch_end_callback=callback)
    return mod


def test_fit_passes_its_locals_as_mxnet_does():
    """Batch callbacks get fit's ``locals()``: a plain dict of its variables at that batch."""
    seen = []

    def look(param):
        loc = param.locals
        seen.append((type(loc) is dict, loc["self"], loc["nbatch"] == param.nbatch,
                     loc["end_of_batch"], loc["train_data"], "params" in loc))

    mod = _fit_with(look)
    assert [s[0] for s in seen] == [True] * 8
    assert all(s[1] is mod and s[2] and s[4] is not None and not s[5] for s in seen)
    assert [s[3] for s in seen] == [False, False, False, True] * 2  # each epoch's last batch


def test_fit_leaves_no_reference_cycle_through_its_locals():
    """The BatchEndParam is not one of fit's variables, so no later ``locals()`` holds it: fit's
    frame (and e.g. the copy of the parameters in its variables) goes when fit returns, not at a
    later garbage collection."""
    gc.collect()
    gc.disable()
    try:
        _fit_with(lambda param: param.locals["self"], num_epoch=1)
        frames = [o for o in gc.get_objects()
                  if isinstance(o, types.FrameType) and o.f_code.co_name == "fit"]
        params = [o for o in gc.get_objects() if type(o) is BatchEndParam]
    finally:
        gc.enable()
    assert frames == [] and params == []


def test_speedometer_lines_and_reset(caplog, clock):
    caplog.set_level(logging.INFO)
    metric = FakeMetric()
    speedometer = mx.callback.Speedometer(batch_size=4, frequent=2)
    for nbatch in range(5):
        speedometer(BatchEndParam(0, nbatch, metric, None))
    # nbatch 0 starts the clock; logs at 2 and 4, each over 2 batches of 4 samples in 1 second
    assert messages(caplog) == [
        "Epoch[0] Batch [0-2]\tSpeed: 8.00 samples/sec\taccuracy=0.500000\tcross-entropy=1.250000",
        "Epoch[0] Batch [2-4]\tSpeed: 8.00 samples/sec\taccuracy=0.500000\tcross-entropy=1.250000",
    ]
    assert metric.resets == 2
    assert all(r.name == "root" and r.levelno == logging.INFO for r in caplog.records)


def test_speedometer_without_auto_reset(caplog, clock):
    caplog.set_level(logging.INFO)
    metric = FakeMetric([("accuracy", 0.25)])
    speedometer = mx.callback.Speedometer(8, frequent=3, auto_reset=False)
    for nbatch in range(7):
        speedometer(BatchEndParam(2, nbatch, metric, None))
    assert messages(caplog) == [
        "Epoch[2] Batch [0-3]\tSpeed: 24.00 samples/sec\taccuracy=0.250000",
        "Epoch[2] Batch [0-6]\tSpeed: 24.00 samples/sec\taccuracy=0.250000",
    ]
    assert metric.resets == 0


def test_speedometer_without_metric(caplog, clock):
    caplog.set_level(logging.INFO)
    speedometer = mx.callback.Speedometer(2, frequent=1)
    speedometer(BatchEndParam(3, 0, None, None))
    speedometer(BatchEndParam(3, 1, None, None))
    assert messages(caplog) == ["Iter[3] Batch [1]\tSpeed: 2.00 samples/sec"]


def test_speedometer_restarts_the_clock_each_epoch(caplog, clock):
    caplog.set_level(logging.INFO)
    speedometer = mx.callback.Speedometer(1, frequent=2)
    for epoch in range(2):
        for nbatch in range(3):
            speedometer(BatchEndParam(epoch, nbatch, FakeMetric([("acc", 1.0)]), None))
    lines = messages(caplog)
    assert [line.split("\t")[0] for line in lines] == ["Epoch[0] Batch [0-2]",
                                                       "Epoch[1] Batch [0-2]"]


def test_speedometer_zero_elapsed_time(caplog, monkeypatch):
    caplog.set_level(logging.INFO)
    monkeypatch.setattr(callback.time, "time", lambda: 5.0)
    speedometer = mx.callback.Speedometer(1, frequent=1)
    speedometer(BatchEndParam(0, 0, None, None))
    speedometer(BatchEndParam(0, 1, None, None))
    assert messages(caplog) == ["Iter[0] Batch [1]\tSpeed: inf samples/sec"]


def test_log_train_metric(caplog):
    caplog.set_level(logging.INFO)
    metric = FakeMetric()
    log = mx.callback.log_train_metric(period=2, auto_reset=True)
    log(BatchEndParam(1, 1, metric, None))
    log(BatchEndParam(1, 2, metric, None))
    assert messages(caplog) == ["Iter[1] Batch[2] Train-accuracy=0.500000",
                                "Iter[1] Batch[2] Train-cross-entropy=1.250000"]
    assert metric.resets == 1


def test_progress_bar(caplog):
    caplog.set_level(logging.INFO)
    mx.callback.ProgressBar(total=4, length=10)(BatchEndParam(0, 1, None, None))
    assert messages(caplog) == ["[==--------] 25%\r"]  # round(2.5) == 2, as in MXNet


def test_log_validation_metrics_callback(caplog):
    caplog.set_level(logging.INFO)
    log = mx.callback.LogValidationMetricsCallback()
    log(BatchEndParam(4, 10, FakeMetric([("accuracy", 0.75)]), None))
    log(BatchEndParam(4, 10, None, None))
    assert messages(caplog) == ["Epoch[4] Validation-accuracy=0.750000"]


def _mlp():
    data = mx.sym.Variable("data")
    fc = mx.sym.FullyConnected(data, name="fc1", num_hidden=3)
    return mx.sym.SoftmaxOutput(fc, name="softmax")


def test_do_checkpoint_period(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    prefix = str(tmp_path / "net")
    arg = {"fc1_weight": mx.nd.ones((3, 2)), "fc1_bias": mx.nd.zeros((3,))}
    save = mx.callback.do_checkpoint(prefix, period=2)
    for iter_no in range(4):
        save(iter_no, _mlp(), arg, {})
    assert sorted(os.listdir(tmp_path)) == ["net-0002.params", "net-0004.params",
                                           "net-symbol.json"]
    assert messages(caplog) == [f'Saved checkpoint to "{prefix}-0002.params"',
                                f'Saved checkpoint to "{prefix}-0004.params"']
    _, loaded, _ = mx.model.load_checkpoint(prefix, 4)
    np.testing.assert_array_equal(loaded["fc1_weight"].asnumpy(), np.ones((3, 2)))


def test_do_checkpoint_period_below_one_means_every_epoch(tmp_path):
    save = mx.callback.do_checkpoint(str(tmp_path / "net"), period=0)
    save(0, None, {"w": mx.nd.ones((1,))}, {})
    assert os.listdir(tmp_path) == ["net-0001.params"]


def test_module_checkpoint():
    class FakeModule:
        calls = []

        def save_checkpoint(self, prefix, epoch, save_optimizer_states=False):
            self.calls.append((prefix, epoch, save_optimizer_states))

    mod = FakeModule()
    save = mx.callback.module_checkpoint(mod, "run/mlp", period=3, save_optimizer_states=True)
    for iter_no in range(7):
        save(iter_no)
    assert mod.calls == [("run/mlp", 3, True), ("run/mlp", 6, True)]

"""Golden log output of ``Module.fit`` and ``mx.callback`` (MXNet 1.9.1).

Run in a separate venv that has the real MXNet::

    python -m venv /tmp/mxvenv && /tmp/mxvenv/bin/pip install mxnet==1.9.1 numpy==1.23.5
    /tmp/mxvenv/bin/python tests/golden/module/gen_logs.py

Writes ``logs.txt``: for each scenario a header line ``=== <name> ===``, ``# `` comment
lines with the code that was run, then the exact log records, formatted with
``logging.basicConfig(level=logging.INFO, format='%(levelname)s:%(name)s:%(message)s')``.
Lines containing a time ("Speed: ... samples/sec", "Time cost=...") differ between runs;
everything else is deterministic. Also writes ``logs.json`` with the same lines per scenario.
Checkpoint files written by do_checkpoint go to a temporary directory (cwd during the run),
so the logged file names are relative.
"""

import logging
import os
import tempfile

import mxnet as mx
import numpy as np
from _golden_util import dump_json, load_letters, mlp_symbol, seed_all

FORMAT = "%(levelname)s:%(name)s:%(message)s"
NTRAIN = 4000   # 125 batches of 32
NVAL = 800      # 25 batches of 32


class Capture(logging.Handler):
    """Collects formatted records from every logger (attached to the root logger)."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []
        self.setFormatter(logging.Formatter(FORMAT))

    def emit(self, record):
        self.lines.append(self.format(record))


def iters(data, label, ntrain=NTRAIN, nval=NVAL):
    train = mx.io.NDArrayIter(data[:ntrain], label[:ntrain], batch_size=32, shuffle=True)
    val = mx.io.NDArrayIter(data[16000:16000 + nval], label[16000:16000 + nval],
                            batch_size=32)
    return train, val


def scenario_fit_speedometer_checkpoint(data, label):
    seed_all(42)
    train, val = iters(data, label)
    mod = mx.mod.Module(mlp_symbol())
    mod.fit(train, eval_data=val, optimizer="sgd",
            optimizer_params={"learning_rate": 0.1},
            eval_metric="acc",
            batch_end_callback=mx.callback.Speedometer(32, 50),
            epoch_end_callback=mx.callback.do_checkpoint("mlp_log", period=1),
            num_epoch=2)


def scenario_speedometer_no_reset(data, label):
    seed_all(42)
    train, val = iters(data, label)
    mod = mx.mod.Module(mlp_symbol())
    mod.fit(train, eval_data=val, optimizer_params={"learning_rate": 0.1},
            eval_metric=["acc", "ce"],
            batch_end_callback=mx.callback.Speedometer(32, 50, auto_reset=False),
            num_epoch=1)


def scenario_log_train_metric(data, label):
    seed_all(42)
    train, _val = iters(data, label, ntrain=1600)
    mod = mx.mod.Module(mlp_symbol())
    mod.fit(train, optimizer_params={"learning_rate": 0.1},
            batch_end_callback=mx.callback.log_train_metric(10), num_epoch=1)


def scenario_log_train_metric_auto_reset(data, label):
    seed_all(42)
    train, _val = iters(data, label, ntrain=1600)
    mod = mx.mod.Module(mlp_symbol())
    mod.fit(train, optimizer_params={"learning_rate": 0.1},
            batch_end_callback=mx.callback.log_train_metric(10, auto_reset=True),
            num_epoch=1)


def scenario_progressbar(data, label):
    seed_all(42)
    train, _val = iters(data, label, ntrain=320)
    mod = mx.mod.Module(mlp_symbol())
    mod.fit(train, optimizer_params={"learning_rate": 0.1},
            batch_end_callback=mx.callback.ProgressBar(total=10, length=20), num_epoch=1)


def scenario_validation_callbacks(data, label):
    seed_all(42)
    train, val = iters(data, label, ntrain=640, nval=320)
    mod = mx.mod.Module(mlp_symbol())
    mod.fit(train, eval_data=val, optimizer_params={"learning_rate": 0.1},
            eval_metric="acc", validation_metric=["acc", "ce"],
            eval_end_callback=mx.callback.LogValidationMetricsCallback(),
            eval_batch_end_callback=mx.callback.Speedometer(32, 5),
            epoch_end_callback=mx.callback.module_checkpoint(mod, "mlp_modckpt", period=2,
                                                             save_optimizer_states=True),
            num_epoch=2)


def scenario_custom_logger(data, label):
    seed_all(42)
    train, val = iters(data, label, ntrain=640, nval=320)
    mod = mx.mod.Module(mlp_symbol(), logger=logging.getLogger("mymodule"))
    mod.fit(train, eval_data=val, optimizer_params={"learning_rate": 0.1},
            batch_end_callback=mx.callback.Speedometer(32, 10), num_epoch=1)


def scenario_save_checkpoint(data, label):
    seed_all(42)
    train, _val = iters(data, label, ntrain=320)
    mod = mx.mod.Module(mlp_symbol())
    mod.fit(train, optimizer_params={"learning_rate": 0.1}, num_epoch=1)
    mod.save_checkpoint("mlp_save", 1, save_optimizer_states=True)
    mod.init_optimizer(optimizer="sgd")


def scenario_fit_twice_warnings(data, label):
    seed_all(42)
    train, _val = iters(data, label, ntrain=320)
    mod = mx.mod.Module(mlp_symbol())
    mod.fit(train, num_epoch=1)
    mod.fit(train, num_epoch=2, begin_epoch=1)


SCENARIOS = [
    ("fit_speedometer_do_checkpoint", scenario_fit_speedometer_checkpoint, [
        "train = NDArrayIter(letters[:4000], batch_size=32, shuffle=True)  # 125 batches",
        "val = NDArrayIter(letters[16000:16800], batch_size=32)  # 25 batches",
        "mod = mx.mod.Module(mlp)",
        ("mod.fit(train, eval_data=val, optimizer='sgd', "
         "optimizer_params={'learning_rate': 0.1}, eval_metric='acc',"),
        "        batch_end_callback=mx.callback.Speedometer(32, 50),",
        ("        epoch_end_callback=mx.callback.do_checkpoint('mlp_log', period=1), "
         "num_epoch=2)"),
    ]),
    ("speedometer_auto_reset_false_two_metrics", scenario_speedometer_no_reset, [
        ("same data as above; mod.fit(train, eval_data=val, "
         "optimizer_params={'learning_rate': 0.1},"),
        ("        eval_metric=['acc', 'ce'], "
         "batch_end_callback=mx.callback.Speedometer(32, 50, auto_reset=False), num_epoch=1)"),
    ]),
    ("log_train_metric_10", scenario_log_train_metric, [
        "train = NDArrayIter(letters[:1600], batch_size=32, shuffle=True)  # 50 batches",
        ("mod.fit(train, optimizer_params={'learning_rate': 0.1}, "
         "batch_end_callback=mx.callback.log_train_metric(10), num_epoch=1)"),
    ]),
    ("log_train_metric_10_auto_reset", scenario_log_train_metric_auto_reset, [
        "train = NDArrayIter(letters[:1600], batch_size=32, shuffle=True)  # 50 batches",
        ("mod.fit(train, optimizer_params={'learning_rate': 0.1}, "
         "batch_end_callback=mx.callback.log_train_metric(10, auto_reset=True), num_epoch=1)"),
    ]),
    ("progressbar", scenario_progressbar, [
        "train = NDArrayIter(letters[:320], batch_size=32, shuffle=True)  # 10 batches",
        ("mod.fit(train, optimizer_params={'learning_rate': 0.1}, "
         "batch_end_callback=mx.callback.ProgressBar(total=10, length=20), num_epoch=1)"),
        ("(each record ends with a carriage return '\\r', kept as-is in logs.json; "
         "shown as-is in logs.txt)"),
    ]),
    ("validation_callbacks_module_checkpoint", scenario_validation_callbacks, [
        "train = letters[:640] (20 batches, shuffle), val = letters[16000:16320] (10 batches)",
        ("mod.fit(train, eval_data=val, optimizer_params={'learning_rate': 0.1}, "
         "eval_metric='acc', validation_metric=['acc', 'ce'],"),
        "        eval_end_callback=mx.callback.LogValidationMetricsCallback(),",
        "        eval_batch_end_callback=mx.callback.Speedometer(32, 5),",
        ("        epoch_end_callback=mx.callback.module_checkpoint(mod, 'mlp_modckpt', "
         "period=2, save_optimizer_states=True), num_epoch=2)"),
    ]),
    ("custom_module_logger", scenario_custom_logger, [
        "mod = mx.mod.Module(mlp, logger=logging.getLogger('mymodule'))",
        ("mod.fit(train(640 rows), eval_data=val(320 rows), "
         "optimizer_params={'learning_rate': 0.1},"),
        "        batch_end_callback=mx.callback.Speedometer(32, 10), num_epoch=1)",
    ]),
    ("save_checkpoint_and_reinit_optimizer", scenario_save_checkpoint, [
        "mod.fit(train(320 rows), optimizer_params={'learning_rate': 0.1}, num_epoch=1)",
        "mod.save_checkpoint('mlp_save', 1, save_optimizer_states=True)",
        "mod.init_optimizer(optimizer='sgd')   # already initialized",
    ]),
    ("fit_twice_default_args", scenario_fit_twice_warnings, [
        ("mod.fit(train(320 rows), num_epoch=1)    # default optimizer sgd lr 0.01, "
         "metric 'acc'"),
        "mod.fit(train, num_epoch=2, begin_epoch=1)   # second fit on the same module",
    ]),
]


def main():
    data, label = load_letters()
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.INFO)
    out_lines = [
        (f"# Log records of MXNet {mx.__version__} Module.fit / mx.callback, captured with "
         f"format {FORMAT!r}"),
        "# Lines with 'Speed:' and 'Time cost=' contain timings that vary run to run.",
    ]
    as_json = {}
    old_cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            for name, func, code in SCENARIOS:
                cap = Capture()
                root.addHandler(cap)
                try:
                    func(data, label)
                finally:
                    root.removeHandler(cap)
                out_lines.append(f"=== {name} ===")
                out_lines.extend("# " + c for c in code)
                out_lines.extend(cap.lines)
                as_json[name] = {"code": code, "lines": cap.lines,
                                 "files_in_cwd": sorted(os.listdir(tmp))}
        finally:
            os.chdir(old_cwd)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "logs.txt"), "w") as fout:
        fout.write("\n".join(out_lines) + "\n")
    print("wrote logs.txt")
    dump_json("logs.json", {"mxnet_version": mx.__version__, "format": FORMAT,
                            "scenarios": as_json})


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()

"""Golden data for ``mx.lr_scheduler`` (MXNet 1.9.1).

Run in a separate venv that has the real MXNet::

    python -m venv /tmp/mxvenv && /tmp/mxvenv/bin/pip install mxnet==1.9.1 numpy==1.23.5
    /tmp/mxvenv/bin/python tests/golden/module/gen_lr_schedulers.py

Writes ``lr_schedulers.json``: for every case the constructor kwargs, the list of
``num_update`` values (called in increasing order on ONE scheduler object: the schedulers
are stateful), the returned learning rates, and the INFO log lines the scheduler emitted.
A second section ("non_monotonic") shows what happens when num_update goes backwards.
"""

import logging

import mxnet as mx
from _golden_util import dump_json

NUM_UPDATES = list(range(31)) + [35, 40, 50, 60, 75, 100, 150, 1000]

CASES = [
    ("factor", "FactorScheduler", {"step": 5, "factor": 0.5, "base_lr": 0.1}),
    ("factor_stop", "FactorScheduler",
     {"step": 3, "factor": 0.1, "stop_factor_lr": 1e-4, "base_lr": 1.0}),
    ("factor_warmup_linear", "FactorScheduler",
     {"step": 4, "factor": 0.9, "base_lr": 0.2, "warmup_steps": 6, "warmup_begin_lr": 0.02,
      "warmup_mode": "linear"}),
    ("factor_warmup_constant", "FactorScheduler",
     {"step": 4, "factor": 0.9, "base_lr": 0.2, "warmup_steps": 6, "warmup_begin_lr": 0.02,
      "warmup_mode": "constant"}),
    ("factor_default_base_lr", "FactorScheduler", {"step": 10}),
    ("multifactor", "MultiFactorScheduler", {"step": [5, 12, 20], "factor": 0.5,
                                             "base_lr": 0.1}),
    ("multifactor_warmup", "MultiFactorScheduler",
     {"step": [8, 15], "factor": 0.1, "base_lr": 0.5, "warmup_steps": 5,
      "warmup_begin_lr": 0.0, "warmup_mode": "linear"}),
    ("poly", "PolyScheduler", {"max_update": 25, "base_lr": 0.1, "pwr": 2}),
    ("poly_final_lr_warmup", "PolyScheduler",
     {"max_update": 30, "base_lr": 0.1, "pwr": 1, "final_lr": 0.01, "warmup_steps": 5,
      "warmup_begin_lr": 0.001, "warmup_mode": "linear"}),
    ("poly_pwr3_constant_warmup", "PolyScheduler",
     {"max_update": 20, "base_lr": 0.3, "pwr": 3, "final_lr": 0.0, "warmup_steps": 4,
      "warmup_begin_lr": 0.05, "warmup_mode": "constant"}),
    ("cosine", "CosineScheduler", {"max_update": 25, "base_lr": 0.1}),
    ("cosine_final_lr_warmup", "CosineScheduler",
     {"max_update": 30, "base_lr": 0.1, "final_lr": 0.005, "warmup_steps": 5,
      "warmup_begin_lr": 0.01, "warmup_mode": "linear"}),
]


class ListHandler(logging.Handler):
    """Collect formatted log lines."""

    def __init__(self):
        super().__init__()
        self.lines = []
        self.setFormatter(logging.Formatter("%(levelname)s:%(name)s:%(message)s"))

    def emit(self, record):
        self.lines.append(self.format(record))


def attrs(sched):
    keys = ["base_lr", "warmup_steps", "warmup_begin_lr", "warmup_final_lr", "warmup_mode",
            "step", "factor", "stop_factor_lr", "count", "cur_step_ind", "power",
            "base_lr_orig", "max_update", "final_lr", "max_steps"]
    return {k: getattr(sched, k) for k in keys if hasattr(sched, k)}


def run(cls_name, kwargs, num_updates, handler):
    sched = getattr(mx.lr_scheduler, cls_name)(**kwargs)
    before = attrs(sched)
    handler.lines = []
    values = [sched(n) for n in num_updates]
    return {
        "class": cls_name,
        "kwargs": kwargs,
        "attrs_after_constructor": before,
        "num_update": num_updates,
        "lr": values,
        "attrs_after_calls": attrs(sched),
        "log_lines": list(handler.lines),
    }


def rejected():
    """Constructor arguments MXNet rejects (exception type and message)."""
    out = []
    bad = [
        ("FactorScheduler", {"step": 0}),
        ("FactorScheduler", {"step": 2, "factor": 1.5}),
        ("FactorScheduler", {"step": 2, "base_lr": 0.01, "warmup_begin_lr": 0.1}),
        ("FactorScheduler", {"step": 2, "warmup_mode": "cosine"}),
        ("MultiFactorScheduler", {"step": [5, 3]}),
        ("PolyScheduler", {"max_update": 0}),
        ("CosineScheduler", {"max_update": 0}),
    ]
    for cls_name, kwargs in bad:
        try:
            getattr(mx.lr_scheduler, cls_name)(**kwargs)
            out.append({"class": cls_name, "kwargs": kwargs, "error": None})
        except Exception as err:  # noqa: BLE001 - we record whatever MXNet raises
            out.append({"class": cls_name, "kwargs": kwargs,
                        "error": type(err).__name__, "message": str(err)})
    return out


def main():
    handler = ListHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    cases = {name: run(cls, kw, NUM_UPDATES, handler) for name, cls, kw in CASES}
    backwards = [0, 12, 30, 3, 12]
    non_monotonic = {
        name: run(cls, kw, backwards, handler)
        for name, cls, kw in CASES if name in ("factor", "multifactor", "poly", "cosine")
    }
    root.removeHandler(handler)
    dump_json("lr_schedulers.json", {
        "mxnet_version": mx.__version__,
        "protocol": "sched = mx.lr_scheduler.<class>(**kwargs); lr = [sched(n) for n in "
                    "num_update] on one object, in the listed order",
        "log_format": "%(levelname)s:%(name)s:%(message)s (root logger, level INFO)",
        "cases": cases,
        "non_monotonic": non_monotonic,
        "rejected": rejected(),
    })


if __name__ == "__main__":
    main()

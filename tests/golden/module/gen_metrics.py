"""Golden data for ``mx.metric`` (MXNet 1.9.1).

Run in a separate venv that has the real MXNet::

    python -m venv /tmp/mxvenv && /tmp/mxvenv/bin/pip install mxnet==1.9.1 numpy==1.23.5
    /tmp/mxvenv/bin/python tests/golden/module/gen_metrics.py

Writes ``metrics.json``. For each case: how the metric was created, which input set it
uses (inputs are stored under "inputs"), and a trace of observations::

    update(batch0) -> observe; update(batch1) -> observe; reset_local() -> observe;
    update(batch0) -> observe; reset() -> observe

where "observe" records get(), get_name_value(), get_global(),
get_global_name_value() and the raw counters (num_inst, sum_metric, global_*).
"""

import math

import mxnet as mx
import numpy as np
from _golden_util import dump_json

SEED = 7
BATCH = 8


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def make_inputs(rng):
    """Two batches for each kind of input."""
    inputs = {}
    cls = []
    for _ in range(2):
        pred = softmax(rng.normal(0, 1.5, (BATCH, 5)))
        label = rng.randint(0, 5, BATCH).astype(np.float32)
        cls.append({"label": label, "pred": pred})
    inputs["classification"] = cls
    binary = []
    for _ in range(2):
        pred = softmax(rng.normal(0, 1.5, (BATCH, 2)))
        label = rng.randint(0, 2, BATCH).astype(np.float32)
        binary.append({"label": label, "pred": pred})
    inputs["binary"] = binary
    reg = []
    for _ in range(2):
        label = rng.normal(0, 1, BATCH).astype(np.float32)
        pred = (label + rng.normal(0, 0.5, BATCH)).astype(np.float32)
        reg.append({"label": label, "pred": pred})
    inputs["regression"] = reg
    reg2d = []
    for _ in range(2):
        label = rng.normal(0, 1, (BATCH, 3)).astype(np.float32)
        pred = (label + rng.normal(0, 0.5, (BATCH, 3))).astype(np.float32)
        reg2d.append({"label": label, "pred": pred})
    inputs["regression_2d"] = reg2d
    loss = []
    for _ in range(2):
        loss.append({"label": np.zeros(BATCH, np.float32),
                     "pred": rng.uniform(0, 2, BATCH).astype(np.float32)})
    inputs["loss"] = loss
    return inputs


def mean_abs_error(label, pred):
    """feval for CustomMetric: mean absolute error (numpy arrays in, float out)."""
    return float(np.abs(label.reshape(pred.shape) - pred).mean())


def sum_and_count(label, pred):
    """feval returning a (sum_metric, num_inst) tuple."""
    return float(np.abs(label.reshape(pred.shape) - pred).sum()), pred.size


# (case name, input set, how it is created (text), factory)
CASES = [
    ("acc", "classification", "mx.metric.create('acc')", lambda: mx.metric.create("acc")),
    ("accuracy", "classification", "mx.metric.create('accuracy')",
     lambda: mx.metric.create("accuracy")),
    ("top_k_accuracy_3", "classification", "mx.metric.create('top_k_accuracy', top_k=3)",
     lambda: mx.metric.create("top_k_accuracy", top_k=3)),
    ("top_k_acc_2", "classification", "mx.metric.TopKAccuracy(top_k=2)",
     lambda: mx.metric.TopKAccuracy(top_k=2)),
    ("f1_macro", "binary", "mx.metric.create('f1')", lambda: mx.metric.create("f1")),
    ("f1_micro", "binary", "mx.metric.create('f1', average='micro')",
     lambda: mx.metric.create("f1", average="micro")),
    ("mcc_macro", "binary", "mx.metric.create('mcc')", lambda: mx.metric.create("mcc")),
    ("mcc_micro", "binary", "mx.metric.create('mcc', average='micro')",
     lambda: mx.metric.create("mcc", average="micro")),
    ("mae", "regression", "mx.metric.create('mae')", lambda: mx.metric.create("mae")),
    ("mse", "regression", "mx.metric.create('mse')", lambda: mx.metric.create("mse")),
    ("rmse", "regression", "mx.metric.create('rmse')", lambda: mx.metric.create("rmse")),
    ("mae_2d", "regression_2d", "mx.metric.create('mae')", lambda: mx.metric.create("mae")),
    ("mse_2d", "regression_2d", "mx.metric.create('mse')", lambda: mx.metric.create("mse")),
    ("rmse_2d", "regression_2d", "mx.metric.create('rmse')",
     lambda: mx.metric.create("rmse")),
    ("ce", "classification", "mx.metric.create('ce')", lambda: mx.metric.create("ce")),
    ("nll_loss", "classification", "mx.metric.create('nll_loss')",
     lambda: mx.metric.create("nll_loss")),
    ("perplexity_no_ignore", "classification",
     "mx.metric.create('perplexity', ignore_label=None)",
     lambda: mx.metric.create("perplexity", ignore_label=None)),
    ("perplexity_ignore_2", "classification",
     "mx.metric.create('perplexity', ignore_label=2)",
     lambda: mx.metric.create("perplexity", ignore_label=2)),
    ("pearsonr", "regression", "mx.metric.create('pearsonr')",
     lambda: mx.metric.create("pearsonr")),
    ("pearsonr_micro", "regression", "mx.metric.create('pearsonr', average='micro')",
     lambda: mx.metric.create("pearsonr", average="micro")),
    ("loss", "loss", "mx.metric.create('loss')", lambda: mx.metric.create("loss")),
    ("composite_acc_ce", "classification", "mx.metric.create(['acc', 'ce'])",
     lambda: mx.metric.create(["acc", "ce"])),
    ("composite_class", "classification",
     "mx.metric.CompositeEvalMetric(['acc', 'ce'])",
     lambda: mx.metric.CompositeEvalMetric(["acc", "ce"])),
    ("custom_named", "regression",
     "mx.metric.CustomMetric(mean_abs_error, name='my_mae')",
     lambda: mx.metric.CustomMetric(mean_abs_error, name="my_mae")),
    ("custom_unnamed", "regression", "mx.metric.CustomMetric(mean_abs_error)",
     lambda: mx.metric.CustomMetric(mean_abs_error)),
    ("custom_lambda", "regression",
     "mx.metric.create(lambda label, pred: float(np.abs(label - pred).mean()))",
     lambda: mx.metric.create(lambda label, pred: float(np.abs(label - pred).mean()))),
    ("custom_tuple", "regression",
     "mx.metric.CustomMetric(sum_and_count, name='sum_count')",
     lambda: mx.metric.CustomMetric(sum_and_count, name="sum_count")),
    ("np_decorator", "regression", "mx.metric.np(mean_abs_error)",
     lambda: mx.metric.np(mean_abs_error)),
]


def clean(value):
    """Metric values may be numpy scalars or lists; make them plain."""
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def counters(metric):
    out = {}
    for key in ("num_inst", "sum_metric", "global_num_inst", "global_sum_metric"):
        if hasattr(metric, key):
            val = clean(getattr(metric, key))
            out[key] = val
    return out


def observe(metric, after):
    name, value = metric.get()
    gname, gvalue = metric.get_global()
    obs = {
        "after": after,
        "get": [clean(name), clean(value)],
        "get_name_value": [[clean(n), clean(v)] for n, v in metric.get_name_value()],
        "get_global": [clean(gname), clean(gvalue)],
        "get_global_name_value": [[clean(n), clean(v)]
                                  for n, v in metric.get_global_name_value()],
    }
    if not isinstance(metric, mx.metric.CompositeEvalMetric):
        obs["counters"] = counters(metric)
    else:
        obs["children_counters"] = [counters(m) for m in metric.metrics]
    return obs


def to_nd(batch):
    return [mx.nd.array(batch["label"])], [mx.nd.array(batch["pred"])]


def run_case(factory, batches):
    metric = factory()
    trace = []
    labels, preds = to_nd(batches[0])
    metric.update(labels, preds)
    trace.append(observe(metric, "update(batch0)"))
    labels, preds = to_nd(batches[1])
    metric.update(labels, preds)
    trace.append(observe(metric, "update(batch1)"))
    metric.reset_local()
    trace.append(observe(metric, "reset_local()"))
    labels, preds = to_nd(batches[0])
    metric.update(labels, preds)
    trace.append(observe(metric, "update(batch0)"))
    metric.reset()
    trace.append(observe(metric, "reset()"))
    try:
        config = metric.get_config()
        config = {k: (v if isinstance(v, (str, int, float, type(None), list, dict)) else repr(v))
                  for k, v in config.items()}
    except NotImplementedError as err:
        config = f"NotImplementedError: {err}"
    return {
        "class": type(metric).__name__,
        "name_attr": metric.name,
        "has_global_stats": getattr(metric, "_has_global_stats", None),
        "str_after_reset": str(metric),
        "get_config": config,
        "trace": trace,
    }


def fresh_metric_values():
    """get() of a freshly-created metric (no update)."""
    out = {}
    for name, _kind, _text, factory in CASES:
        metric = factory()
        out[name] = [clean(v) for v in metric.get()]
    return out


def nan_to_str(obj):
    """JSON cannot hold NaN portably: keep it as the string 'nan' in this file."""
    if isinstance(obj, float) and math.isnan(obj):
        return "nan"
    if isinstance(obj, dict):
        return {k: nan_to_str(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [nan_to_str(v) for v in obj]
    return obj


def rejected():
    out = []
    for text, factory in [
        ("mx.metric.create('top_k_accuracy', top_k=1)",
         lambda: mx.metric.create("top_k_accuracy", top_k=1)),
        ("mx.metric.create('perplexity')", lambda: mx.metric.create("perplexity")),
        ("mx.metric.create('no_such_metric')", lambda: mx.metric.create("no_such_metric")),
    ]:
        try:
            factory()
            out.append({"call": text, "error": None})
        except Exception as err:  # noqa: BLE001 - record whatever MXNet raises
            out.append({"call": text, "error": type(err).__name__, "message": str(err)})
    return out


def main():
    rng = np.random.RandomState(SEED)
    inputs = make_inputs(rng)
    cases = {}
    for name, kind, text, factory in CASES:
        case = run_case(factory, inputs[kind])
        case["inputs"] = kind
        case["created_with"] = text
        cases[name] = case
    payload = {
        "mxnet_version": mx.__version__,
        "seed": SEED,
        "note": "NaN values are written as the string 'nan'. Labels are float32 NDArrays, "
                "preds float32 NDArrays; update(labels=[label], preds=[pred]).",
        "inputs": inputs,
        "cases": cases,
        "fresh_get": fresh_metric_values(),
        "rejected": rejected(),
    }
    dump_json("metrics.json", nan_to_str(payload))


if __name__ == "__main__":
    main()

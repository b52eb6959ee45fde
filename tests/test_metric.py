"""Tests for teachmod.metric: behaviour, errors, and parity with MXNet 1.9.1 (golden data)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from teachmod import metric
from teachmod.ndarray.ndarray import NDArray

GOLDEN = Path(__file__).parent / "golden" / "module" / "metrics.json"
RELATIVE_TOLERANCE = 1e-4


def nd(values, dtype=np.float32) -> NDArray:
    return NDArray(np.asarray(values, dtype=dtype))


def mean_abs_error(label, pred):
    """feval used by the golden CustomMetric cases."""
    return float(np.abs(label.reshape(pred.shape) - pred).mean())


def sum_and_count(label, pred):
    """feval returning (sum_metric, num_inst)."""
    return float(np.abs(label.reshape(pred.shape) - pred).sum()), pred.size


# ---- behaviour --------------------------------------------------------------------------
def test_accuracy_docstring_example():
    acc = metric.Accuracy()
    acc.update(labels=[nd([0, 1, 1])], preds=[nd([[0.3, 0.7], [0, 1.0], [0.4, 0.6]])])
    assert acc.get() == ("accuracy", pytest.approx(2 / 3))
    assert str(acc) == f"EvalMetric: {{'accuracy': {2 / 3}}}"


def test_fresh_metric_is_nan_and_names():
    name, value = metric.create("acc").get()
    assert name == "accuracy" and math.isnan(value)
    assert metric.create("top_k_accuracy", top_k=3).name == "top_k_accuracy_3"
    assert metric.create("ce").name == "cross-entropy"
    assert metric.create("cross-entropy").name == "cross-entropy"
    assert metric.create("nll_loss").name == "nll-loss"
    assert metric.create("ACC").name == "accuracy"  # names are case-insensitive
    for name in ["f1", "mcc", "mae", "mse", "rmse", "pearsonr", "loss", "torch", "caffe"]:
        assert metric.create(name).name == name
    assert metric.create("perplexity", ignore_label=None).name == "perplexity"


def test_local_and_global_statistics():
    acc = metric.Accuracy()
    acc.update([nd([0, 1])], [nd([[1, 0], [1, 0]])])
    acc.update([nd([0, 1])], [nd([[1, 0], [0, 1]])])
    assert acc.get()[1] == pytest.approx(0.75)
    acc.reset_local()
    assert math.isnan(acc.get()[1])
    assert acc.get_global() == ("accuracy", pytest.approx(0.75))
    acc.update([nd([1, 1])], [nd([[1, 0], [1, 0]])])
    assert acc.get()[1] == 0.0
    assert acc.get_global()[1] == pytest.approx(3 / 6)
    assert acc.get_global_name_value() == [("accuracy", pytest.approx(0.5))]
    acc.reset()
    assert math.isnan(acc.get_global()[1])


def test_accuracy_with_class_indices_and_axis():
    acc = metric.Accuracy()
    acc.update([nd([1, 2, 3])], [nd([1, 2, 0])])  # same shape: predictions are classes
    assert acc.get()[1] == pytest.approx(2 / 3)
    acc = metric.Accuracy(axis=0)
    acc.update([nd([1, 0])], [nd([[0.1, 0.9], [0.9, 0.1]])])
    assert acc.get()[1] == 1.0


def test_composite_and_list_create():
    composite = metric.create(["acc", metric.TopKAccuracy(top_k=2), "ce"])
    assert isinstance(composite, metric.CompositeEvalMetric)
    composite.update([nd([0, 1])], [nd([[0.8, 0.2], [0.3, 0.7]])])
    names, values = composite.get()
    assert names == ["accuracy", "top_k_accuracy_2", "cross-entropy"]
    assert values[0] == values[1] == 1.0
    assert values[2] == pytest.approx(-(math.log(0.8) + math.log(0.7)) / 2, rel=1e-6)
    assert composite.get_metric(1).name == "top_k_accuracy_2"
    with pytest.raises(ValueError, match="out of range"):
        composite.get_metric(5)
    assert composite.get_name_value()[0] == ("accuracy", 1.0)


def test_create_from_config_and_json_round_trip():
    original = metric.CompositeEvalMetric([metric.Accuracy(axis=1), metric.CrossEntropy(eps=1e-8)])
    copy = metric.create(original.get_config())
    assert [m.name for m in copy.metrics] == ["accuracy", "cross-entropy"]
    assert copy.metrics[1].eps == 1e-8
    assert metric.create('["top_k_accuracy", {"top_k": 4}]').top_k == 4
    acc = metric.Accuracy()
    assert metric.create(acc) is acc


def test_custom_metric_and_np():
    def my_metric(label, pred):
        label -= 1  # fevals may modify their (copied) arguments
        return float(np.abs(label + 1 - pred).sum())

    label, pred = nd([1, 2]), nd([1.5, 2.5])
    custom = metric.create(my_metric)
    custom.update([label], [pred])
    assert custom.get() == ("my_metric", 1.0)
    np.testing.assert_array_equal(label.asnumpy(), [1, 2])  # the caller's arrays are untouched
    assert metric.np(my_metric, name="m").name == "m"
    assert metric.CustomMetric(lambda lab, p: 0.0).name == "custom(<lambda>)"
    with pytest.raises(NotImplementedError):
        custom.get_config()
    extra = metric.CustomMetric(lambda lab, p: 1.0, allow_extra_outputs=True)
    extra.update([label], [pred, pred])
    assert extra.num_inst == 1


def test_update_dict_selects_names():
    acc = metric.Accuracy(output_names=["out"], label_names=["lab"])
    acc.update_dict({"lab": nd([1]), "other": nd([0])},
                    {"out": nd([[0.0, 1.0]]), "junk": nd([[1.0, 0.0]])})
    assert acc.get()[1] == 1.0


def test_perplexity_ignores_label_and_clips():
    perplexity = metric.Perplexity(ignore_label=-1)
    perplexity.update([nd([0, 1, -1])], [nd([[0.5, 0.5], [0.25, 0.75], [0.9, 0.1]])])
    assert perplexity.num_inst == 2
    assert perplexity.get()[1] == pytest.approx(math.exp(-(math.log(0.5) + math.log(0.75)) / 2))


def test_f1_and_mcc_small_cases():
    preds = [nd([[0.3, 0.7], [0.0, 1.0], [0.4, 0.6]])]
    labels = [nd([0, 1, 1])]
    f1 = metric.F1()
    f1.update(labels, preds)
    assert f1.get() == ("f1", pytest.approx(0.8))
    mcc = metric.MCC()
    mcc.update(labels, preds)
    assert mcc.get()[1] == pytest.approx(0.0)
    with pytest.raises(ValueError, match="binary"):
        f1.update([nd([0, 1, 2])], [nd([[1, 0], [0, 1], [1, 0]])])


def test_pcc_matches_mcc_on_binary_data():
    labels = [nd([0, 1, 1, 0, 1])]
    preds = [nd([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7], [0.1, 0.9]])]
    pcc, mcc = metric.PCC(), metric.MCC()
    pcc.update(labels, preds)
    mcc.update(labels, preds)
    assert pcc.get()[1] == pytest.approx(mcc.get()[1])


def test_loss_metric_ignores_labels():
    loss = metric.Loss()
    loss.update(None, [nd([1.0, 2.0, 3.0])])
    assert loss.get() == ("loss", 2.0)


def test_metrics_do_not_write_to_inputs():
    pred = nd([[0.2, 0.8], [0.6, 0.4]])
    label = nd([1, 1])
    before = pred.asnumpy()
    for name in ["acc", "f1", "mcc", "ce", "nll_loss", "pcc", "loss"]:
        metric.create(name).update([label], [pred])
    for name in ["mae", "mse", "rmse"]:  # one value per prediction
        metric.create(name).update([nd([[1, 0], [0, 1]])], [pred])
    np.testing.assert_array_equal(pred.asnumpy(), before)
    metric.create("pearsonr").update([nd([0.1, 0.5])], [pred[0]])
    np.testing.assert_array_equal(pred.asnumpy(), before)


# ---- errors ------------------------------------------------------------------------------
def test_mismatched_shapes_name_both_shapes():
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 2\)"):
        metric.Accuracy().update([nd([0, 1, 1])], [nd([[0.3, 0.7], [0.4, 0.6]])])
    with pytest.raises(ValueError, match="labels 1 does not match .* predictions 2"):
        metric.Accuracy().update([nd([0])], [nd([[1.0, 0.0]]), nd([[1.0, 0.0]])])
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 2\)"):
        metric.CrossEntropy().update([nd([0, 1, 1])], [nd([[0.3, 0.7], [0.4, 0.6]])])
    with pytest.raises(ValueError, match=r"\(3,\).*\(4, 3\)"):
        metric.MSE().update([nd([1.0, 2.0, 3.0])], [nd(np.zeros((4, 3)))])
    with pytest.raises(ValueError, match="shape mismatch"):
        metric.Perplexity(None).update([nd([0, 1, 1])], [nd([[0.3, 0.7], [0.4, 0.6]])])
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        metric.PearsonCorrelation().update([nd([0, 1, 1])], [nd([0.3, 0.7])])


def test_bad_create_arguments():
    with pytest.raises(ValueError, match="top_k must be > 1"):
        metric.create("top_k_accuracy", top_k=1)
    with pytest.raises(TypeError, match="ignore_label"):
        metric.create("perplexity")
    with pytest.raises(ValueError, match="unknown metric 'no_such_metric'"):
        metric.create("no_such_metric")
    with pytest.raises(ValueError, match="average"):
        metric.F1(average="weighted")


# ---- golden parity with MXNet 1.9.1 --------------------------------------------------------
GOLDEN_FACTORIES = {
    "acc": lambda: metric.create("acc"),
    "accuracy": lambda: metric.create("accuracy"),
    "top_k_accuracy_3": lambda: metric.create("top_k_accuracy", top_k=3),
    "top_k_acc_2": lambda: metric.TopKAccuracy(top_k=2),
    "f1_macro": lambda: metric.create("f1"),
    "f1_micro": lambda: metric.create("f1", average="micro"),
    "mcc_macro": lambda: metric.create("mcc"),
    "mcc_micro": lambda: metric.create("mcc", average="micro"),
    "mae": lambda: metric.create("mae"),
    "mse": lambda: metric.create("mse"),
    "rmse": lambda: metric.create("rmse"),
    "mae_2d": lambda: metric.create("mae"),
    "mse_2d": lambda: metric.create("mse"),
    "rmse_2d": lambda: metric.create("rmse"),
    "ce": lambda: metric.create("ce"),
    "nll_loss": lambda: metric.create("nll_loss"),
    "perplexity_no_ignore": lambda: metric.create("perplexity", ignore_label=None),
    "perplexity_ignore_2": lambda: metric.create("perplexity", ignore_label=2),
    "pearsonr": lambda: metric.create("pearsonr"),
    "pearsonr_micro": lambda: metric.create("pearsonr", average="micro"),
    "loss": lambda: metric.create("loss"),
    "composite_acc_ce": lambda: metric.create(["acc", "ce"]),
    "composite_class": lambda: metric.CompositeEvalMetric(["acc", "ce"]),
    "custom_named": lambda: metric.CustomMetric(mean_abs_error, name="my_mae"),
    "custom_unnamed": lambda: metric.CustomMetric(mean_abs_error),
    "custom_lambda": lambda: metric.create(
        lambda label, pred: float(np.abs(label - pred).mean())),
    "custom_tuple": lambda: metric.CustomMetric(sum_and_count, name="sum_count"),
    "np_decorator": lambda: metric.np(mean_abs_error),
}


def golden() -> dict:
    if not GOLDEN.exists():
        pytest.skip(f"golden data {GOLDEN} not generated")
    return json.loads(GOLDEN.read_text())


def assert_matches(actual, expected, where: str) -> None:
    """Equal structure; strings equal; numbers within RELATIVE_TOLERANCE; 'nan' is NaN."""
    if expected == "nan":
        assert isinstance(actual, float) and math.isnan(actual), f"{where}: {actual} != nan"
    elif isinstance(expected, str) or expected is None or isinstance(expected, bool):
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"
    elif isinstance(expected, (int, float)):
        assert not math.isnan(actual), f"{where}: got nan, expected {expected}"
        assert abs(actual - expected) <= RELATIVE_TOLERANCE * max(abs(expected), 1e-8), \
            f"{where}: {actual} != {expected}"
    elif isinstance(expected, list):
        actual = list(actual)
        assert len(actual) == len(expected), f"{where}: {actual} != {expected}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_matches(a, e, f"{where}[{i}]")
    elif isinstance(expected, dict):
        assert set(actual) == set(expected), f"{where}: keys {sorted(actual)} != {sorted(expected)}"
        for key in expected:
            assert_matches(actual[key], expected[key], f"{where}.{key}")
    else:
        raise TypeError(f"{where}: unexpected golden value {expected!r}")


def counters(m) -> dict:
    return {key: getattr(m, key) for key in
            ("num_inst", "sum_metric", "global_num_inst", "global_sum_metric")}


def observe(m) -> dict:
    observation = {
        "get": list(m.get()),
        "get_name_value": [list(pair) for pair in m.get_name_value()],
        "get_global": list(m.get_global()),
        "get_global_name_value": [list(pair) for pair in m.get_global_name_value()],
    }
    if isinstance(m, metric.CompositeEvalMetric):
        observation["children_counters"] = [counters(child) for child in m.metrics]
    else:
        observation["counters"] = counters(m)
    return observation


def test_golden_cases_cover_every_factory():
    assert set(golden()["cases"]) == set(GOLDEN_FACTORIES)


@pytest.mark.parametrize("case_name", sorted(GOLDEN_FACTORIES))
def test_golden_metric_trace(case_name):
    data = golden()
    case = data["cases"][case_name]
    batches = data["inputs"][case["inputs"]]

    def update(m, batch):
        m.update([nd(batch["label"])], [nd(batch["pred"])])

    m = GOLDEN_FACTORIES[case_name]()
    assert type(m).__name__ == case["class"]
    assert m.name == case["name_attr"]
    steps = [lambda: update(m, batches[0]), lambda: update(m, batches[1]), m.reset_local,
             lambda: update(m, batches[0]), m.reset]
    for step, expected in zip(steps, case["trace"]):
        step()
        observed = observe(m)
        for key, value in observed.items():
            assert_matches(value, expected[key], f"{case_name} after {expected['after']}: {key}")
    assert str(m) == case["str_after_reset"]
    if isinstance(case["get_config"], str):
        with pytest.raises(NotImplementedError):
            m.get_config()
    else:
        assert_matches(m.get_config(), case["get_config"], f"{case_name}: get_config")


def test_golden_fresh_get():
    for case_name, expected in golden()["fresh_get"].items():
        assert_matches(list(GOLDEN_FACTORIES[case_name]().get()), expected, case_name)


def test_golden_rejected_calls_raise():
    calls = {
        "mx.metric.create('top_k_accuracy', top_k=1)":
            lambda: metric.create("top_k_accuracy", top_k=1),
        "mx.metric.create('perplexity')": lambda: metric.create("perplexity"),
        "mx.metric.create('no_such_metric')": lambda: metric.create("no_such_metric"),
    }
    for record in golden()["rejected"]:
        assert record["error"] is not None
        # MXNet raises AssertionError for two of these; teachmod raises ValueError instead
        with pytest.raises((ValueError, TypeError)):
            calls[record["call"]]()

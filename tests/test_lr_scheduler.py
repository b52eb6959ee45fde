"""Learning-rate schedulers: behaviour, and parity with MXNet 1.9.1 (tests/golden/module)."""
from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import numpy as np
import pytest

from teachmod import lr_scheduler

GOLDEN = Path(__file__).parent / "golden" / "module" / "lr_schedulers.json"


def _golden() -> dict:
    if not GOLDEN.exists():
        pytest.skip(f"golden file {GOLDEN} not generated yet")
    return json.loads(GOLDEN.read_text())


def _log_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.levelname}:{r.name}:{r.getMessage()}" for r in caplog.records]


# ---- behaviour ---------------------------------------------------------------------------------
def test_factor_scheduler_halves_every_step_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    sched = lr_scheduler.FactorScheduler(step=2, factor=0.5, base_lr=1.0)
    with caplog.at_level(logging.INFO):
        rates = [sched(n) for n in range(1, 8)]
    assert rates == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125]
    assert _log_lines(caplog)[0] == "INFO:root:Update[3]: Change learning rate to 5.00000e-01"


def test_factor_scheduler_stops_at_stop_factor_lr() -> None:
    sched = lr_scheduler.FactorScheduler(step=1, factor=0.1, stop_factor_lr=1e-3, base_lr=1.0)
    assert sched(100) == 1e-3


def test_factor_scheduler_jumps_several_steps_at_once() -> None:
    sched = lr_scheduler.FactorScheduler(step=10, factor=0.5, base_lr=0.8)
    assert sched(35) == pytest.approx(0.1)


def test_multifactor_scheduler() -> None:
    sched = lr_scheduler.MultiFactorScheduler(step=[2, 4], factor=0.1, base_lr=1.0)
    assert [sched(n) for n in range(1, 7)] == pytest.approx([1, 1, 0.1, 0.1, 0.01, 0.01])


def test_linear_and_constant_warmup() -> None:
    linear = lr_scheduler.PolyScheduler(max_update=10, base_lr=1.0, warmup_steps=4,
                                        warmup_begin_lr=0.2)
    assert [linear(n) for n in range(4)] == pytest.approx([0.2, 0.4, 0.6, 0.8])
    constant = lr_scheduler.CosineScheduler(max_update=10, base_lr=1.0, warmup_steps=4,
                                            warmup_begin_lr=0.2, warmup_mode="constant")
    assert [constant(n) for n in range(4)] == [0.2] * 4
    assert constant(4) == 1.0


def test_poly_and_cosine_reach_final_lr_and_stay() -> None:
    poly = lr_scheduler.PolyScheduler(max_update=10, base_lr=1.0, pwr=2, final_lr=0.1)
    assert poly(5) == pytest.approx(0.1 + 0.9 * 0.25)
    assert poly(10) == pytest.approx(0.1) and poly(50) == pytest.approx(0.1)
    cosine = lr_scheduler.CosineScheduler(max_update=10, base_lr=1.0, final_lr=0.0)
    assert cosine(5) == pytest.approx(0.5)
    assert cosine(10) == pytest.approx(0.0, abs=1e-12) and cosine(11) == cosine(10)


@pytest.mark.parametrize("make, message", [
    (lambda: lr_scheduler.FactorScheduler(step=0), "greater or equal than 1"),
    (lambda: lr_scheduler.FactorScheduler(step=1, factor=2.0), "no more than 1"),
    (lambda: lr_scheduler.MultiFactorScheduler(step=[3, 3]), "increasing"),
    (lambda: lr_scheduler.MultiFactorScheduler(step=[]), "non-empty list"),
    (lambda: lr_scheduler.PolyScheduler(max_update=0), "strictly positive"),
    (lambda: lr_scheduler.CosineScheduler(max_update=5, warmup_mode="exp"), "linear and constant"),
    (lambda: lr_scheduler.CosineScheduler(max_update=5, warmup_steps=-1), "positive or 0"),
    (lambda: lr_scheduler.CosineScheduler(max_update=5, base_lr=0.1, warmup_begin_lr=0.5),
     "higher than warmup_begin_lr"),
])
def test_bad_arguments_are_rejected(make, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_non_integer_counts_are_rejected() -> None:
    with pytest.raises(TypeError, match="max_update"):
        lr_scheduler.PolyScheduler(max_update=10.0)
    with pytest.raises(TypeError, match="warmup_steps"):
        lr_scheduler.FactorScheduler(step=2, warmup_steps=1.5)


def test_base_class_must_be_overridden() -> None:
    with pytest.raises(NotImplementedError):
        lr_scheduler.LRScheduler()(1)


# ---- parity with MXNet 1.9.1 -------------------------------------------------------------------
def _cases() -> list[tuple[str, str]]:
    if not GOLDEN.exists():
        return []
    golden = json.loads(GOLDEN.read_text())
    return ([("cases", name) for name in golden["cases"]]
            + [("non_monotonic", name) for name in golden["non_monotonic"]])


@pytest.mark.parametrize("section, name", _cases())
def test_golden_rates_attributes_and_log_lines(section: str, name: str,
                                               caplog: pytest.LogCaptureFixture) -> None:
    case = _golden()[section][name]
    sched = getattr(lr_scheduler, case["class"])(**case["kwargs"])
    for attr, value in case["attrs_after_constructor"].items():
        assert getattr(sched, attr) == value, attr
    with caplog.at_level(logging.INFO, logger="root"):
        rates = [sched(n) for n in case["num_update"]]
    np.testing.assert_allclose(rates, case["lr"], rtol=1e-12, atol=0)
    assert _log_lines(caplog) == case["log_lines"]
    for attr, value in case["attrs_after_calls"].items():
        actual = getattr(sched, attr)
        if isinstance(value, float):
            assert math.isclose(actual, value, rel_tol=1e-12), attr
        else:
            assert actual == value, attr


def test_golden_rejected_arguments() -> None:
    for case in _golden()["rejected"]:
        cls = getattr(lr_scheduler, case["class"])
        if case["error"] is None:
            cls(**case["kwargs"])
            continue
        with pytest.raises(ValueError) as raised:
            cls(**case["kwargs"])
        assert type(raised.value).__name__ == case["error"]
        assert str(raised.value) == case["message"]

"""The optimizers' update rules against MXNet 1.9.1 (tests/golden/mod/optimizers.json)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from mod_cases import run_optimizer

import teachmod as mx

CASES = json.loads((Path(__file__).parent / "golden" / "mod" / "optimizers.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=[f"{c['name']}-{c['kwargs']}" for c in CASES])
def test_three_updates_match_mxnet(case):
    np.testing.assert_allclose(run_optimizer(mx, case["name"], case["kwargs"]), case["weight"],
                               rtol=1e-5, atol=1e-6)


def test_multi_precision_updates_a_float32_master_copy_of_float16_weights():
    opt = mx.optimizer.create("lamb", multi_precision=True, learning_rate=0.01)
    weight = mx.nd.array(np.full((2, 2), 0.5), dtype=np.float16)
    state = opt.create_state_multi_precision(0, weight)
    assert state[0].dtype == np.float32
    opt.update_multi_precision(0, weight, mx.nd.array(np.ones((2, 2)), dtype=np.float16), state)
    np.testing.assert_allclose(weight.asnumpy(), state[0].asnumpy().astype(np.float16))
    assert weight.dtype == np.float16

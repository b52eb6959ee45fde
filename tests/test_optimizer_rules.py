"""The optimizers' update rules against MXNet 1.9.1 (tests/golden/mod/optimizers.json)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from mod_cases import run_optimizer, run_update_ops

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


UPDATE_OPS = json.loads((Path(__file__).parent / "golden" / "mod" / "update_ops.json")
                        .read_text())
TEACHMOD_UPDATE_OPS = run_update_ops(mx)


@pytest.mark.parametrize("name", sorted(UPDATE_OPS))
def test_update_operators_match_mxnet(name):
    """The weight (or LAMB's direction) and every state after two calls, as MXNet's."""
    rtol = 1e-3 if name.startswith("mp_") else 1e-5  # a float16 weight
    for got, expected in zip(TEACHMOD_UPDATE_OPS[name], UPDATE_OPS[name]):
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=1e-6)


def test_update_operators_are_not_differentiable_and_check_their_parameters():
    weight = mx.sym.Variable("w")
    net = mx.sym.sgd_update(weight, mx.sym.Variable("g"), lr=0.1)
    exe = net.simple_bind(mx.cpu(), w=(2,), g=(2,))
    exe.forward(is_train=True)
    with pytest.raises(mx.MXNetError, match="sgd_update.*no gradient"):
        exe.backward([mx.nd.ones((2,))])
    with pytest.raises(mx.MXNetError, match="required parameter 'lr'"):
        mx.nd.sgd_update(mx.nd.ones((2,)), mx.nd.ones((2,)))

"""Every kept fast path gives what the reference code gives (teachmod.reference.fast_paths).

Pooling's max is exact, so its fast path must agree bit for bit (also on ties, which decide
where the gradient goes). Sums (avg, sum and lp pooling, BatchNorm's statistics) are taken in
another order by the fast paths, so they agree to float rounding: a relative 1e-12 in float64
and 1e-5 in float32 (a few units of float32's 6e-8 precision, times the number of terms).
"""
from __future__ import annotations

import numpy as np
import pytest

from teachmod.ops import registry
from teachmod.reference import reference_mode

TOLERANCE = {np.float64: 1e-12, np.float32: 1e-5}


def run(name: str, attrs: dict, inputs: list[np.ndarray], aux: list[np.ndarray],
        fast: bool, is_train: bool = True) -> tuple[list[np.ndarray], list[np.ndarray], list]:
    """Forward and backward of a fresh operator with the fast paths on or off: the outputs,
    the input gradients and the auxiliary states afterwards (all copies)."""
    inputs, aux = [x.copy() for x in inputs], [a.copy() for a in aux]
    op = registry.get(name)(attrs, name.lower())
    with reference_mode(not fast):
        outputs = op.forward(is_train, inputs, aux)
        rng = np.random.default_rng(7)
        heads = [rng.standard_normal(o.shape).astype(o.dtype) for o in outputs]
        grads = op.backward(heads, inputs, outputs, aux)
    return [o.copy() for o in outputs], grads, aux


def assert_same(fast: list, reference: list, rtol: float | None) -> None:
    for f, r in zip(fast, reference, strict=True):
        assert f.dtype == r.dtype and f.shape == r.shape
        if rtol is None:
            np.testing.assert_array_equal(f, r)
        else:
            np.testing.assert_allclose(f, r, rtol=rtol, atol=rtol * max(1.0, np.abs(r).max()))


POOLINGS = [
    ({"kernel": (2, 2), "stride": (2, 2)}, (2, 3, 8, 8)),        # the 2x2 fast backward
    ({"kernel": (2, 2), "stride": (2, 2)}, (1, 2, 4, 6)),
    ({"kernel": (2, 2), "stride": (2, 2)}, (2, 3, 7, 9)),        # does not tile: tap loop
    ({"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1)}, (2, 3, 9, 8)),
    ({"kernel": (3, 2), "stride": (1, 2), "pooling_convention": "full"}, (1, 2, 7, 7)),
    ({"kernel": (3,), "stride": (2,)}, (2, 3, 11)),
    ({"kernel": (2, 2, 2), "stride": (2, 1, 2)}, (1, 2, 4, 5, 6)),
    ({"global_pool": True, "kernel": (1, 1)}, (2, 3, 5, 4)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("attrs, shape", POOLINGS)
def test_max_pooling_fast_path_is_exact(attrs, shape, dtype):
    rng = np.random.default_rng(0)
    # small integers after a relu: many ties inside a window, as a network's data has them
    data = np.maximum(rng.integers(-2, 3, shape), 0).astype(dtype)
    fast = run("Pooling", {**attrs, "pool_type": "max"}, [data], [], fast=True)
    reference = run("Pooling", {**attrs, "pool_type": "max"}, [data], [], fast=False)
    assert_same(fast[0] + fast[1], reference[0] + reference[1], rtol=None)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("pool", [{"pool_type": "avg"}, {"pool_type": "sum"},
                                  {"pool_type": "lp", "p_value": 2},
                                  {"pool_type": "avg", "count_include_pad": False}])
@pytest.mark.parametrize("attrs, shape", POOLINGS)
def test_summing_pooling_fast_path_agrees(attrs, shape, pool, dtype):
    data = np.random.default_rng(1).random(shape).astype(dtype)
    fast = run("Pooling", {**attrs, **pool}, [data], [], fast=True)
    reference = run("Pooling", {**attrs, **pool}, [data], [], fast=False)
    assert_same(fast[0] + fast[1], reference[0] + reference[1], TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("attrs", [{}, {"fix_gamma": False}, {"use_global_stats": True},
                                   {"fix_gamma": False, "use_global_stats": True},
                                   {"axis": -1, "fix_gamma": False}])
@pytest.mark.parametrize("shape", [(4, 3, 5, 6), (8, 2), (2, 4, 7), (3, 2, 2, 3, 2)])
@pytest.mark.parametrize("is_train", [True, False])
def test_batch_norm_fast_path_agrees(attrs, shape, is_train, dtype):
    rng = np.random.default_rng(2)
    channels = shape[attrs.get("axis", 1)]
    data = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    gamma, beta = (rng.uniform(0.5, 1.5, channels).astype(dtype) for _ in range(2))
    aux = [rng.standard_normal(channels).astype(dtype), rng.uniform(0.5, 2, channels).astype(dtype)]
    fast = run("BatchNorm", attrs, [data, gamma, beta], aux, fast=True, is_train=is_train)
    reference = run("BatchNorm", attrs, [data, gamma, beta], aux, fast=False, is_train=is_train)
    for f, r in zip(fast, reference):
        assert_same(f, r, TOLERANCE[dtype])


def test_the_switch_reaches_the_operators(monkeypatch):
    """reference_mode() really runs other code: the fast pooling backward is not called."""
    from teachmod.ops import pooling

    calls = []
    monkeypatch.setattr(pooling, "max_backward_2x2", lambda *a: calls.append(a) or a[1])
    data = np.random.default_rng(3).random((1, 1, 4, 4))
    run("Pooling", {"kernel": (2, 2), "stride": (2, 2)}, [data], [], fast=False)
    assert calls == []
    run("Pooling", {"kernel": (2, 2), "stride": (2, 2)}, [data], [], fast=True)
    assert len(calls) == 1

"""Optimizers and the Updater: behaviour, state save/load, and parity with MXNet 1.9.1
(tests/golden/module/optimizers.json and .npz)."""
from __future__ import annotations

import json
import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from teachmod import lr_scheduler, optimizer
from teachmod.base import MXNetError
from teachmod.context import Context
from teachmod.ndarray.ndarray import NDArray
from teachmod.ndarray.utils import load_bytes

GOLDEN_DIR = Path(__file__).parent / "golden" / "module"
GOLDEN_JSON = GOLDEN_DIR / "optimizers.json"
GOLDEN_NPZ = GOLDEN_DIR / "optimizers.npz"
RTOL, ATOL = 1e-4, 1e-7

# One configuration per optimizer, with every option that changes the formula switched on.
CONFIGS = {
    "sgd": {"learning_rate": 0.1},
    "sgd_momentum": {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "clip_gradient": 0.5},
    "nag": {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01},
    "adam": {"learning_rate": 0.01, "wd": 0.01, "clip_gradient": 0.5, "rescale_grad": 0.5},
    "adagrad": {"learning_rate": 0.1, "wd": 0.01},
    "rmsprop": {"learning_rate": 0.01, "wd": 0.01},
    "rmsprop_centered": {"learning_rate": 0.01, "centered": True, "clip_weights": 0.5},
    "adadelta": {"wd": 0.01, "rescale_grad": 0.5},
    "signum": {"learning_rate": 0.01, "momentum": 0.9, "wd_lh": 0.01},
    "ftrl": {"wd": 0.01},
}


def _optimizer_name(config_name: str) -> str:
    return config_name.split("_")[0]


def _golden() -> tuple[dict, Any]:
    if not (GOLDEN_JSON.exists() and GOLDEN_NPZ.exists()):
        pytest.skip("optimizer golden files not generated yet")
    return json.loads(GOLDEN_JSON.read_text()), np.load(GOLDEN_NPZ, allow_pickle=False)


def _nd(values: Any) -> NDArray:
    return NDArray(np.array(values, dtype=np.float32))


def _flatten(state: Any) -> list[np.ndarray]:
    if state is None:
        return []
    if isinstance(state, NDArray):
        return [state.asnumpy()]
    return [array for item in state for array in _flatten(item)]


def _train(updater: optimizer.Updater, weights: dict[int, NDArray], grads: list[dict]) -> None:
    for step_grads in grads:
        for index, grad in step_grads.items():
            updater(index, _nd(grad), weights[index])


def _random_problem(seed: int, steps: int) -> tuple[dict[int, NDArray], list[dict]]:
    rng = np.random.default_rng(seed)
    shapes = {0: (5, 3), 1: (5,), 2: (2, 5)}
    weights = {i: _nd(rng.uniform(-1, 1, shape)) for i, shape in shapes.items()}
    grads = [{i: rng.normal(0, 1, shape) for i, shape in shapes.items()} for _ in range(steps)]
    return weights, grads


# ---- behaviour ------------------------------------------------------------------------------
def test_sgd_step_by_hand() -> None:
    opt = optimizer.SGD(learning_rate=0.5, momentum=0.5, wd=0.1, rescale_grad=0.5)
    updater = optimizer.get_updater(opt)
    weight = _nd([1.0, -2.0])
    updater(0, _nd([2.0, 2.0]), weight)
    # mom = -0.5 * (0.5*2 + 0.1*w); w += mom
    np.testing.assert_allclose(weight.asnumpy(), [1 - 0.55, -2 - 0.4], rtol=1e-6)
    updater(0, _nd([0.0, 0.0]), weight)
    mom = 0.5 * np.array([-0.55, -0.4]) - 0.5 * 0.1 * np.array([0.45, -2.4])
    np.testing.assert_allclose(weight.asnumpy(), np.array([0.45, -2.4]) + mom, rtol=1e-6)


def test_adam_first_step_moves_each_weight_by_lr() -> None:
    opt = optimizer.Adam(learning_rate=0.01)
    weight = _nd([1.0, 1.0, 1.0])
    optimizer.get_updater(opt)(0, _nd([3.0, -0.2, 1e-3]), weight)
    # with bias correction the first step is lr * sign(g) (up to epsilon)
    np.testing.assert_allclose(weight.asnumpy(), [0.99, 1.01, 0.99], rtol=1e-4)


def test_update_leaves_the_gradient_alone_and_stays_float32() -> None:
    for name, config in CONFIGS.items():
        weights, grads = _random_problem(0, 1)
        grad = _nd(grads[0][0])
        before = grad.asnumpy()
        weight = weights[0]
        buffer = weight._data
        optimizer.get_updater(optimizer.create(_optimizer_name(name), **config))(0, grad, weight)
        np.testing.assert_array_equal(grad.asnumpy(), before)
        assert weight._data is buffer and weight._data.dtype == np.float32, name


def test_states_are_created_once_per_index_and_counted() -> None:
    opt = optimizer.SGD(momentum=0.9)
    updater = optimizer.get_updater(opt)
    weights, grads = _random_problem(1, 3)
    _train(updater, weights, grads)
    assert sorted(updater.states) == [0, 1, 2]
    assert opt._index_update_count == {0: 3, 1: 3, 2: 3} and opt.num_update == 3
    assert isinstance(updater.states[0], NDArray)
    assert optimizer.get_updater(optimizer.SGD()).optimizer.create_state(0, weights[0]) is None


def test_updater_accepts_lists() -> None:
    opt_a, opt_b = optimizer.Adam(), optimizer.Adam()
    weights_a, grads = _random_problem(2, 2)
    weights_b, _ = _random_problem(2, 2)
    updater_a, updater_b = optimizer.get_updater(opt_a), optimizer.get_updater(opt_b)
    _train(updater_a, weights_a, grads)
    for step in grads:
        indices = sorted(step)
        updater_b(indices, [_nd(step[i]) for i in indices], [weights_b[i] for i in indices])
    for index in weights_a:
        np.testing.assert_array_equal(weights_a[index].asnumpy(), weights_b[index].asnumpy())


def test_lr_and_wd_multipliers_from_names_indices_and_symbol_attributes() -> None:
    class FakeSymbol:
        def attr_dict(self) -> dict:
            return {"fc_weight": {"__lr_mult__": "2.0", "__wd_mult__": "0.5"}}

        def list_arguments(self) -> list[str]:
            return ["data", "fc_weight", "fc_bias"]

    opt = optimizer.SGD(learning_rate=0.1, wd=0.01, sym=FakeSymbol(),
                        param_idx2name={0: "fc_weight", 1: "fc_bias", 2: "bn_gamma"})
    assert opt._get_lr(0) == pytest.approx(0.2) and opt._get_wd(0) == pytest.approx(0.005)
    assert opt._get_lr(1) == pytest.approx(0.1) and opt._get_wd(1) == 0.0  # bias: no decay
    assert opt._get_wd(2) == pytest.approx(0.01)  # gamma keeps its decay
    opt.set_lr_mult({1: 3.0})
    assert opt._get_lr(1) == pytest.approx(0.3)
    assert opt._get_lr(0) == pytest.approx(0.2)  # symbol attributes survive set_lr_mult


def test_learning_rate_and_scheduler() -> None:
    opt = optimizer.SGD()
    assert opt.learning_rate == 0.01 and opt.lr == 0.01
    opt.set_learning_rate(0.5)
    assert opt.learning_rate == 0.5
    sched = lr_scheduler.FactorScheduler(step=1, factor=0.5, base_lr=1.0)
    with pytest.warns(UserWarning, match="overwritten"):
        opt = optimizer.SGD(learning_rate=0.2, lr_scheduler=sched)
    assert sched.base_lr == 0.2
    with pytest.raises(UserWarning, match="LRScheduler"):
        opt.set_learning_rate(0.1)


@pytest.mark.parametrize("make, error, message", [
    (lambda: optimizer.SGD(learning_rate=-0.1), ValueError, "learning_rate must be >= 0"),
    (lambda: optimizer.SGD(momentum=1.0), ValueError, r"momentum must be in \[0, 1\)"),
    (lambda: optimizer.NAG(momentum=-0.1), ValueError, "momentum"),
    (lambda: optimizer.Signum(momentum=1.5), ValueError, "momentum"),
    (lambda: optimizer.Adam(beta1=1.0), ValueError, "beta1"),
    (lambda: optimizer.RMSProp(gamma1=2.0), ValueError, "gamma1"),
    (lambda: optimizer.AdaDelta(rho=1.0), ValueError, "rho"),
    (lambda: optimizer.Ftrl(learning_rate=-1), ValueError, "learning_rate"),
    (lambda: optimizer.SGD(clip_gradient=-1.0), ValueError, "clip_gradient"),
    (lambda: optimizer.SGD().set_learning_rate(-1), ValueError, "learning_rate"),
    (lambda: optimizer.SGD(param_idx2name=["w"]), TypeError, "param_idx2name"),
    (lambda: optimizer.create("adamw"), ValueError,
     "unknown optimizer 'adamw'; known: adadelta, adagrad, adam, adamax, ftml, ftrl, lamb, nadam, "
     "nag, rmsprop, sgd, signum"),
])
def test_bad_hyper_parameters(make, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make()


def test_create_and_register() -> None:
    assert isinstance(optimizer.create("SGD", momentum=0.9), optimizer.SGD)
    assert isinstance(optimizer.Optimizer.create_optimizer("ftrl"), optimizer.FTRL)
    assert "adam" in optimizer.Optimizer.opt_registry

    @optimizer.register
    class PlainStep(optimizer.Optimizer):
        def update(self, index, weight, grad, state):
            self._update_count(index)
            weight._data -= self._get_lr(index) * grad._data

    weight = _nd([1.0])
    optimizer.get_updater(optimizer.create("plainstep", learning_rate=0.5))(0, _nd([1.0]), weight)
    assert weight.asnumpy().tolist() == [0.5]


def test_multi_precision_keeps_a_float32_master_copy() -> None:
    weight = NDArray(np.full((3,), 1.0, dtype=np.float16))
    updater = optimizer.get_updater(optimizer.SGD(learning_rate=1e-4, multi_precision=True))
    for _ in range(10):
        updater(0, NDArray(np.ones(3, dtype=np.float16)), weight)
    master, _ = updater.states[0]
    assert master.dtype == np.float32
    np.testing.assert_allclose(master.asnumpy(), 1 - 1e-3, rtol=1e-6)
    assert weight._data.dtype == np.float16
    with pytest.warns(UserWarning, match="multi_precision"):
        optimizer.get_updater(optimizer.SGD())(0, NDArray(np.ones(3, np.float16)),
                                               NDArray(np.ones(3, np.float16)))


# ---- saving and loading updater states -------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CONFIGS))
@pytest.mark.parametrize("dump_optimizer", [False, True])
def test_set_states_continues_training_bit_exactly(name: str, dump_optimizer: bool) -> None:
    def make() -> optimizer.Optimizer:
        return optimizer.create(_optimizer_name(name), **CONFIGS[name])

    weights, grads = _random_problem(3, 6)
    reference = optimizer.get_updater(make())
    _train(reference, weights, grads[:3])
    saved_weights = {i: w.copy() for i, w in weights.items()}
    payload = reference.get_states(dump_optimizer=dump_optimizer)
    assert isinstance(payload, bytes)
    _train(reference, weights, grads[3:])

    resumed = optimizer.get_updater(make())
    resumed.set_states(payload)
    _train(resumed, saved_weights, grads[3:])
    for index in weights:
        np.testing.assert_array_equal(saved_weights[index].asnumpy(), weights[index].asnumpy())
    for index in weights:
        for ours, theirs in zip(_flatten(resumed.states[index]),
                                _flatten(reference.states[index])):
            np.testing.assert_array_equal(ours, theirs)


def test_dump_optimizer_restores_hyper_parameters_and_scheduler() -> None:
    sched = lr_scheduler.FactorScheduler(step=2, factor=0.5, base_lr=0.4)
    opt = optimizer.SGD(momentum=0.9, wd=0.01, lr_scheduler=sched,
                        param_idx2name={0: "fc_weight", 1: "fc_bias"})
    opt.set_lr_mult({"fc_weight": 0.5})
    updater = optimizer.get_updater(opt)
    weights, grads = _random_problem(4, 5)
    _train(updater, {0: weights[0], 1: weights[1]}, [{0: g[0], 1: g[1]} for g in grads])

    restored = optimizer.get_updater(optimizer.Adam())
    restored.set_states(updater.get_states(dump_optimizer=True))
    new_opt = restored.optimizer
    assert type(new_opt) is optimizer.SGD and new_opt is not opt
    assert new_opt.momentum == 0.9 and new_opt.wd == 0.01
    assert new_opt.idx2name == {0: "fc_weight", 1: "fc_bias"}
    assert new_opt.lr_mult == {"fc_weight": 0.5} and new_opt.wd_mult == {"fc_bias": 0.0}
    assert new_opt._index_update_count == {0: 5, 1: 5} and new_opt.num_update == 5
    assert isinstance(new_opt.lr_scheduler, lr_scheduler.FactorScheduler)
    assert new_opt.lr_scheduler.base_lr == sched.base_lr and new_opt.lr_scheduler.count == 4
    assert new_opt._get_lr(0) == opt._get_lr(0)


def test_states_are_an_mxnet_ndarray_file_with_a_json_header() -> None:
    updater = optimizer.get_updater(optimizer.Adam())
    weights, grads = _random_problem(5, 2)
    _train(updater, weights, grads)
    arrays = load_bytes(updater.get_states())
    header = json.loads(arrays.pop("__header__").asnumpy().tobytes())
    assert header["format"] == "teachmod.optimizer.Updater states"
    assert header["states"][0] == [0, ["state:0:0", "state:0:1"]]
    assert header["num_update"] == 2 and header["optimizer"] is None
    assert sorted(arrays) == [f"state:{i}:{j}" for i in range(3) for j in range(2)]
    np.testing.assert_array_equal(arrays["state:1:1"].asnumpy(), updater.states[1][1].asnumpy())
    single = optimizer.get_updater(optimizer.SGD(momentum=0.9))
    _train(single, weights, grads[:1])
    header = json.loads(load_bytes(single.get_states())["__header__"].asnumpy().tobytes())
    assert header["states"][0] == [0, "state:0:0"]


def test_set_states_moves_states_to_the_weight_context_and_keeps_str_indices() -> None:
    updater = optimizer.get_updater(optimizer.SGD(momentum=0.9))
    weight = NDArray(np.ones(3, np.float32), Context("cpu", 1))
    updater("fc_weight", _nd([1, 1, 1]), weight)
    other = optimizer.get_updater(optimizer.SGD(momentum=0.9))
    other.set_states(updater.get_states())
    assert list(other.states) == ["fc_weight"] and not other.states_synced["fc_weight"]
    other("fc_weight", _nd([1, 1, 1]), weight)
    assert other.states["fc_weight"].context == Context("cpu", 1)


def test_set_states_rejects_pickles_and_other_files() -> None:
    updater = optimizer.get_updater(optimizer.SGD())
    with pytest.raises(MXNetError, match="pickle"):
        updater.set_states(pickle.dumps({0: None}))
    with pytest.raises(MXNetError, match="no header"):
        from teachmod.ndarray.utils import save_bytes

        updater.set_states(save_bytes({"arg:w": _nd([1.0])}))
    with pytest.raises(MXNetError):
        updater.set_states(b"not an ndarray file at all")


# ---- parity with MXNet 1.9.1 ----------------------------------------------------------------
def _golden_case_names() -> list[str]:
    if not GOLDEN_JSON.exists():
        return []
    return [name for name in json.loads(GOLDEN_JSON.read_text())["cases"]
            if name != "sgd_factor_scheduler"]


@pytest.mark.parametrize("name", _golden_case_names())
def test_golden_update_rules(name: str) -> None:
    golden, arrays = _golden()
    case = golden["cases"][name]
    opt = optimizer.create(case["optimizer"], **case["kwargs"])
    updater = optimizer.get_updater(opt)
    weight = NDArray(arrays[f"{name}/weight0"].copy())
    history, rates = [], []
    for grad in arrays[f"{name}/grads"]:
        updater(0, NDArray(grad.copy()), weight)
        history.append(weight.asnumpy())
        rates.append(opt.learning_rate)
    np.testing.assert_allclose(np.stack(history), arrays[f"{name}/weights"], rtol=RTOL, atol=ATOL)
    final_state = _flatten(updater.states[0])
    assert len(final_state) == len(case["final_state"])
    for i, state in enumerate(final_state):
        np.testing.assert_allclose(state, arrays[f"{name}/state{i}"], rtol=RTOL, atol=ATOL)
    assert rates == pytest.approx(case["learning_rate_after_each_step"])
    assert {str(k): v for k, v in opt._index_update_count.items()} == case["index_update_count"]
    assert opt.num_update == case["num_update"]
    _check_hyper_parameters(opt, case["hyper_params_after"])


def _check_hyper_parameters(opt: optimizer.Optimizer, expected: dict) -> None:
    assert type(opt).__name__ == expected["class"]
    for attr, value in expected.items():
        if attr in ("class", "lr_scheduler"):
            continue
        actual = getattr(opt, attr)
        if isinstance(actual, dict):
            actual = {str(k): v for k, v in actual.items()}
        assert actual == value, attr
    assert (opt.lr_scheduler is None) == (expected["lr_scheduler"] is None)


def test_golden_defaults() -> None:
    golden, _ = _golden()
    for name, expected in golden["defaults"].items():
        _check_hyper_parameters(optimizer.create(name), expected)


def test_golden_sgd_with_factor_scheduler() -> None:
    golden, arrays = _golden()
    case = golden["cases"]["sgd_factor_scheduler"]
    sched = lr_scheduler.FactorScheduler(step=2, factor=0.5, base_lr=0.1)
    opt = optimizer.SGD(momentum=0.9, lr_scheduler=sched)
    updater = optimizer.get_updater(opt)
    weight = NDArray(arrays["sgd_factor_scheduler/weight0"].copy())
    history, rates = [], []
    for grad in arrays["sgd_factor_scheduler/grads"]:
        updater(0, NDArray(grad.copy()), weight)
        history.append(weight.asnumpy())
        rates.append(opt._get_lr(0))
    np.testing.assert_allclose(np.stack(history), arrays["sgd_factor_scheduler/weights"],
                               rtol=RTOL, atol=ATOL)
    assert rates == pytest.approx(case["lr_used_each_step"])
    _check_hyper_parameters(opt, case["hyper_params_after"])


def test_golden_lr_and_wd_multipliers() -> None:
    golden, arrays = _golden()
    case = golden["lr_wd_mult_case"]
    idx2name = {int(k): v for k, v in case["kwargs"]["param_idx2name"].items()}
    opt = optimizer.SGD(learning_rate=0.1, momentum=0.9, wd=0.1, param_idx2name=idx2name)
    assert opt.wd_mult == case["wd_mult_right_after_constructor"]
    opt.set_lr_mult({"fc2_weight": 0.5, 1: 2.0})
    opt.set_wd_mult({"fc2_weight": 3.0})
    assert {str(k): v for k, v in opt.lr_mult.items()} == case["lr_mult"]
    assert {str(k): v for k, v in opt.wd_mult.items()} == case["wd_mult"]
    updater = optimizer.get_updater(opt)
    weights = {i: NDArray(arrays[f"sgd_lr_wd_mult/{name}/weight0"].copy())
               for i, name in idx2name.items()}
    history: dict[int, list] = {i: [] for i in idx2name}
    steps = len(arrays["sgd_lr_wd_mult/fc1_weight/grads"])
    for step in range(steps):
        for i in sorted(idx2name):
            grad = arrays[f"sgd_lr_wd_mult/{idx2name[i]}/grads"][step]
            updater(i, NDArray(grad.copy()), weights[i])
            history[i].append(weights[i].asnumpy())
    for i, name in idx2name.items():
        expected = case["params"][name]
        assert opt._get_lr(i) == pytest.approx(expected["effective_lr"])
        assert opt._get_wd(i) == pytest.approx(expected["effective_wd"])
        np.testing.assert_allclose(np.stack(history[i]),
                                   arrays[f"sgd_lr_wd_mult/{name}/weights"], rtol=RTOL, atol=ATOL)


def test_golden_grad_mutation_is_not_reproduced() -> None:
    """MXNet's AdaDelta scales the caller's gradient in place (``grad *= rescale_grad``);
    teachmod deliberately leaves gradients alone and still matches the weights."""
    golden, arrays = _golden()
    assert golden["cases"]["adadelta_rescale"]["grad_array_modified_in_place_by_update"]
    grad = NDArray(arrays["adadelta_rescale/grads"][0].copy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizer.get_updater(optimizer.AdaDelta(rescale_grad=0.5))(
            0, grad, NDArray(arrays["adadelta_rescale/weight0"].copy()))
    np.testing.assert_array_equal(grad.asnumpy(), arrays["adadelta_rescale/grads"][0])


@pytest.mark.parametrize("batch_size", [8, 32, 24, 100])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_gives_mxnets_bits_with_and_without_the_folded_rescale(batch_size, momentum):
    # MXNet's kernel computes weight - lr * (rescale_grad * grad) in float32. SGD folds a
    # power-of-two rescale_grad into lr (one pass instead of two); the bits must not change.
    rng = np.random.default_rng(batch_size)
    weight = rng.standard_normal(1000).astype(np.float32)
    grad = (rng.standard_normal(1000) * 10.0 ** rng.integers(-6, 6, 1000)).astype(np.float32)
    lr, rescale = 0.1, 1.0 / batch_size
    sgd = optimizer.SGD(learning_rate=lr, momentum=momentum, rescale_grad=rescale)
    ours = _nd(weight.copy())
    state = sgd.create_state(0, ours)
    mom = np.zeros_like(weight)
    expected = weight.copy()
    for _ in range(3):
        sgd.update(0, ours, _nd(grad), state)
        step = np.float32(rescale) * grad
        step *= np.float32(lr)
        if momentum:
            mom *= np.float32(momentum)
            mom -= step
            expected += mom
        else:
            expected -= step
    np.testing.assert_array_equal(ours.asnumpy(), expected)

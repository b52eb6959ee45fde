"""Initializers: behaviour, and parity with MXNet 1.9.1 (tests/golden/module/initializers.json).

Random initializers draw from teachmod's own generator, not MXNet's, so for them the parity
tests compare statistics (mean, standard deviation, range) within sampling tolerance; constant
fills, naming rules, error messages and ``dumps()`` strings are compared exactly.
"""
from __future__ import annotations

import json
import logging
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from teachmod import initializer as init
from teachmod import random as tm_random
from teachmod.ndarray.ndarray import NDArray
from teachmod.ndarray.utils import save

GOLDEN = Path(__file__).parent / "golden" / "module" / "initializers.json"

# The constructors used for the golden data, by the text the generator recorded.
INITS = {
    "Uniform(0.07)": lambda: init.Uniform(0.07),
    "Uniform()": lambda: init.Uniform(),
    "Normal(0.02)": lambda: init.Normal(0.02),
    "Normal()": lambda: init.Normal(),
    "Xavier()": lambda: init.Xavier(),
    "Xavier(rnd_type='uniform', factor_type='avg', magnitude=3)":
        lambda: init.Xavier(rnd_type="uniform", factor_type="avg", magnitude=3),
    "Xavier(rnd_type='uniform', factor_type='in', magnitude=3)":
        lambda: init.Xavier(rnd_type="uniform", factor_type="in", magnitude=3),
    "Xavier(rnd_type='uniform', factor_type='out', magnitude=3)":
        lambda: init.Xavier(rnd_type="uniform", factor_type="out", magnitude=3),
    "Xavier(rnd_type='gaussian', factor_type='avg', magnitude=3)":
        lambda: init.Xavier(rnd_type="gaussian", factor_type="avg", magnitude=3),
    "Xavier(rnd_type='gaussian', factor_type='in', magnitude=2.34)":
        lambda: init.Xavier(rnd_type="gaussian", factor_type="in", magnitude=2.34),
    "Xavier(rnd_type='gaussian', factor_type='out', magnitude=2.34)":
        lambda: init.Xavier(rnd_type="gaussian", factor_type="out", magnitude=2.34),
    "Xavier(rnd_type='uniform', factor_type='in', magnitude=2.34)":
        lambda: init.Xavier(rnd_type="uniform", factor_type="in", magnitude=2.34),
    "MSRAPrelu()": lambda: init.MSRAPrelu(),
    "MSRAPrelu(factor_type='in', slope=0.0)": lambda: init.MSRAPrelu(factor_type="in", slope=0.0),
    "Orthogonal()": lambda: init.Orthogonal(),
    "Orthogonal(scale=1.0, rand_type='normal')":
        lambda: init.Orthogonal(scale=1.0, rand_type="normal"),
    "Zero()": lambda: init.Zero(),
    "One()": lambda: init.One(),
    "Constant(0.5)": lambda: init.Constant(0.5),
}


def _golden() -> dict:
    if not GOLDEN.exists():
        pytest.skip(f"golden file {GOLDEN} not generated yet")
    return json.loads(GOLDEN.read_text())


def _zeros(*shape: int, dtype: str = "float32") -> NDArray:
    return NDArray(np.zeros(shape, dtype=dtype))


def _stats(values: np.ndarray) -> dict[str, float]:
    values = values.astype(np.float64)
    return {"mean": values.mean(), "std": values.std(), "min": values.min(), "max": values.max()}


# ---- behaviour ------------------------------------------------------------------------------
def test_naming_rules() -> None:
    uniform = init.Uniform(0.5)
    filled = {}
    for name in ["fc1_weight", "fc1_bias", "bn_gamma", "bn_beta", "q_min", "q_max"]:
        arr = NDArray(np.full((50, 4), 7.0, dtype=np.float32))
        uniform(init.InitDesc(name), arr)
        filled[name] = arr.asnumpy()
    assert np.all(np.abs(filled["fc1_weight"]) <= 0.5) and filled["fc1_weight"].std() > 0.1
    assert np.all(filled["fc1_bias"] == 0) and np.all(filled["bn_beta"] == 0)
    assert np.all(filled["bn_gamma"] == 1)
    assert np.all(filled["q_min"] == 0) and np.all(filled["q_max"] == 1)


def test_unknown_suffix_names_the_array() -> None:
    with pytest.raises(ValueError, match="Unknown initialization pattern for bn_moving_mean"):
        init.Uniform()(init.InitDesc("bn_moving_mean"), _zeros(3))


def test_init_attribute_wins_over_the_global_initializer() -> None:
    arr = NDArray(np.full((4,), 7.0, dtype=np.float32))
    desc = init.InitDesc("bn_moving_var", {"__init__": init.One().dumps()})
    init.Uniform()(desc, arr)
    assert np.all(arr.asnumpy() == 1)
    weight = _zeros(20, 30)
    init.Zero()(init.InitDesc("w", {"__init__": '["constant", {"value": 2.5}]'}), weight)
    assert np.all(weight.asnumpy() == 2.5)
    assert desc.global_init is not None


def test_fills_in_place_and_keeps_dtype() -> None:
    for dtype in ["float32", "float64", "float16"]:
        arr = _zeros(8, 8, dtype=dtype)
        buffer = arr._data
        init.Xavier()(init.InitDesc("fc_weight"), arr)
        assert arr._data is buffer and arr._data.dtype == np.dtype(dtype)
        assert np.any(arr.asnumpy() != 0)


def test_seed_makes_draws_repeatable() -> None:
    draws = []
    for _ in range(2):
        tm_random.seed(42)
        arr = _zeros(5, 5)
        init.Normal(1.0)(init.InitDesc("w_weight"), arr)
        draws.append(arr.asnumpy())
    np.testing.assert_array_equal(draws[0], draws[1])


def test_xavier_scale_and_errors() -> None:
    tm_random.seed(0)
    arr = _zeros(200, 50, 3, 3)
    init.Xavier(factor_type="in", magnitude=3)(init.InitDesc("conv_weight"), arr)
    bound = math.sqrt(3 / (50 * 9))
    assert np.abs(arr.asnumpy()).max() <= bound
    assert np.abs(arr.asnumpy()).max() > 0.99 * bound
    with pytest.raises(ValueError, match="cannot be applied to vector v_weight"):
        init.Xavier()(init.InitDesc("v_weight"), _zeros(5))
    with pytest.raises(ValueError, match="factor type"):
        init.Xavier(factor_type="mean")
    with pytest.raises(ValueError, match="random type"):
        init.Xavier(rnd_type="normal")


def test_orthogonal_rows_are_orthonormal() -> None:
    arr = _zeros(4, 2, 3)
    init.Orthogonal(scale=2.0)(init.InitDesc("w_weight"), arr)
    matrix = arr.asnumpy().reshape(4, 6) / 2.0
    np.testing.assert_allclose(matrix @ matrix.T, np.eye(4), atol=1e-5)


def test_constant_accepts_arrays_and_dumps_them_as_lists() -> None:
    arr = _zeros(2, 3)
    init.Constant(NDArray(np.arange(3, dtype=np.float32)))(init.InitDesc("c_weight"), arr)
    np.testing.assert_array_equal(arr.asnumpy(), [[0, 1, 2], [0, 1, 2]])
    assert init.Constant(np.array([1.0, 2.0])).dumps() == '["constant", {"value": [1.0, 2.0]}]'


def test_create_from_instance_name_alias_and_json() -> None:
    xavier = init.Xavier(magnitude=2)
    assert init.create(xavier) is xavier
    assert init.create(xavier.dumps()) == xavier
    assert isinstance(init.create("zeros"), init.Zero)
    assert isinstance(init.create("ones"), init.One)
    assert isinstance(init.create("Uniform", scale=0.1), init.Uniform)
    with pytest.raises(ValueError, match="unknown initializer 'nope'; known: .*xavier"):
        init.create("nope")


def test_register_a_custom_initializer() -> None:
    @init.register
    class Halves(init.Initializer):
        def _init_weight(self, _, arr):
            arr[:] = 0.5

    arr = _zeros(3)
    init.create("halves")(init.InitDesc("h_weight"), arr)
    assert np.all(arr.asnumpy() == 0.5)
    with pytest.raises(TypeError):
        init.register(object)


def test_mixed_uses_the_first_matching_pattern() -> None:
    mixed = init.Mixed([".*bias", ".*"], [init.Constant(3.0), init.One()])
    bias, weight = _zeros(2), _zeros(2, 2)
    mixed(init.InitDesc("fc_bias"), bias)
    mixed(init.InitDesc("fc_weight"), weight)
    assert np.all(bias.asnumpy() == 0)  # Constant on a bias name follows the bias rule
    assert np.all(weight.asnumpy() == 1)
    with pytest.raises(ValueError, match="did not match any pattern"):
        init.Mixed(["fc.*"], [init.One()])(init.InitDesc("conv_weight"), weight)
    with pytest.raises(ValueError, match="one initializer per pattern"):
        init.Mixed(["a", "b"], [init.One()])


def test_load_from_dict_and_file(tmp_path: Path) -> None:
    saved = {"arg:fc_weight": NDArray(np.full((2, 2), 4.0, dtype=np.float32)),
             "aux:bn_moving_var": NDArray(np.full((3,), 2.0, dtype=np.float32))}
    path = tmp_path / "net-0001.params"
    save(path, saved)
    for source in (saved, str(path)):
        loader = init.Load(source, default_init=init.Zero())
        weight, var, bias = _zeros(2, 2), _zeros(3), NDArray(np.ones(2, dtype=np.float32))
        loader(init.InitDesc("fc_weight"), weight)
        loader(init.InitDesc("bn_moving_var"), var)
        loader(init.InitDesc("fc_bias"), bias)
        assert np.all(weight.asnumpy() == 4) and np.all(var.asnumpy() == 2)
        assert np.all(bias.asnumpy() == 0)
    with pytest.raises(ValueError, match="Shape mismatch"):
        init.Load(saved)(init.InitDesc("fc_weight"), _zeros(3, 3))
    with pytest.raises(ValueError, match="no default Initializer"):
        init.Load(saved)(init.InitDesc("other_weight"), _zeros(3, 3))


def test_bilinear_kernel() -> None:
    arr = _zeros(1, 1, 4, 4)
    init.Bilinear()(init.InitDesc("up_weight"), arr)
    row = np.array([0.25, 0.75, 0.75, 0.25])
    np.testing.assert_allclose(arr.asnumpy()[0, 0], np.outer(row, row))


def test_lstm_bias_sets_the_forget_gate() -> None:
    arr = _zeros(8)
    init.LSTMBias(forget_bias=2.0)(init.InitDesc("lstm_bias", {"__init__": ""}), arr)
    assert arr.asnumpy().tolist() == [0, 0, 0, 0, 0, 0, 0, 0]  # bias rule: the name decides
    init.LSTMBias(forget_bias=2.0)._init_weight("lstm_i2h_bias", arr)
    assert arr.asnumpy().tolist() == [0, 0, 2, 2, 0, 0, 0, 0]


def test_verbose_logs_each_array(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        init.One().set_verbosity(True)(init.InitDesc("fc_weight"), _zeros(2, 2))
    assert caplog.records[0].getMessage() == "Initialized fc_weight as weight: 1.0"


def test_rejects_non_arrays() -> None:
    with pytest.raises(TypeError, match="expected an NDArray"):
        init.One()(init.InitDesc("fc_weight"), [1, 2])


# ---- parity with MXNet 1.9.1 ----------------------------------------------------------------
def _result_cases() -> list[tuple[str, str]]:
    if not GOLDEN.exists():
        return []
    golden = json.loads(GOLDEN.read_text())
    return [(text, name) for text, per_array in golden["results"].items() for name in per_array]


def _check_random_statistics(values: np.ndarray, expected: dict, theory: dict) -> None:
    """Our draws and MXNet's describe the same distribution, within sampling error."""
    ours = _stats(values)
    n = values.size
    std = theory.get("std", expected["stats"]["std"])
    # sampling error of the mean is std/sqrt(n); of the std about std/sqrt(2n) (less for
    # uniform); allow 5 standard errors for both.
    assert abs(ours["mean"]) < 5 * std / math.sqrt(n)
    assert abs(ours["std"] - std) < 5 * std / math.sqrt(2 * n)
    assert abs(expected["stats"]["std"] - std) < 5 * std / math.sqrt(2 * n)
    if theory.get("dist") == "uniform":
        assert theory["low"] <= ours["min"] and ours["max"] <= theory["high"]
        # both samples come close to the bounds
        width = theory["high"] - theory["low"]
        assert ours["max"] > theory["high"] - 0.02 * width
        assert ours["min"] < theory["low"] + 0.02 * width


@pytest.mark.parametrize("text, name", _result_cases())
def test_golden_initializer_results(text: str, name: str) -> None:
    expected = _golden()["results"][text][name]
    arr = _zeros(*expected["shape"])
    tm_random.seed(0)
    if "error" in expected:
        with pytest.raises(ValueError) as raised:
            INITS[text]()(init.InitDesc(name), arr)
        assert type(raised.value).__name__ == expected["error"]
        assert str(raised.value) == expected["message"]
        return
    INITS[text]()(init.InitDesc(name), arr)
    values = arr.asnumpy()
    if expected["deterministic"]:
        assert np.all(values == expected["constant_value"])
        return
    theory = expected["theory"]
    if theory["dist"] == "orthogonal":
        matrix = values.reshape(values.shape[0], -1).astype(np.float64) / theory["scale"]
        gram = matrix @ matrix.T if matrix.shape[0] <= matrix.shape[1] else matrix.T @ matrix
        assert np.abs(gram - np.eye(gram.shape[0])).max() < 1e-5
        assert expected["max_abs_gram_minus_identity"] < 1e-5
        # the root mean square of a scaled orthonormal matrix is fixed by its shape
        rms = theory["scale"] * math.sqrt(min(matrix.shape) / matrix.size)
        assert math.isclose(np.sqrt(np.mean(values.astype(np.float64) ** 2)), rms, rel_tol=1e-4)
        mxnet_rms = math.hypot(expected["stats"]["mean"], expected["stats"]["std"])
        assert math.isclose(mxnet_rms, rms, rel_tol=1e-4)
        return
    _check_random_statistics(values, expected, theory)


def test_golden_mixed() -> None:
    golden = _golden()["mixed"]
    tm_random.seed(0)
    mixed = init.Mixed(["bias", ".*"], [init.Zero(), init.Uniform(0.1)])
    for name, expected in golden["arrays"].items():
        arr = NDArray(np.full((16, 4), 7.0, dtype=np.float32))
        if "error" in expected:
            with pytest.raises(ValueError) as raised:
                mixed(init.InitDesc(name), arr)
            assert str(raised.value) == expected["message"]
            continue
        mixed(init.InitDesc(name), arr)
        ours, theirs = _stats(arr.asnumpy()), expected["stats"]
        if theirs["std"] == 0:
            assert ours == pytest.approx({key: theirs[key] for key in ours})
        else:
            assert -0.1 <= ours["min"] and ours["max"] <= 0.1
            assert ours["std"] == pytest.approx(theirs["std"], rel=0.25)


def test_golden_dumps() -> None:
    dumps = _golden()["attrs"]["dumps"]
    for text, expected in dumps.items():
        if text == "Constant(np.array)":
            assert init.Constant(np.array([1.0, 2.0])).dumps() == expected
        else:
            assert INITS[text]().dumps() == expected, text
    attrs = _golden()["attrs"]
    assert init.Xavier(magnitude=2).dumps() == attrs["variable_w_init_attr"]


def test_golden_batchnorm_attributes_and_variable_override() -> None:
    attrs = _golden()["attrs"]
    bn_attrs = attrs["batchnorm_attr_dict"]
    for name, expected in attrs["uniform_with_batchnorm_attrs"].items():
        arr = NDArray(np.full((4,), 7.0, dtype=np.float32))
        init.Uniform(0.07)(init.InitDesc(name, bn_attrs.get(name)), arr)
        assert arr.asnumpy().tolist() == expected
    override = attrs["variable_init_override"]
    tm_random.seed(0)
    arr = _zeros(64, 16)
    desc = init.InitDesc("w", {"__init__": attrs["variable_w_init_attr"]})
    init.Uniform(0.07)(desc, arr)
    bound = override["theory_scale"]
    theory = {"dist": "uniform", "low": -bound, "high": bound, "std": bound / math.sqrt(3)}
    _check_random_statistics(arr.asnumpy(), override, theory)


def test_golden_legacy_string_names() -> None:
    for name, expected in _golden()["legacy_str_name_call"].items():
        arr = NDArray(np.full((3,), 7.0, dtype=np.float32))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            if isinstance(expected, str):
                with pytest.raises(ValueError) as raised:
                    init.Uniform(0.07)(name, arr)
                assert f"{type(raised.value).__name__}: {raised.value}" == expected
                continue
            init.Uniform(0.07)(name, arr)
        assert arr.asnumpy().tolist() == expected, name


def test_legacy_string_call_warns() -> None:
    with pytest.warns(DeprecationWarning, match="InitDesc"):
        init.One()("fc_weight", _zeros(2))

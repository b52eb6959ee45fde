"""Module against MXNet 1.9.1 (tests/golden/module/module_mlp.*, made by gen_module.py), and
the module's states, errors and checkpoints."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest
from opcheck import assert_close

import teachmod as mx
from teachmod.base import MXNetError

GOLDEN = Path(__file__).parent / "golden" / "module"
CHECKPOINTS = Path(__file__).parent / "fixtures" / "checkpoints"
PARAMS = ("fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias")


def seed_mlp() -> mx.sym.Symbol:
    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=64)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=26)
    return mx.sym.SoftmaxOutput(net, name="softmax")


@pytest.fixture(scope="module")
def golden():
    return np.load(GOLDEN / "module_mlp.npz", allow_pickle=False)


def bound_module(golden, context=None, inputs_need_grad=True) -> mx.mod.Module:
    mod = mx.mod.Module(seed_mlp(), context=context or mx.cpu())
    mod.bind(data_shapes=[("data", (32, 16))], label_shapes=[("softmax_label", (32,))],
             inputs_need_grad=inputs_need_grad)
    mod.set_params({n: mx.nd.array(golden[f"arg:{n}"]) for n in PARAMS}, {})
    return mod


def batch(golden, i: int) -> mx.io.DataBatch:
    return mx.io.DataBatch([mx.nd.array(golden[f"batch{i}/data"])],
                           [mx.nd.array(golden[f"batch{i}/label"])])


@pytest.mark.parametrize("run, optimizer, params", [
    ("sgd", "sgd", (("learning_rate", 0.1), ("momentum", 0.9), ("wd", 1e-4))),
    ("adam", "adam", (("learning_rate", 0.01), ("wd", 1e-4))),
])
def test_outputs_gradients_and_updates_match_mxnet(golden, run, optimizer, params):
    mod = bound_module(golden)
    mod.init_optimizer(optimizer=optimizer, optimizer_params=params)
    for step in range(3):
        mod.forward(batch(golden, step), is_train=True)
        assert_close(mod.get_outputs()[0].asnumpy(), golden[f"{run}/step{step}/output"],
                     f"{run} step {step} output")
        mod.backward()
        assert_close(mod.get_input_grads()[0].asnumpy(), golden[f"{run}/step{step}/input_grad"],
                     f"{run} step {step} input gradient")
        grads = mod._exec_group.execs[0].grad_dict
        for name in PARAMS:
            assert_close(grads[name].asnumpy(), golden[f"{run}/step{step}/grad:{name}"],
                         f"{run} step {step} gradient of {name}")
        mod.update()
        arg_params, _ = mod.get_params()
        for name in PARAMS:
            assert_close(arg_params[name].asnumpy(), golden[f"{run}/step{step}/arg:{name}"],
                         f"{run} step {step} {name} after update")


def test_two_contexts_give_the_numbers_of_one(golden):
    mod = bound_module(golden, context=[mx.cpu(0), mx.cpu(1)], inputs_need_grad=False)
    mod.init_optimizer(optimizer="sgd", optimizer_params=(
        ("learning_rate", 0.1), ("momentum", 0.9), ("wd", 1e-4)))
    for step in range(3):
        mod.forward_backward(batch(golden, step))
        mod.update()
    arg_params, _ = mod.get_params()
    for name in PARAMS:
        assert_close(arg_params[name].asnumpy(), golden[f"sgd_2ctx/step2/arg:{name}"],
                     f"two contexts: {name}")


def test_predict_strips_padding_and_score_counts_it(golden):
    expected = json.loads((GOLDEN / "module_mlp.json").read_text())["predict_score"]
    mod = bound_module(golden, inputs_need_grad=False)
    val = mx.io.NDArrayIter(golden["val/data"], golden["val/label"], 32)
    prediction = mod.predict(val)
    assert prediction.shape == (100, 26)
    assert_close(prediction.asnumpy(), golden["val/predict"], "predict")
    per_batch = mod.predict(val, merge_batches=False)
    assert [[list(p.shape) for p in outputs] for outputs in per_batch] == \
        expected["predict_merge_batches_false_shapes"]
    for metrics, key in ((["acc"], "score_acc"), (["acc", "ce", "top_k_accuracy"], None)):
        if key is None:
            metrics = ["acc", "ce", mx.metric.create("top_k_accuracy", top_k=5)]
            key = "score_acc_ce_top5"
        result = mod.score(val, metrics)
        assert [n for n, _ in result] == [n for n, _ in expected[key]]
        np.testing.assert_allclose([v for _, v in result], [v for _, v in expected[key]],
                                   rtol=1e-5)
    ((name, value),) = mod.score(val, "acc", num_batch=2)
    ((expected_name, expected_value),) = expected["score_acc_num_batch_2"]
    assert name == expected_name and value == pytest.approx(expected_value)


def test_state_machine_errors_say_what_to_call_first():
    mod = mx.mod.Module(seed_mlp())
    data = mx.io.DataBatch([mx.nd.zeros((32, 16))], [mx.nd.zeros((32,))])
    with pytest.raises(MXNetError, match=r"not binded; call bind\(\) first"):
        mod.forward(data)
    mod.bind(data_shapes=[("data", (32, 16))], label_shapes=[("softmax_label", (32,))])
    with pytest.raises(MXNetError, match=r"call init_params\(\) first"):
        mod.forward(data)
    mod.init_params()
    mod.forward_backward(data)
    with pytest.raises(MXNetError, match=r"call init_optimizer\(\) first"):
        mod.update()


def test_bind_rejects_wrong_names_and_formats():
    with pytest.raises(ValueError, match="data_names=\\['x'\\].*Did you mean one of"):
        mx.mod.Module(seed_mlp(), data_names=["x"])
    mod = mx.mod.Module(seed_mlp())
    with pytest.raises(ValueError, match="data_shapes must be a list of \\(name, shape\\)"):
        mod.bind(data_shapes=(32, 16), label_shapes=[("softmax_label", (32,))])
    with pytest.raises(ValueError, match="label_shapes names \\['label'\\]"):
        mod.bind(data_shapes=[("data", (32, 16))], label_shapes=[("label", (32,))])


def test_batch_of_another_size_rebinds_and_keeps_parameters(golden):
    mod = bound_module(golden, inputs_need_grad=False)
    small = mx.io.DataBatch([mx.nd.array(golden["batch0/data"][:5])],
                            [mx.nd.array(golden["batch0/label"][:5])])
    mod.forward(small, is_train=False)
    assert mod.get_outputs()[0].shape == (5, 26)
    mod.forward(batch(golden, 0), is_train=False)
    assert_close(mod.get_outputs()[0].asnumpy()[:5], mod.predict(
        mx.nd.array(golden["batch0/data"][:5])).asnumpy(), "rebind keeps parameters")


def test_mxnet_checkpoint_loads_and_predicts_identically():
    sym, arg_params, aux_params = mx.model.load_checkpoint(str(CHECKPOINTS / "mlp_mx"), 3)
    expected = np.load(CHECKPOINTS / "mlp_mx_predict.npz", allow_pickle=False)
    mod = mx.mod.Module(sym)
    data = expected["data"]
    mod.bind(data_shapes=[("data", data.shape)], for_training=False)
    mod.set_params(arg_params, aux_params)
    out = mod.predict(mx.nd.array(data))
    assert_close(out.asnumpy(), expected["predict"], "prediction from MXNet's checkpoint")


def test_checkpoint_names_must_match_the_symbol(golden, tmp_path):
    mod = bound_module(golden, inputs_need_grad=False)
    arg_params, aux_params = mod.get_params()
    params = dict(arg_params)
    params["fc3_weight"] = params.pop("fc2_weight")
    with pytest.raises(MXNetError, match=r"missing: \['fc2_weight'\]"):
        mod.set_params(params, aux_params)
    with pytest.raises(MXNetError, match=r"\['extra_weight'\] are not in the symbol"):
        mod.set_params({**arg_params, "extra_weight": mx.nd.zeros((1,))}, aux_params)


def test_save_checkpoint_round_trip_with_optimizer_state(golden, tmp_path, caplog):
    mod = bound_module(golden, inputs_need_grad=False)
    mod.init_optimizer(optimizer="sgd", optimizer_params=(("learning_rate", 0.1),
                                                          ("momentum", 0.9)))
    mod.forward_backward(batch(golden, 0))
    mod.update()
    prefix = str(tmp_path / "mlp")
    with caplog.at_level(logging.INFO):
        mod.save_checkpoint(prefix, 1, save_optimizer_states=True)
    assert f'Saved checkpoint to "{prefix}-0001.params"' in caplog.messages
    loaded = mx.mod.Module.load(prefix, 1, load_optimizer_states=True)
    loaded.bind(data_shapes=[("data", (32, 16))], label_shapes=[("softmax_label", (32,))])
    loaded.init_optimizer(optimizer="sgd", optimizer_params=(("learning_rate", 0.1),
                                                             ("momentum", 0.9)))
    for module in (mod, loaded):
        module.forward_backward(batch(golden, 1))
        module.update()
    for name in PARAMS:
        np.testing.assert_array_equal(mod.get_params()[0][name].asnumpy(),
                                      loaded.get_params()[0][name].asnumpy())


@pytest.mark.parametrize("prefix, epoch", [("mlp_tm", 3), ("cnn_tm", 2)])
def test_checkpoints_written_here_load_in_mxnet(prefix, epoch):
    """tests/golden/module/write_teachmod_checkpoints.py wrote these with teachmod; the real
    MXNet 1.9.1 loaded them and predicted the same (check_teachmod_checkpoint.py's result)."""
    result = json.loads((CHECKPOINTS / f"{prefix}_mxnet_check.json").read_text())
    assert result["status"] == "PASS", result
    sym, arg_params, aux_params = mx.model.load_checkpoint(str(CHECKPOINTS / prefix), epoch)
    expected = np.load(CHECKPOINTS / f"{prefix}_predict.npz", allow_pickle=False)
    mod = mx.mod.Module(sym)
    mod.bind(data_shapes=[("data", expected["data"].shape)], for_training=False)
    mod.set_params(arg_params, aux_params)
    assert_close(mod.predict(mx.nd.array(expected["data"])).asnumpy(), expected["predict"],
                 f"{prefix} prediction")


def test_mxnet_batchnorm_checkpoint_predicts_identically():
    sym, arg_params, aux_params = mx.model.load_checkpoint(str(CHECKPOINTS / "cnn_mx"), 2)
    assert aux_params, "the BatchNorm checkpoint has aux: arrays"
    expected = np.load(CHECKPOINTS / "cnn_mx_predict.npz", allow_pickle=False)
    mod = mx.mod.Module(sym)
    mod.bind(data_shapes=[("data", expected["data"].shape)], for_training=False)
    mod.set_params(arg_params, aux_params)
    assert_close(mod.predict(mx.nd.array(expected["data"])).asnumpy(), expected["predict"],
                 "prediction from MXNet's BatchNorm checkpoint")

"""SequentialModule, PythonLossModule, and Module's group2ctxs, layouts and monitor."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest
from mod_cases import sequential_case

import teachmod as mx
from teachmod.base import MXNetError

GOLDEN = json.loads((Path(__file__).parent / "golden" / "mod" / "sequential.json").read_text())


@pytest.mark.parametrize("kind", ["softmax_output", "python_loss"])
def test_sequential_module_updates_match_mxnet(kind):
    params = sequential_case(mx, kind == "python_loss")
    assert sorted(params) == sorted(GOLDEN[kind])
    for name, value in GOLDEN[kind].items():
        np.testing.assert_allclose(params[name], value, rtol=1e-5, atol=1e-6, err_msg=name)


def _chain():
    first = mx.sym.Activation(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=8,
                                                    name="fc1"), act_type="relu", name="r1")
    second = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2,
                                                        name="fc2"), name="softmax")
    seq = mx.mod.SequentialModule()
    seq.add(mx.mod.Module(first, label_names=None))
    return seq.add(mx.mod.Module(second), take_labels=True, auto_wiring=True)


def test_sequential_module_fits_scores_predicts_and_logs_as_mxnet(caplog):
    rng = np.random.RandomState(0)
    data = rng.randn(64, 5).astype(np.float32)
    train = mx.io.NDArrayIter(data, (data[:, 0] > 0).astype(np.float32), 16)
    seq = _chain()
    with caplog.at_level(logging.INFO):
        seq.fit(train, num_epoch=20, initializer=mx.init.Xavier(),
                optimizer_params={"learning_rate": 0.5})
    assert "Epoch[19] Train-accuracy=" in caplog.text
    assert seq.score(train, "acc")[0][1] > 0.8
    assert seq.predict(train).shape == (64, 2)
    assert sorted(seq.get_params()[0]) == ["fc1_bias", "fc1_weight", "fc2_bias", "fc2_weight"]
    assert seq.output_shapes == [("softmax_output", (16, 2))]


def test_shapes_that_do_not_chain_name_the_module():
    first = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=8, name="fc1")
    # a weight declared for 3 inputs cannot take fc1's 8 outputs
    second = mx.sym.FullyConnected(mx.sym.Variable("data"), mx.sym.Variable("w", shape=(2, 3)),
                                   num_hidden=2, name="fc2")
    seq = mx.mod.SequentialModule()
    seq.add(mx.mod.Module(first, label_names=None))
    seq.add(mx.mod.Module(second, label_names=None), auto_wiring=True)
    with pytest.raises(MXNetError, match=r"module 1 \(Module\) cannot take the outputs of "
                                         r"module 0, \[\('fc1_output', \(16, 8\)\)\]"):
        seq.bind([("data", (16, 4))])
    unwired = mx.mod.SequentialModule()
    unwired.add(mx.mod.Module(first, label_names=None))
    unwired.add(mx.mod.Module(second, label_names=None))
    with pytest.raises(MXNetError, match="module 1 .*fc1_output"):
        unwired.bind([("data", (16, 4))])
    with pytest.raises(MXNetError, match="unknown meta"):
        unwired.add(mx.mod.Module(first, label_names=None), take_label=True)


def test_python_loss_module_needs_a_gradient_function():
    loss = mx.mod.PythonLossModule()
    loss.bind([("data", (2, 3))], [("softmax_label", (2,))])
    loss.forward(mx.io.DataBatch([mx.nd.ones((2, 3))], [mx.nd.zeros((2,))]))
    assert loss.get_outputs()[0].shape == (2, 3)
    with pytest.raises(MXNetError, match="no grad_func"):
        loss.backward()
    with pytest.raises(MXNetError, match="takes no out_grads"):
        loss.backward([mx.nd.ones((2, 3))])


def test_group2ctxs_puts_a_ctx_group_on_its_context():
    with mx.AttrScope(ctx_group="dev1"):
        a = mx.sym.Variable("a") * 2
    with mx.AttrScope(ctx_group="dev2"):
        c = a + mx.sym.Variable("b")
    mod = mx.mod.Module(c, data_names=["a", "b"], label_names=None,
                        group2ctxs={"dev1": mx.cpu(1), "dev2": mx.cpu(2)})
    mod.bind([("a", (2, 3)), ("b", (2, 3))], inputs_need_grad=True)
    mod.init_params()
    mod.forward(mx.io.DataBatch([mx.nd.ones((2, 3)), mx.nd.ones((2, 3))]), is_train=True)
    mod.backward([mx.nd.ones((2, 3))])
    grads = mod.get_input_grads()
    assert [g.context for g in grads] == [mx.cpu(1), mx.cpu(2)]
    np.testing.assert_array_equal(grads[0].asnumpy(), 2)
    with pytest.raises(MXNetError, match="one dict per context"):
        mx.mod.Module(c, data_names=["a", "b"], label_names=None, group2ctxs=[{}, {}]).bind(
            [("a", (2, 3)), ("b", (2, 3))])


def test_layout_tnc_splits_the_batch_along_axis_1():
    net = mx.sym.Activation(mx.sym.Variable("data"), act_type="relu", __layout__="TNC")
    mod = mx.mod.Module(net, label_names=None, context=[mx.cpu(0), mx.cpu(1)])
    mod.bind([mx.io.DataDesc("data", (3, 8, 7), layout="TNC")])
    mod.init_params()
    values = np.arange(3 * 8 * 7, dtype=np.float32).reshape(3, 8, 7)
    mod.forward(mx.io.DataBatch([mx.nd.array(values)]))
    assert [x.shape for x in mod.get_outputs(merge_multi_context=False)[0]] == [(3, 4, 7)] * 2
    np.testing.assert_array_equal(mod.get_outputs()[0].asnumpy(), values)


def test_monitor_reports_forward_backward_and_arguments_as_mxnet(caplog):
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc_0")
    net = mx.sym.LinearRegressionOutput(net, name="lro")
    mod = mx.mod.Module(net, label_names=["lro_label"])
    mod.bind([("data", (1, 2))], [("lro_label", (1, 2))])
    mon = mx.mon.Monitor(1, pattern=".*", sort=True)
    mod.install_monitor(mon)
    mod.init_params(mx.init.Constant(0.5))
    batch = mx.io.DataBatch([mx.nd.ones((1, 2))], [mx.nd.zeros((1, 2))])
    mon.tic()
    mod.forward_backward(batch)
    names = [name for _, name, _ in mon.toc()]
    assert names == ["data", "fc_0_backward_output0", "fc_0_backward_output1",
                     "fc_0_backward_output2", "fc_0_bias", "fc_0_output", "fc_0_weight",
                     "lro_backward_output0", "lro_backward_output1", "lro_label", "lro_output"]
    mon.tic()
    mod.forward_backward(batch)
    with caplog.at_level(logging.INFO):
        mon.toc_print()
    assert "Batch:       2 fc_0_output                    1.0\t" in caplog.text


def test_states_are_kept_between_batches_and_can_be_set():
    net = mx.sym.Variable("data") + mx.sym.Variable("state")
    mod = mx.mod.Module(net, label_names=None, state_names=["state"],
                        context=[mx.cpu(0), mx.cpu(1)])
    mod.bind([("data", (4, 2))], for_training=False)
    mod.init_params()
    mod.set_states(value=1.5)
    mod.forward(mx.io.DataBatch([mx.nd.ones((4, 2))]))
    np.testing.assert_array_equal(mod.get_outputs()[0].asnumpy(), 2.5)
    mod.set_states(states=[mx.nd.array(np.arange(8).reshape(4, 2))])
    np.testing.assert_array_equal(mod.get_states()[0].asnumpy(), np.arange(8).reshape(4, 2))
    assert [s.shape for s in mod.get_states(merge_multi_context=False)[0]] == [(2, 2)] * 2
    with pytest.raises(MXNetError, match="either states or value"):
        mod.set_states()

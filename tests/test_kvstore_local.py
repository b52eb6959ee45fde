"""mx.kv: the local key-value store, and how Module uses it (MXNet's update_on_kvstore rules)."""
from __future__ import annotations

import numpy as np
import pytest

import teachmod as mx
from teachmod.base import MXNetError


def test_push_sums_a_list_and_pull_fills_every_output():
    kv = mx.kv.create("local")
    kv.init("w", mx.nd.zeros((2, 2)))
    kv.init([3, 5], [mx.nd.ones((2, 2)), mx.nd.ones((2, 2)) * 2])
    kv.push("w", [mx.nd.ones((2, 2)), mx.nd.ones((2, 2)) * 3])
    outs = [mx.nd.zeros((2, 2)), mx.nd.zeros((2, 2))]
    kv.pull("w", out=outs)
    for out in outs:
        np.testing.assert_array_equal(out.asnumpy(), 4)
    both = [mx.nd.zeros((2, 2)), mx.nd.zeros((2, 2))]
    kv.pull([3, 5], out=both)
    assert [b.asnumpy()[0, 0] for b in both] == [1, 2]
    assert (kv.type, kv.rank, kv.num_workers) == ("local", 0, 1)


def test_with_an_optimizer_a_push_is_an_update():
    kv = mx.kv.create("device")
    kv.init(0, mx.nd.ones((3,)))
    kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.5))
    grads = [mx.nd.ones((3,)), mx.nd.ones((3,))]
    kv.pushpull(0, grads, out=grads)  # weight 1 - 0.5 * (1 + 1)
    np.testing.assert_array_equal(grads[0].asnumpy(), [0, 0, 0])


def test_optimizer_states_round_trip(tmp_path):
    kv = mx.kv.create()
    kv.init("w", mx.nd.ones((2,)))
    kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9))
    kv.push("w", mx.nd.ones((2,)))
    kv.save_optimizer_states(str(tmp_path / "s"))
    other = mx.kv.create()
    other.set_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9))
    other.load_optimizer_states(str(tmp_path / "s"))
    np.testing.assert_allclose(other._updater.states["w"].asnumpy(), [-0.1, -0.1])


@pytest.mark.parametrize("call, words", [
    (lambda kv: kv.pull("nope", out=mx.nd.zeros((1,))), "'nope' has not been initialized"),
    (lambda kv: kv.push("a", mx.nd.zeros((3,))), "holds shape (1,)"),
    (lambda kv: kv.init("a", mx.nd.zeros((1,))), "already initialized"),
    (lambda kv: kv.save_optimizer_states("x"), "set_optimizer"),
])
def test_misuse_is_explained(call, words):
    kv = mx.kv.create()
    kv.init("a", mx.nd.zeros((1,)))
    with pytest.raises(MXNetError) as info:
        call(kv)
    assert words in str(info.value)


def test_distributed_stores_say_teachmod_runs_in_one_process():
    with pytest.raises(MXNetError, match="one process.*'local'"):
        mx.kv.create("dist_sync")


def _two_device_module(kvstore):
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc")
    net = mx.sym.LinearRegressionOutput(net, name="lro")
    mod = mx.mod.Module(net, label_names=["lro_label"], context=[mx.cpu(0), mx.cpu(1)])
    mod.bind([("data", (4, 3))], [("lro_label", (4, 2))])
    mod.init_params(mx.init.Constant(0.5))
    mod.init_optimizer(kvstore=kvstore, optimizer="sgd",
                       optimizer_params={"learning_rate": 0.1, "momentum": 0.9})
    rng = np.random.RandomState(0)
    batch = mx.io.DataBatch([mx.nd.array(rng.uniform(size=(4, 3)))],
                            [mx.nd.array(rng.uniform(size=(4, 2)))])
    for _ in range(2):
        mod.forward_backward(batch)
        mod.update()
    return mod


def test_module_on_two_devices_trains_alike_with_or_without_the_optimizer_in_the_store(
        monkeypatch):
    in_store = _two_device_module("local")
    assert in_store._update_on_kvstore and in_store._updater is None
    monkeypatch.setenv("MXNET_UPDATE_ON_KVSTORE", "0")
    summed_only = _two_device_module("local")
    assert not summed_only._update_on_kvstore
    # MXNet's indices: parameter i on device k is updated as i * num_device + k
    assert sorted(summed_only._updater.states) == [0, 1, 2, 3]
    for name, value in in_store.get_params()[0].items():
        np.testing.assert_allclose(summed_only.get_params()[0][name].asnumpy(), value.asnumpy(),
                                   rtol=1e-6)


def test_one_device_needs_no_store():
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc")
    mod = mx.mod.Module(net, label_names=None)
    mod.bind([("data", (4, 3))])
    mod.init_params()
    mod.init_optimizer(kvstore="local")
    assert mod._kvstore is None and not mod._update_on_kvstore
    with pytest.raises(MXNetError, match="one process"):
        mod.init_optimizer(kvstore="dist_async", force_init=True)


def test_operator_keywords_that_are_attributes_or_positional_parameters():
    data = mx.sym.Variable("data")
    fc = mx.sym.FullyConnected(data, num_hidden=3, name="fc1", lr_mult=0, __layout__="NC")
    attrs = fc.attr_dict()
    assert attrs["fc1"]["__lr_mult__"] == "0" and attrs["fc1_weight"]["__layout__"] == "NC"
    assert mx.sym.Dropout(data, 0.25).attr("p") == "0.25"  # Dropout(data, p)
    with pytest.raises(TypeError, match="only 4"):
        mx.sym.Dropout(data, 0.25, "training", (), False, 7)


def test_gluon_and_amp_import_and_explain_themselves():
    from teachmod import gluon
    from teachmod.contrib.amp import amp

    with pytest.raises(AttributeError, match="symbolic API"):
        _ = gluon.Trainer
    with pytest.raises(AttributeError, match="no automatic mixed precision"):
        _ = amp.init


class _ShrinkingIter(mx.io.DataIter):
    """Two batches: 8 samples, then 5 (as a final, smaller batch)."""

    def __init__(self):
        super().__init__(8)
        self.i = 0
        self.provide_data = [mx.io.DataDesc("data", (8, 3))]
        self.provide_label = [mx.io.DataDesc("softmax_label", (8,))]

    def reset(self):
        self.i = 0

    def next(self):
        if self.i >= 2:
            raise StopIteration
        n = 8 if self.i == 0 else 5
        self.i += 1
        return mx.io.DataBatch([mx.nd.ones((n, 3))], [mx.nd.zeros((n,))],
                               provide_data=[mx.io.DataDesc("data", (n, 3))],
                               provide_label=[mx.io.DataDesc("softmax_label", (n,))])


def test_fit_on_two_devices_through_the_store_takes_a_smaller_last_batch():
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2,
                                                     name="fc"), name="softmax")
    mod = mx.mod.Module(net, context=[mx.cpu(0), mx.cpu(1)])
    mod.fit(_ShrinkingIter(), num_epoch=2)
    assert mod._update_on_kvstore and mod.get_outputs()[0].shape == (5, 2)
    weight = mod.get_params()[0]["fc_weight"].asnumpy()
    # the store's copy and both devices' copies agree after the reshape
    np.testing.assert_array_equal(mod._exec_group.param_arrays[0][1].asnumpy(), weight)

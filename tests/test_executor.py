"""Executor: bind/simple_bind, forward/backward with every grad_req, and finite differences
through whole graphs."""
from __future__ import annotations

import numpy as np
import pytest

import teachmod as mx
from teachmod.base import MXNetError


def small_net():
    data = mx.sym.Variable("data")
    hidden = mx.sym.FullyConnected(data, num_hidden=5, name="fc1")
    act = mx.sym.Activation(hidden, act_type="tanh", name="act")
    # the activation feeds two branches, so its gradient is a sum
    out = mx.sym.broadcast_add(mx.sym.FullyConnected(act, num_hidden=3, name="fc2"),
                               mx.sym.sum(act, axis=1, keepdims=True))
    return mx.sym.SoftmaxOutput(out, name="softmax")


def test_backward_matches_finite_differences_through_the_graph():
    rng = np.random.default_rng(0)
    net = small_net()
    shapes, _, _ = net.infer_shape(data=(4, 6))
    args = {n: mx.nd.array(rng.standard_normal(s), dtype="float64")
            for n, s in zip(net.list_arguments(), shapes)}
    args["softmax_label"] = mx.nd.array([0, 1, 2, 1], dtype="float64")
    grads = {n: mx.nd.zeros(a.shape, dtype="float64") for n, a in args.items()}
    ex = net.bind(mx.cpu(), args, args_grad=grads)
    ex.forward(is_train=True)
    ex.backward()

    def loss() -> float:
        prob = ex.forward()[0].asnumpy()
        return -np.log(prob[np.arange(4), [0, 1, 2, 1]]).sum()

    for name in ("data", "fc1_weight", "fc2_bias"):
        values = args[name]._data
        numeric = np.zeros_like(values)
        for i in np.ndindex(values.shape):
            saved = values[i]
            values[i] = saved + 1e-6
            up = loss()
            values[i] = saved - 1e-6
            down = loss()
            values[i] = saved
            numeric[i] = (up - down) / 2e-6
        np.testing.assert_allclose(grads[name].asnumpy(), numeric, rtol=1e-5, atol=1e-8)


def test_grad_req_write_add_null():
    x = mx.sym.Variable("x")
    y = mx.sym.Variable("y")
    net = mx.sym.MakeLoss(mx.sym.sum(x * y))
    args = {"x": mx.nd.array([1.0, 2.0]), "y": mx.nd.array([3.0, 4.0])}
    grads = {"x": mx.nd.zeros((2,)), "y": mx.nd.ones((2,))}
    ex = net.bind(mx.cpu(), args, args_grad=grads, grad_req={"x": "add", "y": "null"})
    for _ in range(2):
        ex.forward(is_train=True)
        ex.backward()
    assert grads["x"].asnumpy().tolist() == [6.0, 8.0]  # added twice
    assert grads["y"].asnumpy().tolist() == [1.0, 1.0]  # untouched
    ex2 = net.bind(mx.cpu(), args, args_grad=grads, grad_req="write")
    ex2.forward(is_train=True)
    ex2.backward()
    assert grads["x"].asnumpy().tolist() == [3.0, 4.0]


def test_simple_bind_dicts_and_forward_kwargs():
    ex = small_net().simple_bind(mx.cpu(), data=(4, 6))
    assert ex.arg_dict["fc1_weight"].shape == (5, 6)
    assert set(ex.grad_dict) == set(small_net().list_arguments())
    out = ex.forward(is_train=False, data=np.ones((4, 6)))
    assert out[0].shape == (4, 3) and ex.output_dict["softmax_output"] is out[0]
    with pytest.raises(MXNetError, match="'data' has shape \\(2, 6\\).*bound with \\(4, 6\\)"):
        ex.forward(data=np.ones((2, 6)))
    with pytest.raises(MXNetError, match="allow_up_sizing"):  # MXNet's rule
        ex.reshape(data=(8, 6), softmax_label=(8,))
    bigger = ex.reshape(allow_up_sizing=True, data=(8, 6), softmax_label=(8,))
    assert bigger.arg_dict["fc1_weight"] is ex.arg_dict["fc1_weight"]
    assert bigger.forward(data=np.ones((8, 6)))[0].shape == (8, 3)


def test_bind_errors_name_the_argument():
    net = small_net()
    with pytest.raises(MXNetError, match="missing \\['fc2_bias'\\]"):
        args = {n: mx.nd.zeros(s) for n, s in zip(net.list_arguments(),
                                                  net.infer_shape(data=(4, 6))[0])}
        del args["fc2_bias"]
        net.bind(mx.cpu(), args)
    shapes = dict(zip(net.list_arguments(), net.infer_shape(data=(4, 6))[0]))
    args = {n: mx.nd.zeros(s) for n, s in shapes.items()}
    args["fc1_weight"] = mx.nd.zeros((5, 7))
    with pytest.raises(MXNetError, match="fc1.*weight.*\\(5, 7\\)"):
        net.bind(mx.cpu(), args)
    with pytest.raises(MXNetError, match="cannot infer the shapes"):
        net.simple_bind(mx.cpu())
    with pytest.raises(MXNetError, match="grad_req for 'data' must be one of"):
        net.simple_bind(mx.cpu(), grad_req="sometimes", data=(4, 6))


def test_monitor_sees_every_output(capsys):
    ex = small_net().simple_bind(mx.cpu(), data=(4, 6))
    seen = []
    ex.set_monitor_callback(lambda name, arr: seen.append((name, arr.shape)))
    ex.forward()
    assert ("fc1_output", (4, 5)) in seen and ("softmax_output", (4, 3)) in seen


def test_copy_params_from():
    ex = small_net().simple_bind(mx.cpu(), data=(4, 6))
    ex.copy_params_from({"fc1_bias": mx.nd.ones((5,))})
    assert ex.arg_dict["fc1_bias"].asnumpy().sum() == 5
    with pytest.raises(ValueError, match="'nope' is not an argument"):  # as MXNet
        ex.copy_params_from({"nope": mx.nd.ones((5,))})
    ex.copy_params_from({"nope": mx.nd.ones((5,))}, allow_extra_params=True)


def test_values_and_gradients_by_name_for_inspection():
    net = small_net()
    ex = net.simple_bind(mx.cpu(), data=(4, 6), grad_req={"fc1_weight": "write"})
    ex.keep_intermediates = True
    ex.forward(is_train=True, data=np.ones((4, 6)))
    ex.backward()
    values = ex.values_by_name()
    assert list(values)[:4] == ["data", "fc1_weight", "fc1_bias", "fc1_output"]
    assert values["act_output"].shape == (4, 5)
    grads = ex.gradients_by_name()
    assert "fc1_output" in grads and "data" not in grads  # data needs no gradient here
    np.testing.assert_array_equal(grads["fc1_weight"].asnumpy(),
                                  ex.grad_dict["fc1_weight"].asnumpy())


def book_cnn():
    data = mx.sym.Variable("data")
    conv = mx.sym.Convolution(data, num_filter=4, kernel=(3, 3), pad=(1, 1), name="conv1")
    bn = mx.sym.BatchNorm(conv, name="bn1")
    relu = mx.sym.Activation(bn, act_type="relu", name="relu1")
    pool = mx.sym.Pooling(relu, kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool1")
    fc = mx.sym.FullyConnected(pool, num_hidden=2, name="fc1")
    return mx.sym.SoftmaxOutput(fc, name="softmax")


def held_tensors(ex):
    """The names of the tensors the executor holds now (white-box: the memory plan at work)."""
    return [ex._slot_names[slot] for slot, value in enumerate(ex._values) if value is not None]


def test_lean_passes_let_go_of_what_backward_does_not_read():
    rng = np.random.default_rng(0)
    data, label = rng.standard_normal((2, 3, 6, 6)), np.array([0.0, 1.0])
    lean = book_cnn().simple_bind(mx.cpu(), data=(2, 3, 6, 6))
    kept = book_cnn().simple_bind(mx.cpu(), data=(2, 3, 6, 6))
    kept.keep_intermediates = True
    weights = {n: mx.nd.array(rng.standard_normal(a.shape))
               for n, a in lean.arg_dict.items() if n.endswith("weight")}
    for ex in (lean, kept):
        ex.copy_params_from(weights)
    held = {}
    for ex in (lean, kept):
        ex.forward(is_train=True, data=data, softmax_label=label)
        held[id(ex)] = held_tensors(ex)
        ex.backward()
    # the same gradients, whether or not the pass let tensors go
    for name in lean.grad_dict:
        np.testing.assert_array_equal(lean.grad_dict[name].asnumpy(),
                                      kept.grad_dict[name].asnumpy())
    # after forward, the lean pass holds only what some backward reads (and the outputs)
    assert "fc1_output" not in held[id(lean)]  # SoftmaxOutput's backward reads its output
    assert "pool1_output" in held[id(lean)]  # FullyConnected's backward reads its data
    # after backward nothing intermediate is left but the outputs
    assert [n for n in held_tensors(lean) if n.endswith("_output")] == ["softmax_output"]
    with pytest.raises(MXNetError, match="keep_intermediates = True"):
        lean.values_by_name()
    with pytest.raises(MXNetError, match="keep_intermediates = True"):
        lean.gradients_by_name()
    with pytest.raises(MXNetError, match="a backward already used them"):
        lean.backward()  # the first backward let go of what it read
    kept.backward()  # keeping everything, backward may run twice, as in MXNet


def test_inference_passes_keep_nothing_but_the_outputs():
    ex = small_net().simple_bind(mx.cpu(), data=(4, 6), grad_req="null")
    out = ex.forward(data=np.ones((4, 6)))[0].asnumpy()
    assert [n for n in held_tensors(ex) if n.endswith("_output")] == ["softmax_output"]
    ex.keep_intermediates = True
    np.testing.assert_array_equal(ex.forward(data=np.ones((4, 6)))[0].asnumpy(), out)
    assert ex.values_by_name()["act_output"].shape == (4, 5)


def test_backward_may_follow_an_inference_forward():
    # as in MXNet: is_train=False changes what Dropout/BatchNorm compute, not whether the
    # executor can run backward afterwards
    ex = small_net().simple_bind(mx.cpu(), data=(4, 6))
    ex.arg_dict["fc1_weight"][:] = 0.1
    ex.forward(is_train=False, data=np.ones((4, 6)))
    ex.backward()
    inference = ex.grad_dict["fc1_weight"].asnumpy().copy()
    ex.forward(is_train=True, data=np.ones((4, 6)))
    ex.backward()
    np.testing.assert_array_equal(ex.grad_dict["fc1_weight"].asnumpy(), inference)


def test_outputs_live_in_memory_bind_gave_them():
    ex = small_net().simple_bind(mx.cpu(), data=(4, 6))
    first = ex.outputs[0]
    assert first.shape == (4, 3)  # allocated at bind, before any forward
    memory = first._data
    ex.forward(data=np.ones((4, 6)))
    assert ex.outputs[0] is first and first._data is memory


def test_reshape_shares_memory_as_mxnet_does():
    net = mx.sym.FullyConnected(mx.sym.Variable("x"), num_hidden=4, name="fc")
    ex = net.simple_bind(mx.cpu(), x=(5, 4), grad_req="null")
    ex.arg_dict["x"][:] = 1
    ex.arg_dict["fc_weight"][:] = 1
    ex.arg_dict["fc_bias"][:] = 0
    small = ex.reshape(x=(3, 4))
    assert small.arg_dict["fc_weight"] is ex.arg_dict["fc_weight"]
    small.forward()
    assert (small.outputs[0].asnumpy() == 4).all()
    assert (ex.outputs[0].asnumpy()[:3] == 4).all()  # the smaller output is a view of ours
    big = ex.reshape(allow_up_sizing=True, x=(6, 4))
    big.arg_dict["x"][:] = 0  # a new array: ours is untouched
    assert (ex.arg_dict["x"].asnumpy() == 1).all()
    with pytest.raises(MXNetError, match="partial_shaping"):
        net.simple_bind(mx.cpu(), x=(5, 4)).reshape(x=(5, 2))  # fc_weight would change


@pytest.mark.parametrize("setting, tuned", [("1", True), ("on", True), ("", False),
                                             ("0", False)])
def test_keep_heap_is_opt_in(monkeypatch, setting, tuned):
    import platform

    from teachmod import executor
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        pytest.skip("the allocator is tuned on glibc only")
    calls = []

    class FakeLibc:
        def mallopt(self, option, value):
            calls.append((option, value))

    monkeypatch.setattr(executor, "_MALLOC_TUNED", False)
    monkeypatch.setattr(executor.ctypes, "CDLL", lambda name: FakeLibc())
    monkeypatch.setenv("TEACHMOD_KEEP_HEAP", setting)
    small_net().simple_bind(mx.cpu(), data=(4, 6))
    assert bool(calls) == tuned


@pytest.mark.parametrize("graph", ["mlp", "cnn", "autonames", "prefix", "attrs", "group",
                                   "internals"])
def test_lean_and_kept_passes_give_the_same_bits(graph):
    # the memory plan must only decide when tensors go, never what is computed: every graph of
    # the JSON fixtures (branches, Concat, SliceChannel, two heads, internal outputs as heads)
    from test_symbol_json import GRAPHS  # the fixtures' builders, loaded there
    build, shapes = GRAPHS[graph]
    symbol = build(mx)
    rng = np.random.default_rng(0)
    executors = [symbol.simple_bind(mx.cpu(), **shapes) for _ in range(2)]
    executors[1].keep_intermediates = True
    for name, array in executors[0].arg_dict.items():
        values = (rng.integers(0, 2, array.shape) if name.endswith("label")
                  else rng.standard_normal(array.shape))
        for ex in executors:
            ex.arg_dict[name][:] = values
    for ex in executors:
        ex.forward(is_train=True)
        ex.backward()
    lean, kept = executors
    for ours, theirs in zip(lean.outputs, kept.outputs):
        np.testing.assert_array_equal(ours.asnumpy(), theirs.asnumpy())
    for name, grad in lean.grad_dict.items():
        np.testing.assert_array_equal(grad.asnumpy(), kept.grad_dict[name].asnumpy(), name)


def test_a_recording_holds_each_step_of_a_pass_as_a_kept_pass_does():
    rng = np.random.default_rng(1)
    data, label = rng.standard_normal((2, 3, 6, 6)), np.array([0.0, 1.0])
    ex = book_cnn().simple_bind(mx.cpu(), data=(2, 3, 6, 6))
    ex.copy_params_from({n: mx.nd.array(rng.standard_normal(a.shape))
                         for n, a in ex.arg_dict.items() if n.endswith("weight")})
    aux = {n: a.asnumpy() for n, a in ex.aux_dict.items()}
    with ex.record() as rec:
        ex.forward(is_train=True, data=data, softmax_label=label)
        ex.backward()
    assert ex.recorder is None  # the block is over
    assert [r.step.name for r in rec.forward] == [s.name for s in ex.plan]
    assert [r.step.name for r in rec.backward] == [s.name for s in reversed(ex.plan)]
    pool = next(r for r in rec.forward if r.step.name == "pool1")
    assert pool.step.output_names == ("pool1_output", "pool1_workspace")
    assert len(pool.outputs) == 1  # the workspace is listed, never computed
    for name, value in aux.items():
        ex.aux_dict[name][:] = value
    ex.keep_intermediates = True
    ex.forward(is_train=True, data=data, softmax_label=label)
    ex.backward()
    values, grads, sent = ex.values_by_name(), ex.gradients_by_name(), ex.gradients_sent()
    for r in rec.forward:
        for name, value in zip(r.step.input_names + r.step.output_names, r.inputs + r.outputs):
            np.testing.assert_array_equal(value, values[name].asnumpy(), name)
    for r in rec.backward:
        for name, grad in zip(r.step.output_names, r.outputs):
            if grad is not None:
                np.testing.assert_array_equal(grad, grads[name].asnumpy(), name)
        for mine, theirs in zip(r.inputs, sent[r.step.name]):
            assert (mine is None) == (theirs is None)
            if mine is not None:
                np.testing.assert_array_equal(mine, theirs.asnumpy())


def test_a_module_reshaped_for_another_batch_keeps_what_watched_its_executor():
    data = mx.sym.Variable("data")
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(data, num_hidden=3, name="fc"),
                               name="softmax")
    mod = mx.mod.Module(net)
    mod.bind(data_shapes=[("data", (8, 5))], label_shapes=[("softmax_label", (8,))])
    mod.init_params()
    mod._exec_group.execs[0].keep_intermediates = True
    seen = []
    mod._exec_group.execs[0].set_monitor_callback(lambda name, arr: seen.append(arr.shape))
    small = mx.io.DataBatch(data=[mx.nd.ones((4, 5))], label=[mx.nd.zeros((4,))])
    with mod._exec_group.record() as rec:
        mod.forward_backward(small)
    ex = mod._exec_group.execs[0]
    assert ex.arg_dict["data"].shape == (4, 5) and ex.recorder is None
    assert ex.values_by_name()["fc_output"].shape == (4, 3)  # kept on the new executor
    assert (4, 3) in seen
    assert [r.outputs[0].shape for r in rec.forward] == [(4, 3), (4, 3)]

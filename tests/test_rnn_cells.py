"""mx.rnn cells unrolled: MXNet 1.9.1 golden values (outputs, final states, gradients of the
inputs, begin states and parameters), names, weight packing, and the fused/unfused equivalence."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from opcheck import assert_close  # noqa: E402

import teachmod as mx  # noqa: E402
from teachmod.ops import registry  # noqa: E402

GOLDEN = Path(__file__).parent / "golden"
_spec = importlib.util.spec_from_file_location("rnn_nets", GOLDEN / "rnn_nets.py")
rnn_nets = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rnn_nets)


# BidirectionalCell's merged output reverses the backward cell's outputs with the `reverse`
# operator, which another branch adds; the per-step (merge_outputs=False) cases run without it
NEEDS_REVERSE = {"bidirectional_merged"}


@pytest.mark.filterwarnings("ignore:NTC layout detected")
@pytest.mark.parametrize("name", sorted(rnn_nets.CELLS))
def test_unrolled_cell_matches_mxnet(name):
    if name in NEEDS_REVERSE and "reverse" not in registry.all_names():
        pytest.skip("needs the reverse operator")
    arrays = np.load(GOLDEN / "rnn" / f"cell_{name}.npz")
    with mx.name.NameManager():
        sym, _ = rnn_nets.CELLS[name](mx)
    assert sym.list_outputs() == list(arrays["names:outputs"])
    args = {k[4:]: mx.nd.array(arrays[k]) for k in arrays.files if k.startswith("arg:")}
    assert sorted(sym.list_arguments()) == sorted(args)
    grads = {k: mx.nd.zeros(v.shape) for k, v in args.items()}
    exe = sym.bind(mx.cpu(), args, args_grad=grads)
    outputs = exe.forward(is_train=True)
    for i, out in enumerate(outputs):
        assert_close(out.asnumpy(), arrays[f"out:{i}"], f"{name} output {i}")
    exe.backward([mx.nd.array(arrays[f"ograd:{i}"]) for i in range(len(outputs))])
    for key, grad in grads.items():
        assert_close(grad.asnumpy(), arrays[f"grad:{key}"], f"{name} gradient of {key}")


def _step_inputs(count):
    return [mx.sym.Variable(f"rnn_t{i}_data") for i in range(count)]


@pytest.mark.parametrize("make,hidden", [
    (lambda: mx.rnn.RNNCell(6, prefix="rnn_"), 6),
    (lambda: mx.rnn.GRUCell(6, prefix="rnn_"), 6),
    (lambda: mx.rnn.LSTMCell(6, prefix="rnn_"), 6),
])
def test_cells_name_their_weights_and_step_outputs_as_mxnet(make, hidden):
    cell = make()
    outputs, states = cell.unroll(3, _step_inputs(3),
                                  begin_state=cell.begin_state(func=mx.sym.Variable))
    group = mx.sym.Group(outputs)
    assert sorted(cell.params._params) == ["rnn_h2h_bias", "rnn_h2h_weight", "rnn_i2h_bias",
                                           "rnn_i2h_weight"]
    assert group.list_outputs() == ["rnn_t0_out_output", "rnn_t1_out_output",
                                    "rnn_t2_out_output"]
    shapes = {f"rnn_t{i}_data": (10, 5) for i in range(3)}
    shapes.update({s.name: (10, hidden) for s in cell.begin_state(func=mx.sym.Variable)})
    _, outs, _ = group.infer_shape(**shapes)
    assert outs == [(10, hidden)] * 3


def test_begin_states_are_named_by_prefix_and_counter():
    cell = mx.rnn.LSTMCell(4, prefix="enc_")
    names = [s.name for s in cell.begin_state(func=mx.sym.Variable)]
    assert names == ["enc_begin_state_0", "enc_begin_state_1"]
    attrs = cell.begin_state(func=mx.sym.Variable)[0].attr_dict()["enc_begin_state_2"]
    assert attrs["__shape__"] == "(0, 4)" and attrs["__layout__"] == "NC"


def test_fused_weights_unpack_into_the_unfused_stack_and_back():
    fused = mx.rnn.FusedRNNCell(3, num_layers=2, mode="lstm", bidirectional=True, prefix="f_")
    size = registry.get("RNN")({"mode": "lstm", "state_size": 3, "num_layers": 2,
                                "bidirectional": True}).infer_shape(
        [(1, 1, 5), None, None, None])[0][1][0]
    packed = mx.nd.array(np.arange(size, dtype=np.float32))
    pieces = fused.unpack_weights({"f_parameters": packed})
    assert pieces["f_l0_i2h_i_weight"].shape == (3, 5)
    assert pieces["f_l1_i2h_i_weight"].shape == (3, 6)  # layer 1 reads both directions
    assert pieces["f_r1_h2h_o_bias"].shape == (3,)
    # the unfused stack's cells take the pieces under their own (gate-joined) names
    stack = fused.unfuse()
    joined = stack.pack_weights(pieces)
    assert joined["f_l0_i2h_weight"].shape == (12, 5)
    np.testing.assert_array_equal(fused.pack_weights(stack.unpack_weights(joined))[
        "f_parameters"].asnumpy(), packed.asnumpy())


def test_fused_initializer_sets_forget_biases_and_initializes_weights_by_name():
    fused = mx.rnn.FusedRNNCell(2, num_layers=1, mode="lstm", forget_bias=3.0, prefix="")
    sym, _ = fused.unroll(2, mx.sym.Variable("data"), layout="TNC",
                          begin_state=fused.begin_state(func=mx.sym.Variable))
    exe = sym.simple_bind(mx.cpu(), data=(2, 1, 4), begin_state_0=(1, 1, 2),
                          begin_state_1=(1, 1, 2))
    attrs = sym.attr_dict()["parameters"]
    arr = exe.arg_dict["parameters"]
    mx.init.Uniform(0.5)(mx.init.InitDesc("parameters", attrs), arr)
    pieces = fused.unpack_weights({"parameters": arr})
    for group in ("i2h", "h2h"):
        np.testing.assert_array_equal(pieces[f"l0_{group}_f_bias"].asnumpy(), [3.0, 3.0])
        np.testing.assert_array_equal(pieces[f"l0_{group}_i_bias"].asnumpy(), [0.0, 0.0])
    weights = pieces["l0_i2h_i_weight"].asnumpy()
    assert np.all(np.abs(weights) <= 0.5) and np.any(weights != 0)


def test_modified_base_cell_cannot_be_used_directly():
    base = mx.rnn.GRUCell(4)
    mx.rnn.ZoneoutCell(base, zoneout_states=0.5)
    with pytest.raises(RuntimeError, match="Call the modifier cell instead"):
        base.begin_state(func=mx.sym.Variable)


def test_encode_sentences_builds_and_extends_a_vocabulary():
    coded, vocab = mx.rnn.encode_sentences([["a", "b"], ["b", "c"]], invalid_label=0,
                                           start_label=0)
    assert vocab == {"\n": 0, "a": 1, "b": 2, "c": 3} and coded == [[1, 2], [2, 3]]
    coded, vocab = mx.rnn.io.encode_sentences([["a", "z"]], vocab={"a": 1}, start_label=0,
                                              unknown_token="UNK")
    assert coded == [[1, 0]] and vocab["UNK"] == 0
    with pytest.raises(ValueError, match="unknown token 'z'"):
        mx.rnn.encode_sentences([["z"]], vocab={"a": 1})


def test_bucket_sentence_iter_pads_to_buckets_and_labels_the_next_word(capsys):
    sentences = [[1, 2, 3], [4, 5], [6, 7, 8, 9], [1, 2], [3, 4, 5], [9] * 9]
    it = mx.rnn.BucketSentenceIter(sentences, batch_size=2, buckets=[2, 4], invalid_label=0)
    assert "discarded 1 sentences" in capsys.readouterr().out
    assert it.default_bucket_key == 4 and it.provide_data[0].shape == (2, 4)
    batches = {b.bucket_key: b for b in it}
    assert sorted(batches) == [2, 4]
    data, label = batches[2].data[0].asnumpy(), batches[2].label[0].asnumpy()
    assert sorted(map(tuple, data.tolist())) == [(1, 2), (4, 5)]
    np.testing.assert_array_equal(label[:, 0], data[:, 1])
    np.testing.assert_array_equal(label[:, 1], [0, 0])
    assert batches[4].data[0].shape == (2, 4) and 0 in batches[4].data[0].asnumpy()
    tn = mx.rnn.BucketSentenceIter(sentences[:5], 2, buckets=[2, 4], layout="TN")
    assert {b.data[0].shape for b in tn} == {(2, 2), (4, 2)}


def test_rnn_checkpoint_saves_a_fused_cell_unpacked_and_loads_it_packed(tmp_path):
    fused = mx.rnn.FusedRNNCell(3, num_layers=1, mode="gru", prefix="g_")
    sym, _ = fused.unroll(2, mx.sym.Variable("data"), layout="TNC",
                          begin_state=fused.begin_state(func=mx.sym.Variable))
    packed = mx.nd.array(np.linspace(-1, 1, 3 * 3 * (4 + 3 + 2), dtype=np.float32))
    prefix = str(tmp_path / "gru")
    mx.rnn.save_rnn_checkpoint(fused, prefix, 3, sym, {"g_parameters": packed}, {})
    saved = mx.nd.load(f"{prefix}-0003.params")
    assert "arg:g_l0_i2h_r_weight" in saved and "arg:g_parameters" not in saved
    _, args, _ = mx.rnn.load_rnn_checkpoint(fused, prefix, 3)
    np.testing.assert_array_equal(args["g_parameters"].asnumpy(), packed.asnumpy())
    callback = mx.rnn.do_rnn_checkpoint([fused], prefix, period=2)
    callback(0, sym, {"g_parameters": packed}, {})
    callback(1, sym, {"g_parameters": packed}, {})
    assert not (tmp_path / "gru-0001.params").exists()
    assert (tmp_path / "gru-0002.params").exists()


def _run(sym, is_train, **arrays):
    exe = sym.bind(mx.cpu(), {k: mx.nd.array(v) for k, v in arrays.items()})
    return [o.asnumpy() for o in exe.forward(is_train=is_train)]


def test_dropout_cell_drops_only_while_training():
    cell = mx.rnn.DropoutCell(0.5)
    outputs, states = cell.unroll(2, mx.sym.Variable("data"), merge_outputs=True)
    assert states == []
    data = np.ones((4, 2, 50), np.float32)
    np.testing.assert_array_equal(_run(outputs, False, data=data)[0], data)
    trained = _run(outputs, True, data=data)[0]
    assert set(np.unique(trained)) == {0.0, 2.0}


def test_zoneout_keeps_previous_values_while_training_only():
    base = mx.rnn.RNNCell(20, prefix="z_")
    cell = mx.rnn.ZoneoutCell(base, zoneout_outputs=0.5, zoneout_states=0.5)
    outputs, _ = cell.unroll(2, _step_inputs(2), begin_state=cell.begin_state(
        init_sym=mx.sym.Variable))
    rng = np.random.default_rng(0)
    arrays = {"rnn_t0_data": rng.standard_normal((3, 5)), "rnn_t1_data": rng.standard_normal(
        (3, 5)), "z_begin_state_0": np.zeros((3, 20)),
        "z_i2h_weight": rng.standard_normal((20, 5)), "z_i2h_bias": np.zeros(20),
        "z_h2h_weight": rng.standard_normal((20, 20)), "z_h2h_bias": np.zeros(20)}
    plain = _run(mx.sym.Group(outputs), False, **arrays)
    zoned = _run(mx.sym.Group(outputs), True, **arrays)
    np.testing.assert_allclose(plain[0], np.tanh(arrays["rnn_t0_data"] @ arrays[
        "z_i2h_weight"].T), rtol=1e-5)
    kept = zoned[0] == 0  # the first step's "previous output" is zero
    assert 0.2 < kept.mean() < 0.8
    np.testing.assert_allclose(zoned[0][~kept], plain[0][~kept], rtol=1e-5)


def test_fused_initializer_dumps_as_mxnet_does():
    # MXNet 1.9.1: mx.init.FusedRNN(None, 4, 2, 'lstm', True).dumps()
    assert mx.init.FusedRNN(None, 4, 2, "lstm", True).dumps() == (
        '["fusedrnn", {"init": null, "num_hidden": 4, "num_layers": 2, "mode": "lstm", '
        '"bidirectional": true, "forget_bias": 1.0}]')
    again = mx.init.create(mx.init.FusedRNN(mx.init.Xavier(), 4, 2, "gru").dumps())
    assert isinstance(again, mx.init.FusedRNN) and again._mode == "gru"

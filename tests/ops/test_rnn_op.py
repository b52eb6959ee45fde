"""The fused RNN operator: MXNet 1.9.1 golden values, finite differences, packed layout."""
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from opcheck import assert_close, make_op, numeric_gradient  # noqa: E402

from teachmod.base import MXNetError  # noqa: E402
from teachmod.ops import rnn as rnn_op  # noqa: E402

GOLDEN = Path(__file__).parent.parent / "golden" / "rnn"
OP_CASES = {
    "rnn_relu_2layer_bi": dict(mode="rnn_relu", num_layers=2, bidirectional=True,
                               state_outputs=True),
    "rnn_tanh_2layer_bi": dict(mode="rnn_tanh", num_layers=2, bidirectional=True,
                               state_outputs=True),
    "lstm_2layer_bi": dict(mode="lstm", num_layers=2, bidirectional=True, state_outputs=True),
    "gru_2layer_bi": dict(mode="gru", num_layers=2, bidirectional=True, state_outputs=True),
    "lstm_1layer": dict(mode="lstm", num_layers=1),
    "lstm_projection": dict(mode="lstm", num_layers=2, bidirectional=True, state_outputs=True,
                            projection_size=2),
}


@pytest.mark.parametrize("case", sorted(OP_CASES))
def test_rnn_matches_mxnet(case):
    arrays = np.load(GOLDEN / f"op_{case}.npz")
    op = make_op("RNN", dict(OP_CASES[case], state_size=3))
    inputs = [arrays[f"arg:{name}"] for name in op.list_arguments()]
    is_train = "ograd:0" in arrays
    outputs = op.forward(is_train, inputs, [])
    for i, out in enumerate(outputs):
        if case == "lstm_projection" and i == 1:
            continue  # MXNet's CPU kernel never writes the final h when it projects
        assert_close(out, arrays[f"out:{i}"], f"{case} output {i}")
    if not is_train:
        return
    heads = [arrays[f"ograd:{i}"] for i in range(len(outputs))]
    for name, grad in zip(op.list_arguments(), op.backward(heads, inputs, outputs, [])):
        assert_close(grad, arrays[f"grad:{name}"], f"{case} gradient of {name}")


@pytest.mark.parametrize("mode,projection", [("rnn_tanh", None), ("rnn_relu", None),
                                             ("lstm", None), ("lstm", 2), ("gru", None)])
def test_rnn_backward_through_time_matches_finite_differences(mode, projection):
    seq_len, batch, features, hidden, layers = 3, 2, 4, 3, 2
    op = make_op("RNN", dict(mode=mode, state_size=hidden, num_layers=layers,
                             bidirectional=True, state_outputs=True,
                             projection_size=projection))
    rng = np.random.default_rng(7)
    size = rnn_op.param_size(mode, layers, 2, features, hidden, projection)
    inputs = [rng.standard_normal((seq_len, batch, features)), 0.5 * rng.standard_normal(size),
              rng.standard_normal((2 * layers, batch, projection or hidden))]
    if mode == "lstm":
        inputs.append(rng.standard_normal((2 * layers, batch, hidden)))
    outputs = op.forward(True, inputs, [])
    heads = [rng.standard_normal(o.shape) for o in outputs]
    grads = op.backward(heads, inputs, outputs, [])

    def objective():
        return sum(float(np.sum(o * h)) for o, h in zip(op.forward(False, inputs, []), heads))

    for name, x, grad in zip(op.list_arguments(), inputs, grads):
        np.testing.assert_allclose(grad, numeric_gradient(objective, x), rtol=1e-5, atol=1e-7,
                                   err_msg=f"{mode} gradient of {name}")


def test_packed_layout_is_weights_then_biases_layer_by_layer():
    # 1 layer, 2 directions, I=2, H=1, rnn_tanh: Wx (1,2) Wh (1,1) for l0 forward, then for l0
    # backward, then bx bh forward, bx bh backward
    flat = np.arange(10.0)
    layers = rnn_op.unpack_parameters(flat, "rnn_tanh", 1, 2, 2, 1)
    assert layers[0]["Wx"].tolist() == [[0, 1]] and layers[0]["Wh"].tolist() == [[2]]
    assert layers[1]["Wx"].tolist() == [[3, 4]] and layers[1]["Wh"].tolist() == [[5]]
    assert [layers[0]["bx"][0], layers[0]["bh"][0], layers[1]["bx"][0],
            layers[1]["bh"][0]] == [6, 7, 8, 9]
    assert rnn_op.param_size("lstm", 3, 2, 128, 8) == (
        (128 * 8 + 8 * 8 + 2 * 8) * 4 + 2 * (16 * 8 + 8 * 8 + 2 * 8) * 4) * 2


def test_dropout_between_layers_only_while_training():
    op = make_op("RNN", dict(mode="gru", state_size=4, num_layers=2, p=0.5))
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal((5, 3, 2)),
              rng.standard_normal(rnn_op.param_size("gru", 2, 1, 2, 4)), np.zeros((2, 3, 4))]
    first, second = op.forward(False, inputs, [])[0], op.forward(False, inputs, [])[0]
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(op.forward(True, inputs, [])[0], first)


def test_infer_shape_completes_parameters_and_states():
    op = make_op("RNN", dict(mode="lstm", state_size=5, num_layers=2, bidirectional=True,
                             state_outputs=True))
    ins, outs, _ = op.infer_shape([(7, 3, 4), None, None, None])
    assert ins[1] == (rnn_op.param_size("lstm", 2, 2, 4, 5),)
    assert ins[2] == ins[3] == (4, 3, 5)
    assert outs == [(7, 3, 10), (4, 3, 5), (4, 3, 5)]


@pytest.mark.parametrize("attrs,message", [
    (dict(mode="gru", projection_size=2), "projection_size needs mode='lstm'"),
    (dict(mode="lstm", p=1.0), "dropout p must be in [0, 1)"),
    (dict(mode="lstm", use_sequence_length=True), "only available with cuDNN"),
    (dict(mode="lstmx"), "parameter 'mode' expects one of"),
])
def test_bad_parameters_name_the_operator_and_the_fix(attrs, message):
    with pytest.raises(MXNetError, match="RNN 'test_node'.*" + message.replace("(", r"\(")
                       .replace(")", r"\)").replace("[", r"\[")):
        make_op("RNN", dict(attrs, state_size=3, num_layers=1))


def test_backward_without_training_forward_says_what_to_do():
    op = make_op("RNN", dict(mode="rnn_tanh", state_size=2, num_layers=1))
    with pytest.raises(MXNetError, match="is_train=True"):
        op.backward([np.zeros((1, 1, 2))], [None] * 3, [None], [])


def test_data_gradient_is_skipped_when_no_input_needs_it():
    op = make_op("RNN", dict(mode="gru", state_size=2, num_layers=2))
    op.grad_mask = (False, True, True)
    rng = np.random.default_rng(1)
    inputs = [rng.standard_normal((3, 2, 4)),
              rng.standard_normal(rnn_op.param_size("gru", 2, 1, 4, 2)), np.zeros((2, 2, 2))]
    outputs = op.forward(True, inputs, [])
    grads = op.backward([np.ones_like(outputs[0])], inputs, outputs, [])
    assert grads[0] is None and grads[1].shape == inputs[1].shape
    op.grad_mask = None
    op.forward(True, inputs, [])
    full = op.backward([np.ones_like(outputs[0])], inputs, outputs, [])
    np.testing.assert_allclose(grads[1], full[1])

"""BucketingModule: one module per bucket key, parameters shared, fit/score/predict, and a
language model on BucketSentenceIter batches."""
from __future__ import annotations

import logging

import numpy as np
import pytest

import teachmod as mx


def chain_gen(num_hidden=4):
    """A bucket's network: the same FC layer applied ``key`` times, then softmax."""
    def sym_gen(key):
        data = mx.sym.Variable("data")
        weight, bias = mx.sym.Variable("fc_weight"), mx.sym.Variable("fc_bias")
        net = data
        for i in range(key):
            net = mx.sym.FullyConnected(net, weight=weight, bias=bias, num_hidden=num_hidden,
                                        name=f"fc{i}")
            net = mx.sym.Activation(net, act_type="tanh", name=f"act{i}")
        return mx.sym.SoftmaxOutput(net, name="softmax"), ("data",), ("softmax_label",)
    return sym_gen


def batch(key, rng, size=3, num_hidden=4):
    data = mx.nd.array(rng.standard_normal((size, num_hidden)))
    label = mx.nd.array(rng.integers(0, num_hidden, size))
    return mx.io.DataBatch([data], [label], bucket_key=key,
                           provide_data=[mx.io.DataDesc("data", data.shape)],
                           provide_label=[mx.io.DataDesc("softmax_label", label.shape)])


def test_buckets_share_one_set_of_parameters():
    rng = np.random.default_rng(0)
    mod = mx.mod.BucketingModule(chain_gen(), default_bucket_key=3)
    mod.bind([("data", (3, 4))], [("softmax_label", (3,))])
    mod.init_params(mx.init.Xavier())
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.5})
    before = mod.get_params()[0]["fc_weight"].asnumpy().copy()
    mod.forward_backward(batch(1, rng))
    mod.update()
    assert mod._curr_bucket_key == 1 and sorted(mod._buckets) == [1, 3]
    assert mod.symbol.list_outputs() == ["softmax_output"]
    after_short = mod.get_params()[0]["fc_weight"].asnumpy()
    assert not np.allclose(after_short, before)
    # the default bucket's executor sees the update made through bucket 1
    default = mod._buckets[3]._exec_group.execs[0].arg_dict["fc_weight"].asnumpy()
    np.testing.assert_array_equal(default, after_short)


def test_switch_bucket_binds_a_new_key_once():
    mod = mx.mod.BucketingModule(chain_gen(), default_bucket_key=2)
    mod.bind([("data", (3, 4))], [("softmax_label", (3,))])
    mod.init_params()
    mod.switch_bucket(5, [("data", (3, 4))], [("softmax_label", (3,))])
    first = mod._buckets[5]
    mod.switch_bucket(2, None)
    mod.switch_bucket(5, [("data", (3, 4))], [("softmax_label", (3,))])
    assert mod._buckets[5] is first and mod._curr_module is first
    assert len([n for n in mod.symbol.list_arguments() if n == "fc_weight"]) == 1


def test_needs_a_default_bucket_key_and_says_so():
    with pytest.raises(ValueError, match="default_bucket_key is required"):
        mx.mod.BucketingModule(chain_gen())
    mod = mx.mod.BucketingModule(chain_gen(), default_bucket_key=2)
    with pytest.raises(mx.MXNetError, match="call bind"):
        mod.init_params()


def test_save_checkpoint_and_load_restore_every_bucket(tmp_path):
    rng = np.random.default_rng(1)
    mod = mx.mod.BucketingModule(chain_gen(), default_bucket_key=3)
    mod.bind([("data", (3, 4))], [("softmax_label", (3,))])
    mod.init_params(mx.init.Xavier())
    mod.forward(batch(2, rng), is_train=False)
    prefix = str(tmp_path / "chain")
    mod.save_checkpoint(prefix, 4)
    assert (tmp_path / "chain-2-symbol.json").exists() and (tmp_path / "chain.buckets").exists()
    loaded = mx.mod.BucketingModule.load(prefix, 4, sym_gen=chain_gen(), default_bucket_key=3)
    assert sorted(loaded._buckets) == [2, 3]
    loaded.bind([("data", (3, 4))], [("softmax_label", (3,))])
    np.testing.assert_array_equal(loaded.get_params()[0]["fc_weight"].asnumpy(),
                                  mod.get_params()[0]["fc_weight"].asnumpy())
    probe = batch(2, rng)
    mod.forward(probe, is_train=False)
    loaded.forward(probe, is_train=False)
    np.testing.assert_allclose(loaded.get_outputs()[0].asnumpy(),
                               mod.get_outputs()[0].asnumpy(), rtol=1e-6)


def language_model_gen(vocab, hidden=8, embed=6):
    """An LSTM language model: Embedding -> fused 1-layer LSTM -> FC -> softmax per step. The
    begin states are state inputs (zeros), whose shapes the RNN operator infers."""
    cell = mx.rnn.FusedRNNCell(hidden, num_layers=1, mode="lstm", prefix="lstm_")
    state_names = [s.name for s in cell.begin_state(func=mx.sym.Variable)]

    def sym_gen(seq_len):
        data = mx.sym.Variable("data")
        label = mx.sym.Variable("softmax_label")
        net = mx.sym.Embedding(data, input_dim=vocab, output_dim=embed, name="embed")
        cell.reset()
        states = cell.begin_state(func=mx.sym.Variable)
        outputs, _ = cell.unroll(seq_len, net, begin_state=states, layout="TNC",
                                 merge_outputs=True)
        pred = mx.sym.Reshape(outputs, shape=(-1, hidden))
        pred = mx.sym.FullyConnected(pred, num_hidden=vocab, name="pred")
        label = mx.sym.Reshape(label, shape=(-1,))
        return mx.sym.SoftmaxOutput(pred, label, name="softmax"), ("data",), ("softmax_label",)

    return sym_gen, state_names


def test_lstm_language_model_learns_a_repeating_text(capsys):
    # sentences cut from "a b c d e a b c d e ...": the next word is always predictable
    rng = np.random.default_rng(3)
    words = "a b c d e".split()
    sentences = []
    for _ in range(60):
        start, length = rng.integers(0, 5), rng.choice([4, 7])
        sentences.append([words[(start + k) % 5] for k in range(length)])
    coded, vocab = mx.rnn.encode_sentences(sentences, invalid_label=0, start_label=1)
    train = mx.rnn.BucketSentenceIter(coded, batch_size=8, buckets=[4, 7], invalid_label=0,
                                      layout="TN")
    sym_gen, state_names = language_model_gen(len(vocab) + 1)
    mod = mx.mod.BucketingModule(sym_gen, default_bucket_key=train.default_bucket_key,
                                 state_names=state_names)
    metric = mx.metric.Perplexity(ignore_label=0)
    np.random.seed(0)  # BucketSentenceIter shuffles with numpy's and Python's generators
    mod.fit(train, eval_metric=metric, optimizer="adam",
            optimizer_params={"learning_rate": 0.05}, initializer=mx.init.Xavier(),
            num_epoch=8)
    assert set(mod._buckets) == {4, 7}
    score = dict(mod.score(train, mx.metric.Perplexity(ignore_label=0)))
    assert score["perplexity"] < 1.5  # from about 6 (uniform over the words) at the start
    logging.getLogger().handlers.clear()


@pytest.mark.filterwarnings("ignore:NTC layout detected")
def test_two_epochs_of_a_language_model_match_mxnet():
    """The flow of MXNet's lstm_bucketing.py example (PTB-format text, encode_sentences,
    BucketSentenceIter, BucketingModule, SGD, Perplexity) with MXNet 1.9.1's initial weights:
    the validation perplexity after each epoch is MXNet's to 0.1% (it agrees to 1e-7 here)."""
    import importlib.util
    from pathlib import Path

    golden = Path(__file__).parent / "golden"
    spec = importlib.util.spec_from_file_location("rnn_nets", golden / "rnn_nets.py")
    rnn_nets = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rnn_nets)
    arrays = np.load(golden / "rnn" / "lm_two_epochs.npz")
    initial = {k[4:]: mx.nd.array(arrays[k]) for k in arrays.files if k.startswith("arg:")}
    _, perplexities = rnn_nets.train_lm(mx, arg_params=initial)
    np.testing.assert_allclose(perplexities, arrays["perplexity"], rtol=1e-3)

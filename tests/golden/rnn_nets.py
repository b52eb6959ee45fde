"""Recurrent graphs for the RNN golden data, shared by MXNet and teachmod.

Every builder takes the framework module (``mxnet`` or ``teachmod``) and returns the unrolled
symbol (outputs merged in NTC layout, then the final states) and the begin-state variables'
names with their shapes. The begin states are variables (``begin_state(func=Variable)``) so
the golden data also cover gradients of the initial states.
"""

T, N, IN, H = 3, 2, 4, 3  # steps, batch, input features, hidden units


def _unroll(mx, cell, length=T, merge=True):
    if isinstance(cell, mx.rnn.ModifierCell):  # MXNet names this argument init_sym there
        states = cell.begin_state(init_sym=mx.sym.Variable)
    else:
        states = cell.begin_state(func=mx.sym.Variable)
    outputs, finals = cell.unroll(length, mx.sym.Variable("data"), begin_state=states,
                                  layout="NTC", merge_outputs=merge)
    outputs = [outputs] if merge else list(outputs)
    return mx.sym.Group(outputs + _flat(finals)), [s.name for s in _flat(states)]


def _flat(states):
    """States as one list (a BidirectionalCell nests one list per direction)."""
    return [s for item in states for s in (_flat(item) if isinstance(item, list) else [item])]


def rnn_tanh(mx):
    return _unroll(mx, mx.rnn.RNNCell(H, activation="tanh", prefix="rnn_"))


def rnn_relu(mx):
    return _unroll(mx, mx.rnn.RNNCell(H, activation="relu", prefix="rnn_"))


def lstm(mx):
    return _unroll(mx, mx.rnn.LSTMCell(H, prefix="lstm_", forget_bias=2.0))


def gru(mx):
    return _unroll(mx, mx.rnn.GRUCell(H, prefix="gru_"))


def sequential(mx):
    stack = mx.rnn.SequentialRNNCell()
    stack.add(mx.rnn.LSTMCell(H, prefix="l0_"))
    stack.add(mx.rnn.GRUCell(H, prefix="l1_"))
    return _unroll(mx, stack)


def residual(mx):
    return _unroll(mx, mx.rnn.ResidualCell(mx.rnn.GRUCell(IN, prefix="res_")))


def _bidirectional_gru(mx):
    return mx.rnn.BidirectionalCell(mx.rnn.GRUCell(H, prefix="l_"),
                                    mx.rnn.GRUCell(H, prefix="r_"), output_prefix="bi_")


def bidirectional(mx):
    return _unroll(mx, _bidirectional_gru(mx), merge=False)


def bidirectional_merged(mx):
    return _unroll(mx, _bidirectional_gru(mx))


def fused_lstm(mx):
    return _unroll(mx, mx.rnn.FusedRNNCell(H, num_layers=2, mode="lstm", bidirectional=True,
                                           get_next_state=True, prefix="f_"))


def fused_gru_unfused(mx):
    cell = mx.rnn.FusedRNNCell(H, num_layers=2, mode="gru", bidirectional=True, prefix="u_")
    return _unroll(mx, cell.unfuse(), merge=False)


def _conv(mx, kind):
    cell = getattr(mx.rnn, kind)(input_shape=CONV_INPUT, num_hidden=2, prefix="conv_")
    return _unroll(mx, cell, merge=False)


def conv_lstm(mx):
    return _conv(mx, "ConvLSTMCell")


def conv_gru(mx):
    return _conv(mx, "ConvGRUCell")


def conv_rnn(mx):
    return _conv(mx, "ConvRNNCell")


CONV_INPUT = (N, 2, 4, 3)  # one step's input: batch, channels, height, width
# the data of each graph, (batch, steps, ...) (NTC); (N, T, IN) unless listed
DATA_SHAPES = {name: (N, T) + CONV_INPUT[1:] for name in ("conv_lstm", "conv_gru", "conv_rnn")}

CELLS = {f.__name__: f for f in (rnn_tanh, rnn_relu, lstm, gru, sequential, residual, bidirectional,
                                 bidirectional_merged,
                                 fused_lstm, fused_gru_unfused, conv_rnn, conv_lstm, conv_gru)}


# ---- a small word-level language model, trained for two epochs on both sides ---------------
LM = dict(vocab_words=24, embed=8, hidden=12, layers=2, batch=8, buckets=[4, 8, 12], lr=0.5)


def ptb_lines(seed, count):
    """``count`` lines in the PTB format (space-separated words, ' \\n' at the end) from a
    small Markov chain over ``w0..w23``, so that there is something to learn."""
    import numpy as np

    rs = np.random.RandomState(seed)
    words = LM["vocab_words"]
    follow = rs.dirichlet(np.full(words, 0.1), size=words)  # a peaked next-word distribution
    lines = []
    for _ in range(count):
        word, sentence = rs.randint(words), []
        for _ in range(rs.randint(2, 12)):
            sentence.append(f"w{word}")
            word = rs.choice(words, p=follow[word])
        lines.append(" " + " ".join(sentence) + " \n")
    return lines


def lm_sym_gen(mx, vocab_size):
    """``sym_gen`` for BucketingModule: Embedding -> FusedRNNCell LSTM -> FC -> softmax. The
    begin states are ``state_names`` inputs (zeros); returns (sym_gen, state_names)."""
    cell = mx.rnn.FusedRNNCell(LM["hidden"], num_layers=LM["layers"], mode="lstm",
                               prefix="lstm_")

    def sym_gen(seq_len):
        data = mx.sym.Variable("data")
        label = mx.sym.Variable("softmax_label")
        embed = mx.sym.Embedding(data=data, input_dim=vocab_size, output_dim=LM["embed"],
                                 name="embed")
        cell.reset()
        states = cell.begin_state(func=mx.sym.Variable)
        outputs, _ = cell.unroll(seq_len, inputs=embed, begin_state=states,
                                 merge_outputs=True)
        pred = mx.sym.Reshape(outputs, shape=(-1, LM["hidden"]))
        pred = mx.sym.FullyConnected(data=pred, num_hidden=vocab_size, name="pred")
        label = mx.sym.Reshape(label, shape=(-1,))
        return mx.sym.SoftmaxOutput(data=pred, label=label, name="softmax"), ("data",), (
            "softmax_label",)

    cell.reset()
    return sym_gen, [s.name for s in cell.begin_state(func=mx.sym.Variable)]


def train_lm(mx, arg_params=None):
    """Two epochs of SGD on ``ptb_lines``; returns (initial arg_params, validation perplexity
    after each epoch). Python's and numpy's global generators are seeded first: the bucket
    iterator shuffles with them, so both frameworks see the batches in the same order."""
    import random

    import numpy as np

    def tokenize(lines, vocab=None):
        return mx.rnn.encode_sentences([filter(None, line.split(" ")) for line in lines],
                                       vocab=vocab, invalid_label=0, start_label=1)

    random.seed(7)
    np.random.seed(7)
    train_sent, vocab = tokenize(ptb_lines(1, 240))
    val_sent, _ = tokenize(ptb_lines(2, 60), vocab)
    train = mx.rnn.BucketSentenceIter(train_sent, LM["batch"], buckets=list(LM["buckets"]),
                                      invalid_label=0)
    val = mx.rnn.BucketSentenceIter(val_sent, LM["batch"], buckets=list(LM["buckets"]),
                                    invalid_label=0)
    sym_gen, state_names = lm_sym_gen(mx, len(vocab))
    mod = mx.mod.BucketingModule(sym_gen, default_bucket_key=train.default_bucket_key,
                                 state_names=state_names)
    mod.bind(train.provide_data, train.provide_label)
    if arg_params is None:
        mod.init_params(mx.init.Xavier(factor_type="in", magnitude=2.34))
    else:
        mod.init_params(arg_params=arg_params, aux_params={})
    initial = {k: v.asnumpy().copy() for k, v in mod.get_params()[0].items()}
    perplexities = []
    mod.fit(train, eval_data=val, eval_metric=mx.metric.Perplexity(0), optimizer="sgd",
            optimizer_params={"learning_rate": LM["lr"], "momentum": 0.0, "wd": 0.00001},
            num_epoch=2, epoch_end_callback=None,
            eval_end_callback=lambda param: perplexities.append(
                param.eval_metric.get()[1]))
    return initial, perplexities

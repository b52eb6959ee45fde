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

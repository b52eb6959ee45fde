"""Recurrent cells: one time step as a small graph of ordinary operators, unrolled over time.

A cell's ``__call__(inputs, states)`` builds the symbols of one step and returns
``(output, new_states)``; ``unroll(length, inputs)`` calls it once per time step, feeding each
step's states to the next, so an LSTM unrolled over 3 steps is 3 copies of the same few
FullyConnected/Activation nodes sharing one set of weight variables. Names follow MXNet:
parameters ``<prefix>i2h_weight``, ``<prefix>h2h_bias``...; step nodes ``<prefix>t<k>_...``;
begin states ``<prefix>begin_state_<k>``. ``FusedRNNCell`` instead puts the whole stack into
one ``RNN`` operator with a single packed ``parameters`` vector; ``unpack_weights`` and
``pack_weights`` convert between the two layouts so either can load the other's weights.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

from .. import initializer as init
from .. import ndarray, symbol
from ..symbol import Symbol

__all__ = ["RNNParams", "BaseRNNCell", "RNNCell", "LSTMCell", "GRUCell", "FusedRNNCell",
           "SequentialRNNCell", "DropoutCell", "ModifierCell", "ZoneoutCell", "ResidualCell",
           "BidirectionalCell", "BaseConvRNNCell", "ConvRNNCell", "ConvLSTMCell", "ConvGRUCell"]


def _zeros(**kwargs: Any) -> Symbol:
    """``mx.sym.zeros``, looked up when a begin state is made (the default ``func``)."""
    return symbol.zeros(**kwargs)


def _normalize_sequence(length: int, inputs: Any, layout: str, merge: bool | None,
                        in_layout: str | None = None) -> tuple[Any, int]:
    """``inputs`` as a list of ``length`` per-step symbols (merge False), as one symbol with a
    time axis (merge True), or as they are (merge None); also the time axis of ``layout``."""
    if inputs is None:
        raise ValueError("unroll(inputs=None) has been deprecated; create the input variables "
                         "outside unroll and pass them in")
    axis = layout.find("T")
    in_axis = in_layout.find("T") if in_layout is not None else axis
    if isinstance(inputs, Symbol):
        if merge is False:
            if len(inputs.list_outputs()) != 1:
                raise ValueError("unroll doesn't allow a grouped symbol as input; convert it "
                                 "to a list with list(inputs) first or let unroll split it")
            inputs = list(symbol.split(inputs, axis=in_axis, num_outputs=length,
                                       squeeze_axis=1))
    else:
        if length is not None and len(inputs) != length:
            raise ValueError(f"unroll: {len(inputs)} inputs given for length {length}")
        if merge is True:
            inputs = symbol.Concat(*[symbol.expand_dims(i, axis=axis) for i in inputs],
                                   dim=axis)
            in_axis = axis
    if isinstance(inputs, Symbol) and axis != in_axis:
        inputs = symbol.swapaxes(inputs, dim1=axis, dim2=in_axis)
    return inputs, axis


class RNNParams:
    """The weight variables of one or more cells, created on first ``get`` and then shared.

    Parameters
    ----------
    prefix : str
        Prepended to the name of every variable made here.
    """

    def __init__(self, prefix: str = "") -> None:
        self._prefix = prefix
        self._params: dict[str, Symbol] = {}

    def get(self, name: str, **kwargs: Any) -> Symbol:
        """The variable ``prefix + name``, made with ``mx.sym.Variable(**kwargs)`` if new."""
        name = self._prefix + name
        if name not in self._params:
            self._params[name] = symbol.Variable(name, **kwargs)
        return self._params[name]


class BaseRNNCell:
    """The base class of recurrent cells.

    Parameters
    ----------
    prefix : str
        Prefix of the names of the cell's nodes (and of its weights, if ``params`` is None).
    params : RNNParams, optional
        Weights to share with another cell; a new container is made if None.
    """

    def __init__(self, prefix: str = "", params: RNNParams | None = None) -> None:
        self._own_params = params is None
        self._params = RNNParams(prefix) if params is None else params
        self._prefix = prefix
        self._modified = False
        self.reset()

    def reset(self) -> None:
        """Restart the step and begin-state counters, before building another graph."""
        self._init_counter = -1
        self._counter = -1
        for cell in getattr(self, "_cells", []):
            cell.reset()

    def __call__(self, inputs: Symbol, states: list) -> tuple[Symbol, list]:
        """One time step: ``(output, new_states)`` from the step's input and the states."""
        raise NotImplementedError(f"{type(self).__name__} cannot be stepped; use unroll")

    @property
    def params(self) -> RNNParams:
        """The cell's weight variables (asking for them marks them as shared)."""
        self._own_params = False
        return self._params

    @property
    def state_info(self) -> list[dict]:
        """Shape (0 = the batch size, unknown yet) and layout of each state."""
        raise NotImplementedError(f"{type(self).__name__} must define state_info")

    @property
    def state_shape(self) -> list[tuple[int, ...]]:
        return [info["shape"] for info in self.state_info]

    @property
    def _gate_names(self) -> tuple[str, ...] | list[str]:
        return ()

    def _check_not_modified(self) -> None:
        if self._modified:
            raise RuntimeError("After applying modifier cells (e.g. ZoneoutCell) the base cell "
                               "cannot be called directly. Call the modifier cell instead.")

    def begin_state(self, func: Callable[..., Symbol] = _zeros, **kwargs: Any) -> list:
        """Symbols for the states before the first step.

        Parameters
        ----------
        func : callable, default mx.sym.zeros
            Makes each state from ``name`` and the ``state_info`` entries (``shape``,
            ``__layout__``) plus ``kwargs``; ``mx.sym.Variable`` lets you feed the states.
        """
        self._check_not_modified()
        states = []
        for info in self.state_info:
            self._init_counter += 1
            if info is not None:
                kwargs.update(info)
            states.append(func(name=f"{self._prefix}begin_state_{self._init_counter}",
                               **kwargs))
        return states

    def unpack_weights(self, args: dict) -> dict:
        """Split each fused i2h/h2h weight and bias into one array per gate
        (``<prefix>i2h_f_weight``...), for reading or saving; ``pack_weights`` undoes it."""
        args = dict(args)
        if not self._gate_names:
            return args
        hidden = self._num_hidden  # type: ignore[attr-defined]
        for group in ("i2h", "h2h"):
            weight = args.pop(f"{self._prefix}{group}_weight")
            bias = args.pop(f"{self._prefix}{group}_bias")
            for j, gate in enumerate(self._gate_names):
                rows = slice(j * hidden, (j + 1) * hidden)
                args[f"{self._prefix}{group}{gate}_weight"] = weight[rows].copy()
                args[f"{self._prefix}{group}{gate}_bias"] = bias[rows].copy()
        return args

    def pack_weights(self, args: dict) -> dict:
        """Join per-gate arrays back into the cell's i2h/h2h weights and biases."""
        args = dict(args)
        if not self._gate_names:
            return args
        for group in ("i2h", "h2h"):
            for kind in ("weight", "bias"):
                parts = [args.pop(f"{self._prefix}{group}{gate}_{kind}")
                         for gate in self._gate_names]
                args[f"{self._prefix}{group}_{kind}"] = ndarray.concatenate(parts)
        return args

    def unroll(self, length: int, inputs: Any, begin_state: list | None = None,
               layout: str = "NTC", merge_outputs: bool | None = None) -> tuple[Any, list]:
        """Unroll the cell over ``length`` time steps.

        Parameters
        ----------
        length : int
            Number of steps.
        inputs : Symbol or list of Symbol
            One symbol of shape (batch, length, ...) for layout 'NTC' ((length, batch, ...)
            for 'TNC'), or a list of ``length`` symbols of shape (batch, ...).
        begin_state : list of Symbol, optional
            The states before the first step; ``begin_state()`` if None.
        layout : str, default 'NTC'
            Where the time axis is in ``inputs`` and in merged outputs.
        merge_outputs : bool, optional
            True: one output symbol with a time axis; False: a list of per-step symbols;
            None: whichever is natural for the cell.

        Returns
        -------
        outputs : Symbol or list of Symbol
        states : list of Symbol
            The states after the last step.
        """
        self.reset()
        inputs, _ = _normalize_sequence(length, inputs, layout, False)
        states = self.begin_state() if begin_state is None else begin_state
        outputs = []
        for step_input in inputs:
            output, states = self(step_input, states)
            outputs.append(output)
        outputs, _ = _normalize_sequence(length, outputs, layout, merge_outputs)
        return outputs, states

    def _get_activation(self, inputs: Symbol, activation: Any, **kwargs: Any) -> Symbol:
        if isinstance(activation, str):
            return symbol.Activation(inputs, act_type=activation, **kwargs)
        return activation(inputs, **kwargs)


def _step_name(cell: BaseRNNCell) -> str:
    """Count one more step and give its node-name prefix, ``<prefix>t<k>_``."""
    cell._counter += 1
    return f"{cell._prefix}t{cell._counter}_"


class RNNCell(BaseRNNCell):
    """A vanilla RNN step: ``h' = activation(x Wi^T + bi + h Wh^T + bh)``.

    Parameters
    ----------
    num_hidden : int
        Number of hidden units.
    activation : str or callable, default 'tanh'
        'tanh' or 'relu' (any ``act_type``), or a function of a symbol.
    prefix : str, default 'rnn_'
    params : RNNParams, optional
    """

    def __init__(self, num_hidden: int, activation: Any = "tanh", prefix: str = "rnn_",
                 params: RNNParams | None = None) -> None:
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._activation = activation
        self._iW = self.params.get("i2h_weight")
        self._iB = self.params.get("i2h_bias")
        self._hW = self.params.get("h2h_weight")
        self._hB = self.params.get("h2h_bias")

    @property
    def state_info(self) -> list[dict]:
        return [{"shape": (0, self._num_hidden), "__layout__": "NC"}]

    @property
    def _gate_names(self) -> tuple[str, ...]:
        return ("",)

    def __call__(self, inputs: Symbol, states: list) -> tuple[Symbol, list]:
        name = _step_name(self)
        i2h = symbol.FullyConnected(data=inputs, weight=self._iW, bias=self._iB,
                                    num_hidden=self._num_hidden, name=f"{name}i2h")
        h2h = symbol.FullyConnected(data=states[0], weight=self._hW, bias=self._hB,
                                    num_hidden=self._num_hidden, name=f"{name}h2h")
        output = self._get_activation(i2h + h2h, self._activation, name=f"{name}out")
        return output, [output]


class LSTMCell(BaseRNNCell):
    """An LSTM step; the states are ``[h, c]``::

        i, f, g, o = split(x Wi^T + bi + h Wh^T + bh, 4)
        c' = sigmoid(f) * c + sigmoid(i) * tanh(g);   h' = sigmoid(o) * tanh(c')

    Parameters
    ----------
    num_hidden : int
    prefix : str, default 'lstm_'
    params : RNNParams, optional
    forget_bias : float, default 1.0
        Initial value of the forget gate's part of ``i2h_bias`` (an ``LSTMBias`` initializer),
        so that the cell starts by remembering.
    """

    def __init__(self, num_hidden: int, prefix: str = "lstm_", params: RNNParams | None = None,
                 forget_bias: float = 1.0) -> None:
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._iW = self.params.get("i2h_weight")
        self._hW = self.params.get("h2h_weight")
        self._iB = self.params.get("i2h_bias", init=init.LSTMBias(forget_bias=forget_bias))
        self._hB = self.params.get("h2h_bias")

    @property
    def state_info(self) -> list[dict]:
        return [{"shape": (0, self._num_hidden), "__layout__": "NC"},
                {"shape": (0, self._num_hidden), "__layout__": "NC"}]

    @property
    def _gate_names(self) -> list[str]:
        return ["_i", "_f", "_c", "_o"]

    def __call__(self, inputs: Symbol, states: list) -> tuple[Symbol, list]:
        name = _step_name(self)
        hidden4 = self._num_hidden * 4
        i2h = symbol.FullyConnected(data=inputs, weight=self._iW, bias=self._iB,
                                    num_hidden=hidden4, name=f"{name}i2h")
        h2h = symbol.FullyConnected(data=states[0], weight=self._hW, bias=self._hB,
                                    num_hidden=hidden4, name=f"{name}h2h")
        gates = symbol.SliceChannel(i2h + h2h, num_outputs=4, name=f"{name}slice")
        in_gate = symbol.Activation(gates[0], act_type="sigmoid", name=f"{name}i")
        forget_gate = symbol.Activation(gates[1], act_type="sigmoid", name=f"{name}f")
        in_transform = symbol.Activation(gates[2], act_type="tanh", name=f"{name}c")
        out_gate = symbol.Activation(gates[3], act_type="sigmoid", name=f"{name}o")
        next_c = symbol._plus(forget_gate * states[1], in_gate * in_transform,
                              name=f"{name}state")
        next_h = symbol._mul(out_gate, symbol.Activation(next_c, act_type="tanh"),
                             name=f"{name}out")
        return next_h, [next_h, next_c]


class GRUCell(BaseRNNCell):
    """A GRU step as cuDNN computes it (the reset gate applies after ``h Wh^T + bh``)::

        r = sigmoid(xr + hr);  z = sigmoid(xz + hz);  n = tanh(xn + r * hn)
        h' = (1 - z) * n + z * h

    Parameters
    ----------
    num_hidden : int
    prefix : str, default 'gru_'
    params : RNNParams, optional
    """

    def __init__(self, num_hidden: int, prefix: str = "gru_",
                 params: RNNParams | None = None) -> None:
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._iW = self.params.get("i2h_weight")
        self._iB = self.params.get("i2h_bias")
        self._hW = self.params.get("h2h_weight")
        self._hB = self.params.get("h2h_bias")

    @property
    def state_info(self) -> list[dict]:
        return [{"shape": (0, self._num_hidden), "__layout__": "NC"}]

    @property
    def _gate_names(self) -> list[str]:
        return ["_r", "_z", "_o"]

    def __call__(self, inputs: Symbol, states: list) -> tuple[Symbol, list]:
        name = _step_name(self)
        prev_h = states[0]
        hidden3 = self._num_hidden * 3
        i2h = symbol.FullyConnected(data=inputs, weight=self._iW, bias=self._iB,
                                    num_hidden=hidden3, name=f"{name}_i2h")
        h2h = symbol.FullyConnected(data=prev_h, weight=self._hW, bias=self._hB,
                                    num_hidden=hidden3, name=f"{name}_h2h")
        i2h_r, i2h_z, i2h_n = symbol.SliceChannel(i2h, num_outputs=3, name=f"{name}_i2h_slice")
        h2h_r, h2h_z, h2h_n = symbol.SliceChannel(h2h, num_outputs=3, name=f"{name}_h2h_slice")
        reset = symbol.Activation(i2h_r + h2h_r, act_type="sigmoid", name=f"{name}_r_act")
        update = symbol.Activation(i2h_z + h2h_z, act_type="sigmoid", name=f"{name}_z_act")
        candidate = symbol.Activation(i2h_n + reset * h2h_n, act_type="tanh",
                                      name=f"{name}_h_act")
        next_h = symbol._plus((1.0 - update) * candidate, update * prev_h, name=f"{name}out")
        return next_h, [next_h]


_FUSED_GATES = {"rnn_relu": [""], "rnn_tanh": [""], "lstm": ["_i", "_f", "_c", "_o"],
                "gru": ["_r", "_z", "_o"]}


class FusedRNNCell(BaseRNNCell):
    """A whole stack of RNN/LSTM/GRU layers as one ``RNN`` operator over all time steps.

    Parameters
    ----------
    num_hidden : int
    num_layers : int, default 1
    mode : str, default 'lstm'
        'rnn_relu', 'rnn_tanh', 'lstm' or 'gru'.
    bidirectional : bool, default False
        Add a backward-reading layer to each layer; the output size doubles.
    dropout : float, default 0
        Dropout between layers while training.
    get_next_state : bool, default False
        Return the final states (else ``unroll`` returns no states).
    forget_bias : float, default 1.0
        Initial forget-gate bias of an LSTM (set by the ``FusedRNN`` initializer).
    prefix : str, default '<mode>_'
    params : RNNParams, optional
    """

    def __init__(self, num_hidden: int, num_layers: int = 1, mode: str = "lstm",
                 bidirectional: bool = False, dropout: float = 0.0,
                 get_next_state: bool = False, forget_bias: float = 1.0,
                 prefix: str | None = None, params: RNNParams | None = None) -> None:
        if mode not in _FUSED_GATES:
            raise ValueError(f"FusedRNNCell: mode must be one of {sorted(_FUSED_GATES)}, "
                             f"got {mode!r}")
        super().__init__(prefix=f"{mode}_" if prefix is None else prefix, params=params)
        self._num_hidden = num_hidden
        self._num_layers = num_layers
        self._mode = mode
        self._bidirectional = bidirectional
        self._dropout = dropout
        self._get_next_state = get_next_state
        self._directions = ["l", "r"] if bidirectional else ["l"]
        initializer = init.FusedRNN(None, num_hidden, num_layers, mode, bidirectional,
                                    forget_bias)
        self._parameter = self.params.get("parameters", init=initializer)

    @property
    def state_info(self) -> list[dict]:
        layers = len(self._directions) * self._num_layers
        return [{"shape": (layers, 0, self._num_hidden), "__layout__": "LNC"}
                for _ in range(2 if self._mode == "lstm" else 1)]

    @property
    def _gate_names(self) -> list[str]:
        return _FUSED_GATES[self._mode]

    def _slice_weights(self, arr: Any, input_size: int) -> dict[str, Any]:
        """Views into the packed vector ``arr``, one per layer, direction, group and gate:
        ``<prefix><l|r><layer>_<i2h|h2h><gate>_<weight|bias>``, in the packed order."""
        out = {}
        views = iter(_views(arr, self._layout(input_size)))
        for kind in ("weight", "bias"):
            for layer in range(self._num_layers):
                for direction in self._directions:
                    for group in ("i2h", "h2h"):
                        for gate in self._gate_names:
                            name = f"{self._prefix}{direction}{layer}_{group}{gate}_{kind}"
                            out[name] = next(views)
        return out

    def _layout(self, input_size: int) -> list[tuple[int, ...]]:
        """The shapes of the per-gate blocks in packed order (weights first, then biases)."""
        hidden, directions = self._num_hidden, len(self._directions)
        shapes = []
        for layer in range(self._num_layers):
            layer_in = input_size if layer == 0 else hidden * directions
            for _ in self._directions:
                shapes += [(hidden, layer_in)] * len(self._gate_names)
                shapes += [(hidden, hidden)] * len(self._gate_names)
        biases = [(hidden,)] * (2 * len(self._gate_names) * directions * self._num_layers)
        return shapes + biases

    def unpack_weights(self, args: dict) -> dict:
        args = dict(args)
        arr = args.pop(self._parameter.name)
        gates, hidden, directions = len(self._gate_names), self._num_hidden, len(self._directions)
        # size = D*G*H * ((I + H + 2) + (L - 1) * (D*H + H + 2)); solve for I
        input_size = (arr.size // directions // hidden // gates
                      - (self._num_layers - 1) * (hidden + directions * hidden + 2) - hidden - 2)
        args.update({name: view.copy()
                     for name, view in self._slice_weights(arr, input_size).items()})
        return args

    def pack_weights(self, args: dict) -> dict:
        args = dict(args)
        first = args[f"{self._prefix}l0_i2h{self._gate_names[0]}_weight"]
        input_size = first.shape[1]
        total = sum(_size(shape) for shape in self._layout(input_size))
        arr = ndarray.zeros((total,), ctx=first.context, dtype=first.dtype)
        for name, view in self._slice_weights(arr, input_size).items():
            view[:] = args.pop(name)
        args[self._parameter.name] = arr
        return args

    def __call__(self, inputs: Symbol, states: list) -> tuple[Symbol, list]:
        raise NotImplementedError("FusedRNNCell cannot be stepped. Please use unroll")

    def unroll(self, length: int, inputs: Any, begin_state: list | None = None,
               layout: str = "NTC", merge_outputs: bool | None = None) -> tuple[Any, list]:
        self.reset()
        inputs, axis = _normalize_sequence(length, inputs, layout, True)
        if axis == 1:
            warnings.warn("NTC layout detected. Consider using TNC for FusedRNNCell for "
                          "faster speed", stacklevel=2)
            inputs = symbol.swapaxes(inputs, dim1=0, dim2=1)
        elif axis != 0:
            raise ValueError(f"FusedRNNCell: unsupported layout {layout!r}")
        states = self.begin_state() if begin_state is None else begin_state
        named = {"state": states[0]}
        if self._mode == "lstm":
            named["state_cell"] = states[1]
        rnn = symbol.RNN(data=inputs, parameters=self._parameter, state_size=self._num_hidden,
                         num_layers=self._num_layers, bidirectional=self._bidirectional,
                         p=self._dropout, state_outputs=self._get_next_state, mode=self._mode,
                         name=f"{self._prefix}rnn", **named)
        if not self._get_next_state:
            outputs, states = rnn, []
        else:
            outputs = rnn[0]
            states = [rnn[1], rnn[2]] if self._mode == "lstm" else [rnn[1]]
            for state in states:
                state._set_attr(__layout__="LNC")
        if axis == 1:
            outputs = symbol.swapaxes(outputs, dim1=0, dim2=1)
        outputs, _ = _normalize_sequence(length, outputs, layout, merge_outputs)
        return outputs, states

    def unfuse(self) -> SequentialRNNCell:
        """The same network as a stack of stepping cells (parameters named so that
        ``unpack_weights`` output loads into it)."""
        def make(prefix: str) -> BaseRNNCell:
            if self._mode == "lstm":
                return LSTMCell(self._num_hidden, prefix=prefix)
            if self._mode == "gru":
                return GRUCell(self._num_hidden, prefix=prefix)
            return RNNCell(self._num_hidden, activation=self._mode[4:], prefix=prefix)

        stack = SequentialRNNCell()
        for i in range(self._num_layers):
            if self._bidirectional:
                stack.add(BidirectionalCell(make(f"{self._prefix}l{i}_"),
                                            make(f"{self._prefix}r{i}_"),
                                            output_prefix=f"{self._prefix}bi_l{i}_"))
            else:
                stack.add(make(f"{self._prefix}l{i}_"))
            if self._dropout > 0 and i != self._num_layers - 1:
                stack.add(DropoutCell(self._dropout, prefix=f"{self._prefix}_dropout{i}_"))
        return stack


def _size(shape: tuple[int, ...]) -> int:
    size = 1
    for d in shape:
        size *= d
    return size


def _views(arr: Any, shapes: list[tuple[int, ...]]) -> list[Any]:
    """Consecutive reshaped slices of the flat array ``arr`` with the given shapes."""
    views, offset = [], 0
    for shape in shapes:
        views.append(arr[offset:offset + _size(shape)].reshape(shape))
        offset += _size(shape)
    if offset != arr.size:
        raise ValueError(f"FusedRNNCell: the parameter vector has {arr.size} values, the "
                         f"layers need {offset}")
    return views


class SequentialRNNCell(BaseRNNCell):
    """Cells stacked on each other: each one's output is the next one's input.

    Parameters
    ----------
    params : RNNParams, optional
    """

    def __init__(self, params: RNNParams | None = None) -> None:
        super().__init__(prefix="", params=params)
        self._override_cell_params = params is not None
        self._cells: list[BaseRNNCell] = []

    def add(self, cell: BaseRNNCell) -> None:
        """Put ``cell`` on top of the stack."""
        self._cells.append(cell)
        if self._override_cell_params:
            if not cell._own_params:
                raise ValueError("Either specify params for SequentialRNNCell or child cells, "
                                 "not both.")
            cell.params._params.update(self.params._params)
        self.params._params.update(cell.params._params)

    @property
    def state_info(self) -> list[dict]:
        return [info for cell in self._cells for info in cell.state_info]

    def begin_state(self, **kwargs: Any) -> list:  # type: ignore[override]
        self._check_not_modified()
        return [s for cell in self._cells for s in cell.begin_state(**kwargs)]

    def unpack_weights(self, args: dict) -> dict:
        for cell in self._cells:
            args = cell.unpack_weights(args)
        return args

    def pack_weights(self, args: dict) -> dict:
        for cell in self._cells:
            args = cell.pack_weights(args)
        return args

    def _split_states(self, states: list) -> list[list]:
        """``states`` cut into each cell's share."""
        shares, start = [], 0
        for cell in self._cells:
            count = len(cell.state_info)
            shares.append(states[start:start + count])
            start += count
        return shares

    def __call__(self, inputs: Symbol, states: list) -> tuple[Symbol, list]:
        self._counter += 1
        next_states = []
        for cell, state in zip(self._cells, self._split_states(states)):
            if isinstance(cell, BidirectionalCell):
                raise ValueError("a SequentialRNNCell holding a BidirectionalCell cannot be "
                                 "stepped; use unroll")
            inputs, state = cell(inputs, state)
            next_states += state
        return inputs, next_states

    def unroll(self, length: int, inputs: Any, begin_state: list | None = None,
               layout: str = "NTC", merge_outputs: bool | None = None) -> tuple[Any, list]:
        self.reset()
        begin_state = self.begin_state() if begin_state is None else begin_state
        next_states = []
        last = len(self._cells) - 1
        for i, (cell, states) in enumerate(zip(self._cells, self._split_states(begin_state))):
            inputs, states = cell.unroll(length, inputs=inputs, begin_state=states,
                                         layout=layout,
                                         merge_outputs=merge_outputs if i == last else None)
            next_states += states
        return inputs, next_states


class DropoutCell(BaseRNNCell):
    """Dropout on the inputs (no state); put it between the cells of a stack.

    Parameters
    ----------
    dropout : float
        Fraction of the inputs to drop while training.
    prefix : str, default 'dropout_'
    params : RNNParams, optional
    """

    def __init__(self, dropout: float, prefix: str = "dropout_",
                 params: RNNParams | None = None) -> None:
        super().__init__(prefix, params)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)):
            raise TypeError(f"DropoutCell: dropout must be a number, got {dropout!r}")
        self.dropout = dropout

    @property
    def state_info(self) -> list[dict]:
        return []

    def __call__(self, inputs: Symbol, states: list) -> tuple[Symbol, list]:
        if self.dropout > 0:
            inputs = symbol.Dropout(data=inputs, p=self.dropout)
        return inputs, states

    def unroll(self, length: int, inputs: Any, begin_state: list | None = None,
               layout: str = "NTC", merge_outputs: bool | None = None) -> tuple[Any, list]:
        self.reset()
        inputs, _ = _normalize_sequence(length, inputs, layout, merge_outputs)
        if isinstance(inputs, Symbol):  # one Dropout over the whole sequence
            return self(inputs, [])
        return super().unroll(length, inputs, begin_state=begin_state, layout=layout,
                              merge_outputs=merge_outputs)


class ModifierCell(BaseRNNCell):
    """The base of cells that wrap another cell and change what it computes. The wrapped
    (base) cell can then only be used through the modifier."""

    def __init__(self, base_cell: BaseRNNCell) -> None:
        super().__init__()
        base_cell._modified = True
        self.base_cell = base_cell

    @property
    def params(self) -> RNNParams:
        self._own_params = False
        return self.base_cell.params

    @property
    def state_info(self) -> list[dict]:
        return self.base_cell.state_info

    def begin_state(self, init_sym: Callable[..., Symbol] = _zeros,  # type: ignore[override]
                    **kwargs: Any) -> list:
        """The base cell's begin states (MXNet calls the maker ``init_sym`` here)."""
        self._check_not_modified()
        self.base_cell._modified = False
        begin = self.base_cell.begin_state(init_sym, **kwargs)
        self.base_cell._modified = True
        return begin

    def unpack_weights(self, args: dict) -> dict:
        return self.base_cell.unpack_weights(args)

    def pack_weights(self, args: dict) -> dict:
        return self.base_cell.pack_weights(args)


class ZoneoutCell(ModifierCell):
    """Zoneout: while training, each unit keeps its previous value with some probability
    instead of taking the new one (a random mask picks, per unit and step).

    Parameters
    ----------
    base_cell : BaseRNNCell
    zoneout_outputs : float, default 0
        Probability that an output unit keeps the previous step's output.
    zoneout_states : float, default 0
        Probability that a state unit keeps its previous value.
    """

    def __init__(self, base_cell: BaseRNNCell, zoneout_outputs: float = 0.0,
                 zoneout_states: float = 0.0) -> None:
        if isinstance(base_cell, (FusedRNNCell, BidirectionalCell)):
            raise ValueError(f"ZoneoutCell: a {type(base_cell).__name__} cannot be stepped; "
                             f"unfuse it or wrap the cells underneath instead")
        super().__init__(base_cell)
        self.zoneout_outputs = zoneout_outputs
        self.zoneout_states = zoneout_states
        self.prev_output: Symbol | None = None

    def reset(self) -> None:
        super().reset()
        self.prev_output = None

    def __call__(self, inputs: Symbol, states: list) -> tuple[Symbol, list]:
        next_output, next_states = self.base_cell(inputs, states)

        def mask(p: float, like: Symbol) -> Symbol:
            # Dropout of ones: 0 where the unit keeps its old value, non-zero where it updates
            return symbol.Dropout(symbol.ones_like(like), p=p)

        output = next_output
        if self.zoneout_outputs != 0.0:
            # before the first step the previous output is zero (MXNet: zeros of shape (0, 0)
            # left to shape inference; zeros_like says the same without needing it)
            prev = self.prev_output if self.prev_output is not None else symbol.zeros_like(
                next_output)
            output = symbol.where(mask(self.zoneout_outputs, next_output), next_output, prev)
        if self.zoneout_states != 0.0:
            next_states = [symbol.where(mask(self.zoneout_states, new), new, old)
                           for new, old in zip(next_states, states)]
        self.prev_output = output
        return output, next_states


class ResidualCell(ModifierCell):
    """Adds the cell's input to its output (Wu et al., 2016); sizes must match."""

    def __call__(self, inputs: Symbol, states: list) -> tuple[Symbol, list]:
        output, states = self.base_cell(inputs, states)
        return symbol.elemwise_add(output, inputs, name=f"{output.name}_plus_residual"), states

    def unroll(self, length: int, inputs: Any, begin_state: list | None = None,
               layout: str = "NTC", merge_outputs: bool | None = None) -> tuple[Any, list]:
        self.reset()
        self.base_cell._modified = False
        outputs, states = self.base_cell.unroll(length, inputs=inputs, begin_state=begin_state,
                                                layout=layout, merge_outputs=merge_outputs)
        self.base_cell._modified = True
        if merge_outputs is None:
            merge_outputs = isinstance(outputs, Symbol)
        inputs, _ = _normalize_sequence(length, inputs, layout, merge_outputs)
        if merge_outputs:
            return symbol.elemwise_add(outputs, inputs,
                                       name=f"{outputs.name}_plus_residual"), states
        return [symbol.elemwise_add(out, inp, name=f"{out.name}_plus_residual")
                for out, inp in zip(outputs, inputs)], states


class BidirectionalCell(BaseRNNCell):
    """Two cells over the same sequence, ``l_cell`` forwards and ``r_cell`` backwards, their
    outputs concatenated per step; states are ``[l_states, r_states]``.

    Parameters
    ----------
    l_cell, r_cell : BaseRNNCell
    params : RNNParams, optional
    output_prefix : str, default 'bi_'
        Prefix of the output nodes (``<prefix>t<k>`` or ``<prefix>out`` when merged).
    """

    def __init__(self, l_cell: BaseRNNCell, r_cell: BaseRNNCell,
                 params: RNNParams | None = None, output_prefix: str = "bi_") -> None:
        super().__init__("", params=params)
        self._output_prefix = output_prefix
        if params is not None:
            if not (l_cell._own_params and r_cell._own_params):
                raise ValueError("Either specify params for BidirectionalCell or child cells, "
                                 "not both.")
            l_cell.params._params.update(self.params._params)
            r_cell.params._params.update(self.params._params)
        self.params._params.update(l_cell.params._params)
        self.params._params.update(r_cell.params._params)
        self._cells = [l_cell, r_cell]

    def unpack_weights(self, args: dict) -> dict:
        for cell in self._cells:
            args = cell.unpack_weights(args)
        return args

    def pack_weights(self, args: dict) -> dict:
        for cell in self._cells:
            args = cell.pack_weights(args)
        return args

    @property
    def state_info(self) -> list[dict]:
        return [info for cell in self._cells for info in cell.state_info]

    def begin_state(self, **kwargs: Any) -> list:  # type: ignore[override]
        self._check_not_modified()
        return [s for cell in self._cells for s in cell.begin_state(**kwargs)]

    def unroll(self, length: int, inputs: Any, begin_state: list | None = None,
               layout: str = "NTC", merge_outputs: bool | None = None) -> tuple[Any, list]:
        self.reset()
        inputs, axis = _normalize_sequence(length, inputs, layout, False)
        states = self.begin_state() if begin_state is None else begin_state
        l_cell, r_cell = self._cells
        split = len(l_cell.state_info)
        l_outputs, l_states = l_cell.unroll(length, inputs=inputs, begin_state=states[:split],
                                            layout=layout, merge_outputs=merge_outputs)
        r_outputs, r_states = r_cell.unroll(length, inputs=list(reversed(inputs)),
                                            begin_state=states[split:], layout=layout,
                                            merge_outputs=merge_outputs)
        if merge_outputs is None:
            merge_outputs = isinstance(l_outputs, Symbol) and isinstance(r_outputs, Symbol)
            if not merge_outputs:
                l_outputs, r_outputs = (
                    list(symbol.SliceChannel(o, axis=axis, num_outputs=length, squeeze_axis=1))
                    if isinstance(o, Symbol) else o for o in (l_outputs, r_outputs))
        if merge_outputs:
            outputs = symbol.Concat(l_outputs, symbol.reverse(r_outputs, axis=axis), dim=2,
                                    name=f"{self._output_prefix}out")
        else:
            outputs = [symbol.Concat(l_o, r_o, dim=1, name=f"{self._output_prefix}t{i}")
                       for i, (l_o, r_o) in enumerate(zip(l_outputs, reversed(r_outputs)))]
        return outputs, [l_states, r_states]


def _leaky_relu(inputs: Symbol, **kwargs: Any) -> Symbol:
    """The convolutional cells' default activation: LeakyReLU with slope 0.2."""
    return symbol.LeakyReLU(inputs, act_type="leaky", slope=0.2, **kwargs)


class BaseConvRNNCell(BaseRNNCell):
    """The base of convolutional cells: the i2h and h2h products are convolutions, so inputs
    and states are feature maps (Shi et al., 2015). ``h2h_kernel`` must be odd: h2h pads to
    keep the state's size; the state's shape is what i2h makes of ``input_shape``."""

    default_prefix = ""  # each cell's own: "ConvRNN_", "ConvLSTM_", "ConvGRU_"

    def __init__(self, input_shape: tuple[int, ...], num_hidden: int,
                 h2h_kernel: tuple[int, int] = (3, 3), h2h_dilate: tuple[int, int] = (1, 1),
                 i2h_kernel: tuple[int, int] = (3, 3), i2h_stride: tuple[int, int] = (1, 1),
                 i2h_pad: tuple[int, int] = (1, 1), i2h_dilate: tuple[int, int] = (1, 1),
                 i2h_weight_initializer: Any = None, h2h_weight_initializer: Any = None,
                 i2h_bias_initializer: Any = "zeros", h2h_bias_initializer: Any = "zeros",
                 activation: Any = _leaky_relu, prefix: str | None = None,
                 params: RNNParams | None = None, conv_layout: str = "NCHW") -> None:
        super().__init__(prefix=self.default_prefix if prefix is None else prefix,
                         params=params)
        if h2h_kernel[0] % 2 != 1 or h2h_kernel[1] % 2 != 1:
            raise ValueError(f"Only support odd number, get h2h_kernel= {h2h_kernel}")
        self._h2h_kernel, self._h2h_dilate = h2h_kernel, h2h_dilate
        self._h2h_pad = (h2h_dilate[0] * (h2h_kernel[0] - 1) // 2,
                         h2h_dilate[1] * (h2h_kernel[1] - 1) // 2)
        self._i2h_kernel, self._i2h_stride = i2h_kernel, i2h_stride
        self._i2h_pad, self._i2h_dilate = i2h_pad, i2h_dilate
        self._num_hidden = num_hidden
        self._input_shape = input_shape
        self._conv_layout = conv_layout
        self._activation = activation
        probe = symbol.Convolution(data=symbol.Variable("data"), num_filter=num_hidden,
                                   kernel=i2h_kernel, stride=i2h_stride, pad=i2h_pad,
                                   dilate=i2h_dilate, layout=conv_layout)
        self._state_shape = (0,) + tuple(probe.infer_shape(data=input_shape)[1][0][1:])
        self._iW = self.params.get("i2h_weight", init=i2h_weight_initializer)
        self._hW = self.params.get("h2h_weight", init=h2h_weight_initializer)
        self._iB = self.params.get("i2h_bias", init=i2h_bias_initializer)
        self._hB = self.params.get("h2h_bias", init=h2h_bias_initializer)

    @property
    def _num_gates(self) -> int:
        return len(self._gate_names)

    @property
    def state_info(self) -> list[dict]:
        return [{"shape": self._state_shape, "__layout__": self._conv_layout}]

    def _conv_forward(self, inputs: Symbol, states: list, name: str) -> tuple[Symbol, Symbol]:
        filters = self._num_hidden * self._num_gates
        i2h = symbol.Convolution(name=f"{name}i2h", data=inputs, num_filter=filters,
                                 kernel=self._i2h_kernel, stride=self._i2h_stride,
                                 pad=self._i2h_pad, dilate=self._i2h_dilate, weight=self._iW,
                                 bias=self._iB, layout=self._conv_layout)
        h2h = symbol.Convolution(name=f"{name}h2h", data=states[0], num_filter=filters,
                                 kernel=self._h2h_kernel, dilate=self._h2h_dilate,
                                 pad=self._h2h_pad, stride=(1, 1), weight=self._hW,
                                 bias=self._hB, layout=self._conv_layout)
        return i2h, h2h


_CONV_DOC = """
    Parameters
    ----------
    input_shape : tuple
        Shape of one step's input, e.g. (batch, channels, height, width).
    num_hidden : int
        Number of state channels.
    h2h_kernel, h2h_dilate : tuple, default (3, 3), (1, 1)
        The state-to-state convolution (odd kernel; padded to keep the size).
    i2h_kernel, i2h_stride, i2h_pad, i2h_dilate : tuple
        The input-to-state convolution.
    i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer, h2h_bias_initializer
        Initializers of the weights (default: the global one) and biases (default 'zeros').
    activation : callable, default LeakyReLU(slope=0.2)
    prefix : str
    params : RNNParams, optional
    conv_layout : str, default 'NCHW'
"""


class ConvRNNCell(BaseConvRNNCell):
    """A convolutional vanilla RNN step: ``h' = activation(conv(x) + conv(h))``."""

    __doc__ = (__doc__ or "") + _CONV_DOC

    default_prefix = "ConvRNN_"

    @property
    def _gate_names(self) -> tuple[str, ...]:
        return ("",)

    def __call__(self, inputs: Symbol, states: list) -> tuple[Symbol, list]:
        name = _step_name(self)
        i2h, h2h = self._conv_forward(inputs, states, name)
        output = self._get_activation(i2h + h2h, self._activation, name=f"{name}out")
        return output, [output]


class ConvLSTMCell(BaseConvRNNCell):
    """A convolutional LSTM step (gates from convolutions; ``activation`` in place of tanh)."""

    __doc__ = (__doc__ or "") + _CONV_DOC

    default_prefix = "ConvLSTM_"

    @property
    def _gate_names(self) -> list[str]:
        return ["_i", "_f", "_c", "_o"]

    @property
    def state_info(self) -> list[dict]:
        return [{"shape": self._state_shape, "__layout__": self._conv_layout}] * 2

    def __call__(self, inputs: Symbol, states: list) -> tuple[Symbol, list]:
        name = _step_name(self)
        i2h, h2h = self._conv_forward(inputs, states, name)
        gates = symbol.SliceChannel(i2h + h2h, num_outputs=4,
                                    axis=self._conv_layout.find("C"), name=f"{name}slice")
        in_gate = symbol.Activation(gates[0], act_type="sigmoid", name=f"{name}i")
        forget_gate = symbol.Activation(gates[1], act_type="sigmoid", name=f"{name}f")
        in_transform = self._get_activation(gates[2], self._activation, name=f"{name}c")
        out_gate = symbol.Activation(gates[3], act_type="sigmoid", name=f"{name}o")
        next_c = symbol._plus(forget_gate * states[1], in_gate * in_transform,
                              name=f"{name}state")
        next_h = symbol._mul(out_gate, self._get_activation(next_c, self._activation),
                             name=f"{name}out")
        return next_h, [next_h, next_c]


class ConvGRUCell(BaseConvRNNCell):
    """A convolutional GRU step (``activation`` in place of tanh for the candidate)."""

    __doc__ = (__doc__ or "") + _CONV_DOC

    default_prefix = "ConvGRU_"

    @property
    def _gate_names(self) -> list[str]:
        return ["_r", "_z", "_o"]

    def __call__(self, inputs: Symbol, states: list) -> tuple[Symbol, list]:
        name = _step_name(self)
        i2h, h2h = self._conv_forward(inputs, states, name)
        i2h_r, i2h_z, i2h_n = symbol.SliceChannel(i2h, num_outputs=3, name=f"{name}_i2h_slice")
        h2h_r, h2h_z, h2h_n = symbol.SliceChannel(h2h, num_outputs=3, name=f"{name}_h2h_slice")
        reset = symbol.Activation(i2h_r + h2h_r, act_type="sigmoid", name=f"{name}_r_act")
        update = symbol.Activation(i2h_z + h2h_z, act_type="sigmoid", name=f"{name}_z_act")
        candidate = self._get_activation(i2h_n + reset * h2h_n, self._activation,
                                         name=f"{name}_h_act")
        next_h = symbol._plus((1.0 - update) * candidate, update * states[0], name=f"{name}out")
        return next_h, [next_h]

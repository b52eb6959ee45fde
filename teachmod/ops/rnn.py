"""RNN: MXNet's fused recurrent layers (vanilla RNN, LSTM, GRU), stacked and bidirectional.

``data`` is (T, N, I): T time steps, a batch of N, I features. Each of ``num_layers`` layers
runs one recurrence per direction over its input and hands its output (T, N, D*H) to the next;
``bidirectional`` adds a second recurrence that reads the sequence backwards and concatenates
its outputs after the forward ones (D = 2). One time step of each mode, with ``x`` the step's
input, ``h`` and ``c`` the states, ``Wx, Wh, bx, bh`` the layer's weights and biases::

    rnn_tanh / rnn_relu   h' = act(x Wx^T + bx + h Wh^T + bh)
    lstm                  i, f, g, o = split(x Wx^T + bx + h Wh^T + bh)   (four gates)
                          c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
                          h' = sigmoid(o) * tanh(c')
    gru                   xr, xz, xn = split(x Wx^T + bx); hr, hz, hn = split(h Wh^T + bh)
                          r = sigmoid(xr + hr); z = sigmoid(xz + hz); n = tanh(xn + r * hn)
                          h' = (1 - z) * n + z * h

With ``projection_size`` P (LSTM only), the LSTM's h' is projected, ``r' = h' Wr^T``, and r'
is what the layer outputs and feeds back as its recurrent state.

All trainable numbers live in one flat vector ``parameters`` in MXNet's order, so that
checkpoints interoperate: first every weight, layer by layer and within a layer direction by
direction (``Wx`` (G*H, in), ``Wh`` (G*H, H or P), then ``Wr`` (P, H) with a projection), then
every bias in the same order (``bx`` (G*H), ``bh`` (G*H)); G is the number of gates and the
gates are stacked in the order written above. ``unpack_parameters`` gives views into it.

Training with ``p`` > 0 drops (inverted dropout) outputs of every layer but the last. The
forward pass records what the backward pass through time reads (``self._tape``), as MXNet's
stateful RNN operator keeps its reserve space; the executor gives each bound graph its own
copy of the operator, so two executors never share a tape.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..random import generator
from .registry import (
    Operator,
    Param,
    Shape,
    optional,
    parse_bool,
    parse_float,
    parse_int,
    parse_str,
    register,
)

GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


def sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))``, written with tanh so that no exp overflows for large |x|."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0)


def param_size(mode: str, num_layers: int, directions: int, input_size: int,
               state_size: int, projection_size: int | None = None) -> int:
    """The length of the flat ``parameters`` vector."""
    return sum(block.size for block in _layout(mode, num_layers, directions, input_size,
                                               state_size, projection_size))


def _layout(mode: str, num_layers: int, directions: int, input_size: int, state_size: int,
            projection_size: int | None) -> list[np.ndarray]:
    """Empty arrays shaped like the blocks of ``parameters``, in packed order (shapes only)."""
    gates, hidden = GATES[mode], state_size
    out = projection_size or hidden  # what a layer outputs per direction
    weights, biases = [], []
    for layer in range(num_layers):
        layer_in = input_size if layer == 0 else out * directions
        for _ in range(directions):
            weights += [np.empty((gates * hidden, layer_in)), np.empty((gates * hidden, out))]
            if projection_size:
                weights.append(np.empty((projection_size, hidden)))
            biases += [np.empty(gates * hidden), np.empty(gates * hidden)]
    return weights + biases


def unpack_parameters(flat: np.ndarray, mode: str, num_layers: int, directions: int,
                      input_size: int, state_size: int, projection_size: int | None = None
                      ) -> list[dict[str, np.ndarray]]:
    """Views into ``flat``, one dict per layer and direction (layer 0 forward, layer 0
    backward, layer 1 forward, ...), with keys ``Wx, Wh, bx, bh`` and ``Wr`` for a projection.

    Writing into a view writes into ``flat``: this is how backward fills the gradient vector.
    """
    blocks = _layout(mode, num_layers, directions, input_size, state_size, projection_size)
    views, offset = [], 0
    for block in blocks:
        views.append(flat[offset:offset + block.size].reshape(block.shape))
        offset += block.size
    per_weight = 3 if projection_size else 2
    count = num_layers * directions
    weights, biases = views[:count * per_weight], views[count * per_weight:]
    layers = []
    for k in range(count):
        entry = {"Wx": weights[k * per_weight], "Wh": weights[k * per_weight + 1],
                 "bx": biases[2 * k], "bh": biases[2 * k + 1]}
        if projection_size:
            entry["Wr"] = weights[k * per_weight + 2]
        layers.append(entry)
    return layers


# ---- one time step, forward and backward, per mode ------------------------------------------
# ``xw`` is the step's input already multiplied (x Wx^T + bx, done for all steps at once);
# ``hw`` is h Wh^T + bh. A step returns the new h, the new c (None but for LSTM) and what its
# backward needs. A step's backward gets dh (and dc) of its outputs and returns the gradients
# of xw and hw and the part of dh/dc of the previous state that does not go through Wh.

def simple_step(act: str, xw, hw, h, c):
    h_new = np.tanh(xw + hw) if act == "tanh" else relu(xw + hw)
    return h_new, None, h_new


def simple_step_backward(act: str, saved, dh, dc):
    h_new = saved
    dpre = dh * (1 - h_new * h_new) if act == "tanh" else dh * (h_new > 0)
    return dpre, dpre, 0.0, None


def lstm_step(xw, hw, h, c):
    i, f, g, o = np.split(xw + hw, 4, axis=1)
    i, f, g, o = sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)
    c_new = f * c + i * g
    tanh_c = np.tanh(c_new)
    return o * tanh_c, c_new, (i, f, g, o, c, tanh_c)


def lstm_step_backward(saved, dh, dc):
    i, f, g, o, c, tanh_c = saved
    do = dh * tanh_c
    dc = dc + dh * o * (1 - tanh_c * tanh_c)
    di, df, dg = dc * g, dc * c, dc * i
    dpre = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g * g),
                           do * o * (1 - o)], axis=1)
    return dpre, dpre, 0.0, dc * f


def gru_step(xw, hw, h, c):
    xr, xz, xn = np.split(xw, 3, axis=1)
    hr, hz, hn = np.split(hw, 3, axis=1)
    r, z = sigmoid(xr + hr), sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    return (1 - z) * n + z * h, None, (r, z, n, hn, h)


def gru_step_backward(saved, dh, dc):
    r, z, n, hn, h = saved
    dn = dh * (1 - z) * (1 - n * n)
    dz = dh * (h - n) * z * (1 - z)
    dr = dn * hn * r * (1 - r)
    dxw = np.concatenate([dr, dz, dn], axis=1)
    dhw = np.concatenate([dr, dz, dn * r], axis=1)
    return dxw, dhw, dh * z, None


STEPS = {
    "rnn_tanh": (lambda *a: simple_step("tanh", *a), lambda *a: simple_step_backward("tanh", *a)),
    "rnn_relu": (lambda *a: simple_step("relu", *a), lambda *a: simple_step_backward("relu", *a)),
    "lstm": (lstm_step, lstm_step_backward),
    "gru": (gru_step, gru_step_backward),
}


# ---- one direction of one layer over the whole sequence ---------------------------------------

def run_direction(mode: str, x: np.ndarray, h0: np.ndarray, c0: np.ndarray | None,
                  w: dict[str, np.ndarray], reverse: bool) -> tuple[np.ndarray, np.ndarray,
                                                                     np.ndarray | None, dict]:
    """Run one recurrence over x (T, N, I); returns outputs (T, N, H or P), last h, last c
    and the record backward needs."""
    step, _ = STEPS[mode]
    seq_len = x.shape[0]
    xw = x @ w["Wx"].T + w["bx"]  # the input part of every step in one product
    h, c = h0, c0
    ys: list[np.ndarray] = [None] * seq_len  # type: ignore[list-item]
    record = {"x": x, "states": [], "saved": [], "cells": []}
    for t in (reversed(range(seq_len)) if reverse else range(seq_len)):
        record["states"].append(h)
        h_cell, c, saved = step(xw[t], h @ w["Wh"].T + w["bh"], h, c)
        record["saved"].append(saved)
        if "Wr" in w:  # LSTM projection: the projected h is what goes out and comes back
            record["cells"].append(h_cell)
            h = h_cell @ w["Wr"].T
        else:
            h = h_cell
        ys[t] = h
    return np.stack(ys), h, c, record


def run_direction_backward(mode: str, dy: np.ndarray, dh_last: np.ndarray | None,
                           dc_last: np.ndarray | None, w: dict[str, np.ndarray],
                           grads: dict[str, np.ndarray], record: dict, reverse: bool,
                           input_grad: bool = True
                           ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray | None]:
    """Backward through time of ``run_direction``: adds the weight gradients into ``grads``
    (views into the gradient vector) and returns the gradients of x (None unless
    ``input_grad``), h0 and c0."""
    _, step_backward = STEPS[mode]
    seq_len = dy.shape[0]
    dh = np.zeros_like(record["states"][0]) if dh_last is None else dh_last.copy()
    dc = None if mode != "lstm" else (np.zeros_like(record["saved"][0][4])
                                      if dc_last is None else dc_last)
    dxw = np.empty(dy.shape[:2] + (w["Wx"].shape[0],), dy.dtype)
    order = list(reversed(range(seq_len)) if reverse else range(seq_len))
    for k in reversed(range(seq_len)):  # walk the steps in the opposite order of forward
        t, h_prev = order[k], record["states"][k]
        dh = dh + dy[t]
        if "Wr" in w:
            grads["Wr"] += dh.T @ record["cells"][k]
            dh = dh @ w["Wr"]
        dxw[t], dhw, dh_direct, dc = step_backward(record["saved"][k], dh, dc)
        grads["Wh"] += dhw.T @ h_prev
        grads["bh"] += dhw.sum(axis=0)
        dh = dh_direct + dhw @ w["Wh"]
    x = record["x"]
    flat_dxw = dxw.reshape(-1, dxw.shape[-1])
    grads["Wx"] += flat_dxw.T @ x.reshape(-1, x.shape[-1])
    grads["bx"] += flat_dxw.sum(axis=0)
    return (dxw @ w["Wx"] if input_grad else None), dh, dc


@register
class RNN(Operator):
    """Stacked (and bidirectional) vanilla RNN, LSTM or GRU layers with packed parameters."""

    name = "RNN"
    backward_reads = ()  # everything backward needs is on the tape the forward pass records
    params = {
        "state_size": Param(parse_int, doc="size of the hidden state of each layer"),
        "num_layers": Param(parse_int, doc="number of stacked layers"),
        "bidirectional": Param(parse_bool, False, doc="add a layer reading the sequence backwards"),
        "mode": Param(parse_str, choices=tuple(GATES), doc="the kind of recurrent layer"),
        "p": Param(parse_float, 0.0, doc="dropout rate on the outputs of all but the last layer"),
        "state_outputs": Param(parse_bool, False, doc="also output the final states"),
        "projection_size": Param(optional(parse_int), None, doc="LSTM projection size"),
        "lstm_state_clip_min": Param(optional(parse_float), None,
                                     doc="cuDNN only in MXNet: not available on the CPU"),
        "lstm_state_clip_max": Param(optional(parse_float), None,
                                     doc="cuDNN only in MXNet: not available on the CPU"),
        "lstm_state_clip_nan": Param(parse_bool, False, doc="cuDNN only in MXNet"),
        "use_sequence_length": Param(parse_bool, False,
                                     doc="cuDNN only in MXNet: not available on the CPU"),
    }

    def validate(self) -> None:
        if self.state_size < 1 or self.num_layers < 1:
            raise self.fail(f"state_size and num_layers must be >= 1, got {self.state_size} "
                            f"and {self.num_layers}")
        if not 0 <= self.p < 1:
            raise self.fail(f"dropout p must be in [0, 1), got {self.p}")
        if self.projection_size is not None:
            if self.mode != "lstm":
                raise self.fail(f"projection_size needs mode='lstm', got mode={self.mode!r}")
            if not 0 < self.projection_size <= self.state_size:
                raise self.fail(f"projection_size must be in [1, state_size={self.state_size}]"
                                f", got {self.projection_size}")
        for key in ("lstm_state_clip_min", "lstm_state_clip_max", "use_sequence_length"):
            if getattr(self, key) not in (None, False):
                raise self.fail(f"{key} is only available with cuDNN on a GPU in MXNet 1.9.1; "
                                f"its CPU operator (which teachmod follows) does not take it")
        self.directions = 2 if self.bidirectional else 1
        self._tape: dict[str, Any] | None = None

    def list_arguments(self) -> list[str]:
        return ["data", "parameters", "state"] + (["state_cell"] if self.mode == "lstm" else [])

    def list_outputs(self) -> list[str]:
        if not self.state_outputs:
            return ["output"]
        return ["output", "state_output"] + (["statecell_output"] if self.mode == "lstm" else [])

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None] * len(self.list_outputs()), []
        if len(data) != 3:
            raise self.fail(f"data must be (sequence length, batch, features), got shape {data}")
        seq_len, batch, features = data
        out = self.projection_size or self.state_size
        layers = self.num_layers * self.directions
        size = param_size(self.mode, self.num_layers, self.directions, features,
                          self.state_size, self.projection_size)
        shapes = [tuple(data), self.expect_shape(in_shapes, 1, (size,)),
                  self.expect_shape(in_shapes, 2, (layers, batch, out))]
        outs: list[Shape | None] = [(seq_len, batch, self.directions * out)]
        if self.state_outputs:
            outs.append((layers, batch, out))
        if self.mode == "lstm":
            shapes.append(self.expect_shape(in_shapes, 3, (layers, batch, self.state_size)))
            if self.state_outputs:
                outs.append((layers, batch, self.state_size))
        return shapes, outs, []

    def _weights(self, flat: np.ndarray, input_size: int) -> list[dict[str, np.ndarray]]:
        return unpack_parameters(flat, self.mode, self.num_layers, self.directions, input_size,
                                 self.state_size, self.projection_size)

    def forward(self, is_train, inputs, aux):
        data, flat, h0 = inputs[0], inputs[1], inputs[2]
        c0 = inputs[3] if self.mode == "lstm" else None
        weights = self._weights(flat, data.shape[2])
        x, h_last, c_last, records, masks = data, [], [], [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(self.directions):
                k = layer * self.directions + d
                y, h, c, record = run_direction(self.mode, x, h0[k], None if c0 is None else c0[k],
                                                weights[k], reverse=d == 1)
                outs.append(y)
                h_last.append(h)
                c_last.append(c)
                records.append(record)
            x = np.concatenate(outs, axis=2) if self.directions == 2 else outs[0]
            if is_train and self.p > 0 and layer < self.num_layers - 1:
                mask = (generator().random(x.shape) >= self.p).astype(x.dtype) / (1 - self.p)
                masks.append(mask)
                x = x * mask
        self._tape = ({"records": records, "masks": masks, "flat": flat, "shape": data.shape}
                      if is_train else None)
        outputs = [x]
        if self.state_outputs:
            outputs.append(np.stack(h_last))
            if self.mode == "lstm":
                outputs.append(np.stack(c_last))
        return outputs

    def backward(self, out_grads, inputs, outputs, aux):
        if self._tape is None:
            raise self.fail("backward needs a forward pass with is_train=True first")
        tape = self._tape
        records, flat, shape = tape["records"], tape["flat"], tape["shape"]
        weights = self._weights(flat, shape[2])
        grad_flat = np.zeros_like(flat)
        grads = self._weights(grad_flat, shape[2])
        dh_last = out_grads[1] if self.state_outputs else None
        dc_last = out_grads[2] if self.state_outputs and self.mode == "lstm" else None
        layers = self.num_layers * self.directions
        dh0 = np.zeros((layers,) + records[0]["states"][0].shape, flat.dtype)
        dc0 = np.zeros((layers, shape[1], self.state_size), flat.dtype)
        dy = out_grads[0]
        for layer in reversed(range(self.num_layers)):
            if layer < self.num_layers - 1 and tape["masks"]:
                dy = dy * tape["masks"][layer]
            # each direction's share of the layer's output gradient; their input grads add up
            parts = np.split(dy, self.directions, axis=2)
            # the data's gradient is skipped when nothing needs it (e.g. data from a variable)
            input_grad = layer > 0 or self.needs_grad(0)
            dx = None
            for d in range(self.directions):
                k = layer * self.directions + d
                dx_d, dh0[k], dc = run_direction_backward(
                    self.mode, parts[d], None if dh_last is None else dh_last[k],
                    None if dc_last is None else dc_last[k], weights[k], grads[k], records[k],
                    reverse=d == 1, input_grad=input_grad)
                if dc is not None:
                    dc0[k] = dc
                if dx_d is not None:
                    dx = dx_d if dx is None else dx + dx_d
            dy = dx
        result = [dy, grad_flat, dh0]
        if self.mode == "lstm":
            result.append(dc0)
        return result

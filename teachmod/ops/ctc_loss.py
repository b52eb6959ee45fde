"""CTCLoss (ctc_loss): Connectionist Temporal Classification (Graves et al., 2006).

``data`` ``(T, N, C)`` holds unnormalised scores of C symbols at each of T steps for N
sequences; ``label`` ``(N, L)`` the target symbols, padded at the end. One symbol is the
*blank*: index 0 (``blank_label='first'``, labels 1..C-1, padding 0) or C-1 (``'last'``,
padding -1). An *alignment* picks one symbol per step; it spells the label once repeated
symbols are merged and blanks dropped. The loss of a sequence is ``-log`` of the total
probability (under the per-step softmax) of all alignments that spell its label.

The sum over alignments is a dynamic programme over the label with blanks between and around
its symbols, ``b l1 b l2 ... b`` (S = 2L + 1 states): ``alpha[t, s]`` is the log-probability of
the first t+1 steps ending in state s, ``beta[t, s]`` that of the steps after t given state s
at t. A state can stay, advance one, or skip a blank between two different symbols. The
gradient of the loss with respect to the scores is ``softmax - posterior``, where the
posterior of symbol k at step t is the probability that an alignment emits k there:
``sum over states s of symbol k of exp(alpha[t, s] + beta[t, s] + loss)``.

Optional inputs ``data_lengths`` and ``label_lengths`` (with ``use_data_lengths`` /
``use_label_lengths``) give each sequence's true lengths.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_bool, parse_str, register


def _logsumexp(*terms: np.ndarray) -> np.ndarray:
    stacked = np.stack(terms)
    top = stacked.max(axis=0)
    safe = np.where(np.isfinite(top), top, 0.0)  # all -inf stays -inf, without warnings
    with np.errstate(divide="ignore"):
        return safe + np.log(np.exp(stacked - safe).sum(axis=0))


def ctc_alpha_beta(log_probs: np.ndarray, states: np.ndarray, blank: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Forward and backward variables ``(T, S)`` for one sequence: ``log_probs`` ``(T, C)``,
    ``states`` the extended label ``b l1 b ... b``."""
    steps, size = log_probs.shape[0], len(states)
    emit = log_probs[:, states]  # (T, S): log-probability of each state's symbol
    # a state may skip the blank before it when it holds a symbol different from two back
    skip = np.zeros(size, bool)
    skip[2:] = (states[2:] != blank) & (states[2:] != states[:-2])
    alpha = np.full((steps, size), -np.inf)
    beta = np.full((steps, size), -np.inf)
    alpha[0, :2] = emit[0, :2]
    beta[-1, -2:] = 0.0
    for t in range(1, steps):
        prev = alpha[t - 1]
        one = np.concatenate([[-np.inf], prev[:-1]])
        two = np.where(skip, np.concatenate([[-np.inf, -np.inf], prev[:-2]]), -np.inf)
        alpha[t] = _logsumexp(prev, one, two) + emit[t]
    for t in range(steps - 2, -1, -1):
        after = beta[t + 1] + emit[t + 1]  # being in state s' at t+1 and emitting it
        one = np.concatenate([after[1:], [-np.inf]])
        two = np.where(np.concatenate([skip[2:], [False, False]]),
                       np.concatenate([after[2:], [-np.inf, -np.inf]]), -np.inf)
        beta[t] = _logsumexp(after, one, two)
    return alpha, beta


@register
class CTCLoss(Operator):
    """The CTC loss of each sequence, ``(N,)``."""

    name = "CTCLoss"
    aliases = ("ctc_loss", "_contrib_CTCLoss", "_contrib_ctc_loss")
    outputs = ("output", "grad")  # grad: d loss / d data, kept for backward (hidden)
    backward_reads = ("grad",)
    params = {
        "use_data_lengths": Param(parse_bool, False, doc="take the input 'data_lengths'"),
        "use_label_lengths": Param(parse_bool, False, doc="take the input 'label_lengths'"),
        "blank_label": Param(parse_str, "first", choices=("first", "last"),
                             doc="the blank symbol: index 0 or C-1"),
    }

    def list_arguments(self):
        return (["data", "label"] + ["data_lengths"] * self.use_data_lengths
                + ["label_lengths"] * self.use_label_lengths)

    def num_visible_outputs(self) -> int:
        return 1

    def infer_shape(self, in_shapes):
        data, label = in_shapes[:2]
        if data is None:
            return in_shapes, [None, None], []
        if len(data) != 3:
            raise self.fail(f"data must be (sequence length, batch, classes), got {data}")
        shapes = [tuple(data), label if label is None else tuple(label)]
        if label is not None and (len(label) != 2 or label[0] != data[1]):
            raise self.fail(f"label must be (batch={data[1]}, max label length), got "
                            f"{tuple(label)}")
        shapes += [self.expect_shape(in_shapes, i, (data[1],)) for i in range(2, len(in_shapes))]
        return shapes, [(data[1],), tuple(data)], []

    def infer_type(self, in_types):
        # labels and lengths keep their own types
        return in_types, [in_types[0], in_types[0]], []

    def lengths(self, inputs: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each sequence's number of steps and its label symbols."""
        data, label = inputs[:2]
        extra = iter(inputs[2:])
        steps = (next(extra).astype(np.int64) if self.use_data_lengths
                 else np.full(data.shape[1], data.shape[0]))
        label = label.astype(np.int64)
        if self.use_label_lengths:
            sizes = next(extra).astype(np.int64)
        else:
            padding = 0 if self.blank_label == "first" else -1
            is_pad = label == padding
            sizes = np.where(is_pad.any(axis=1), is_pad.argmax(axis=1), label.shape[1])
        return steps, [row[:n] for row, n in zip(label, sizes)]

    def forward(self, is_train, inputs, aux):
        data = inputs[0].astype(np.float64)
        blank = 0 if self.blank_label == "first" else data.shape[2] - 1
        shifted = data - data.max(axis=2, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
        loss = np.zeros(data.shape[1])
        grad = np.zeros_like(data)
        steps, labels = self.lengths(inputs)
        for b, (n, symbols) in enumerate(zip(steps, labels)):
            states = np.full(2 * len(symbols) + 1, blank)
            states[1::2] = symbols
            alpha, beta = ctc_alpha_beta(log_probs[:n, b], states, blank)
            loss[b] = -_logsumexp(alpha[-1, -1], alpha[-1, -2] if len(states) > 1 else -np.inf)
            posterior = np.zeros((n, data.shape[2]))
            # add each state's occupancy onto its symbol (several states share the blank)
            np.add.at(posterior.T, states, np.exp(alpha + beta + loss[b]).T)
            grad[:n, b] = np.exp(log_probs[:n, b]) - posterior
        return [loss.astype(inputs[0].dtype), grad.astype(inputs[0].dtype)]

    def backward(self, out_grads, inputs, outputs, aux):
        grad_data = outputs[1] * out_grads[0][None, :, None]
        return [grad_data, *([None] * (len(self.list_arguments()) - 1))]

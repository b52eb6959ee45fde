"""SequenceMask, SequenceLast and SequenceReverse: batches of sequences of different lengths.

The data holds a batch of padded sequences: shape ``(T, N, ...)`` (time first, ``axis=0``) or
``(N, T, ...)`` (``axis=1``). With ``use_sequence_length=True`` a second input
``sequence_length`` of shape ``(N,)`` gives each sequence's true length ``L``; without it every
sequence is ``T`` long.

- SequenceMask writes ``value`` into the steps ``t >= L``; their gradient is 0.
- SequenceLast returns step ``L - 1`` of each sequence (the time axis disappears); the gradient
  goes back to that step only.
- SequenceReverse reverses the first ``L`` steps and leaves the padding where it is. A
  reversal is its own inverse, so the backward reverses the gradient the same way.

The lengths are integers (given as any number type): they get a zero gradient.
"""
from __future__ import annotations

import numpy as np

from .registry import Operator, Param, parse_bool, parse_float, parse_int, register


class _Sequence(Operator):
    """Parameters, inputs and shapes the three operators share."""

    params = {
        "use_sequence_length": Param(parse_bool, False,
                                     doc="take the lengths from the input 'sequence_length'"),
        "axis": Param(parse_int, 0, choices=(0, 1), doc="the time axis: 0 (T, N, ...) or 1"),
    }
    min_length = 0  # a sequence of length 0 is all padding

    def list_arguments(self):
        return ["data", "sequence_length"] if self.use_sequence_length else ["data"]

    def check_data(self, data: tuple[int, ...]) -> None:
        if len(data) < 2:
            raise self.fail(f"data must have a time and a batch axis, got shape {data}")

    def infer_shape(self, in_shapes):
        data = in_shapes[0]
        if data is None:
            return in_shapes, [None], []
        data = tuple(data)
        self.check_data(data)
        shapes = [data]
        if self.use_sequence_length:
            shapes.append(self.expect_shape(in_shapes, 1, (data[1 - self.axis],)))
        return shapes, [self.out_shape(data)], []

    def infer_type(self, in_types):
        # the lengths keep their own (integer or float) type
        return [in_types[0], *in_types[1:]], [in_types[0]], []

    def out_shape(self, data: tuple[int, ...]) -> tuple[int, ...]:
        return data

    def batch_first(self, x: np.ndarray) -> np.ndarray:
        """A view of ``x`` with the batch axis first and time second."""
        return x if self.axis == 1 else x.swapaxes(0, 1)

    def lengths(self, inputs: list[np.ndarray]) -> np.ndarray:
        """Each sequence's length as integers, ``(N,)``."""
        data = self.batch_first(inputs[0])
        if not self.use_sequence_length:
            return np.full(data.shape[0], data.shape[1])
        lengths = inputs[1].astype(np.int64)  # truncated, as MXNet reads them
        low = self.min_length
        if lengths.min(initial=low) < low or lengths.max(initial=0) > data.shape[1]:
            raise self.fail(f"every sequence_length must be in {low}..{data.shape[1]}, got "
                            f"{inputs[1].tolist()}")
        return lengths

    def valid(self, inputs: list[np.ndarray]) -> np.ndarray:
        """True at the steps within each sequence, shaped to broadcast over batch-first data."""
        data = self.batch_first(inputs[0])
        steps = np.arange(data.shape[1])[None, :] < self.lengths(inputs)[:, None]
        return steps.reshape(steps.shape + (1,) * (data.ndim - 2))

    def no_length_grad(self, inputs):
        return [np.zeros_like(inputs[1])] if self.use_sequence_length else []


@register
class SequenceMask(_Sequence):
    """Set the steps past each sequence's length to ``value``."""

    name = "SequenceMask"
    params = {"use_sequence_length": _Sequence.params["use_sequence_length"],  # MXNet's order
              "value": Param(parse_float, 0.0, doc="the value written past the length"),
              "axis": _Sequence.params["axis"]}

    def forward(self, is_train, inputs, aux):
        data = self.batch_first(inputs[0])
        out = np.where(self.valid(inputs), data, np.asarray(self.value, data.dtype))
        return [self.batch_first(out)]

    def backward(self, out_grads, inputs, outputs, aux):
        grad = np.where(self.valid(inputs), self.batch_first(out_grads[0]), 0)
        return [self.batch_first(grad), *self.no_length_grad(inputs)]


@register
class SequenceLast(_Sequence):
    """The last step of each sequence."""

    name = "SequenceLast"
    min_length = 1  # it needs a last step

    def out_shape(self, data):
        return data[:self.axis] + data[self.axis + 1:]

    def forward(self, is_train, inputs, aux):
        data = self.batch_first(inputs[0])
        batch = np.arange(data.shape[0])
        return [data[batch, self.lengths(inputs) - 1]]

    def backward(self, out_grads, inputs, outputs, aux):
        grad = np.zeros_like(inputs[0])
        batch = np.arange(grad.shape[1 - self.axis])
        self.batch_first(grad)[batch, self.lengths(inputs) - 1] = out_grads[0]
        return [grad, *self.no_length_grad(inputs)]


@register
class SequenceReverse(_Sequence):
    """Reverse the first ``length`` steps of each sequence (time axis 0 only, as in MXNet)."""

    name = "SequenceReverse"
    params = {**_Sequence.params,
              "axis": Param(parse_int, 0, choices=(0,), doc="the time axis; only 0 is supported")}

    def reverse(self, x: np.ndarray, inputs: list[np.ndarray]) -> np.ndarray:
        """Step ``t < L`` of each sequence taken from step ``L - 1 - t``."""
        x = self.batch_first(x)
        lengths = self.lengths(inputs)[:, None]
        steps = np.arange(x.shape[1])[None, :]
        source = np.where(steps < lengths, lengths - 1 - steps, steps)  # (N, T)
        source = source.reshape(source.shape + (1,) * (x.ndim - 2))
        return self.batch_first(np.take_along_axis(x, source, axis=1))

    def forward(self, is_train, inputs, aux):
        return [self.reverse(inputs[0], inputs)]

    def backward(self, out_grads, inputs, outputs, aux):
        return [self.reverse(out_grads[0], inputs), *self.no_length_grad(inputs)]

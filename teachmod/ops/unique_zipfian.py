"""_sample_unique_zipfian: distinct class ids drawn from an approximately Zipfian (log-uniform)
distribution, as used for sampled softmax over a large vocabulary.

A draw is ``round(exp(u * log(range_max))) - 1`` with ``u`` uniform in [0, 1): small ids,
the frequent words of a vocabulary sorted by frequency, come up far more often. For each of the
``shape[0]`` rows, draws continue until ``shape[1]`` distinct ids are found; the first output
holds them in the order found, the second the number of draws that took (the repeats show how
likely each id was, which sampled softmax needs to correct its estimate).
"""
from __future__ import annotations

import numpy as np

from ..random import generator
from .random_sample import sample_shape
from .registry import Operator, Param, parse_int, register


@register
class SampleUniqueZipfian(Operator):
    """Distinct log-uniform samples and the number of draws needed, per row."""

    name = "_sample_unique_zipfian"
    arguments = ()
    outputs = ("output", "num_trials")
    backward_reads = ()
    params = {
        "range_max": Param(parse_int, doc="the number of classes: ids are 0 .. range_max-1"),
        "shape": Param(sample_shape, doc="(rows, distinct ids per row)"),
    }

    def validate(self):
        if len(self.shape) != 2:
            raise self.fail(f"shape must be (rows, samples per row), got {self.shape}")
        if not 0 < self.shape[1] <= self.range_max:
            raise self.fail(f"cannot draw {self.shape[1]} distinct ids from range_max="
                            f"{self.range_max} classes")

    def infer_shape(self, in_shapes):
        return [], [self.shape, self.shape[:1]], []

    def infer_type(self, in_types):
        return [], [np.dtype(np.int64)] * 2, []

    def draw_row(self, wanted: int) -> tuple[np.ndarray, int]:
        """``wanted`` distinct ids in the order first drawn, and how many draws it took."""
        log_range = np.log(self.range_max)
        draws = np.empty(0, np.int64)
        while True:
            u = generator().random(max(wanted, 1024))
            draws = np.concatenate([draws, np.rint(np.exp(u * log_range)).astype(np.int64) - 1])
            ids, first = np.unique(draws, return_index=True)
            if len(ids) >= wanted:
                order = np.sort(first)[:wanted]  # the positions where new ids appeared
                return draws[order], int(order[-1]) + 1

    def forward(self, is_train, inputs, aux):
        rows = [self.draw_row(self.shape[1]) for _ in range(self.shape[0])]
        return [np.stack([ids for ids, _ in rows]), np.array([n for _, n in rows], np.int64)]

    def backward(self, out_grads, inputs, outputs, aux):
        return []

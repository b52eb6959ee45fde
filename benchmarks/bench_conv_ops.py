"""Seconds per forward+backward of the book network's layers, run operator by operator.

    python benchmarks/bench_conv_ops.py

Convolution(128, 3x3, pad 1) -> BatchNorm -> relu -> max Pooling(2x2/2), float32, on the two
input sizes of issue 5. Prints the best of a few repeats (the machine may be shared).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from teachmod.ops import registry  # noqa: E402

LAYERS = [
    ("Convolution", {"kernel": (3, 3), "pad": (1, 1), "num_filter": 128}),
    ("BatchNorm", {}),
    ("Activation", {"act_type": "relu"}),
    ("Pooling", {"kernel": (2, 2), "stride": (2, 2), "pool_type": "max"}),
]


def forward_backward_seconds(op, inputs, aux, repeats: int) -> tuple[float, np.ndarray]:
    """Best time of ``repeats`` forward+backward passes, and the forward output."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        outputs = op.forward(True, inputs, aux)
        op.backward([np.ones_like(outputs[0])], inputs, outputs, aux)
        times.append(time.perf_counter() - start)
    return min(times), outputs[0]


def bench(shape: tuple[int, ...], repeats: int = 3) -> None:
    rng = np.random.default_rng(0)
    data = rng.standard_normal(shape, dtype=np.float32)
    print(f"input {shape}")
    total = 0.0
    for name, attrs in LAYERS:
        op = registry.get(name)(attrs, name.lower())
        arg_shapes, _, aux_shapes = op.infer_shape(
            [data.shape] + [None] * (len(op.list_arguments()) - 1))
        inputs = [data] + [rng.standard_normal(s, dtype=np.float32) for s in arg_shapes[1:]]
        aux = [np.ones(s, np.float32) for s in aux_shapes]
        seconds, data = forward_backward_seconds(op, inputs, aux, repeats)
        total += seconds
        print(f"  {name:12s} forward+backward {seconds:7.3f} s")
    print(f"  {'total':12s}                  {total:7.3f} s")


if __name__ == "__main__":
    bench((8, 3, 224, 224))
    bench((64, 3, 32, 32))

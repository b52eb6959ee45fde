"""Milliseconds per forward and per backward pass of the book network's layers, op by op.

    python benchmarks/bench_conv_ops.py [--repeats 5]

Convolution(128, 3x3, pad 1) -> BatchNorm -> relu -> max Pooling(2x2/2), float32, batch 8 (as
``fit`` trains it) at the two image sizes of issue 5. Each layer gets the previous layer's
output and a random head gradient; the convolution computes no gradient for its data, as the
first layer of a network does. Prints the best of ``--repeats`` runs (the machine may be
shared; BLAS, which the convolution uses, is hit hardest when another process takes a core).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import teachmod as mx  # noqa: E402
from teachmod.ops import registry  # noqa: E402

LAYERS = [
    ("Convolution", {"kernel": (3, 3), "pad": (1, 1), "num_filter": 128}),
    ("BatchNorm", {}),
    ("Activation", {"act_type": "relu"}),
    ("Pooling", {"kernel": (2, 2), "stride": (2, 2), "pool_type": "max"}),
]


def best_ms(method, args: tuple, repeats: int) -> float:
    """Best time of ``repeats`` calls ``method(*args)``, in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        method(*args)
        times.append(time.perf_counter() - start)
    return min(times) * 1e3


def bench(shape: tuple[int, ...], repeats: int) -> None:
    rng = np.random.default_rng(0)
    data = rng.random(shape, dtype=np.float32)
    print(f"input {shape}            forward   backward  (ms, best of {repeats})")
    total = 0.0
    for name, attrs in LAYERS:
        op = registry.get(name)(attrs, name.lower())
        arg_shapes, _, aux_shapes = op.infer_shape(
            [data.shape] + [None] * (len(op.list_arguments()) - 1))
        if name == "Convolution":
            op.grad_mask = (False,) + (True,) * (len(arg_shapes) - 1)
        inputs = [data] + [rng.uniform(-0.1, 0.1, s).astype(np.float32) for s in arg_shapes[1:]]
        aux = [np.ones(s, np.float32) for s in aux_shapes]
        outputs = op.forward(True, inputs, aux)
        head = [rng.standard_normal(outputs[0].shape, dtype=np.float32)] + \
            [np.zeros_like(o) for o in outputs[1:]]
        forward = best_ms(op.forward, (True, inputs, aux), repeats)
        backward = best_ms(op.backward, (head, inputs, outputs, aux), repeats)
        total += forward + backward
        print(f"  {name:12s}                    {forward:8.2f}  {backward:8.2f}")
        data = outputs[0]
    print(f"  {'total':12s} forward + backward  {total:8.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    mx.executor._reuse_freed_memory()  # as at bind time: freed activations are reused
    bench((8, 3, 224, 224), args.repeats)
    bench((8, 3, 32, 32), max(args.repeats, 50))
